//! Migration benchmark on the lab. (1) Live migration of the tiny guest
//! between h1 and h2, both ways: Millwright (the Move form posted, until its
//! job is done) against bare `virsh migrate --live --p2p --persistent
//! --undefinesource` of the same VM in the same run — total time and
//! downtime, medians. (2) A drain of 6 VMs, 2 at a time (entering
//! maintenance on h1), against the same 6 migrations run by a shell loop
//! two at a time, in the same run.
//!
//! Needs the lab: `scripts/lab.sh up && eval "$(scripts/lab.sh env)"`, then
//! `cargo run --release -p millwright --bin bench-migrate [-- ROUNDS]`.
//! Prints figures, asserts nothing about time.

#[path = "support/lab.rs"]
mod lab;

use std::process::Command;
use std::time::{Duration, Instant};

use app::domxml::build::{Boot, DomainSpec, Flavor};
use app::gateway::probe::{bare_define_and_start, remove_prefixed};
use app::model::job::JobView;
use lab::{env, median, ms, Client};
use leptos::server_fn::ServerFn;

fn spec(name: &str, memory_mib: u64, kernel: Option<(&str, &str)>) -> String {
    DomainSpec {
        name: name.into(),
        vcpus: 1,
        memory_mib,
        network: None,
        workspace: Some("bench".into()),
        tags: Default::default(),
        limits: Default::default(),
        flavor: Flavor::Vm {
            hypervisor: "qemu".into(),
            emulator: None,
            disk: None,
            boot: match kernel {
                Some((kernel, initrd)) => Boot::Kernel {
                    kernel: kernel.into(),
                    initrd: initrd.into(),
                    cmdline: "console=ttyS0 panic=-1 quiet".into(),
                },
                None => Boot::Disk,
            },
        },
    }
    .to_xml()
}

/// Waits until job `id` ended, woken by the server's pushes.
async fn job_end(state: &app::state::AppState, id: i64) -> JobView {
    let mut changes = state.gateway.subscribe();
    loop {
        let job = app::store::jobs::get(&state.pool, id)
            .await
            .unwrap()
            .unwrap();
        if !job.state.is_open() {
            return job;
        }
        let _ = tokio::time::timeout(Duration::from_millis(200), changes.recv()).await;
    }
}

/// Waits until the inventory lists `name` on `host`.
async fn listed(state: &app::state::AppState, host: i64, name: &str) -> String {
    let found = state
        .gateway
        .wait_until(Duration::from_secs(30), |inv| {
            inv.domains_on(host).any(|d| d.name == name)
        })
        .await;
    assert!(found, "{name} listed");
    state
        .gateway
        .read(|inv| {
            inv.domains_on(host)
                .find(|d| d.name == name)
                .map(|d| d.uuid.clone())
        })
        .unwrap()
}

/// Millwright: post the move, wait for its job; (wall time, downtime ms).
async fn ours(
    client: &Client,
    state: &app::state::AppState,
    from: i64,
    to: i64,
    name: &str,
) -> (Duration, u64) {
    let uuid = listed(state, from, name).await;
    let body = format!("host_id={from}&uuid={uuid}&form%5Btarget%5D={to}");
    let started = Instant::now();
    let (ok, text, _) = client
        .post(app::api::mobility::MigrateDomain::PATH, body)
        .await;
    assert!(ok, "move: {text}");
    let job = job_end(state, text.trim().parse().unwrap()).await;
    let took = started.elapsed();
    assert_eq!(job.state, app::model::job::JobState::Succeeded, "{job:?}");
    (took, job.figures.downtime_ms.unwrap_or(0))
}

