//! Integration tests against the real lab: two libvirtd hosts started by
//! `scripts/lab.sh up` (the URIs come from `scripts/lab.sh env`). They are
//! `#[ignore]`d so a bare `cargo test` needs no lab; `make test` runs them
//! with `--include-ignored` after bringing the lab up.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use app::gateway::{Gateway, HostSpec};
use app::model::domain::{DomainRow, DomainState};
use app::model::host::HostState;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run `scripts/lab.sh up` and `eval \"$(scripts/lab.sh env)\"`")
    })
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

mod witness {
    // The integration harness's `virsh`, shared so it is written once.
    include!("../../server/tests/harness/virsh.rs");
}

/// `virsh` that must succeed: its output.
fn virsh(uri: &str, args: &[&str]) -> String {
    let (ok, out) = witness::virsh(uri, args);
    assert!(ok, "virsh {args:?}: {out}");
    out
}

fn lab(args: &[&str]) {
    let status = Command::new("bash")
        .arg(repo().join("scripts/lab.sh"))
        .args(args)
        .status()
        .expect("lab.sh runs");
    assert!(status.success(), "lab.sh {args:?}");
}

fn spec(id: i64, uri: &str) -> HostSpec {
    HostSpec {
        id,
        name: format!("lab-{id}"),
        uri: uri.to_string(),
        tags: Default::default(),
        demo: false,
    }
}

/// Waits for `cond` on the inventory, re-checking on every change, within `limit`.
async fn wait_for(
    gw: &Gateway,
    limit: Duration,
    what: &str,
    cond: impl Fn(&app::inventory::Inventory) -> bool,
) -> Duration {
    let start = Instant::now();
    let mut changes = gw.subscribe();
    loop {
        if gw.read(&cond) {
            return start.elapsed();
        }
        let left = limit
            .checked_sub(start.elapsed())
            .unwrap_or_else(|| panic!("timed out after {limit:?} waiting for {what}"));
        // Facts refresh quietly, so also re-check at a bounded interval.
        let _ = tokio::time::timeout(left.min(Duration::from_millis(250)), changes.recv()).await;
    }
}

fn host_state(inv: &app::inventory::Inventory, id: i64) -> Option<HostState> {
    inv.hosts.get(&id).map(|h| h.state)
}

fn find(inv: &app::inventory::Inventory, id: i64, name: &str) -> Option<DomainRow> {
    inv.hosts
        .get(&id)?
        .domains
        .values()
        .find(|d| d.name == name)
        .cloned()
}

fn unique(prefix: &str) -> String {
    format!("mw-it-{prefix}-{}", std::process::id())
}

