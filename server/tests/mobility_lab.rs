//! Moving VMs between the lab's two hosts through the dashboard: the tiny
//! guest migrates live with its disk on shared storage and back while its
//! serial heartbeat goes on (no restart), its progress reaches the page, an
//! aborted move leaves it where it was, a VM with a disk only its host sees
//! moves with the disk copied, and a move cut off by a server restart is
//! shown interrupted, then reconciled from libvirt. `#[ignore]`d: `make
//! test` runs them with the lab up.

mod harness;

use std::time::Duration;

use app::model::job::{DiskMode, JobState};
use harness::fleet::*;
use harness::mobility::*;
use harness::virsh;

const MOVE_LIMIT: Duration = Duration::from_secs(120);

/// The tiny guest with a heartbeat on its console and a 1 GiB qcow2 disk
/// in `pool`, running on `host`.
async fn ticking_guest(
    lab: &Lab,
    name: &str,
    host: i64,
    pool: &str,
) -> app::model::domain::DomainRow {
    let host = host.to_string();
    let mut fields = kernel_boot_fields(name, &host);
    fields.retain(|(k, _)| !["cmdline", "disk_gib"].contains(k));
    fields.extend([
        ("cmdline", "console=ttyS0 panic=-1 quiet mw.tick=1"),
        ("disk_gib", "1"),
        ("disk_format", "qcow2"),
        ("pool", pool),
        ("start", "on"),
    ]);
    let out = lab.create(&fields).await;
    assert!(out.contains(name), "create: {out}");
    lab.find(name).expect("published")
}

