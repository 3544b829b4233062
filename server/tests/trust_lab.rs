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
