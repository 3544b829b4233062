//! Boot media are volumes, not paths, on the real stack with a test-driver
//! host: an operator is offered its workspace's ISO volumes; a forged create
//! naming a host file is refused with a field message, audited, and defines
//! nothing. (Booting from one on a real host: `trust_lab.rs`.)

use axum::http::StatusCode;

mod harness;

use harness::{ServerFn, TestApp};

struct Plant {
    t: TestApp,
    operator: String,
    host: i64,
}

async fn plant(tag: &str) -> Plant {
    let (t, host) = TestApp::with_test_host(tag).await;
    let db = &t.state.pool;
    let ws = app::store::workspaces::insert(db, "ops", "Ops")
        .await
        .unwrap()
        .unwrap();
    let pools = ["default-pool".to_string()];
    app::store::workspaces::set_resources(db, ws, &[], &[], &pools)
        .await
        .unwrap();
    let operator = t.user("op", Some((ws, app::policy::Role::Operator))).await;
    let iso = app::domxml::storage::VolumeSpec {
        name: "debian-12.iso".into(),
        bytes: 1 << 20,
        format: "raw".into(),
    };
    // The test driver's host is shared by this file's tests.
    match t
        .state
        .gateway
        .create_volume(host, "default-pool", iso)
        .await
    {
        Ok(_) | Err(app::error::AppError::Host(app::i18n::Key::ErrVolumeExists)) => {}
        // The other test made it at the same moment (libvirt's own refusal).
        Err(e) => {
            let names = t.state.gateway.volume_names(host, "default-pool").await;
            let made = names.is_ok_and(|n| n.iter().any(|v| v == "debian-12.iso"));
            assert!(made, "the ISO volume: {e:?}");
        }
    }
    Plant { t, operator, host }
}

/// A create form as the page posts it, booting as `boot` says.
fn create(name: &str, boot: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = vec![
        ("kind", "vm"),
        ("name", name),
        ("workspace", "ops"),
        ("host", "auto"),
        ("vcpus", "1"),
        ("memory_mib", "256"),
        ("disk_gib", "0"),
    ];
    fields.extend_from_slice(boot);
    fields
        .into_iter()
        .map(|(k, v)| (format!("form[{k}]"), v.to_string()))
        .collect()
}

async fn post_create(p: &Plant, fields: &[(String, String)]) -> harness::Reply {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    p.t.call_as(&p.operator, app::api::fleet::CreateDomain::PATH, &fields)
        .await
}

/// The domains on the host named `forged-…`.
fn forged_defined(p: &Plant) -> usize {
    p.t.state.gateway.read(|inv| {
        inv.domains_on(p.host)
            .filter(|d| d.name.starts_with("forged-"))
            .count()
    })
}

#[tokio::test]
async fn an_operator_is_offered_its_workspaces_iso_volumes() {
    let p = plant("isomedia").await;
    let media =
        p.t.call_as(&p.operator, app::api::volumes::ListBootMedia::PATH, &[])
            .await;
    assert!(
        media
            .body
            .contains(r#""pool":"default-pool","volume":"debian-12.iso""#),
        "{}",
        media.body
    );
    // A member of a workspace that allows no pool is offered none.
    let outsider = p.t.user("outsider", None).await;
    let none =
        p.t.call_as(&outsider, app::api::volumes::ListBootMedia::PATH, &[])
            .await;
    assert_eq!(none.body, "[]", "{}", none.body);
}

#[tokio::test]
async fn a_forged_create_with_a_host_path_is_refused_audited_and_defines_nothing() {
    let p = plant("isoforged").await;
    let forged = [
        (
            "iso",
            vec![("boot", "iso"), ("iso", "/etc/shadow")],
            "ErrIsoVolume",
        ),
        (
            "iso",
            vec![("boot", "iso"), ("iso", "../../../etc/passwd")],
            "ErrIsoVolume",
        ),
        (
            "iso",
            vec![("boot", "iso"), ("iso", "default-pool/../../etc/passwd")],
            "ErrIsoVolume",
        ),
        (
            "kernel",
            vec![
                ("boot", "kernel"),
                ("kernel", "/etc/shadow"),
                ("initrd", "/root/.ssh/id_rsa"),
            ],
            "ErrKernelTemplateOnly",
        ),
    ];
    for (i, (field, boot, rule)) in forged.iter().enumerate() {
        let reply = post_create(&p, &create(&format!("forged-{i}"), boot)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        let err: app::error::AppError = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(
            err.field_key(field).map(|k| format!("{k:?}")).as_deref(),
            Some(*rule),
            "{}",
            reply.body
        );
    }
    assert_eq!(forged_defined(&p), 0, "nothing defined");
    let refused =
        p.t.audit()
            .await
            .iter()
            .filter(|(action, outcome)| action == "domain.create" && outcome == "failed")
            .count();
    assert_eq!(refused, forged.len(), "each refusal audited");
}
