//! VM templates and container root filesystems, defined by administrators.

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

/// A VM template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub vcpus: i64,
    pub memory_mib: i64,
    pub disk_gib: i64,
    pub network: String,
    pub boot: String,
    pub boot_iso: String,
    pub kernel: String,
    pub initrd: String,
    pub cmdline: String,
}

const COLUMNS: &str = "id, name, description, vcpus, memory_mib, disk_gib, network, boot, boot_iso, kernel, initrd, cmdline";

pub async fn list(pool: &SqlitePool) -> Result<Vec<Template>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM templates ORDER BY name"))
        .fetch_all(pool)
        .await
}

pub async fn by_id(pool: &SqlitePool, id: i64) -> Result<Option<Template>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM templates WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Inserts or replaces the template of that name; returns its id.
pub async fn upsert(pool: &SqlitePool, t: &Template) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO templates (name, description, vcpus, memory_mib, disk_gib, network, boot, boot_iso, kernel, initrd, cmdline)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET description = excluded.description, vcpus = excluded.vcpus,
           memory_mib = excluded.memory_mib, disk_gib = excluded.disk_gib, network = excluded.network,
           boot = excluded.boot, boot_iso = excluded.boot_iso, kernel = excluded.kernel,
           initrd = excluded.initrd, cmdline = excluded.cmdline
         RETURNING id",
    )
    .bind(&t.name)
    .bind(&t.description)
    .bind(t.vcpus)
    .bind(t.memory_mib)
    .bind(t.disk_gib)
    .bind(&t.network)
    .bind(&t.boot)
    .bind(&t.boot_iso)
    .bind(&t.kernel)
    .bind(&t.initrd)
    .bind(&t.cmdline)
    .fetch_one(pool)
    .await
}

/// A root filesystem containers may start from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct RootFs {
    pub id: i64,
    pub name: String,
    pub path: String,
}

pub async fn rootfs_list(pool: &SqlitePool) -> Result<Vec<RootFs>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, path FROM root_filesystems ORDER BY name")
        .fetch_all(pool)
        .await
}

pub async fn rootfs_by_id(pool: &SqlitePool, id: i64) -> Result<Option<RootFs>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, path FROM root_filesystems WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn rootfs_upsert(pool: &SqlitePool, name: &str, path: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO root_filesystems (name, path) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET path = excluded.path RETURNING id",
    )
    .bind(name)
    .bind(path)
    .fetch_one(pool)
    .await
}
