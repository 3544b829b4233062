//! The fleet lab tests' part of the harness: the server with lab host h1
//! (QEMU and LXC) registered, signed in as admin, a workspace of this run,
//! and helpers to create, power and delete domains through the dashboard.

use std::ops::Deref;
use std::time::Duration;

use leptos::server_fn::ServerFn;

use super::{encode, env, virsh, TestApp};

pub struct Lab {
    pub app: TestApp,
    /// The administrator's session.
    pub cookie: String,
}

impl Deref for Lab {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl Drop for Lab {
    /// Also removes what a failed test left on the lab in this run's
    /// workspace (and its networks), so it cannot count against the next
    /// test's quota or room.
    fn drop(&mut self) {
        let slug = workspace_slug();
        let left: Vec<(String, String)> = self.state.gateway.read(|inv| {
            inv.hosts
                .values()
                .flat_map(|h| {
                    h.domains
                        .values()
                        .filter(|d| d.workspace.as_deref() == Some(slug.as_str()))
                        .map(|d| (h.uri.clone(), d.name.clone()))
                })
                .collect()
        });
        for (uri, name) in left {
            virsh(&uri, &["destroy", &name]);
            if !virsh(&uri, &["undefine", &name]).0 {
                virsh(&uri, &["undefine", &name, "--snapshots-metadata"]);
            }
        }
        let h1 = env("MILLWRIGHT_LAB_H1_URI");
        let suffix = format!("-{}", std::process::id());
        for net in virsh(&h1, &["net-list", "--all", "--name"]).1.lines() {
            let net = net.trim();
            if net.starts_with("mw-") && net.ends_with(&suffix) {
                virsh(&h1, &["net-destroy", net]);
                virsh(&h1, &["net-undefine", net]);
            }
        }
    }
}

pub async fn lab(tag: &str) -> Lab {
    lab_with(tag, &[]).await
}

/// [`lab`] with `extra` on the server's command line.
pub async fn lab_with(tag: &str, extra: &[&str]) -> Lab {
    let hosts = format!(
        "lab-h1={},lab-h1-lxc={}",
        env("MILLWRIGHT_LAB_H1_URI"),
        env("MILLWRIGHT_LAB_H1_LXC_URI")
    );
    lab_on(tag, &hosts, extra).await
}

fn two_hosts() -> String {
    format!(
        "lab-h1={},lab-h2={}",
        env("MILLWRIGHT_LAB_H1_URI"),
        env("MILLWRIGHT_LAB_H2_URI")
    )
}

/// The lab's QEMU hosts h1 and h2 (`lab-h1`, `lab-h2`), for moves.
pub async fn lab_two(tag: &str, extra: &[&str]) -> Lab {
    lab_on(tag, &two_hosts(), extra).await
}

/// The lab's LXC hosts h1 and h2 (`lab-h1-lxc`, `lab-h2-lxc`), for a
/// container's move.
pub async fn lab_two_lxc(tag: &str) -> Lab {
    let hosts = format!(
        "lab-h1-lxc={},lab-h2-lxc={}",
        env("MILLWRIGHT_LAB_H1_LXC_URI"),
        env("MILLWRIGHT_LAB_H2_LXC_URI")
    );
    lab_on(tag, &hosts, &[]).await
}

/// [`lab_two`] started again on the data directory `dir` of one that
/// stopped (its workspace and jobs are there), signed in anew.
pub async fn lab_two_again(dir: std::path::PathBuf) -> Lab {
    let hosts = two_hosts();
    let args = ["--shutdown-timeout-secs", "4", "--host", &hosts];
    let app = TestApp::start_in(dir, &args).await;
    let cookie = app.sign_in("admin").await;
    Lab { app, cookie }
}

/// The server with the two hosts of `hosts` (`NAME=URI,NAME=URI`) and
/// `extra` on its command line.
async fn lab_on(tag: &str, hosts: &str, extra: &[&str]) -> Lab {
    let mut args = vec!["--shutdown-timeout-secs", "4", "--host", hosts];
    args.extend_from_slice(extra);
    let app = TestApp::spawn(&format!("fleet-{tag}"), &args).await;
    let cookie = app.sign_in("admin").await;
    let lab = Lab { app, cookie };
    let slug = workspace_slug();
    sqlx::query("INSERT INTO workspaces (slug, name) VALUES (?, 'Lab team')")
        .bind(&slug)
        .execute(&lab.state.pool)
        .await
        .unwrap();
    let rootfs = env("MILLWRIGHT_LAB_ROOTFS");
    app::store::templates::rootfs_upsert(&lab.state.pool, "busybox", &rootfs)
        .await
        .unwrap();
    lab.wait("both lab hosts connected", Duration::from_secs(20), |inv| {
        inv.hosts
            .values()
            .filter(|h| h.state == app::model::host::HostState::Connected)
            .count()
            == 2
    })
    .await;
    lab
}

impl Lab {
    /// Posts a form body to `path` as the administrator: the reply's body.
    pub async fn post(&self, path: &str, body: &str) -> String {
        self.app.post_form(path, &self.cookie, body).await.body
    }

    pub fn host_id(&self, lxc: bool) -> i64 {
        self.host_named(if lxc { "lab-h1-lxc" } else { "lab-h1" })
    }

    pub fn host_named(&self, name: &str) -> i64 {
        self.state
            .gateway
            .read(|inv| inv.hosts.values().find(|h| h.name == name).map(|h| h.id))
            .unwrap()
    }

    pub fn find(&self, name: &str) -> Option<app::model::domain::DomainRow> {
        self.state.gateway.read(|inv| {
            inv.hosts
                .values()
                .flat_map(|h| h.domains.values())
                .find(|d| d.name == name)
                .cloned()
        })
    }

