//! Trust on the real lab: a create whose client hangs up right after
//! sending still ends with exactly one closing audit record and no quota
//! reservation left; an operator boots from an ISO volume its workspace may
//! use, resolved by libvirt. `#[ignore]`d: `make test` runs them with the
//! lab up.

mod harness;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::header;
use harness::fleet::*;
use harness::{encode, ServerFn};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_create_whose_client_hangs_up_is_audited_once_and_keeps_no_reservation() {
    let lab = lab("hangup").await;
    let name = format!("mw-hangup-{}", std::process::id());
    let host = lab.host_id(false).to_string();
    let mut fields = vm_fields(&name, &host);
    fields.push(("start", "on"));
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("form%5B{k}%5D={}", encode(v)))
        .collect();
    let req = lab
        .app
        .post(app::api::fleet::CreateDomain::PATH, &lab.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap();
    {
        // Polled once (the request is handed over), then dropped, as hyper
        // drops it when the client's connection closes.
        let call = lab.respond(req);
        futures::pin_mut!(call);
        assert!(futures::poll!(call.as_mut()).is_pending());
    }
    let filter = app::audit::AuditFilter {
        action: Some("domain.create".into()),
        ..Default::default()
    };
    let started = Instant::now();
    let records = loop {
        let mut records = lab.state.audit.page(&filter).await.unwrap();
        records.retain(|r| r.outcome != app::audit::Outcome::Started);
        if !records.is_empty() {
            break records;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no closing record"
        );
        tokio::time::sleep(Duration::from_millis(50)).await; // polling the log
    };
    assert_eq!(records.len(), 1, "exactly one closing record");
    assert_eq!(
        records[0].outcome,
        app::audit::Outcome::Ok,
        "{:?}",
        records[0]
    );
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quota_reservations")
        .fetch_one(&lab.state.pool)
        .await
        .unwrap();
    assert_eq!(held, 0, "no reservation left");
    lab.wait_state(&name, app::model::domain::DomainState::Running)
        .await;
    let row = lab.find(&name).expect("the domain");
    let out = lab.delete(&row).await;
    assert!(!out.contains("Err"), "delete: {out}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn an_operator_boots_from_an_iso_volume_resolved_on_the_host() {
    let lab = lab("isoboot").await;
    let iso_pool = TestPool::new("iso");
    std::fs::write(iso_pool.dir.join("installer.iso"), vec![0u8; 1 << 16]).unwrap();
    let uri = harness::env("MILLWRIGHT_LAB_H1_URI");
    assert!(harness::virsh(&uri, &["pool-refresh", &iso_pool.name]).0);
    let db = &lab.state.pool;
    let ws = app::store::workspaces::id_of(db, &workspace_slug())
        .await
        .unwrap()
        .unwrap();
    let pools = [iso_pool.name.clone()];
    app::store::workspaces::set_resources(db, ws, &[], &[], &pools)
        .await
        .unwrap();
    let operator = lab
        .user("iso-op", Some((ws, app::policy::Role::Operator)))
        .await;
    let media = lab
        .call_as(&operator, app::api::volumes::ListBootMedia::PATH, &[])
        .await;
    assert!(media.body.contains("installer.iso"), "{}", media.body);

    let name = format!("mw-iso-{}", std::process::id());
    let host = lab.host_id(false).to_string();
    let value = format!("{}/installer.iso", iso_pool.name);
    let mut fields = vm_fields(&name, &host);
    fields.retain(|(k, _)| *k != "boot");
    fields.extend([("boot", "iso"), ("iso", value.as_str())]);
    let named: Vec<(String, &str)> = fields
        .iter()
        .map(|(k, v)| (format!("form[{k}]"), *v))
        .collect();
    let named: Vec<(&str, &str)> = named.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let made = lab
        .call_as(&operator, app::api::fleet::CreateDomain::PATH, &named)
        .await;
    assert!(made.status.is_success(), "{}", made.body);
    let xml = harness::virsh(&uri, &["dumpxml", &name]).1;
    let path = iso_pool.dir.join("installer.iso");
    assert!(
        xml.contains("device='cdrom'") && xml.contains(&format!("file='{}'", path.display())),
        "{xml}"
    );
    let row = lab.find(&name).expect("the domain");
    let out = lab.delete(&row).await;
    assert!(!out.contains("Err"), "delete: {out}");
}

/// Waits until the host file `path` exists (a container wrote it), within
/// `limit`.
async fn wait_file(path: &std::path::Path, limit: Duration) -> String {
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        assert!(started.elapsed() < limit, "{path:?} never appeared");
        tokio::time::sleep(Duration::from_millis(50)).await; // polling the host file
    }
}

