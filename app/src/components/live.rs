//! Live updates. Pages are rendered on the server only; the browser runs
//! one island, [`LiveDot`] in the top bar, which listens on `/events` (one
//! push per inventory change the caller may see, naming host and domain,
//! [`Change`]). Parts of a page that follow the inventory are
//! [`LiveRegion`]s; when a push concerns one of them, the island fetches the
//! page again and swaps in those regions' new markup. A region of a domain
//! page names its domain and follows only pushes that touch it; every other
//! region follows every push. Forms stay outside regions, so a choice the
//! user has not submitted yet survives a push. `EventSource` reconnects by
//! itself after a server restart, and a reconnect counts as a change to
//! everything.

use leptos::prelude::*;

use crate::live::Change;

/// Path of the server-sent events stream.
pub const EVENTS_PATH: &str = "/events";

/// What a region follows besides its domain: the jobs list with their
/// progress, or only which jobs run (the tray in the top bar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    Jobs,
    JobsRunning,
}

impl Follow {
    fn as_str(self) -> &'static str {
        match self {
            Follow::Jobs => "jobs",
            Follow::JobsRunning => "jobs-running",
        }
    }
}

/// Whether a region keyed `domain` (`"<host> <uuid>"`) or following
/// `follow` (`"jobs"`, `"jobs-running"`) is refreshed by `change`; one with
/// neither follows the inventory.
pub fn region_follows(domain: Option<&str>, follow: Option<&str>, change: &Change) -> bool {
    match follow {
        Some("jobs") => return change.touches_jobs(true),
        Some("jobs-running") => return change.touches_jobs(false),
        _ => {}
    }
    let Some(key) = domain else {
        return change.touches_inventory();
    };
    let (host, uuid) = key.split_once(' ').unwrap_or((key, ""));
    host.parse::<i64>()
        .is_ok_and(|host| change.touches_domain(host, uuid))
}

/// A part of a page that the live island refreshes; `domain` (host id,
/// UUID) limits it to pushes that touch that domain (and its jobs),
/// `follow` to pushes about jobs.
#[component]
pub fn LiveRegion(
    id: &'static str,
    #[prop(optional)] domain: Option<(i64, String)>,
    #[prop(optional)] follow: Option<Follow>,
    children: Children,
) -> impl IntoView {
    let domain = domain.map(|(host, uuid)| format!("{host} {uuid}"));
    let follow = follow.map(Follow::as_str);
    view! {
        <div data-live-region=id data-live-domain=domain data-live-follow=follow>
            {children()}
        </div>
    }
}

