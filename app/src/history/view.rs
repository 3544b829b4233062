//! What a page needs to show history: the chart panels of each target and
//! their URLs (served as SVG and CSV by the server's `/charts` routes).

use crate::i18n::Key;
use crate::url::encode_path;

/// One chart of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Cpu,
    Memory,
    Disk,
    Network,
    Domains,
}

impl Panel {
    pub const ALL: [Panel; 5] = [
        Panel::Cpu,
        Panel::Memory,
        Panel::Disk,
        Panel::Network,
        Panel::Domains,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Panel::Cpu => "cpu",
            Panel::Memory => "memory",
            Panel::Disk => "disk",
            Panel::Network => "network",
            Panel::Domains => "domains",
        }
    }

    pub fn parse(s: &str) -> Option<Panel> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn title(self) -> Key {
        match self {
            Panel::Cpu => Key::ChartCpu,
            Panel::Memory => Key::ChartMemory,
            Panel::Disk => Key::ChartDisk,
            Panel::Network => Key::ChartNetwork,
            Panel::Domains => Key::ChartDomains,
        }
    }
}

/// Whose history a chart shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Domain {
        host: i64,
        uuid: String,
    },
    Host(i64),
    Workspace(String),
    Fleet,
    /// An imported trace data set, summed over its VMs.
    Trace(String),
}

impl Target {
    /// The panels this target has.
    pub fn panels(&self) -> &'static [Panel] {
        match self {
            Target::Domain { .. } => &[Panel::Cpu, Panel::Memory, Panel::Disk, Panel::Network],
            Target::Host(_) => &[Panel::Cpu, Panel::Memory, Panel::Domains],
            Target::Workspace(_) | Target::Fleet => &[Panel::Cpu, Panel::Memory],
            Target::Trace(_) => &[Panel::Cpu, Panel::Domains],
        }
    }

    /// `/charts/...` without the panel file.
    pub fn base(&self) -> String {
        match self {
            Target::Domain { host, uuid } => format!("/charts/domain/{host}/{}", encode_path(uuid)),
            Target::Host(id) => format!("/charts/host/{id}"),
            Target::Workspace(slug) => format!("/charts/workspace/{}", encode_path(slug)),
            Target::Fleet => "/charts/fleet".into(),
            Target::Trace(name) => format!("/charts/trace/{}", encode_path(name)),
        }
    }

    /// A panel's URL; `ext` is `svg` or `csv`, `query` the range part.
    pub fn url(&self, panel: Panel, ext: &str, query: &str) -> String {
        format!("{}/{}.{ext}?{query}", self.base(), panel.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_target_and_panel() {
        let t = Target::Domain {
            host: 3,
            uuid: "ab-cd".into(),
        };
        assert_eq!(
            t.url(Panel::Disk, "csv", "range=week"),
            "/charts/domain/3/ab-cd/disk.csv?range=week"
        );
        assert_eq!(
            Target::Workspace("ops".into()).url(Panel::Cpu, "svg", ""),
            "/charts/workspace/ops/cpu.svg?"
        );
        assert_eq!(
            Target::Trace("plant 2011".into()).url(Panel::Domains, "csv", ""),
            "/charts/trace/plant%202011/domains.csv?"
        );
        for p in Panel::ALL {
            assert_eq!(Panel::parse(p.as_str()), Some(p));
        }
    }
}
