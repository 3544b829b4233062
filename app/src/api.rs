//! Server functions, one file per feature. Each mutating one will follow
//! authenticate → policy → act → audit once identity lands.

pub mod affinity;
pub mod audit;
pub mod auth;
pub mod consolidation;
pub mod dashboard;
pub mod domains;
pub mod fleet;
pub mod hosts;
pub mod mobility;
pub mod networks;
pub mod reconfigure;
pub mod storage;
pub mod templates;
pub mod traces;
pub mod users;
pub mod volumes;
pub mod workspaces;
