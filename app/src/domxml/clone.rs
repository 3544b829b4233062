//! The definition of a clone: the source's own XML, edited in place so that
//! nothing the builder does not know about is lost — a new name, no UUID
//! and no MAC addresses (libvirt makes fresh ones), disks on the copies.

use std::collections::HashMap;

use super::escape;

/// Rewrites `xml` (an inactive domain definition) for a clone named `name`
/// whose disks at the keys of `disks` are copied to the values.
pub fn clone_definition(
    xml: &str,
    name: &str,
    disks: &HashMap<String, String>,
) -> Result<String, roxmltree::Error> {
    let doc = roxmltree::Document::parse(xml)?;
    let root = doc.root_element();
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for child in root.children().filter(|n| n.is_element()) {
        match child.tag_name().name() {
            "name" => edits.push((child.range(), format!("<name>{}</name>", escape(name)))),
            "uuid" => edits.push((child.range(), String::new())),
            "devices" => device_edits(child, disks, &mut edits),
            _ => {}
        }
    }
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut out = xml.to_string();
    for (range, text) in edits {
        out.replace_range(range, &text);
    }
    Ok(out)
}

fn device_edits(
    devices: roxmltree::Node,
    disks: &HashMap<String, String>,
    edits: &mut Vec<(std::ops::Range<usize>, String)>,
) {
    for dev in devices.children().filter(|n| n.is_element()) {
        let elements = dev.children().filter(|n| n.is_element());
        match dev.tag_name().name() {
            "interface" => {
                for mac in elements.filter(|n| n.has_tag_name("mac")) {
                    edits.push((mac.range(), String::new()));
                }
            }
            "disk" => {
                for source in elements.filter(|n| n.has_tag_name("source")) {
                    if let Some(copy) = source.attribute("file").and_then(|f| disks.get(f)) {
                        edits.push((source.range(), format!("<source file='{}'/>", escape(copy))));
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"<domain type='qemu'>
  <name>press-hmi-01</name>
  <uuid>6f1c1b7e-8d2a-4c55-9f0e-2b7d9c1a0001</uuid>
  <metadata><mw:domain xmlns:mw="http://millwright.local/xmlns/domain/1"><mw:workspace>ops</mw:workspace></mw:domain></metadata>
  <memory unit='KiB'>524288</memory>
  <vcpu>1</vcpu>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/press-hmi-01.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/iso/installer.iso'/>
      <target dev='sda' bus='sata'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:aa:bb:cc'/>
      <source network='default'/>
    </interface>
  </devices>
</domain>"#;

    #[test]
    fn a_clone_has_a_new_name_copied_disks_and_no_identity() {
        let disks = HashMap::from([(
            "/var/lib/libvirt/images/press-hmi-01.qcow2".to_string(),
            "/var/lib/libvirt/images/press-hmi-02.qcow2".to_string(),
        )]);
        let out = clone_definition(SOURCE, "press-hmi-02", &disks).unwrap();
        let parsed = crate::domxml::parse_domain(&out).unwrap();
        assert_eq!(parsed.name, "press-hmi-02");
        assert!(!out.contains("<uuid>"), "{out}");
        assert!(!out.contains("52:54:00:aa:bb:cc"), "{out}");
        assert!(out.contains("/var/lib/libvirt/images/press-hmi-02.qcow2"));
        assert!(!out.contains("press-hmi-01.qcow2"));
        assert!(
            out.contains("/iso/installer.iso"),
            "ISOs are shared, not copied"
        );
        assert!(
            out.contains("<mw:workspace>ops</mw:workspace>"),
            "ownership kept"
        );
        assert!(out.contains("<source network='default'/>"));
    }

    #[test]
    fn the_new_name_is_escaped() {
        let out = clone_definition(SOURCE, "a<b", &HashMap::new()).unwrap();
        assert!(out.contains("<name>a&lt;b</name>"), "{out}");
        assert!(clone_definition("<domain", "x", &HashMap::new()).is_err());
    }
}
