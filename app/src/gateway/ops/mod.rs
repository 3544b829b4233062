//! The libvirt calls behind the gateway's typed methods, one file per
//! concern. Each file holds the blocking functions that run on a connection
//! and the `impl Gateway` block that picks which connection runs them.

pub mod container_root;
pub mod domain;
pub mod metadata;
pub mod migrate;
pub mod network;
pub mod power;
pub mod reconfigure;
pub mod recovery;
pub mod snapshot;
pub mod stats;
pub mod storage;
pub mod upload;
pub mod volume_copy;

use std::sync::atomic::{AtomicU64, Ordering};

use virt::connect::Connect;
use virt::domain::Domain;

use super::translate;
use crate::i18n::Key;

/// The domain with this UUID on the connection's host.
pub fn lookup(conn: &Connect, uuid: &str) -> Result<Domain, Key> {
    conn.lookup_domain_by_uuid_string(uuid)
        .map_err(|e| translate("lookup", &e))
}

/// Why a domain's XML was read (counted, see `probe::xml_reads`).
#[derive(Clone, Copy, Debug)]
pub enum XmlRead {
    /// The inventory's row of a domain (listing, a lifecycle event).
    Inventory = 0,
    /// A domain page's detail.
    Detail = 1,
    /// A change that edits the definition.
    Other = 2,
}

/// Domain XML reads since the process started, by [`XmlRead`].
pub(crate) static XML_READS: [AtomicU64; 3] = [const { AtomicU64::new(0) }; 3];

/// Reads a domain's XML from libvirt (`flags`: `VIR_DOMAIN_XML_*`),
/// counting the read.
pub fn domain_xml(dom: &Domain, flags: u32, why: XmlRead) -> Result<String, Key> {
    XML_READS[why as usize].fetch_add(1, Ordering::Relaxed);
    dom.xml_desc(flags).map_err(|e| translate("domain xml", &e))
}
