//! Power and autostart changes.

use virt::connect::Connect;

use super::lookup;
use crate::error::AppError;
use crate::gateway::{translate, Gateway};
use crate::i18n::Key;

/// A power or autostart change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Power {
    Start,
    Shutdown,
    Reboot,
    ForceOff,
    Suspend,
    Resume,
    AutostartOn,
    AutostartOff,
}

impl Power {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "start" => Power::Start,
            "shutdown" => Power::Shutdown,
            "reboot" => Power::Reboot,
            "force-off" => Power::ForceOff,
            "suspend" => Power::Suspend,
            "resume" => Power::Resume,
            "autostart-on" => Power::AutostartOn,
            "autostart-off" => Power::AutostartOff,
            _ => return None,
        })
    }
}

/// Applies a power change.
fn power(conn: &Connect, uuid: &str, action: Power) -> Result<(), Key> {
    let dom = lookup(conn, uuid)?;
    let result = match action {
        Power::Start => dom.create().map(|_| ()),
        Power::Shutdown => dom.shutdown().map(|_| ()),
        Power::Reboot => dom.reboot(0).map(|_| ()),
        Power::ForceOff => dom.destroy().map(|_| ()),
        Power::Suspend => dom.suspend().map(|_| ()),
        Power::Resume => dom.resume().map(|_| ()),
        Power::AutostartOn => dom.set_autostart(true).map(|_| ()),
        Power::AutostartOff => dom.set_autostart(false).map(|_| ()),
    };
    result.map_err(|e| translate("power", &e))
}

impl Gateway {
    /// Applies a power change. It runs on a connection of its own: a start
    /// or a force off can outlast the call deadline on a big VM.
    pub async fn power(&self, host_id: i64, uuid: &str, action: Power) -> Result<(), AppError> {
        let id = uuid.to_string();
        self.call_long(host_id, move |conn| power(conn, &id, action))
            .await
    }
}
