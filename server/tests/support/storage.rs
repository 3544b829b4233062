//! The harness of the storage and network lab tests: the real router on a
//! fresh SQLite file with lab host h1, signed-in users, server function
//! calls, multipart uploads, and `virsh` as the independent witness.
//! Everything a test makes on the lab is named after its own prefix and
//! removed when its `Lab` is dropped, even after a failed assertion.
#![allow(dead_code)] // each test file uses its own part

use std::process::Command;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use clap::Parser;
use http_body_util::BodyExt;
use millwright::config::Config;
use tower::ServiceExt;

pub use leptos::server_fn::ServerFn;

pub const PASSWORD: &str = "correct horse battery staple";

pub fn h1() -> String {
    std::env::var("MILLWRIGHT_LAB_H1_URI")
        .expect("MILLWRIGHT_LAB_H1_URI unset: run scripts/lab.sh up and eval its env")
}

/// Runs virsh against lab host h1: (succeeded, stdout + stderr).
pub fn virsh(args: &[&str]) -> (bool, String) {
    let out = Command::new("virsh")
        .arg("-c")
        .arg(h1())
        .args(args)
        .output()
        .expect("virsh");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// `sha256sum` of a file, as an operator would check it.
pub fn sha256(path: &std::path::Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A response's status, `Location` and body.
pub struct Reply {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

pub struct Lab {
    pub app: Router,
    pub state: app::state::AppState,
    pub admin: String,
    /// Lab host h1's id, as a form value.
    pub host: String,
    /// `st<pid>-<tag>`: the start of every name this test makes.
    pub prefix: String,
    dir: std::path::PathBuf,
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.state.gateway.shutdown();
        let _ = std::fs::remove_dir_all(&self.dir);
        remove_leftovers(&self.prefix);
    }
}

/// Removes the domains, pools (with their volumes) and networks whose names
/// start with `prefix`.
fn remove_leftovers(prefix: &str) {
    let mine = |out: String| -> Vec<String> {
        out.lines()
            .map(str::trim)
            .filter(|n| n.starts_with(prefix))
            .map(str::to_string)
            .collect()
    };
    for dom in mine(virsh(&["list", "--all", "--name"]).1) {
        virsh(&["undefine", &dom]);
    }
    for pool in mine(virsh(&["pool-list", "--all", "--name"]).1) {
        for vol in virsh(&["vol-list", &pool]).1.lines().skip(2) {
            if let Some(name) = vol.split_whitespace().next() {
                virsh(&["vol-delete", "--pool", &pool, name]);
            }
        }
        virsh(&["pool-destroy", &pool]);
        virsh(&["pool-delete", &pool]);
        virsh(&["pool-undefine", &pool]);
    }
    for net in mine(virsh(&["net-list", "--all", "--name"]).1) {
        virsh(&["net-destroy", &net]);
        virsh(&["net-undefine", &net]);
    }
}

impl Lab {
    pub async fn start(tag: &str) -> Lab {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("app=warn,millwright=info")
            .with_test_writer()
            .try_init();
        let prefix = format!("st{}-{tag}", std::process::id());
        let dir = std::env::temp_dir().join(format!("mw-{prefix}"));
        let _ = std::fs::remove_dir_all(&dir);
        let hosts = format!("lab-h1={}", h1());
        let cfg = Config::parse_from([
            "millwright",
            "--no-demo",
            "--data-dir",
            dir.to_str().unwrap(),
            "--admin-password",
            PASSWORD,
            "--host",
            &hosts,
        ]);
        let built = millwright::build(&cfg).await.unwrap();
        let mut lab = Lab {
            app: built.app,
            state: built.state,
            admin: String::new(),
            host: String::new(),
            prefix,
            dir,
        };
        lab.admin = lab.sign_in("admin").await;
        let start = Instant::now();
        loop {
            let connected = lab.state.gateway.read(|inv| {
                inv.hosts
                    .values()
                    .find(|h| h.state == app::model::host::HostState::Connected)
                    .map(|h| h.id)
            });
            if let Some(id) = connected {
                lab.host = id.to_string();
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "lab-h1 never connected"
            );
            tokio::time::sleep(Duration::from_millis(100)).await; // waiting for a connect in the background
        }
        lab
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Reply {
            status,
            location,
            body,
        }
    }

    pub fn post(&self, path: &str, cookie: &str) -> axum::http::request::Builder {
        Request::post(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::COOKIE, cookie)
    }

    pub async fn sign_in(&self, user: &str) -> String {
        let body = format!(
            "username={user}&password={}&next=/",
            PASSWORD.replace(' ', "+")
        );
        let req = self
            .post(app::api::auth::Login::PATH, "")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        resp.headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("mw_session="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .expect("signed in")
    }

    /// A user who is not an administrator, signed in; a member of
    /// `workspace` with `role` when given.
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

    /// Calls a server function as `cookie` with form fields.
    pub async fn call_as(&self, cookie: &str, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", app::url::encode_path(v).replace('/', "%2F")))
            .collect();
        let req = self
            .post(path, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.join("&")))
            .unwrap();
        self.send(req).await
    }

    /// Calls a server function as the administrator.
    pub async fn call(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.call_as(&self.admin, path, fields).await
    }

    /// Calls as the administrator and insists on success.
    pub async fn ok(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let reply = self.call(path, fields).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        reply
    }

    /// (action, outcome) of every audit record.
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

    /// A running directory pool made through the dashboard: (name, path).
    pub async fn pool(&self) -> (String, String) {
        let name = format!("{}-pool", self.prefix);
        let path = format!("/tmp/{name}");
        let fields = [
            ("host_id", self.host.as_str()),
            ("name", &name),
            ("path", &path),
        ];
        self.ok(app::api::storage::CreatePool::PATH, &fields).await;
        (name, path)
    }

    /// Posts a multipart upload as `cookie`, with its length as browsers
    /// send it; `length` overrides the announced length.
    pub async fn upload(
        &self,
        cookie: &str,
        fields: &[(&str, &str)],
        file: &[u8],
        length: Option<u64>,
    ) -> Reply {
        let (kind, body) = multipart(fields, file);
        let req = self
            .post("/storage/upload", cookie)
            .header(header::CONTENT_TYPE, kind)
            .header(header::CONTENT_LENGTH, length.unwrap_or(body.len() as u64))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }
}

/// A multipart form as a browser sends it: the fields, then the file.
pub fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----millwright-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"boot.iso\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
