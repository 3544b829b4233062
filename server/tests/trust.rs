//! Hostile input on the real stack (issue "Trust"): redirects, CSV exports,
//! malformed requests. In-process, a fresh SQLite file per test.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, StatusCode};

mod harness;

use harness::{encode, Reply, ServerFn, TestApp, PASSWORD};

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

/// A sign-in form post as the client at `peer` sends it, through a proxy
/// when `forwarded_for` is given.
async fn login_from(t: &TestApp, peer: &str, forwarded_for: &str, password: &str) -> Reply {
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    let mut req = t
        .post(app::api::auth::Login::PATH, "")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .extension(ConnectInfo(addr));
    if !forwarded_for.is_empty() {
        req = req.header("x-forwarded-for", forwarded_for);
    }
    let body = format!("username=admin&password={}&next=/", encode(password));
    t.send(req.body(Body::from(body)).unwrap()).await
}

/// The source address of every sign-in record, newest first.
async fn sign_in_sources(t: &TestApp) -> Vec<(String, String)> {
    let rows = t.state.audit.page(&Default::default()).await.unwrap();
    rows.into_iter()
        .filter(|r| r.action == "auth.sign_in")
        .map(|r| (r.source, r.message))
        .collect()
}

#[tokio::test]
async fn failures_from_one_address_do_not_lock_the_user_out_from_another() {
    let t = TestApp::spawn("throttlepair", &[]).await;
    for _ in 0..5 {
        let reply = login_from(&t, "192.0.2.10", "", "wrong password!").await;
        assert!(reply.body.contains("ErrBadCredentials"), "{}", reply.body);
    }
    let locked = login_from(&t, "192.0.2.10", "", PASSWORD).await;
    assert!(locked.cookie.is_empty() && locked.body.contains("Throttled"));
    let elsewhere = login_from(&t, "192.0.2.11", "", PASSWORD).await;
    assert!(!elsewhere.cookie.is_empty(), "{}", elsewhere.body);
}

#[tokio::test]
async fn concurrent_guesses_cannot_all_pass_one_check() {
    let t = TestApp::spawn("throttlerace", &[]).await;
    let guesses = (0..12).map(|_| login_from(&t, "192.0.2.20", "", "wrong password!"));
    futures::future::join_all(guesses).await;
    let verified = sign_in_sources(&t)
        .await
        .iter()
        .filter(|(_, message)| message == "wrong username or password")
        .count();
    assert_eq!(verified, 5, "guesses checked against the password");
}

