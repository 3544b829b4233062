//! SQLite access, one module per table owner. Queries sit next to the code
//! that needs them.

pub mod hosts;
pub mod templates;
pub mod users;
pub mod workspaces;

/// A write that may hit a unique constraint: `Ok(None)` when it did, so the
/// caller can name the taken field.
pub fn unless_taken<T>(result: Result<T, sqlx::Error>) -> Result<Option<T>, sqlx::Error> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}
