//! Storage and networks on the real lab through the real router: a
//! directory pool, volumes created and grown, a file streamed in through
//! `POST /storage/upload` and read back by virsh, refusals that change
//! nothing, and isolated / NAT networks. `#[ignore]`d: `make test` runs
//! them with the lab up. Everything made here is named `st<pid>-…`.

use std::process::Command;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use clap::Parser;
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use millwright::config::Config;
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery staple";

fn h1() -> String {
    std::env::var("MILLWRIGHT_LAB_H1_URI")
        .expect("MILLWRIGHT_LAB_H1_URI unset: run scripts/lab.sh up and eval its env")
}

fn virsh(args: &[&str]) -> (bool, String) {
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

fn prefix() -> String {
    format!("st{}", std::process::id())
}

struct Lab {
    app: Router,
    state: app::state::AppState,
    admin: String,
    host: i64,
    dir: std::path::PathBuf,
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.state.gateway.shutdown();
        let _ = std::fs::remove_dir_all(&self.dir);
        remove_leftovers();
    }
}

/// Removes this run's pools (with their volumes) and networks, should a
/// failed assertion have left any.
fn remove_leftovers() {
    let mine = |out: String| -> Vec<String> {
        out.lines()
            .map(str::trim)
            .filter(|n| n.starts_with(&format!("{}-", prefix())))
            .map(str::to_string)
            .collect()
    };
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
    for dom in mine(virsh(&["list", "--all", "--name"]).1) {
        virsh(&["undefine", &dom]);
    }
    for net in mine(virsh(&["net-list", "--all", "--name"]).1) {
        virsh(&["net-destroy", &net]);
        virsh(&["net-undefine", &net]);
    }
}

/// A response's status, `Location` and body.
struct Reply {
    status: StatusCode,
    location: String,
    body: String,
}

