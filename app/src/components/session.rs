//! The signed-in user, available to every component for hiding controls the
//! server would refuse anyway.
//!
//! Known synchronously on both sides, never through a resource: the server
//! takes the actor its session check already loaded for this request
//! ([`RequestActor`]) and writes it into `<body data-actor>`; the browser
//! reads it back before hydrating. So the server's render and the browser's
//! hydration branch on the same value from their first line (a resource read
//! inside a server-rendered `Suspense` could resolve differently in the two,
//! and hydration then panicked on a missing `<nav>`). Signing in or out
//! reloads the page, which is what changes the actor.

use leptos::prelude::*;

use crate::policy::{decide, Action, Actor, Object};

/// The body attribute carrying the actor (JSON) from the server's render to
/// the browser's hydration.
pub const ACTOR_ATTR: &str = "data-actor";

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

/// The actor the server wrote into the document.
#[cfg(not(feature = "ssr"))]
pub fn initial_actor() -> Option<Actor> {
    let body = web_sys::window()?.document()?.body()?;
    actor_from_attr(&body.get_attribute(ACTOR_ATTR)?)
}

/// The attribute value for `<body data-actor>` ("" when signed out).
pub fn actor_attr(actor: &Option<Actor>) -> String {
    actor
        .as_ref()
        .and_then(|a| serde_json::to_string(a).ok())
        .unwrap_or_default()
}

/// Reads [`actor_attr`]'s value back.
pub fn actor_from_attr(value: &str) -> Option<Actor> {
    serde_json::from_str(value).ok()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Membership, Role};

    #[test]
    fn the_actor_survives_the_attribute() {
        let actor = Some(Actor {
            user_id: 7,
            username: "op".into(),
            is_admin: false,
            memberships: vec![Membership {
                workspace_id: 2,
                slug: "ops".into(),
                name: "Ops </body> & \"team\"".into(),
                role: Role::Operator,
            }],
        });
        assert_eq!(actor_from_attr(&actor_attr(&actor)), actor);
        assert_eq!(actor_from_attr(&actor_attr(&None)), None);
    }
}
