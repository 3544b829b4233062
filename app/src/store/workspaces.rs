//! Workspaces: a team's resource pool with members, quotas and allowed
//! hosts, networks and storage pools.

use sqlx::SqlitePool;

use crate::model::workspace::{MemberView, Quotas, WorkspaceView};
use crate::policy::Role;

#[derive(sqlx::FromRow)]
struct WorkspaceRow {
    id: i64,
    slug: String,
    name: String,
    quota_vcpus: Option<i64>,
    quota_memory_mib: Option<i64>,
    quota_disk_gib: Option<i64>,
    quota_domains: Option<i64>,
}

impl From<WorkspaceRow> for WorkspaceView {
    fn from(r: WorkspaceRow) -> Self {
        WorkspaceView {
            id: r.id,
            slug: r.slug,
            name: r.name,
            quotas: Quotas {
                vcpus: r.quota_vcpus,
                memory_mib: r.quota_memory_mib,
                disk_gib: r.quota_disk_gib,
                domains: r.quota_domains,
            },
            ..WorkspaceView::default()
        }
    }
}

const COLUMNS: &str =
    "id, slug, name, quota_vcpus, quota_memory_mib, quota_disk_gib, quota_domains";

/// Every workspace with members, hosts and resources filled in.
pub async fn list(pool: &SqlitePool) -> Result<Vec<WorkspaceView>, sqlx::Error> {
    let rows: Vec<WorkspaceRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM workspaces ORDER BY name"))
            .fetch_all(pool)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(fill(pool, row.into()).await?);
    }
    Ok(out)
}

pub async fn by_id(pool: &SqlitePool, id: i64) -> Result<Option<WorkspaceView>, sqlx::Error> {
    let row: Option<WorkspaceRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM workspaces WHERE id = ?"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
    match row {
        Some(row) => Ok(Some(fill(pool, row.into()).await?)),
        None => Ok(None),
    }
}

async fn fill(pool: &SqlitePool, mut ws: WorkspaceView) -> Result<WorkspaceView, sqlx::Error> {
    let members: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT u.id, u.username, m.role FROM workspace_members m JOIN users u ON u.id = m.user_id
         WHERE m.workspace_id = ? ORDER BY u.username",
    )
    .bind(ws.id)
    .fetch_all(pool)
    .await?;
    ws.members = members
        .into_iter()
        .filter_map(|(user_id, username, role)| {
            Some(MemberView {
                user_id,
                username,
                role: Role::parse(&role)?,
            })
        })
        .collect();
    ws.hosts = sqlx::query_scalar(
        "SELECT host_id FROM workspace_hosts WHERE workspace_id = ? ORDER BY host_id",
    )
    .bind(ws.id)
    .fetch_all(pool)
    .await?;
    let resources: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, name FROM workspace_resources WHERE workspace_id = ? ORDER BY name",
    )
    .bind(ws.id)
    .fetch_all(pool)
    .await?;
    for (kind, name) in resources {
        match kind.as_str() {
            "network" => ws.networks.push(name),
            _ => ws.pools.push(name),
        }
    }
    Ok(ws)
}

/// Inserts a workspace; `None` when the slug or name is taken.
pub async fn insert(pool: &SqlitePool, slug: &str, name: &str) -> Result<Option<i64>, sqlx::Error> {
    let result =
        sqlx::query_scalar("INSERT INTO workspaces (slug, name) VALUES (?, ?) RETURNING id")
            .bind(slug)
            .bind(name)
            .fetch_one(pool)
            .await;
    super::unless_taken(result)
}

