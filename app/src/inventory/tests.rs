use super::*;

fn row(host: i64, name: &str, state: DomainState, vcpus: u32) -> DomainRow {
    DomainRow {
        uuid: format!("uuid-{name}"),
        name: name.into(),
        kind: if name.starts_with("ct") {
            DomainKind::Container
        } else {
            DomainKind::Vm
        },
        state,
        vcpus,
        memory_kib: u64::from(vcpus) * 1024,
        disk_bytes: u64::from(vcpus) << 30,
        host_id: host,
        host_name: format!("host-{host}"),
        workspace: None,
        tags: PlantTags {
            line: "Press 1".into(),
            ..Default::default()
        },
    }
}

fn inventory() -> Inventory {
    let mut inv = Inventory::default();
    for id in [1, 2] {
        inv.hosts.insert(
            id,
            HostEntry::new(
                id,
                format!("host-{id}"),
                "test:///default".into(),
                PlantTags::default(),
                true,
            ),
        );
    }
    inv.replace_domains(
        1,
        vec![
            row(1, "mes-app", DomainState::Running, 4),
            row(1, "ct-andon", DomainState::Shutoff, 1),
        ],
    );
    inv.replace_domains(
        2,
        vec![
            row(2, "scada", DomainState::Running, 2),
            row(2, "historian", DomainState::Paused, 8),
        ],
    );
    inv
}

fn names(page: &InventoryPage) -> Vec<&str> {
    page.rows.iter().map(|r| r.name.as_str()).collect()
}

#[test]
fn filters_combine() {
    let inv = inventory();
    let q = InventoryQuery {
        state: Some(DomainState::Running),
        ..Default::default()
    };
    assert_eq!(names(&inv.query(&q, None)), ["mes-app", "scada"]);
    let q = InventoryQuery {
        host: Some(1),
        kind: Some(DomainKind::Container),
        ..Default::default()
    };
    assert_eq!(names(&inv.query(&q, None)), ["ct-andon"]);
    let q = InventoryQuery {
        text: "HIST".into(),
        ..Default::default()
    };
    assert_eq!(names(&inv.query(&q, None)), ["historian"]);
    let q = InventoryQuery {
        text: "press 1".into(),
        ..Default::default()
    };
    assert_eq!(inv.query(&q, None).matched, 4);
}

#[test]
fn sorts_and_pages() {
    let inv = inventory();
    let q = InventoryQuery {
        sort: SortKey::Vcpus,
        descending: true,
        per_page: 3,
        ..Default::default()
    };
    let page = inv.query(&q, None);
    assert_eq!(names(&page), ["historian", "mes-app", "scada"]);
    assert_eq!(page.page_count(), 2);
    let page = inv.query(
        &InventoryQuery {
            page: 1,
            ..q.clone()
        },
        None,
    );
    assert_eq!(names(&page), ["ct-andon"]);
    // A page past the end shows the last one.
    let page = inv.query(&InventoryQuery { page: 9, ..q }, None);
    assert_eq!(page.page, 1);
}

#[test]
fn members_see_only_their_workspaces() {
    let mut inv = inventory();
    let mut rows: Vec<DomainRow> = inv.hosts[&1].domains.values().cloned().collect();
    rows[0].workspace = Some("a".into());
    rows[0].disk_bytes = (3 << 30) + 1;
    inv.replace_domains(1, rows);
    let visible = ["a".to_string()];
    assert_eq!(
        inv.query(&InventoryQuery::default(), Some(&visible))
            .matched,
        1
    );
    assert_eq!(inv.query(&InventoryQuery::default(), Some(&[])).matched, 0);
    let page = inv.query(&InventoryQuery::default(), Some(&visible));
    assert_eq!(page.total, 1, "a member's total counts its own domains");
    assert_eq!(inv.query(&InventoryQuery::default(), None).total, 4);
    let hosts = inv.host_views(&[1], Some(&visible));
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].uri, "", "no connection URI for a member");
    assert_eq!(hosts[0].domains_total, 1);
    let admin = inv.host_views(&[1, 2], None);
    assert_eq!(admin[0].uri, "test:///default");
    assert_eq!(admin[0].domains_total, 2);
    let usage = inv.usage("a");
    assert_eq!(usage.domains, 1);
    assert_eq!(usage.disk_gib, 4, "whole GiB, rounded up");
}

#[test]
fn dashboard_counts() {
    let mut inv = inventory();
    inv.hosts.get_mut(&1).unwrap().state = HostState::Connected;
    let d = inv.dashboard(&[1, 2], None);
    assert_eq!((d.hosts_up, d.hosts_down), (1, 1));
    assert_eq!(
        (d.domains_running, d.domains_stopped, d.domains_other),
        (2, 1, 1)
    );
    assert_eq!(d.loads[0].vcpus_allocated, 4);
}
