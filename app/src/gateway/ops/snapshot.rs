//! Snapshots of a domain: create, list, revert, delete.

use virt::connect::Connect;
use virt::domain::Domain;

use super::lookup as domain;
use crate::domxml::escape;
use crate::error::AppError;
use crate::gateway::{translate, Gateway};
use crate::i18n::Key;
use crate::model::domain::SnapshotView;

/// Takes a snapshot (with memory state when the domain is running).
fn create(conn: &Connect, uuid: &str, name: &str, description: &str) -> Result<(), Key> {
    let xml = format!(
        "<domainsnapshot><name>{}</name><description>{}</description></domainsnapshot>",
        escape(name),
        escape(description)
    );
    domain(conn, uuid)?
        .create_snapshot_xml(&xml, 0)
        .map(|_| ())
        .map_err(|e| translate("snapshot create", &e))
}

/// Every snapshot, oldest first.
fn list(conn: &Connect, uuid: &str) -> Result<Vec<SnapshotView>, Key> {
    let snaps = domain(conn, uuid)?
        .list_all_snapshots(0)
        .map_err(|e| translate("snapshot list", &e))?;
    let mut out: Vec<SnapshotView> = snaps
        .iter()
        .filter_map(|s| {
            let xml = s.xml_desc(0).ok()?;
            let doc = roxmltree::Document::parse(&xml).ok()?;
            let text = |tag: &str| {
                doc.root_element()
                    .children()
                    .find(|n| n.has_tag_name(tag))
                    .and_then(|n| n.text())
                    .unwrap_or_default()
                    .to_string()
            };
            Some(SnapshotView {
                name: s.name().ok()?,
                description: text("description"),
                state: text("state"),
                created: text("creationTime").parse().unwrap_or(0),
                current: s.is_current(0).unwrap_or(false),
            })
        })
        .collect();
    out.sort_by_key(|s| s.created);
    Ok(out)
}

fn revert(conn: &Connect, uuid: &str, name: &str) -> Result<(), Key> {
    let dom = domain(conn, uuid)?;
    let snap = Domain::lookup_snapshot_by_name(&dom, name, 0)
        .map_err(|e| translate("snapshot lookup", &e))?;
    snap.revert(0).map_err(|e| translate("snapshot revert", &e))
}

fn delete(conn: &Connect, uuid: &str, name: &str) -> Result<(), Key> {
    let dom = domain(conn, uuid)?;
    let snap = Domain::lookup_snapshot_by_name(&dom, name, 0)
        .map_err(|e| translate("snapshot lookup", &e))?;
    snap.delete(0).map_err(|e| translate("snapshot delete", &e))
}

impl Gateway {
    /// Every snapshot of the domain, oldest first.
    pub async fn snapshots(&self, host_id: i64, uuid: &str) -> Result<Vec<SnapshotView>, AppError> {
        let id = uuid.to_string();
        self.call(host_id, move |conn| list(conn, &id)).await
    }

    /// Takes a snapshot (with memory when running) on a connection of its own.
    pub async fn snapshot_create(
        &self,
        host_id: i64,
        uuid: &str,
        name: &str,
        description: &str,
    ) -> Result<(), AppError> {
        let (id, name, description) = (uuid.to_string(), name.to_string(), description.to_string());
        self.call_long(host_id, move |conn| create(conn, &id, &name, &description))
            .await
    }

    /// Reverts to a snapshot on a connection of its own.
    pub async fn snapshot_revert(
        &self,
        host_id: i64,
        uuid: &str,
        name: &str,
    ) -> Result<(), AppError> {
        let (id, name) = (uuid.to_string(), name.to_string());
        self.call_long(host_id, move |conn| revert(conn, &id, &name))
            .await
    }

    pub async fn snapshot_delete(
        &self,
        host_id: i64,
        uuid: &str,
        name: &str,
    ) -> Result<(), AppError> {
        let (id, name) = (uuid.to_string(), name.to_string());
        self.call(host_id, move |conn| delete(conn, &id, &name))
            .await
    }
}
