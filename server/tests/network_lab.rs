//! Virtual networks on the real lab through the real router: isolated and
//! NAT networks with DHCP created, listed, stopped and deleted; a bridged
//! network with a VLAN tag; refusals that change nothing. `#[ignore]`d:
//! `make test` runs them with the lab up.

mod harness;

use std::time::Instant;

use app::api::networks::{CreateNetwork, DeleteNetwork, ListLeases, ListNetworks, NetworkAction};
use axum::http::StatusCode;
use harness::storage::{virsh, Lab};
use harness::ServerFn;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn isolated_and_nat_networks() {
    let lab = Lab::start("nets").await;
    let host = lab.host.as_str();
    let third = (std::process::id() % 200 + 20).to_string();
    for (mode, second) in [("isolated", "251"), ("nat", "252")] {
        let name = format!("{}-{mode}", lab.prefix);
        let ip = |last: &str| format!("10.{second}.{third}.{last}");
        let (cidr, start, end) = (ip("1/24"), ip("100"), ip("199"));
        let ids = [("host_id", host), ("name", name.as_str())];
        // Bad input first: each field named, nothing defined.
        let bad = [
            ids[0],
            ids[1],
            ("mode", mode),
            ("cidr", &ip("0/24")),
            ("dhcp_start", &start),
            ("dhcp_end", "x"),
        ];
        let bad = lab.call(CreateNetwork::PATH, &bad).await;
        assert!(bad.body.contains("ErrCidr"), "{}", bad.body);
        assert!(!virsh(&["net-info", &name]).0);

        let t = Instant::now();
        let form = [
            ids[0],
            ids[1],
            ("mode", mode),
            ("cidr", &cidr),
            ("dhcp_start", &start),
            ("dhcp_end", &end),
        ];
        lab.ok(CreateNetwork::PATH, &form).await;
        println!("create {mode} network: {:?}", t.elapsed());
        assert!(virsh(&["net-info", &name])
            .1
            .contains("Active:         yes"));
        let listed = lab.ok(ListNetworks::PATH, &[]).await.body;
        assert!(listed.contains(&name) && listed.contains(&cidr), "{listed}");
        assert!(listed.contains(&format!("\"mode\":\"{mode}\"")), "{listed}");
        assert!(listed.contains(&format!("{start} – {end}")), "{listed}");
        let t = Instant::now();
        assert_eq!(lab.ok(ListLeases::PATH, &ids).await.body, "[]");
        println!("DHCP leases of {mode}: {:?}", t.elapsed());
        lab.ok(NetworkAction::PATH, &[ids[0], ids[1], ("action", "stop")])
            .await;
        assert!(virsh(&["net-info", &name]).1.contains("Active:         no"));
        lab.ok(DeleteNetwork::PATH, &ids).await;
        assert!(!virsh(&["net-info", &name]).0);
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the lab: make test"]
async fn bridged_with_a_vlan_and_refusals() {
    let lab = Lab::start("bridge").await;
    let name = format!("{}-vlan", lab.prefix);
    let ids = [("host_id", lab.host.as_str()), ("name", name.as_str())];
    // A VLAN on a bridge goes through Open vSwitch. The lab has no OVS
    // bridge; libvirt defines and starts a bridged network without checking
    // the bridge (a domain attaching to it would fail).
    let form = [
        ids[0],
        ids[1],
        ("mode", "bridge"),
        ("bridge", "ovs-line4"),
        ("vlan", "310"),
    ];
    lab.ok(CreateNetwork::PATH, &form).await;
    let xml = virsh(&["net-dumpxml", &name]).1;
    assert!(
        xml.contains("<virtualport type='openvswitch'/>") && xml.contains("<tag id='310'/>"),
        "{xml}"
    );
    assert!(lab
        .ok(ListNetworks::PATH, &[])
        .await
        .body
        .contains("\"vlan\":310"));
    lab.ok(DeleteNetwork::PATH, &ids).await;
    assert!(!virsh(&["net-info", &name]).0);

    // Bad input: the rule of each field; nothing defined.
    let bad = [
        ids[0],
        ids[1],
        ("mode", "bridge"),
        ("bridge", "a bridge name"),
        ("vlan", "5000"),
    ];
    let bad = lab.call(CreateNetwork::PATH, &bad).await;
    assert!(
        bad.body.contains("ErrBridgeName") || bad.body.contains("ErrVlan"),
        "{}",
        bad.body
    );
    assert!(!virsh(&["net-info", &name]).0);

    // A viewer's forged create: 403, audited, nothing defined.
    let viewer = lab.user("viewer1", None).await;
    let forged = [
        ids[0],
        ids[1],
        ("mode", "isolated"),
        ("cidr", "10.253.0.1/24"),
    ];
    let forged = lab.call_as(&viewer, CreateNetwork::PATH, &forged).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(lab
        .audit()
        .await
        .contains(&("network.create".into(), "denied".into())));
    assert!(!virsh(&["net-info", &name]).0);
}
