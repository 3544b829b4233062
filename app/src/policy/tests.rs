use super::*;
use Action::*;

const A: i64 = 1;
const B: i64 = 2;
/// A pool allowed to workspace A only.
const POOL_IN_A: &[&str] = &["a"];

fn actor(admin: bool, role_in_a: Option<Role>) -> Actor {
    let mut memberships = vec![Membership {
        workspace_id: B,
        slug: "b".into(),
        name: "B".into(),
        role: Role::Viewer,
    }];
    if let Some(role) = role_in_a {
        memberships.push(Membership {
            workspace_id: A,
            slug: "a".into(),
            name: "A".into(),
            role,
        });
    }
    Actor {
        user_id: 10,
        username: "u".into(),
        is_admin: admin,
        memberships,
    }
}

/// Expected answer per subject: admin, owner, operator, viewer, outsider.
/// "Outsider" is a viewer of workspace B only; resources are in workspace A.
#[rustfmt::skip]
const MATRIX: &[(Action, [bool; 5])] = &[
    (DashboardRead,          [true, true,  true,  true,  true ]),
    (SignOut,                [true, true,  true,  true,  true ]),
    (HostList,               [true, true,  true,  true,  true ]),
    (HostAdd,                [true, false, false, false, false]),
    (HostRemove,             [true, false, false, false, false]),
    (UserList,               [true, false, false, false, false]),
    (UserCreate,             [true, false, false, false, false]),
    (UserDisable,            [true, false, false, false, false]),
    (UserEnable,             [true, false, false, false, false]),
    (UserResetPassword,      [true, false, false, false, false]),
    (WorkspaceList,          [true, true,  true,  true,  true ]),
    (WorkspaceCreate,        [true, false, false, false, false]),
    (WorkspaceRename,        [true, false, false, false, false]),
    (WorkspaceDelete,        [true, false, false, false, false]),
    (WorkspaceSetQuota,      [true, false, false, false, false]),
    (WorkspaceSetResources,  [true, false, false, false, false]),
    (WorkspaceManageMembers, [true, true,  false, false, false]),
    (TemplateList,           [true, true,  true,  true,  true ]),
    (TemplateManage,         [true, false, false, false, false]),
    (DomainList,             [true, true,  true,  true,  true ]),
    (DomainRead,             [true, true,  true,  true,  false]),
    (DomainAssign,           [true, false, false, false, false]),
    (DomainOperate,          [true, true,  true,  false, false]),
    (DomainCreate,           [true, true,  true,  false, false]),
    (DomainDelete,           [true, true,  true,  false, false]),
    (AuditRead,              [true, true,  true,  true,  false]),
    (AuditExport,            [true, true,  true,  true,  false]),
    (AuditVerify,            [true, false, false, false, false]),
    (AuditPrune,             [true, false, false, false, false]),
    (StorageList,            [true, true,  true,  true,  true ]),
    (PoolCreate,             [true, false, false, false, false]),
    (PoolOperate,            [true, false, false, false, false]),
    (PoolDelete,             [true, false, false, false, false]),
    (VolumeCreate,           [true, true,  true,  false, false]),
    (VolumeResize,           [true, true,  true,  false, false]),
    (VolumeDelete,           [true, true,  true,  false, false]),
    (VolumeUpload,           [true, true,  true,  false, false]),
    (VolumeAssign,           [true, false, false, false, false]),
    (NetworkList,            [true, true,  true,  true,  true ]),
    (NetworkCreate,          [true, false, false, false, false]),
    (NetworkOperate,         [true, false, false, false, false]),
    (NetworkDelete,          [true, false, false, false, false]),
    (TraceList,              [true, true,  true,  true,  true ]),
    (TraceManage,            [true, false, false, false, false]),
    (DomainMigrate,          [true, true,  true,  false, false]),
    (JobList,                [true, true,  true,  true,  true ]),
    (JobCancel,              [true, true,  true,  false, false]),
    (HostMaintenance,        [true, false, false, false, false]),
    (AffinityManage,         [true, true,  true,  false, false]),
    (AffinityList,           [true, true,  true,  true,  true ]),
    (DomainHa,               [true, true,  true,  false, false]),
    (HostFence,              [true, false, false, false, false]),
    (ConsolidationRead,      [true, true,  true,  true,  true ]),
    (CostModelRead,          [true, true,  true,  true,  true ]),
    (CostModelEdit,          [true, false, false, false, false]),
    (ConsolidationApply,     [true, false, false, false, false]),
];

