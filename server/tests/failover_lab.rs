//! Failover on the lab: a highly available tiny guest on shared storage
//! runs on h1; h1 loses power (its libvirtd and QEMU killed); once h1 is
//! fenced — an administrator confirms it is off, or its fencing program
//! reports success — the guest runs on h2; when h1 comes back its stale copy
//! is not started but undefined. `#[ignore]`d: `make test` runs them with
//! the lab up.

mod harness;

use std::time::{Duration, Instant};

use app::model::job::{JobKind, JobState};
use harness::fleet::*;
use harness::mobility::*;
use harness::{virsh, ServerFn};

/// Starts h1 again when dropped, whatever the test did.
struct PowerBack;

impl Drop for PowerBack {
    fn drop(&mut self) {
        lab_sh(&["start", "h1"]);
    }
}

fn lab_sh(args: &[&str]) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/lab.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "lab.sh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The highly available tiny guest (heartbeat on, disk on shared storage)
/// on h1; its name and UUID.
async fn ha_guest(lab: &Lab, pools: &MovePools, tag: &str) -> (String, String) {
    let h1 = lab.host_named("lab-h1");
    let name = format!("mw-ha-{tag}-{}", std::process::id());
    let host = h1.to_string();
    let mut fields = kernel_boot_fields(&name, &host);
    fields.retain(|(k, _)| !["cmdline", "disk_gib"].contains(k));
    fields.extend([
        ("cmdline", "console=ttyS0 panic=-1 quiet mw.tick=1"),
        ("disk_gib", "1"),
        ("disk_format", "qcow2"),
        ("pool", pools.shared.as_str()),
        ("start", "on"),
    ]);
    let out = lab.create(&fields).await;
    assert!(out.contains(&name), "create: {out}");
    let uuid = lab.find(&name).unwrap().uuid;
    let reply = lab
        .call_as(
            &lab.cookie,
            app::api::mobility::SetHa::PATH,
            &[("host_id", &host), ("uuid", &uuid), ("on", "on")],
        )
        .await;
    assert!(reply.status.is_success(), "set HA: {}", reply.body);
    wait_ticks("h1", &name, 1).await;
    (name, uuid)
}

async fn wait_lost(lab: &Lab, h1: i64) {
    let start = Instant::now();
    while !lab.state.failover.status(h1).0 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "h1 never counted as lost"
        );
        let mut changes = lab.state.gateway.subscribe();
        let _ = tokio::time::timeout(Duration::from_millis(500), changes.recv()).await;
    }
}

/// h1 is started again; its stale copy of `name` must be undefined, never
/// started, while the guest runs on h2.
async fn h1_comes_back(lab: &Lab, name: &str) {
    lab_sh(&["start", "h1"]);
    let start = Instant::now();
    loop {
        let (on_h1, _) = defined_on(name);
        assert!(
            !virsh(&h1_uri(), &["domstate", name]).1.contains("running"),
            "the stale copy never runs"
        );
        if !on_h1 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the stale copy is still defined on h1"
        );
        tokio::time::sleep(Duration::from_millis(250)).await; // polling the lab host, which pushes nothing to us
    }
    assert!(virsh(&h2_uri(), &["domstate", name]).1.contains("running"));
    let audit = lab.audit().await;
    assert!(
        audit
            .iter()
            .any(|(a, o)| a == "domain.stale_copy" && o == "ok"),
        "{audit:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn after_h1_is_confirmed_off_its_ha_guest_runs_on_h2_and_the_stale_copy_never_starts() {
    let lab = lab_two("failover", &["--failover-grace-secs", "2"]).await;
    let pools = MovePools::new("fo");
    let h1 = lab.host_named("lab-h1");
    let (name, _) = ha_guest(&lab, &pools, "c").await;
    let _back = PowerBack;
    lab_sh(&["power-off", "h1"]);
    wait_lost(&lab, h1).await;
    // Not before fencing: nothing runs on h2 yet.
    assert_eq!(defined_on(&name), (false, false));
    let page = lab.get("/hosts", &lab.cookie).await.body;
    assert!(
        page.contains("data-lost=\"lost\""),
        "the hosts page shows h1 lost"
    );
    let reply = lab
        .call_as(
            &lab.cookie,
            app::api::mobility::ConfirmHostOff::PATH,
            &[("host_id", &h1.to_string())],
        )
        .await;
    assert!(reply.status.is_success(), "confirm: {}", reply.body);
    let job = lab
        .job_end(reply.body.trim().parse().unwrap(), Duration::from_secs(120))
        .await;
    assert_eq!(
        (job.kind, job.state),
        (JobKind::Failover, JobState::Succeeded),
        "{job:?}"
    );
    assert!(virsh(&h2_uri(), &["domstate", &name]).1.contains("running"));
    wait_ticks("h2", &name, 1).await;
    let audit = lab.audit().await;
    assert!(audit
        .iter()
        .any(|(a, o)| a == "domain.failover" && o == "ok"));
    assert!(audit.iter().any(|(a, o)| a == "host.fence" && o == "ok"));
    h1_comes_back(&lab, &name).await;
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_fencing_program_that_reports_success_fails_the_guest_over_by_itself() {
    let lab = lab_two(
        "fence",
        &["--failover-grace-secs", "2", "--fence", "lab-h1=/bin/true"],
    )
    .await;
    let pools = MovePools::new("fp");
    let (name, _) = ha_guest(&lab, &pools, "p").await;
    let _back = PowerBack;
    lab_sh(&["power-off", "h1"]);
    let start = Instant::now();
    while !virsh(&h2_uri(), &["domstate", &name]).1.contains("running") {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "no failover after the fencing program"
        );
        tokio::time::sleep(Duration::from_millis(250)).await; // polling the lab host, which pushes nothing to us
    }
    let audit = lab.audit().await;
    assert!(
        audit.iter().any(|(a, o)| a == "host.fence" && o == "ok"),
        "{audit:?}"
    );
    h1_comes_back(&lab, &name).await;
}
