//! Changing existing domains on the real lab through the real router: the
//! graceful shutdown that times out and offers force off, vCPUs and memory
//! while off (within quota), sandbox limits edited after create (read back
//! by virsh), a clone with copied volumes, a new UUID and new MACs, and a
//! guest on a network made here that takes a DHCP lease the page lists.
//! `#[ignore]`d: `make test` runs them with the lab up.

mod harness;

use std::time::{Duration, Instant};

use harness::fleet::*;
use harness::{encode, env, virsh};
use leptos::server_fn::ServerFn;

fn boot_fields<'a>(name: &'a str, host: &'a str, pool: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut fields = kernel_boot_fields(name, host);
    fields.retain(|(k, _)| *k != "disk_gib");
    fields.extend([("disk_gib", "1"), ("pool", pool), ("cpu_shares", "512")]);
    fields
}

fn field(out: &str, key: &str) -> bool {
    out.contains(key)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn shutdown_timeout_resize_and_limits_on_a_booted_vm() {
    use app::model::domain::DomainState::*;
    let lab = lab("change").await;
    let uri = env("MILLWRIGHT_LAB_H1_URI");
    let pool = TestPool::new("chg");
    let name = format!("mw-chg-{}", std::process::id());
    let host = lab.host_id(false).to_string();
    let mut fields = boot_fields(&name, &host, &pool.name);
    fields.push(("start", "on"));
    let out = lab.create(&fields).await;
    assert!(out.contains(&name), "create: {out}");
    let row = lab.find(&name).unwrap();

    // Running: a resize is refused and changes nothing.
    let resize = |vcpus: &str, mib: &str| {
        format!(
            "host_id={}&uuid={}&vcpus={vcpus}&memory_mib={mib}",
            row.host_id, row.uuid
        )
    };
    let path = app::api::reconfigure::ResizeDomain::PATH;
    let out = lab.post(path, &resize("2", "192")).await;
    assert!(field(&out, "ErrMustBeOff"), "{out}");

    // The tiny guest has no ACPI handler: the graceful shutdown times out
    // (4 s in this harness) and says so; force off then works.
    let out = lab.power(&row, "shutdown").await;
    assert!(field(&out, "ErrShutdownTimeout"), "shutdown: {out}");
    assert_eq!(lab.find(&name).unwrap().state, Running);
    let out = lab.power(&row, "force-off").await;
    assert!(!out.contains("Host"), "force-off: {out}");
    lab.wait_state(&name, Shutoff).await;

    // Off: bad input names the field; a good one is applied.
    let out = lab.post(path, &resize("0", "32")).await;
    assert!(field(&out, "ErrVcpus") && field(&out, "ErrMemory"), "{out}");
    let out = lab.post(path, &resize("2", "192")).await;
    assert!(!out.contains("Err"), "resize: {out}");
    let info = virsh(&uri, &["dominfo", &name]).1;
    assert!(info.contains("CPU(s):         2"), "{info}");
    assert!(info.contains("Max memory:     196608 KiB"), "{info}");
    let now = lab.find(&name).unwrap();
    assert_eq!(
        (now.vcpus, now.memory_kib),
        (2, 196_608),
        "inventory updated"
    );

    // Growth past the workspace's quota is refused, shrinking is not.
    sqlx::query("UPDATE workspaces SET quota_vcpus = 2 WHERE slug = ?")
        .bind(workspace_slug())
        .execute(&lab.state.pool)
        .await
        .unwrap();
    let out = lab.post(path, &resize("3", "192")).await;
    assert!(field(&out, "ErrQuotaVcpus"), "{out}");
    assert!(virsh(&uri, &["dominfo", &name])
        .1
        .contains("CPU(s):         2"));
    let out = lab.post(path, &resize("1", "128")).await;
    assert!(!out.contains("Err"), "shrink: {out}");

    // Limits edited while off land in the definition, then live ones on the
    // running domain, each read back by virsh.
    let limits = |pairs: &str| format!("host_id={}&uuid={}&{pairs}", row.host_id, row.uuid);
    let path = app::api::reconfigure::SetLimits::PATH;
    let out = lab.post(path, &limits("blkio_weight=5")).await;
    assert!(
        field(&out, "ErrLimit") && out.contains("blkio_weight"),
        "{out}"
    );
    let out = lab
        .post(path, &limits("cpu_shares=256&blkio_weight=700"))
        .await;
    assert!(!out.contains("Err"), "limits: {out}");
    let sched = virsh(&uri, &["schedinfo", &name, "--config"]).1;
    assert!(sched.contains("cpu_shares     : 256"), "{sched}");
    let blkio = virsh(&uri, &["blkiotune", &name, "--config"]).1;
    assert!(blkio.contains("weight         : 700"), "{blkio}");
    let out = lab.power(&row, "start").await;
    if !io_weights_honoured() {
        // This machine's disks have no weighted I/O scheduler: the start is
        // refused with a message saying what to change, and 0 clears it.
        assert!(field(&out, "ErrIoWeightUnsupported"), "{out}");
        let out = lab.post(path, &limits("blkio_weight=0")).await;
        assert!(!out.contains("Err"), "clear weight: {out}");
        let blkio = virsh(&uri, &["blkiotune", &name, "--config"]).1;
        assert!(blkio.contains("weight         : 0"), "{blkio}");
        let out = lab.power(&row, "start").await;
        assert!(!out.contains("Err"), "start: {out}");
    }
    lab.wait_state(&name, Running).await;
    let out = lab
        .post(
            path,
            &limits("cpu_shares=128&cpu_quota_us=50000&cpu_period_us=100000"),
        )
        .await;
    assert!(!out.contains("Err"), "live limits: {out}");
    let sched = virsh(&uri, &["schedinfo", &name]).1;
    assert!(sched.contains("cpu_shares     : 128"), "{sched}");
    assert!(sched.contains("vcpu_quota     : 50000"), "{sched}");
    assert!(sched.contains("vcpu_period    : 100000"), "{sched}");
    let config = virsh(&uri, &["schedinfo", &name, "--config"]).1;
    assert!(config.contains("vcpu_quota     : 50000"), "kept: {config}");

    // Disk in use counts against the quota: the 1 GiB volume fills a 1 GiB
    // quota, so a second VM with a disk is refused and makes nothing.
    assert_eq!(lab.find(&name).unwrap().disk_bytes, 1 << 30);
    sqlx::query("UPDATE workspaces SET quota_disk_gib = 1 WHERE slug = ?")
        .bind(workspace_slug())
        .execute(&lab.state.pool)
        .await
        .unwrap();
    let second = format!("{name}-b");
    let out = lab.create(&boot_fields(&second, &host, &pool.name)).await;
    assert!(field(&out, "ErrQuotaDisk"), "{out}");
    assert!(lab.find(&second).is_none());
    assert_eq!(pool.files(), 1, "no volume made");

    lab.delete(&row).await;
    lab.wait("deleted", Duration::from_secs(10), |inv| {
        inv.hosts
            .values()
            .all(|h| h.domains.values().all(|d| d.name != name))
    })
    .await;
    assert_eq!(pool.files(), 0, "volume deleted with the domain");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_clone_boots_with_copied_volumes_a_new_uuid_and_new_macs() {
    use app::model::domain::DomainState::Running;
    let lab = lab("clone").await;
    let uri = env("MILLWRIGHT_LAB_H1_URI");
    let pool = TestPool::new("cln");
    let name = format!("mw-src-{}", std::process::id());
    let copy = format!("mw-cln-{}", std::process::id());
    let host = lab.host_id(false).to_string();
    let out = lab.create(&boot_fields(&name, &host, &pool.name)).await;
    assert!(out.contains(&name), "create: {out}");
    // A NIC of its own, so the clone must get a different MAC.
    let nic = pool.dir.with_extension("nic.xml");
    std::fs::write(
        &nic,
        "<interface type='user'><model type='virtio'/></interface>",
    )
    .unwrap();
    let (ok, msg) = virsh(
        &uri,
        &["attach-device", &name, nic.to_str().unwrap(), "--config"],
    );
    let _ = std::fs::remove_file(&nic);
    assert!(ok, "attach-device: {msg}");
    let row = lab.find(&name).unwrap();
    let clone = |n: &str| format!("host_id={}&uuid={}&name={n}", row.host_id, row.uuid);
    let path = app::api::reconfigure::CloneDomain::PATH;

    let out = lab.post(path, &clone("bad name!")).await;
    assert!(field(&out, "ErrVmName"), "{out}");
    let out = lab.post(path, &clone(&name)).await;
    assert!(field(&out, "ErrNameOnHost"), "{out}");
    assert_eq!(pool.files(), 1, "a refused clone copies nothing");

    let out = lab.post(path, &clone(&copy)).await;
    assert!(out.contains(&copy), "clone: {out}");
    let new = lab
        .find(&copy)
        .expect("published before the clone returned");
    assert_ne!(new.uuid, row.uuid);
    assert_eq!(new.workspace, row.workspace, "same workspace");
    assert_eq!(pool.files(), 2, "the volume was copied");
    let macs = |n: &str| {
        let out = virsh(&uri, &["domiflist", n]).1;
        out.lines()
            .filter_map(|l| l.split_whitespace().last().map(str::to_string))
            .filter(|m| m.matches(':').count() == 5)
            .collect::<Vec<_>>()
    };
    let (a, b) = (macs(&name), macs(&copy));
    assert_eq!((a.len(), b.len()), (1, 1), "{a:?} {b:?}");
    assert_ne!(a, b, "a new MAC");
    let blk = virsh(&uri, &["domblklist", &copy]).1;
    assert!(blk.contains(&format!("{copy}.qcow2")), "{blk}");

    // The clone boots the same guest.
    lab.power(&new, "start").await;
    lab.wait_state(&copy, Running).await;

    for r in [&new, &row] {
        lab.delete(r).await;
    }
    lab.wait("deleted", Duration::from_secs(10), |inv| {
        inv.hosts
            .values()
            .all(|h| h.domains.values().all(|d| d.name != name && d.name != copy))
    })
    .await;
    assert_eq!(pool.files(), 0, "both volumes deleted");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_guest_on_a_new_network_takes_a_dhcp_lease_that_is_listed() {
    use app::api::networks::{CreateNetwork, DeleteNetwork, ListLeases, NetworkAction};
    let lab = lab("lease").await;
    let uri = env("MILLWRIGHT_LAB_H1_URI");
    let host = lab.host_id(false).to_string();
    let pid = std::process::id();
    let (net, name) = (format!("mw-lease-{pid}"), format!("mw-dhcp-{pid}"));
    let subnet = format!("10.254.{}", pid % 200 + 20);
    let ids = format!("host_id={host}&name={net}");
    let out = lab
        .post(
            CreateNetwork::PATH,
            &format!(
                "{ids}&mode=isolated&cidr={}&dhcp_start={subnet}.100&dhcp_end={subnet}.199",
                encode(&format!("{subnet}.1/24"))
            ),
        )
        .await;
    assert!(!out.contains("Err"), "create network: {out}");

    // The tiny guest loads virtio-net and asks for a lease (mw.dhcp=1).
    let mut fields = kernel_boot_fields(&name, &host);
    fields.retain(|(k, _)| *k != "cmdline");
    fields.extend([
        ("network", net.as_str()),
        ("cmdline", "console=ttyS0 panic=-1 quiet mw.dhcp=1"),
        ("start", "on"),
    ]);
    let started = Instant::now();
    let out = lab.create(&fields).await;
    assert!(out.contains(&name), "create: {out}");
    let mac = virsh(&uri, &["domiflist", &name])
        .1
        .split_whitespace()
        .find(|w| w.matches(':').count() == 5)
        .expect("a MAC in domiflist")
        .to_string();

    // The lease as the networks page lists it: the guest's MAC and hostname.
    let leases = loop {
        let body = lab.post(ListLeases::PATH, &ids).await;
        if body.contains(&mac) {
            break body;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no lease for {mac}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await; // polling libvirt's lease table
    };
    println!("create → DHCP lease listed: {:?}", started.elapsed());
    assert!(leases.contains("mw-guest"), "{leases}");
    // On a shared network a member sees its own domains' leases only.
    let db = &lab.state.pool;
    let own = app::store::workspaces::id_of(db, &workspace_slug())
        .await
        .unwrap()
        .unwrap();
    let other = app::store::workspaces::insert(db, &format!("{net}-x"), "Other team")
        .await
        .unwrap()
        .unwrap();
    for ws in [own, other] {
        app::store::workspaces::set_resources(db, ws, &[], std::slice::from_ref(&net), &[])
            .await
            .unwrap();
    }
    let operator = Some(app::policy::Role::Operator);
    let owner = lab.user("lease-owner", operator.map(|r| (own, r))).await;
    let outsider = lab
        .user("lease-outsider", operator.map(|r| (other, r)))
        .await;
    let form = [("host_id", host.as_str()), ("name", net.as_str())];
    let mine = lab.call_as(&owner, ListLeases::PATH, &form).await;
    assert!(mine.body.contains(&mac), "{}", mine.body);
    let theirs = lab.call_as(&outsider, ListLeases::PATH, &form).await;
    assert_eq!((theirs.status.as_u16(), theirs.body.as_str()), (200, "[]"));
    let ip = leases
        .split('"')
        .find(|w| w.starts_with(&format!("{subnet}.")))
        .and_then(|w| w.split('/').next())
        .expect("an address in the pool")
        .to_string();
    // The guest's own view, from its serial console, agrees (its event
    // script prints the address just after dnsmasq records the lease).
    let log = std::path::PathBuf::from(env("MILLWRIGHT_LAB_DIR"))
        .join(format!("hosts/h1/log/qemu/{name}-serial.log"));
    let marker = format!("MILLWRIGHT-GUEST-IP {ip}");
    loop {
        let serial = std::fs::read_to_string(&log).unwrap_or_default();
        if serial.contains(&marker) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(150),
            "no {marker:?} in {serial}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await; // polling a file the guest writes
    }

    // The domain page shows the address on the NIC.
    let row = lab.find(&name).unwrap();
    let detail = lab
        .post(
            app::api::domains::FetchDomain::PATH,
            &format!("host_id={}&uuid={}", row.host_id, row.uuid),
        )
        .await;
    assert!(
        detail.contains(&format!("\"addresses\":[\"{ip}/24\"]")),
        "{detail}"
    );
    lab.power(&row, "force-off").await;
    lab.wait_state(&name, app::model::domain::DomainState::Shutoff)
        .await;
    assert!(!lab.delete(&row).await.contains("Err"));
    assert!(!lab
        .post(NetworkAction::PATH, &format!("{ids}&action=stop"))
        .await
        .contains("Err"));
    assert!(!lab.post(DeleteNetwork::PATH, &ids).await.contains("Err"));
    assert!(!virsh(&uri, &["net-info", &net]).0);
}
