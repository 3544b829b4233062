//! Live updates: the server pushes an event on `/events` for every
//! inventory change the caller may see, naming the host and domain
//! ([`Change`]). List pages key their resources on [`LiveVersion::version`]
//! (any change); a domain page keys on [`LiveVersion::domain_version`], bumped
//! only by changes that touch its own domain. `EventSource` reconnects by
//! itself after a server restart, and a reconnect counts as a change to
//! everything.

use leptos::prelude::*;

use crate::live::Change;

/// A domain page's key and the counter its fetch keys on.
type Watch = (Memo<(i64, String)>, RwSignal<u64>);

/// Bumped on every pushed change; read it to refetch with the inventory.
#[derive(Clone, Copy)]
pub struct LiveVersion {
    pub version: RwSignal<u64>,
    pub connected: RwSignal<bool>,
    watches: StoredValue<Vec<Watch>>,
}

impl LiveVersion {
    /// Applies one push: every list page's `version`; a domain page's
    /// counter only when the change touches its domain.
    pub fn apply(&self, change: &Change) {
        self.version.update(|v| *v += 1);
        let hits: Vec<RwSignal<u64>> = self
            .watches
            .try_with_value(|watches| {
                watches
                    .iter()
                    .filter(|(key, _)| key.with_untracked(|(h, u)| change.touches_domain(*h, u)))
                    .map(|(_, counter)| *counter)
                    .collect()
            })
            .unwrap_or_default();
        for counter in hits {
            counter.update(|n| *n += 1);
        }
    }

    /// A counter bumped only by pushes that touch the domain `key` names
    /// (host id, UUID); dropped with the page that asked for it.
    pub fn domain_version(&self, key: Memo<(i64, String)>) -> ReadSignal<u64> {
        let counter = RwSignal::new(0);
        self.watches.update_value(|w| w.push((key, counter)));
        let watches = self.watches;
        on_cleanup(move || watches.update_value(|w| w.retain(|(_, c)| *c != counter)));
        counter.read_only()
    }
}

/// Path of the server-sent events stream.
pub const EVENTS_PATH: &str = "/events";

/// Provides [`LiveVersion`] and, in the browser, opens the event stream.
pub fn provide_live() -> LiveVersion {
    let live = LiveVersion {
        version: RwSignal::new(0),
        connected: RwSignal::new(false),
        watches: StoredValue::new(Vec::new()),
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

    use super::{Change, LiveVersion, EVENTS_PATH};

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
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                live.apply(&Change::decode(&e.data().as_string().unwrap_or_default()));
            });
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            // After a reconnect the server may have changed: refetch.
            if live.connected.get_untracked() {
                return;
            }
            live.connected.set(true);
            live.apply(&Change::unknown());
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
