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
}

const USER_COLUMNS: &str = "id, username, password_hash, is_admin, disabled, created_at";

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

pub async fn set_password(pool: &SqlitePool, id: i64, hash: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(hash)
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

/// The actor for a user id, with memberships; `None` if missing or disabled.
pub async fn actor(pool: &SqlitePool, id: i64) -> Result<Option<Actor>, sqlx::Error> {
    let Some(user) = by_id(pool, id).await? else {
        return Ok(None);
    };
    if user.disabled {
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

/// Sign-in throttling window and limit.
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const THROTTLE_FAILURES: i64 = 5;

/// Whether sign-in is refused for this user or address right now.
pub async fn throttled(
    pool: &SqlitePool,
    username: &str,
    address: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let since = now_ms - THROTTLE_WINDOW_MS;
    let (by_user, by_address): (i64, i64) = sqlx::query_as(
        "SELECT
           (SELECT COUNT(*) FROM login_attempts WHERE username = ?1 AND ok = 0 AND at_ms > ?3),
           (SELECT COUNT(*) FROM login_attempts WHERE address = ?2 AND ok = 0 AND at_ms > ?3)",
    )
    .bind(username)
    .bind(address)
    .bind(since)
    .fetch_one(pool)
    .await?;
    Ok(by_user >= THROTTLE_FAILURES || by_address >= THROTTLE_FAILURES)
}

/// Records an attempt; old ones are pruned on the way.
pub async fn record_attempt(
    pool: &SqlitePool,
    username: &str,
    address: &str,
    ok: bool,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM login_attempts WHERE at_ms < ?")
        .bind(now_ms - 2 * THROTTLE_WINDOW_MS)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO login_attempts (at_ms, username, address, ok) VALUES (?, ?, ?, ?)")
        .bind(now_ms)
        .bind(username)
        .bind(address)
        .bind(ok)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn throttles_after_five_failures_per_user_or_address(pool: SqlitePool) {
        let t0 = 1_000_000_000;
        for i in 0..4 {
            record_attempt(&pool, "op", &format!("10.0.0.{i}"), false, t0 + i)
                .await
                .unwrap();
        }
        assert!(!throttled(&pool, "op", "10.0.0.9", t0 + 10).await.unwrap());
        record_attempt(&pool, "op", "10.0.0.5", false, t0 + 5)
            .await
            .unwrap();
        assert!(
            throttled(&pool, "OP", "10.0.0.9", t0 + 10).await.unwrap(),
            "by user, any case"
        );
        assert!(!throttled(&pool, "other", "10.0.0.9", t0 + 10)
            .await
            .unwrap());
        assert!(
            !throttled(&pool, "op", "10.0.0.9", t0 + 5 + THROTTLE_WINDOW_MS)
                .await
                .unwrap(),
            "window passed"
        );
        for i in 0..5 {
            record_attempt(&pool, &format!("u{i}"), "10.9.9.9", false, t0 + i)
                .await
                .unwrap();
        }
        assert!(
            throttled(&pool, "fresh", "10.9.9.9", t0 + 10)
                .await
                .unwrap(),
            "by address"
        );
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
        let actor = actor(&pool, id).await.unwrap().unwrap();
        assert_eq!(actor.memberships[0].role, Role::Operator);
        set_disabled(&pool, id, true).await.unwrap();
        assert!(super::actor(&pool, id).await.unwrap().is_none());
    }
}
