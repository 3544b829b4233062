//! Virtual network XML: NAT, isolated and bridged networks built with every
//! value escaped, and the facts the network list shows read back.

use std::net::Ipv4Addr;

use roxmltree::Document;

use super::escape;
use crate::error::FieldError;
use crate::i18n::Key;
use crate::validate::resources::{bridge_name, dhcp_range, resource_name, vlan_tag, Ipv4Net};

/// How a network reaches the outside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetworkKind {
    /// Routed out through the host with address translation.
    Nat {
        net: Ipv4Net,
        dhcp: Option<(Ipv4Addr, Ipv4Addr)>,
    },
    /// Guests and host only.
    Isolated {
        net: Ipv4Net,
        dhcp: Option<(Ipv4Addr, Ipv4Addr)>,
    },
    /// An existing host bridge; a VLAN tag needs an Open vSwitch bridge.
    Bridge { bridge: String, vlan: Option<u16> },
}

/// A network to define.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkSpec {
    pub name: String,
    pub kind: NetworkKind,
}

impl NetworkSpec {
    pub fn to_xml(&self) -> String {
        let mut xml = format!("<network><name>{}</name>", escape(&self.name));
        match &self.kind {
            NetworkKind::Nat { net, dhcp } => {
                xml.push_str("<forward mode='nat'/>");
                push_ip(&mut xml, *net, *dhcp);
            }
            NetworkKind::Isolated { net, dhcp } => push_ip(&mut xml, *net, *dhcp),
            NetworkKind::Bridge { bridge, vlan } => {
                xml.push_str(&format!(
                    "<forward mode='bridge'/><bridge name='{}'/>",
                    escape(bridge)
                ));
                if let Some(tag) = vlan {
                    // libvirt applies VLAN tags on bridges only through Open vSwitch.
                    xml.push_str(&format!(
                        "<virtualport type='openvswitch'/><vlan><tag id='{tag}'/></vlan>"
                    ));
                }
            }
        }
        xml.push_str("</network>");
        xml
    }
}

/// The network form as typed, before validation.
#[derive(Clone, Debug, Default)]
pub struct NetworkForm<'a> {
    pub name: &'a str,
    /// `nat`, `isolated` or `bridge`.
    pub mode: &'a str,
    pub cidr: &'a str,
    pub dhcp_start: &'a str,
    pub dhcp_end: &'a str,
    pub bridge: &'a str,
    pub vlan: &'a str,
}

impl NetworkForm<'_> {
    /// Validates every field the mode needs; each error names its field.
    pub fn parse(&self) -> Result<NetworkSpec, Vec<FieldError>> {
        let name = resource_name("name", self.name);
        let kind = match self.mode.trim() {
            "nat" | "isolated" => Ipv4Net::parse(self.cidr)
                .and_then(|net| Ok((net, dhcp_range(net, self.dhcp_start, self.dhcp_end)?)))
                .map(|(net, dhcp)| {
                    if self.mode.trim() == "nat" {
                        NetworkKind::Nat { net, dhcp }
                    } else {
                        NetworkKind::Isolated { net, dhcp }
                    }
                }),
            "bridge" => bridge_name(self.bridge).and_then(|bridge| {
                Ok(NetworkKind::Bridge {
                    bridge,
                    vlan: vlan_tag(self.vlan)?,
                })
            }),
            _ => Err(FieldError::new("mode", Key::ErrNetworkMode)),
        };
        match (name, kind) {
            (Ok(name), Ok(kind)) => Ok(NetworkSpec { name, kind }),
            (n, k) => Err([n.err(), k.err()].into_iter().flatten().collect()),
        }
    }
}

fn push_ip(xml: &mut String, net: Ipv4Net, dhcp: Option<(Ipv4Addr, Ipv4Addr)>) {
    xml.push_str(&format!(
        "<ip address='{}' netmask='{}'>",
        net.address,
        net.netmask()
    ));
    if let Some((start, end)) = dhcp {
        xml.push_str(&format!(
            "<dhcp><range start='{start}' end='{end}'/></dhcp>"
        ));
    }
    xml.push_str("</ip>");
}

/// What the network list shows, read from a network's XML.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkXml {
    /// `nat`, `isolated`, `bridge`, or libvirt's other modes as named.
    pub mode: String,
    pub bridge: String,
    /// `10.30.0.1/24`, empty when the network has no IPv4 address.
    pub cidr: String,
    /// `start – end` of the DHCP range, empty when none.
    pub dhcp: String,
    pub vlan: Option<u16>,
}