/// The live-connection indicator, and the page's only island: it opens the
/// event stream and refreshes the page's [`LiveRegion`]s. Marks `<body
/// data-hydrated>` once running, so tests know the page is interactive.
#[island]
pub fn LiveDot(on_title: String, off_title: String) -> impl IntoView {
    let connected = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::connect(connected);
    });
    view! {
        <span
            class="live"
            data-live=move || if connected.get() { "on" } else { "off" }
            title=move || if connected.get() { on_title.clone() } else { off_title.clone() }
        ></span>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;

    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{DomParser, EventSource, Response, SupportedType};

    use super::{region_follows, Change, EVENTS_PATH};

    /// The attributes [`super::LiveRegion`] writes: a region's name (unique
    /// on the page) and a domain page's `"<host> <uuid>"`.
    const REGION_ATTR: &str = "data-live-region";
    const DOMAIN_ATTR: &str = "data-live-domain";
    const FOLLOW_ATTR: &str = "data-live-follow";

    thread_local! {
        /// A refresh is running; another push asked for one after it started.
        static BUSY: Cell<bool> = const { Cell::new(false) };
        static AGAIN: Cell<bool> = const { Cell::new(false) };
    }

    pub fn connect(connected: RwSignal<bool>) {
        mark_hydrated();
        mark_busy_forms();
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
                refresh(&Change::decode(&e.data().as_string().unwrap_or_default()));
            });
        let opened = Cell::new(false);
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            connected.set(true);
            // The page was rendered just before the first open; after a
            // reconnect the server may have changed: refresh.
            if opened.replace(true) {
                refresh(&Change::unknown());
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            connected.set(false);
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

    /// A submitted form is marked `aria-busy` until the next page arrives
    /// (the stylesheet shows it working and takes no second click).
    fn mark_busy_forms() {
        let on_submit = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
            if e.default_prevented() {
                return;
            }
            if let Some(form) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = form.set_attribute("aria-busy", "true");
            }
        });
        // A page restored by Back is not waiting for anything.
        let on_show = Closure::<dyn FnMut(web_sys::Event)>::new(|_| {
            let Ok(busy) = document().query_selector_all("form[aria-busy]") else {
                return;
            };
            for n in 0..busy.length() {
                if let Some(form) = busy
                    .item(n)
                    .and_then(|f| f.dyn_into::<web_sys::Element>().ok())
                {
                    let _ = form.remove_attribute("aria-busy");
                }
            }
        });
        let doc = document();
        let _ = doc.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("pageshow", on_show.as_ref().unchecked_ref());
        }
        on_submit.forget();
        on_show.forget();
    }

    fn mark_hydrated() {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    }

    /// The page's regions (elements carrying [`REGION_ATTR`]).
    fn regions(doc: &web_sys::Document) -> Vec<web_sys::Element> {
        let Ok(list) = doc.query_selector_all(&format!("[{REGION_ATTR}]")) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|n| list.item(n)?.dyn_into::<web_sys::Element>().ok())
            .collect()
    }

    /// Fetches the page again when `change` concerns one of its regions;
    /// pushes that arrive during a fetch make one more fetch after it.
    fn refresh(change: &Change) {
        let wanted = regions(&document()).iter().any(|r| {
            region_follows(
                r.get_attribute(DOMAIN_ATTR).as_deref(),
                r.get_attribute(FOLLOW_ATTR).as_deref(),
                change,
            )
        });
        if !wanted {
            return;
        }
        if BUSY.replace(true) {
            AGAIN.set(true);
            return;
        }
        leptos::task::spawn_local(async {
            loop {
                AGAIN.set(false);
                // A failed fetch (server gone, signed out) leaves the page
                // as it is; the stream's reconnect refreshes it later.
                let _ = swap_regions().await;
                if !AGAIN.get() {
                    break;
                }
            }
            BUSY.set(false);
        });
    }

    /// Fetches the current URL and replaces each region's content with the
    /// same region's content in the answer.
    async fn swap_regions() -> Result<(), JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let href = window.location().href()?;
        let response: Response = JsFuture::from(window.fetch_with_str(&href))
            .await?
            .dyn_into()?;
        // Redirected (to sign-in) or refused: not this page any more.
        if !response.ok() || response.redirected() {
            return Err(JsValue::NULL);
        }
        let text = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        let fresh = DomParser::new()?.parse_from_string(&text, SupportedType::TextHtml)?;
        for region in regions(&document()) {
            let Some(id) = region.get_attribute(REGION_ATTR) else {
                continue;
            };
            let selector = format!("[{REGION_ATTR}=\"{id}\"]");
            if let Some(new) = fresh.query_selector(&selector)? {
                region.set_inner_html(&new.inner_html());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::{Change, Scope};

    fn on(uuid: &str) -> Change {
        Change {
            version: 1,
            scope: Scope::Domain {
                host_id: 3,
                uuid: uuid.into(),
            },
            owners: Vec::new(),
        }
    }

    #[test]
    fn a_domain_region_follows_only_its_own_domain() {
        let uuid = "00000000-0000-4000-8000-000000000001";
        let key = format!("3 {uuid}");
        let mine = on(uuid);
        let other = on("00000000-0000-4000-8000-000000000002");
        assert!(region_follows(Some(&key), None, &mine));
        assert!(!region_follows(Some(&key), None, &other));
        assert!(region_follows(None, None, &other));
        assert!(region_follows(Some(&key), None, &Change::unknown()));
        assert!(!region_follows(Some("x"), None, &mine));
    }

    fn job(uuid: &str, progress: bool) -> Change {
        Change {
            version: 2,
            scope: Scope::Job {
                id: 1,
                host_id: 3,
                target: Some(4),
                uuid: uuid.into(),
                progress,
            },
            owners: Vec::new(),
        }
    }

    #[test]
    fn job_pushes_reach_the_job_lists_and_their_domain_only() {
        let uuid = "00000000-0000-4000-8000-000000000001";
        let tick = job(uuid, true);
        let end = job(uuid, false);
        // The domain's page, on its source host or its target.
        assert!(region_follows(Some(&format!("3 {uuid}")), None, &tick));
        assert!(region_follows(Some(&format!("4 {uuid}")), None, &tick));
        assert!(!region_follows(Some("3 other"), None, &tick));
        // The inventory does not refetch for a job.
        assert!(!region_follows(None, None, &tick));
        assert!(!region_follows(None, None, &end));
        // The Jobs page follows progress; the tray only starts and ends.
        assert!(region_follows(None, Some("jobs"), &tick));
        assert!(!region_follows(None, Some("jobs-running"), &tick));
        assert!(region_follows(None, Some("jobs-running"), &end));
        assert!(!region_follows(None, Some("jobs"), &on(uuid)));
    }
}
