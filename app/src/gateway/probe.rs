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
