//! At most N moves at once per host, across every move of the plant (by
//! hand, a drain, a move back): each move takes a place on its source and
//! its target before anything moves, and waits queued while either is full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The places of each host, made on first use with the plant's width.
#[derive(Clone, Default)]
pub struct Lanes {
    hosts: Arc<Mutex<HashMap<i64, Arc<Semaphore>>>>,
}

/// The places a move holds until it ends.
pub type Places = Vec<OwnedSemaphorePermit>;

impl Lanes {
    fn lanes(&self, hosts: &[i64], width: usize) -> Vec<Arc<Semaphore>> {
        let mut ids = hosts.to_vec();
        // Taken in id order: two moves between the same hosts never hold
        // one place each and wait for the other's.
        ids.sort_unstable();
        ids.dedup();
        let mut all = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        ids.iter()
            .map(|id| {
                all.entry(*id)
                    .or_insert_with(|| Arc::new(Semaphore::new(width.max(1))))
                    .clone()
            })
            .collect()
    }

    /// A place on every one of `hosts` now, if each has one free.
    pub fn try_enter(&self, hosts: &[i64], width: usize) -> Option<Places> {
        self.lanes(hosts, width)
            .into_iter()
            .map(|lane| lane.try_acquire_owned().ok())
            .collect()
    }

    /// A place on every one of `hosts`, waiting for each in turn.
    pub async fn enter(&self, hosts: &[i64], width: usize) -> Places {
        let mut places = Vec::new();
        for lane in self.lanes(hosts, width) {
            if let Ok(place) = lane.acquire_owned().await {
                places.push(place);
            }
        }
        places
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_host_takes_at_most_its_width() {
        let lanes = Lanes::default();
        let a = lanes.try_enter(&[1, 2], 2).expect("free");
        let b = lanes.try_enter(&[2, 1], 2).expect("free");
        // Host 1 is full, whichever host the move goes to.
        assert!(lanes.try_enter(&[1, 3], 2).is_none());
        assert!(lanes.try_enter(&[3, 4], 2).is_some());
        drop(a);
        let c = lanes.enter(&[3, 1], 2).await;
        assert_eq!(c.len(), 2);
        drop((b, c));
    }
}
