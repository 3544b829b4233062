//! One file per page.

pub mod account;
pub mod audit;
pub mod consolidation;
pub mod cost_model;
pub mod create;
pub mod dashboard;
pub mod domain;
pub mod history;
pub mod hosts;
pub mod inventory;
pub mod jobs;
pub mod login;
pub mod networks;
pub mod not_found;
pub mod savings;
pub mod storage;
pub mod templates;
pub mod users;
pub mod workspaces;
