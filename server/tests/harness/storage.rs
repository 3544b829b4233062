//! The storage and network lab tests' part of the harness: the server with
//! lab host h1, the administrator signed in, and everything a test makes
//! on the lab named after its own prefix and removed when its `Lab` is
//! dropped, even after a failed assertion.

use std::ops::Deref;
use std::process::Command;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, StatusCode};
use leptos::server_fn::ServerFn;

use super::{h1, Reply, TestApp};

/// Runs virsh against lab host h1: (succeeded, stdout + stderr).
pub fn virsh(args: &[&str]) -> (bool, String) {
    super::virsh(&h1(), args)
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

pub struct Lab {
    pub app: TestApp,
    pub admin: String,
    /// Lab host h1's id, as a form value.
    pub host: String,
    /// `st<pid>-<tag>`: the start of every name this test makes.
    pub prefix: String,
}

impl Deref for Lab {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
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
        let prefix = format!("st{}-{tag}", std::process::id());
        let hosts = format!("lab-h1={}", h1());
        let app = TestApp::spawn(&prefix, &["--host", &hosts]).await;
        let admin = app.sign_in("admin").await;
        app.wait("lab-h1 connected", Duration::from_secs(20), |inv| {
            inv.hosts
                .values()
                .any(|h| h.state == app::model::host::HostState::Connected)
        })
        .await;
        let host = app.state.gateway.read(|inv| {
            inv.hosts
                .values()
                .find(|h| h.state == app::model::host::HostState::Connected)
                .map(|h| h.id.to_string())
                .unwrap_or_default()
        });
        Lab {
            app,
            admin,
            host,
            prefix,
        }
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
            .app
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