/// Renames; `None` when the name is taken, `Some(false)` when no such workspace.
pub async fn rename(pool: &SqlitePool, id: i64, name: &str) -> Result<Option<bool>, sqlx::Error> {
    match sqlx::query("UPDATE workspaces SET name = ? WHERE id = ?")
        .bind(name)
        .bind(id)
        .execute(pool)
        .await
    {
        Ok(done) => Ok(Some(done.rows_affected() == 1)),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn delete(pool: &SqlitePool, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM workspaces WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_quotas(pool: &SqlitePool, id: i64, q: &Quotas) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE workspaces SET quota_vcpus = ?, quota_memory_mib = ?, quota_disk_gib = ?, quota_domains = ? WHERE id = ?",
    )
    .bind(q.vcpus)
    .bind(q.memory_mib)
    .bind(q.disk_gib)
    .bind(q.domains)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds a member or changes their role.
pub async fn set_member(
    pool: &SqlitePool,
    ws: i64,
    user: i64,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO workspace_members (workspace_id, user_id, role) VALUES (?, ?, ?)
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role",
    )
    .bind(ws)
    .bind(user)
    .bind(role.as_str())
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn remove_member(pool: &SqlitePool, ws: i64, user: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM workspace_members WHERE workspace_id = ? AND user_id = ?")
        .bind(ws)
        .bind(user)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces what the workspace may use, in one transaction.
pub async fn set_resources(
    pool: &SqlitePool,
    ws: i64,
    hosts: &[i64],
    networks: &[String],
    pools: &[String],
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM workspace_hosts WHERE workspace_id = ?")
        .bind(ws)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM workspace_resources WHERE workspace_id = ?")
        .bind(ws)
        .execute(&mut *tx)
        .await?;
    for host in hosts {
        sqlx::query("INSERT OR IGNORE INTO workspace_hosts VALUES (?, ?)")
            .bind(ws)
            .bind(host)
            .execute(&mut *tx)
            .await?;
    }
    for (kind, names) in [("network", networks), ("pool", pools)] {
        for name in names {
            sqlx::query("INSERT OR IGNORE INTO workspace_resources VALUES (?, ?, ?)")
                .bind(ws)
                .bind(kind)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}

/// Allows one more host to a workspace.
pub async fn allow_host(pool: &SqlitePool, ws: i64, host: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT OR IGNORE INTO workspace_hosts VALUES (?, ?)")
        .bind(ws)
        .bind(host)
        .execute(pool)
        .await?;
    Ok(())
}

/// Makes sure the workspaces named by `(slug, name)` exist (demo plant).
pub async fn ensure(pool: &SqlitePool, slug: &str, name: &str) -> Result<i64, sqlx::Error> {
    sqlx::query("INSERT OR IGNORE INTO workspaces (slug, name) VALUES (?, ?)")
        .bind(slug)
        .bind(name)
        .execute(pool)
        .await?;
    id_of(pool, slug).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Hosts allowed to workspace `ws`.
pub async fn host_ids(pool: &SqlitePool, ws: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT host_id FROM workspace_hosts WHERE workspace_id = ?")
        .bind(ws)
        .fetch_all(pool)
        .await
}

/// The id of the workspace with `slug`, if any.
pub async fn id_of(pool: &SqlitePool, slug: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = ?")
        .bind(slug)
        .fetch_optional(pool)
        .await
}

/// The slug of workspace `id`, if it exists.
pub async fn slug_of(pool: &SqlitePool, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT slug FROM workspaces WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn workspace_round_trip(pool: SqlitePool) {
        let id = insert(&pool, "ops", "Operations").await.unwrap().unwrap();
        assert!(insert(&pool, "ops", "Other").await.unwrap().is_none());
        assert!(
            insert(&pool, "ops2", "OPERATIONS").await.unwrap().is_none(),
            "names are case-insensitive"
        );
        let uid = crate::store::users::insert(&pool, "op", "h", false)
            .await
            .unwrap()
            .unwrap();
        set_member(&pool, id, uid, Role::Viewer).await.unwrap();
        set_member(&pool, id, uid, Role::Operator).await.unwrap();
        set_quotas(
            &pool,
            id,
            &Quotas {
                vcpus: Some(8),
                domains: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        set_resources(&pool, id, &[], &["plant-nat".into()], &["default".into()])
            .await
            .unwrap();
        let ws = by_id(&pool, id).await.unwrap().unwrap();
        assert_eq!(ws.members[0].role, Role::Operator);
        assert_eq!((ws.quotas.vcpus, ws.quotas.memory_mib), (Some(8), None));
        assert_eq!(
            (ws.networks.as_slice(), ws.pools.as_slice()),
            (&["plant-nat".to_string()][..], &["default".to_string()][..])
        );
        assert_eq!(rename(&pool, id, "Ops team").await.unwrap(), Some(true));
        assert!(delete(&pool, id).await.unwrap());
        assert!(list(&pool).await.unwrap().is_empty());
    }
}
