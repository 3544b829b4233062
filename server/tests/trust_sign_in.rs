//! Sign-in and sessions against hostile clients: throttling per user and
//! address (atomic), trusted proxies, sessions ended by a password change,
//! idle extension without revival, event streams that end with their
//! session. In-process, a fresh SQLite file per test.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, StatusCode};

mod harness;

use harness::{encode, Reply, ServerFn, TestApp, PASSWORD};

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
