//! The inventory list and a domain's detail.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{DomainDetail, InventoryPage, InventoryQuery};

/// One page of the inventory, served from memory.
#[server]
pub async fn fetch_inventory(query: InventoryQuery) -> Result<InventoryPage, AppError> {
    let (state, actor) = crate::guard::require_actor().await?;
    let visible = actor.visible_slugs();
    Ok(state
        .gateway
        .read(|inv| inv.query(&query, visible.as_deref())))
}

/// A domain's full description, read from its host.
#[server]
pub async fn fetch_domain(host_id: i64, uuid: String) -> Result<DomainDetail, AppError> {
    use crate::audit::Target;
    use crate::guard::{Op, Subject};
    use crate::policy::{Action, Object};

    let state = crate::state::app_state()?;
    let found = state.gateway.read(|inv| {
        let host = inv.hosts.get(&host_id)?;
        let row = host.domains.get(&uuid)?;
        Some((host.name.clone(), row.name.clone(), row.workspace.clone()))
    });
    let (host_name, name, workspace) = found.unwrap_or_default();
    let subject = Subject {
        resource: Object::Domain(workspace.as_deref()),
        workspace: workspace.as_deref().unwrap_or(""),
        target: Target::new("domain", uuid.clone(), name),
        params: serde_json::json!({ "host_id": host_id }),
    };
    // A read: audited only when refused.
    let op = Op::begin(Action::DomainRead, subject).await?;
    if host_name.is_empty() {
        return Err(AppError::NotFound);
    }
    op.state
        .gateway
        .call(host_id, move |conn| {
            ssr::read_detail(conn, host_id, &host_name, &uuid)
        })
        .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use virt::connect::Connect;

    use crate::domxml::parse_domain;
    use crate::gateway::{translate, worker::domain_row};
    use crate::i18n::Key;
    use crate::model::DomainDetail;

    pub fn read_detail(
        conn: &Connect,
        host_id: i64,
        host_name: &str,
        uuid: &str,
    ) -> Result<DomainDetail, Key> {
        let dom = conn
            .lookup_domain_by_uuid_string(uuid)
            .map_err(|e| translate("lookup", &e))?;
        let row = domain_row(&dom, host_id, host_name)?;
        let xml = dom.xml_desc(0).map_err(|e| translate("domain xml", &e))?;
        let mut config = parse_domain(&xml).map_err(|_| Key::HostErrConfig)?;
        for disk in config
            .disks
            .iter_mut()
            .filter(|d| !d.target.is_empty() && d.device != "filesystem")
        {
            // Capacity is best effort: an empty CD-ROM or a test host has none.
            disk.capacity = dom.block_info(&disk.target, 0).ok().map(|b| b.capacity);
        }
        let info = dom.info().map_err(|e| translate("domain info", &e))?;
        if row.state.is_active() {
            // Best effort: the leases of libvirt's own networks (a bridged
            // NIC or a test host has none).
            let leases = dom
                .interface_addresses(virt::sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)
                .unwrap_or_default();
            for nic in &mut config.nics {
                nic.addresses = leases
                    .iter()
                    .filter(|l| {
                        l.hwaddr
                            .as_deref()
                            .is_some_and(|m| m.eq_ignore_ascii_case(&nic.mac))
                    })
                    .flat_map(|l| l.addrs.iter().map(|a| format!("{}/{}", a.addr, a.prefix)))
                    .collect();
            }
        }
        Ok(DomainDetail {
            row,
            config,
            autostart: dom.autostart().unwrap_or(false),
            persistent: dom.is_persistent().unwrap_or(true),
            cpu_time_ns: info.cpu_time,
            xml,
        })
    }
}
