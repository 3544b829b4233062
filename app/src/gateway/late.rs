//! Outcomes that arrive after their call's deadline. A call that passes
//! its deadline keeps running on its thread; the request is answered
//! "outcome unknown" (and audited so), and the call's real result, when the
//! host gives it, is handed to whoever scoped the request with [`scope`]
//! (the guard records it).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use crate::i18n::Key;

/// The real result of a call that passed its deadline.
pub type LateOutcome = Pin<Box<dyn Future<Output = Result<(), Key>> + Send>>;

#[derive(Clone, Default)]
struct Late(Arc<Mutex<Vec<LateOutcome>>>);

tokio::task_local! {
    static LATE: Late;
}

/// Runs `request` so that calls within it that pass their deadline leave
/// their late outcome for [`take`].
pub fn scope<F: Future>(request: F) -> impl Future<Output = F::Output> {
    LATE.scope(Late::default(), request)
}

/// Leaves `outcome` for the request (nothing outside a [`scope`]).
pub(crate) fn defer(outcome: impl Future<Output = Result<(), Key>> + Send + 'static) {
    let _ = LATE.try_with(|late| {
        late.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Box::pin(outcome));
    });
}

/// The late outcome of the call whose deadline ended the operation: the
/// last one this request left (an earlier one was a call whose error the
/// request handled, not the operation's own). Every one is taken.
pub fn take_last() -> Option<LateOutcome> {
    LATE.try_with(|late| {
        std::mem::take(&mut *late.0.lock().unwrap_or_else(|p| p.into_inner())).pop()
    })
    .ok()
    .flatten()
}