#[tokio::test]
async fn only_a_trusted_proxy_names_the_client() {
    let t = TestApp::spawn("proxy", &["--trusted-proxy", "127.0.0.1"]).await;
    for _ in 0..5 {
        login_from(&t, "127.0.0.1", "198.51.100.1", "wrong password!").await;
    }
    let other_client = login_from(&t, "127.0.0.1", "198.51.100.2", PASSWORD).await;
    assert!(
        !other_client.cookie.is_empty(),
        "another client behind the proxy"
    );
    // A client that is not the proxy cannot choose its address.
    login_from(&t, "192.0.2.30", "198.51.100.3", "wrong password!").await;
    let sources: Vec<String> = sign_in_sources(&t)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(sources[0], "192.0.2.30");
    assert_eq!(sources[1], "198.51.100.2");
    assert!(
        sources[2..].iter().all(|s| s == "198.51.100.1"),
        "{sources:?}"
    );
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

/// The session id a cookie (`mw_session=…`) names.
fn session_id(cookie: &str) -> tower_sessions::session::Id {
    cookie.trim_start_matches("mw_session=").parse().unwrap()
}

#[tokio::test]
async fn a_password_change_or_reset_ends_the_users_other_sessions() {
    let t = TestApp::spawn("pwsessions", &[]).await;
    let desk = t.user("op", None).await;
    let laptop = t.sign_in("op").await;
    let new_password = "another long password";
    let fields = [
        ("current_password", PASSWORD),
        ("new_password", new_password),
    ];
    let changed = t
        .call_as(&desk, app::api::auth::ChangePassword::PATH, &fields)
        .await;
    assert!(
        changed.status.is_success(),
        "{} {}",
        changed.status,
        changed.body
    );
    let desk = changed.cookie.clone();
    assert!(
        !desk.is_empty(),
        "the changing session goes on with a new id"
    );
    assert_eq!(t.get("/inventory", &desk).await.status, StatusCode::OK);
    assert_eq!(
        t.get("/inventory", &laptop).await.status,
        StatusCode::SEE_OTHER
    );

    let admin = t.sign_in("admin").await;
    let op_id = app::store::users::by_name(&t.state.pool, "op")
        .await
        .unwrap()
        .unwrap()
        .id;
    let reset = [
        ("id", op_id.to_string()),
        ("password", "a third long password".to_string()),
    ];
    let reset: Vec<(&str, &str)> = reset.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = t
        .call_as(&admin, app::api::users::ResetPassword::PATH, &reset)
        .await;
    assert!(done.status.is_success(), "{} {}", done.status, done.body);
    assert_eq!(
        t.get("/inventory", &desk).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(t.get("/inventory", &admin).await.status, StatusCode::OK);
}

#[tokio::test]
async fn activity_extends_the_idle_limit_but_never_revives_a_session() {
    use tower_sessions::SessionStore;
    let t = TestApp::spawn("idleextend", &[]).await;
    let cookie = t.sign_in("admin").await;
    let store = millwright::sessions::ExistingOnly::new(&t.state.pool);
    let id = session_id(&cookie);
    // The session was last extended two minutes ago and ends in 30 s.
    let mut record = store.load(&id).await.unwrap().expect("the session");
    let now = app::auth::now_ms();
    record.data.insert("seen_ms".into(), (now - 120_000).into());
    record.expiry_date = time::OffsetDateTime::now_utc() + time::Duration::seconds(30);
    store.save(&record).await.unwrap();

    let page = t.get("/inventory", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.cookie, cookie, "the cookie is sent again to extend it");
    let extended = store.load(&id).await.unwrap().unwrap().expiry_date;
    let left = extended - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::hours(7),
        "idle limit extended: {left}"
    );

    // Signed out elsewhere: a late save of the old record does not revive it.
    store.delete(&id).await.unwrap();
    store.save(&record).await.unwrap();
    assert!(store.load(&id).await.unwrap().is_none());
    assert_eq!(
        t.get("/inventory", &cookie).await.status,
        StatusCode::SEE_OTHER
    );
}

/// Sends `req` through the app and hangs up as soon as it is handed over:
/// the response future is polled once and dropped, as hyper drops it when
/// the client's connection closes.
async fn hang_up(t: &TestApp, req: axum::http::Request<Body>) {
    let call = t.respond(req);
    futures::pin_mut!(call);
    assert!(
        futures::poll!(call.as_mut()).is_pending(),
        "answered at once"
    );
}

/// Waits (bounded) until the audit log has a closing record of `action`;
/// returns those.
pub async fn audited(t: &TestApp, action: &str) -> Vec<app::audit::AuditRecord> {
    let filter = app::audit::AuditFilter {
        action: Some(action.into()),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    loop {
        let mut records = t.state.audit.page(&filter).await.unwrap();
        // The attempt is on record first; wait for the closing record.
        records.retain(|r| r.outcome != app::audit::Outcome::Started);
        if !records.is_empty() {
            return records;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no {action} record"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await; // polling the log
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_whose_client_hangs_up_still_completes_and_is_audited() {
    let t = TestApp::spawn("hangup", &[]).await;
    let admin = t.sign_in("admin").await;
    let body = "name=Hung+up&uri=test%3A%2F%2F%2Fdefault&plant=&area=&line=&cell=";
    let req = t
        .post(app::api::hosts::AddHost::PATH, &admin)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    hang_up(&t, req).await;
    let records = audited(&t, "host.add").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, app::audit::Outcome::Ok);
    let hosts = app::store::hosts::list(&t.state.pool, true).await.unwrap();
    assert!(
        hosts.iter().any(|h| h.name == "Hung up"),
        "the host was added"
    );
}

#[tokio::test]
async fn a_restart_releases_the_reservations_of_creates_that_never_ended() {
    let t = TestApp::spawn("restartquota", &[]).await;
    let ws = app::store::workspaces::insert(&t.state.pool, "ops", "Ops")
        .await
        .unwrap()
        .unwrap();
    sqlx::query(
        "INSERT INTO quota_reservations (workspace_id, vcpus, memory_mib, disk_gib, domains, host_id, name)
         VALUES (?, 4, 4096, 20, 1, 1, 'cut-off')",
    )
    .bind(ws)
    .execute(&t.state.pool)
    .await
    .unwrap();
    let dir = t.dir.to_str().unwrap().to_string();
    let argv = [
        "millwright",
        "--no-demo",
        "--data-dir",
        &dir,
        "--collect-interval-secs",
        "0",
    ];
    let cfg = <millwright::config::Config as clap::Parser>::parse_from(argv);
    let restarted = millwright::build(&cfg).await.expect("restarts");
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quota_reservations")
        .fetch_one(&restarted.state.pool)
        .await
        .unwrap();
    assert_eq!(held, 0);
    restarted.state.gateway.shutdown();
}

#[tokio::test]
async fn the_event_stream_ends_when_its_session_is_signed_out() {
    use http_body_util::BodyExt;
    let t = TestApp::spawn("eventsend", &[]).await;
    let cookie = t.sign_in("admin").await;
    let req = t
        .request("GET", "/events", &cookie)
        .body(Body::empty())
        .unwrap();
    let resp = t.respond(req).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let mut body = resp.into_body();
    let signed_out = t
        .post(app::api::auth::Logout::PATH, &cookie)
        .body(Body::empty())
        .unwrap();
    let status = t.send(signed_out).await.status;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    // Frames until the end of the stream, bounded: keep-alives may come.
    let ended = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(frame) = body.frame().await {
            if frame.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its session");
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

#[tokio::test]
async fn a_host_change_is_on_record_before_the_host_is_touched_or_not_at_all() {
    let t = TestApp::spawn("attempt", &[]).await;
    let admin = t.sign_in("admin").await;
    let add =
        |name: &str| format!("name={name}&uri=test%3A%2F%2F%2Fdefault&plant=&area=&line=&cell=");
    let done = t
        .post_form(app::api::hosts::AddHost::PATH, &admin, &add("First"))
        .await;
    assert!(done.status.is_success(), "{}", done.body);
    let outcomes: Vec<String> = t
        .audit()
        .await
        .into_iter()
        .filter(|(action, _)| action == "host.add")
        .map(|(_, outcome)| outcome)
        .collect();
    assert_eq!(outcomes, ["ok", "started"], "newest first");

    // The log refuses writes: the change is refused and nothing is done.
    sqlx::query("CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        .execute(&t.state.pool)
        .await
        .unwrap();
    let refused = t
        .post_form(app::api::hosts::AddHost::PATH, &admin, &add("Second"))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        refused.body
    );
    let hosts = app::store::hosts::list(&t.state.pool, true).await.unwrap();
    assert!(!hosts.iter().any(|h| h.name == "Second"), "nothing done");
}
