//! Live updates: the server pushes an event on `/events` whenever the
//! inventory changes; pages key their resources on [`LiveVersion`], so they
//! refetch without polling. `EventSource` reconnects by itself after a server
//! restart, and a reconnect counts as a change.

use leptos::prelude::*;

/// Bumped on every pushed change; read it to refetch with the inventory.
#[derive(Clone, Copy)]
pub struct LiveVersion {
    pub version: RwSignal<u64>,
    pub connected: RwSignal<bool>,
}

/// Path of the server-sent events stream.
pub const EVENTS_PATH: &str = "/events";

/// Provides [`LiveVersion`] and, in the browser, opens the event stream.
pub fn provide_live() -> LiveVersion {
    let live = LiveVersion {
        version: RwSignal::new(0),
        connected: RwSignal::new(false),
    };
    provide_context(live);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::connect(live);
        mark_hydrated();
    });
    live
}

/// The current page's live version.
pub fn use_live() -> LiveVersion {
    use_context::<LiveVersion>().unwrap_or_else(provide_live)
}

/// Sets `data-hydrated` on `<body>` so tests know the page is interactive.
fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use web_sys::EventSource;

    use super::{LiveVersion, EVENTS_PATH};

    pub fn connect(live: LiveVersion) {
        // Signed-out pages have no stream (it answers 401).
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        if path == "/login" {
            return;
        }
        let Ok(source) = EventSource::new(EVENTS_PATH) else {
            return;
        };
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
            live.version.update(|v| *v += 1);
        });
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            // After a reconnect the server may have changed: refetch.
            if live.connected.get_untracked() {
                return;
            }
            live.connected.set(true);
            live.version.update(|v| *v += 1);
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            live.connected.set(false);
        });
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The stream lives as long as the page.
        on_message.forget();
        on_open.forget();
        on_error.forget();
        std::mem::forget(source);
    }
}
