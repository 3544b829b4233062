//! Utilization history on the real lab: a container spinning a busy loop
//! shows far more CPU than an idle one; a lab host killed mid-collection
//! does not stop the other's samples; `kill -9` of the server while it
//! ingests loses no committed sample and leaves an intact database.
//! `#[ignore]`d: `make test` runs them with the lab up.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use sqlx::SqlitePool;

mod harness;

use harness::{env, virsh, TestApp};

fn lab_sh(args: &[&str]) {
    let script = format!(
        "{}/scripts/lab.sh",
        env!("CARGO_MANIFEST_DIR").trim_end_matches("/server")
    );
    let ok = Command::new("bash")
        .arg(script)
        .args(args)
        .status()
        .expect("lab.sh")
        .success();
    assert!(ok, "lab.sh {args:?}");
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hi{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The server collecting every second from `hosts` (`NAME=URI,…`).
async fn collecting(tag: &str, hosts: &str) -> TestApp {
    TestApp::spawn(tag, &["--collect-interval-secs", "1", "--host", hosts]).await
}

/// A transient LXC container on the lab, destroyed when dropped.
struct Container {
    uri: String,
    name: String,
}

impl Container {
    fn start(uri: &str, name: &str, script: &str) -> Container {
        let rootfs = env("MILLWRIGHT_LAB_ROOTFS");
        let xml = format!(
            "<domain type='lxc'><name>{name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>\
             <os><type>exe</type><init>/bin/sh</init><initarg>-c</initarg><initarg>{script}</initarg></os>\
             <devices><filesystem type='mount'><source dir='{rootfs}'/><target dir='/'/></filesystem>\
             <console type='pty'/></devices></domain>"
        );
        let path = std::env::temp_dir().join(format!("{name}.xml"));
        std::fs::write(&path, xml).unwrap();
        let (ok, out) = virsh(uri, &["create", path.to_str().unwrap()]);
        let _ = std::fs::remove_file(&path);
        assert!(ok, "create {name}: {out}");
        Container {
            uri: uri.into(),
            name: name.into(),
        }
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = virsh(&self.uri, &["destroy", &self.name]);
    }
}

/// Average CPU % (of its vCPUs) of a domain's raw samples so far.
async fn avg_cpu(pool: &SqlitePool, name: &str) -> Option<f64> {
    sqlx::query_scalar(
        "SELECT avg(r.cpu_pct) / 100.0 FROM history_raw r JOIN history_series s ON s.id = r.series
         WHERE s.kind = 'domain' AND s.label = ? AND r.cpu_pct IS NOT NULL",
    )
    .bind(name)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn newest(pool: &SqlitePool, kind: &str, label: &str) -> Option<i64> {
    sqlx::query_scalar(
        "SELECT max(r.t) FROM history_raw r JOIN history_series s ON s.id = r.series WHERE s.kind = ? AND s.label = ?",
    )
    .bind(kind)
    .bind(label)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: scripts/lab.sh up"]
async fn a_busy_container_shows_far_more_cpu_than_an_idle_one() {
    let uri = env("MILLWRIGHT_LAB_H2_LXC_URI");
    let pid = std::process::id();
    let busy_name = format!("hi{pid}-busy");
    let idle_name = format!("hi{pid}-idle");
    let _busy = Container::start(&uri, &busy_name, "while :; do :; done");
    let _idle = Container::start(&uri, &idle_name, "sleep 600");
    let built = collecting("busy", &format!("lab-h2-lxc={uri}")).await;
    let pool = built.state.pool.clone();
    tokio::time::sleep(Duration::from_secs(8)).await;
    let busy = avg_cpu(&pool, &busy_name).await.expect("busy samples");
    let idle = avg_cpu(&pool, &idle_name).await.expect("idle samples");
    eprintln!("busy {busy:.1} % of its vCPU, idle {idle:.1} %");
    assert!(busy > 20.0, "busy loop at {busy:.1} %");
    assert!(
        busy > 10.0 * idle.max(0.1),
        "busy {busy:.1} % vs idle {idle:.1} %"
    );
}

/// Restarts h2 however the test ends.
struct RestartH2;

impl Drop for RestartH2 {
    fn drop(&mut self) {
        lab_sh(&["start", "h2"]);
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: scripts/lab.sh up"]
async fn a_host_killed_mid_collection_does_not_stop_the_other() {
    let hosts = format!(
        "lab-h1={},lab-h2={}",
        env("MILLWRIGHT_LAB_H1_URI"),
        env("MILLWRIGHT_LAB_H2_URI")
    );
    let built = collecting("kill-host", &hosts).await;
    let pool = built.state.pool.clone();
    // Both hosts connected and sampled (slow on a loaded machine).
    let started = Instant::now();
    while newest(&pool, "host", "lab-h2").await.is_none()
        || newest(&pool, "host", "lab-h1").await.is_none()
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "both hosts sampled before the kill"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let restart = RestartH2;
    lab_sh(&["kill", "h2"]);
    let killed_at = app::auth::now_ms() / 1000;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let h1 = newest(&pool, "host", "lab-h1").await.unwrap();
    let h2 = newest(&pool, "host", "lab-h2").await.unwrap();
    assert!(
        h1 >= killed_at + 3,
        "h1 still sampled after h2 died ({h1} vs kill at {killed_at})"
    );
    assert!(h2 <= killed_at + 1, "no h2 samples while it is down");
    drop(restart);
    let back = Instant::now();
    loop {
        let h2 = newest(&pool, "host", "lab-h2").await.unwrap();
        if h2 > killed_at + 6 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(30),
            "h2 sampled again after restart"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The real binary, collecting every second.
fn spawn_server(dir: &std::path::Path, hosts: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_millwright"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            dir.to_str().unwrap(),
            "--demo",
            "--collect-interval-secs",
            "1",
        ])
        .args([
            "--demo-dir",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../demo"),
            "--host",
            hosts,
        ])
        .env("MILLWRIGHT_ADMIN_PASSWORD", "correct horse battery staple")
        .env("MILLWRIGHT_LOG", "warn")
        .spawn()
        .expect("server")
}

async fn open(dir: &std::path::Path) -> SqlitePool {
    SqlitePool::connect(&format!("sqlite://{}/millwright.db", dir.display()))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: scripts/lab.sh up"]
async fn kill_9_while_ingesting_loses_no_committed_sample() {
    let dir = temp_dir("kill9");
    let hosts = format!("lab-h1={}", env("MILLWRIGHT_LAB_H1_URI"));
    let mut server = spawn_server(&dir, &hosts);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let pool = open(&dir).await;
    // Count committed rows right up to the kill: rounds land every second.
    let mut committed = 0i64;
    for _ in 0..20 {
        committed = sqlx::query_scalar("SELECT count(*) FROM history_raw")
            .fetch_one(&pool)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(committed > 0, "samples before the kill");
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    pool.close().await;
    let pool = open(&dir).await;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM history_raw")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        after >= committed,
        "{after} rows after the kill, {committed} seen committed before"
    );
    pool.close().await;
    // It starts again on the same database and keeps collecting.
    let mut again = spawn_server(&dir, &hosts);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let pool = open(&dir).await;
    let later: i64 = sqlx::query_scalar("SELECT count(*) FROM history_raw")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(later > after, "collecting after the restart");
    let _ = Command::new("kill").arg(again.id().to_string()).status();
    again.wait().unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
