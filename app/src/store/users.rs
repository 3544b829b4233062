//! Users, their workspace memberships, and sign-in attempts.

use sqlx::SqlitePool;

use crate::policy::{Actor, Membership, Role};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: String,
    /// Sessions signed in before this instant (ms) are over.
    pub sessions_from_ms: i64,
}

const USER_COLUMNS: &str =
    "id, username, password_hash, is_admin, disabled, created_at, sessions_from_ms";

pub async fn by_name(pool: &SqlitePool, username: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = ?"
    ))
    .bind(username)
    .fetch_optional(pool)
    .await
}

pub async fn by_id(pool: &SqlitePool, id: i64) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<UserRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY username"
    ))
    .fetch_all(pool)
    .await
}

pub async fn count(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await
}

/// Inserts a user; `None` when the name is taken.
pub async fn insert(
    pool: &SqlitePool,
    username: &str,
    hash: &str,
    is_admin: bool,
) -> Result<Option<i64>, sqlx::Error> {
    let result = sqlx::query_scalar(
        "INSERT INTO users (username, password_hash, is_admin) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(username)
    .bind(hash)
    .bind(is_admin)
    .fetch_one(pool)
    .await;
    super::unless_taken(result)
}

/// Sets a user's password and ends every session signed in before `now_ms`.
pub async fn set_password(
    pool: &SqlitePool,
    id: i64,
    hash: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET password_hash = ?, sessions_from_ms = ? WHERE id = ?")
        .bind(hash)
        .bind(now_ms)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_disabled(pool: &SqlitePool, id: i64, disabled: bool) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET disabled = ? WHERE id = ?")
        .bind(disabled)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The actor of a session of user `id` signed in at `signed_in_ms`, with
/// memberships; `None` if the user is missing or disabled, or the session
/// was ended by a later password change or reset.
pub async fn actor(
    pool: &SqlitePool,
    id: i64,
    signed_in_ms: i64,
) -> Result<Option<Actor>, sqlx::Error> {
    let Some(user) = by_id(pool, id).await? else {
        return Ok(None);
    };
    if user.disabled || signed_in_ms < user.sessions_from_ms {
        return Ok(None);
    }
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT w.id, w.slug, w.name, m.role FROM workspace_members m
         JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = ? ORDER BY w.name",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let memberships = rows
        .into_iter()
        .filter_map(|(workspace_id, slug, name, role)| {
            Some(Membership {
                workspace_id,
                slug,
                name,
                role: Role::parse(&role)?,
            })
        })
        .collect();
    Ok(Some(Actor {
        user_id: user.id,
        username: user.username,
        is_admin: user.is_admin,
        memberships,
    }))
}

/// Sign-in throttling: the window, the failures one (user, address) pair
/// may have in it, and the failures one address may have for any users.
/// No limit is per user alone: failures from one address never lock a user
/// out from another.
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const THROTTLE_PAIR_FAILURES: i64 = 5;
pub const THROTTLE_ADDRESS_FAILURES: i64 = 20;

/// Starts a sign-in attempt: `None` when it is refused (the pair or the
/// address is at its limit), else the attempt's id, recorded as a failure
/// until [`attempt_succeeded`]. Check and record are one statement, so
/// concurrent guesses cannot all pass one check. Old attempts are pruned.
pub async fn begin_attempt(
    pool: &SqlitePool,
    username: &str,
    address: &str,
    now_ms: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE at_ms < ?")
        .bind(now_ms - 2 * THROTTLE_WINDOW_MS)
        .execute(pool)
        .await?;
    sqlx::query_scalar(
        "INSERT INTO login_attempts (at_ms, username, address, ok)
         SELECT ?1, ?2, ?3, 0
         WHERE (SELECT COUNT(*) FROM login_attempts
                WHERE username = ?2 AND address = ?3 AND ok = 0 AND at_ms > ?4) < ?5
           AND (SELECT COUNT(*) FROM login_attempts
                WHERE address = ?3 AND ok = 0 AND at_ms > ?4) < ?6
         RETURNING id",
    )
    .bind(now_ms)
    .bind(username)
    .bind(address)
    .bind(now_ms - THROTTLE_WINDOW_MS)
    .bind(THROTTLE_PAIR_FAILURES)
    .bind(THROTTLE_ADDRESS_FAILURES)
    .fetch_optional(pool)
    .await
}

/// Marks an attempt as a successful sign-in (it no longer counts).
pub async fn attempt_succeeded(pool: &SqlitePool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_attempts SET ok = 1 WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records `n` failed attempts of `user` from `address` at `at`.
    async fn fail(pool: &SqlitePool, user: &str, address: &str, n: usize, at: i64) {
        for _ in 0..n {
            begin_attempt(pool, user, address, at)
                .await
                .unwrap()
                .unwrap();
        }
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn throttles_per_user_and_address_pair_and_per_address(pool: SqlitePool) {
        let t0 = 1_000_000_000;
        fail(&pool, "op", "10.0.0.1", 5, t0).await;
        let refused = begin_attempt(&pool, "OP", "10.0.0.1", t0 + 1)
            .await
            .unwrap();
        assert_eq!(refused, None, "the pair, any case");
        let elsewhere = begin_attempt(&pool, "op", "10.0.0.2", t0 + 1)
            .await
            .unwrap();
        assert!(elsewhere.is_some(), "the same user from another address");
        attempt_succeeded(&pool, elsewhere.unwrap()).await.unwrap();
        let later = t0 + 1 + THROTTLE_WINDOW_MS;
        assert!(
            begin_attempt(&pool, "op", "10.0.0.1", later)
                .await
                .unwrap()
                .is_some(),
            "window passed"
        );

        for i in 0..4 {
            fail(&pool, &format!("u{i}"), "10.9.9.9", 5, t0).await;
        }
        let refused = begin_attempt(&pool, "fresh", "10.9.9.9", t0 + 1)
            .await
            .unwrap();
        assert_eq!(refused, None, "the address, for any user");
        let other = begin_attempt(&pool, "fresh", "10.9.9.8", t0 + 1)
            .await
            .unwrap();
        assert!(other.is_some());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_successful_attempt_does_not_count(pool: SqlitePool) {
        let t0 = 1_000_000_000;
        for _ in 0..10 {
            let id = begin_attempt(&pool, "op", "10.0.0.1", t0)
                .await
                .unwrap()
                .unwrap();
            attempt_succeeded(&pool, id).await.unwrap();
        }
        assert!(begin_attempt(&pool, "op", "10.0.0.1", t0)
            .await
            .unwrap()
            .is_some());
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn disabled_users_have_no_actor(pool: SqlitePool) {
        let id = insert(&pool, "op", "h", false).await.unwrap().unwrap();
        assert!(
            insert(&pool, "OP", "h", false).await.unwrap().is_none(),
            "names are case-insensitive"
        );
        sqlx::query("INSERT INTO workspaces (slug, name) VALUES ('ops', 'Operations')")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO workspace_members VALUES (1, ?, 'operator')")
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        let actor = actor(&pool, id, 0).await.unwrap().unwrap();
        assert_eq!(actor.memberships[0].role, Role::Operator);
        set_disabled(&pool, id, true).await.unwrap();
        assert!(super::actor(&pool, id, 0).await.unwrap().is_none());
    }
}
