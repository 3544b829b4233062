//! Jobs that run in steps (a plan's migrations) pause between two steps
//! when asked and go on when resumed: a flag per running job, which the
//! job watches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

/// The pause flags of the stepped jobs that run in this process.
#[derive(Clone, Default)]
pub struct Pauses {
    flags: Arc<Mutex<HashMap<i64, watch::Sender<bool>>>>,
}

impl Pauses {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, watch::Sender<bool>>> {
        self.flags.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Job `id` takes pauses from now: what it watches (true: paused).
    pub fn register(&self, id: i64) -> watch::Receiver<bool> {
        let (tx, rx) = watch::channel(false);
        self.lock().insert(id, tx);
        rx
    }

    /// Asks job `id` to pause (or go on); false when no such job runs here.
    pub fn set(&self, id: i64, paused: bool) -> bool {
        match self.lock().get(&id) {
            Some(tx) => {
                tx.send_replace(paused);
                true
            }
            None => false,
        }
    }

    /// Job `id` ended.
    pub fn forget(&self, id: i64) {
        self.lock().remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_paused_job_sees_the_flag_and_its_resume() {
        let pauses = Pauses::default();
        assert!(!pauses.set(7, true), "no such job");
        let mut rx = pauses.register(7);
        assert!(!*rx.borrow());
        assert!(pauses.set(7, true));
        rx.changed().await.expect("still registered");
        assert!(*rx.borrow_and_update());
        assert!(pauses.set(7, false));
        rx.changed().await.expect("still registered");
        assert!(!*rx.borrow_and_update());
        pauses.forget(7);
        assert!(!pauses.set(7, true));
        assert!(rx.changed().await.is_err(), "the sender is gone");
    }
}
