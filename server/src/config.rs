//! Command-line flags, each with an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Millwright: the plant's virtualization dashboard.
#[derive(Debug, Clone, Parser)]
#[command(name = "millwright", version, about)]
pub struct Config {
    /// Address to serve HTTP on.
    #[arg(long, env = "MILLWRIGHT_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Directory for the SQLite database and other state.
    #[arg(long, env = "MILLWRIGHT_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Load the demo plant (libvirt test-driver hosts). Default: on while no
    /// host has been registered.
    #[arg(long, overrides_with = "no_demo")]
    pub demo: bool,

    /// Never load the demo plant.
    #[arg(long, overrides_with = "demo")]
    pub no_demo: bool,

    /// `true`/`false` equivalent of --demo / --no-demo.
    #[arg(long = "demo-env", hide = true, env = "MILLWRIGHT_DEMO")]
    pub demo_env: Option<bool>,

    /// Directory holding the demo plant (`plant.json` and host XML files).
    #[arg(long, env = "MILLWRIGHT_DEMO_DIR", default_value = "./demo")]
    pub demo_dir: PathBuf,

    /// Register these hosts at start if not yet known (`NAME=URI`, repeatable).
    #[arg(long = "host", env = "MILLWRIGHT_HOSTS", value_delimiter = ',')]
    pub hosts: Vec<String>,

    /// Reverse proxies whose `X-Forwarded-For` names the client (repeatable;
    /// IP addresses). From any other peer the header is ignored, so a client
    /// cannot choose the address its sign-in throttle and audit record see.
    #[arg(
        long = "trusted-proxy",
        env = "MILLWRIGHT_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Mark the session cookie `Secure` (serve behind TLS).
    #[arg(long, env = "MILLWRIGHT_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Sign out after this many minutes without a request (one shift).
    #[arg(long, env = "MILLWRIGHT_SESSION_IDLE_MINUTES", default_value_t = 480)]
    pub session_idle_minutes: i64,

    /// Sign out this many hours after sign-in, however active.
    #[arg(long, env = "MILLWRIGHT_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: i64,

    /// Password of the first administrator `admin`, used only when no user
    /// exists yet; without it a random one is printed once.
    #[arg(long, env = "MILLWRIGHT_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Keep audit records this many days; older ones are pruned daily behind
    /// a checkpoint that keeps the chain verifiable. 0 keeps everything. The
    /// default, 400 days, covers a yearly review with a month to spare.
    #[arg(long, env = "MILLWRIGHT_AUDIT_RETENTION_DAYS", default_value_t = 400)]
    pub audit_retention_days: u32,

    /// Deadline for a libvirt call on a host's shared connection, in seconds.
    #[arg(long, env = "MILLWRIGHT_LIBVIRT_DEADLINE", default_value_t = 10)]
    pub libvirt_deadline_secs: u64,

    /// Deadline for a long libvirt job (create, power, clone, snapshot,
    /// delete) on its own connection, in seconds: a bound for a host that
    /// hangs without dropping the connection.
    #[arg(long, env = "MILLWRIGHT_LIBVIRT_LONG_DEADLINE", default_value_t = 7200)]
    pub libvirt_long_deadline_secs: u64,

    /// vCPUs placement may allocate per host CPU (memory is never
    /// overcommitted).
    #[arg(long, env = "MILLWRIGHT_VCPU_OVERCOMMIT", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub vcpu_overcommit: u32,

