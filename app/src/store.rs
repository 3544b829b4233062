//! SQLite access, one module per table owner. Queries sit next to the code
//! that needs them.

pub mod hosts;
pub mod templates;
pub mod users;
pub mod workspaces;
