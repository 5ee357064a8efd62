//! Caches of IAM state (resolved access keys, a user's loaded policies) that stay correct because
//! every IAM change bumps a generation number and entries from an older generation are ignored.
//!
//! Only valid while one process makes every IAM change (the embedded SQLite default). With a
//! shared PostgreSQL database another node may change IAM, so the caches are disabled there until
//! cross-node invalidation exists.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Entries kept before a cache starts over.
const MAX_ENTRIES: usize = 100_000;

pub struct Generation {
    enabled: bool,
    current: AtomicU64,
}

impl Generation {
    pub fn new(enabled: bool) -> Self {
        Generation {
            enabled,
            current: AtomicU64::new(1),
        }
    }

    /// Called after every change to IAM state (users, keys, groups, policies, attachments).
    pub fn bump(&self) {
        self.current.fetch_add(1, Ordering::SeqCst);
    }

    fn now(&self) -> Option<u64> {
        self.enabled.then(|| self.current.load(Ordering::SeqCst))
    }
}

/// A map whose entries are valid only for the generation they were stored under.
pub struct GenCache<K, V> {
    entries: Mutex<HashMap<K, (u64, V)>>,
}

impl<K: Eq + Hash, V: Clone> Default for GenCache<K, V> {
    fn default() -> Self {
        GenCache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> GenCache<K, V> {
    pub fn get(&self, generation: &Generation, key: &K) -> Option<V> {
        let now = generation.now()?;
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(g, _)| *g == now)
            .map(|(_, v)| v.clone())
    }

    /// Stores `value` under the generation read *before* it was loaded, so a change made while
    /// loading makes the entry stale at once.
    pub fn put(&self, generation: &Generation, loaded_at: Option<u64>, key: K, value: V) {
        let (Some(at), Ok(mut entries)) = (loaded_at, self.entries.lock()) else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        if generation.now() == Some(at) {
            entries.insert(key, (at, value));
        }
    }

    pub fn generation_now(generation: &Generation) -> Option<u64> {
        generation.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_die_with_their_generation() {
        let g = Generation::new(true);
        let c: GenCache<&str, u32> = GenCache::default();
        let at = GenCache::<&str, u32>::generation_now(&g);
        c.put(&g, at, "k", 1);
        assert_eq!(c.get(&g, &"k"), Some(1));
        g.bump();
        assert_eq!(c.get(&g, &"k"), None);
        // Loaded before a bump: never stored.
        let at = GenCache::<&str, u32>::generation_now(&g);
        g.bump();
        c.put(&g, at, "k", 2);
        assert_eq!(c.get(&g, &"k"), None);
        let off = Generation::new(false);
        c.put(&off, GenCache::<&str, u32>::generation_now(&off), "k", 3);
        assert_eq!(c.get(&off, &"k"), None);
    }
}
