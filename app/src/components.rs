//! Building blocks shared by pages.

pub mod affinity_panel;
pub mod domain_controls;
pub mod field;
pub mod history;
pub mod jobs;
pub mod live;
pub mod maintenance;
pub mod move_panel;
pub mod notes;
pub mod reconfigure;
pub mod resource_controls;
pub mod session;
pub mod shell;
pub mod snapshots;
pub mod traces;
pub mod workspace_select;
