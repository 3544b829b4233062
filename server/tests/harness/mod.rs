//! The one integration-test harness. [`TestApp::spawn`] builds the real
//! server (router, session layer, gateway, a fresh SQLite file in a
//! directory of its own) and serves requests in-process; the test signs in,
//! calls server functions and routes, waits on the inventory with a bound,
//! and checks the lab with [`virsh`]. Whatever a test made is removed when
//! its app (or lab, see [`fleet`] and [`storage`]) is dropped, even after a
//! failed assertion.
#![allow(dead_code)] // each test file uses its own part

pub mod fleet;
pub mod mobility;
pub mod storage;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use clap::Parser;
use http_body_util::BodyExt;
use millwright::config::Config;
use tower::ServiceExt;

pub use leptos::server_fn::ServerFn;

pub const PASSWORD: &str = "correct horse battery staple";
pub const ORIGIN: &str = "http://127.0.0.1:3000";

/// How long a request may take before the test fails (a create on the lab
/// takes seconds; nothing takes minutes).
pub const ANSWER_LIMIT: Duration = Duration::from_secs(120);

/// A lab variable from `scripts/lab.sh env`.
pub fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} unset: run scripts/lab.sh up and eval its env"))
}

/// Lab host h1's URI.
pub fn h1() -> String {
    env("MILLWRIGHT_LAB_H1_URI")
}

include!("virsh.rs");

/// A response as a test reads it.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The `Location` header, empty when none.
    pub location: String,
    /// The session cookie set, empty when none (`mw_session=…`).
    pub cookie: String,
    pub body: String,
}

