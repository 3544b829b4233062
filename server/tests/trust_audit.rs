//! The audit cannot be skipped: a change runs to its end when the client
//! hangs up, a host change is on record before the host is touched (or not
//! done), and a restart releases stale quota reservations. In-process, a
//! fresh SQLite file per test.

use axum::body::Body;
use axum::http::{header, StatusCode};

mod harness;

use harness::{ServerFn, TestApp};

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
