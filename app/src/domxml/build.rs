//! The one builder of domain XML. Every value passes through [`escape`];
//! nothing user-supplied is formatted into XML raw.

use super::{escape, metadata_element};
pub use crate::model::domain::Limits;
use crate::model::host::PlantTags;

/// How a VM boots.
#[derive(Clone, Debug, PartialEq)]
pub enum Boot {
    /// From its disk (or nothing, for a disk-less VM).
    Disk,
    /// From an ISO image (a volume path), as a CD-ROM.
    Iso(String),
    /// Direct kernel boot.
    Kernel {
        kernel: String,
        initrd: String,
        cmdline: String,
    },
}

/// What kind of domain to build.
#[derive(Clone, Debug, PartialEq)]
pub enum Flavor {
    Vm {
        /// `kvm` where the host has it, else `qemu` (software emulation).
        hypervisor: String,
        emulator: Option<String>,
        disk: Option<DiskSpec>,
        boot: Boot,
    },
    Container {
        init: String,
        args: Vec<String>,
        /// The container's own root directory (made for it on the host,
        /// owned by its mapped ids).
        rootfs: String,
    },
}

/// A disk backed by a volume file.
#[derive(Clone, Debug, PartialEq)]
pub struct DiskSpec {
    pub path: String,
    /// `qcow2` or `raw`.
    pub format: String,
}

/// A domain to define.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainSpec {
    pub name: String,
    pub vcpus: u32,
    pub memory_mib: u64,
    pub network: Option<String>,
    pub workspace: Option<String>,
    pub tags: PlantTags,
    pub limits: Limits,
    pub flavor: Flavor,
}

fn el(name: &str, value: impl std::fmt::Display) -> String {
    format!("<{name}>{}</{name}>", escape(&value.to_string()))
}

impl DomainSpec {
    pub fn to_xml(&self) -> String {
        let hypervisor = match &self.flavor {
            Flavor::Vm { hypervisor, .. } => hypervisor.as_str(),
            Flavor::Container { .. } => "lxc",
        };
        let mut x = format!("<domain type='{}'>", escape(hypervisor));
        x += &el("name", &self.name);
        x += &format!(
            "<metadata>{}</metadata>",
            metadata_element(self.workspace.as_deref(), &self.tags)
        );
        x += &format!("<memory unit='MiB'>{}</memory>", self.memory_mib);
        x += &el("vcpu", self.vcpus);
        x += &self.tunables();
        x += &self.os();
        if let Flavor::Container { .. } = self.flavor {
            // A network namespace of its own (only loopback without a NIC)
            // and a user namespace: root inside is an unprivileged host id.
            x += "<features><privnet/></features>";
            x += &super::root_helper::idmap();
        }
        x += "<on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>";
        x += &self.devices();
        x += "</domain>";
        x
    }

    fn tunables(&self) -> String {
        let l = &self.limits;
        let mut x = String::new();
        if l.cpu_shares.is_some() || l.cpu_quota_us.is_some() || l.cpu_period_us.is_some() {
            x += "<cputune>";
            if let Some(v) = l.cpu_shares {
                x += &el("shares", v);
            }
            if let Some(v) = l.cpu_period_us {
                x += &el("period", v);
            }
            if let Some(v) = l.cpu_quota_us {
                x += &el("quota", v);
            }
            x += "</cputune>";
        }
        if let Some(v) = l.memory_hard_limit_mib {
            x += &format!("<memtune><hard_limit unit='MiB'>{v}</hard_limit></memtune>");
        }
        if let Some(v) = l.blkio_weight.filter(|&v| v > 0) {
            x += &format!("<blkiotune>{}</blkiotune>", el("weight", v));
        }
        x
    }

    fn os(&self) -> String {
        match &self.flavor {
            Flavor::Container { init, args, .. } => {
                let mut x = format!("<os><type>exe</type>{}", el("init", init));
                for a in args {
                    x += &el("initarg", a);
                }
                x + "</os>"
            }
            Flavor::Vm {
                boot:
                    Boot::Kernel {
                        kernel,
                        initrd,
                        cmdline,
                    },
                ..
            } => format!(
                "<os><type arch='x86_64'>hvm</type>{}{}{}</os>",
                el("kernel", kernel),
                el("initrd", initrd),
                el("cmdline", cmdline)
            ),
            Flavor::Vm {
                boot: Boot::Iso(_), ..
            } => {
                "<os><type arch='x86_64'>hvm</type><boot dev='cdrom'/><boot dev='hd'/></os>".into()
            }
            Flavor::Vm {
                boot: Boot::Disk, ..
            } => "<os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>".into(),
        }
    }

