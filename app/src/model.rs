//! Data shared by the server and the browser, one module per feature: what
//! pages show and forms send.

pub mod consolidation;
pub mod dashboard;
pub mod domain;
pub mod forms;
pub mod host;
pub mod inventory;
pub mod job;
pub mod network;
pub mod storage;
pub mod template;
pub mod trace;
pub mod user;
pub mod workspace;
