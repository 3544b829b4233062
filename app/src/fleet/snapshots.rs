//! Snapshots of a domain: create, list, revert, delete (on the host's worker).

use virt::connect::Connect;
use virt::domain::Domain;

use crate::domxml::escape;
use crate::gateway::translate;
use crate::i18n::Key;
use crate::model::SnapshotView;

fn domain(conn: &Connect, uuid: &str) -> Result<Domain, Key> {
    conn.lookup_domain_by_uuid_string(uuid)
        .map_err(|e| translate("lookup", &e))
}

/// Takes a snapshot (with memory state when the domain is running).
pub fn create(conn: &Connect, uuid: &str, name: &str, description: &str) -> Result<(), Key> {
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
pub fn list(conn: &Connect, uuid: &str) -> Result<Vec<SnapshotView>, Key> {
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

pub fn revert(conn: &Connect, uuid: &str, name: &str) -> Result<(), Key> {
    let dom = domain(conn, uuid)?;
    let snap = Domain::lookup_snapshot_by_name(&dom, name, 0)
        .map_err(|e| translate("snapshot lookup", &e))?;
    snap.revert(0).map_err(|e| translate("snapshot revert", &e))
}

pub fn delete(conn: &Connect, uuid: &str, name: &str) -> Result<(), Key> {
    let dom = domain(conn, uuid)?;
    let snap = Domain::lookup_snapshot_by_name(&dom, name, 0)
        .map_err(|e| translate("snapshot lookup", &e))?;
    snap.delete(0).map_err(|e| translate("snapshot delete", &e))
}
