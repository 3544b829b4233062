//! Storage on the real lab through the real router: directory pools,
//! volumes created and grown, a file streamed in through
//! `POST /storage/upload` and read back by virsh, and refusals that change
//! nothing. `#[ignore]`d: `make test` runs them with the lab up.

mod harness;

use std::time::Instant;

use app::api::storage::{CreatePool, DeletePool, ListPools, PoolAction};
use app::api::volumes::{CreateVolume, DeleteVolume, ListVolumes, ResizeVolume};
use axum::http::StatusCode;
use harness::storage::{sha256, virsh, Lab};
use harness::ServerFn;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn pool_lifecycle_and_bad_input() {
    let lab = Lab::start("pools").await;
    let host = lab.host.as_str();
    // Bad input names the fields and creates nothing.
    let bad = [("host_id", host), ("name", "bad name"), ("path", "rel/dir")];
    let bad = lab.call(CreatePool::PATH, &bad).await;
    assert!(
        bad.body.contains("ErrResourceName") && bad.body.contains("ErrPoolPath"),
        "{}",
        bad.body
    );
    assert!(!virsh(&["pool-list", "--all"]).1.contains("bad"));
    let system = [("host_id", host), ("name", "sys"), ("path", "/etc/libvirt")];
    let system = lab.call(CreatePool::PATH, &system).await;
    assert!(system.body.contains("ErrPoolPathSystem"), "{}", system.body);

    let t = Instant::now();
    let (pool, path) = lab.pool().await;
    println!("create pool: {:?}", t.elapsed());
    assert!(virsh(&["pool-info", &pool]).1.contains("running"));
    let ids = [("host_id", host), ("pool", &pool)];
    lab.ok(PoolAction::PATH, &[ids[0], ids[1], ("action", "stop")])
        .await;
    assert!(virsh(&["pool-info", &pool]).1.contains("inactive"));
    lab.ok(PoolAction::PATH, &[ids[0], ids[1], ("action", "start")])
        .await;
    let listed = lab.ok(ListPools::PATH, &[]).await;
    assert!(
        listed.body.contains(&pool) && listed.body.contains(&path),
        "{}",
        listed.body
    );

    // A pool with a volume is not deleted; an empty one is, directory too.
    let vol = [
        ids[0],
        ids[1],
        ("name", "v.raw"),
        ("gib", "1"),
        ("format", "raw"),
    ];
    lab.ok(CreateVolume::PATH, &vol).await;
    let refused = lab.call(DeletePool::PATH, &ids).await;
    assert!(refused.body.contains("ErrPoolNotEmpty"), "{}", refused.body);
    assert!(virsh(&["pool-info", &pool]).1.contains("running"));
    lab.ok(DeleteVolume::PATH, &vol[..3]).await;
    lab.ok(DeletePool::PATH, &ids).await;
    assert!(!virsh(&["pool-info", &pool]).0);
    assert!(
        !std::path::Path::new(&path).exists(),
        "the directory is removed"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn volumes_grow_only_and_stay_while_a_domain_uses_them() {
    let lab = Lab::start("volumes").await;
    let (pool, _) = lab.pool().await;
    let vol = format!("{}-disk.qcow2", lab.prefix);
    let ids = [
        ("host_id", lab.host.as_str()),
        ("pool", &pool),
        ("name", &vol),
    ];
    let t = Instant::now();
    lab.ok(
        CreateVolume::PATH,
        &[ids[0], ids[1], ids[2], ("gib", "1"), ("format", "qcow2")],
    )
    .await;
    println!("create volume: {:?}", t.elapsed());
    let info = || virsh(&["vol-info", "--pool", &pool, &vol]).1;
    assert!(info().contains("1.00 GiB"), "{}", info());
    lab.ok(ResizeVolume::PATH, &[ids[0], ids[1], ids[2], ("gib", "3")])
        .await;
    assert!(info().contains("3.00 GiB"));
    let shrink = lab
        .call(ResizeVolume::PATH, &[ids[0], ids[1], ids[2], ("gib", "2")])
        .await;
    assert!(
        shrink.body.contains("ErrGrowOnly") && shrink.body.contains("gib"),
        "{}",
        shrink.body
    );
    assert!(info().contains("3.00 GiB"));
    let bad = [
        ids[0],
        ids[1],
        ("name", "x/y"),
        ("gib", "0"),
        ("format", "vmdk"),
    ];
    let bad = lab.call(CreateVolume::PATH, &bad).await;
    for rule in ["ErrResourceName", "ErrVolumeSize", "ErrVolumeFormat"] {
        assert!(bad.body.contains(rule), "{rule}: {}", bad.body);
    }

    // A volume a domain uses is listed with it and not deleted.
    let disk = virsh(&["vol-path", "--pool", &pool, &vol])
        .1
        .trim()
        .to_string();
    let user = format!("{}-user", lab.prefix);
    let xml = std::env::temp_dir().join(format!("{user}.xml"));
    std::fs::write(
        &xml,
        format!(
            "<domain type='qemu'><name>{user}</name><memory unit='MiB'>64</memory>\
             <os><type>hvm</type></os><devices><disk type='file' device='disk'>\
             <driver name='qemu' type='qcow2'/><source file='{disk}'/>\
             <target dev='vda' bus='virtio'/></disk></devices></domain>"
        ),
    )
    .unwrap();
    assert!(virsh(&["define", xml.to_str().unwrap()]).0);
    let _ = std::fs::remove_file(&xml);
    let t = Instant::now();
    let listed = lab.ok(ListVolumes::PATH, &ids[..2]).await;
    let domains = virsh(&["list", "--all", "--name"])
        .1
        .lines()
        .filter(|l| !l.is_empty())
        .count();
    println!(
        "list volumes with users ({domains} domains on the host): {:?}",
        t.elapsed()
    );
    assert!(
        listed.body.contains(&format!("\"used_by\":[\"{user}\"]")),
        "{}",
        listed.body
    );
    // A member of a workspace allowed the pool does not learn the names of
    // domains it does not own, only that there are some.
    let db = &lab.state.pool;
    let team = app::store::workspaces::insert(db, &lab.prefix, &lab.prefix)
        .await
        .unwrap()
        .unwrap();
    app::store::workspaces::set_resources(db, team, &[], &[], std::slice::from_ref(&pool))
        .await
        .unwrap();
    let member = lab
        .user("vol-op", Some((team, app::policy::Role::Operator)))
        .await;
    let theirs = lab.call_as(&member, ListVolumes::PATH, &ids[..2]).await;
    assert!(
        theirs.body.contains("\"used_by\":[],\"used_elsewhere\":1") && !theirs.body.contains(&user),
        "{}",
        theirs.body
    );
    let in_use = lab.call(DeleteVolume::PATH, &ids).await;
    assert!(in_use.body.contains("ErrVolumeInUse"), "{}", in_use.body);
    assert!(virsh(&["vol-info", "--pool", &pool, &vol]).0, "still there");
    assert!(virsh(&["undefine", &user]).0);
    lab.ok(DeleteVolume::PATH, &ids).await;
    assert!(!virsh(&["vol-info", "--pool", &pool, &vol]).0);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn an_upload_streams_into_a_raw_volume_and_failures_leave_nothing() {
    let lab = Lab::start("upload").await;
    let (pool, _) = lab.pool().await;
    let iso = format!("{}-boot.iso", lab.prefix);
    let fields = [
        ("host_id", lab.host.as_str()),
        ("pool", &pool),
        ("name", &iso),
    ];
    let data: Vec<u8> = (0..32u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let t = Instant::now();
    let up = lab.upload(&lab.admin, &fields, &data, None).await;
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    assert!(up.location.contains("uploaded="), "{}", up.location);
    println!("upload 32 MiB: {secs:.2} s = {:.1} MiB/s", 32.0 / secs);

    // virsh reads back exactly the file.
    let sent = std::env::temp_dir().join(format!("{iso}.sent"));
    let copy = std::env::temp_dir().join(format!("{iso}.down"));
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
    let again = lab.upload(&lab.admin, &fields, b"other", None).await;
    assert!(
        again.location.contains("upload_error=ErrVolumeExists"),
        "{}",
        again.location
    );
    assert!(virsh(&["vol-info", "--pool", &pool, &iso, "--bytes"])
        .1
        .contains("33554432 bytes"));

    // A body cut off mid-file fails, and the half-made volume is removed.
    let cut = [fields[0], fields[1], ("name", "cut.iso")];
    let (kind, mut body) = harness::storage::multipart(&cut, &data[..1 << 20]);
    body.truncate(body.len() - 40);
    let req = lab
        .post("/storage/upload", &lab.admin)
        .header(axum::http::header::CONTENT_TYPE, kind)
        .header(axum::http::header::CONTENT_LENGTH, body.len())
        .body(axum::body::Body::from(body))
        .unwrap();
    let reply = lab.send(req).await;
    assert!(
        reply.location.contains("upload_error="),
        "{}",
        reply.location
    );
    assert!(
        !virsh(&["vol-list", &pool]).1.contains("cut.iso"),
        "nothing half-made is left"
    );

    // More than the plant's cap, or than the pool has room for, is refused
    // before anything is made.
    let huge = [fields[0], fields[1], ("name", "huge.iso")];
    let reply = lab.upload(&lab.admin, &huge, b"x", Some(1 << 50)).await;
    assert!(
        reply.location.contains("upload_error=ErrUploadOverCap"),
        "{}",
        reply.location
    );
    let info = virsh(&["pool-info", &pool, "--bytes"]).1;
    let available: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("Available:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("the pool's free bytes");
    if available < millwright::routes::upload::MAX_BYTES {
        let reply = lab
            .upload(&lab.admin, &huge, b"x", Some(available + 1))
            .await;
        assert!(
            reply.location.contains("upload_error=ErrUploadTooLarge"),
            "{}",
            reply.location
        );
    } else {
        println!("the pool has more room than an upload may take: room check not reached");
    }
    assert!(!virsh(&["vol-list", &pool]).1.contains("huge.iso"));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn only_operators_of_a_workspace_allowed_the_pool_change_its_volumes() {
    use app::policy::Role::{Operator, Viewer};
    let lab = Lab::start("policy").await;
    let (pool, _) = lab.pool().await;
    let db = &lab.state.pool;
    let workspace = |slug: String| async move {
        app::store::workspaces::insert(db, &slug, &slug)
            .await
            .unwrap()
            .unwrap()
    };
    let (team, other) = (
        workspace(lab.prefix.clone()).await,
        workspace(format!("{}x", lab.prefix)).await,
    );
    app::store::workspaces::set_resources(db, team, &[], &[], std::slice::from_ref(&pool))
        .await
        .unwrap();
    let op = lab.user("op1", Some((team, Operator))).await;
    let viewer = lab.user("viewer1", Some((team, Viewer))).await;
    let outsider = lab.user("op2", Some((other, Operator))).await;
    let vol = format!("{}-op.raw", lab.prefix);
    let form = [
        ("host_id", lab.host.as_str()),
        ("pool", &pool),
        ("name", &vol),
        ("gib", "1"),
        ("format", "raw"),
    ];

    // Members see only the pools their workspaces allow.
    assert!(lab
        .call_as(&op, ListPools::PATH, &[])
        .await
        .body
        .contains(&pool));
    assert_eq!(
        lab.call_as(&outsider, ListPools::PATH, &[]).await.body,
        "[]"
    );

    // A viewer's forged create and upload: 403, audited, nothing made.
    let forged = lab.call_as(&viewer, CreateVolume::PATH, &form).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(
        forged.body.contains("DenyViewerReadOnly"),
        "{}",
        forged.body
    );
    let forged = lab.upload(&viewer, &form[..3], b"x", None).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let refused = lab.call_as(&outsider, CreateVolume::PATH, &form).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused.body.contains("DenyPoolNotAllowed"),
        "{}",
        refused.body
    );
    let audit = lab.audit().await;
    for action in ["volume.create", "volume.upload"] {
        assert!(
            audit.contains(&(action.into(), "denied".into())),
            "{action}: {audit:?}"
        );
    }
    assert!(!virsh(&["vol-list", &pool]).1.contains(&vol));

    // The operator may; pools themselves stay with administrators.
    let made = lab.call_as(&op, CreateVolume::PATH, &form).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert!(virsh(&["vol-info", "--pool", &pool, &vol]).0);
    let gone = lab.call_as(&op, DeleteVolume::PATH, &form[..3]).await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    // An upload is the workspace's too, and counts against its disk quota.
    let quotas = app::model::workspace::Quotas {
        disk_gib: Some(1),
        ..Default::default()
    };
    app::store::workspaces::set_quotas(db, team, &quotas)
        .await
        .unwrap();
    let iso = format!("{}-up.iso", lab.prefix);
    let head = [
        ("host_id", lab.host.as_str()),
        ("pool", &pool),
        ("name", &iso),
    ];
    let up = lab.upload(&op, &head, &[7u8; 4096], None).await;
    assert!(up.location.contains("uploaded="), "{}", up.location);
    let key = app::store::volumes::VolumeKey {
        host_id: lab.host.parse().unwrap(),
        pool: &pool,
        name: &iso,
    };
    let owner = app::store::volumes::owner(db, key).await.unwrap();
    assert_eq!(owner.as_deref(), Some(lab.prefix.as_str()));
    let over = lab.call_as(&op, CreateVolume::PATH, &form).await;
    assert_eq!(
        over.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        over.body
    );
    assert!(over.body.contains("ErrQuotaDisk"), "{}", over.body);
    let gone = lab.call_as(&op, DeleteVolume::PATH, &head).await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);

    let refused = lab.call_as(&op, DeletePool::PATH, &form[..2]).await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "pools are for administrators"
    );
    assert!(lab
        .audit()
        .await
        .contains(&("volume.create".into(), "ok".into())));
}
