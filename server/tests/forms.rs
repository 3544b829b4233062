//! Forms as the browser posts them (pages run no script but their live
//! island): the redirect back carries the outcome, and a success shown on
//! the page cannot be forged by a link. In-process, a fresh SQLite file.

use axum::body::Body;
use axum::http::{header, StatusCode};

mod harness;

use harness::{ServerFn, TestApp, ORIGIN};

/// Posts an empty form to server function `path` from page `from`, as a
/// browser does: `Accept: text/html` and a `Referer`. The redirect's target.
async fn submit(t: &TestApp, cookie: &str, path: &str, from: &str) -> String {
    let req = t
        .post(path, cookie)
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, format!("{ORIGIN}{from}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::empty())
        .unwrap();
    let reply = t.send(req).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    reply.location
}

/// The path and query of an absolute URL on this server.
fn local(url: &str) -> &str {
    url.strip_prefix(ORIGIN).expect("a redirect to this server")
}

#[tokio::test]
async fn a_form_s_success_reaches_the_page_it_returns_to_and_cannot_be_forged() {
    let t = TestApp::spawn("forms-ok", &[]).await;
    let admin = t.sign_in("admin").await;
    let verify = app::api::audit::VerifyAudit::PATH;

    let back = submit(&t, &admin, verify, "/audit?actor=admin").await;
    let back = local(&back).to_string();
    assert!(back.starts_with("/audit?actor=admin&__okpath="), "{back}");
    let page = t.get(&back, &admin).await;
    assert!(
        page.body.contains("data-verify=\"ok\""),
        "the verify report is shown"
    );
    // Submitted again from that page: one success, the new one.
    let again = submit(&t, &admin, verify, &back).await;
    assert_eq!(again.matches("__ok=").count(), 1, "{again}");

    // The same link with its MAC or its answer altered shows nothing.
    let (head, mac) = back.rsplit_once("__okmac=").unwrap();
    let forged_mac = format!("{head}__okmac={}", "0".repeat(mac.len()));
    let page = t.get(&forged_mac, &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("data-verify"),
        "a forged MAC is not believed"
    );
    let (head, rest) = back.split_once("&__ok=").unwrap();
    let forged_body = format!("{head}&__ok=7b7d{}", &rest[rest.find('&').unwrap()..]);
    let page = t.get(&forged_body, &admin).await;
    assert!(
        !page.body.contains("data-verify"),
        "an altered answer is not believed"
    );
}
