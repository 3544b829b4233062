//! The signed-in user, available to every component for hiding controls the
//! server would refuse anyway.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::auth::whoami;
use crate::policy::{decide, Action, Actor, Object};

/// The current actor; refetched on navigation, so sign-in and sign-out show.
#[derive(Clone, Copy)]
pub struct CurrentActor(pub Resource<Option<Actor>>);

pub fn provide_current_actor() {
    let location = use_location();
    let actor = Resource::new(
        move || location.pathname.get(),
        |_| async move { whoami().await.ok().flatten() },
    );
    provide_context(CurrentActor(actor));
}

/// The actor as known right now (`None` while loading or signed out).
pub fn use_actor() -> Signal<Option<Actor>> {
    let current = use_context::<CurrentActor>();
    Signal::derive(move || current.and_then(|c| c.0.get()).flatten())
}

/// Whether the current actor may do `action` to `resource` (UI hint only).
pub fn may(actor: &Option<Actor>, action: Action, resource: &Object) -> bool {
    actor
        .as_ref()
        .is_some_and(|a| decide(a, action, resource).allowed())
}