    pub async fn create(&self, fields: &[(&str, &str)]) -> String {
        self.create_reply(fields).await.body
    }

    /// Posts the create form: the reply, status included.
    pub async fn create_reply(&self, fields: &[(&str, &str)]) -> super::Reply {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("form%5B{k}%5D={}", encode(v)))
            .collect();
        let path = app::api::fleet::CreateDomain::PATH;
        self.app
            .post_form(path, &self.cookie, &body.join("&"))
            .await
    }

    pub async fn power(&self, row: &app::model::domain::DomainRow, action: &str) -> String {
        self.post(
            app::api::fleet::Power::PATH,
            &format!("host_id={}&uuid={}&action={action}", row.host_id, row.uuid),
        )
        .await
    }

    pub async fn delete(&self, row: &app::model::domain::DomainRow) -> String {
        let body = format!(
            "host_id={}&uuid={}&confirm={}&with_storage=on",
            row.host_id, row.uuid, row.name
        );
        self.post(app::api::fleet::DeleteDomain::PATH, &body).await
    }

    pub async fn wait_state(&self, name: &str, state: app::model::domain::DomainState) {
        self.wait(
            &format!("{name} {state:?}"),
            Duration::from_secs(10),
            |inv| {
                inv.hosts
                    .values()
                    .flat_map(|h| h.domains.values())
                    .any(|d| d.name == name && d.state == state)
            },
        )
        .await;
    }
}

/// A workspace of this run only: domains left by an interrupted run never
/// count against its quota.
pub fn workspace_slug() -> String {
    format!("lab{}", std::process::id())
}

pub fn vm_fields<'a>(name: &'a str, host: &'a str) -> Vec<(&'a str, &'a str)> {
    let slug: &'static str = Box::leak(workspace_slug().into_boxed_str());
    vec![
        ("kind", "vm"),
        ("name", name),
        ("workspace", slug),
        ("host", host),
        ("vcpus", "1"),
        ("memory_mib", "64"),
        ("disk_gib", "0"),
        ("boot", "none"),
    ]
}

/// A container's create form: `name` on host `host` (an id) of this run's
/// workspace, its root copied from the lab's root filesystem into `pool`,
/// running `init` with `args`, started.
pub async fn container_fields<'a>(
    lab: &Lab,
    name: &'a str,
    host: &'a str,
    pool: &'a str,
    (init, args): (&'a str, &'a str),
) -> Vec<(&'a str, &'a str)> {
    let rootfs: i64 = sqlx::query_scalar("SELECT id FROM root_filesystems")
        .fetch_one(&lab.state.pool)
        .await
        .unwrap();
    let rootfs: &'static str = Box::leak(rootfs.to_string().into_boxed_str());
    let slug: &'static str = Box::leak(workspace_slug().into_boxed_str());
    vec![
        ("kind", "container"),
        ("name", name),
        ("workspace", slug),
        ("host", host),
        ("vcpus", "1"),
        ("memory_mib", "64"),
        ("init", init),
        ("args", args),
        ("rootfs", rootfs),
        ("pool", pool),
        ("start", "on"),
    ]
}

/// A transient directory pool on lab h1, destroyed when dropped.
pub struct TestPool {
    pub name: String,
    pub dir: std::path::PathBuf,
    uri: String,
}

impl TestPool {
    pub fn new(tag: &str) -> TestPool {
        let uri = env("MILLWRIGHT_LAB_H1_URI");
        let dir = std::path::PathBuf::from(env("MILLWRIGHT_LAB_IMAGES"))
            .join(format!("{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let name = format!("mw{tag}{}", std::process::id());
        let (ok, out) = virsh(
            &uri,
            &[
                "pool-create-as",
                &name,
                "dir",
                "--target",
                dir.to_str().unwrap(),
            ],
        );
        assert!(ok, "pool-create-as: {out}");
        TestPool { name, dir, uri }
    }

    /// Files in the pool's directory.
    pub fn files(&self) -> usize {
        std::fs::read_dir(&self.dir).unwrap().count()
    }
}

impl Drop for TestPool {
    fn drop(&mut self) {
        virsh(&self.uri, &["pool-destroy", &self.name]);
    }
}

/// A 128 MiB VM that boots the lab's tiny guest (kernel + initrd), no disk.
pub fn kernel_boot_fields<'a>(name: &'a str, host: &'a str) -> Vec<(&'a str, &'a str)> {
    let (kernel, initrd): (&'static str, &'static str) = (
        Box::leak(env("MILLWRIGHT_LAB_KERNEL").into_boxed_str()),
        Box::leak(env("MILLWRIGHT_LAB_INITRD").into_boxed_str()),
    );
    let mut fields = vm_fields(name, host);
    fields.retain(|(k, _)| !["memory_mib", "boot"].contains(k));
    fields.extend([
        ("memory_mib", "128"),
        ("boot", "kernel"),
        ("kernel", kernel),
        ("initrd", initrd),
        ("cmdline", "console=ttyS0 panic=-1 quiet"),
    ]);
    fields
}

/// Can the lab's disks honour blkio weights (bfq or cfq offered by the
/// kernel)? The lab's hosts share this machine's kernel.
pub fn io_weights_honoured() -> bool {
    std::fs::read_dir("/sys/block")
        .into_iter()
        .flatten()
        .flatten()
        .any(|dev| {
            std::fs::read_to_string(dev.path().join("queue/scheduler"))
                .is_ok_and(|s| s.contains("bfq") || s.contains("cfq"))
        })
}
