//! Create benchmark on the lab: the time from the Create button to
//! "running" for a template VM, one at a time and ten at once with `auto`
//! placement, each against the bare libvirt calls (define + start of the
//! same XML on the same hosts) measured in the same run, so the difference
//! is what Millwright adds (session, policy, quota reservation, placement,
//! audit, inventory publish).
//!
//! Needs the lab: `scripts/lab.sh up && eval "$(scripts/lab.sh env)"`, then
//! `cargo run --release -p millwright --bin bench-create [-- ROUNDS]`.
//! Prints figures, asserts nothing about time.

#[path = "support/lab.rs"]
mod lab;

use std::time::{Duration, Instant};

use app::domxml::build::{Boot, DomainSpec, Flavor};
use app::gateway::probe::{bare_define_and_start, remove_prefixed};
use lab::{env, median, ms, Client};
use leptos::server_fn::ServerFn;

/// The template VM's definition, as the create builds it.
fn spec(name: &str, kernel: &str, initrd: &str) -> String {
    DomainSpec {
        name: name.into(),
        vcpus: 1,
        memory_mib: 64,
        network: None,
        workspace: Some("bench".into()),
        tags: Default::default(),
        limits: Default::default(),
        flavor: Flavor::Vm {
            hypervisor: "qemu".into(),
            emulator: None,
            disk: None,
            boot: Boot::Kernel {
                kernel: kernel.into(),
                initrd: initrd.into(),
                cmdline: "console=ttyS0 panic=-1 quiet".into(),
            },
        },
    }
    .to_xml()
}

/// Define + start straight through libvirt, one connection per VM.
fn bare(uri: &str, names: &[String], kernel: &str, initrd: &str) -> Duration {
    let started = Instant::now();
    std::thread::scope(|s| {
        for name in names {
            s.spawn(move || {
                bare_define_and_start(uri, &spec(name, kernel, initrd)).expect("define + start");
            });
        }
    });
    started.elapsed()
}

fn remove(uri: &str, prefix: &str) {
    remove_prefixed(uri, prefix);
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter("app::gateway=warn")
        .init();
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let (h1, h2) = (env("MILLWRIGHT_LAB_H1_URI"), env("MILLWRIGHT_LAB_H2_URI"));
    let (kernel, initrd) = (env("MILLWRIGHT_LAB_KERNEL"), env("MILLWRIGHT_LAB_INITRD"));
    let pid = std::process::id();
    // Everything this bench makes starts with "mw-bench-create-"; what an
    // interrupted run left behind goes first.
    remove(&h1, "mw-bench-create-");
    remove(&h2, "mw-bench-create-");
    let prefix = format!("mw-bench-create-{pid}-");
    let dir = std::env::temp_dir().join(format!("mw-bench-create-{pid}"));
    std::fs::create_dir_all(&dir).unwrap();
    let (state, client, h1_id, _) = lab::start(&dir, &[]).await;
    let template = app::store::templates::upsert(
        &state.pool,
        &app::store::templates::Template {
            id: 0,
            name: "tiny".into(),
            description: "the lab's tiny guest".into(),
            vcpus: 1,
            memory_mib: 64,
            disk_gib: 0,
            network: String::new(),
            boot: "kernel".into(),
            boot_iso: String::new(),
            kernel: kernel.clone(),
            initrd: initrd.clone(),
            cmdline: "console=ttyS0 panic=-1 quiet".into(),
        },
    )
    .await
    .unwrap();
    let form = |name: &str, host: &str| {
        format!(
            "form%5Btemplate%5D={template}&form%5Bname%5D={name}&form%5Bworkspace%5D=bench\
             &form%5Bhost%5D={host}&form%5Bstart%5D=on"
        )
    };
    let create = app::api::fleet::CreateDomain::PATH;

    // One at a time, on h1.
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let name = format!("{prefix}one-{round}");
        let started = Instant::now();
        let (ok, body, _) = client.post(create, form(&name, &h1_id.to_string())).await;
        ours.push(started.elapsed());
        assert!(ok && body.contains(&name), "create: {body}");
        let running = state.gateway.read(|inv| {
            inv.hosts
                .values()
                .flat_map(|h| h.domains.values())
                .any(|d| d.name == name && d.state == app::model::domain::DomainState::Running)
        });
        assert!(running, "running when the create returns");
        remove(&h1, &name);
        let bare_name = vec![format!("{prefix}bare-{round}")];
        theirs.push(bare(&h1, &bare_name, &kernel, &initrd));
        remove(&h1, &bare_name[0]);
    }
    let (o, t) = (median(ours), median(theirs));
    println!("template VM, Create → running, median of {rounds}:");
    println!(
        "  Millwright {:.0} ms   bare libvirt define+start {:.0} ms   ratio {:.2}×   our share {:.0} ms",
        ms(o),
        ms(t),
        ms(o) / ms(t),
        ms(o) - ms(t)
    );

    // Ten at once, auto placement over h1 and h2.
    let started = Instant::now();
    let tasks: Vec<_> = (0..10)
        .map(|n| {
            let client = Client {
                app: client.app.clone(),
                cookie: client.cookie.clone(),
            };
            let body = form(&format!("{prefix}auto-{n}"), "auto");
            tokio::spawn(async move {
                let began = Instant::now();
                let (ok, text, _) = client.post(create, body).await;
                (ok, text, began.elapsed())
            })
        })
        .collect();
    let mut each = Vec::new();
    for t in tasks {
        let (ok, text, took) = t.await.unwrap();
        assert!(ok, "auto create: {text}");
        each.push(took);
    }
    let ours_all = started.elapsed();
    let placed: Vec<(String, usize)> = state.gateway.read(|inv| {
        inv.hosts
            .values()
            .map(|h| {
                let n = h
                    .domains
                    .values()
                    .filter(|d| d.name.starts_with(&format!("{prefix}auto-")))
                    .count();
                (h.name.clone(), n)
            })
            .collect()
    });
    remove(&h1, &prefix);
    remove(&h2, &prefix);
    let names: Vec<String> = (0..10).map(|n| format!("{prefix}bare-auto-{n}")).collect();
    let bare_started = Instant::now();
    std::thread::scope(|s| {
        let (a, b) = names.split_at(5);
        let (h1, h2, k, i) = (&h1, &h2, &kernel, &initrd);
        s.spawn(move || bare(h1, a, k, i));
        s.spawn(move || bare(h2, b, k, i));
    });
    let theirs_all = bare_started.elapsed();
    remove(&h1, &prefix);
    remove(&h2, &prefix);
    println!("ten template VMs at once, auto placement (spread), all running:");
    println!(
        "  Millwright {:.0} ms (per create median {:.0} ms)   bare libvirt 5+5 in parallel {:.0} ms   ratio {:.2}×",
        ms(ours_all),
        ms(median(each)),
        ms(theirs_all),
        ms(ours_all) / ms(theirs_all)
    );
    println!("  placed: {placed:?}");
    state.gateway.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
