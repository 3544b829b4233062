//! Volumes belong to a workspace, on the real stack with a test-driver
//! host: a member's new volume is its workspace's and counts against its
//! disk quota (concurrent creates cannot overrun it); another workspace's
//! operator sharing the pool neither sees nor changes it; the plant's
//! volumes are the administrators' until one assigns them.

use axum::http::StatusCode;

mod harness;

use app::api::volumes::{AssignVolume, CreateVolume, DeleteVolume, ListVolumes, ResizeVolume};
use harness::{ServerFn, TestApp};

const POOL: &str = "default-pool";

struct Plant {
    t: TestApp,
    admin: String,
    ops: String,
    qa: String,
    host: String,
    ops_id: i64,
}

/// Workspaces `ops` (10 GiB of disk) and `qa` share the pool; one operator
/// each.
async fn plant(tag: &str) -> Plant {
    let (t, host) = TestApp::with_test_host(tag).await;
    let db = &t.state.pool;
    let pools = [POOL.to_string()];
    let mut ids = Vec::new();
    for slug in ["ops", "qa"] {
        let ws = app::store::workspaces::insert(db, slug, slug)
            .await
            .unwrap()
            .unwrap();
        app::store::workspaces::set_resources(db, ws, &[host], &[], &pools)
            .await
            .unwrap();
        ids.push(ws);
    }
    let quotas = app::model::workspace::Quotas {
        disk_gib: Some(10),
        ..Default::default()
    };
    app::store::workspaces::set_quotas(db, ids[0], &quotas)
        .await
        .unwrap();
    let ops = t
        .user("ops-op", Some((ids[0], app::policy::Role::Operator)))
        .await;
    let qa = t
        .user("qa-op", Some((ids[1], app::policy::Role::Operator)))
        .await;
    let admin = t.sign_in("admin").await;
    Plant {
        t,
        admin,
        ops,
        qa,
        host: host.to_string(),
        ops_id: ids[0],
    }
}

impl Plant {
    async fn call(&self, who: &str, path: &str, fields: &[(&str, &str)]) -> harness::Reply {
        let mut all = vec![("host_id", self.host.as_str()), ("pool", POOL)];
        all.extend_from_slice(fields);
        self.t.call_as(who, path, &all).await
    }

    async fn create(&self, who: &str, name: &str, gib: &str, ws: &str) -> harness::Reply {
        let fields = [
            ("name", name),
            ("gib", gib),
            ("format", "raw"),
            ("workspace", ws),
        ];
        self.call(who, CreateVolume::PATH, &fields).await
    }

    /// The volume names `who` is shown in the pool.
    async fn listed(&self, who: &str) -> Vec<String> {
        let reply = self.call(who, ListVolumes::PATH, &[]).await;
        assert!(reply.status.is_success(), "{}", reply.body);
        let list: Vec<app::api::volumes::VolumeView> = serde_json::from_str(&reply.body).unwrap();
        list.into_iter().map(|v| v.name).collect()
    }
}

#[tokio::test]
async fn a_members_volume_is_its_workspaces_alone() {
    let p = plant("volowner").await;
    let name = format!("ops-data-{}", std::process::id());
    let made = p.create(&p.ops, &name, "4", "").await;
    assert!(made.status.is_success(), "{}", made.body);
    assert!(p.listed(&p.ops).await.contains(&name));
    // Another workspace's operator, allowed the same pool, does not see it…
    assert!(!p.listed(&p.qa).await.contains(&name));
    // …and may neither grow nor delete it: refused, audited, still there.
    for (path, extra) in [
        (ResizeVolume::PATH, Some(("gib", "5"))),
        (DeleteVolume::PATH, None),
    ] {
        let mut fields = vec![("name", name.as_str())];
        fields.extend(extra);
        let refused = p.call(&p.qa, path, &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            refused.body
        );
        assert!(
            refused.body.contains("DenyVolumeNotOwned"),
            "{}",
            refused.body
        );
    }
    let denied =
        p.t.audit()
            .await
            .into_iter()
            .filter(|(action, outcome)| action.starts_with("volume.") && outcome == "denied")
            .count();
    assert_eq!(denied, 2, "each refusal audited");
    assert!(p.listed(&p.ops).await.contains(&name));
    // Its own operator deletes it, and its quota share comes back.
    let gone = p.call(&p.ops, DeleteVolume::PATH, &[("name", &name)]).await;
    assert!(gone.status.is_success(), "{}", gone.body);
    let mut conn = p.t.state.pool.acquire().await.unwrap();
    let held = app::store::volumes::owned_gib(&mut conn, p.ops_id)
        .await
        .unwrap();
    assert_eq!(held, 0);
}