/// The `data-percent` values of the running jobs on the Jobs page.
async fn percents_on_page(lab: &Lab) -> Vec<u32> {
    let page = lab.get("/jobs?state=running", &lab.cookie).await.body;
    page.split("data-percent=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn the_tiny_guest_moves_live_and_back_its_progress_shows_and_an_abort_leaves_it_home() {
    let lab = lab_two("move-live", &[]).await;
    let pools = MovePools::new("mvl");
    let (h1, h2) = (lab.host_named("lab-h1"), lab.host_named("lab-h2"));
    let name = format!("mw-move-{}", std::process::id());
    let row = ticking_guest(&lab, &name, h1, &pools.shared).await;
    let before = *wait_ticks("h1", &name, 2).await.last().unwrap();

    // h1 → h2, disk on shared storage.
    let job = lab.start_move(h1, &row.uuid, &h2.to_string(), "").await;
    let done = lab.job_end(job, MOVE_LIMIT).await;
    assert_succeeded(&done);
    assert_eq!(done.mode, DiskMode::Shared);
    assert!(
        done.figures.downtime_ms.is_some(),
        "downtime recorded: {done:?}"
    );
    println!(
        "live move h1 → h2 (shared): {} ms, downtime {:?} ms",
        done.figures.elapsed_ms, done.figures.downtime_ms
    );
    assert_eq!(
        defined_on(&name),
        (false, true),
        "persistent on h2, undefined on h1"
    );
    lab.wait("the VM listed on h2", Duration::from_secs(10), |inv| {
        inv.domain(h2, &row.uuid).is_some() && inv.domain(h1, &row.uuid).is_none()
    })
    .await;
    // Its console goes on counting on h2: the guest was not restarted.
    let on_h2 = wait_ticks("h2", &name, before).await;
    assert!(on_h2[0] > 1, "the heartbeat went on: {on_h2:?}");
    assert!(
        !serial_log("h2", &name).contains("MILLWRIGHT-GUEST-UP"),
        "no second boot"
    );
    // The workspace followed (it lives in the domain's metadata).
    let moved = lab.find(&name).unwrap();
    assert_eq!(moved.workspace.as_deref(), Some(workspace_slug().as_str()));

    // Back to h1 by placement ("auto": the only other host).
    let job = lab.start_move(h2, &row.uuid, "auto", "").await;
    assert_succeeded(&lab.job_end(job, MOVE_LIMIT).await);
    assert_eq!(defined_on(&name), (true, false));
    let back = *wait_ticks("h1", &name, *on_h2.last().unwrap())
        .await
        .last()
        .unwrap();

    // A slow move: its progress reaches the Jobs page, then it is cancelled.
    let job = lab.start_move(h1, &row.uuid, &h2.to_string(), "2").await;
    let seen = see_progress(&lab).await;
    println!("progress seen on the Jobs page: {seen:?}");
    let cancel = lab
        .call_as(
            &lab.cookie,
            <app::api::mobility::CancelJob as leptos::server_fn::ServerFn>::PATH,
            &[("id", &job.to_string())],
        )
        .await;
    assert!(cancel.status.is_success(), "cancel: {}", cancel.body);
    let ended = lab.job_end(job, MOVE_LIMIT).await;
    assert_eq!(ended.state, JobState::Cancelled, "{ended:?}");
    assert_eq!(defined_on(&name), (true, false), "it stayed on h1");
    assert!(virsh(&h1_uri(), &["domstate", &name]).1.contains("running"));
    wait_ticks("h1", &name, back + 1).await;

    // The audit log has each move's start and end.
    let audit = lab.audit().await;
    let moves: Vec<&str> = audit
        .iter()
        .filter(|(a, _)| a == "domain.migrate")
        .map(|(_, o)| o.as_str())
        .collect();
    assert_eq!(
        moves.iter().filter(|o| **o == "started").count(),
        3,
        "{moves:?}"
    );
    assert_eq!(moves.iter().filter(|o| **o == "ok").count(), 2, "{moves:?}");
    assert_eq!(
        moves.iter().filter(|o| **o == "failed").count(),
        1,
        "{moves:?}"
    );
    assert!(audit.iter().any(|(a, o)| a == "job.cancel" && o == "ok"));
}

/// Reads the Jobs page, woken by pushes, until it showed three increasing
/// progress values of the running move; those values.
async fn see_progress(lab: &Lab) -> Vec<u32> {
    let start = std::time::Instant::now();
    let mut changes = lab.state.gateway.subscribe();
    let mut seen: Vec<u32> = Vec::new();
    while seen.len() < 3 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "progress seen: {seen:?}"
        );
        if let Some(p) = percents_on_page(lab).await.first().copied() {
            if seen.last().is_none_or(|last| p > *last) {
                seen.push(p);
            }
        }
        let _ = tokio::time::timeout(Duration::from_millis(500), changes.recv()).await;
    }
    seen
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_disk_only_its_host_sees_is_copied_during_a_live_move() {
    let lab = lab_two("move-copy", &[]).await;
    let pools = MovePools::new("mvc");
    let (h1, h2) = (lab.host_named("lab-h1"), lab.host_named("lab-h2"));
    let name = format!("mw-copy-{}", std::process::id());
    let row = ticking_guest(&lab, &name, h1, &pools.local).await;
    let before = *wait_ticks("h1", &name, 2).await.last().unwrap();
    assert!(
        pools.local_files("h1").iter().any(|f| f.starts_with(&name)),
        "{:?}",
        pools.local_files("h1")
    );
    assert!(pools.local_files("h2").is_empty());

    let job = lab.start_move(h1, &row.uuid, &h2.to_string(), "").await;
    let done = lab.job_end(job, MOVE_LIMIT).await;
    assert_succeeded(&done);
    assert_eq!(done.mode, DiskMode::Copy);
    println!(
        "live move with its disk copied: {} ms",
        done.figures.elapsed_ms
    );
    assert_eq!(defined_on(&name), (false, true));
    // The disk is on h2 now, and its copy on h1 is gone.
    assert!(
        pools.local_files("h2").iter().any(|f| f.starts_with(&name)),
        "{:?}",
        pools.local_files("h2")
    );
    assert!(
        pools.local_files("h1").is_empty(),
        "{:?}",
        pools.local_files("h1")
    );
    let on_h2 = wait_ticks("h2", &name, before).await;
    assert!(on_h2[0] > 1, "{on_h2:?}");

    // And back.
    let job = lab.start_move(h2, &row.uuid, &h1.to_string(), "").await;
    assert_succeeded(&lab.job_end(job, MOVE_LIMIT).await);
    assert_eq!(defined_on(&name), (true, false));
    assert!(pools.local_files("h2").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn pre_checks_refuse_with_the_field_and_the_rule_before_anything_moves() {
    let lab = lab_two("move-check", &[]).await;
    let pools = MovePools::new("mvk");
    let (h1, h2) = (lab.host_named("lab-h1"), lab.host_named("lab-h2"));
    let name = format!("mw-check-{}", std::process::id());
    let row = ticking_guest(&lab, &name, h1, &pools.shared).await;
    for (target, bandwidth, field, rule) in [
        ("999999", "", "target", "ErrHostNotAllowed"),
        (&h1.to_string() as &str, "", "target", "ErrHostNotAllowed"),
        (&h2.to_string(), "lots", "bandwidth_mib", "ErrMoveBandwidth"),
    ] {
        let reply = lab.move_domain(h1, &row.uuid, target, bandwidth).await;
        assert_eq!(reply.status.as_u16(), 422, "{}", reply.body);
        assert!(
            reply.body.contains(field) && reply.body.contains(rule),
            "{}",
            reply.body
        );
    }
    // A shut-off VM with a disk only h1 sees moves offline, its disk
    // copied through the storage API, then removed from h1.
    let local = format!("mw-checkl-{}", std::process::id());
    let off = ticking_guest(&lab, &local, h1, &pools.local).await;
    lab.power(&off, "force-off").await;
    lab.wait_state(&local, app::model::domain::DomainState::Shutoff)
        .await;
    let job = lab.start_move(h1, &off.uuid, &h2.to_string(), "").await;
    let done = lab.job_end(job, MOVE_LIMIT).await;
    assert_succeeded(&done);
    assert_eq!(
        (done.kind, done.mode),
        (app::model::job::JobKind::MoveOffline, DiskMode::Copy)
    );
    assert_eq!(defined_on(&local), (false, true));
    assert!(
        pools
            .local_files("h2")
            .iter()
            .any(|f| f.starts_with(&local)),
        "{:?}",
        pools.local_files("h2")
    );
    assert!(
        pools.local_files("h1").is_empty(),
        "{:?}",
        pools.local_files("h1")
    );
    assert_eq!(defined_on(&name), (true, false));
    // A shut-off VM on shared storage moves offline.
    lab.power(&row, "force-off").await;
    lab.wait_state(&name, app::model::domain::DomainState::Shutoff)
        .await;
    let job = lab.start_move(h1, &row.uuid, &h2.to_string(), "").await;
    let done = lab.job_end(job, MOVE_LIMIT).await;
    assert_succeeded(&done);
    assert_eq!(done.kind, app::model::job::JobKind::MoveOffline);
    assert_eq!(defined_on(&name), (false, true));
    assert!(lab
        .audit()
        .await
        .iter()
        .any(|(a, o)| a == "domain.migrate" && o == "failed"));
}

#[test]
#[ignore = "needs the lab: make test"]
fn a_move_cut_off_by_a_server_stop_shows_interrupted_then_its_real_end() {
    // The first server runs on a runtime of its own; shutting that runtime
    // down ends its tasks mid-move as a stop would (the job stays
    // "running" in its database), while libvirt carries the migration on.
    let first = std::thread::spawn(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let out = rt.block_on(async {
            let lab = lab_two("move-restart", &[]).await;
            let pools = MovePools::new("mvr");
            let (h1, h2) = (lab.host_named("lab-h1"), lab.host_named("lab-h2"));
            let name = format!("mw-restart-{}", std::process::id());
            let row = ticking_guest(&lab, &name, h1, &pools.shared).await;
            wait_ticks("h1", &name, 1).await;
            let job = lab.start_move(h1, &row.uuid, &h2.to_string(), "4").await;
            lab.wait_job(job, "under way", Duration::from_secs(30), |j| j.percent > 0)
                .await;
            let out = (lab.dir.clone(), job, name, row.uuid.clone());
            // Stopped, not shut down: nothing of it is cleaned up.
            std::mem::forget(pools);
            std::mem::forget(lab);
            out
        });
        rt.shutdown_background();
        out
    });
    let (dir, job, name, uuid) = first.join().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let lab = lab_two_again(dir).await;
        let _pools = MovePools::adopt("mvr");
        let seen = lab.job(job).await;
        assert_eq!(seen.state, JobState::Interrupted, "{seen:?}");
        assert!(!seen.reconciled);
        let page = lab.get("/jobs", &lab.cookie).await.body;
        assert!(
            page.contains("data-job-state=\"interrupted\""),
            "shown interrupted"
        );
        let end = lab
            .wait_job(job, "reconciled", Duration::from_secs(180), |j| {
                j.reconciled
            })
            .await;
        println!("reconciled after the restart: {:?}", end.state);
        let (on_h1, on_h2) = defined_on(&name);
        match end.state {
            JobState::Succeeded => assert!(on_h2 && !on_h1),
            JobState::Failed => assert!(on_h1 && !on_h2),
            other => panic!("not an end: {other:?}"),
        }
        let h2 = lab.host_named("lab-h2");
        if on_h2 {
            lab.wait("listed on h2", Duration::from_secs(10), |inv| {
                inv.domain(h2, &uuid).is_some()
            })
            .await;
        }
        assert!(lab
            .audit()
            .await
            .iter()
            .any(|(a, o)| a == "domain.migrate" && (o == "ok" || o == "failed")));
    });
}
