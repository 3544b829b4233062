//! The one policy: may this actor do this action to that resource? Pure, so
//! the whole role × action matrix is tested with plain data. Server functions
//! call [`decide`] before acting; components call it only to hide controls.

use serde::{Deserialize, Serialize};

use crate::i18n::Key;

/// A role within one workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Owner,
    Operator,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Operator, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the role may change the workspace's domains.
    pub fn operates(self) -> bool {
        matches!(self, Role::Owner | Role::Operator)
    }
}

/// One workspace the actor belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub workspace_id: i64,
    /// Stable key carried in domain metadata.
    pub slug: String,
    pub name: String,
    pub role: Role,
}

/// Who is asking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub is_admin: bool,
    pub memberships: Vec<Membership>,
}

impl Actor {
    pub fn role_in(&self, workspace_id: i64) -> Option<Role> {
        self.memberships
            .iter()
            .find(|m| m.workspace_id == workspace_id)
            .map(|m| m.role)
    }

    pub fn role_in_slug(&self, slug: &str) -> Option<Role> {
        self.memberships
            .iter()
            .find(|m| m.slug == slug)
            .map(|m| m.role)
    }

    /// Workspace slugs whose domains the actor sees; `None` means all (admin).
    pub fn visible_slugs(&self) -> Option<Vec<String>> {
        (!self.is_admin).then(|| self.memberships.iter().map(|m| m.slug.clone()).collect())
    }
}

/// Everything a user can ask Millwright to do. Exhaustive: a new action does
/// not compile until [`decide`] rules on it (and [`Action::touches_hosts`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    DashboardRead,
    SignOut,
    HostList,
    HostAdd,
    HostRemove,
    UserList,
    UserCreate,
    UserDisable,
    UserEnable,
    UserResetPassword,
    PasswordChangeOwn,
    WorkspaceList,
    WorkspaceCreate,
    WorkspaceRename,
    WorkspaceDelete,
    WorkspaceSetQuota,
    WorkspaceSetResources,
    WorkspaceManageMembers,
    TemplateList,
    TemplateManage,
    DomainList,
    DomainRead,
    DomainAssign,
    DomainOperate,
    DomainCreate,
    DomainDelete,
    AuditRead,
    AuditExport,
    AuditVerify,
    AuditPrune,
    StorageList,
    PoolCreate,
    PoolOperate,
    PoolDelete,
    VolumeCreate,
    VolumeResize,
    VolumeDelete,
    VolumeUpload,
    VolumeAssign,
    NetworkList,
    NetworkCreate,
    NetworkOperate,
    NetworkDelete,
    TraceList,
    TraceManage,
    DomainMigrate,
    JobList,
    JobCancel,
    HostMaintenance,
    AffinityManage,
    AffinityList,
    DomainHa,
    HostFence,
    ConsolidationRead,
    CostModelRead,
    CostModelEdit,
    ConsolidationApply,
}

impl Action {
    /// Whether the action changes something on a host (through libvirt):
    /// its attempt is audited before the host is touched.
    pub fn touches_hosts(self) -> bool {
        use Action::*;
        match self {
            HostAdd | HostRemove | DomainAssign | DomainOperate | DomainCreate | DomainDelete
            | PoolCreate | PoolOperate | PoolDelete | VolumeCreate | VolumeResize
            | VolumeDelete | VolumeUpload | NetworkCreate | NetworkOperate | NetworkDelete
            | DomainMigrate | JobCancel | HostMaintenance | DomainHa | HostFence
            | ConsolidationApply => true,
            VolumeAssign => false,
            DashboardRead
            | SignOut
            | HostList
            | UserList
            | UserCreate
            | UserDisable
            | UserEnable
            | UserResetPassword
            | PasswordChangeOwn
            | WorkspaceList
            | WorkspaceCreate
            | WorkspaceRename
            | WorkspaceDelete
            | WorkspaceSetQuota
            | WorkspaceSetResources
            | WorkspaceManageMembers
            | TemplateList
            | TemplateManage
            | DomainList
            | DomainRead
            | AuditRead
            | AuditExport
            | AuditVerify
            | AuditPrune
            | StorageList
            | NetworkList
            | TraceList
            | TraceManage
            | JobList
            | AffinityManage
            | AffinityList
            | ConsolidationRead
            | CostModelRead
            | CostModelEdit => false,
        }
    }

