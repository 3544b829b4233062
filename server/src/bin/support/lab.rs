//! What the lab benchmarks share: the lab's environment, the server built
//! in-process with both lab hosts, an administrator's client, medians.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use clap::Parser;
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use millwright::config::Config;
use tower::ServiceExt;

const PASSWORD: &str = "bench-admin-password";

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("{name} unset: run scripts/lab.sh up and eval \"$(scripts/lab.sh env)\"");
        std::process::exit(2)
    })
}

pub struct Client {
    pub app: Router,
    pub cookie: String,
}

impl Client {
    /// Posts a form: (succeeded, body, cookies set).
    pub async fn post(&self, path: &str, body: String) -> (bool, String, Vec<String>) {
        let mut req = Request::post(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if !self.cookie.is_empty() {
            req = req.header(header::COOKIE, &self.cookie);
        }
        let resp = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let ok = resp.status().is_success() || resp.status().is_redirection();
        let cookies = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (ok, String::from_utf8_lossy(&bytes).into_owned(), cookies)
    }
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The server on a fresh data directory `dir` with lab hosts h1 and h2
/// (`lab-h1`, `lab-h2`) connected, `extra` on its command line, the
/// administrator signed in and a workspace `bench`: its state, the client,
/// and the hosts' ids.
pub async fn start(
    dir: &std::path::Path,
    extra: &[&str],
) -> (app::state::AppState, Client, i64, i64) {
    let hosts = format!(
        "lab-h1={},lab-h2={}",
        env("MILLWRIGHT_LAB_H1_URI"),
        env("MILLWRIGHT_LAB_H2_URI")
    );
    let mut argv = vec![
        "millwright",
        "--no-demo",
        "--data-dir",
        dir.to_str().unwrap(),
        "--admin-password",
        PASSWORD,
        "--host",
        &hosts,
    ];
    argv.extend_from_slice(extra);
    let built = millwright::build(&Config::parse_from(argv))
        .await
        .expect("build");
    let state = built.state.clone();
    let mut client = Client {
        app: built.app,
        cookie: String::new(),
    };
    let login = format!("username=admin&password={PASSWORD}&next=/");
    let (_, _, cookies) = client.post(app::api::auth::Login::PATH, login).await;
    client.cookie = cookies
        .iter()
        .find(|c| c.starts_with("mw_session="))
        .and_then(|c| c.split(';').next())
        .expect("signed in")
        .to_string();
    let connected = state
        .gateway
        .wait_until(Duration::from_secs(20), |inv| {
            inv.hosts
                .values()
                .filter(|h| h.state == app::model::host::HostState::Connected)
                .count()
                == 2
        })
        .await;
    assert!(connected, "both lab hosts connected");
    let id = |name: &str| {
        state
            .gateway
            .read(|inv| inv.hosts.values().find(|h| h.name == name).map(|h| h.id))
            .unwrap()
    };
    let (h1, h2) = (id("lab-h1"), id("lab-h2"));
    sqlx::query("INSERT INTO workspaces (slug, name) VALUES ('bench', 'Bench')")
        .execute(&state.pool)
        .await
        .unwrap();
    (state, client, h1, h2)
}
