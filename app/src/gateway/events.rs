//! libvirt's event loop and the two callbacks the gateway needs: domain
//! lifecycle events and connection close. `virt` 0.5 wraps neither, so this
//! is the one place with raw FFI.

use std::ffi::{c_int, c_void, CStr};
use std::sync::mpsc::Sender;
use std::sync::Once;

use virt::connect::Connect;
use virt::sys;

use super::mailbox::Msg;

static EVENT_LOOP: Once = Once::new();

/// Registers libvirt's default event loop and runs it on its own thread.
/// Must happen before the first connection is opened; later calls do nothing.
pub fn start_event_loop() {
    EVENT_LOOP.call_once(|| {
        virt::error::clear_error_callback();
        if let Err(err) = virt::event::event_register_default_impl() {
            tracing::error!(error = %err, "libvirt event loop could not be registered");
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("libvirt-events".into())
            .spawn(|| loop {
                if let Err(err) = virt::event::event_run_default_impl() {
                    tracing::warn!(error = %err, "libvirt event loop iteration failed");
                }
            });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "libvirt event thread could not start");
        }
    });
}

/// What a lifecycle callback reports to its host's worker.
struct CallbackCtx {
    tx: Sender<Msg>,
}

/// Callback registrations on one connection, undone by [`Registration::cancel`].
pub struct Registration {
    lifecycle_id: c_int,
    close_registered: bool,
}

const VIR_UUID_STRING_BUFLEN: usize = 37;
const EVENT_UNDEFINED: c_int = sys::VIR_DOMAIN_EVENT_UNDEFINED as c_int;

unsafe extern "C" fn on_lifecycle(
    _conn: sys::virConnectPtr,
    dom: sys::virDomainPtr,
    event: c_int,
    _detail: c_int,
    opaque: *mut c_void,
) {
    let ctx = &*(opaque as *const CallbackCtx);
    let mut buf = [0 as std::ffi::c_char; VIR_UUID_STRING_BUFLEN];
    if sys::virDomainGetUUIDString(dom, buf.as_mut_ptr()) < 0 {
        return;
    }
    let uuid = CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned();
    let msg = if event == EVENT_UNDEFINED {
        Msg::DomainGone { uuid }
    } else {
        Msg::DomainChanged { uuid }
    };
    // The worker may already be gone; nothing to do then.
    let _ = ctx.tx.send(msg);
}

unsafe extern "C" fn on_close(_conn: sys::virConnectPtr, _reason: c_int, opaque: *mut c_void) {
    let ctx = &*(opaque as *const CallbackCtx);
    let _ = ctx.tx.send(Msg::Closed);
}

unsafe extern "C" fn free_ctx(opaque: *mut c_void) {
    drop(Box::from_raw(opaque as *mut CallbackCtx));
}

/// Subscribes `tx` to lifecycle events and to the close of `conn`.
pub fn register(conn: &Connect, tx: &Sender<Msg>) -> Registration {
    let lifecycle_cb: unsafe extern "C" fn(
        sys::virConnectPtr,
        sys::virDomainPtr,
        c_int,
        c_int,
        *mut c_void,
    ) = on_lifecycle;
    // SAFETY: libvirt calls the generic callback with the signature that
    // belongs to the event ID, here the lifecycle one; the contexts are
    // boxed and freed by libvirt through `free_ctx` when unregistered.
    unsafe {
        let ptr = conn.as_ptr();
        let ctx = Box::into_raw(Box::new(CallbackCtx { tx: tx.clone() })) as *mut c_void;
        let lifecycle_id = sys::virConnectDomainEventRegisterAny(
            ptr,
            std::ptr::null_mut(),
            sys::VIR_DOMAIN_EVENT_ID_LIFECYCLE as c_int,
            Some(std::mem::transmute::<
                unsafe extern "C" fn(
                    sys::virConnectPtr,
                    sys::virDomainPtr,
                    c_int,
                    c_int,
                    *mut c_void,
                ),
                unsafe extern "C" fn(sys::virConnectPtr, sys::virDomainPtr, *mut c_void),
            >(lifecycle_cb)),
            ctx,
            Some(free_ctx),
        );
        if lifecycle_id < 0 {
            drop(Box::from_raw(ctx as *mut CallbackCtx));
            tracing::warn!("host does not deliver lifecycle events");
        }
        let close_ctx = Box::into_raw(Box::new(CallbackCtx { tx: tx.clone() })) as *mut c_void;
        let close_registered =
            sys::virConnectRegisterCloseCallback(ptr, Some(on_close), close_ctx, Some(free_ctx))
                == 0;
        if !close_registered {
            drop(Box::from_raw(close_ctx as *mut CallbackCtx));
        }
        Registration {
            lifecycle_id,
            close_registered,
        }
    }
}

impl Registration {
    /// Removes the callbacks; failures (a dead connection) are harmless.
    pub fn cancel(self, conn: &Connect) {
        // SAFETY: the IDs came from registrations on this same connection.
        unsafe {
            let ptr = conn.as_ptr();
            if self.lifecycle_id >= 0 {
                sys::virConnectDomainEventDeregisterAny(ptr, self.lifecycle_id);
            }
            if self.close_registered {
                sys::virConnectUnregisterCloseCallback(ptr, Some(on_close));
            }
        }
    }
}