/// The server of one test.
pub struct TestApp {
    pub app: Router,
    pub state: app::state::AppState,
    /// Event streams end when this is dropped.
    _stop: tokio::sync::watch::Sender<bool>,
    pub dir: PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.state.gateway.shutdown();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl TestApp {
    /// The server with the administrator `admin` (password [`PASSWORD`]),
    /// no demo plant, and `args` added to its command line (`--host …`).
    pub async fn spawn(tag: &str, args: &[&str]) -> TestApp {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(std::env::var("MW_TEST_LOG").unwrap_or_else(|_| "warn".into()))
            .with_test_writer()
            .try_init();
        let dir = std::env::temp_dir().join(format!("mw-it-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TestApp::start_in(dir, args).await
    }

    /// The server on the data directory `dir` as it is (a restart).
    pub async fn start_in(dir: PathBuf, args: &[&str]) -> TestApp {
        let mut argv = vec![
            "millwright",
            "--no-demo",
            "--data-dir",
            dir.to_str().unwrap(),
            "--admin-password",
            PASSWORD,
        ];
        argv.extend_from_slice(args);
        let built = millwright::build(&Config::parse_from(argv))
            .await
            .expect("server builds");
        TestApp {
            app: built.app,
            state: built.state,
            _stop: built.stop,
            dir,
        }
    }

    /// The server with one host on libvirt's test driver (shared by the
    /// process's tests), once it is connected; with that host's id.
    pub async fn with_test_host(tag: &str) -> (TestApp, i64) {
        use app::model::host::HostState;
        let t = TestApp::spawn(tag, &["--host", "plant=test:///default"]).await;
        t.wait("the host connected", Duration::from_secs(20), |inv| {
            inv.hosts
                .values()
                .any(|h| h.state == HostState::Connected && h.facts.is_some())
        })
        .await;
        let host = t
            .state
            .gateway
            .read(|inv| *inv.hosts.keys().next().unwrap());
        (t, host)
    }

    /// A request as the dashboard's own pages send it, with `cookie`.
    pub fn request(&self, method: &str, path: &str, cookie: &str) -> axum::http::request::Builder {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, ORIGIN);
        if !cookie.is_empty() {
            req = req.header(header::COOKIE, cookie);
        }
        req
    }

    /// A POST as the dashboard's own pages send it.
    pub fn post(&self, path: &str, cookie: &str) -> axum::http::request::Builder {
        self.request("POST", path, cookie)
    }

    /// The raw response (for streams). A request that has no answer within
    /// [`ANSWER_LIMIT`] fails the test, naming it, instead of hanging the run.
    pub async fn respond(&self, req: Request<Body>) -> axum::response::Response {
        let what = format!("{} {}", req.method(), req.uri().path());
        tokio::time::timeout(ANSWER_LIMIT, self.app.clone().oneshot(req))
            .await
            .unwrap_or_else(|_| panic!("no answer to {what} within {ANSWER_LIMIT:?}"))
            .unwrap()
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self.respond(req).await;
        let (status, headers) = (resp.status(), resp.headers().clone());
        let text = |name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let location = text(header::LOCATION);
        let cookie = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("mw_session="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .unwrap_or_default();
        let bytes = tokio::time::timeout(ANSWER_LIMIT, resp.into_body().collect())
            .await
            .expect("the whole body in time")
            .unwrap()
            .to_bytes();
        Reply {
            status,
            headers,
            location,
            cookie,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A GET of a page or route as `cookie` ("" when signed out).
    pub async fn get(&self, path: &str, cookie: &str) -> Reply {
        let req = self.request("GET", path, cookie);
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Posts an urlencoded form body to `path` as `cookie`.
    pub async fn post_form(&self, path: &str, cookie: &str, body: &str) -> Reply {
        let req = self
            .post(path, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    /// Calls a server function as `cookie` with form fields.
    pub async fn call_as(&self, cookie: &str, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        self.post_form(path, cookie, &body.join("&")).await
    }

    /// Signs in as `user` with `password`, on the session `cookie` carries.
    pub async fn login(&self, user: &str, password: &str, cookie: &str) -> Reply {
        let body = format!("username={user}&password={}&next=/", encode(password));
        self.post_form(app::api::auth::Login::PATH, cookie, &body)
            .await
    }

    /// Signs in as `user` (password [`PASSWORD`]): the session cookie.
    pub async fn sign_in(&self, user: &str) -> String {
        let reply = self.login(user, PASSWORD, "").await;
        assert!(!reply.cookie.is_empty(), "{user} signed in: {}", reply.body);
        reply.cookie
    }

    /// A user who is not an administrator, signed in; a member of a
    /// workspace with a role when given.
    pub async fn user(&self, name: &str, member: Option<(i64, app::policy::Role)>) -> String {
        let hash = app::auth::hash_password(PASSWORD.into()).await.unwrap();
        let db = &self.state.pool;
        let id = app::store::users::insert(db, name, &hash, false)
            .await
            .unwrap()
            .unwrap();
        if let Some((ws, role)) = member {
            app::store::workspaces::set_member(db, ws, id, role)
                .await
                .unwrap();
        }
        self.sign_in(name).await
    }

    /// (action, outcome) of every audit record, newest first.
    pub async fn audit(&self) -> Vec<(String, String)> {
        let rows = self
            .state
            .audit
            .page(&app::audit::AuditFilter::default())
            .await
            .unwrap();
        rows.into_iter()
            .map(|r| (r.action, r.outcome.as_str().to_string()))
            .collect()
    }

    /// Waits until the inventory satisfies `cond`, woken by its changes;
    /// fails the test naming `what` after `limit`.
    pub async fn wait(
        &self,
        what: &str,
        limit: Duration,
        cond: impl Fn(&app::inventory::Inventory) -> bool,
    ) {
        let start = Instant::now();
        let mut changes = self.state.gateway.subscribe();
        while !self.state.gateway.read(&cond) {
            let left = limit
                .checked_sub(start.elapsed())
                .unwrap_or_else(|| panic!("timed out waiting for {what}"));
            let _ =
                tokio::time::timeout(left.min(Duration::from_millis(250)), changes.recv()).await;
        }
    }
}

/// A form value, percent-encoded as browsers send it.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
