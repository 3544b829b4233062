//! Hostile input on the real stack (issue "Trust"): redirects, CSV exports,
//! malformed requests. In-process, a fresh SQLite file per test.

use axum::http::StatusCode;

mod harness;

use harness::{encode, ServerFn, TestApp, PASSWORD};

/// Where a signed-in form post of `next` sends the browser.
async fn after_sign_in(t: &TestApp, next: &str) -> String {
    let body = format!(
        "username=admin&password={}&next={}",
        encode(PASSWORD),
        encode(next)
    );
    let reply = t.post_form(app::api::auth::Login::PATH, "", &body).await;
    assert!(!reply.cookie.is_empty(), "signed in with next={next:?}");
    reply.location
}

#[tokio::test]
async fn sign_in_and_prefs_redirect_only_to_local_paths() {
    let t = TestApp::spawn("redirect", &[]).await;
    assert_eq!(after_sign_in(&t, "/hosts?x=1").await, "/hosts?x=1");
    for hostile in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/\u{1}x",
        "/é",
    ] {
        assert_eq!(after_sign_in(&t, hostile).await, "/", "next={hostile:?}");
        let prefs = t
            .get(&format!("/prefs?lang=en&back={}", encode(hostile)), "")
            .await;
        assert_eq!(prefs.status, StatusCode::SEE_OTHER);
        assert_eq!(prefs.location, "/", "back={hostile:?}");
    }
}

#[tokio::test]
async fn a_planted_formula_is_text_in_the_audit_export() {
    let t = TestApp::spawn("csvformula", &[]).await;
    // Anyone may type a user name at sign-in; the refusal is audited with it.
    let planted = "=HYPERLINK(\"http://evil.example\",\"x\")";
    let refused = t.login(&encode(planted), "wrong", "").await;
    assert!(refused.cookie.is_empty());
    let admin = t.sign_in("admin").await;
    let csv = t.get("/audit.csv", &admin).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("'=HYPERLINK"), "{}", csv.body);
    for line in csv.body.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "a formula cell in {line:?}"
            );
        }
    }
}
