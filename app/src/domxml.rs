//! The one tolerant parser of libvirt domain XML. It accepts any well-formed
//! domain description, takes what the dashboard shows, and ignores the rest.

use roxmltree::{Document, Node};

use crate::model::domain::{DiskInfo, DomainConfig, DomainKind, GraphicsInfo, Limits, NicInfo};
use crate::model::host::PlantTags;

/// Namespace of the `<metadata>` element Millwright writes into domains.
pub const METADATA_NS: &str = "http://millwright.local/xmlns/domain/1";

/// Escapes text for XML content and attribute values. Every value that goes
/// into XML passes through here; nothing is formatted into XML raw.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // As references, so a parser's line-end and attribute
            // normalisation gives them back unchanged.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            // XML 1.0 cannot carry it at all, not even as a reference.
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// Whether XML 1.0 can carry `c` (its `Char` production).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Millwright's metadata element (without namespace prefix: libvirt adds the
/// one given to `virDomainSetMetadata`).
pub fn metadata_element(workspace: Option<&str>, tags: &PlantTags) -> String {
    let mut xml = format!("<domain xmlns=\"{METADATA_NS}\">");
    if let Some(ws) = workspace {
        xml.push_str(&format!("<workspace>{}</workspace>", escape(ws)));
    }
    for (key, value) in tags.pairs() {
        xml.push_str(&format!(
            "<tag key=\"{}\">{}</tag>",
            escape(key),
            escape(value)
        ));
    }
    xml.push_str("</domain>");
    xml
}

/// Why a document could not be read as a domain.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not well-formed XML: {0}")]
    Xml(#[from] roxmltree::Error),
    #[error("root element is <{0}>, not <domain>")]
    NotADomain(String),
}

/// Parses a domain XML document.
pub fn parse_domain(xml: &str) -> Result<DomainConfig, ParseError> {
    let doc = Document::parse(xml)?;
    let root = doc.root_element();
    if root.tag_name().name() != "domain" {
        return Err(ParseError::NotADomain(root.tag_name().name().to_string()));
    }
    let os = child(root, "os");
    let os_type = os.and_then(|o| child(o, "type"));
    let mut config = DomainConfig {
        name: child_text(root, "name"),
        uuid: child_text(root, "uuid"),
        hypervisor: root.attribute("type").unwrap_or_default().to_string(),
        os_type: os_type.map(text).unwrap_or_default(),
        arch: os_type
            .and_then(|t| t.attribute("arch"))
            .unwrap_or_default()
            .to_string(),
        vcpus: child(root, "vcpu")
            .map(text)
            .and_then(|v| v.parse().ok())
            .unwrap_or(1),
        memory_kib: child(root, "memory").map(memory_kib).unwrap_or(0),
        description: child_text(root, "description"),
        init: os.and_then(|o| child(o, "init")).map(text),
        ..DomainConfig::default()
    };
    if let Some(meta) = child(root, "metadata").and_then(|m| {
        m.children()
            .find(|n| n.tag_name().namespace() == Some(METADATA_NS))
    }) {
        read_metadata(meta, &mut config);
    }
    config.limits = limits(root);
    if let Some(devices) = child(root, "devices") {
        for dev in devices.children().filter(Node::is_element) {
            match dev.tag_name().name() {
                "disk" => config.disks.push(disk(dev)),
                "filesystem" => config.disks.push(filesystem(dev)),
                "interface" => config.nics.push(nic(dev)),
                "graphics" => config.graphics.push(graphics(dev)),
                _ => {}
            }
        }
    }
    Ok(config)
}

fn read_metadata(meta: Node, config: &mut DomainConfig) {
    let mut tags = PlantTags::default();
    for el in meta.children().filter(Node::is_element) {
        match el.tag_name().name() {
            "workspace" => {
                let ws = text(el);
                config.workspace = (!ws.is_empty()).then_some(ws);
            }
            "kind" => config.declared_kind = DomainKind::parse(&text(el)),
            "tag" => tags.set(el.attribute("key").unwrap_or_default(), &text(el)),
            _ => {}
        }
    }
    config.tags = tags;
}