    /// The dotted name recorded in the audit log.
    pub fn audit_name(self) -> &'static str {
        match self {
            Action::DashboardRead => "dashboard.read",
            Action::SignOut => "auth.sign_out",
            Action::HostList => "host.list",
            Action::HostAdd => "host.add",
            Action::HostRemove => "host.remove",
            Action::UserList => "user.list",
            Action::UserCreate => "user.create",
            Action::UserDisable => "user.disable",
            Action::UserEnable => "user.enable",
            Action::UserResetPassword => "user.reset_password",
            Action::PasswordChangeOwn => "user.change_password",
            Action::WorkspaceList => "workspace.list",
            Action::WorkspaceCreate => "workspace.create",
            Action::WorkspaceRename => "workspace.rename",
            Action::WorkspaceDelete => "workspace.delete",
            Action::WorkspaceSetQuota => "workspace.set_quota",
            Action::WorkspaceSetResources => "workspace.set_resources",
            Action::WorkspaceManageMembers => "workspace.members",
            Action::TemplateList => "template.list",
            Action::TemplateManage => "template.manage",
            Action::DomainList => "domain.list",
            Action::DomainRead => "domain.read",
            Action::DomainAssign => "domain.assign",
            Action::DomainOperate => "domain.operate",
            Action::DomainCreate => "domain.create",
            Action::DomainDelete => "domain.delete",
            Action::AuditRead => "audit.read",
            Action::AuditExport => "audit.export",
            Action::AuditVerify => "audit.verify",
            Action::AuditPrune => "audit.prune",
            Action::StorageList => "storage.list",
            Action::PoolCreate => "pool.create",
            Action::PoolOperate => "pool.operate",
            Action::PoolDelete => "pool.delete",
            Action::VolumeCreate => "volume.create",
            Action::VolumeResize => "volume.resize",
            Action::VolumeDelete => "volume.delete",
            Action::VolumeUpload => "volume.upload",
            Action::VolumeAssign => "volume.assign",
            Action::NetworkList => "network.list",
            Action::NetworkCreate => "network.create",
            Action::NetworkOperate => "network.operate",
            Action::NetworkDelete => "network.delete",
            Action::TraceList => "trace.list",
            Action::TraceManage => "trace.manage",
            Action::DomainMigrate => "domain.migrate",
            Action::JobList => "job.list",
            Action::JobCancel => "job.cancel",
            Action::HostMaintenance => "host.maintenance",
            Action::AffinityManage => "affinity.manage",
            Action::AffinityList => "affinity.list",
            Action::DomainHa => "domain.ha",
            Action::HostFence => "host.fence",
            Action::ConsolidationRead => "consolidation.read",
            Action::CostModelRead => "cost_model.read",
            Action::CostModelEdit => "cost_model.edit",
            Action::ConsolidationApply => "consolidation.apply",
        }
    }
}

/// What an action is aimed at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Object<'a> {
    /// The platform as a whole (hosts, users, workspaces list).
    Platform,
    Workspace(i64),
    /// A domain, by the workspace slug in its metadata (`None`: unowned).
    Domain(Option<&'a str>),
    User(i64),
    /// A storage pool, by the slugs of the workspaces that allow it.
    Pool(&'a [&'a str]),
    /// A volume, by the workspace it belongs to (`None`: the plant's).
    Volume(Option<&'a str>),
}

/// The policy's answer; a denial says why, for the user and the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Allow,
    Deny(Key),
}

impl Decision {
    pub fn allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Decides whether `actor` may do `action` to `resource`.
pub fn decide(actor: &Actor, action: Action, resource: &Object) -> Decision {
    use Action::*;
    if actor.is_admin {
        return Decision::Allow;
    }
    let allow = |ok: bool, reason: Key| {
        if ok {
            Decision::Allow
        } else {
            Decision::Deny(reason)
        }
    };
    let workspace_role = || match resource {
        Object::Workspace(id) => actor.role_in(*id),
        Object::Domain(Some(slug)) | Object::Volume(Some(slug)) => actor.role_in_slug(slug),
        _ => None,
    };
    match action {
        // Signed-in users list what they may see; `crate::visibility`
        // filters the lists. Imported traces are plant-wide evidence,
        // readable by everyone; templates are what anyone may create from.
        DashboardRead | HostList | WorkspaceList | StorageList | NetworkList | TraceList
        | TemplateList | DomainList | SignOut | JobList | AffinityList | ConsolidationRead
        | CostModelRead => Decision::Allow,
        PasswordChangeOwn => allow(
            *resource == Object::User(actor.user_id),
            Key::DenyOwnAccountOnly,
        ),
        HostAdd
        | HostRemove
        | UserList
        | UserCreate
        | UserDisable
        | UserEnable
        | UserResetPassword
        | WorkspaceCreate
        | WorkspaceRename
        | WorkspaceDelete
        | WorkspaceSetQuota
        | WorkspaceSetResources
        | DomainAssign
        | AuditVerify
        | AuditPrune
        | TemplateManage
        | PoolCreate
        | PoolOperate
        | PoolDelete
        | NetworkCreate
        | NetworkOperate
        | NetworkDelete
        | TraceManage
        | VolumeAssign
        | HostMaintenance
        | HostFence
        | CostModelEdit
        | ConsolidationApply => Decision::Deny(Key::DenyAdminOnly),
        WorkspaceManageMembers => allow(workspace_role() == Some(Role::Owner), Key::DenyOwnerOnly),
        DomainRead | AuditRead | AuditExport => {
            allow(workspace_role().is_some(), Key::DenyNotMember)
        }
        DomainOperate | DomainCreate | DomainDelete | DomainMigrate | JobCancel
        | AffinityManage | DomainHa => match workspace_role() {
            Some(role) => allow(role.operates(), Key::DenyViewerReadOnly),
            None => Decision::Deny(Key::DenyNotMember),
        },
        // A volume: operators of the workspace it belongs to; the plant's
        // are the administrators'.
        VolumeResize | VolumeDelete => match (resource, workspace_role()) {
            (Object::Volume(None), _) => Decision::Deny(Key::DenyVolumeNotOwned),
            (_, Some(role)) => allow(role.operates(), Key::DenyViewerReadOnly),
            (Object::Volume(Some(_)), None) => Decision::Deny(Key::DenyVolumeNotOwned),
            _ => Decision::Deny(Key::DenyAdminOnly),
        },
        // New volumes: operators of a workspace that is allowed the pool.
        VolumeCreate | VolumeUpload => {
            let Object::Pool(allowing) = resource else {
                return Decision::Deny(Key::DenyAdminOnly);
            };
            let roles = || allowing.iter().filter_map(|s| actor.role_in_slug(s));
            if roles().any(Role::operates) {
                Decision::Allow
            } else if roles().next().is_some() {
                Decision::Deny(Key::DenyViewerReadOnly)
            } else {
                Decision::Deny(Key::DenyPoolNotAllowed)
            }
        }
    }
}

#[cfg(test)]
mod tests;
