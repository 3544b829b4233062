//! User accounts as the users page shows them.

use serde::{Deserialize, Serialize};

/// A user as the users page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: String,
}