impl Lab {
    async fn start(tag: &str) -> Lab {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("app=warn,millwright=info")
            .with_test_writer()
            .try_init();
        let dir = std::env::temp_dir().join(format!("mw-{}-{tag}", prefix()));
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
            host: 0,
            dir,
        };
        lab.admin = lab.sign_in("admin").await;
        let start = Instant::now();
        while lab.host == 0 {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "lab-h1 never connected"
            );
            lab.host = lab.state.gateway.read(|inv| {
                inv.hosts
                    .values()
                    .find(|h| h.state == app::model::HostState::Connected)
                    .map(|h| h.id)
                    .unwrap_or(0)
            });
            tokio::time::sleep(Duration::from_millis(100)).await; // waiting for a connect in the background
        }
        lab
    }

    async fn send(&self, req: Request<Body>) -> Reply {
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

    fn post(&self, path: &str, cookie: &str) -> axum::http::request::Builder {
        Request::post(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::COOKIE, cookie)
    }

    async fn sign_in(&self, user: &str) -> String {
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

    /// Calls a server function as `cookie` with form fields.
    async fn call_as(&self, cookie: &str, path: &str, fields: &[(&str, &str)]) -> Reply {
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

    async fn call(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.call_as(&self.admin.clone(), path, fields).await
    }

    async fn audit(&self) -> Vec<(String, String)> {
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
}

/// A multipart form as a browser sends it: the fields, then the file.
fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----millwright-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"boot.iso\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes());
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Lab {
    /// Posts a multipart upload as `cookie`, with its length as browsers send it.
    async fn upload(&self, cookie: &str, fields: &[(&str, &str)], file: &[u8]) -> Reply {
        let (kind, body) = multipart(fields, file);
        let req = self
            .post("/storage/upload", cookie)
            .header(header::CONTENT_TYPE, kind)
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }
}

/// `sha256sum` of a file, as an operator would check it.
fn sha256(path: &std::path::Path) -> String {
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

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn pools_volumes_and_a_streamed_upload() {
    use app::api::{storage::*, volumes::*};
    let lab = Lab::start("storage").await;
    let (p, host) = (prefix(), lab.host.to_string());
    let pool = format!("{p}-pool");
    let path = format!("/tmp/{p}-pool");

    // Bad input names the fields and creates nothing.
    let bad = lab
        .call(
            CreatePool::PATH,
            &[
                ("host_id", &host),
                ("name", "bad name"),
                ("path", "rel/dir"),
            ],
        )
        .await;
    assert!(
        bad.body.contains("ErrResourceName") && bad.body.contains("ErrPoolPath"),
        "{}",
        bad.body
    );
    assert!(!virsh(&["pool-list", "--all"]).1.contains("bad"));

    let t = Instant::now();
    let made = lab
        .call(
            CreatePool::PATH,
            &[("host_id", &host), ("name", &pool), ("path", &path)],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    println!("create pool: {:?}", t.elapsed());
    assert!(virsh(&["pool-info", &pool]).1.contains("running"));
    let stop = lab
        .call(
            PoolAction::PATH,
            &[("host_id", &host), ("pool", &pool), ("action", "stop")],
        )
        .await;
    assert_eq!(stop.status, StatusCode::OK, "{}", stop.body);
    assert!(virsh(&["pool-info", &pool]).1.contains("inactive"));
    lab.call(
        PoolAction::PATH,
        &[("host_id", &host), ("pool", &pool), ("action", "start")],
    )
    .await;
    let listed = lab.call(ListPools::PATH, &[]).await;
    assert!(
        listed.body.contains(&pool) && listed.body.contains(&path),
        "{}",
        listed.body
    );

    // A volume, grown; shrinking is refused.
    let vol = format!("{p}-disk.qcow2");
    let t = Instant::now();
    let made = lab
        .call(
            CreateVolume::PATH,
            &[
                ("host_id", &host),
                ("pool", &pool),
                ("name", &vol),
                ("gib", "1"),
                ("format", "qcow2"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    println!("create volume: {:?}", t.elapsed());
    assert!(virsh(&["vol-info", "--pool", &pool, &vol])
        .1
        .contains("1.00 GiB"));
    let grow = lab
        .call(
            ResizeVolume::PATH,
            &[
                ("host_id", &host),
                ("pool", &pool),
                ("name", &vol),
                ("gib", "3"),
            ],
        )
        .await;
    assert_eq!(grow.status, StatusCode::OK, "{}", grow.body);
    assert!(virsh(&["vol-info", "--pool", &pool, &vol])
        .1
        .contains("3.00 GiB"));
    let shrink = lab
        .call(
            ResizeVolume::PATH,
            &[
                ("host_id", &host),
                ("pool", &pool),
                ("name", &vol),
                ("gib", "2"),
            ],
        )
        .await;
    assert!(
        shrink.body.contains("ErrGrowOnly") && shrink.body.contains("gib"),
        "{}",
        shrink.body
    );
    assert!(virsh(&["vol-info", "--pool", &pool, &vol])
        .1
        .contains("3.00 GiB"));
    let bad = lab
        .call(
            CreateVolume::PATH,
            &[
                ("host_id", &host),
                ("pool", &pool),
                ("name", "x/y"),
                ("gib", "0"),
                ("format", "vmdk"),
            ],
        )
        .await;
    for rule in ["ErrResourceName", "ErrVolumeSize", "ErrVolumeFormat"] {
        assert!(bad.body.contains(rule), "{rule}: {}", bad.body);
    }

    // An upload, streamed, read back by virsh.
    let data: Vec<u8> = (0..32u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let iso = format!("{p}-boot.iso");
    let fields = [("host_id", host.as_str()), ("pool", &pool), ("name", &iso)];
    let t = Instant::now();
    let up = lab.upload(&lab.admin, &fields, &data).await;
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    assert!(up.location.contains("uploaded="), "{}", up.location);
    println!("upload 32 MiB: {secs:.2} s = {:.1} MiB/s", 32.0 / secs);
    let sent = std::env::temp_dir().join(format!("{p}-sent.iso"));
    let copy = std::env::temp_dir().join(format!("{p}-download.iso"));
    std::fs::write(&sent, &data).unwrap();
    assert!(
        virsh(&[
            "vol-download",
            "--pool",
            &pool,
            &iso,
            copy.to_str().unwrap()
        ])
        .0
    );
    let (want, got) = (sha256(&sent), sha256(&copy));
    let _ = (std::fs::remove_file(&sent), std::fs::remove_file(&copy));
    println!("sha256 sent {want} / vol-download {got}");
    assert_eq!(got, want, "the volume holds exactly the file");
    // The same name again is refused and leaves the first upload alone.
    let again = lab.upload(&lab.admin, &fields, b"other").await;
    assert!(
        again.location.contains("upload_error=ErrVolumeExists"),
        "{}",
        again.location
    );

    // A body cut off mid-file fails, and the half-made volume is removed.
    let (kind, mut body) = multipart(
        &[("host_id", &host), ("pool", &pool), ("name", "cut.iso")],
        &data[..1 << 20],
    );
    body.truncate(body.len() - 40);
    let req = lab
        .post("/storage/upload", &lab.admin)
        .header(header::CONTENT_TYPE, kind)
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap();
    let cut = lab.send(req).await;
    assert!(cut.location.contains("upload_error="), "{}", cut.location);
    assert!(
        !virsh(&["vol-list", &pool]).1.contains("cut.iso"),
        "nothing half-made is left"
    );
    // More than the pool has room for is refused before anything is made.
    let (kind, body) = multipart(
        &[("host_id", &host), ("pool", &pool), ("name", "huge.iso")],
        b"x",
    );
    let req = lab
        .post("/storage/upload", &lab.admin)
        .header(header::CONTENT_TYPE, kind)
        .header(header::CONTENT_LENGTH, (1u64 << 50).to_string())
        .body(Body::from(body))
        .unwrap();
    let huge = lab.send(req).await;
    assert!(
        huge.location.contains("upload_error=ErrUploadTooLarge"),
        "{}",
        huge.location
    );
    assert!(!virsh(&["vol-list", &pool]).1.contains("huge.iso"));

    // A volume a domain uses is not deleted, and the list says who uses it.
    let disk_path = virsh(&["vol-path", "--pool", &pool, &vol])
        .1
        .trim()
        .to_string();
    let user = format!("{p}-user");
    let xml = std::env::temp_dir().join(format!("{user}.xml"));
    std::fs::write(
        &xml,
        format!(
            "<domain type='qemu'><name>{user}</name><memory unit='MiB'>64</memory>\
             <os><type>hvm</type></os><devices><disk type='file' device='disk'>\
             <driver name='qemu' type='qcow2'/><source file='{disk_path}'/>\
             <target dev='vda' bus='virtio'/></disk></devices></domain>"
        ),
    )
    .unwrap();
    assert!(virsh(&["define", xml.to_str().unwrap()]).0);
    let _ = std::fs::remove_file(&xml);
    let listed = lab
        .call(ListVolumes::PATH, &[("host_id", &host), ("pool", &pool)])
        .await;
    assert!(
        listed.body.contains(&format!("\"used_by\":[\"{user}\"]")),
        "{}",
        listed.body
    );
    let in_use = lab
        .call(
            DeleteVolume::PATH,
            &[("host_id", &host), ("pool", &pool), ("name", &vol)],
        )
        .await;
    assert!(in_use.body.contains("ErrVolumeInUse"), "{}", in_use.body);
    assert!(virsh(&["vol-info", "--pool", &pool, &vol]).0, "still there");
    assert!(virsh(&["undefine", &user]).0);

    // A non-empty pool is not deleted.
    let refused = lab
        .call(DeletePool::PATH, &[("host_id", &host), ("pool", &pool)])
        .await;
    assert!(refused.body.contains("ErrPoolNotEmpty"), "{}", refused.body);
    assert!(virsh(&["pool-info", &pool]).1.contains("running"));

    // A viewer's forged create is refused with 403 and audited.
    let hash = app::auth::hash_password(PASSWORD.into()).await.unwrap();
    app::store::users::insert(&lab.state.pool, "viewer1", &hash, false)
        .await
        .unwrap();
    let viewer = lab.sign_in("viewer1").await;
    let forged = lab
        .call_as(
            &viewer,
            CreateVolume::PATH,
            &[
                ("host_id", &host),
                ("pool", &pool),
                ("name", "forged"),
                ("gib", "1"),
                ("format", "raw"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let forged_fields = [
        ("host_id", host.as_str()),
        ("pool", &pool),
        ("name", "forged.iso"),
    ];
    let forged_up = lab.upload(&viewer, &forged_fields, b"x").await;
    assert_eq!(forged_up.status, StatusCode::FORBIDDEN);

    let audit = lab.audit().await;
    for action in ["volume.create", "volume.upload"] {
        assert!(
            audit.contains(&(action.into(), "denied".into())),
            "{action}: {audit:?}"
        );
    }
    assert!(audit.contains(&("volume.upload".into(), "ok".into())));
    assert!(!virsh(&["vol-list", &pool]).1.contains("forged"));

    // An operator of a workspace allowed this pool manages its volumes; a
    // workspace without it sees no pool at all.
    let db = &lab.state.pool;
    let ws = app::store::workspaces::insert(db, &format!("{p}ws"), "Line team")
        .await
        .unwrap()
        .unwrap();
    let other = app::store::workspaces::insert(db, &format!("{p}other"), "Other team")
        .await
        .unwrap()
        .unwrap();
    app::store::workspaces::set_resources(db, ws, &[], &[], std::slice::from_ref(&pool))
        .await
        .unwrap();
    let op = app::store::users::insert(db, "op1", &hash, false)
        .await
        .unwrap()
        .unwrap();
    let outsider = app::store::users::insert(db, "op2", &hash, false)
        .await
        .unwrap()
        .unwrap();
    use app::policy::Role::Operator;
    app::store::workspaces::set_member(db, ws, op, Operator)
        .await
        .unwrap();
    app::store::workspaces::set_member(db, other, outsider, Operator)
        .await
        .unwrap();
    let (op, outsider) = (lab.sign_in("op1").await, lab.sign_in("op2").await);
    assert!(lab
        .call_as(&op, ListPools::PATH, &[])
        .await
        .body
        .contains(&pool));
    assert_eq!(
        lab.call_as(&outsider, ListPools::PATH, &[]).await.body,
        "[]"
    );
    let op_vol = format!("{p}-op.raw");
    let mine = [
        ("host_id", host.as_str()),
        ("pool", &pool),
        ("name", &op_vol),
        ("gib", "1"),
        ("format", "raw"),
    ];
    let made = lab.call_as(&op, CreateVolume::PATH, &mine).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let refused = lab.call_as(&outsider, CreateVolume::PATH, &mine).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused.body.contains("DenyPoolNotAllowed"),
        "{}",
        refused.body
    );
    let removed = lab.call_as(&op, DeleteVolume::PATH, &mine[..3]).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let refused = lab.call_as(&op, DeletePool::PATH, &mine[..2]).await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "pools are for administrators"
    );

    // Clean up through the dashboard.
    for v in [&vol, &iso] {
        let out = lab
            .call(
                DeleteVolume::PATH,
                &[("host_id", &host), ("pool", &pool), ("name", v)],
            )
            .await;
        assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    }
    let gone = lab
        .call(DeletePool::PATH, &[("host_id", &host), ("pool", &pool)])
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    assert!(!virsh(&["pool-info", &pool]).0);
    assert!(
        !std::path::Path::new(&path).exists(),
        "the directory is removed"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn isolated_and_nat_networks() {
    use app::api::networks::*;
    let lab = Lab::start("networks").await;
    let (p, host) = (prefix(), lab.host.to_string());
    let third = (std::process::id() % 200 + 20).to_string();
    for (mode, second) in [("isolated", "251"), ("nat", "252")] {
        let name = format!("{p}-{mode}");
        let net = |last: &str| format!("10.{second}.{third}.{last}");
        let (cidr, start, end) = (net("1/24"), net("100"), net("199"));
        // Bad input first: nothing is defined.
        let bad = lab
            .call(
                CreateNetwork::PATH,
                &[
                    ("host_id", &host),
                    ("name", &name),
                    ("mode", mode),
                    ("cidr", &net("0/24")),
                    ("dhcp_start", &start),
                    ("dhcp_end", "10.9.9.9"),
                ],
            )
            .await;
        assert!(bad.body.contains("ErrCidr"), "{}", bad.body);
        assert!(!virsh(&["net-info", &name]).0);

        let t = Instant::now();
        let made = lab
            .call(
                CreateNetwork::PATH,
                &[
                    ("host_id", &host),
                    ("name", &name),
                    ("mode", mode),
                    ("cidr", &cidr),
                    ("dhcp_start", &start),
                    ("dhcp_end", &end),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{mode}: {}", made.body);
        println!("create {mode} network: {:?}", t.elapsed());
        assert!(virsh(&["net-info", &name])
            .1
            .contains("Active:         yes"));
        let listed = lab.call(ListNetworks::PATH, &[]).await;
        assert!(
            listed.body.contains(&name) && listed.body.contains(&cidr),
            "{}",
            listed.body
        );
        assert!(
            listed.body.contains(&format!("\"mode\":\"{mode}\"")),
            "{}",
            listed.body
        );
        let leases = lab
            .call(ListLeases::PATH, &[("host_id", &host), ("name", &name)])
            .await;
        assert_eq!(
            (leases.status, leases.body.as_str()),
            (StatusCode::OK, "[]")
        );
        let stop = lab
            .call(
                NetworkAction::PATH,
                &[("host_id", &host), ("name", &name), ("action", "stop")],
            )
            .await;
        assert_eq!(stop.status, StatusCode::OK, "{}", stop.body);
        assert!(virsh(&["net-info", &name]).1.contains("Active:         no"));
        let gone = lab
            .call(DeleteNetwork::PATH, &[("host_id", &host), ("name", &name)])
            .await;
        assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
        assert!(!virsh(&["net-info", &name]).0);
    }
    // A VLAN on a bridge goes through Open vSwitch. The lab has no OVS
    // bridge; libvirt defines and "starts" a bridged network without
    // checking the bridge (a domain attaching to it would fail).
    let name = format!("{p}-vlan");
    let bridge = format!("{p}br");
    let out = lab
        .call(
            CreateNetwork::PATH,
            &[
                ("host_id", &host),
                ("name", &name),
                ("mode", "bridge"),
                ("bridge", &bridge),
                ("vlan", "310"),
            ],
        )
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    let xml = virsh(&["net-dumpxml", &name]).1;
    assert!(
        xml.contains("<virtualport type='openvswitch'/>") && xml.contains("<tag id='310'/>"),
        "{xml}"
    );
    let listed = lab.call(ListNetworks::PATH, &[]).await;
    assert!(listed.body.contains("\"vlan\":310"), "{}", listed.body);
    lab.call(DeleteNetwork::PATH, &[("host_id", &host), ("name", &name)])
        .await;
    assert!(!virsh(&["net-info", &name]).0, "nothing left behind");
    // A viewer may not create networks.
    let hash = app::auth::hash_password(PASSWORD.into()).await.unwrap();
    app::store::users::insert(&lab.state.pool, "viewer1", &hash, false)
        .await
        .unwrap();
    let viewer = lab.sign_in("viewer1").await;
    let forged = lab
        .call_as(
            &viewer,
            CreateNetwork::PATH,
            &[
                ("host_id", &host),
                ("name", &name),
                ("mode", "isolated"),
                ("cidr", "10.253.0.1/24"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(lab
        .audit()
        .await
        .contains(&("network.create".into(), "denied".into())));
}
