//! Workspaces: quotas, usage, members.

use serde::{Deserialize, Serialize};

/// A workspace's limits; `None` means no limit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quotas {
    pub vcpus: Option<i64>,
    pub memory_mib: Option<i64>,
    pub disk_gib: Option<i64>,
    pub domains: Option<i64>,
}

/// What a workspace's domains use now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub vcpus: i64,
    pub memory_mib: i64,
    /// Disk capacity of the workspace's domains, whole GiB rounded up.
    pub disk_gib: i64,
    pub domains: i64,
}

/// A workspace member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: i64,
    pub username: String,
    pub role: crate::policy::Role,
}

/// A workspace as its pages show it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceView {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub quotas: Quotas,
    pub usage: Usage,
    pub members: Vec<MemberView>,
    pub hosts: Vec<i64>,
    pub networks: Vec<String>,
    pub pools: Vec<String>,
}
