//! Properties over generated inputs (proptest): the domain XML builder puts
//! every value in so that it comes back out of `roxmltree` unchanged (no
//! injection, whatever the text), and no parser or form check panics on any
//! input. `PROPTEST_CASES` sets the inputs per property (256 by default;
//! `make fuzz` runs 200,000 each).

use proptest::prelude::*;
use roxmltree::Document;

use super::build::{Boot, DomainSpec, Flavor};
use crate::model::forms::CreateForm;
use crate::model::host::PlantTags;

/// Any text: mostly printable, with markup, quotes, line ends, controls
/// and characters XML cannot carry mixed in.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[<>&'\"\\]\\[a-z0-9 \t\r\n\u{0}-\u{1f}\u{fffe}\u{ffff}]{0,40}",
        Just("]]><evil/><![CDATA[".to_string()),
        Just("</name><name>x".to_string()),
    ]
}

/// What a parser gives back for text the builder was given: the same
/// string, with characters XML cannot carry replaced.
fn carried(s: &str) -> String {
    s.chars()
        .map(|c| if super::is_xml_char(c) { c } else { '\u{FFFD}' })
        .collect()
}

fn vm(name: String, tags: PlantTags, kernel: [String; 3]) -> DomainSpec {
    let [kernel, initrd, cmdline] = kernel;
    DomainSpec {
        name,
        vcpus: 1,
        memory_mib: 64,
        network: None,
        workspace: Some(tags.cell.clone()),
        tags,
        limits: Default::default(),
        flavor: Flavor::Vm {
            hypervisor: "qemu".into(),
            emulator: None,
            disk: None,
            boot: Boot::Kernel {
                kernel,
                initrd,
                cmdline,
            },
        },
    }
}

/// The text of the first element called `name`.
fn text_of(doc: &Document, name: &str) -> Option<String> {
    doc.descendants()
        .find(|n| n.has_tag_name(name))
        .map(|n| n.text().unwrap_or_default().to_string())
}

