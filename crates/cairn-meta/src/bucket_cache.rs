//! Bucket records and their sub-resources (policy, Block Public Access, ownership, encryption,
//! versioning, lifecycle, …) held in memory, so that a request reads each bucket's settings
//! once per change instead of once per check (a 4 KiB PUT used to read eight of them).
//!
//! SQLite only: one process owns the file and makes every change through this store, which
//! forgets a bucket after each committed change to it. Nodes sharing PostgreSQL read through.
//! A reader that loaded while a change was being made must not keep what it read: every change
//! advances an epoch, and a view loaded under an older epoch is returned but never stored.

use crate::model::Bucket;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Buckets remembered before the cache starts over (a view is a few small documents).
const MAX_BUCKETS: usize = 10_000;

/// One bucket as stored: its record (`None`: no such bucket) and sub-resources by kind.
#[derive(Debug, Default)]
pub(crate) struct BucketView {
    pub bucket: Option<Bucket>,
    pub configs: HashMap<String, String>,
}

#[derive(Default)]
pub(crate) struct BucketCache {
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    epoch: u64,
    views: HashMap<String, Arc<BucketView>>,
}

impl BucketCache {
    pub fn get(&self, name: &str) -> Option<Arc<BucketView>> {
        self.state.lock().ok()?.views.get(name).cloned()
    }

    /// The epoch to pass to [`BucketCache::put`] for a view loaded after this call.
    pub fn epoch(&self) -> Option<u64> {
        Some(self.state.lock().ok()?.epoch)
    }

    /// Keeps `view` unless a change was committed since `loaded_at`.
    pub fn put(&self, name: &str, loaded_at: Option<u64>, view: Arc<BucketView>) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if loaded_at != Some(state.epoch) {
            return;
        }
        if state.views.len() >= MAX_BUCKETS {
            state.views.clear();
        }
        state.views.insert(name.to_string(), view);
    }

    /// Called after a change to `name` (its record or any sub-resource) is committed.
    pub fn forget(&self, name: &str) {
        if let Ok(mut state) = self.state.lock() {
            state.epoch += 1;
            state.views.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_forgets_the_bucket_and_spoils_loads_in_flight() {
        let cache = BucketCache::default();
        let at = cache.epoch();
        cache.put("b", at, Arc::new(BucketView::default()));
        assert!(cache.get("b").is_some());
        cache.forget("b");
        assert!(cache.get("b").is_none());
        // Loaded before a change committed: handed out by the loader, never kept.
        let at = cache.epoch();
        cache.forget("other");
        cache.put("b", at, Arc::new(BucketView::default()));
        assert!(cache.get("b").is_none());
    }
}
