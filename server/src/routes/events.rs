//! `GET /events`: the live push (server-sent events).

use std::convert::Infallible;
use std::time::Duration;

use app::guard::Subject;
use app::live::Change;
use app::policy::Action;
use app::state::AppState;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

use super::Caller;

/// How often a stream checks that its session is still signed in.
pub const SESSION_CHECK: Duration = Duration::from_secs(5);

/// `GET /events`: one event per inventory change the caller may see, naming
/// the host and domain that changed (see `app::live`). Signed-in callers
/// only (a refusal is audited); a member is never told of another
/// workspace's domain. Streams end when `shutdown` turns true, so graceful
/// shutdown can finish, and within [`SESSION_CHECK`] of the caller's
/// session ending (signed out, expired, ended by a password change).
pub async fn events(state: AppState, mut shutdown: watch::Receiver<bool>, c: Caller) -> Response {
    let op = match c
        .authorize(&state, Action::DomainList, Subject::list("events"))
        .await
    {
        Ok(op) => op,
        Err(err) => return err.into_response(),
    };
    let slugs = op.actor.visible_slugs();
    let first = Event::default()
        .event("hello")
        .data(state.gateway.version().to_string());
    let changes = BroadcastStream::new(state.gateway.subscribe()).filter_map(move |msg| {
        // A lagged receiver cannot say what it missed: anything may have changed.
        let change = msg.unwrap_or_else(|_| Change::unknown());
        let seen = change.for_viewer(slugs.as_deref())?;
        Some(Ok::<_, Infallible>(
            Event::default().event("message").data(seen.encode()),
        ))
    });
    let (pool, limits, session) = (state.pool.clone(), state.session_limits, c.session);
    let signed_out = async move {
        let Some(session) = session else {
            return futures::future::pending().await;
        };
        let mut tick = tokio::time::interval(SESSION_CHECK);
        tick.tick().await;
        loop {
            tick.tick().await;
            if !app::auth::still_signed_in(&pool, &session, limits).await {
                return;
            }
        }
    };
    let stop = async move {
        tokio::select! {
            // An error means the sender is gone: the server is stopping too.
            _ = shutdown.wait_for(|stop| *stop) => {}
            () = signed_out => {}
        }
    };
    Sse::new(futures::StreamExt::take_until(
        tokio_stream::once(Ok(first)).chain(changes),
        stop,
    ))
    .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
    .into_response()
}
