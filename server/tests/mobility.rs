//! Who may move a domain and see or cancel its jobs, through the real
//! router: a viewer of the domain's workspace and an operator of another
//! are refused (403) and audited; a cross-origin move is refused; another
//! workspace's job is neither listed nor cancellable; a domain of the test
//! driver says why it cannot move (4xx, field `target`); the affinity
//! choices name only the hosts the member sees, and a pin naming another
//! host is refused (422, field `hosts`) and makes no rule.

mod harness;

use app::model::job::{DiskMode, JobKind};
use app::policy::Role;
use axum::body::Body;
use axum::http::{header, StatusCode};
use harness::{ServerFn, TestApp};

const UUID: &str = "33333333-0000-4000-8000-000000000003";

async fn workspace(t: &TestApp, slug: &str) -> i64 {
    sqlx::query_scalar("INSERT INTO workspaces (slug, name) VALUES (?, ?) RETURNING id")
        .bind(slug)
        .bind(slug)
        .fetch_one(&t.state.pool)
        .await
        .unwrap()
}

fn move_body(host: i64) -> String {
    format!("host_id={host}&uuid={UUID}&form%5Btarget%5D=auto")
}

#[tokio::test]
async fn only_operators_of_the_workspace_move_its_domains_and_see_its_jobs() {
    let (t, host) = TestApp::with_test_host("mobility-policy").await;
    let (ops, dev) = (workspace(&t, "ops").await, workspace(&t, "dev").await);
    let mut row = t
        .state
        .gateway
        .read(|inv| inv.domains_on(host).next().cloned())
        .expect("a test-driver domain");
    row.uuid = UUID.into();
    row.workspace = Some("ops".into());
    t.state.gateway.publish_domain(row.clone());
    let viewer = t.user("ops-viewer", Some((ops, Role::Viewer))).await;
    let outsider = t.user("dev-operator", Some((dev, Role::Operator))).await;
    let operator = t.user("ops-operator", Some((ops, Role::Operator))).await;
    let path = app::api::mobility::MigrateDomain::PATH;

    for (cookie, rule) in [
        (&viewer, "DenyViewerReadOnly"),
        (&outsider, "DenyNotMember"),
    ] {
        let reply = t.post_form(path, cookie, &move_body(host)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
        assert!(reply.body.contains(rule), "{}", reply.body);
    }
    let denied = t
        .audit()
        .await
        .into_iter()
        .filter(|(a, o)| a == "domain.migrate" && o == "denied")
        .count();
    assert_eq!(denied, 2, "both refusals are on record");

    // A page of another site cannot post a move for a signed-in operator.
    let forged = axum::http::Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::COOKIE, &operator)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(move_body(host)))
        .unwrap();
    assert_eq!(t.send(forged).await.status, StatusCode::FORBIDDEN);

    // The operator may; the test driver cannot migrate, and says so.
    let reply = t.post_form(path, &operator, &move_body(host)).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains("target") && reply.body.contains("MoveTestHost"),
        "{}",
        reply.body
    );

    // A job of the dev workspace: not listed to ops, not cancellable by it.
    let at = app::jobs::now();
    let job = app::store::jobs::insert(
        &t.state.pool,
        &app::store::jobs::NewJob {
            kind: JobKind::MigrateLive,
            host_id: host,
            target_host_id: None,
            domain_uuid: "44444444-0000-4000-8000-000000000004",
            domain_name: "dev-vm",
            workspace: Some("dev"),
            actor: "dev-operator",
            mode: DiskMode::Shared,
            started_at: &at,
        },
    )
    .await
    .unwrap();
    let list = app::api::mobility::ListJobs::PATH;
    let as_ops = t.call_as(&operator, list, &[]).await;
    assert_eq!(as_ops.status, StatusCode::OK, "{}", as_ops.body);
    assert!(!as_ops.body.contains("dev-vm"), "{}", as_ops.body);
    let as_dev = t.call_as(&outsider, list, &[]).await;
    assert!(as_dev.body.contains("dev-vm"), "{}", as_dev.body);
    let cancel = app::api::mobility::CancelJob::PATH;
    let id = job.to_string();
    let reply = t.call_as(&operator, cancel, &[("id", &id)]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(t
        .audit()
        .await
        .iter()
        .any(|(a, o)| a == "job.cancel" && o == "denied"));
    // Its own operator may ask; this server does not run it, and says so.
    let reply = t.call_as(&outsider, cancel, &[("id", &id)]).await;
    assert_eq!(reply.status.as_u16() / 100, 4, "{}", reply.body);
    assert!(reply.body.contains("JobNotRunning"), "{}", reply.body);

    // Affinity choices name only the hosts the member sees.
    t.state.gateway.add_host(app::gateway::HostSpec {
        id: 9_999,
        name: "hidden-host".into(),
        uri: "test:///default".into(),
        tags: Default::default(),
        demo: true,
    });
    let rules = t
        .call_as(
            &operator,
            app::api::affinity::AffinityOf::PATH,
            &[("host_id", &host.to_string()), ("uuid", UUID)],
        )
        .await;
    assert_eq!(rules.status, StatusCode::OK, "{}", rules.body);
    assert!(!rules.body.contains("hidden-host"), "{}", rules.body);

    // A pin naming a host outside those is refused, and makes no rule.
    let pin = format!(
        "host_id={host}&uuid={UUID}&form%5Bname%5D=pin&form%5Bkind%5D=pin&form%5Bstrength%5D=must&form%5Bhosts%5D%5B%5D=9999"
    );
    let reply = t
        .post_form(app::api::affinity::AddRule::PATH, &operator, &pin)
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(reply.body.contains("ErrAffinityHosts"), "{}", reply.body);
    let rules: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM affinity_rules")
        .fetch_one(&t.state.pool)
        .await
        .unwrap();
    assert_eq!(rules, 0);
    // Its own host may be named.
    let pin = pin.replace("9999", &host.to_string());
    let reply = t
        .post_form(app::api::affinity::AddRule::PATH, &operator, &pin)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}
