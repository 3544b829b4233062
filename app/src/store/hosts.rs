//! The `hosts` table: registered libvirt hosts.

use sqlx::SqlitePool;

use crate::error::{AppError, FieldError};
use crate::gateway::HostSpec;
use crate::i18n::Key;
use crate::model::host::PlantTags;

#[derive(sqlx::FromRow)]
struct HostRecord {
    id: i64,
    name: String,
    uri: String,
    plant: String,
    area: String,
    line: String,
    cell: String,
    demo: bool,
}

impl From<HostRecord> for HostSpec {
    fn from(r: HostRecord) -> Self {
        HostSpec {
            id: r.id,
            name: r.name,
            uri: r.uri,
            tags: PlantTags {
                plant: r.plant,
                area: r.area,
                line: r.line,
                cell: r.cell,
            },
            demo: r.demo,
        }
    }
}

/// Registered hosts; demo hosts only when `with_demo`.
pub async fn list(pool: &SqlitePool, with_demo: bool) -> Result<Vec<HostSpec>, sqlx::Error> {
    let rows: Vec<HostRecord> = sqlx::query_as(
        "SELECT id, name, uri, plant, area, line, cell, demo FROM hosts
         WHERE demo = 0 OR ?1 ORDER BY name",
    )
    .bind(with_demo)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(HostSpec::from).collect())
}

/// Number of hosts registered by users (not the demo plant).
pub async fn count_registered(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM hosts WHERE demo = 0")
        .fetch_one(pool)
        .await
}

/// Inserts a host; a taken name or URI becomes a field error.
pub async fn insert(
    pool: &SqlitePool,
    name: &str,
    uri: &str,
    tags: &PlantTags,
) -> Result<HostSpec, AppError> {
    let result = sqlx::query_as::<_, HostRecord>(
        "INSERT INTO hosts (name, uri, plant, area, line, cell, demo) VALUES (?, ?, ?, ?, ?, ?, 0)
         RETURNING id, name, uri, plant, area, line, cell, demo",
    )
    .bind(name)
    .bind(uri)
    .bind(&tags.plant)
    .bind(&tags.area)
    .bind(&tags.line)
    .bind(&tags.cell)
    .fetch_one(pool)
    .await;
    match result {
        Ok(record) => Ok(record.into()),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            let msg = db.message();
            Err(AppError::Conflict(if msg.contains("hosts.uri") {
                FieldError::new("uri", Key::ErrUriTaken)
            } else {
                FieldError::new("name", Key::ErrNameTaken)
            }))
        }
        Err(e) => Err(e.into()),
    }
}

/// Registers or refreshes a demo host (its file path may have moved).
pub async fn upsert_demo(
    pool: &SqlitePool,
    name: &str,
    uri: &str,
    tags: &PlantTags,
) -> Result<HostSpec, sqlx::Error> {
    let record: HostRecord = sqlx::query_as(
        "INSERT INTO hosts (name, uri, plant, area, line, cell, demo) VALUES (?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT (name) DO UPDATE SET uri = excluded.uri, plant = excluded.plant,
           area = excluded.area, line = excluded.line, cell = excluded.cell
         WHERE hosts.demo = 1
         RETURNING id, name, uri, plant, area, line, cell, demo",
    )
    .bind(name)
    .bind(uri)
    .bind(&tags.plant)
    .bind(&tags.area)
    .bind(&tags.line)
    .bind(&tags.cell)
    .fetch_one(pool)
    .await?;
    Ok(record.into())
}

/// Deletes a host; false when there was none with that id.
pub async fn delete(pool: &SqlitePool, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM hosts WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test(migrations = "../migrations")]
    async fn unique_name_and_uri_are_field_errors(pool: SqlitePool) {
        let tags = PlantTags::default();
        insert(&pool, "Press 1", "qemu+tcp://a/system", &tags)
            .await
            .unwrap();
        let err = insert(&pool, "Press 1", "qemu+tcp://b/system", &tags)
            .await
            .unwrap_err();
        assert_eq!(err.field_key("name"), Some(Key::ErrNameTaken));
        let err = insert(&pool, "Press 2", "qemu+tcp://a/system", &tags)
            .await
            .unwrap_err();
        assert_eq!(err.field_key("uri"), Some(Key::ErrUriTaken));
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn demo_hosts_are_kept_apart(pool: SqlitePool) {
        let tags = PlantTags::default();
        upsert_demo(&pool, "Demo A", "test:///x.xml", &tags)
            .await
            .unwrap();
        let again = upsert_demo(&pool, "Demo A", "test:///moved/x.xml", &tags)
            .await
            .unwrap();
        assert_eq!(again.uri, "test:///moved/x.xml");
        insert(&pool, "Real", "qemu:///system", &tags)
            .await
            .unwrap();
        assert_eq!(count_registered(&pool).await.unwrap(), 1);
        assert_eq!(list(&pool, false).await.unwrap().len(), 1);
        assert_eq!(list(&pool, true).await.unwrap().len(), 2);
        assert!(delete(&pool, again.id).await.unwrap());
        assert!(!delete(&pool, again.id).await.unwrap());
    }
}