/// Creates and starts a container from the lab's root filesystem, its
/// root in `pool`, running `script` (then sleeping).
async fn create_container(lab: &Lab, pool: &str, name: &str, script: &str) {
    let host = lab.host_id(true).to_string();
    // The form splits arguments at spaces: ${IFS} stands for them.
    let args = format!("-c {script};exec${{IFS}}sleep${{IFS}}100000");
    let fields = container_fields(lab, name, &host, pool, ("/bin/sh", &args)).await;
    let out = lab.create(&fields).await;
    assert!(out.contains(name), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn containers_from_one_root_filesystem_have_roots_and_ids_of_their_own() {
    use std::os::unix::fs::MetadataExt;
    let lab = lab("ctiso").await;
    let pool = TestPool::new("ctiso");
    let (a, b) = (
        format!("mw-cta-{}", std::process::id()),
        format!("mw-ctb-{}", std::process::id()),
    );
    let limit = Duration::from_secs(30);
    let script = "cat${IFS}/proc/self/uid_map>/uid_map;touch${IFS}/from-a";
    create_container(&lab, &pool.name, &a, script).await;
    let a_root = pool.dir.join(format!("{a}-root"));
    wait_file(&a_root.join("from-a"), limit).await;
    let script = "ls${IFS}-a${IFS}/>/l;mv${IFS}/l${IFS}/listing";
    create_container(&lab, &pool.name, &b, script).await;
    let b_root = pool.dir.join(format!("{b}-root"));
    let listing = wait_file(&b_root.join("listing"), limit).await;

    // What A wrote in its `/` is not in B's `/`, though both were made
    // from the same root filesystem, which is untouched.
    assert!(listing.lines().any(|l| l == "bin"), "{listing}");
    assert!(!listing.lines().any(|l| l == "from-a"), "{listing}");
    let template = std::path::PathBuf::from(harness::env("MILLWRIGHT_LAB_ROOTFS"));
    assert!(!template.join("from-a").exists());
    // Root in A is an unprivileged id on the host.
    let map = std::fs::read_to_string(a_root.join("uid_map")).unwrap();
    assert_eq!(
        map.split_whitespace().collect::<Vec<_>>(),
        ["0", "100000", "65536"]
    );
    let owner = std::fs::metadata(a_root.join("from-a")).unwrap().uid();
    assert_eq!(owner, 100_000, "A's root wrote as host id {owner}");
    // A's root is its workspace's and counts against the disk quota.
    let root_name = format!("{a}-root");
    let key = app::store::volumes::VolumeKey {
        host_id: lab.host_id(true),
        pool: &pool.name,
        name: &root_name,
    };
    let recorded = app::store::volumes::owner(&lab.state.pool, key)
        .await
        .unwrap();
    assert_eq!(recorded, Some(workspace_slug()));
    let ws = app::store::workspaces::id_of(&lab.state.pool, &workspace_slug())
        .await
        .unwrap()
        .unwrap();
    let mut conn = lab.state.pool.acquire().await.unwrap();
    let counted = app::store::volumes::owned_gib(&mut conn, ws).await.unwrap();
    assert_eq!(counted, 2, "each root counts (1 GiB each, rounded up)");

    for name in [&a, &b] {
        let row = lab.find(name).expect("the container");
        let out = lab.delete(&row).await;
        assert!(!out.contains("Err"), "delete: {out}");
    }
    assert_eq!(pool.files(), 0, "roots left in {:?}", pool.dir);
    let mut conn = lab.state.pool.acquire().await.unwrap();
    let counted = app::store::volumes::owned_gib(&mut conn, ws).await.unwrap();
    assert_eq!(counted, 0, "deleted roots no longer count");
}

/// The lab host h1's daemon stopped (SIGSTOP) until dropped: a host that
/// hangs with its connections up.
struct Hung(String);

impl Hung {
    fn h1() -> Hung {
        let file =
            std::path::Path::new(&harness::env("MILLWRIGHT_LAB_DIR")).join("hosts/h1/libvirtd.pid");
        let pid = std::fs::read_to_string(&file).unwrap().trim().to_string();
        let ok = std::process::Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .unwrap();
        assert!(ok.success());
        Hung(pid)
    }
}

impl Drop for Hung {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-CONT", &self.0])
            .status();
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_call_past_its_deadline_is_recorded_unknown_then_reconciled() {
    let lab = lab_with("deadline", &["--libvirt-long-deadline-secs", "1"]).await;
    let uri = harness::env("MILLWRIGHT_LAB_H1_LXC_URI");
    let name = format!("mw-late-{}", std::process::id());
    let rootfs = harness::env("MILLWRIGHT_LAB_ROOTFS");
    let xml = format!(
        "<domain type='lxc'><name>{name}</name><memory unit='MiB'>32</memory>\
         <os><type>exe</type><init>/bin/sh</init></os><devices><filesystem type='mount'>\
         <source dir='{rootfs}'/><target dir='/'/><readonly/></filesystem></devices></domain>"
    );
    let path = std::env::temp_dir().join(format!("{name}.xml"));
    std::fs::write(&path, xml).unwrap();
    assert!(harness::virsh(&uri, &["define", path.to_str().unwrap()]).0);
    lab.wait(&name, Duration::from_secs(10), |inv| {
        inv.hosts
            .values()
            .any(|h| h.domains.values().any(|d| d.name == name))
    })
    .await;
    let row = lab.find(&name).unwrap();

    // The host hangs: the change passes its 1 s deadline.
    let hung = Hung::h1();
    let reply = lab.power(&row, "autostart-on").await;
    assert!(reply.contains("HostErrDeadline"), "{reply}");
    let outcomes = |records: Vec<app::audit::AuditRecord>| -> Vec<String> {
        records
            .into_iter()
            .filter(|r| r.target_id == row.uuid && r.action == "domain.operate")
            .map(|r| r.outcome.as_str().to_string())
            .collect()
    };
    let filter = app::audit::AuditFilter::default();
    let so_far = outcomes(lab.state.audit.page(&filter).await.unwrap());
    assert!(so_far.contains(&"unknown".to_string()), "{so_far:?}");
    assert!(!so_far.contains(&"ok".to_string()), "{so_far:?}");

    // It answers: the real outcome is recorded.
    drop(hung);
    let started = Instant::now();
    loop {
        let all = outcomes(lab.state.audit.page(&filter).await.unwrap());
        if all.contains(&"ok".to_string()) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never reconciled: {all:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await; // polling the log
    }
    let info = harness::virsh(&uri, &["dominfo", &name]).1;
    assert!(info.contains("Autostart:      enable"), "{info}");
    harness::virsh(&uri, &["undefine", &name]);
    let _ = std::fs::remove_file(&path);
}
