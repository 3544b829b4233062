//! Searching the log: filtered pages, newest first, with a keyset cursor so
//! page 1,000 costs what page 1 does.
//!
//! Every condition is a bound parameter, never text spliced into the SQL.
//! The table has one `(column, seq)` index per filterable column, so an
//! equality filter lets SQLite walk that index backwards and stop after
//! `limit` rows. A range cannot do that: an action prefix over the
//! `(action, seq)` index would sort every match (560 ms for "host." in a
//! million records). So a prefix is first resolved to the distinct actions
//! it covers, and each action is paged through the index on its own.

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use super::COLUMNS;
use crate::audit::{AuditFilter, AuditRecord};

/// Past this many distinct actions under one prefix, the merge gives way to
/// a plain scan (SQLite caps a compound SELECT at 500 parts). The policy
/// names a few dozen actions, so this is a safety net, not the usual path.
const MAX_ACTIONS: usize = 64;

/// How a query matches the action column.
#[derive(Clone, Copy)]
enum Action<'a> {
    Exact(&'a str),
    /// Walks `seq` order checking each row (`+action` keeps SQLite off the
    /// action index, which would sort every match first).
    Prefix(&'a str),
}

/// Up to `limit` records matching `filter`, newest first.
pub async fn fetch(
    pool: &SqlitePool,
    filter: &AuditFilter,
    limit: u32,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let Some(prefix) = filter.action.as_deref().filter(|p| !p.is_empty()) else {
        let mut q = QueryBuilder::new("");
        push_select(&mut q, filter, None, limit);
        return q.build_query_as().fetch_all(pool).await;
    };
    let actions = actions_with_prefix(pool, prefix).await?;
    if actions.is_empty() {
        return Ok(Vec::new());
    }
    if actions.len() > MAX_ACTIONS {
        let mut q = QueryBuilder::new("");
        push_select(&mut q, filter, Some(Action::Prefix(prefix)), limit);
        return q.build_query_as().fetch_all(pool).await;
    }
    // The newest `limit` of each action, merged: each part is a short
    // backward walk of the `(action, seq)` index.
    let mut q = QueryBuilder::new("");
    for (i, action) in actions.iter().enumerate() {
        q.push(if i == 0 {
            "SELECT * FROM ("
        } else {
            " UNION ALL SELECT * FROM ("
        });
        push_select(&mut q, filter, Some(Action::Exact(action)), limit);
        q.push(")");
    }
    q.push(" ORDER BY seq DESC LIMIT ")
        .push_bind(i64::from(limit));
    q.build_query_as().fetch_all(pool).await
}

/// Pushes the SELECT for `filter`, with the action matched as `action` says
/// (the filter's own prefix is ignored here).
fn push_select(
    q: &mut QueryBuilder<'static, Sqlite>,
    filter: &AuditFilter,
    action: Option<Action>,
    limit: u32,
) {
    q.push(format_args!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1"));
    if let Some(from) = &filter.from {
        q.push(" AND at >= ").push_bind(from.clone());
    }
    if let Some(to) = &filter.to {
        q.push(" AND at < ").push_bind(to.clone());
    }
    let equal = [
        ("actor", filter.actor.as_deref()),
        ("workspace", filter.workspace.as_deref()),
        ("outcome", filter.outcome.map(|o| o.as_str())),
    ];
    for (column, value) in equal {
        if let Some(value) = value {
            q.push(format_args!(" AND {column} = "))
                .push_bind(value.to_string());
        }
    }
    match action {
        Some(Action::Exact(action)) => {
            q.push(" AND action = ").push_bind(action.to_string());
        }
        Some(Action::Prefix(prefix)) => {
            q.push(" AND +action >= ").push_bind(prefix.to_string());
            if let Some(end) = prefix_end(prefix) {
                q.push(" AND +action < ").push_bind(end);
            }
        }
        None => {}
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
}

/// The distinct actions starting with `prefix` (stopping past
/// [`MAX_ACTIONS`]), found by hopping through
/// the `(action, seq)` index: one short lookup per action, however many
/// records each has. (A prefix is exact and case-sensitive: unlike LIKE,
/// `_` and `%` are plain characters.)
async fn actions_with_prefix(pool: &SqlitePool, prefix: &str) -> Result<Vec<String>, sqlx::Error> {
    let end = prefix_end(prefix);
    let mut actions: Vec<String> = Vec::new();
    while actions.len() <= MAX_ACTIONS {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT action FROM audit_log WHERE action ");
        match actions.last() {
            Some(last) => q.push("> ").push_bind(last.clone()),
            None => q.push(">= ").push_bind(prefix.to_string()),
        };
        if let Some(end) = &end {
            q.push(" AND action < ").push_bind(end.clone());
        }
        q.push(" ORDER BY action LIMIT 1");
        match q.build_query_scalar().fetch_optional(pool).await? {
            Some(action) => actions.push(action),
            None => break,
        }
    }
    Ok(actions)
}

/// The least string greater than every string starting with `prefix`, by
/// SQLite's binary (UTF-8 byte, hence code point) order; `None` if there is
/// none, i.e. the prefix is all `char::MAX`.
pub fn prefix_end(prefix: &str) -> Option<String> {
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
