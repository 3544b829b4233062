//! Affinity rules with their domains and (for a pin) hosts.

use sqlx::SqlitePool;

use crate::affinity::{Rule, RuleKind};

/// Every rule, with its domains and hosts.
pub async fn all(pool: &SqlitePool) -> Result<Vec<Rule>, sqlx::Error> {
    let rows: Vec<(i64, String, String, bool, String)> =
        sqlx::query_as("SELECT id, name, kind, must, workspace FROM affinity_rules ORDER BY id")
            .fetch_all(pool)
            .await?;
    let domains: Vec<(i64, String)> =
        sqlx::query_as("SELECT rule_id, domain_uuid FROM affinity_domains")
            .fetch_all(pool)
            .await?;
    let hosts: Vec<(i64, i64)> = sqlx::query_as("SELECT rule_id, host_id FROM affinity_hosts")
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kind, must, workspace)| Rule {
            id,
            name,
            kind: RuleKind::parse(&kind).unwrap_or(RuleKind::Apart),
            must,
            domains: domains
                .iter()
                .filter(|(r, _)| *r == id)
                .map(|(_, d)| d.clone())
                .collect(),
            hosts: hosts
                .iter()
                .filter(|(r, _)| *r == id)
                .map(|(_, h)| *h)
                .collect(),
            workspace,
        })
        .collect())
}

/// Records a rule; its id.
pub async fn insert(
    pool: &SqlitePool,
    rule: &Rule,
    by: &str,
    at: &str,
) -> Result<i64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO affinity_rules (name, kind, must, workspace, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&rule.name)
    .bind(rule.kind.as_str())
    .bind(rule.must)
    .bind(&rule.workspace)
    .bind(by)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    for uuid in &rule.domains {
        add_domain(&mut *tx, id, uuid).await?;
    }
    for host in &rule.hosts {
        sqlx::query("INSERT OR IGNORE INTO affinity_hosts (rule_id, host_id) VALUES (?, ?)")
            .bind(id)
            .bind(host)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Adds domain `uuid` to rule `id`.
pub async fn add_domain<'e>(
    db: impl sqlx::SqliteExecutor<'e>,
    id: i64,
    uuid: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT OR IGNORE INTO affinity_domains (rule_id, domain_uuid) VALUES (?, ?)")
        .bind(id)
        .bind(uuid.to_ascii_lowercase())
        .execute(db)
        .await
        .map(|_| ())
}

/// Removes rule `id`; whether it existed.
pub async fn delete(pool: &SqlitePool, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM affinity_rules WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}
