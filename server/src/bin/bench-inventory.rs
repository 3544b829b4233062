//! Inventory benchmark on a generated test-driver host with 1,000 domains.
//!
//! Prints figures, asserts nothing about time:
//! - server-side render of `/inventory` through the full router, against
//!   `/healthz` through the same router as the baseline;
//! - a full inventory refresh from libvirt (list + info + XML + parse per
//!   domain), against the bare `list_all_domains` call as the baseline.
//!
//! Run: `cargo run --release -p millwright --bin bench-inventory [-- DOMAINS ROUNDS]`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use app::gateway::{Gateway, HostSpec};
use app::model::host::HostState;
use app::state::AppState;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn time_get(
    app: &axum::Router,
    cookie: &str,
    uri: &str,
    rounds: usize,
) -> (Vec<Duration>, usize) {
    let mut samples = Vec::with_capacity(rounds);
    let mut size = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let resp = app
            .clone()
            .oneshot(
                Request::get(uri)
                    .header("cookie", cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{uri}: {}", resp.status());
        size = resp.into_body().collect().await.unwrap().to_bytes().len();
        samples.push(start.elapsed());
    }
    (samples, size)
}

fn report(label: &str, samples: &mut [Duration]) -> Duration {
    let p50 = percentile(samples, 0.5);
    let p95 = percentile(samples, 0.95);
    println!(
        "{label:<44} p50 {:>8.3} ms   p95 {:>8.3} ms   (n={})",
        ms(p50),
        ms(p95),
        samples.len()
    );
    p50
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let domains: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let dir = std::env::temp_dir().join(format!("millwright-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bench-host.xml");
    std::fs::write(&file, app::gateway::probe::test_host_xml(domains)).unwrap();
    let uri = format!("test://{}", file.display());
    println!("generated test-driver host: {domains} domains, {rounds} rounds per figure\n");

    // Refresh from libvirt, on the host's own worker thread as in production.
    let gateway = Gateway::new(Duration::from_secs(30));
    gateway.add_host(HostSpec {
        id: 1,
        name: "bench".into(),
        uri: uri.clone(),
        tags: Default::default(),
        demo: true,
    });
    let connected = Instant::now();
    while gateway.read(|inv| inv.hosts[&1].state) != HostState::Connected {
        assert!(
            connected.elapsed() < Duration::from_secs(30),
            "bench host did not connect"
        );
        tokio::task::yield_now().await;
    }
    assert_eq!(gateway.read(|inv| inv.domain_count()), domains);
    let refresh_rounds = (rounds / 4).max(10);
    let mut list_only = Vec::new();
    let mut full = Vec::new();
    for _ in 0..refresh_rounds {
        let (a, b, n, rows) = gateway.time_refresh(1).await.unwrap();
        assert_eq!((n, rows), (domains, domains));
        list_only.push(a);
        full.push(b);
    }
    println!("Inventory refresh from libvirt ({domains} domains)");
    let base = report("  baseline: list_all_domains only", &mut list_only);
    let ours = report("  full refresh: list + info + XML + parse", &mut full);
    println!(
        "  ratio full / baseline: {:.1}x   (target: full ≤ 200 ms)\n",
        ms(ours) / ms(base).max(1e-9)
    );

    // Server-side render through the whole router.
    let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
    sqlx::migrate!("../migrations").run(&pool).await.unwrap();
    let audit = app::audit::AuditLog::open(pool.clone()).await.unwrap();
    let admin = app::store::users::insert(&pool, "admin", "unused", true)
        .await
        .unwrap()
        .unwrap();
    let session_limits = app::auth::SessionLimits {
        absolute_ms: 3_600_000,
    };
    let state = AppState {
        leptos_options: millwright::leptos_options(),
        pool,
        gateway: gateway.clone(),
        audit,
        session_limits,
        quota_lock: Default::default(),
        fleet: Default::default(),
        history: Default::default(),
        jobs: Default::default(),
        failover: Default::default(),
    };
    let (_stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // A signed-in administrator's session, as after sign-in.
    let store = tower_sessions::MemoryStore::default();
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([
            (
                app::auth::SESSION_USER.to_string(),
                serde_json::json!(admin),
            ),
            (
                app::auth::SESSION_STARTED_MS.to_string(),
                serde_json::json!(app::auth::now_ms()),
            ),
        ]),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    store.create(&mut record).await.unwrap();
    let cookie = format!("mw_session={}", record.id);
    let app = millwright::router(state, stop_rx)
        .layer(tower_sessions::SessionManagerLayer::new(store).with_name("mw_session"));
    // The baseline is the anonymous probe: status only, no session, no audit.
    time_get(&app, "", "/healthz", 5).await; // warm-up
    time_get(&app, &cookie, "/inventory", 5).await;
    println!("Server-side render ({domains} domains in the inventory)");
    let (mut h, _) = time_get(&app, "", "/healthz", rounds).await;
    let base = report("  baseline: GET /healthz", &mut h);
    for (label, uri) in [
        ("  GET /inventory (page 1 of 50 rows)", "/inventory"),
        (
            "  GET /inventory?sort=memory&dir=desc",
            "/inventory?sort=memory&dir=desc",
        ),
        (
            "  GET /inventory?q=line+7&state=running",
            "/inventory?q=line+7&state=running",
        ),
        ("  GET /inventory?per=500", "/inventory?per=500"),
    ] {
        let (mut s, size) = time_get(&app, &cookie, uri, rounds).await;
        let p50 = report(label, &mut s);
        println!(
            "{:<44} {:.1}x baseline, {} KiB HTML",
            "",
            ms(p50) / ms(base).max(1e-9),
            size / 1024
        );
    }
    println!("  (target: /inventory p50 ≤ 20 ms)");
    gateway.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
