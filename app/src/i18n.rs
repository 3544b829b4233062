//! The one i18n mechanism: every UI string is a [`Key`] with its English and
//! Simplified Chinese text side by side, so a missing translation cannot
//! compile. The locale is chosen on the server (cookie `mw_lang`) and written
//! into `<html lang>`, which the browser reads back when it hydrates.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! keys {
    ($($key:ident => $en:literal, $zh:literal;)*) => {
        /// A UI string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Key { $($key),* }

        impl Key {
            /// Every key, for completeness tests.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];

            pub fn en(self) -> &'static str {
                match self { $(Key::$key => $en),* }
            }

            pub fn zh(self) -> &'static str {
                match self { $(Key::$key => $zh),* }
            }
        }
    };
}

keys! {
    AppName => "Millwright", "Millwright";
    Tagline => "Plant virtualization", "工厂虚拟化平台";
    NavDashboard => "Dashboard", "仪表板";
    NavHosts => "Hosts", "主机";
    NavInventory => "Inventory", "清单";
    Language => "Language", "语言";
    ThemeLight => "Light", "浅色";
    ThemeDark => "Dark", "深色";
    ThemeAuto => "Auto", "自动";
    Theme => "Theme", "主题";
    Loading => "Loading…", "加载中…";
    NotFoundTitle => "Page not found", "页面不存在";
    NotFoundBody => "There is nothing at this address.", "此地址没有内容。";
    LiveOn => "Live", "实时";
    LiveOff => "Offline — reconnecting", "离线 — 正在重连";
    // Dashboard
    HostsUp => "Hosts up", "在线主机";
    HostsDown => "Hosts down", "离线主机";
    DomainsRunning => "Domains running", "运行中的虚拟机/容器";
    DomainsStopped => "Domains stopped", "已停止的虚拟机/容器";
    DomainsOther => "Paused or other", "已暂停或其他";
    Allocation => "Allocation per host", "各主机资源分配";
    AllocationHint => "vCPUs and memory of running domains against the host's capacity.", "运行中虚拟机/容器的 vCPU 与内存占主机容量的比例。";
    VcpusOf => "vCPUs", "vCPU";
    MemoryOf => "Memory", "内存";
    NoHosts => "No hosts registered yet.", "尚未注册任何主机。";
    // Hosts
    HostsTitle => "Hosts", "主机";
    AddHost => "Add a host", "添加主机";
    AddHostHint => "A libvirt connection URI, e.g. qemu+tcp://10.20.0.5/system or qemu+ssh://root@line3-kvm/system.", "libvirt 连接 URI，例如 qemu+tcp://10.20.0.5/system 或 qemu+ssh://root@line3-kvm/system。";
    FieldName => "Display name", "显示名称";
    FieldUri => "Connection URI", "连接 URI";
    FieldPlant => "Plant", "工厂";
    FieldArea => "Area", "区域";
    FieldLine => "Line", "产线";
    FieldCell => "Cell", "工位";
    Save => "Save", "保存";
    AddHostButton => "Add host", "添加主机";
    Remove => "Remove", "移除";
    RemoveConfirm => "Remove this host from Millwright? Its domains keep running.", "从 Millwright 移除此主机？其上的虚拟机/容器将继续运行。";
    HostAdded => "Host added; connecting…", "主机已添加，正在连接…";
    HostRemoved => "Host removed.", "主机已移除。";
    ColName => "Name", "名称";
    ColState => "State", "状态";
    ColTags => "Tags", "标签";
    ColCpu => "CPU", "CPU";
    ColMemory => "Memory", "内存";
    ColFree => "free", "空闲";
    ColVersions => "Hypervisor / libvirt", "虚拟化层 / libvirt";
    ColDomains => "Domains", "虚拟机/容器";
    ColActions => "Actions", "操作";
    ColKind => "Kind", "类型";
    ColVcpus => "vCPUs", "vCPU";
    ColHost => "Host", "主机";
    ColWorkspace => "Workspace", "工作空间";
    Cores => "cores", "核";
    Running => "running", "运行中";
    Demo => "demo", "演示";
    StateConnected => "connected", "已连接";
    StateConnecting => "connecting", "连接中";
    StateUnreachable => "unreachable", "不可达";
    // Inventory
    InventoryTitle => "Inventory", "清单";
    Search => "Search", "搜索";
    SearchHint => "Name, UUID, host, workspace or tag", "名称、UUID、主机、工作空间或标签";
    AnyHost => "All hosts", "全部主机";
    AnyState => "All states", "全部状态";
    AnyKind => "VMs and containers", "虚拟机与容器";
    Filter => "Filter", "筛选";
    Clear => "Clear", "清除";
    KindVm => "VM", "虚拟机";
    KindContainer => "Container", "容器";
    Shown => "shown of", "条，共";
    Matching => "matching", "条匹配";
    Previous => "Previous", "上一页";
    Next => "Next", "下一页";
    PageOf => "Page", "页码";
    NoDomains => "No domain matches.", "没有匹配的虚拟机或容器。";
    Unowned => "unowned", "未分配";
    DsRunning => "running", "运行中";
    DsBlocked => "blocked", "阻塞";
    DsPaused => "paused", "已暂停";
    DsShuttingDown => "shutting down", "正在关机";
    DsShutoff => "shut off", "已关机";
    DsCrashed => "crashed", "已崩溃";
    DsSuspended => "suspended", "已挂起";
    DsUnknown => "unknown", "未知";
    // Domain detail
    Facts => "Facts", "概况";
    Uuid => "UUID", "UUID";
    Hypervisor => "Hypervisor", "虚拟化类型";
    OsType => "OS type", "系统类型";
    Autostart => "Autostart", "自动启动";
    Persistent => "Persistent", "持久化";
    CpuTime => "CPU time", "CPU 时间";
    InitCommand => "Init command", "初始化命令";
    Yes => "yes", "是";
    No => "no", "否";
    Disks => "Disks and filesystems", "磁盘与文件系统";
    Device => "Device", "设备";
    Source => "Source", "来源";
    Target => "Target", "目标";
    Bus => "Bus", "总线";
    Format => "Format", "格式";
    Capacity => "Capacity", "容量";
    Nics => "Network interfaces", "网络接口";
    Mac => "MAC", "MAC";
    Model => "Model", "型号";
    Vlan => "VLAN", "VLAN";
    Graphics => "Graphics", "图形";
    Port => "Port", "端口";
    Listen => "Listen", "监听地址";
    DomainXml => "Domain XML (read-only)", "域 XML（只读）";
    None_ => "none", "无";
    BackToInventory => "Back to the inventory", "返回清单";
    // Identity
    NavAudit => "Audit log", "审计日志";
    NavWorkspaces => "Workspaces", "工作空间";
    NavUsers => "Users", "用户";
    NavAccount => "Account", "账户";
    SignIn => "Sign in", "登录";
    SignOut => "Sign out", "退出登录";
    SignInTitle => "Sign in to Millwright", "登录 Millwright";
    FieldUsername => "Username", "用户名";
    FieldPassword => "Password", "密码";
    FieldCurrentPassword => "Current password", "当前密码";
    FieldNewPassword => "New password (at least 12 characters)", "新密码（至少 12 个字符）";
    FieldAdmin => "Platform administrator", "平台管理员";
    ChangePassword => "Change password", "修改密码";
    PasswordChanged => "Password changed.", "密码已修改。";
    SignedInAs => "Signed in as", "当前用户";
    AllWorkspaces => "All workspaces", "全部工作空间";
    Workspace => "Workspace", "工作空间";
    Switch => "Switch", "切换";
    UsersTitle => "Users", "用户";
    CreateUser => "Create a user", "创建用户";
    Create => "Create", "创建";
    Disable => "Disable", "停用";
    Enable => "Enable", "启用";
    ResetPassword => "Reset password", "重置密码";
    Disabled => "disabled", "已停用";
    Active => "active", "正常";
    Administrator => "administrator", "管理员";
    ColCreated => "Created", "创建时间";
    ColRole => "Role", "角色";
    Saved => "Saved.", "已保存。";
    WorkspacesTitle => "Workspaces", "工作空间";
    CreateWorkspace => "Create a workspace", "创建工作空间";
    FieldSlug => "Key (a-z, 0-9, -; never changes)", "标识（a-z、0-9、-；不可更改）";
    FieldWorkspaceName => "Name", "名称";
    Rename => "Rename", "重命名";
    Delete => "Delete", "删除";
    Members => "Members", "成员";
    AddMember => "Add member", "添加成员";
    Quotas => "Quotas", "配额";
    QuotaHint => "Leave empty for no limit.", "留空表示不限制。";
    FieldQuotaVcpus => "vCPUs", "vCPU";
    FieldQuotaMemory => "Memory (MiB)", "内存（MiB）";
    FieldQuotaDisk => "Disk (GiB)", "磁盘（GiB）";
    FieldQuotaDomains => "Domains", "虚拟机/容器数量";
    AllowedHosts => "Allowed hosts", "可用主机";
    AllowedNetworks => "Allowed networks (comma-separated)", "可用网络（逗号分隔）";
    AllowedPools => "Allowed storage pools (comma-separated)", "可用存储池（逗号分隔）";
    Usage => "In use", "已用";
    Unlimited => "no limit", "不限";
    RoleOwner => "owner", "所有者";
    RoleOperator => "operator", "操作员";
    RoleViewer => "viewer", "查看者";
    Assign => "Assign", "分配";
    AssignWorkspace => "Assign to a workspace", "分配到工作空间";
    NoWorkspace => "(unowned)", "（未分配）";
    AuditTitle => "Audit log", "审计日志";
    ColTime => "Time (UTC)", "时间（UTC）";
    ColActor => "Actor", "操作者";
    ColSource => "Source", "来源";
    ColAction => "Action", "操作";
    ColTarget => "Target", "对象";
    ColOutcome => "Outcome", "结果";
    ColDuration => "Duration", "耗时";
    ColDetails => "Details", "详情";
    FieldFrom => "From (UTC)", "起始（UTC）";
    FieldTo => "To (UTC)", "截止（UTC）";
    AnyOutcome => "Any outcome", "全部结果";
    OutcomeOk => "ok", "成功";
    OutcomeDenied => "denied", "拒绝";
    OutcomeFailed => "failed", "失败";
    Older => "Older", "更早";
    Newest => "Newest", "最新";
    ExportCsv => "Export CSV", "导出 CSV";
    Verify => "Verify the chain", "校验哈希链";
    VerifyOk => "Chain intact: every record checked.", "哈希链完整：所有记录已校验。";
    VerifyBroken => "Chain broken at record", "哈希链断裂于记录";
    RecordsChecked => "records checked", "条记录已校验";
    NoRecords => "No record matches.", "没有匹配的记录。";
    DenyAdminOnly => "Only a platform administrator may do this.", "只有平台管理员可以执行此操作。";
    DenyOwnerOnly => "Only an owner of the workspace may do this.", "只有工作空间所有者可以执行此操作。";
    DenyNotMember => "You are not a member of this workspace.", "您不是该工作空间的成员。";
    DenyViewerReadOnly => "Viewers may look but not change anything.", "查看者只能查看，不能修改。";
    DenyOwnAccountOnly => "You may only change your own password.", "您只能修改自己的密码。";
    ErrUnauthorized => "Please sign in.", "请先登录。";
    ErrForbidden => "You are not allowed to do this.", "您无权执行此操作。";
    ErrBadCredentials => "Wrong username or password.", "用户名或密码错误。";
    ErrThrottled => "Too many failed sign-ins: try again in 15 minutes.", "登录失败次数过多，请 15 分钟后再试。";
    ErrPasswordLength => "A password needs at least 12 characters (at most 1024).", "密码至少 12 个字符（最多 1024 个）。";
    ErrUsername => "A username has 1 to 32 characters: letters, digits, dot, dash or underscore.", "用户名为 1 到 32 个字符：字母、数字、点、横线或下划线。";
    ErrUsernameTaken => "This username is taken.", "该用户名已被使用。";
    ErrSlug => "A key has 2 to 32 characters: a-z, 0-9 and dashes, starting with a letter.", "标识为 2 到 32 个字符：a-z、0-9 和横线，以字母开头。";
    ErrWorkspaceTaken => "A workspace with this key or name exists.", "已存在相同标识或名称的工作空间。";
    ErrWorkspaceNotEmpty => "Only an empty workspace can be deleted: it still owns domains.", "只能删除空的工作空间：它仍拥有虚拟机或容器。";
    ErrQuota => "A quota is a whole number from 0 to 1,000,000, or empty.", "配额须为 0 到 1,000,000 的整数，或留空。";
    ErrRole => "Choose owner, operator or viewer.", "请选择所有者、操作员或查看者。";
    ErrHostIds => "Host ids are whole numbers separated by commas.", "主机编号须为以逗号分隔的整数。";
    ErrQuotaDomains => "The workspace has reached its quota of domains.", "工作空间的虚拟机/容器数量已达配额。";
    ErrQuotaVcpus => "This would exceed the workspace's vCPU quota.", "这将超出工作空间的 vCPU 配额。";
    ErrQuotaMemory => "This would exceed the workspace's memory quota.", "这将超出工作空间的内存配额。";
    ErrQuotaDisk => "This would exceed the workspace's disk quota.", "这将超出工作空间的磁盘配额。";
    ErrVmName => "A name has 1 to 63 characters: letters, digits, dot, dash or underscore.", "名称为 1 到 63 个字符：字母、数字、点、横线或下划线。";
    ErrNameOnHost => "A domain with this name exists on that host.", "该主机上已有同名的虚拟机/容器。";
    ErrVcpus => "vCPUs: a whole number from 1 to 64.", "vCPU：1 到 64 的整数。";
    ErrMemory => "Memory: a whole number of MiB from 64 to 1,048,576.", "内存：64 到 1,048,576 MiB 的整数。";
    ErrDiskSize => "Disk: a whole number of GiB from 0 (no disk) to 4,096.", "磁盘：0（无磁盘）到 4,096 GiB 的整数。";
    ErrNoHostRoom => "No allowed, connected host has room for this domain.", "没有可用且已连接的主机能容纳该虚拟机/容器。";
    // Fleet: placement, reconfigure, clone
    ErrPlacementPolicy => "Placement must be spread or pack.", "放置策略必须是 spread（分散）或 pack（集中）。";
    Placement => "Placement policy", "放置策略";
    PlacementDefault => "Server default", "服务器默认";
    PlacementSpread => "Spread (emptiest host)", "分散（最空闲的主机）";
    PlacementPack => "Pack (fullest host with room)", "集中（仍有余量的最满主机）";
    PlacementReason => "{}: {} MiB of {} MiB memory free, {} of {} vCPUs allocated (overcommit {}:1), policy {}", "{}：空闲内存 {} MiB（共 {} MiB），已分配 {} / {} 个 vCPU（超配 {}:1），策略：{}";
    PlacementByHand => "chosen by hand — {}", "手动选择 — {}";
    PolicyWordSpread => "spread", "分散";
    PolicyWordPack => "pack", "集中";
    ErrShutdownTimeout => "The guest did not shut down in time: it may ignore the ACPI request. Force it off?", "客户机未在时限内关机：它可能忽略了 ACPI 请求。是否强制关机？";
    ErrMustBeOff => "Shut the domain off first.", "请先关闭该虚拟机/容器。";
    ErrCloneDiskNotInPool => "A disk of this domain is not in a storage pool, so it cannot be copied.", "该虚拟机的某个磁盘不在存储池中，无法复制。";
    Working => "Working…", "处理中…";
    ErrGuestStart => "The hypervisor could not start the guest; the host's log says why.", "虚拟化程序无法启动该客户机；原因见主机日志。";
    Resources => "vCPUs and memory", "vCPU 与内存";
    ResourcesHint => "Changed while the domain is off; growth counts against the workspace quota.", "仅可在关机时修改；增加部分计入工作区配额。";
    LimitsEdit => "Sandbox limits", "沙箱限制";
    LimitsEditHint => "Applied to the running domain and its definition. An empty CPU quota or memory hard limit removes that limit; empty weights stay as they are.", "同时应用于运行中的实例和其定义。CPU 配额或内存硬限制留空即取消该限制；权重留空则保持不变。";
    Apply => "Apply", "应用";
    Applied => "Applied.", "已应用。";
    CloneTitle => "Clone", "克隆";
    CloneHint => "A shut-off domain is copied on its host: its volumes, a new name, UUID and MAC addresses, in the same workspace.", "在同一主机上复制已关机的虚拟机/容器：复制其卷，使用新的名称、UUID 和 MAC 地址，归属同一工作区。";
    CloneName => "Name of the clone", "克隆名称";
    ErrHostNotAllowed => "This workspace may not use that host.", "该工作空间不能使用此主机。";
    ErrNetworkNotAllowed => "This workspace may not use that network.", "该工作空间不能使用此网络。";
    ErrPoolNotAllowed => "This workspace may not use that storage pool.", "该工作空间不能使用此存储池。";
    ErrConfirmName => "Type the domain's name exactly to confirm.", "请准确输入名称以确认。";
    ErrLimit => "Limits are whole numbers: shares 2–262144, quota 1000–17592186044415 µs or -1, period 1000–1000000 µs, memory ≥ 64 MiB, I/O weight 100–1000.", "限制须为整数：份额 2–262144，配额 1000–17592186044415 µs 或 -1，周期 1000–1000000 µs，内存 ≥ 64 MiB，I/O 权重 100–1000。";
    ErrRootfs => "Choose one of the root filesystems defined by an administrator.", "请选择管理员定义的根文件系统。";
    ErrInit => "Enter the init command (an absolute path).", "请输入初始化命令（绝对路径）。";
    ErrUnknownUser => "No such user.", "没有该用户。";
    ErrSelfDisable => "You cannot disable your own account.", "不能停用自己的账户。";
    // Fleet
    NavCreate => "Create", "创建";
    NavTemplates => "Templates", "模板";
    CreateTitle => "Create a VM or container", "创建虚拟机或容器";
    HostAuto => "Automatic placement", "自动选择主机";
    Template => "Template", "模板";
    Custom => "Custom", "自定义";
    RootFs => "Root filesystem (containers)", "根文件系统（容器）";
    Pool => "Storage pool", "存储池";
    Network => "Network", "网络";
    BootFrom => "Boot from", "启动方式";
    BootDisk => "Disk / nothing", "磁盘/无";
    BootKernel => "Kernel + initrd", "内核 + initrd";
    IsoPath => "ISO volume path", "ISO 卷路径";
    KernelPath => "Kernel path", "内核路径";
    InitrdPath => "Initrd path", "initrd 路径";
    Cmdline => "Kernel command line", "内核命令行";
    InitArgs => "Init arguments (containers)", "初始化参数（容器）";
    Limits => "Sandbox limits (optional)", "资源限制（可选）";
    CpuShares => "CPU shares", "CPU 份额";
    CpuQuota => "CPU quota (µs per period)", "CPU 配额（每周期 µs）";
    CpuPeriod => "CPU period (µs)", "CPU 周期（µs）";
    MemoryHardLimit => "Memory hard limit (MiB)", "内存硬限制（MiB）";
    BlkioWeight => "Block I/O weight (100–1000)", "块 I/O 权重（100–1000）";
    StartAfterCreate => "Start it after creating", "创建后启动";
    Creating => "Creating…", "正在创建…";
    CreatedOn => "Created:", "已创建：";
    PowerStart => "Start", "启动";
    PowerShutdown => "Shut down", "关机";
    PowerReboot => "Reboot", "重启";
    PowerForceOff => "Force off", "强制关机";
    PowerSuspend => "Suspend", "暂停";
    PowerResume => "Resume", "恢复";
    AutostartOn => "Autostart on", "开启自动启动";
    AutostartOff => "Autostart off", "关闭自动启动";
    DeleteDomain => "Delete this domain", "删除此虚拟机/容器";
    DeleteConfirmHint => "Type the name to confirm", "输入名称以确认";
    DeleteStorage => "Also delete its disk volumes", "同时删除其磁盘卷";
    Actions => "Actions", "操作";
    NoLimits => "no limits set", "未设置限制";
    Snapshots => "Snapshots", "快照";
    TakeSnapshot => "Take snapshot", "创建快照";
    SnapshotName => "Snapshot name", "快照名称";
    Revert => "Revert", "回滚";
    TemplatesTitle => "Templates and root filesystems", "模板与根文件系统";
    SaveTemplate => "Save template", "保存模板";
    SaveRootFs => "Save root filesystem", "保存根文件系统";
    FieldDescription => "Description", "描述";
    FieldPath => "Path on the hosts", "主机上的路径";
    // Errors
    ErrFixFields => "Please correct the marked fields.", "请修正标出的字段。";
    ErrNotFound => "Not found.", "未找到。";
    ErrInternal => "Something went wrong on the server; the details are in its log.", "服务器出错，详情见服务器日志。";
    ErrTransport => "The server could not be reached. Check the connection and try again.", "无法连接服务器，请检查网络后重试。";
    ErrUriEmpty => "Enter the host's libvirt URI.", "请输入主机的 libvirt URI。";
    ErrUriChars => "The URI must be at most 512 characters, without spaces.", "URI 最长 512 个字符，且不能包含空格。";
    ErrUriScheme => "Use one of the schemes qemu, qemu+tcp, qemu+ssh, qemu+tls, lxc, lxc+tcp or test, as in qemu+tcp://10.20.0.5/system.", "请使用 qemu、qemu+tcp、qemu+ssh、qemu+tls、lxc、lxc+tcp 或 test 协议，例如 qemu+tcp://10.20.0.5/system。";
    ErrUriHost => "A remote URI needs a host name, as in qemu+ssh://root@kvm-01/system.", "远程 URI 需要主机名，例如 qemu+ssh://root@kvm-01/system。";
    ErrUriLocalHost => "A local URI has no host name: use qemu:///system, or qemu+ssh:// for a remote host.", "本地 URI 不含主机名：请使用 qemu:///system，远程主机请用 qemu+ssh://。";
    ErrUriPath => "The URI must end in /system or /session (test:/// needs a file path or default).", "URI 须以 /system 或 /session 结尾（test:/// 需要文件路径或 default）。";
    ErrDisplayName => "The display name must have 1 to 64 characters.", "显示名称须为 1 到 64 个字符。";
    ErrTag => "A tag has at most 48 characters.", "标签最多 48 个字符。";
    ErrNameTaken => "Another host already has this name.", "已有主机使用此名称。";
    ErrUriTaken => "This URI is already registered.", "此 URI 已注册。";
    ErrDomainNotFound => "The domain no longer exists on its host.", "该虚拟机/容器已不在其主机上。";
    ErrOperationInvalid => "Not possible in the domain's current state.", "在当前状态下无法执行此操作。";
    ErrNotSupported => "The host's hypervisor does not support this.", "该主机的虚拟化层不支持此操作。";
    HostErrRefused => "The host refused the connection: is libvirtd listening on that address and port?", "主机拒绝连接：libvirtd 是否在该地址和端口监听？";
    HostErrNoRoute => "No network route to the host.", "没有到该主机的网络路由。";
    HostErrDns => "The host name could not be resolved.", "无法解析主机名。";
    HostErrTimeout => "The host did not answer in time.", "主机未及时响应。";
    HostErrNoDaemon => "No libvirt daemon answers at that address (socket or file missing).", "该地址没有 libvirt 守护进程响应（套接字或文件不存在）。";
    HostErrNoDriver => "The host has no driver for this URI's hypervisor.", "主机没有此 URI 对应的虚拟化驱动。";
    HostErrAuth => "The host refused our credentials.", "主机拒绝了认证信息。";
    HostErrPermission => "Permission denied by the host.", "主机拒绝访问（权限不足）。";
    HostErrLost => "The connection to the host was lost; reconnecting.", "与主机的连接已断开，正在重连。";
    HostErrConfig => "The host sent a description Millwright could not read.", "主机返回的描述无法解析。";
    HostErrUnreachable => "The host is not connected.", "主机未连接。";
    HostErrOther => "The host reported an error; the details are in the server log.", "主机报告错误，详情见服务器日志。";
    // Storage and networks
    NavStorage => "Storage", "存储";
    NavNetworks => "Networks", "网络";
    StorageTitle => "Storage pools and volumes", "存储池与卷";
    NetworksTitle => "Virtual networks", "虚拟网络";
    CreatePool => "Create a directory pool", "创建目录存储池";
    PoolPath => "Directory on the host", "主机上的目录";
    Volumes => "Volumes", "卷";
    ShowVolumes => "Volumes", "查看卷";
    CreateVolume => "Create a volume", "创建卷";
    VolumeName => "Volume name", "卷名称";
    SizeGib => "Size (GiB)", "大小（GiB）";
    NewSizeGib => "New size (GiB, grow only)", "新大小（GiB，只能增大）";
    Resize => "Resize", "调整大小";
    UploadIso => "Upload an ISO or disk image", "上传 ISO 或磁盘镜像";
    UploadHint => "The file is streamed into a new raw volume; nothing is loaded from the internet.", "文件以流方式写入新的 raw 卷，不从互联网加载任何内容。";
    UploadFile => "File", "文件";
    UploadButton => "Upload", "上传";
    Uploading => "Uploading… keep this page open.", "正在上传…请勿关闭此页面。";
    Uploaded => "Uploaded:", "已上传：";
    Start => "Start", "启动";
    Stop => "Stop", "停止";
    StateActive => "active", "运行中";
    StateInactive => "inactive", "未启动";
    ColType => "Type", "类型";
    ColCapacity => "Capacity", "容量";
    ColAllocation => "Allocation", "已分配";
    ColAvailable => "Available", "可用";
    ColPath => "Path", "路径";
    ColFormat => "Format", "格式";
    ColUsedBy => "In use by", "使用者";
    ColMode => "Mode", "模式";
    ColBridge => "Bridge", "网桥";
    ColIpRange => "IPv4 network", "IPv4 网络";
    ColDhcp => "DHCP range", "DHCP 范围";
    ColIp => "IP address", "IP 地址";
    ColHostname => "Host name", "主机名";
    ColExpires => "Expires (UTC)", "到期（UTC）";
    NoPools => "No storage pool to show.", "没有可显示的存储池。";
    NoVolumes => "No volumes in this pool.", "此存储池中没有卷。";
    NoNetworks => "No network to show.", "没有可显示的网络。";
    NoLeases => "No DHCP leases.", "没有 DHCP 租约。";
    CreateNetwork => "Create a network", "创建网络";
    NetworkMode => "Mode", "模式";
    ModeNat => "NAT", "NAT";
    ModeIsolated => "Isolated", "隔离";
    ModeBridge => "Bridged (existing bridge)", "桥接（已有网桥）";
    FieldCidr => "IPv4 gateway/prefix (NAT, isolated)", "IPv4 网关/前缀（NAT、隔离）";
    DhcpStart => "DHCP range start", "DHCP 起始地址";
    DhcpEnd => "DHCP range end", "DHCP 结束地址";
    BridgeName => "Host bridge (bridged)", "主机网桥（桥接）";
    VlanTag => "VLAN tag (Open vSwitch bridge)", "VLAN 标签（Open vSwitch 网桥）";
    Leases => "DHCP leases", "DHCP 租约";
    DenyPoolNotAllowed => "None of your workspaces may use this storage pool.", "您的工作空间都不能使用此存储池。";
    ErrResourceName => "A name has 1 to 63 characters: letters, digits, dot, dash or underscore, starting with a letter or digit.", "名称为 1 到 63 个字符：字母、数字、点、横线或下划线，以字母或数字开头。";
    ErrPoolPath => "An absolute directory path (at most 255 of a-z, A-Z, 0-9, . _ - /), without '..'.", "绝对目录路径（最多 255 个 a-z、A-Z、0-9、. _ - / 字符），不含“..”。";
    ErrPoolPathSystem => "A pool cannot be in a system directory (/etc, /usr, /boot, /dev, /proc, /sys, /run, /root, /bin, /sbin, /lib).", "存储池不能位于系统目录（/etc、/usr、/boot、/dev、/proc、/sys、/run、/root、/bin、/sbin、/lib）。";
    ErrVolumeSize => "Size: a whole number of GiB from 1 to 4,096.", "大小：1 到 4,096 GiB 的整数。";
    ErrVolumeFormat => "Choose qcow2 or raw.", "请选择 qcow2 或 raw。";
    ErrCidr => "Enter the gateway address and prefix, e.g. 10.30.0.1/24 (prefix 8–30, a host address).", "请输入网关地址和前缀，例如 10.30.0.1/24（前缀 8–30，须为主机地址）。";
    ErrDhcpRange => "The DHCP range needs a start and an end inside the network, start before end, not the gateway.", "DHCP 范围需要位于网络内的起止地址，起始不大于结束，且不能是网关。";
    ErrBridgeName => "A bridge name has 1 to 15 characters: letters, digits, dot, dash or underscore.", "网桥名称为 1 到 15 个字符：字母、数字、点、横线或下划线。";
    ErrVlan => "A VLAN tag is a whole number from 1 to 4094, or empty.", "VLAN 标签须为 1 到 4094 的整数，或留空。";
    ErrNetworkMode => "Choose NAT, isolated or bridged.", "请选择 NAT、隔离或桥接。";
    ErrPoolNotFound => "That storage pool does not exist on the host.", "该主机上没有此存储池。";
    ErrPoolExists => "A storage pool with this name exists on that host.", "该主机上已有同名存储池。";
    ErrPoolNotEmpty => "Only an empty pool can be deleted: delete its volumes first.", "只能删除空的存储池：请先删除其中的卷。";
    ErrPoolInactive => "The storage pool is not running: start it first.", "存储池未启动：请先启动。";
    ErrVolumeNotFound => "That volume does not exist in the pool.", "存储池中没有该卷。";
    ErrVolumeExists => "A volume with this name exists in the pool.", "存储池中已有同名卷。";
    ErrGrowOnly => "A volume can only grow: enter more GiB than it has now.", "卷只能增大：请输入大于当前容量的 GiB 数。";
    ErrVolumeInUse => "A domain uses this volume: detach or delete the domain first.", "有虚拟机/容器正在使用此卷：请先分离或删除该虚拟机/容器。";
    ErrUploadTooLarge => "The file is larger than the space left in the pool.", "文件大于存储池的剩余空间。";
    ErrUploadFile => "Choose a file to upload.", "请选择要上传的文件。";
    ErrNetworkNotFound => "That network does not exist on the host.", "该主机上没有此网络。";
    ErrNetworkExists => "A network with this name exists on that host.", "该主机上已有同名网络。";
    // Utilization history
    History => "Utilization history", "资源使用历史";
    NavHistory => "History", "历史";
    FleetHistory => "Fleet utilization", "全平台资源使用";
    HeatStrip => "Host CPU, last 24 hours", "主机 CPU（最近 24 小时）";
    RangeHour => "Hour", "小时";
    RangeDay => "Day", "天";
    RangeWeek => "Week", "周";
    RangeMonth => "Month", "月";
    RangeYear => "Year", "年";
    RangeCustom => "Custom", "自定义";
    RangeFrom => "From", "从";
    RangeTo => "To", "到";
    RangeShow => "Show", "显示";
    ChartCpu => "CPU", "CPU";
    ChartMemory => "Memory", "内存";
    ChartDisk => "Disk I/O", "磁盘 I/O";
    ChartNetwork => "Network I/O", "网络 I/O";
    ChartDomains => "Running domains", "运行中的虚拟机/容器";
    ChartNoData => "No samples in this range yet", "此时间范围内尚无样本";
    ChartCsv => "CSV", "CSV";
    SeriesAvg => "average", "平均";
    SeriesMax => "maximum", "最大";
    SeriesUsed => "used", "已用";
    SeriesAllocated => "allocated", "已分配";
    SeriesTotal => "total", "总量";
    SeriesRead => "read", "读";
    SeriesWrite => "write", "写";
    SeriesReceive => "receive", "接收";
    SeriesTransmit => "transmit", "发送";
    UnitPercentVcpu => "% of vCPUs", "% vCPU";
    UnitPercentHost => "% of host CPUs", "% 主机 CPU";
    UnitCores => "cores", "核";
    UnitGib => "GiB", "GiB";
    UnitKibS => "KiB/s", "KiB/s";
    UnitCount => "count", "个";
    TraceReplay => "replayed trace", "回放的历史轨迹";
    TraceNote => "replayed PlanetLab trace (real VM CPU history, not measured here)", "回放的 PlanetLab 轨迹（真实虚拟机 CPU 历史，非本平台实测）";
    TraceImportedNote => "imported trace (recorded elsewhere, not measured here)", "导入的历史轨迹（外部记录，非本平台实测）";
    IpAddresses => "Addresses (DHCP)", "地址（DHCP）";
    SeriesTraceVms => "VMs with samples", "有样本的虚拟机";
    Traces => "Imported traces", "导入的历史轨迹";
    TracesHelp => "Utilization recorded elsewhere, kept apart from what this plant measures: for what-if analysis.", "在别处记录的资源使用数据，与本平台实测数据分开保存，用于假设分析。";
    TraceNone => "No trace imported yet.", "尚未导入历史轨迹。";
    TraceVms => "VMs", "虚拟机";
    TraceSamples => "Samples", "样本";
    TraceSpan => "From – to (UTC)", "起止（UTC）";
    TraceImport => "Import a trace", "导入历史轨迹";
    TraceName => "Data set name", "数据集名称";
    TraceFiles => "Files", "文件";
    TraceFilesHelp => "CSV with the header entity,timestamp,cpu_pct,… or PlanetLab files (one VM per file, a CPU percentage per line every 5 minutes, the last ending now). A data set of the same name is replaced.", "CSV（表头 entity,timestamp,cpu_pct,…）或 PlanetLab 文件（每个文件一台虚拟机，每行一个 CPU 百分比，间隔 5 分钟，最后一行为现在）。同名数据集将被替换。";
    TraceImportButton => "Import", "导入";
    TraceImported => "Trace imported", "历史轨迹已导入";
    TraceDelete => "Delete trace", "删除历史轨迹";
    ErrTraceFormat => "A file is not a trace in either format.", "有文件不是上述任一格式的历史轨迹。";
    ErrTraceFiles => "Choose one or more trace files.", "请选择一个或多个历史轨迹文件。";
    ErrTraceTooLarge => "The files are larger than 256 MiB in all.", "文件总大小超过 256 MiB。";
}