fn tiny_vm_xml(name: &str) -> String {
    format!(
        "<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
         <os><type arch='x86_64'>hvm</type></os>
         <metadata><mw:domain xmlns:mw='http://millwright.local/xmlns/domain/1'>
           <mw:workspace>test</mw:workspace><mw:tag key='line'>Lab line</mw:tag></mw:domain></metadata>
         <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>"
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn both_hosts_connect_with_facts() {
    let gw = Gateway::new(Duration::from_secs(10));
    gw.add_host(spec(1, &env("MILLWRIGHT_LAB_H1_URI")));
    gw.add_host(spec(2, &env("MILLWRIGHT_LAB_H2_URI")));
    let took = wait_for(
        &gw,
        Duration::from_secs(20),
        "both hosts connected",
        |inv| {
            host_state(inv, 1) == Some(HostState::Connected)
                && host_state(inv, 2) == Some(HostState::Connected)
        },
    )
    .await;
    println!("both lab hosts connected in {took:?}");
    for id in [1, 2] {
        let facts = gw.read(|inv| inv.hosts[&id].facts.clone()).expect("facts");
        assert!(
            facts.cpus > 0 && facts.memory_kib > 0 && facts.free_memory_kib.is_some_and(|f| f > 0),
            "{facts:?}"
        );
        assert!(facts.hypervisor.starts_with("QEMU"), "{facts:?}");
        assert!(facts.libvirt_version.starts_with("11."), "{facts:?}");
    }
    gw.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn virsh_changes_arrive_as_lifecycle_events() {
    let uri = env("MILLWRIGHT_LAB_H1_URI");
    let name = unique("events");
    let gw = Gateway::new(Duration::from_secs(10));
    gw.add_host(spec(1, &uri));
    wait_for(&gw, Duration::from_secs(20), "h1 connected", |inv| {
        host_state(inv, 1) == Some(HostState::Connected)
    })
    .await;

    let file = std::env::temp_dir().join(format!("{name}.xml"));
    std::fs::write(&file, tiny_vm_xml(&name)).unwrap();
    virsh(&uri, &["define", file.to_str().unwrap()]);
    let limit = Duration::from_secs(2);
    let t = wait_for(&gw, limit, "defined domain", |inv| {
        find(inv, 1, &name).is_some()
    })
    .await;
    let row = gw.read(|inv| find(inv, 1, &name)).unwrap();
    assert_eq!(
        (row.state, row.vcpus, row.memory_kib),
        (DomainState::Shutoff, 1, 64 * 1024)
    );
    assert_eq!(row.workspace.as_deref(), Some("test"));
    assert_eq!(row.tags.line, "Lab line");
    println!("defined -> inventory in {t:?}");

    for (cmd, want) in [
        ("start", DomainState::Running),
        ("suspend", DomainState::Paused),
        ("resume", DomainState::Running),
        ("destroy", DomainState::Shutoff),
    ] {
        virsh(&uri, &[cmd, &name]);
        let t = wait_for(&gw, limit, cmd, |inv| {
            find(inv, 1, &name).is_some_and(|d| d.state == want)
        })
        .await;
        println!("{cmd} -> {want:?} in {t:?}");
    }
    virsh(&uri, &["undefine", &name]);
    wait_for(&gw, limit, "undefined domain gone", |inv| {
        find(inv, 1, &name).is_none()
    })
    .await;
    gw.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_killed_host_is_unreachable_while_the_other_serves_and_it_reconnects() {
    let (h1, h2) = (env("MILLWRIGHT_LAB_H1_URI"), env("MILLWRIGHT_LAB_H2_URI"));
    let gw = Gateway::new(Duration::from_secs(5));
    gw.add_host(spec(1, &h1));
    gw.add_host(spec(2, &h2));
    wait_for(&gw, Duration::from_secs(20), "both connected", |inv| {
        host_state(inv, 1) == Some(HostState::Connected)
            && host_state(inv, 2) == Some(HostState::Connected)
    })
    .await;

    lab(&["kill", "h1"]);
    let t = wait_for(&gw, Duration::from_secs(20), "h1 marked down", |inv| {
        host_state(inv, 1) != Some(HostState::Connected)
    })
    .await;
    println!("h1 marked down {t:?} after kill -9");
    // The other host is still served, promptly.
    let start = Instant::now();
    let n = gw.count_domains(2).await;
    assert!(n.is_ok(), "h2 call failed: {n:?}");
    println!("h2 answered in {:?} while h1 was down", start.elapsed());
    let err = gw.count_domains(1).await.unwrap_err();
    println!("h1 call while down: {err:?}");
    wait_for(&gw, Duration::from_secs(10), "h1 unreachable", |inv| {
        host_state(inv, 1) == Some(HostState::Unreachable)
    })
    .await;
    assert!(gw.read(|inv| inv.hosts[&1].last_error.is_some()));

    lab(&["start", "h1"]);
    let t = wait_for(&gw, Duration::from_secs(10), "h1 reconnected", |inv| {
        host_state(inv, 1) == Some(HostState::Connected)
    })
    .await;
    println!("h1 reconnected {t:?} after its daemon answered again");
    gw.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_long_job_neither_holds_up_the_host_nor_times_out() {
    let deadline = Duration::from_secs(2);
    let gw = Gateway::new(deadline);
    gw.add_host(spec(1, &env("MILLWRIGHT_LAB_H1_URI")));
    wait_for(&gw, Duration::from_secs(20), "h1 connected", |inv| {
        host_state(inv, 1) == Some(HostState::Connected)
    })
    .await;
    // A job longer than the deadline, on its own connection to h1.
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let long = {
        let gw = gw.clone();
        tokio::spawn(async move {
            // The long job itself holds its connection for 3 s.
            gw.hold_long(1, Duration::from_secs(3), started_tx).await
        })
    };
    started_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("long job started");
    // Meanwhile the host's worker answers at once.
    let t = Instant::now();
    let name = gw.hostname(1).await.expect("a call during the long job");
    let quick = t.elapsed();
    println!("call during a long job answered in {quick:?}");
    assert!(!name.is_empty());
    assert!(quick < deadline, "{quick:?}: held up behind the long job");
    let long = long.await.unwrap();
    assert_eq!(long.expect("not cut off by the deadline"), name);
    gw.shutdown();
}
