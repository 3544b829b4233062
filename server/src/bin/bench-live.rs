//! Live updates: libvirt XML reads caused by open domain pages while other
//! domains change.
//!
//! A generated test-driver host; real lifecycle events (power changes made
//! through the gateway raise them on the host's connection, and its worker
//! turns each into a pushed [`Change`]); every open page applies the
//! browser's rule to exactly what `/events` sends (`for_viewer`, `encode`,
//! `decode`) and fetches its domain's detail when the rule says so. The
//! baseline, measured in the same run, is the old rule: every push refetches
//! every open page. Prints figures; exits non-zero only when the rule is
//! broken (a page refetched for another domain, or missed its own).
//!
//! Run: `cargo run --release -p millwright --bin bench-live [-- PAGES EVENTS]`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::gateway::{probe, Gateway, HostSpec, Power};
use app::live::{Change, Scope};
use app::model::host::HostState;

const HOST: i64 = 1;

fn uuid(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// The generated host runs domains whose index is 0, 1 or 2 modulo 5.
fn running(n: usize) -> bool {
    n % 5 <= 2
}

#[derive(Clone, Copy)]
enum Rule {
    /// Refetch when the push names the page's domain (today's browser).
    Mine,
    /// Refetch on every push (the old browser).
    Every,
}

struct Outcome {
    fetches: u64,
    detail_reads: u64,
    inventory_reads: u64,
    took: Duration,
}

/// `pages` open domain pages; `events` power changes on `targets`
/// (force off, then start, in rounds), each a real lifecycle event.
async fn phase(
    gw: &Gateway,
    pages: &[String],
    targets: &[String],
    events: usize,
    rule: Rule,
) -> Outcome {
    let before = probe::xml_reads();
    let fetches = Arc::new(AtomicU64::new(0));
    let mut open = Vec::new();
    for page in pages {
        let mut rx = gw.subscribe();
        let (gw, page, targets, fetches) =
            (gw.clone(), page.clone(), targets.to_vec(), fetches.clone());
        open.push(tokio::spawn(async move {
            let (mut seen, mut jobs) = (0, Vec::new());
            while seen < events {
                let next = tokio::time::timeout(Duration::from_secs(60), rx.recv()).await;
                let Ok(msg) = next else {
                    panic!("no push within 60 s after {seen} of {events} events");
                };
                let pushed = msg.unwrap_or_else(|_| Change::unknown());
                // Exactly what /events sends an administrator, as the browser reads it.
                let sent = pushed.for_viewer(None).expect("an administrator sees all");
                let change = Change::decode(&sent.encode());
                if let Scope::Domain { uuid, .. } = &change.scope {
                    seen += usize::from(targets.contains(uuid));
                }
                let refetch = match rule {
                    Rule::Mine => change.touches_domain(HOST, &page),
                    Rule::Every => true,
                };
                if refetch {
                    fetches.fetch_add(1, Ordering::Relaxed);
                    let (gw, page) = (gw.clone(), page.clone());
                    // As in the browser, a fetch does not hold up the stream.
                    jobs.push(tokio::spawn(async move {
                        gw.domain_detail(HOST, &page).await.map(|_| ())
                    }));
                }
            }
            for job in jobs {
                job.await.unwrap().expect("domain detail");
            }
        }));
    }
    let start = Instant::now();
    for i in 0..events {
        let action = if (i / targets.len()).is_multiple_of(2) {
            Power::ForceOff
        } else {
            Power::Start
        };
        let target = &targets[i % targets.len()];
        gw.power(HOST, target, action).await.expect("power change");
    }
    for page in open {
        page.await.unwrap();
    }
    let after = probe::xml_reads();
    Outcome {
        fetches: fetches.load(Ordering::Relaxed),
        detail_reads: after.detail - before.detail,
        inventory_reads: after.inventory - before.inventory,
        took: start.elapsed(),
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let pages: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let events: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    // Pages follow the first running domains; events hit the next ten.
    let mut runners = (0..).filter(|n| running(*n)).map(uuid);
    let mine: Vec<String> = runners.by_ref().take(pages).collect();
    let others: Vec<String> = runners.take(10).collect();
    let domains = 5 * (pages + others.len());
    let dir = std::env::temp_dir().join(format!("millwright-bench-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("host.xml");
    std::fs::write(&file, probe::test_host_xml(domains)).unwrap();
    // The baseline queues pages × events detail reads on one worker.
    let gw = Gateway::new(Duration::from_secs(600));
    gw.add_host(HostSpec {
        id: HOST,
        name: "bench".into(),
        uri: format!("test://{}", file.display()),
        tags: Default::default(),
        demo: true,
    });
    let connected = gw
        .wait_until(Duration::from_secs(30), |inv| {
            inv.hosts
                .get(&HOST)
                .is_some_and(|h| h.state == HostState::Connected)
        })
        .await;
    assert!(connected, "bench host did not connect");

    let before = probe::xml_reads();
    gw.domain_detail(HOST, &mine[0]).await.expect("detail");
    let per_fetch = probe::xml_reads().detail - before.detail;
    let own = phase(&gw, &mine, &mine[..1], 2, Rule::Mine).await;
    let ours = phase(&gw, &mine, &others, events, Rule::Mine).await;
    let base = phase(&gw, &mine, &others, events, Rule::Every).await;

    println!(
        "{pages} domain pages open, {events} lifecycle events on {} other domains \
         (test-driver host, {domains} domains)\n",
        others.len()
    );
    println!("XML reads per domain-page fetch:          {per_fetch}");
    println!(
        "own domain changed twice:                 {} fetches (want 2)",
        own.fetches
    );
    for (label, o) in [
        ("baseline (refetch on every push)", &base),
        ("push names the domain", &ours),
    ] {
        println!(
            "{label:<41} {:>6} fetches {:>6} page XML reads  in {:>7.1} ms \
             ({} inventory reads by the host worker)",
            o.fetches,
            o.detail_reads,
            o.took.as_secs_f64() * 1000.0,
            o.inventory_reads
        );
    }
    println!(
        "page XML reads, named / baseline:        {} / {}   (target 0)",
        ours.detail_reads, base.detail_reads
    );
    gw.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
    if per_fetch != 1 || own.fetches != 2 || ours.detail_reads != 0 {
        std::process::exit(1);
    }
}