/// `template` with each `{}` replaced by the next of `args`, in order (a
/// translation keeps the placeholders, not their order in the sentence).
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16 * args.len());
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        out.push_str(args.next().copied().unwrap_or("{}"));
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// A UI language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    ZhCn,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// The BCP 47 tag, used in `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::ZhCn => "简体中文",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code))
    }

    pub fn t(self, key: Key) -> &'static str {
        match self {
            Locale::En => key.en(),
            Locale::ZhCn => key.zh(),
        }
    }
}

/// Translator handed to components; `Copy` so closures can take it freely.
#[derive(Clone, Copy, Debug)]
pub struct I18n(pub Locale);

impl I18n {
    pub fn t(self, key: Key) -> &'static str {
        self.0.t(key)
    }

    pub fn locale(self) -> Locale {
        self.0
    }
}

/// The translator of the current page.
pub fn use_i18n() -> I18n {
    I18n(
        use_context::<crate::prefs::Prefs>()
            .unwrap_or_default()
            .locale,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages() {
        for key in Key::ALL {
            assert!(!key.en().is_empty(), "{key:?} en");
            assert!(!key.zh().is_empty(), "{key:?} zh");
        }
    }

    #[test]
    fn translations_keep_every_placeholder() {
        for key in Key::ALL {
            assert_eq!(
                key.en().matches("{}").count(),
                key.zh().matches("{}").count(),
                "{key:?}"
            );
        }
        assert_eq!(fill("{} of {}", &["1", "2"]), "1 of 2");
        assert_eq!(
            fill("{} of {}", &["1"]),
            "1 of {}",
            "a missing argument stays visible"
        );
    }

    #[test]
    fn locale_codes_round_trip() {
        for l in Locale::ALL {
            assert_eq!(Locale::parse(l.code()), Some(l));
        }
        assert_eq!(Locale::parse("zh-cn"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("fr"), None);
    }
}