fn subjects() -> [(&'static str, Actor); 5] {
    [
        ("admin", actor(true, None)),
        ("owner", actor(false, Some(Role::Owner))),
        ("operator", actor(false, Some(Role::Operator))),
        ("viewer", actor(false, Some(Role::Viewer))),
        ("outsider", actor(false, None)),
    ]
}

/// The resource an action is naturally aimed at, inside workspace A.
fn resource_for(action: Action) -> Object<'static> {
    match action {
        DomainRead | DomainOperate | DomainCreate | DomainDelete | DomainAssign | DomainMigrate
        | JobCancel | AffinityManage | DomainHa => Object::Domain(Some("a")),
        WorkspaceRename
        | WorkspaceDelete
        | WorkspaceSetQuota
        | WorkspaceSetResources
        | WorkspaceManageMembers
        | AuditRead
        | AuditExport => Object::Workspace(A),
        UserDisable | UserEnable | UserResetPassword => Object::User(99),
        VolumeCreate | VolumeUpload => Object::Pool(POOL_IN_A),
        VolumeResize | VolumeDelete | VolumeAssign => Object::Volume(Some("a")),
        _ => Object::Platform,
    }
}

#[test]
fn role_action_matrix() {
    for (action, expected) in MATRIX {
        for ((who, subject), want) in subjects().iter().zip(expected) {
            let got = decide(subject, *action, &resource_for(*action));
            assert_eq!(got.allowed(), *want, "{who} {action:?} -> {got:?}");
            if !want {
                assert!(
                    matches!(got, Decision::Deny(_)),
                    "a denial carries its reason"
                );
            }
        }
    }
}

#[test]
fn matrix_covers_every_action() {
    let all = [
        DashboardRead,
        SignOut,
        TemplateList,
        DomainList,
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
    ];
    for action in all {
        assert!(
            action == PasswordChangeOwn || MATRIX.iter().any(|(a, _)| *a == action),
            "{action:?} untested"
        );
    }
}

#[test]
fn own_password_only() {
    let u = actor(false, Some(Role::Viewer));
    assert!(decide(&u, PasswordChangeOwn, &Object::User(10)).allowed());
    assert_eq!(
        decide(&u, PasswordChangeOwn, &Object::User(11)),
        Decision::Deny(Key::DenyOwnAccountOnly)
    );
}

#[test]
fn unowned_domains_are_for_admins() {
    let owner = actor(false, Some(Role::Owner));
    assert!(!decide(&owner, DomainRead, &Object::Domain(None)).allowed());
    assert!(decide(&actor(true, None), DomainRead, &Object::Domain(None)).allowed());
}

#[test]
fn reasons_name_the_rule() {
    let viewer = actor(false, Some(Role::Viewer));
    assert_eq!(
        decide(&viewer, DomainOperate, &Object::Domain(Some("a"))),
        Decision::Deny(Key::DenyViewerReadOnly)
    );
    assert_eq!(
        decide(&viewer, HostAdd, &Object::Platform),
        Decision::Deny(Key::DenyAdminOnly)
    );
    assert_eq!(
        decide(&viewer, DomainRead, &Object::Domain(Some("zzz"))),
        Decision::Deny(Key::DenyNotMember)
    );
}

#[test]
fn volumes_need_an_operating_role_in_a_workspace_allowing_the_pool() {
    let operator = actor(false, Some(Role::Operator));
    assert!(decide(&operator, VolumeCreate, &Object::Pool(&["b", "a"])).allowed());
    // Only viewer of B, which allows the pool.
    assert_eq!(
        decide(&operator, VolumeUpload, &Object::Pool(&["b"])),
        Decision::Deny(Key::DenyViewerReadOnly)
    );
    assert_eq!(
        decide(&operator, VolumeCreate, &Object::Pool(&[])),
        Decision::Deny(Key::DenyPoolNotAllowed)
    );
    assert_eq!(
        decide(&operator, VolumeResize, &Object::Platform),
        Decision::Deny(Key::DenyAdminOnly)
    );
}

#[test]
fn a_volume_is_changed_by_operators_of_its_workspace_only() {
    let operator = actor(false, Some(Role::Operator));
    assert!(decide(&operator, VolumeDelete, &Object::Volume(Some("a"))).allowed());
    // Another workspace's volume in a pool both may use.
    assert_eq!(
        decide(&operator, VolumeDelete, &Object::Volume(Some("c"))),
        Decision::Deny(Key::DenyVolumeNotOwned)
    );
    // The viewer role in B does not operate B's volumes.
    assert_eq!(
        decide(&operator, VolumeResize, &Object::Volume(Some("b"))),
        Decision::Deny(Key::DenyViewerReadOnly)
    );
    // The plant's volumes (no workspace) are the administrators'.
    assert_eq!(
        decide(&operator, VolumeResize, &Object::Volume(None)),
        Decision::Deny(Key::DenyVolumeNotOwned)
    );
    assert!(decide(&actor(true, None), VolumeDelete, &Object::Volume(None)).allowed());
    assert!(decide(&actor(true, None), VolumeCreate, &Object::Pool(&[])).allowed());
}
