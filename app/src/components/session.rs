//! The signed-in user, available to every component for hiding controls the
//! server would refuse anyway.
//!
//! Known synchronously, never through a resource: the server takes the
//! actor its session check already loaded for this request
//! ([`RequestActor`]). Pages are rendered on the server only, so there is no
//! second render to agree with. Signing in or out reloads the page, which is
//! what changes the actor.

use leptos::prelude::*;

use crate::policy::{decide, Action, Actor, Object};

/// The current actor of this page.
#[derive(Clone, Copy)]
pub struct CurrentActor(pub Signal<Option<Actor>>);

/// The actor the session check loaded for this request, kept in the
/// request's extensions for the render.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default)]
pub struct RequestActor(pub Option<Actor>);

/// Makes the actor of this page available to every component below.
pub fn provide_current_actor() {
    provide_context(CurrentActor(Signal::stored(initial_actor())));
}

/// The actor of the request being rendered (`None` without a session).
#[cfg(feature = "ssr")]
pub fn initial_actor() -> Option<Actor> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestActor>().cloned())
        .and_then(|r| r.0)
}

/// Without `ssr` (unit tests) there is no request, and no actor.
#[cfg(not(feature = "ssr"))]
pub fn initial_actor() -> Option<Actor> {
    None
}

/// The actor of this page (`None` when signed out).
pub fn use_actor() -> Signal<Option<Actor>> {
    use_context::<CurrentActor>()
        .map(|c| c.0)
        .unwrap_or_else(|| Signal::stored(None))
}

/// Whether the current actor may do `action` to `resource` (UI hint only).
pub fn may(actor: &Option<Actor>, action: Action, resource: &Object) -> bool {
    actor
        .as_ref()
        .is_some_and(|a| decide(a, action, resource).allowed())
}
