//! Applying a consolidation plan on the lab's two hosts through the
//! dashboard: a plan read with one VM on each host, refused without the
//! confirmation and with a stale token (nothing moves), then applied — the
//! VM moves live, one host is left empty, in maintenance and powered down
//! by its program, and powered on again.
//! `#[ignore]`d: `make test` runs it with the lab up.

mod harness;

use std::time::Duration;

use app::model::consolidation::PlanView;
use app::model::host::Maintenance;
use app::model::job::{JobKind, JobState};
use harness::fleet::*;
use harness::mobility::*;
use harness::ServerFn;

const PLAN_LIMIT: Duration = Duration::from_secs(180);

/// A 64 MiB disk-less VM running on `host`.
async fn vm_on(lab: &Lab, name: &str, host: i64) {
    let host = host.to_string();
    let mut fields = vm_fields(name, &host);
    fields.push(("start", "on"));
    let out = lab.create(&fields).await;
    assert!(out.contains(name), "create: {out}");
}

/// The plan's settings as form fields: both lab hosts, every vCPU of a VM
/// without history counted busy, so that the two fit one host at 100 %.
fn query(h1: &str, h2: &str) -> Vec<(&'static str, String)> {
    vec![
        ("query[dataset]", "live".into()),
        ("query[percentile]", "p95".into()),
        ("query[headroom_pct]", "100".into()),
        ("query[window_days]", "14".into()),
        ("query[hosts][]", h1.into()),
        ("query[hosts][]", h2.into()),
    ]
}

async fn call(lab: &Lab, path: &str, fields: &[(&str, String)]) -> harness::Reply {
    let body: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    lab.call_as(&lab.cookie, path, &body).await
}

