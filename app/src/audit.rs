//! The tamper-evident audit log: who did what to which thing, with what
//! outcome. Records are hash-chained (see [`chain`]), appended only, and
//! removed only by a retention prune that leaves a checkpoint behind.
//!
//! The record types compile for the browser too; hashing and storage are
//! server-only.

pub mod record;

#[cfg(feature = "ssr")]
pub mod chain;
#[cfg(feature = "ssr")]
mod export;
#[cfg(feature = "ssr")]
mod log;
#[cfg(feature = "ssr")]
mod verify;
#[cfg(feature = "ssr")]
mod writer;

#[cfg(all(test, feature = "ssr"))]
mod tests;

#[cfg(feature = "ssr")]
pub use log::AuditLog;
pub use record::{AuditEntry, AuditFilter, AuditRecord, Outcome, Target, VerifyReport};
