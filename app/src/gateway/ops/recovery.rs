//! What failover and a container's move need of libvirt: a domain's
//! persistent definition, defining (and starting) it on another host, and
//! removing a stale copy from a host (only when it is off; never its
//! storage).

use virt::connect::Connect;
use virt::sys;

use super::{domain_xml, lookup, XmlRead};
use crate::error::AppError;
use crate::gateway::{translate, Gateway};
use crate::i18n::Key;
use crate::model::domain::DomainRow;

/// What became of a stale copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stale {
    /// It was off and is undefined now.
    Removed,
    /// It runs: two copies; left to an administrator.
    Running,
    /// The host has no such domain.
    Absent,
}

fn definition(conn: &Connect, uuid: &str) -> Result<String, Key> {
    domain_xml(
        &lookup(conn, uuid)?,
        sys::VIR_DOMAIN_XML_INACTIVE,
        XmlRead::Other,
    )
}

fn define(conn: &Connect, xml: &str, start: bool, host: (i64, &str)) -> Result<DomainRow, Key> {
    let dom = conn
        .define_domain_xml(xml)
        .map_err(|e| translate("define elsewhere", &e))?;
    if !start {
        return crate::gateway::worker::domain_row(&dom, host.0, host.1);
    }
    if let Err(e) = dom.create() {
        let key = translate("start elsewhere", &e);
        // Not left defined and off on the new host: the kept definition
        // stays for another try.
        let _ = dom.undefine();
        return Err(key);
    }
    let _ = dom.set_autostart(false);
    crate::gateway::worker::domain_row(&dom, host.0, host.1)
}

fn remove_stale(conn: &Connect, uuid: &str) -> Result<Stale, Key> {
    let Ok(dom) = conn.lookup_domain_by_uuid_string(uuid) else {
        return Ok(Stale::Absent);
    };
    if dom.is_active().unwrap_or(true) {
        return Ok(Stale::Running);
    }
    let _ = dom.set_autostart(false);
    // The LXC driver takes no flags.
    dom.undefine_flags(
        sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | sys::VIR_DOMAIN_UNDEFINE_NVRAM,
    )
    .or_else(|_| dom.undefine())
    .map_err(|e| translate("stale undefine", &e))?;
    Ok(Stale::Removed)
}

impl Gateway {
    /// The domain's persistent definition (what failover defines elsewhere).
    pub async fn definition(&self, host_id: i64, uuid: &str) -> Result<String, AppError> {
        let id = uuid.to_string();
        self.call(host_id, move |conn| definition(conn, &id)).await
    }

    /// Defines `xml` on the host and, with `start`, starts it (autostart
    /// off: the dashboard restarts it; a start that fails leaves it
    /// undefined there), on a connection of its own.
    pub async fn define_on(
        &self,
        host_id: i64,
        xml: String,
        start: bool,
    ) -> Result<DomainRow, AppError> {
        let host_name = self.host_name(host_id)?;
        self.call_long(host_id, move |conn| {
            define(conn, &xml, start, (host_id, &host_name))
        })
        .await
    }

    /// Undefines the domain on the host if it is off (its storage stays).
    pub async fn remove_stale(&self, host_id: i64, uuid: &str) -> Result<Stale, AppError> {
        let id = uuid.to_string();
        self.call(host_id, move |conn| remove_stale(conn, &id))
            .await
    }
}
