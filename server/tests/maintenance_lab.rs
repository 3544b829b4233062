//! Maintenance and affinity on the lab's two hosts through the dashboard:
//! entering maintenance on h1 drains its VMs to h2 at most two at once, a
//! VM pinned to h1 is reported as not movable with its rule named, leaving
//! moves the others back; a keep-apart rule holds through a drain; a new
//! VM that joins a rule is placed by it, or refused naming it when no host
//! keeps it (nothing made).
//! `#[ignore]`d: `make test` runs them with the lab up.

mod harness;

use std::time::Duration;

use app::model::host::Maintenance;
use app::model::job::{JobKind, JobState, JobView};
use harness::fleet::*;
use harness::mobility::*;
use harness::ServerFn;

const DRAIN_LIMIT: Duration = Duration::from_secs(180);

/// A 64 MiB disk-less VM running on `host`; its UUID.
async fn vm_on(lab: &Lab, name: &str, host: i64) -> String {
    let host = host.to_string();
    let mut fields = vm_fields(name, &host);
    fields.push(("start", "on"));
    let out = lab.create(&fields).await;
    assert!(out.contains(name), "create: {out}");
    lab.find(name).expect("published").uuid
}

async fn rule(lab: &Lab, host: i64, uuid: &str, fields: &[(&str, &str)]) {
    let mut body = vec![("host_id", host.to_string()), ("uuid", uuid.to_string())];
    body.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let body: Vec<(&str, &str)> = body.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = lab
        .call_as(&lab.cookie, app::api::affinity::AddRule::PATH, &body)
        .await;
    assert!(reply.status.is_success(), "rule: {}", reply.body);
}

async fn maintenance(lab: &Lab, path: &str, fields: &[(&str, &str)]) -> i64 {
    let reply = lab.call_as(&lab.cookie, path, fields).await;
    assert!(reply.status.is_success(), "{path}: {}", reply.body);
    reply.body.trim().parse().expect("a job id")
}

fn mode(lab: &Lab, host: i64) -> Maintenance {
    lab.state
        .gateway
        .read(|inv| inv.hosts.get(&host).map(|h| h.maintenance))
        .unwrap()
}