#[tokio::test]
async fn volume_creates_cannot_overrun_the_disk_quota_together() {
    let p = plant("volquota").await;
    let pid = std::process::id();
    // 10 GiB allowed: of three concurrent 4 GiB creates, two fit.
    let names: Vec<String> = (0..3).map(|i| format!("ops-q{i}-{pid}")).collect();
    let replies =
        futures::future::join_all(names.iter().map(|n| p.create(&p.ops, n, "4", "ops"))).await;
    let made = replies.iter().filter(|r| r.status.is_success()).count();
    assert_eq!(
        made,
        2,
        "{:?}",
        replies.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    let over = replies.iter().find(|r| !r.status.is_success()).unwrap();
    assert_eq!(
        over.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        over.body
    );
    let err: app::error::AppError = serde_json::from_str(&over.body).unwrap();
    assert_eq!(err.field_key("gib"), Some(app::i18n::Key::ErrQuotaDisk));
    // The refused one made nothing.
    let listed = p.listed(&p.admin).await;
    assert_eq!(names.iter().filter(|n| listed.contains(n)).count(), 2);
    // Growing one past the quota is refused before the host is asked.
    let made: Vec<&String> = names.iter().filter(|n| listed.contains(n)).collect();
    let grow = p
        .call(
            &p.ops,
            ResizeVolume::PATH,
            &[("name", made[0]), ("gib", "8")],
        )
        .await;
    let err: app::error::AppError = serde_json::from_str(&grow.body).unwrap();
    assert_eq!(
        err.field_key("gib"),
        Some(app::i18n::Key::ErrQuotaDisk),
        "{}",
        grow.body
    );
    // A workspace the caller does not operate is no choice.
    let elsewhere = p.create(&p.ops, &format!("ops-x-{pid}"), "1", "qa").await;
    let err: app::error::AppError = serde_json::from_str(&elsewhere.body).unwrap();
    assert_eq!(
        err.field_key("workspace"),
        Some(app::i18n::Key::ErrVolumeWorkspace)
    );
}

#[tokio::test]
async fn the_plants_volumes_are_the_administrators_until_assigned() {
    let p = plant("volplant").await;
    let name = format!("plant-iso-{}", std::process::id());
    let made = p.create(&p.admin, &name, "1", "").await;
    assert!(made.status.is_success(), "{}", made.body);
    let refused = p.call(&p.ops, DeleteVolume::PATH, &[("name", &name)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    // Only an administrator assigns.
    let fields = [("name", name.as_str()), ("workspace", "ops")];
    let by_member = p.call(&p.ops, AssignVolume::PATH, &fields).await;
    assert_eq!(
        by_member.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_member.body
    );
    let assigned = p.call(&p.admin, AssignVolume::PATH, &fields).await;
    assert!(assigned.status.is_success(), "{}", assigned.body);
    let mut conn = p.t.state.pool.acquire().await.unwrap();
    let held = app::store::volumes::owned_gib(&mut conn, p.ops_id)
        .await
        .unwrap();
    assert_eq!(held, 1, "its capacity counts against the disk quota");
    let gone = p.call(&p.ops, DeleteVolume::PATH, &[("name", &name)]).await;
    assert!(gone.status.is_success(), "{}", gone.body);
}

#[tokio::test]
async fn another_workspaces_volume_is_neither_taken_over_nor_booted_from() {
    let p = plant("voltake").await;
    let name = format!("ops-install-{}.iso", std::process::id());
    let made = p.create(&p.ops, &name, "1", "").await;
    assert!(made.status.is_success(), "{}", made.body);
    // Claiming the same name from another workspace is refused and leaves
    // the owner's record alone.
    let taken = p.create(&p.qa, &name, "1", "").await;
    let err: app::error::AppError = serde_json::from_str(&taken.body).unwrap();
    assert_eq!(
        err.field_key("name"),
        Some(app::i18n::Key::ErrVolumeExists),
        "{}",
        taken.body
    );
    let key = app::store::volumes::VolumeKey {
        host_id: p.host.parse().unwrap(),
        pool: POOL,
        name: &name,
    };
    let owner = app::store::volumes::owner(&p.t.state.pool, key)
        .await
        .unwrap();
    assert_eq!(owner.as_deref(), Some("ops"));
    // qa is not offered it as boot medium, and a forged create naming it
    // is refused: attaching it would show qa what is on it.
    let media =
        p.t.call_as(&p.qa, app::api::volumes::ListBootMedia::PATH, &[])
            .await;
    assert!(!media.body.contains(&name), "{}", media.body);
    // Room for it: the test driver's own domain holds the host's memory.
    let test = p.t.state.gateway.read(|inv| {
        let d = inv
            .domains_on(p.host.parse().unwrap())
            .find(|d| d.name == "test");
        d.map(|d| d.uuid.clone())
    });
    if let Some(uuid) = test {
        let off = [
            ("host_id", p.host.as_str()),
            ("uuid", uuid.as_str()),
            ("action", "force-off"),
        ];
        p.t.call_as(&p.admin, app::api::fleet::Power::PATH, &off)
            .await;
    }
    let iso = format!("{POOL}/{name}");
    let fields = [
        ("form[kind]", "vm"),
        ("form[name]", "qa-forged-boot"),
        ("form[workspace]", "qa"),
        ("form[host]", "auto"),
        ("form[vcpus]", "1"),
        ("form[memory_mib]", "256"),
        ("form[disk_gib]", "0"),
        ("form[boot]", "iso"),
        ("form[iso]", iso.as_str()),
    ];
    let forged =
        p.t.call_as(&p.qa, app::api::fleet::CreateDomain::PATH, &fields)
            .await;
    let err: app::error::AppError = serde_json::from_str(&forged.body).unwrap();
    assert_eq!(
        err.field_key("iso"),
        Some(app::i18n::Key::ErrIsoNotOnHost),
        "{}",
        forged.body
    );
    let defined = p.t.state.gateway.read(|inv| {
        inv.hosts
            .values()
            .any(|h| h.domains.values().any(|d| d.name == "qa-forged-boot"))
    });
    assert!(!defined);
}