/// Bare virsh: (wall time, downtime ms from the target's completed job).
fn bare(from: &str, to: &str, name: &str) -> (Duration, u64) {
    let started = Instant::now();
    let out = Command::new("virsh")
        .args([
            "-c",
            from,
            "migrate",
            "--live",
            "--p2p",
            "--persistent",
            "--undefinesource",
            name,
            to,
        ])
        .output()
        .expect("virsh runs");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "virsh migrate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info = Command::new("virsh")
        .args(["-c", to, "domjobinfo", "--completed", name])
        .output()
        .expect("virsh runs");
    let downtime = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find(|l| l.starts_with("Total downtime:"))
        .and_then(|l| l.split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(0);
    (took, downtime)
}

fn med(v: &[u64]) -> u64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter("app::gateway=error")
        .init();
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let (h1, h2) = (env("MILLWRIGHT_LAB_H1_URI"), env("MILLWRIGHT_LAB_H2_URI"));
    let (kernel, initrd) = (env("MILLWRIGHT_LAB_KERNEL"), env("MILLWRIGHT_LAB_INITRD"));
    remove_prefixed(&h1, "mw-bench-mig-");
    remove_prefixed(&h2, "mw-bench-mig-");
    let pid = std::process::id();
    let dir = std::env::temp_dir().join(format!("mw-bench-migrate-{pid}"));
    std::fs::create_dir_all(&dir).unwrap();
    let (state, client, h1_id, h2_id) = lab::start(&dir, &[]).await;

    // (1) The tiny guest, live, both ways.
    let guest = format!("mw-bench-mig-{pid}-guest");
    bare_define_and_start(&h1, &spec(&guest, 128, Some((&kernel, &initrd)))).expect("the guest");
    let (mut ours_t, mut ours_d, mut bare_t, mut bare_d) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        for (from, to) in [(h1_id, h2_id), (h2_id, h1_id)] {
            let (t, d) = ours(&client, &state, from, to, &guest).await;
            ours_t.push(t);
            ours_d.push(d);
        }
        for (from, to) in [(&h1, &h2), (&h2, &h1)] {
            let (t, d) = bare(from, to, &guest);
            bare_t.push(t);
            bare_d.push(d);
        }
        // The inventory sees it home on h1 before the next round.
        listed(&state, h1_id, &guest).await;
    }
    let (o, b) = (median(ours_t), median(bare_t));
    println!(
        "tiny guest (128 MiB, booted), live migration h1 ⇄ h2, median of {} each:",
        rounds * 2
    );
    println!(
        "  Millwright {:.0} ms (downtime {} ms)   bare virsh migrate --live --p2p {:.0} ms (downtime {} ms)   ratio {:.2}×",
        ms(o), med(&ours_d), ms(b), med(&bare_d), ms(o) / ms(b)
    );
    remove_prefixed(&h1, &guest);
    remove_prefixed(&h2, &guest);

    // (2) A drain of six VMs, two at a time, against a shell loop.
    let names: Vec<String> = (0..6).map(|n| format!("mw-bench-mig-{pid}-d{n}")).collect();
    for n in &names {
        bare_define_and_start(&h1, &spec(n, 64, None)).expect("a VM");
        listed(&state, h1_id, n).await;
    }
    let (mut drains, mut loops) = (vec![], vec![]);
    for _ in 0..3 {
        let started = Instant::now();
        let (ok, text, _) = client
            .post(
                app::api::mobility::EnterMaintenance::PATH,
                format!("host_id={h1_id}"),
            )
            .await;
        assert!(ok, "drain: {text}");
        let job = job_end(&state, text.trim().parse().unwrap()).await;
        drains.push(started.elapsed());
        assert_eq!(job.state, app::model::job::JobState::Succeeded, "{job:?}");
        let (ok, text, _) = client
            .post(
                app::api::mobility::LeaveMaintenance::PATH,
                format!("host_id={h1_id}"),
            )
            .await;
        assert!(ok, "leave: {text}");
        // The same six moves back, by a shell loop two at a time.
        let script = format!(
            "set -e; for pair in {}; do a=${{pair%,*}}; b=${{pair#*,}}; \
             virsh -q -c {h2} migrate --live --p2p --persistent --undefinesource $a {h1} & \
             virsh -q -c {h2} migrate --live --p2p --persistent --undefinesource $b {h1} & wait; done",
            names.chunks(2).map(|p| p.join(",")).collect::<Vec<_>>().join(" ")
        );
        let started = Instant::now();
        let out = Command::new("bash")
            .args(["-c", &script])
            .output()
            .expect("bash");
        loops.push(started.elapsed());
        assert!(
            out.status.success(),
            "loop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for n in &names {
            listed(&state, h1_id, n).await;
        }
    }
    let (d, l) = (median(drains), median(loops));
    println!("drain of 6 VMs (64 MiB), 2 at a time, median of 3:");
    println!(
        "  Millwright (enter maintenance → drain job done) {:.0} ms   shell loop of virsh migrate, 2 at a time {:.0} ms   ratio {:.2}×",
        ms(d), ms(l), ms(d) / ms(l)
    );
    remove_prefixed(&h1, "mw-bench-mig-");
    remove_prefixed(&h2, "mw-bench-mig-");
    state.gateway.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
