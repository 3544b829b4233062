//! Identity on the real stack: the full router with its session layer, a
//! fresh SQLite file per test, requests in-process (Arrange / Act / Assert).

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;

mod harness;

use harness::{Reply, TestApp, ORIGIN, PASSWORD};

async fn spawn(tag: &str) -> TestApp {
    TestApp::spawn(tag, &[]).await
}

/// The session cookie a reply set, if any.
fn cookie_of(reply: &Reply) -> Option<String> {
    (!reply.cookie.is_empty()).then(|| reply.cookie.clone())
}

#[tokio::test]
async fn pages_need_a_session_and_sign_in_rotates_the_id() {
    let t = spawn("rotate").await;
    assert_eq!(t.get("/inventory", "").await.status, StatusCode::SEE_OTHER);

    let first = t.login("admin", PASSWORD, "").await;
    assert_eq!(first.status, StatusCode::OK);
    let a = cookie_of(&first).expect("a session cookie");
    let set = first
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        set.contains("httponly") && set.contains("samesite=lax"),
        "{set}"
    );
    assert_eq!(t.get("/inventory", &a).await.status, StatusCode::OK);

    // Signing in again on the same session gives it a new id; the old one is dead.
    let second = t.login("admin", PASSWORD, &a).await;
    let b = cookie_of(&second).expect("a new session cookie");
    assert_ne!(a, b, "session id must change at sign-in");
    assert_eq!(t.get("/inventory", &b).await.status, StatusCode::OK);
    assert_eq!(t.get("/inventory", &a).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_out_deletes_the_session_on_the_server() {
    let t = spawn("signout").await;
    let cookie = cookie_of(&t.login("admin", PASSWORD, "").await).unwrap();
    let req = Request::post(app::api::auth::Logout::PATH)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let status = t.send(req).await.status;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    // The browser may keep the cookie; the server no longer knows it.
    assert_eq!(
        t.get("/inventory", &cookie).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(t
        .audit()
        .await
        .contains(&("auth.sign_out".into(), "ok".into())));
}

#[tokio::test]
async fn an_idle_session_expires() {
    let t = spawn("idle").await;
    let cookie = cookie_of(&t.login("admin", PASSWORD, "").await).unwrap();
    assert_eq!(t.get("/", &cookie).await.status, StatusCode::OK);
    // Age the session past its idle limit in the store itself.
    let aged = sqlx::query("UPDATE tower_sessions SET expiry_date = 0")
        .execute(&t.state.pool)
        .await
        .unwrap();
    assert_eq!(aged.rows_affected(), 1);
    assert_eq!(t.get("/", &cookie).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn five_failures_throttle_even_the_right_password() {
    let t = spawn("throttle").await;
    for _ in 0..5 {
        let resp = t.login("admin", "wrong password!", "").await;
        assert!(resp.body.contains("ErrBadCredentials"));
    }
    let resp = t.login("admin", PASSWORD, "").await;
    assert!(cookie_of(&resp).is_none(), "no session while throttled");
    assert!(resp.body.contains("Throttled"));
    let audit = t.audit().await;
    assert_eq!(
        audit
            .iter()
            .filter(|(a, o)| a == "auth.sign_in" && o == "denied")
            .count(),
        6
    );
}

#[tokio::test]
async fn cross_origin_posts_are_refused_and_audited() {
    let t = spawn("csrf").await;
    let cookie = cookie_of(&t.login("admin", PASSWORD, "").await).unwrap();
    for origin in [Some("http://evil.example"), None] {
        let mut req = Request::post(app::api::hosts::AddHost::PATH)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        let body = "name=x&uri=test%3A%2F%2F%2Fdefault&plant=&area=&line=&cell=";
        let resp = t.send(req.body(Body::from(body)).unwrap()).await;
        assert_eq!(resp.status, StatusCode::FORBIDDEN, "origin {origin:?}");
    }
    // The first refusal is written at once, the rest of the minute as one
    // record with their count (anyone can send these).
    t.state.audit.flush().await.unwrap();
    let audit = t.audit().await;
    assert_eq!(
        audit
            .iter()
            .filter(|(a, o)| a == "request.cross_origin" && o == "denied")
            .count(),
        2
    );
    assert!(
        app::store::hosts::list(&t.state.pool, true)
            .await
            .unwrap()
            .is_empty(),
        "nothing was added"
    );
}

#[tokio::test]
async fn a_viewer_is_refused_with_403_and_the_refusal_is_audited() {
    let t = spawn("viewer").await;
    let hash = app::auth::hash_password(PASSWORD.into()).await.unwrap();
    app::store::users::insert(&t.state.pool, "viewer1", &hash, false)
        .await
        .unwrap();
    let cookie = cookie_of(&t.login("viewer1", PASSWORD, "").await).unwrap();
    let req = Request::post(app::api::hosts::AddHost::PATH)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "name=x&uri=test%3A%2F%2F%2Fdefault&plant=&area=&line=&cell=",
        ))
        .unwrap();
    let resp = t.send(req).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    let audit = t.audit().await;
    assert!(
        audit.contains(&("host.add".into(), "denied".into())),
        "{audit:?}"
    );
    assert!(app::store::hosts::list(&t.state.pool, true)
        .await
        .unwrap()
        .is_empty());
}

/// The next `data:` line of an event stream, waited for with a bound.
async fn next_data(body: &mut Body) -> Option<String> {
    let read = async {
        while let Some(frame) = body.frame().await {
            let frame = frame.ok()?;
            let Some(bytes) = frame.data_ref() else {
                continue;
            };
            let text = String::from_utf8_lossy(bytes).into_owned();
            if let Some(data) = text.lines().find_map(|l| l.strip_prefix("data:")) {
                return Some(data.trim().to_string());
            }
        }
        None
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .ok()
        .flatten()
}

fn row_in(workspace: &str, uuid: &str) -> app::model::domain::DomainRow {
    app::model::domain::DomainRow {
        uuid: uuid.into(),
        name: format!("vm-{workspace}"),
        kind: app::model::domain::DomainKind::Vm,
        state: app::model::domain::DomainState::Running,
        vcpus: 1,
        memory_kib: 1024,
        disk_bytes: 0,
        host_id: 1,
        host_name: "h".into(),
        workspace: Some(workspace.into()),
        tags: Default::default(),
    }
}

#[tokio::test]
async fn the_event_stream_names_only_what_the_caller_may_see() {
    let t = spawn("events").await;
    let events = |cookie: Option<&str>| {
        let req = t.request("GET", "/events", cookie.unwrap_or_default());
        t.respond(req.body(Body::empty()).unwrap())
    };
    // Not signed in: refused, and the refusal is audited.
    assert_eq!(events(None).await.status(), StatusCode::UNAUTHORIZED);
    let audit = t.audit().await;
    assert!(
        audit.contains(&("domain.list".into(), "denied".into())),
        "{audit:?}"
    );

    // A member of `ops` hears of ops's domain by name, never of dev's.
    let pool = &t.state.pool;
    let ops = app::store::workspaces::ensure(pool, "ops", "Operations")
        .await
        .unwrap();
    app::store::workspaces::ensure(pool, "dev", "Development")
        .await
        .unwrap();
    let hash = app::auth::hash_password(PASSWORD.into()).await.unwrap();
    let member = app::store::users::insert(pool, "member1", &hash, false)
        .await
        .unwrap()
        .unwrap();
    app::store::workspaces::set_member(pool, ops, member, app::policy::Role::Viewer)
        .await
        .unwrap();
    let cookie = cookie_of(&t.login("member1", PASSWORD, "").await).unwrap();
    let resp = events(Some(&cookie)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let mut body = resp.into_body();
    assert!(next_data(&mut body).await.is_some(), "the hello event");
    let gateway = &t.state.gateway;
    gateway.add_host(app::gateway::HostSpec {
        id: 1,
        name: "h".into(),
        uri: "test:///default".into(),
        tags: Default::default(),
        demo: true,
    });
    let connected = gateway
        .wait_until(std::time::Duration::from_secs(10), |inv| {
            inv.hosts[&1].state == app::model::host::HostState::Connected
        })
        .await;
    assert!(connected);
    let dev_uuid = "11111111-dead-4000-8000-000000000001";
    let ops_uuid = "22222222-0000-4000-8000-000000000002";
    gateway.publish_domain(row_in("dev", dev_uuid));
    gateway.publish_domain(row_in("ops", ops_uuid));
    // Host-level pushes come first; none may name dev's domain.
    loop {
        let seen = next_data(&mut body).await.expect("a push for ops's domain");
        assert!(!seen.contains(dev_uuid), "{seen}");
        if seen.contains(ops_uuid) {
            break;
        }
    }
}
