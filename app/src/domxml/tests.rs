use super::*;
use crate::model::domain::DomainKind;
use crate::model::host::PlantTags;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/domain-xml/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn full_vm_with_disks_nics_graphics_and_metadata() {
    let c = parse_domain(&fixture("vm-full.xml")).unwrap();
    assert_eq!(c.name, "mes-app-01");
    assert_eq!(c.uuid, "3c0f6a2e-8d41-4b7a-9f1e-52a7c4d9e810");
    assert_eq!(c.kind(), DomainKind::Vm);
    assert_eq!((c.vcpus, c.memory_kib), (8, 16 * 1024 * 1024));
    assert_eq!(c.workspace.as_deref(), Some("ops"));
    assert_eq!(
        (
            c.tags.plant.as_str(),
            c.tags.line.as_str(),
            c.tags.cell.as_str()
        ),
        ("Ningbo", "MES", "R2")
    );

    let disks: Vec<_> = c
        .disks
        .iter()
        .map(|d| (d.device.as_str(), d.target.as_str(), d.bus.as_str()))
        .collect();
    assert_eq!(
        disks,
        [
            ("disk", "vda", "virtio"),
            ("disk", "vdb", "virtio"),
            ("disk", "sdb", "sata"),
            ("cdrom", "sda", "sata")
        ]
    );
    assert_eq!(
        c.disks[0].source,
        "/var/lib/libvirt/images/mes-app-01.qcow2"
    );
    assert_eq!(c.disks[1].source, "/dev/vg_data/mes-app-01-data");
    assert_eq!(c.disks[2].source, "default/mes-app-01-logs.qcow2");
    assert_eq!(c.disks[0].format, "qcow2");

    let nics: Vec<_> = c
        .nics
        .iter()
        .map(|n| (n.kind.as_str(), n.mac.as_str(), n.source.as_str(), n.vlan))
        .collect();
    assert_eq!(
        nics,
        [
            ("network", "52:54:00:3f:a1:10", "plant-nat", None),
            ("bridge", "52:54:00:3f:a1:11", "br-core", None),
            ("bridge", "52:54:00:3f:a1:12", "ovs-press1", Some(110)),
        ]
    );
    assert_eq!(c.nics[2].model, "e1000e");
    let graphics: Vec<_> = c
        .graphics
        .iter()
        .map(|g| (g.kind.as_str(), g.port, g.listen.as_str()))
        .collect();
    assert_eq!(
        graphics,
        [
            ("vnc", Some(5900), "0.0.0.0"),
            ("spice", Some(5901), "127.0.0.1")
        ]
    );
}

#[test]
fn lxc_container() {
    let c = parse_domain(&fixture("lxc-container.xml")).unwrap();
    assert_eq!(c.name, "label-printer-svc");
    assert_eq!(c.kind(), DomainKind::Container);
    assert_eq!(c.init.as_deref(), Some("/bin/sh"));
    assert_eq!((c.vcpus, c.memory_kib), (1, 512 * 1024));
    let mounts: Vec<_> = c
        .disks
        .iter()
        .map(|d| (d.device.as_str(), d.target.as_str()))
        .collect();
    assert_eq!(
        mounts,
        [
            ("filesystem", "/"),
            ("filesystem", "/etc/labels"),
            ("filesystem", "/tmp")
        ]
    );
    assert_eq!(c.disks[0].source, "/var/lib/lxc/label-printer-svc/rootfs");
    assert_eq!(c.nics[0].mac, "52:54:00:6c:2e:91");
}

#[test]
fn minimal_domain_gets_defaults() {
    let c = parse_domain(&fixture("minimal.xml")).unwrap();
    assert_eq!(c.name, "scratch-vm");
    assert_eq!(c.uuid, "");
    assert_eq!((c.vcpus, c.memory_kib), (1, 524_288));
    assert_eq!(c.kind(), DomainKind::Vm);
    assert!(c.disks.is_empty() && c.nics.is_empty() && c.graphics.is_empty());
    assert_eq!(c.workspace, None);
}

#[test]
fn test_driver_dump() {
    let c = parse_domain(&fixture("test-driver.xml")).unwrap();
    assert_eq!(c.name, "scada-hmi-01");
    assert_eq!((c.vcpus, c.memory_kib), (4, 8 * 1024 * 1024));
    assert_eq!(c.tags.cell, "A2");
    assert_eq!(c.disks.len(), 2);
    assert_eq!(c.nics[1].source, "plant-nat");
}

#[test]
fn units_and_declared_kind() {
    let xml = "<domain type='test'><name>a</name><memory unit='GiB'>2</memory><vcpu>3</vcpu>
        <metadata><x:domain xmlns:x='http://millwright.local/xmlns/domain/1'><x:kind>container</x:kind>
        <x:workspace></x:workspace></x:domain></metadata><os><type>hvm</type></os></domain>";
    let c = parse_domain(xml).unwrap();
    assert_eq!((c.vcpus, c.memory_kib), (3, 2 * 1024 * 1024));
    assert_eq!(c.kind(), DomainKind::Container);
    assert_eq!(c.workspace, None, "an empty workspace means unowned");
}

#[test]
fn refuses_what_is_not_a_domain_without_panicking() {
    assert!(matches!(
        parse_domain("<network><name>x</name></network>"),
        Err(ParseError::NotADomain(_))
    ));
    for junk in [
        "",
        "<domain",
        "not xml",
        "<domain><name>&bogus;</name></domain>",
        "\u{0}",
    ] {
        assert!(parse_domain(junk).is_err(), "{junk:?}");
    }
    // Garbage values are tolerated, not fatal.
    let c = parse_domain("<domain><vcpu>many</vcpu><memory unit='parsec'>x</memory><devices><disk/><interface/><graphics/></devices></domain>").unwrap();
    assert_eq!(
        (c.vcpus, c.memory_kib, c.disks.len(), c.nics.len()),
        (1, 0, 1, 1)
    );
}

#[test]
fn metadata_element_escapes_and_round_trips() {
    let tags = PlantTags {
        plant: "A&B <north>".into(),
        line: "Press \"1\"".into(),
        ..Default::default()
    };
    let el = metadata_element(Some("ops"), &tags);
    assert!(el.contains("A&amp;B &lt;north&gt;"), "{el}");
    let xml = format!("<domain><name>x</name><metadata>{el}</metadata></domain>");
    let c = parse_domain(&xml).unwrap();
    assert_eq!(c.workspace.as_deref(), Some("ops"));
    assert_eq!(c.tags, tags);
}