    fn devices(&self) -> String {
        let mut x = String::from("<devices>");
        match &self.flavor {
            Flavor::Vm {
                emulator,
                disk,
                boot,
                ..
            } => {
                if let Some(e) = emulator {
                    x += &el("emulator", e);
                }
                if let Some(d) = disk {
                    x += &format!(
                        "<disk type='file' device='disk'><driver name='qemu' type='{}'/><source file='{}'/><target dev='vda' bus='virtio'/></disk>",
                        escape(&d.format),
                        escape(&d.path)
                    );
                }
                if let Boot::Iso(path) = boot {
                    x += &format!(
                        "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='{}'/><target dev='sda' bus='sata'/><readonly/></disk>",
                        escape(path)
                    );
                }
                // The serial console is also logged (through virtlogd) for the record.
                x += &format!(
                    "<serial type='pty'><log file='/var/log/libvirt/qemu/{}-serial.log' append='off'/><target port='0'/></serial><console type='pty'><target type='serial' port='0'/></console>",
                    escape(&self.name)
                );
                x += "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>";
            }
            Flavor::Container { rootfs, .. } => {
                x += &format!(
                    "<filesystem type='mount'><source dir='{}'/><target dir='/'/></filesystem><console type='pty'/>",
                    escape(rootfs)
                );
            }
        }
        if let Some(net) = &self.network {
            x += &format!("<interface type='network'><source network='{}'/><model type='virtio'/></interface>", escape(net));
        }
        x + "</devices>"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domxml::parse_domain;
    use crate::model::domain::DomainKind;

    fn vm() -> DomainSpec {
        DomainSpec {
            name: "mes-app-03".into(),
            vcpus: 2,
            memory_mib: 2048,
            network: Some("plant-nat".into()),
            workspace: Some("ops".into()),
            tags: PlantTags {
                line: "Press 1".into(),
                ..Default::default()
            },
            limits: Limits {
                cpu_shares: Some(512),
                memory_hard_limit_mib: Some(3072),
                blkio_weight: Some(300),
                ..Default::default()
            },
            flavor: Flavor::Vm {
                hypervisor: "qemu".into(),
                emulator: None,
                disk: Some(DiskSpec {
                    path: "/var/lib/libvirt/images/mes-app-03.qcow2".into(),
                    format: "qcow2".into(),
                }),
                boot: Boot::Iso("/iso/debian & friends.iso".into()),
            },
        }
    }

    #[test]
    fn built_vm_parses_back() {
        let xml = vm().to_xml();
        let c = parse_domain(&xml).unwrap();
        assert_eq!(
            (c.name.as_str(), c.vcpus, c.memory_kib),
            ("mes-app-03", 2, 2048 * 1024)
        );
        assert_eq!(c.workspace.as_deref(), Some("ops"));
        assert_eq!(c.tags.line, "Press 1");
        assert_eq!(c.disks.len(), 2);
        assert_eq!(
            c.disks[1].source, "/iso/debian & friends.iso",
            "escaped and unescaped"
        );
        assert_eq!(c.nics[0].source, "plant-nat");
        assert!(
            xml.contains("<shares>512</shares>")
                && xml.contains("<hard_limit unit='MiB'>3072</hard_limit>")
        );
    }

    #[test]
    fn hostile_values_cannot_inject_xml() {
        let mut spec = vm();
        spec.network = Some("x'/><graphics type='spice'/><x a='".into());
        let c = parse_domain(&spec.to_xml()).unwrap();
        assert_eq!(c.graphics.len(), 1, "no injected device");
        assert_eq!(c.nics[0].source, "x'/><graphics type='spice'/><x a='");
    }

    #[test]
    fn container() {
        let spec = DomainSpec {
            flavor: Flavor::Container {
                init: "/bin/sh".into(),
                args: vec!["-c".into(), "echo <hi>".into()],
                rootfs: "/srv/rootfs".into(),
            },
            network: None,
            ..vm()
        };
        let c = parse_domain(&spec.to_xml()).unwrap();
        assert_eq!(c.kind(), DomainKind::Container);
        assert_eq!(c.init.as_deref(), Some("/bin/sh"));
        assert_eq!(c.disks[0].source, "/srv/rootfs");
        // Root inside is an unprivileged id outside; its network is its own.
        let xml = spec.to_xml();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        for id in ["uid", "gid"] {
            let map = doc.descendants().find(|n| n.has_tag_name(id)).unwrap();
            assert_eq!(map.attribute("start"), Some("0"));
            assert_eq!(map.attribute("target"), Some("100000"));
        }
        assert!(doc.descendants().any(|n| n.has_tag_name("privnet")));
    }
}