fn mode(lab: &Lab, host: i64) -> Maintenance {
    lab.state
        .gateway
        .read(|inv| inv.hosts.get(&host).map(|h| h.maintenance))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn an_applied_plan_moves_live_and_leaves_one_host_empty_in_maintenance() {
    let lab = lab_two(
        "plan",
        &[
            "--power-off",
            "lab-h1=true,lab-h2=true",
            "--power-on",
            "lab-h1=true,lab-h2=true",
        ],
    )
    .await;
    let (h1, h2) = (lab.host_named("lab-h1"), lab.host_named("lab-h2"));
    let (h1s, h2s) = (h1.to_string(), h2.to_string());
    let pid = std::process::id();
    let (a, b) = (format!("mw-plan-a-{pid}"), format!("mw-plan-b-{pid}"));
    vm_on(&lab, &a, h1).await;
    vm_on(&lab, &b, h2).await;

    let q = query(&h1s, &h2s);
    let reply = call(&lab, app::api::consolidation::ConsolidationPlan::PATH, &q).await;
    assert!(reply.status.is_success(), "plan: {}", reply.body);
    let view: PlanView = serde_json::from_str(&reply.body).expect("the plan as JSON");
    let plan = view.plan.as_ref().expect("the two VMs fit one host");
    assert_eq!((plan.hosts_before, plan.hosts_after), (2, 1), "{plan:?}");
    assert_eq!(plan.moves.len(), 1, "{:?}", plan.moves);
    assert_eq!(view.apply_blocked, None);
    let moved = plan.moves[0].domain.clone().unwrap();
    let emptied = plan.moves[0].from.clone();
    let (emptied_id, kept_id) = match emptied.as_str() {
        "lab-h1" => (h1, h2),
        _ => (h2, h1),
    };

    let apply = app::api::consolidation::ApplyPlan::PATH;
    // Not confirmed: refused naming the box, nothing moves.
    let mut fields = q.clone();
    fields.push(("token", view.token.clone()));
    let reply = call(&lab, apply, &fields).await;
    assert_eq!(reply.status.as_u16(), 422, "{}", reply.body);
    assert!(reply.body.contains("confirm"), "{}", reply.body);
    // A token of another plan (the fleet changed since): 409, nothing moves.
    let mut stale = q.clone();
    stale.push(("token", "0123456789abcdef01234567".into()));
    stale.push(("confirm", "on".into()));
    let reply = call(&lab, apply, &stale).await;
    assert_eq!(reply.status.as_u16(), 409, "{}", reply.body);
    assert!(reply.body.contains("token"), "{}", reply.body);
    assert_eq!(defined_on(&a), (true, false));
    assert_eq!(defined_on(&b), (false, true));

    fields.push(("confirm", "on".into()));
    // A user who is not an administrator may read the plan but not apply
    // it: 403, audited as refused, nothing moves.
    let user = lab.user(&format!("plan-user-{pid}"), None).await;
    let body: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = lab.call_as(&user, apply, &body).await;
    assert_eq!(reply.status.as_u16(), 403, "{}", reply.body);
    let audit = lab.audit().await;
    assert!(
        audit.contains(&("consolidation.apply".into(), "denied".into())),
        "{audit:?}"
    );
    assert_eq!(defined_on(&a), (true, false));

    let reply = call(&lab, apply, &fields).await;
    assert!(reply.status.is_success(), "apply: {}", reply.body);
    let id: i64 = reply.body.trim().parse().expect("a job id");
    // Paused at once, it holds before its next step — at the latest before
    // powering the emptied host down; resumed, it ends.
    let pause = app::api::mobility::SetJobPaused::PATH;
    let paused = [("id", id.to_string()), ("paused", "true".into())];
    let reply = call(&lab, pause, &paused).await;
    assert!(reply.status.is_success(), "pause: {}", reply.body);
    let held = lab
        .wait_job(id, "paused", PLAN_LIMIT, |j| j.phase.starts_with("paused:"))
        .await;
    assert!(held.state.is_open(), "{held:?}");
    assert_eq!(
        mode(&lab, emptied_id),
        Maintenance::Off,
        "not yet powered down"
    );
    let resume = [("id", id.to_string()), ("paused", "false".into())];
    let reply = call(&lab, pause, &resume).await;
    assert!(reply.status.is_success(), "resume: {}", reply.body);
    let job = lab.job_end(id, PLAN_LIMIT).await;
    assert_eq!(job.kind, JobKind::Plan);
    assert_eq!(job.state, JobState::Succeeded, "{job:?}");

    // Both VMs run on the kept host; the other is empty, in maintenance,
    // and powered down by its program.
    let on_kept = |name: &str| {
        let (on1, on2) = defined_on(name);
        if kept_id == h1 {
            on1 && !on2
        } else {
            on2 && !on1
        }
    };
    assert!(on_kept(&a) && on_kept(&b), "both on the kept host");
    for name in [&a, &b] {
        let row = lab.find(name).expect("listed");
        assert_eq!(row.host_id, kept_id);
        assert!(row.state.is_active(), "{name} still runs");
    }
    assert_eq!(mode(&lab, emptied_id), Maintenance::On);
    assert_eq!(mode(&lab, kept_id), Maintenance::Off);
    let power = app::store::power::all(&lab.state.pool).await.unwrap();
    assert_eq!(power, vec![(emptied_id, "off".to_string())]);
    let moves = app::store::jobs::list(&lab.state.pool, &Default::default(), None, 20)
        .await
        .unwrap();
    let live = moves
        .iter()
        .find(|j| j.domain_name == moved)
        .expect("the move's own job");
    assert_eq!(live.kind, JobKind::MigrateLive);
    assert_eq!(live.state, JobState::Succeeded);
    let audit = lab.audit().await;
    for action in ["consolidation.apply", "domain.migrate", "host.power_off"] {
        assert!(
            audit.iter().any(|(a, o)| a == action && o == "ok"),
            "{action} audited: {audit:?}"
        );
    }
    let hosts = lab.get("/hosts", &lab.cookie).await.body;
    assert!(
        hosts.contains("data-power=\"off\""),
        "the Hosts page shows it"
    );

    // Powered on again by its program; it stays in maintenance.
    let on = app::api::mobility::PowerOnHost::PATH;
    let reply = call(&lab, on, &[("host_id", emptied_id.to_string())]).await;
    assert!(reply.status.is_success(), "power on: {}", reply.body);
    assert!(app::store::power::all(&lab.state.pool)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(mode(&lab, emptied_id), Maintenance::On);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_stopped_plan_powers_nothing_down() {
    let lab = lab_two("plan-stop", &["--power-off", "lab-h1=true,lab-h2=true"]).await;
    let (h1, h2) = (lab.host_named("lab-h1"), lab.host_named("lab-h2"));
    let pid = std::process::id();
    let (a, b) = (format!("mw-stop-a-{pid}"), format!("mw-stop-b-{pid}"));
    vm_on(&lab, &a, h1).await;
    vm_on(&lab, &b, h2).await;
    let mut fields = query(&h1.to_string(), &h2.to_string());
    let reply = call(
        &lab,
        app::api::consolidation::ConsolidationPlan::PATH,
        &fields,
    )
    .await;
    let view: PlanView = serde_json::from_str(&reply.body).expect("the plan as JSON");
    fields.push(("token", view.token.clone()));
    fields.push(("confirm", "on".into()));
    let reply = call(&lab, app::api::consolidation::ApplyPlan::PATH, &fields).await;
    assert!(reply.status.is_success(), "apply: {}", reply.body);
    let id: i64 = reply.body.trim().parse().expect("a job id");
    let pause = [("id", id.to_string()), ("paused", "true".into())];
    call(&lab, app::api::mobility::SetJobPaused::PATH, &pause).await;
    lab.wait_job(id, "paused", PLAN_LIMIT, |j| j.phase.starts_with("paused:"))
        .await;
    // Stopped while paused: it ends cancelled, and no host goes into
    // maintenance or is powered down.
    let stop = [("id", id.to_string())];
    let reply = call(&lab, app::api::mobility::CancelJob::PATH, &stop).await;
    assert!(reply.status.is_success(), "stop: {}", reply.body);
    let job = lab.job_end(id, PLAN_LIMIT).await;
    assert_eq!(job.state, JobState::Cancelled, "{job:?}");
    assert_eq!(job.message, Some(app::i18n::Key::PlanStopped));
    for host in [h1, h2] {
        assert_eq!(mode(&lab, host), Maintenance::Off);
    }
    assert!(app::store::power::all(&lab.state.pool)
        .await
        .unwrap()
        .is_empty());
    // Both VMs still run, wherever the stop found them.
    for name in [&a, &b] {
        assert!(lab.find(name).expect("listed").state.is_active(), "{name}");
    }
    let audit = lab.audit().await;
    assert!(
        audit
            .iter()
            .any(|(a, o)| a == "consolidation.apply" && o == "failed"),
        "{audit:?}"
    );
}
