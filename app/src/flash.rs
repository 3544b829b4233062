//! A form's outcome across its redirect. Pages are rendered on the server
//! only, and every form posts to its server function, which answers the
//! browser with a redirect back to the page (Leptos' form path). Leptos
//! carries an error in that URL (`__path`, `__err`); this module carries a
//! success the same way, so the page rendered after the redirect can say
//! what was done ("created", "resized", the new clone's link).
//!
//! The server's form layer adds the server function's path, its JSON
//! answer and a MAC over both to the redirect's query ([`location_with_ok`]);
//! [`action`] reads them back into the page's [`ServerAction`]. The MAC key
//! is made at start and never leaves the process, so a crafted link cannot
//! make a page claim a success that did not happen.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

/// Query keys of a carried success.
pub const OK_PATH: &str = "__okpath";
pub const OK_BODY: &str = "__ok";
pub const OK_MAC: &str = "__okmac";

/// The largest answer carried (bytes of JSON); larger ones are not shown.
pub const OK_LIMIT: usize = 4096;

/// A server action for `S` whose value, on the page rendered after a form
/// post, is that post's outcome: Leptos sets an error; a success carried by
/// [`location_with_ok`] is set here.
pub fn action<S>() -> ServerAction<S>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    #[cfg(feature = "ssr")]
    if let Some(ok) = carried::<S::Output>(S::PATH) {
        action.value().set(Some(Ok(ok)));
    }
    action
}

/// The success of `path` carried in the request's query, if its MAC holds.
#[cfg(feature = "ssr")]
fn carried<T: DeserializeOwned>(path: &str) -> Option<T> {
    let parts = use_context::<http::request::Parts>()?;
    let query = parts.uri.query()?;
    let get = |key: &str| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    };
    if get(OK_PATH)? != crate::url::encode_path(path) {
        return None;
    }
    let body = hex::decode(get(OK_BODY)?).ok()?;
    let mac = hex::decode(get(OK_MAC)?).ok()?;
    if !same(&mac, &sign(path, &body)) {
        return None;
    }
    serde_json::from_slice(&body).ok()
}

/// `location` without any carried success, and with `ok` (the server
/// function at `path` and its JSON answer) when given.
#[cfg(feature = "ssr")]
pub fn location_with_ok(location: &str, ok: Option<(&str, &[u8])>) -> String {
    let (base, query) = location.split_once('?').unwrap_or((location, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split_once('=').map_or(*p, |(k, _)| k);
            ![OK_PATH, OK_BODY, OK_MAC].contains(&key)
        })
        .map(str::to_string)
        .collect();
    if let Some((path, body)) = ok.filter(|(_, body)| body.len() <= OK_LIMIT) {
        pairs.push(format!("{OK_PATH}={}", crate::url::encode_path(path)));
        pairs.push(format!("{OK_BODY}={}", hex::encode(body)));
        pairs.push(format!("{OK_MAC}={}", hex::encode(sign(path, body))));
    }
    if pairs.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", pairs.join("&"))
    }
}

/// HMAC-SHA-256 over the path and the answer, with this process's key.
#[cfg(feature = "ssr")]
fn sign(path: &str, body: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    use std::sync::OnceLock;

    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    let key = KEY.get_or_init(rand::random);
    let mut inner_pad = [0x36u8; 64];
    let mut outer_pad = [0x5cu8; 64];
    for (n, k) in key.iter().enumerate() {
        inner_pad[n] ^= k;
        outer_pad[n] ^= k;
    }
    let inner = Sha256::new()
        .chain_update(inner_pad)
        .chain_update(path.as_bytes())
        .chain_update([0])
        .chain_update(body)
        .finalize();
    Sha256::new()
        .chain_update(outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// Compares two MACs in time independent of where they differ.
#[cfg(feature = "ssr")]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn a_success_replaces_the_last_and_an_error_drops_it() {
        let first = location_with_ok("/create?ws=ops", Some(("/api/create", b"{\"a\":1}")));
        assert!(first.starts_with("/create?ws=ops&__okpath=/api/create&__ok=7b22"));
        let second = location_with_ok(&first, Some(("/api/create", b"2")));
        assert_eq!(second.matches("__ok=").count(), 1);
        assert_eq!(location_with_ok(&second, None), "/create?ws=ops");
        assert_eq!(location_with_ok("/hosts", None), "/hosts");
    }

    #[test]
    fn a_forged_or_altered_success_is_not_believed() {
        let mac = sign("/api/a", b"1");
        assert!(same(&mac, &sign("/api/a", b"1")));
        assert!(!same(&mac, &sign("/api/a", b"2")));
        assert!(!same(&mac, &sign("/api/b", b"1")));
        assert!(!same(&mac, &mac[..31]));
    }
}
