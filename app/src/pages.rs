//! One file per page.

pub mod dashboard;
pub mod domain;
pub mod hosts;
pub mod inventory;
pub mod not_found;
