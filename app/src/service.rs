//! The service layer (SSR only): what each feature does once the guard has
//! allowed it, between the server functions (and, later, the REST API) and
//! the gateway and store. A server function is `Op::begin` → one service
//! call → `op.finish`; the service takes the state and, where what it shows
//! depends on who asks, the actor. One module per feature; the fleet's
//! lives with its plan and boot media in `crate::fleet` (`service` for
//! creates, `changes` for existing domains), the history's in
//! `crate::history` (collector, panels, trace import), sign-in in
//! `crate::auth`.

pub use crate::fleet::service as fleet;
pub mod affinity;
pub mod audit;
pub mod consolidation;
pub mod failover;
pub mod hosts;
pub mod inventory;
pub mod jobs;
pub mod maintenance;
pub mod mobility;
pub mod networks;
pub mod power;
pub mod savings;
pub mod storage;
pub mod templates;
pub mod traces;
pub mod users;
pub mod volumes;
pub mod workspaces;
