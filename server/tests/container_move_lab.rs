//! A container's move on the lab's two LXC hosts: one whose root is in a
//! pool both hosts share moves offline (stopped, defined on h2, removed
//! from h1, started again there) with its workspace and its root's owner;
//! one whose root only h1 sees says why it cannot move, and a move asked
//! anyway is refused (422, field `target`) and leaves it where it was.
//! `#[ignore]`d: `make test` runs it with the lab up.

mod harness;

use std::time::Duration;

use app::model::domain::{DomainKind, DomainState};
use app::model::job::MoveOptions;
use harness::fleet::{container_fields, lab_two_lxc, workspace_slug, Lab};
use harness::mobility::{assert_succeeded, MovePools};
use harness::{env, virsh, ServerFn};

async fn container(lab: &Lab, name: &str, pool: &str) -> app::model::domain::DomainRow {
    let host = lab.host_named("lab-h1-lxc").to_string();
    let fields = container_fields(lab, name, &host, pool, ("/bin/sleep", "100000")).await;
    let out = lab.create(&fields).await;
    assert!(out.contains(name), "{out}");
    lab.wait_state(name, DomainState::Running).await;
    lab.find(name).unwrap()
}

async fn options(lab: &Lab, row: &app::model::domain::DomainRow) -> MoveOptions {
    let reply = lab
        .app
        .call_as(
            &lab.cookie,
            app::api::mobility::DomainMoveOptions::PATH,
            &[("host_id", &row.host_id.to_string()), ("uuid", &row.uuid)],
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.body);
    serde_json::from_str(&reply.body).expect("the Move panel's choices")
}

/// Where `name` is defined: (on h1, on h2), asked of libvirt's LXC driver.
fn defined_on(name: &str) -> (bool, bool) {
    (
        virsh(&env("MILLWRIGHT_LAB_H1_LXC_URI"), &["dominfo", name]).0,
        virsh(&env("MILLWRIGHT_LAB_H2_LXC_URI"), &["dominfo", name]).0,
    )
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn a_container_on_shared_storage_moves_offline_and_one_on_local_storage_says_why_not() {
    let lab = lab_two_lxc("move-ct").await;
    let pools = MovePools::new("mvct");
    let pid = std::process::id();
    let (shared, local) = (format!("mw-cts-{pid}"), format!("mw-ctl-{pid}"));
    let a = container(&lab, &shared, &pools.shared).await;
    let b = container(&lab, &local, &pools.local).await;
    let h2 = lab.host_named("lab-h2-lxc");

    // Local root: the page says why, and a move asked anyway changes nothing.
    let o = options(&lab, &b).await;
    assert!(o.container && !o.live, "{o:?}");
    assert_eq!(o.blocked, Some(app::i18n::Key::MoveRootNotShared), "{o:?}");
    let refused = lab
        .move_domain(b.host_id, &b.uuid, &h2.to_string(), "")
        .await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.body);
    assert!(
        refused.body.contains("target") && refused.body.contains("MoveRootNotShared"),
        "{}",
        refused.body
    );
    assert_eq!(defined_on(&local), (true, false));
    assert_eq!(lab.find(&local).unwrap().state, DomainState::Running);

    // Shared root: offline, stopped on h1 and running on h2 after.
    let o = options(&lab, &a).await;
    assert!(o.container && !o.live && o.blocked.is_none(), "{o:?}");
    assert_eq!(o.targets, vec![(h2, "lab-h2-lxc".to_string())]);
    let id = lab.start_move(a.host_id, &a.uuid, "auto", "").await;
    let job = lab.job_end(id, Duration::from_secs(90)).await;
    assert_succeeded(&job);
    assert_eq!(job.kind, app::model::job::JobKind::MoveOffline);
    assert_eq!(defined_on(&shared), (false, true));
    lab.wait("the container runs on h2", Duration::from_secs(10), |inv| {
        inv.domain(h2, &a.uuid)
            .is_some_and(|d| d.state == DomainState::Running && d.kind == DomainKind::Container)
    })
    .await;
    let moved = lab.find(&shared).unwrap();
    assert_eq!(moved.uuid, a.uuid);
    assert_eq!(moved.workspace.as_deref(), Some(workspace_slug().as_str()));
    let state = virsh(&env("MILLWRIGHT_LAB_H2_LXC_URI"), &["domstate", &shared]).1;
    assert!(state.contains("running"), "{state}");
    // Its root is its workspace's on h2 now.
    let owner = app::store::volumes::owner(
        &lab.state.pool,
        app::store::volumes::VolumeKey {
            host_id: h2,
            pool: &pools.shared,
            name: &format!("{shared}-root"),
        },
    )
    .await
    .unwrap();
    assert_eq!(owner.as_deref(), Some(workspace_slug().as_str()));
    let audit = lab.app.audit().await;
    assert!(
        audit
            .iter()
            .any(|(a, o)| a == "domain.migrate" && o == "ok"),
        "{audit:?}"
    );
    assert!(
        audit
            .iter()
            .any(|(a, o)| a == "domain.migrate" && o == "failed"),
        "{audit:?}"
    );

    // Both go, with their roots.
    for name in [&shared, &local] {
        let row = lab.find(name).unwrap();
        let out = lab.delete(&row).await;
        assert!(!out.contains("Host"), "delete: {out}");
    }
    lab.wait("both containers deleted", Duration::from_secs(20), |inv| {
        inv.hosts
            .values()
            .flat_map(|h| h.domains.values())
            .all(|d| d.name != shared && d.name != local)
    })
    .await;
}