    /// Placement policy for `auto` when the create form names none.
    #[arg(long, env = "MILLWRIGHT_PLACEMENT", default_value = "spread",
          value_parser = ["spread", "pack"])]
    pub placement: String,

    /// Seconds a graceful shutdown may take before force off is offered.
    #[arg(long, env = "MILLWRIGHT_SHUTDOWN_TIMEOUT", default_value_t = 60)]
    pub shutdown_timeout_secs: u64,

    /// Bandwidth of a live migration in MiB/s unless the move names one
    /// (0: no limit).
    #[arg(long, env = "MILLWRIGHT_MIGRATION_BANDWIDTH", default_value_t = 0)]
    pub migration_bandwidth_mib: u64,

    /// Longest pause at the end of a live migration in ms unless the move
    /// names one.
    #[arg(long, env = "MILLWRIGHT_MIGRATION_MAX_DOWNTIME", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub migration_max_downtime_ms: u64,

    /// Moves a host entering maintenance runs at once.
    #[arg(long, env = "MILLWRIGHT_MIGRATIONS_PER_HOST", default_value_t = 2,
          value_parser = clap::value_parser!(u64).range(1..=32))]
    pub migrations_per_host: u64,

    /// Seconds a host must be unreachable before it counts as lost (its
    /// highly available VMs restart elsewhere once it is fenced).
    #[arg(long, env = "MILLWRIGHT_FAILOVER_GRACE", default_value_t = 60)]
    pub failover_grace_secs: u64,

    /// A host's fencing program (`NAME=PROGRAM ARG...`, repeatable): run
    /// when the host is lost; exit 0 means it is powered off. The host's
    /// name is also in `MILLWRIGHT_FENCE_HOST`.
    #[arg(long = "fence", env = "MILLWRIGHT_FENCE", value_delimiter = ',')]
    pub fence: Vec<String>,

    /// A host's power-off program (`NAME=PROGRAM ARG...`, repeatable): run
    /// when an applied consolidation plan has emptied the host (exit 0:
    /// powered off); without one the host is marked for powering off by
    /// hand. The host's name is also in `MILLWRIGHT_POWER_HOST`.
    #[arg(
        long = "power-off",
        env = "MILLWRIGHT_POWER_OFF",
        value_delimiter = ','
    )]
    pub power_off: Vec<String>,

    /// A host's power-on program (`NAME=PROGRAM ARG...`, repeatable; IPMI,
    /// wake-on-LAN): run when an administrator powers the host on.
    #[arg(long = "power-on", env = "MILLWRIGHT_POWER_ON", value_delimiter = ',')]
    pub power_on: Vec<String>,
    /// Seconds between utilization history rounds (one bulk statistics
    /// call per host each). 0 turns the collector off.
    #[arg(long, env = "MILLWRIGHT_COLLECT_INTERVAL", default_value_t = 10)]
    pub collect_interval_secs: u64,

    /// Keep raw history samples this many hours.
    #[arg(long, env = "MILLWRIGHT_HISTORY_RAW_HOURS", default_value_t = 24)]
    pub history_raw_hours: i64,

    /// Keep 1-minute history rollups this many days.
    #[arg(long, env = "MILLWRIGHT_HISTORY_MINUTE_DAYS", default_value_t = 14)]
    pub history_minute_days: i64,

    /// Keep 1-hour history rollups this many days.
    #[arg(long, env = "MILLWRIGHT_HISTORY_HOUR_DAYS", default_value_t = 365)]
    pub history_hour_days: i64,

    /// Import a utilization trace at start into data set `trace:NAME`
    /// (`NAME=PATH`, repeatable): a PlanetLab directory (one file per VM,
    /// CPU % every 5 minutes, the day ending now) or a CSV file
    /// (`entity,timestamp,<metric>...`). Re-importing a name replaces it.
    #[arg(
        long = "import-trace",
        env = "MILLWRIGHT_IMPORT_TRACES",
        value_delimiter = ','
    )]
    pub import_traces: Vec<String>,

    /// Keep 1-day history rollups this many years.
    #[arg(long, env = "MILLWRIGHT_HISTORY_DAY_YEARS", default_value_t = 10)]
    pub history_day_years: i64,
}

/// Whether the demo plant loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoMode {
    On,
    Off,
    /// On only while no host is registered.
    Auto,
}

impl Config {
    pub fn demo_mode(&self) -> DemoMode {
        if self.demo {
            DemoMode::On
        } else if self.no_demo {
            DemoMode::Off
        } else {
            match self.demo_env {
                Some(true) => DemoMode::On,
                Some(false) => DemoMode::Off,
                None => DemoMode::Auto,
            }
        }
    }

    pub fn fleet(&self) -> app::state::FleetSettings {
        app::state::FleetSettings {
            overcommit: self.vcpu_overcommit,
            policy: app::placement::Policy::parse(&self.placement).unwrap_or_default(),
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout_secs.max(1)),
            migration_bandwidth_mib: self.migration_bandwidth_mib,
            migration_max_downtime_ms: self.migration_max_downtime_ms,
            migrations_per_host: self.migrations_per_host as usize,
        }
    }

    /// The failover watcher's grace period and fencing programs, and the
    /// programs that power hosts down and up.
    pub fn failover(&self) -> app::service::failover::Failover {
        app::service::failover::Failover::new(
            Duration::from_secs(self.failover_grace_secs.max(1)),
            programs(&self.fence),
        )
        .with_power(programs(&self.power_off), programs(&self.power_on))
    }

    /// Collection interval and retentions of the utilization history.
    pub fn history(&self) -> app::history::Settings {
        let day = 86_400;
        app::history::Settings {
            interval_secs: self.collect_interval_secs.max(1) as i64,
            retention: app::history::range::Retention {
                raw: self.history_raw_hours.max(1) * 3_600,
                minute: self.history_minute_days.max(1) * day,
                hour: self.history_hour_days.max(1) * day,
                day: self.history_day_years.max(1) * 365 * day,
            },
        }
    }

    pub fn libvirt_deadline(&self) -> Duration {
        Duration::from_secs(self.libvirt_deadline_secs.max(1))
    }

    pub fn libvirt_long_deadline(&self) -> Duration {
        Duration::from_secs(self.libvirt_long_deadline_secs.max(1))
    }
}

/// `NAME=PROGRAM ARG...` entries by host name.
fn programs(entries: &[String]) -> std::collections::HashMap<String, Vec<String>> {
    entries
        .iter()
        .filter_map(|entry| {
            let (name, program) = entry.split_once('=')?;
            let argv: Vec<String> = program.split_whitespace().map(str::to_string).collect();
            (!argv.is_empty()).then(|| (name.trim().to_string(), argv))
        })
        .collect()
}