/// The most moves of `jobs` that ran at one time.
fn most_at_once(jobs: &[JobView]) -> usize {
    jobs.iter()
        .map(|j| {
            let end = j.ended_at.clone().unwrap_or_default();
            jobs.iter()
                .filter(|o| {
                    o.started_at <= j.started_at
                        && o.ended_at.clone().unwrap_or_default() > j.started_at
                })
                .count()
                .max(usize::from(!end.is_empty()))
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_drain_moves_two_at_a_time_names_what_is_pinned_and_leaving_moves_back() {
    // Slow moves (8 MiB/s) so that they overlap and the limit shows.
    let lab = lab_two("maint", &["--migration-bandwidth-mib", "8"]).await;
    let (h1, h2) = (lab.host_named("lab-h1"), lab.host_named("lab-h2"));
    let pid = std::process::id();
    let names: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|n| format!("mw-mnt-{n}-{pid}"))
        .collect();
    for name in &names {
        vm_on(&lab, name, h1).await;
    }
    let pinned = format!("mw-mnt-pin-{pid}");
    let pin_uuid = vm_on(&lab, &pinned, h1).await;
    let h1s = h1.to_string();
    rule(
        &lab,
        h1,
        &pin_uuid,
        &[
            ("form[name]", "stays-on-h1"),
            ("form[kind]", "pin"),
            ("form[strength]", "must"),
            ("form[hosts][]", &h1s),
        ],
    )
    .await;

    let enter = app::api::mobility::EnterMaintenance::PATH;
    let job = maintenance(&lab, enter, &[("host_id", &h1s)]).await;
    let drain = lab.job_end(job, DRAIN_LIMIT).await;
    assert_eq!(drain.kind, JobKind::Drain);
    assert_eq!(
        drain.state,
        JobState::Failed,
        "the pinned VM stays: {drain:?}"
    );
    assert_eq!(mode(&lab, h1), Maintenance::Entering);
    for name in &names {
        assert_eq!(defined_on(name), (false, true), "{name} moved to h2");
    }
    assert_eq!(defined_on(&pinned), (true, false));
    let blockers = app::store::maintenance::blockers(&lab.state.pool, h1)
        .await
        .unwrap();
    assert_eq!(blockers.len(), 1, "{blockers:?}");
    assert_eq!(blockers[0].domain_name, pinned);
    assert_eq!(blockers[0].reason, app::i18n::Key::MoveAffinity);
    assert_eq!(blockers[0].detail, "stays-on-h1");
    let page = lab.get("/hosts", &lab.cookie).await.body;
    assert!(page.contains("data-maintenance=\"entering\"") && page.contains(&pinned));

    // At most two at once, and two did run together.
    let moves: Vec<JobView> =
        app::store::jobs::list(&lab.state.pool, &Default::default(), None, 50)
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.kind == JobKind::MigrateLive && names.contains(&j.domain_name))
            .collect();
    assert_eq!(moves.len(), 3);
    let most = most_at_once(&moves);
    println!("moves at once during the drain: {most}");
    assert_eq!(most, 2, "{moves:#?}");

    // A new VM is not placed on h1 while it drains.
    let auto = format!("mw-mnt-new-{pid}");
    let mut fields = vm_fields(&auto, "auto");
    fields.push(("start", "on"));
    lab.create(&fields).await;
    assert_eq!(defined_on(&auto), (false, true));

    // Forced into maintenance, then out with the others moved back.
    maintenance(&lab, enter, &[("host_id", &h1s), ("force", "on")]).await;
    assert_eq!(mode(&lab, h1), Maintenance::On);
    let leave = app::api::mobility::LeaveMaintenance::PATH;
    let job = maintenance(&lab, leave, &[("host_id", &h1s), ("move_back", "on")]).await;
    let back = lab.job_end(job, DRAIN_LIMIT).await;
    assert_eq!(back.state, JobState::Succeeded, "{back:?}");
    assert_eq!(mode(&lab, h1), Maintenance::Off);
    for name in &names {
        assert_eq!(defined_on(name), (true, false), "{name} moved back");
    }
    assert_eq!(
        defined_on(&auto),
        (false, true),
        "only what the drain moved goes back"
    );
    let audit = lab.audit().await;
    assert!(
        audit
            .iter()
            .filter(|(a, o)| a == "host.maintenance" && o == "ok")
            .count()
            >= 3
    );
    let _ = h2;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn keep_apart_holds_through_a_drain() {
    let lab = lab_two("apart", &[]).await;
    let h1 = lab.host_named("lab-h1");
    let pid = std::process::id();
    let (x, y) = (format!("mw-gw1-{pid}"), format!("mw-gw2-{pid}"));
    let x_uuid = vm_on(&lab, &x, h1).await;
    let y_uuid = vm_on(&lab, &y, h1).await;
    rule(
        &lab,
        h1,
        &x_uuid,
        &[
            ("form[name]", "line-3-gateways"),
            ("form[kind]", "apart"),
            ("form[strength]", "must"),
            ("form[others][]", &y_uuid),
        ],
    )
    .await;
    let h1s = h1.to_string();
    let job = maintenance(
        &lab,
        app::api::mobility::EnterMaintenance::PATH,
        &[("host_id", &h1s)],
    )
    .await;
    let drain = lab.job_end(job, DRAIN_LIMIT).await;
    assert_eq!(drain.state, JobState::Failed);
    // One gateway went to h2; the other could not follow it there.
    let (x_at, y_at) = (defined_on(&x), defined_on(&y));
    assert_ne!(x_at, y_at, "never both on one host: {x_at:?} {y_at:?}");
    let blockers = app::store::maintenance::blockers(&lab.state.pool, h1)
        .await
        .unwrap();
    assert_eq!(blockers.len(), 1, "{blockers:?}");
    assert_eq!(blockers[0].detail, "line-3-gateways");
    maintenance(
        &lab,
        app::api::mobility::LeaveMaintenance::PATH,
        &[("host_id", &h1s)],
    )
    .await;
}

async fn rule_id(lab: &Lab, name: &str) -> String {
    app::store::affinity::all(&lab.state.pool)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == name)
        .expect("the rule")
        .id
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_new_vm_joins_a_rule_and_placement_keeps_it() {
    let lab = lab_two("join", &[]).await;
    let (h1, h2) = (lab.host_named("lab-h1"), lab.host_named("lab-h2"));
    let pid = std::process::id();
    let [x, y, busy, z, w] =
        ["gwx", "gwy", "busy", "gwz", "pinned"].map(|n| format!("mw-{n}-{pid}"));
    let x_uuid = vm_on(&lab, &x, h1).await;
    let y_uuid = vm_on(&lab, &y, h2).await;
    vm_on(&lab, &busy, h2).await;
    rule(
        &lab,
        h1,
        &x_uuid,
        &[
            ("form[name]", "line-4-gateways"),
            ("form[kind]", "apart"),
            ("form[strength]", "must"),
            ("form[others][]", &y_uuid),
        ],
    )
    .await;
    // A third gateway kept apart from both: no host is left; refused on
    // the field, naming the rule, and nothing is made.
    let apart = rule_id(&lab, "line-4-gateways").await;
    let mut fields = vm_fields(&z, "auto");
    fields.push(("affinity", &apart));
    let reply = lab.create_reply(&fields).await;
    assert_eq!(reply.status.as_u16(), 422, "{}", reply.body);
    assert!(
        reply.body.contains("affinity") && reply.body.contains("line-4-gateways"),
        "{}",
        reply.body
    );
    assert!(lab.find(&z).is_none());
    assert_eq!(defined_on(&z), (false, false));

    // Pinned to h2, the busier host spread would not choose: placed there,
    // and the rule names it.
    let h2s = h2.to_string();
    rule(
        &lab,
        h1,
        &x_uuid,
        &[
            ("form[name]", "on-h2"),
            ("form[kind]", "pin"),
            ("form[strength]", "must"),
            ("form[hosts][]", &h2s),
        ],
    )
    .await;
    let pin = rule_id(&lab, "on-h2").await;
    let mut fields = vm_fields(&w, "auto");
    fields.push(("affinity", &pin));
    let out = lab.create(&fields).await;
    assert!(out.contains(&w), "{out}");
    let made = lab.find(&w).expect("published");
    assert_eq!(made.host_id, h2);
    let rules = app::store::affinity::all(&lab.state.pool).await.unwrap();
    let on_h2 = rules.iter().find(|r| r.name == "on-h2").unwrap();
    assert!(
        on_h2.domains.contains(&made.uuid.to_ascii_lowercase()),
        "{on_h2:?}"
    );
}
