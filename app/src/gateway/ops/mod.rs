//! The libvirt calls behind the gateway's typed methods, one file per
//! concern. Each file holds the blocking functions that run on a connection
//! and the `impl Gateway` block that picks which connection runs them.

pub mod domain;
pub mod metadata;
pub mod network;
pub mod power;
pub mod reconfigure;
pub mod snapshot;
pub mod stats;
pub mod storage;
pub mod upload;

use virt::connect::Connect;
use virt::domain::Domain;

use super::translate;
use crate::i18n::Key;

/// The domain with this UUID on the connection's host.
pub fn lookup(conn: &Connect, uuid: &str) -> Result<Domain, Key> {
    conn.lookup_domain_by_uuid_string(uuid)
        .map_err(|e| translate("lookup", &e))
}