pub fn parse_network(xml: &str) -> Option<NetworkXml> {
    let doc = Document::parse(xml).ok()?;
    let root = doc.root_element();
    let child = |name: &str| root.children().find(|n| n.has_tag_name(name));
    let mode = child("forward")
        .map(|f| f.attribute("mode").unwrap_or("nat").to_string())
        .unwrap_or_else(|| "isolated".into());
    let bridge = child("bridge")
        .and_then(|b| b.attribute("name"))
        .unwrap_or_default()
        .to_string();
    let ip = root
        .children()
        .find(|n| n.has_tag_name("ip") && n.attribute("family").is_none_or(|f| f == "ipv4"));
    let cidr = ip
        .and_then(|ip| {
            let address = ip.attribute("address")?;
            let prefix = match (ip.attribute("prefix"), ip.attribute("netmask")) {
                (Some(p), _) => p.parse().ok()?,
                (None, Some(m)) => u32::from(m.parse::<Ipv4Addr>().ok()?).count_ones(),
                (None, None) => 24,
            };
            Some(format!("{address}/{prefix}"))
        })
        .unwrap_or_default();
    let dhcp = ip
        .and_then(|ip| ip.descendants().find(|n| n.has_tag_name("range")))
        .map(|r| {
            format!(
                "{} – {}",
                r.attribute("start").unwrap_or_default(),
                r.attribute("end").unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let vlan = child("vlan")
        .and_then(|v| v.children().find(|n| n.has_tag_name("tag")))
        .and_then(|t| t.attribute("id"))
        .and_then(|id| id.parse().ok());
    Some(NetworkXml {
        mode,
        bridge,
        cidr,
        dhcp,
        vlan,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> Ipv4Net {
        Ipv4Net::parse("10.30.0.1/24").unwrap()
    }

    #[test]
    fn nat_with_dhcp_round_trips() {
        let dhcp = Some((
            "10.30.0.100".parse().unwrap(),
            "10.30.0.199".parse().unwrap(),
        ));
        let spec = NetworkSpec {
            name: "line<4>".into(),
            kind: NetworkKind::Nat { net: net(), dhcp },
        };
        let xml = spec.to_xml();
        assert!(xml.contains("<name>line&lt;4&gt;</name>"), "{xml}");
        let back = parse_network(&xml).unwrap();
        assert_eq!(back.mode, "nat");
        assert_eq!(back.cidr, "10.30.0.1/24");
        assert_eq!(back.dhcp, "10.30.0.100 – 10.30.0.199");
    }

    #[test]
    fn isolated_has_no_forward() {
        let spec = NetworkSpec {
            name: "ot".into(),
            kind: NetworkKind::Isolated {
                net: net(),
                dhcp: None,
            },
        };
        let xml = spec.to_xml();
        assert!(!xml.contains("forward"));
        let back = parse_network(&xml).unwrap();
        assert_eq!((back.mode.as_str(), back.dhcp.as_str()), ("isolated", ""));
    }

    #[test]
    fn bridge_with_vlan_uses_openvswitch() {
        let spec = NetworkSpec {
            name: "line-br".into(),
            kind: NetworkKind::Bridge {
                bridge: "ovs-paint3".into(),
                vlan: Some(310),
            },
        };
        let xml = spec.to_xml();
        assert!(xml.contains("<virtualport type='openvswitch'/>"));
        let back = parse_network(&xml).unwrap();
        assert_eq!(back.mode, "bridge");
        assert_eq!(back.bridge, "ovs-paint3");
        assert_eq!(back.vlan, Some(310));
        let plain = NetworkSpec {
            name: "b".into(),
            kind: NetworkKind::Bridge {
                bridge: "br0".into(),
                vlan: None,
            },
        };
        assert!(!plain.to_xml().contains("virtualport"));
    }

    #[test]
    fn the_form_names_each_bad_field() {
        let form = NetworkForm {
            name: "lab-nat",
            mode: "nat",
            cidr: "10.30.0.1/24",
            dhcp_start: "10.30.0.100",
            dhcp_end: "10.30.0.199",
            ..Default::default()
        };
        assert!(matches!(
            form.parse().unwrap().kind,
            NetworkKind::Nat { .. }
        ));
        let fields = |f: NetworkForm| {
            f.parse()
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(NetworkForm {
                name: "a b",
                cidr: "x",
                ..form.clone()
            }),
            ["name", "cidr"]
        );
        assert_eq!(
            fields(NetworkForm {
                dhcp_end: "10.31.0.1",
                ..form.clone()
            }),
            ["dhcp_end"]
        );
        assert_eq!(
            fields(NetworkForm {
                mode: "route",
                ..form.clone()
            }),
            ["mode"]
        );
        let bridge = NetworkForm {
            mode: "bridge",
            bridge: "ovs-paint3",
            vlan: "310",
            ..form.clone()
        };
        assert!(matches!(
            bridge.parse().unwrap().kind,
            NetworkKind::Bridge {
                vlan: Some(310),
                ..
            }
        ));
        assert_eq!(
            fields(NetworkForm {
                vlan: "5000",
                ..bridge.clone()
            }),
            ["vlan"]
        );
        assert_eq!(
            fields(NetworkForm {
                bridge: "",
                ..bridge
            }),
            ["bridge"]
        );
    }

    #[test]
    fn reads_the_demo_plants_networks() {
        let xml = "<network><name>plant-nat</name><forward mode='nat'><nat><port start='1024' end='65535'/></nat></forward>\
            <bridge name='virbr0' stp='on' delay='0'/><ip address='10.20.1.1' netmask='255.255.255.0'>\
            <dhcp><range start='10.20.1.100' end='10.20.1.199'/></dhcp></ip></network>";
        let back = parse_network(xml).unwrap();
        assert_eq!(back.cidr, "10.20.1.1/24");
        assert_eq!(back.bridge, "virbr0");
    }
}