fn limits(root: Node) -> Limits {
    let num = |parent: &str, name: &str| {
        child(root, parent)
            .and_then(|p| child(p, name))
            .map(text)
            .and_then(|v| v.parse::<i64>().ok())
    };
    Limits {
        cpu_shares: num("cputune", "shares").map(|v| v as u64),
        cpu_quota_us: num("cputune", "quota"),
        cpu_period_us: num("cputune", "period").map(|v| v as u64),
        memory_hard_limit_mib: child(root, "memtune")
            .and_then(|m| child(m, "hard_limit"))
            .map(|n| memory_kib(n) / 1024),
        blkio_weight: num("blkiotune", "weight").map(|v| v as u32),
    }
}

fn disk(dev: Node) -> DiskInfo {
    let source = child(dev, "source").map(|s| {
        ["file", "dev", "name", "volume", "dir"]
            .iter()
            .find_map(|a| s.attribute(*a))
            .map(|v| match s.attribute("pool") {
                Some(pool) => format!("{pool}/{v}"),
                None => v.to_string(),
            })
            .unwrap_or_default()
    });
    let target = child(dev, "target");
    DiskInfo {
        device: dev.attribute("device").unwrap_or("disk").to_string(),
        source: source.unwrap_or_default(),
        target: attr(target, "dev"),
        bus: attr(target, "bus"),
        format: attr(child(dev, "driver"), "type"),
        capacity: None,
    }
}

fn filesystem(dev: Node) -> DiskInfo {
    DiskInfo {
        device: "filesystem".to_string(),
        source: attr(child(dev, "source"), "dir"),
        target: attr(child(dev, "target"), "dir"),
        bus: dev.attribute("type").unwrap_or_default().to_string(),
        format: String::new(),
        capacity: None,
    }
}

fn nic(dev: Node) -> NicInfo {
    let source = child(dev, "source");
    NicInfo {
        kind: dev.attribute("type").unwrap_or_default().to_string(),
        mac: attr(child(dev, "mac"), "address"),
        source: ["network", "bridge", "dev", "address"]
            .iter()
            .find_map(|a| source.and_then(|s| s.attribute(*a)))
            .unwrap_or_default()
            .to_string(),
        model: attr(child(dev, "model"), "type"),
        vlan: child(dev, "vlan")
            .and_then(|v| child(v, "tag"))
            .and_then(|t| t.attribute("id"))
            .and_then(|id| id.parse().ok()),
        addresses: Vec::new(),
    }
}

fn graphics(dev: Node) -> GraphicsInfo {
    let listen = dev
        .attribute("listen")
        .or_else(|| child(dev, "listen").and_then(|l| l.attribute("address")))
        .unwrap_or_default();
    GraphicsInfo {
        kind: dev.attribute("type").unwrap_or_default().to_string(),
        port: dev.attribute("port").and_then(|p| p.parse().ok()),
        listen: listen.to_string(),
    }
}

/// `<memory unit='MiB'>64</memory>` in KiB; libvirt's default unit is KiB.
fn memory_kib(node: Node) -> u64 {
    let value: u64 = text(node).parse().unwrap_or(0);
    let factor: u64 = match node.attribute("unit").unwrap_or("KiB") {
        "b" | "bytes" => return value / 1024,
        "KB" => return value * 1000 / 1024,
        "MB" => return value * 1_000_000 / 1024,
        "GB" => return value * 1_000_000_000 / 1024,
        "MiB" | "M" => 1024,
        "GiB" | "G" => 1024 * 1024,
        "TiB" | "T" => 1024 * 1024 * 1024,
        _ => 1,
    };
    value.saturating_mul(factor)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

fn child_text(node: Node, name: &str) -> String {
    child(node, name).map(text).unwrap_or_default()
}

fn text(node: Node) -> String {
    node.text().unwrap_or_default().trim().to_string()
}

fn attr(node: Option<Node>, name: &str) -> String {
    node.and_then(|n| n.attribute(name))
        .unwrap_or_default()
        .to_string()
}

pub mod build;
pub mod clone;
pub mod network;
pub mod root_helper;
pub mod storage;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