proptest! {
    #[test]
    fn every_value_comes_back_out_of_the_xml_unchanged(
        name in text(),
        plant in text(),
        cell in text(),
        kernel in text(),
        initrd in text(),
        cmdline in text(),
    ) {
        let tags = PlantTags { plant: plant.clone(), cell: cell.clone(), ..Default::default() };
        let spec = vm(name.clone(), tags, [kernel.clone(), initrd.clone(), cmdline.clone()]);
        let xml = spec.to_xml();
        let doc = Document::parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml}")))?;
        prop_assert_eq!(doc.root_element().tag_name().name(), "domain");
        prop_assert_eq!(doc.descendants().filter(|n| n.has_tag_name("name")).count(), 1);
        prop_assert_eq!(text_of(&doc, "name"), Some(carried(&name)));
        prop_assert_eq!(text_of(&doc, "kernel"), Some(carried(&kernel)));
        prop_assert_eq!(text_of(&doc, "initrd"), Some(carried(&initrd)));
        prop_assert_eq!(text_of(&doc, "cmdline"), Some(carried(&cmdline)));
        prop_assert_eq!(text_of(&doc, "workspace"), Some(carried(&cell)));
        let tag = doc
            .descendants()
            .find(|n| n.has_tag_name("tag") && n.attribute("key") == Some("plant"))
            .map(|n| n.text().unwrap_or_default().to_string());
        prop_assert_eq!(tag, Some(carried(&plant)).filter(|_| !plant.is_empty()));
        // The dashboard's own reader takes it too (it trims what it shows).
        super::parse_domain(&xml).map_err(|e| TestCaseError::fail(e.to_string()))?;
    }

    #[test]
    fn a_container_keeps_its_init_arguments_apart(init in text(), args in proptest::collection::vec(text(), 0..5), rootfs in text()) {
        let spec = DomainSpec {
            flavor: Flavor::Container { init: init.clone(), args: args.clone(), rootfs: rootfs.clone() },
            ..vm("ct".into(), PlantTags::default(), Default::default())
        };
        let xml = spec.to_xml();
        let doc = Document::parse(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml}")))?;
        let got: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("initarg"))
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect();
        prop_assert_eq!(got, args.iter().map(|a| carried(a)).collect::<Vec<_>>());
        prop_assert_eq!(text_of(&doc, "init"), Some(carried(&init)));
        let source = doc.descendants().find(|n| n.has_tag_name("source")).and_then(|n| n.attribute("dir"));
        prop_assert_eq!(source.map(str::to_string), Some(carried(&rootfs)));
    }

    #[test]
    fn the_parsers_never_panic(input in text()) {
        let _ = super::parse_domain(&input);
        let _ = super::network::parse_network(&input);
        let _ = super::storage::parse_pool(&input);
        let _ = super::storage::parse_volume_format(&input);
        let _ = crate::history::trace::parse_csv(&input);
        let _ = crate::history::trace::parse_planetlab(&input);
        let _ = crate::history::trace::parse_timestamp(&input);
    }

    #[test]
    fn a_mangled_domain_never_panics_the_parser(cut in 0usize..4000, insert in text()) {
        let xml = include_str!("../../tests/fixtures/domain-xml/vm-full.xml");
        let mut at = cut.min(xml.len());
        while !xml.is_char_boundary(at) {
            at -= 1;
        }
        let mangled = format!("{}{insert}{}", &xml[..at], &xml[at..]);
        let _ = super::parse_domain(&mangled);
    }

    #[test]
    fn form_checks_never_panic_and_members_never_boot_from_a_path(
        fields in proptest::collection::vec(text(), 12),
        boot in prop_oneof![Just("iso"), Just("kernel"), Just("none"), text().prop_map(|s| Box::leak(s.into_boxed_str()) as &str)],
    ) {
        let f = CreateForm {
            kind: fields[0].clone(),
            name: fields[1].clone(),
            workspace: fields[2].clone(),
            host: fields[3].clone(),
            vcpus: fields[4].clone(),
            memory_mib: fields[5].clone(),
            disk_gib: fields[6].clone(),
            iso: fields[7].clone(),
            kernel: fields[8].clone(),
            args: fields[9].clone(),
            cpu_shares: fields[10].clone(),
            blkio_weight: fields[11].clone(),
            boot: boot.to_string(),
            ..Default::default()
        };
        let member = crate::fleet::media::Chooser::Member;
        if let Ok((boot, _)) = crate::fleet::media::boot(&f, member) {
            prop_assert!(matches!(boot, Boot::Disk), "a member's boot from a path: {boot:?}");
        }
        let _ = crate::fleet::plan::validate(&f, member);
    }

    #[test]
    fn pool_network_and_helper_values_come_back_unchanged(name in text(), path in text(), arg in text()) {
        // A pool's path (trimmed when read, as libvirt writes it).
        let pool = super::storage::DirPoolSpec { name: name.clone(), path: path.clone() }.to_xml();
        let read = super::storage::parse_pool(&pool).expect("well-formed");
        prop_assert_eq!(read.path, carried(&path).trim().to_string());
        let doc = Document::parse(&pool).unwrap();
        prop_assert_eq!(text_of(&doc, "name"), Some(carried(&name)));
        // A bridged network's bridge.
        let kind = super::network::NetworkKind::Bridge { bridge: name.clone(), vlan: None };
        let net = super::network::NetworkSpec { name: path.clone(), kind }.to_xml();
        let read = super::network::parse_network(&net).expect("well-formed");
        prop_assert_eq!(read.bridge, carried(&name));
        // A root helper's argument stays one argument.
        let xml = super::root_helper::helper_xml("h", "true", &[&arg], &[]);
        let doc = Document::parse(&xml).unwrap();
        let args: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("initarg"))
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect();
        prop_assert_eq!(args, vec!["-c".to_string(), "true".into(), "sh".into(), carried(&arg)]);
    }

    #[test]
    fn a_csv_cell_never_starts_a_formula(cell in text()) {
        for out in [crate::csv::text(&cell), crate::csv::quoted(&cell)] {
            let unquoted = out.strip_prefix('"').unwrap_or(&out);
            prop_assert!(!unquoted.starts_with(['=', '+', '-', '@', '\t', '\r']), "{out:?}");
        }
    }
}

/// libvirt's own test inputs (tests/lxcxml2xmldata, tests/qemuxmlconfdata;
/// see the fixtures' README): the dashboard's reader takes every one.
#[test]
fn libvirts_own_domain_xmls_parse() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/libvirt-xml");
    let mut parsed = 0;
    for dir in ["lxc", "qemu"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let xml = std::fs::read_to_string(&path).unwrap();
            let config =
                super::parse_domain(&xml).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!config.name.is_empty(), "{}", path.display());
            parsed += 1;
        }
    }
    println!("libvirt test XMLs parsed: {parsed}");
    assert!(parsed >= 90, "{parsed}");
}
