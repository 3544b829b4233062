//! Hostile input on the real stack: redirects, CSV exports,
//! malformed requests, what /healthz tells, the upload cap. In-process, a
//! fresh SQLite file per test.

use axum::body::Body;
use axum::http::{header, StatusCode};

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

#[tokio::test]
async fn a_malformed_request_is_a_4xx_naming_the_field() {
    let t = TestApp::spawn("malformed", &[]).await;
    let admin = t.sign_in("admin").await;
    let cases = [
        (
            app::api::auth::Login::PATH,
            "",
            "username=admin&password=x",
            "next",
        ),
        (
            app::api::hosts::AddHost::PATH,
            admin.as_str(),
            "name=a&uri=test%3A%2F%2F%2Fdefault",
            "plant",
        ),
        (
            app::api::hosts::RemoveHost::PATH,
            admin.as_str(),
            "id=seven",
            "request",
        ),
    ];
    for (path, cookie, body, field) in cases {
        let reply = t.post_form(path, cookie, body).await;
        assert!(
            reply.status.is_client_error(),
            "{path}: {} {}",
            reply.status,
            reply.body
        );
        let err: app::error::AppError = serde_json::from_str(&reply.body).unwrap();
        assert!(err.field_key(field).is_some(), "{path}: {}", reply.body);
        assert!(
            !reply.body.contains("deserializ"),
            "no decoder text: {}",
            reply.body
        );
    }
    // A rule broken by a well-formed request is a 4xx as well.
    let fields = "name=&uri=nonsense&plant=&area=&line=&cell=";
    let invalid = t
        .post_form(app::api::hosts::AddHost::PATH, &admin, fields)
        .await;
    assert_eq!(
        invalid.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        invalid.body
    );
}

#[tokio::test]
async fn a_route_with_a_malformed_path_names_the_part_not_the_framework() {
    let t = TestApp::spawn("malformed-route", &[]).await;
    let admin = t.sign_in("admin").await;
    for (url, part) in [
        ("/charts/host/abc/cpu.svg", "path"),
        ("/charts/domain/x/y/cpu.svg", "path"),
        ("/charts/host/%FF/cpu.svg", "path"),
    ] {
        let reply = t.get(url, &admin).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            reply.body
        );
        assert!(
            reply.body.starts_with(&format!("{part}: ")),
            "{url}: {}",
            reply.body
        );
        assert!(!reply.body.contains("Invalid URL"), "{url}: {}", reply.body);
    }
}

#[tokio::test]
async fn healthz_tells_anyone_but_an_administrator_only_the_status() {
    let t = TestApp::spawn("healthz", &[]).await;
    let member = t.user("viewer", None).await;
    for cookie in ["", member.as_str()] {
        let reply = t.get("/healthz", cookie).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, r#"{"status":"ok"}"#);
    }
    let admin = t.sign_in("admin").await;
    let full: serde_json::Value =
        serde_json::from_str(&t.get("/healthz", &admin).await.body).unwrap();
    assert_eq!(full["hosts"]["total"], 0, "{full}");
    assert_eq!(full["database"], "ok");
}

#[tokio::test]
async fn an_upload_over_the_cap_is_refused_before_a_byte_is_stored() {
    let t = TestApp::spawn("uploadcap", &[]).await;
    let admin = t.sign_in("admin").await;
    let boundary = "mwcap";
    let field = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let body = format!(
        "{}{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.iso\"\r\n\r\nx\r\n--{boundary}--\r\n",
        field("host_id", "1"),
        field("pool", "default"),
        field("name", "big.iso")
    );
    let announced = (65u64 << 30).to_string();
    let req = t
        .post("/storage/upload", &admin)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::CONTENT_LENGTH, announced)
        .body(Body::from(body))
        .unwrap();
    let reply = t.send(req).await;
    assert!(
        reply.location.contains("upload_error=ErrUploadOverCap"),
        "{}",
        reply.location
    );
}
