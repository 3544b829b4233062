//! Writes Millwright's element into a domain's libvirt `<metadata>`, where
//! ownership lives so it survives a reinstall of the dashboard.

use virt::connect::Connect;
use virt::sys;

use super::lookup;
use crate::domxml::{metadata_element, parse_domain, METADATA_NS};
use crate::error::AppError;
use crate::gateway::{translate, Gateway};
use crate::i18n::Key;

/// Sets (or clears, with `None`) the domain's workspace, keeping its tags.
fn set_workspace(conn: &Connect, uuid: &str, workspace: Option<&str>) -> Result<(), Key> {
    let dom = lookup(conn, uuid)?;
    let inactive_xml =
        super::domain_xml(&dom, sys::VIR_DOMAIN_XML_INACTIVE, super::XmlRead::Other)?;
    let config = parse_domain(&inactive_xml).map_err(|_| Key::HostErrConfig)?;
    let element = metadata_element(workspace, &config.tags);
    let active = dom.is_active().unwrap_or(false);
    let persistent = dom.is_persistent().unwrap_or(true);
    let mut flags = 0;
    if persistent {
        flags |= sys::VIR_DOMAIN_AFFECT_CONFIG;
    }
    if active {
        flags |= sys::VIR_DOMAIN_AFFECT_LIVE;
    }
    dom.set_metadata(
        sys::VIR_DOMAIN_METADATA_ELEMENT as i32,
        Some(&element),
        Some("mw"),
        Some(METADATA_NS),
        flags,
    )
    .map_err(|e| translate("set_metadata", &e))
}

impl Gateway {
    /// Sets (or clears, with `None`) the domain's workspace in its metadata.
    pub async fn set_workspace(
        &self,
        host_id: i64,
        uuid: &str,
        workspace: Option<String>,
    ) -> Result<(), AppError> {
        let id = uuid.to_string();
        self.call(host_id, move |conn| {
            set_workspace(conn, &id, workspace.as_deref())
        })
        .await
    }
}
