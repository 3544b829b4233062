//! Calls that exist for the lab tests and the benchmarks: to measure the
//! gateway itself, and to compare it with bare libvirt in the same run.
//! Nothing in the app calls them; they keep `virt` inside the gateway all
//! the same.

use std::time::{Duration, Instant};

use super::{translate, worker, Gateway};
use crate::error::AppError;
use crate::i18n::Key;

impl Gateway {
    /// The host's hostname, asked on its worker (a quick call).
    pub async fn hostname(&self, host_id: i64) -> Result<String, AppError> {
        self.call(host_id, |conn| {
            conn.hostname().map_err(|e| translate("hostname", &e))
        })
        .await
    }

    /// How many domains libvirt lists on the host, asked on its worker.
    pub async fn count_domains(&self, host_id: i64) -> Result<usize, AppError> {
        self.call(host_id, |conn| {
            conn.list_all_domains(0)
                .map(|d| d.len())
                .map_err(|e| translate("list_all_domains", &e))
        })
        .await
    }

    /// A long job that holds a connection of its own for `hold` (after
    /// saying so on `started`), then asks the hostname.
    pub async fn hold_long(
        &self,
        host_id: i64,
        hold: Duration,
        started: std::sync::mpsc::Sender<()>,
    ) -> Result<String, AppError> {
        self.call_long(host_id, move |conn| {
            let _ = started.send(());
            std::thread::sleep(hold);
            conn.hostname().map_err(|_| Key::HostErrUnreachable)
        })
        .await
    }

    /// One inventory refresh timed against the bare `list_all_domains` it
    /// starts from, on the host's worker: (bare, full, domains listed, rows).
    pub async fn time_refresh(
        &self,
        host_id: i64,
    ) -> Result<(Duration, Duration, usize, usize), AppError> {
        let host_name = self.host_name(host_id)?;
        self.call(host_id, move |conn| {
            let t = Instant::now();
            let n = conn.list_all_domains(0).map(|d| d.len()).unwrap_or(0);
            let bare = t.elapsed();
            let t = Instant::now();
            let rows = worker::list_domains(conn, host_id, &host_name)?;
            Ok((bare, t.elapsed(), n, rows.len()))
        })
        .await
    }
}

/// Defines and starts `xml` straight through libvirt on a connection of its
/// own: the baseline a create through Millwright is measured against.
pub fn bare_define_and_start(uri: &str, xml: &str) -> Result<(), String> {
    let conn = virt::connect::Connect::open(Some(uri)).map_err(|e| e.to_string())?;
    let dom = conn.define_domain_xml(xml).map_err(|e| e.to_string())?;
    dom.create().map(|_| ()).map_err(|e| e.to_string())
}

/// Destroys and undefines every domain whose name starts with `prefix`.
pub fn remove_prefixed(uri: &str, prefix: &str) {
    let Ok(conn) = virt::connect::Connect::open(Some(uri)) else {
        return;
    };
    for dom in conn.list_all_domains(0).unwrap_or_default() {
        if dom.name().unwrap_or_default().starts_with(prefix) {
            let _ = dom.destroy();
            let _ = dom.undefine();
        }
    }
}

/// Domain XML reads since the process started, by who asked.
#[derive(Clone, Copy, Debug, Default)]
pub struct XmlReads {
    pub inventory: u64,
    pub detail: u64,
    pub other: u64,
}

/// How many times domain XML has been read from libvirt so far.
pub fn xml_reads() -> XmlReads {
    use super::ops::{XmlRead, XML_READS};
    let read = |why: XmlRead| XML_READS[why as usize].load(std::sync::atomic::Ordering::Relaxed);
    XmlReads {
        inventory: read(XmlRead::Inventory),
        detail: read(XmlRead::Detail),
        other: read(XmlRead::Other),
    }
}

/// A libvirt test-driver node (`test:///path/to/file.xml`) with `domains`
/// domains `bench-vm-NNNN` (UUID `00000000-0000-4000-8000-<n, 12 digits>`),
/// three in five running, owned by workspaces `ws-0` … `ws-3`.
pub fn test_host_xml(domains: usize) -> String {
    let mut xml = String::from(
        "<node><cpu><mhz>2400</mhz><model>Bench Xeon</model><active>64</active><nodes>1</nodes>\
         <sockets>2</sockets><cores>16</cores><threads>2</threads></cpu><memory>536870912</memory>",
    );
    for n in 0..domains {
        let state = match n % 5 {
            0..=2 => 1,
            3 => 5,
            _ => 3,
        };
        xml.push_str(&format!(
            "<domain type='kvm' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\
             <name>bench-vm-{n:04}</name><uuid>00000000-0000-4000-8000-{n:012}</uuid>\
             <memory unit='MiB'>{mem}</memory><vcpu>{vcpu}</vcpu><os><type>hvm</type></os>\
             <metadata><mw:domain xmlns:mw='http://millwright.local/xmlns/domain/1'>\
             <mw:workspace>ws-{ws}</mw:workspace><mw:tag key='line'>Line {line}</mw:tag></mw:domain></metadata>\
             <devices><disk type='file' device='disk'><source file='/var/lib/libvirt/images/bench-{n}.qcow2'/>\
             <target dev='vda' bus='virtio'/></disk><interface type='network'><source network='default'/>\
             <mac address='52:54:00:{a:02x}:{b:02x}:{c:02x}'/></interface></devices>\
             <test:runstate>{state}</test:runstate></domain>",
            mem = 512 * (1 + n % 8),
            vcpu = 1 + n % 4,
            ws = n % 4,
            line = n % 12,
            a = (n >> 16) & 0xff,
            b = (n >> 8) & 0xff,
            c = n & 0xff,
        ));
    }
    xml.push_str("</node>");
    xml
}
