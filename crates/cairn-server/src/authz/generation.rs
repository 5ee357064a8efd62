//! Caches of IAM state (resolved access keys, a user's loaded policies) that stay correct because
//! every IAM change bumps a generation number and entries from an older generation are ignored.
//!
//! With the embedded SQLite default one process makes every change and counts them itself. With
//! a shared PostgreSQL database the number is a counter in the database: a node bumps it after
//! each IAM change (before answering) and reads it at the start of every request, so a change
//! made through any node is seen by the next request to every node.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Entries kept before a cache starts over.
const MAX_ENTRIES: usize = 100_000;

pub struct Generation {
    current: AtomicU64,
}

impl Generation {
    /// A generation this process alone advances.
    pub fn local() -> Self {
        Generation {
            current: AtomicU64::new(1),
        }
    }

    /// A generation kept in the shared database: starts at 0, the counter's value before any
    /// change, and follows it through [`Generation::observe`].
    pub fn shared() -> Self {
        Generation {
            current: AtomicU64::new(0),
        }
    }

    /// Called after every change to IAM state (users, keys, groups, policies, attachments).
    pub fn bump(&self) {
        self.current.fetch_add(1, Ordering::SeqCst);
    }

    /// Adopts the shared counter's value; it only grows, so a late, older reading never
    /// resurrects entries an newer one made stale.
    pub fn observe(&self, shared: u64) {
        self.current.fetch_max(shared, Ordering::SeqCst);
    }

    fn now(&self) -> Option<u64> {
        Some(self.current.load(Ordering::SeqCst))
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
        let g = Generation::local();
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
    }

    #[test]
    fn a_shared_generation_follows_the_database_counter() {
        let g = Generation::shared();
        let c: GenCache<&str, u32> = GenCache::default();
        c.put(&g, GenCache::<&str, u32>::generation_now(&g), "k", 1);
        g.observe(0);
        assert_eq!(c.get(&g, &"k"), Some(1));
        // Another node changed IAM: the counter moved on.
        g.observe(1);
        assert_eq!(c.get(&g, &"k"), None);
        c.put(&g, GenCache::<&str, u32>::generation_now(&g), "k", 2);
        // A late reading of the old value changes nothing.
        g.observe(0);
        assert_eq!(c.get(&g, &"k"), Some(2));
    }
}
