//! The libvirt side of virtual networks, run on the host's worker.

use std::ffi::{c_char, c_void, CStr};

use virt::connect::Connect;
use virt::network::Network;
use virt::sys;

use crate::domxml::network::{parse_network, NetworkSpec};
use crate::error::AppError;
use crate::gateway::{translate, Gateway};
use crate::i18n::Key;
use crate::model::network::{LeaseView, NetworkView};

/// Every network of the host, as the network list shows it.
fn list(conn: &Connect, host_id: i64, host_name: &str) -> Result<Vec<NetworkView>, Key> {
    let nets = conn
        .list_all_networks(0)
        .map_err(|e| translate("network list", &e))?;
    let mut out = Vec::with_capacity(nets.len());
    for net in nets {
        let xml = parse_network(&net.xml_desc(0).unwrap_or_default()).unwrap_or_default();
        out.push(NetworkView {
            host_id,
            host_name: host_name.to_string(),
            name: net.name().map_err(|e| translate("network name", &e))?,
            active: net.is_active().unwrap_or(false),
            autostart: net.autostart().unwrap_or(false),
            mode: xml.mode,
            bridge: xml.bridge,
            cidr: xml.cidr,
            dhcp: xml.dhcp,
            vlan: xml.vlan,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn network(conn: &Connect, name: &str) -> Result<Network, Key> {
    conn.lookup_network_by_name(name)
        .map_err(|_| Key::ErrNetworkNotFound)
}

/// Defines the network, starts it and sets it to start with the host; a
/// failed start undefines it again.
fn create(conn: &Connect, spec: &NetworkSpec) -> Result<(), Key> {
    if conn.lookup_network_by_name(&spec.name).is_ok() {
        return Err(Key::ErrNetworkExists);
    }
    let net = conn
        .define_network_xml(&spec.to_xml())
        .map_err(|e| translate("network define", &e))?;
    if let Err(e) = net.create().and_then(|_| net.set_autostart(true)) {
        let key = translate("network start", &e);
        let _ = net.destroy();
        let _ = net.undefine();
        return Err(key);
    }
    Ok(())
}

/// Starts or stops a network.
fn set_active(conn: &Connect, name: &str, active: bool) -> Result<(), Key> {
    let net = network(conn, name)?;
    let done = if active { net.create() } else { net.destroy() };
    done.map_err(|e| translate("network start/stop", &e))
}

/// Stops (if running) and undefines a network.
fn delete(conn: &Connect, name: &str) -> Result<(), Key> {
    let net = network(conn, name)?;
    if net.is_active().unwrap_or(false) {
        net.destroy().map_err(|e| translate("network stop", &e))?;
    }
    net.undefine()
        .map_err(|e| translate("network undefine", &e))
}

/// A lease's end as the audit log writes times; 0 means it never ends.
fn expiry(epoch: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(epoch) {
        Ok(t) if epoch > 0 => crate::audit::chain::timestamp(t),
        _ => String::new(),
    }
}

extern "C" {
    /// The C library's `free`, for the lease array libvirt allocates.
    fn free(ptr: *mut c_void);
}

fn text(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: libvirt hands out NUL-terminated strings that live until the
    // lease is freed, which happens after this copy.
    unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}

/// The DHCP leases a running network has handed out
/// (`virNetworkGetDHCPLeases`, which the `virt` crate does not wrap).
/// The MAC addresses (lower case) of these domains' interfaces; a domain
/// that is gone or unreadable has none.
fn domain_macs(conn: &Connect, uuids: &[String]) -> Vec<String> {
    let mut macs = Vec::new();
    for uuid in uuids {
        let Ok(dom) = super::lookup(conn, uuid) else {
            continue;
        };
        let Ok(xml) = super::domain_xml(&dom, 0, super::XmlRead::Other) else {
            continue;
        };
        if let Ok(config) = crate::domxml::parse_domain(&xml) {
            macs.extend(config.nics.iter().map(|n| n.mac.to_ascii_lowercase()));
        }
    }
    macs
}

fn leases(conn: &Connect, name: &str) -> Result<Vec<LeaseView>, Key> {
    let net = network(conn, name)?;
    let mut array: *mut sys::virNetworkDHCPLeasePtr = std::ptr::null_mut();
    // SAFETY: `net` is a live network; libvirt allocates `array` and its
    // entries, which are read, then released with the matching free calls.
    let count =
        unsafe { sys::virNetworkGetDHCPLeases(net.as_ptr(), std::ptr::null(), &mut array, 0) };
    if count < 0 {
        let err = virt::error::Error::last_error();
        return Err(translate("dhcp leases", &err));
    }
    let mut out = Vec::with_capacity(count as usize);
    for n in 0..count as usize {
        // SAFETY: `n` < `count` entries were allocated by libvirt.
        unsafe {
            let lease = *array.add(n);
            let l = &*lease;
            out.push(LeaseView {
                mac: text(l.mac),
                ip: format!("{}/{}", text(l.ipaddr), l.prefix),
                hostname: text(l.hostname),
                expires: expiry(l.expirytime),
            });
            sys::virNetworkDHCPLeaseFree(lease);
        }
    }
    if !array.is_null() {
        // SAFETY: the array itself was allocated by libvirt with malloc.
        unsafe { free(array.cast()) };
    }
    Ok(out)
}

impl Gateway {
    /// Every network of every connected host (a host that fails is left out).
    pub async fn all_networks(&self) -> Vec<NetworkView> {
        self.on_every_host(list).await
    }

    /// Defines and starts a network (autostarted).
    pub async fn create_network(&self, host_id: i64, spec: NetworkSpec) -> Result<(), AppError> {
        self.call(host_id, move |conn| create(conn, &spec)).await
    }

    /// Starts (`true`) or stops a network.
    pub async fn set_network_active(
        &self,
        host_id: i64,
        name: &str,
        active: bool,
    ) -> Result<(), AppError> {
        let name = name.to_string();
        self.call(host_id, move |conn| set_active(conn, &name, active))
            .await
    }

    pub async fn delete_network(&self, host_id: i64, name: &str) -> Result<(), AppError> {
        let name = name.to_string();
        self.call(host_id, move |conn| delete(conn, &name)).await
    }

    /// The DHCP leases a running network has handed out; with `only`, just
    /// those of these domains' interfaces (what a member may see).
    pub async fn leases(
        &self,
        host_id: i64,
        name: &str,
        only: Option<Vec<String>>,
    ) -> Result<Vec<LeaseView>, AppError> {
        let name = name.to_string();
        self.call(host_id, move |conn| {
            let all = leases(conn, &name)?;
            let Some(uuids) = only else { return Ok(all) };
            let macs = domain_macs(conn, &uuids);
            Ok(all
                .into_iter()
                .filter(|l| macs.contains(&l.mac.to_ascii_lowercase()))
                .collect())
        })
        .await
    }
}
