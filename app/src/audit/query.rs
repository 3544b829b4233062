//! Searching the log: filtered pages, newest first, with a keyset cursor so
//! page 1,000 costs what page 1 does.

use sqlx::{QueryBuilder, Sqlite};

use super::record::{AuditFilter, AuditRecord};
use super::store::{AuditLog, COLUMNS};

impl AuditLog {
    /// One page of records matching `filter`, newest first. The next page is
    /// `filter` with `before_seq` set to the last record's `seq`.
    pub async fn page(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, sqlx::Error> {
        fetch(&self.pool, filter, filter.page_size()).await
    }
}

/// Up to `limit` records matching `filter`, newest first.
pub(super) async fn fetch(
    pool: &sqlx::SqlitePool,
    filter: &AuditFilter,
    limit: u32,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    select(filter, limit).build_query_as().fetch_all(pool).await
}

/// The SELECT for `filter`: each condition is a bound parameter, never text
/// spliced into the SQL. Equality conditions line up with the `(column,
/// seq)` indexes, so SQLite can walk one backwards and stop after `limit`.
fn select(filter: &AuditFilter, limit: u32) -> QueryBuilder<'static, Sqlite> {
    let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1"));
    if let Some(from) = &filter.from {
        q.push(" AND at >= ").push_bind(from.clone());
    }
    if let Some(to) = &filter.to {
        q.push(" AND at < ").push_bind(to.clone());
    }
    for (column, value) in [("actor", &filter.actor), ("workspace", &filter.workspace)] {
        if let Some(value) = value {
            q.push(format_args!(" AND {column} = "))
                .push_bind(value.clone());
        }
    }
    if let Some(prefix) = filter.action.as_deref().filter(|p| !p.is_empty()) {
        // A range rather than LIKE: LIKE is case-insensitive and treats `_`
        // and `%` as wildcards; the range is exact and can use the index.
        q.push(" AND action >= ").push_bind(prefix.to_string());
        if let Some(end) = prefix_end(prefix) {
            q.push(" AND action < ").push_bind(end);
        }
    }
    if let Some(outcome) = filter.outcome {
        q.push(" AND outcome = ").push_bind(outcome);
    }
    if let Some(target) = &filter.target {
        q.push(" AND (target_id = ")
            .push_bind(target.clone())
            .push(" OR target_name = ")
            .push_bind(target.clone())
            .push(")");
    }
    if let Some(before) = filter.before_seq {
        q.push(" AND seq < ").push_bind(before);
    }
    q.push(" ORDER BY seq DESC LIMIT ")
        .push_bind(i64::from(limit));
    q
}

/// The least string greater than every string starting with `prefix`, by
/// SQLite's binary (UTF-8 byte, hence code point) order; `None` if there is
/// none, i.e. the prefix is all `char::MAX`.
pub(super) fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}
