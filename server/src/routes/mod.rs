//! Routes that are not server functions, one file each. Each goes through
//! the same guard as a server function: [`Caller`] says who asks, and
//! [`Caller::authorize`] authenticates, asks the policy and audits a refusal.

pub mod args;
pub mod audit_csv;
pub mod charts;
pub mod events;
pub mod health;
pub mod prefs;
pub mod traces;
pub mod upload;

use std::convert::Infallible;

use app::error::AppError;
use app::guard::{Op, Subject};
use app::policy::{Action, Actor};
use app::prefs::Prefs;
use app::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

/// Who calls a route: the signed-in actor (if any), the client's address
/// for the audit log, and the language and theme to answer in.
pub struct Caller {
    pub actor: Option<Actor>,
    pub source: String,
    pub prefs: Prefs,
    /// The session the actor came from (long requests re-check it).
    pub session: Option<tower_sessions::Session>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let source = app::auth::client_address(&parts.extensions);
        let prefs = parts
            .headers
            .get(header::COOKIE)
            .and_then(|h| h.to_str().ok())
            .map(Prefs::from_cookie_header)
            .unwrap_or_default();
        // No session layer, or an unreadable session: not signed in.
        let session = tower_sessions::Session::from_request_parts(parts, state)
            .await
            .ok();
        let actor = match &session {
            Some(session) => app::auth::session_actor(&state.pool, session, state.session_limits)
                .await
                .ok()
                .flatten(),
            None => None,
        };
        Ok(Caller {
            actor,
            source,
            prefs,
            session,
        })
    }
}

impl Caller {
    /// The guard: authenticates, asks the policy, audits a refusal; the
    /// error answers 401 or 403 ([`AppError`]'s response).
    pub async fn authorize(
        &self,
        state: &AppState,
        action: Action,
        subject: Subject<'_>,
    ) -> Result<Op, AppError> {
        let (actor, source) = (self.actor.clone(), self.source.clone());
        Op::authorize(state.clone(), actor, source, action, subject).await
    }
}
