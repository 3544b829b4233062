//! Storage pool and volume XML: built with every value escaped, and read
//! back tolerantly (type and path of a pool, format of a volume).

use roxmltree::Document;

use super::escape;

/// A directory pool to define.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirPoolSpec {
    pub name: String,
    pub path: String,
}

impl DirPoolSpec {
    pub fn to_xml(&self) -> String {
        format!(
            "<pool type='dir'><name>{}</name><target><path>{}</path></target></pool>",
            escape(&self.name),
            escape(&self.path)
        )
    }
}

/// A volume to create; `bytes` is its capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeSpec {
    pub name: String,
    pub bytes: u64,
    /// `qcow2` or `raw`.
    pub format: String,
}

impl VolumeSpec {
    pub fn to_xml(&self) -> String {
        // A raw volume is fully allocated only when written: allocation 0
        // keeps the create instant (and sparse).
        format!(
            "<volume><name>{}</name><capacity unit='bytes'>{}</capacity>\
             <allocation unit='bytes'>0</allocation>\
             <target><format type='{}'/></target></volume>",
            escape(&self.name),
            self.bytes,
            escape(&self.format)
        )
    }
}

/// What the pool list shows beyond `virStoragePoolGetInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PoolXml {
    pub kind: String,
    pub path: String,
}

pub fn parse_pool(xml: &str) -> Option<PoolXml> {
    let doc = Document::parse(xml).ok()?;
    let root = doc.root_element();
    let path = root
        .descendants()
        .find(|n| n.has_tag_name("target"))
        .and_then(|t| t.children().find(|n| n.has_tag_name("path")))
        .and_then(|p| p.text())
        .unwrap_or_default();
    Some(PoolXml {
        kind: root.attribute("type").unwrap_or_default().to_string(),
        path: path.trim().to_string(),
    })
}

/// A volume's format (`qcow2`, `raw`, `iso`…), empty when not stated.
pub fn parse_volume_format(xml: &str) -> String {
    Document::parse(xml)
        .ok()
        .and_then(|doc| {
            doc.root_element()
                .children()
                .find(|n| n.has_tag_name("target"))
                .and_then(|t| t.children().find(|n| n.has_tag_name("format")))
                .and_then(|f| f.attribute("type"))
                .map(str::to_string)
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_xml_escapes_and_reads_back() {
        let spec = DirPoolSpec {
            name: "iso<&>'".into(),
            path: "/srv/a\"b".into(),
        };
        let xml = spec.to_xml();
        assert!(xml.contains("<name>iso&lt;&amp;&gt;&apos;</name>"), "{xml}");
        assert!(Document::parse(&xml).is_ok());
        let back = parse_pool(&xml).unwrap();
        assert_eq!(
            (back.kind.as_str(), back.path.as_str()),
            ("dir", "/srv/a\"b")
        );
    }

    #[test]
    fn volume_xml() {
        let spec = VolumeSpec {
            name: "disk'1.qcow2".into(),
            bytes: 3 << 30,
            format: "qcow2".into(),
        };
        let xml = spec.to_xml();
        assert!(xml.contains("<capacity unit='bytes'>3221225472</capacity>"));
        assert!(xml.contains("disk&apos;1.qcow2"));
        assert_eq!(parse_volume_format(&xml), "qcow2");
        assert_eq!(parse_volume_format("<volume/>"), "");
        assert_eq!(parse_pool("not xml"), None);
    }
}
