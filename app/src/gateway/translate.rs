//! Turns libvirt errors into messages for people. The raw text goes to the
//! server log only.

use virt::error::{Error, ErrorNumber};

use crate::i18n::Key;

/// The user-facing message for a libvirt error, logging the raw one.
pub fn translate(context: &str, err: &Error) -> Key {
    let key = classify(err);
    if key == Key::ErrDomainNotFound {
        // A domain undefined while an event about it was handled, or a
        // stale link: the caller says "not found"; routine, not a warning.
        tracing::debug!(context, libvirt = %err.message(), "domain gone");
    } else {
        tracing::warn!(context, code = ?err.code(), libvirt = %err.message(), ?key, "libvirt error");
    }
    key
}

fn classify(err: &Error) -> Key {
    let msg = err.message().to_ascii_lowercase();
    match err.code().known() {
        Some(ErrorNumber::NoDomain) => Key::ErrDomainNotFound,
        // The definition asks for an I/O weight the host's disk scheduler
        // cannot honour; only libvirt's text tells this apart.
        Some(ErrorNumber::OperationInvalid) if msg.contains("blkio device weight") => {
            Key::ErrIoWeightUnsupported
        }
        Some(ErrorNumber::OperationInvalid) => Key::ErrOperationInvalid,
        Some(ErrorNumber::AuthFailed) | Some(ErrorNumber::AuthCancelled) => Key::HostErrAuth,
        Some(ErrorNumber::OperationTimeout) => Key::HostErrTimeout,
        Some(ErrorNumber::NoSupport) => Key::ErrNotSupported,
        _ if msg.contains("connection refused") => Key::HostErrRefused,
        _ if msg.contains("no route to host") || msg.contains("network is unreachable") => {
            Key::HostErrNoRoute
        }
        _ if msg.contains("name or service not known")
            || msg.contains("unable to resolve")
            || msg.contains("temporary failure in name resolution") =>
        {
            Key::HostErrDns
        }
        _ if msg.contains("timed out") || msg.contains("timeout") => Key::HostErrTimeout,
        _ if msg.contains("no such file") || msg.contains("failed to connect socket") => {
            Key::HostErrNoDaemon
        }
        _ if msg.contains("no connection driver")
            || msg.contains("driver") && msg.contains("not") =>
        {
            Key::HostErrNoDriver
        }
        // QEMU died while starting: the guest's problem, not the link's.
        _ if msg.contains("unexpectedly closed the monitor")
            || msg.contains("process exited while connecting") =>
        {
            Key::ErrGuestStart
        }
        _ if msg.contains("end of file")
            || msg.contains("closed")
            || msg.contains("broken pipe") =>
        {
            Key::HostErrLost
        }
        _ if msg.contains("permission denied") => Key::HostErrPermission,
        _ if msg.contains("parse") || msg.contains("xml") => Key::HostErrConfig,
        _ => Key::HostErrOther,
    }
}
