//! Parsed policies by document text, so a request never re-parses a policy it has seen.
//! Keyed by content, a changed policy is simply a new entry: nothing can go stale.

use cairn_policy::{Policy, PolicyError, PolicyKind};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Entries kept before the cache starts over (documents are small; this bounds memory).
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct PolicyCache {
    entries: Mutex<HashMap<(u8, String), Arc<Policy>>>,
}

fn kind_tag(kind: PolicyKind) -> u8 {
    match kind {
        PolicyKind::Identity => 0,
        PolicyKind::Resource => 1,
        PolicyKind::Trust => 2,
        PolicyKind::Session => 3,
    }
}

impl PolicyCache {
    pub fn parse(&self, doc: &str, kind: PolicyKind) -> Result<Arc<Policy>, PolicyError> {
        let key = (kind_tag(kind), doc.to_string());
        if let Ok(entries) = self.entries.lock()
            && let Some(p) = entries.get(&key)
        {
            return Ok(p.clone());
        }
        let parsed = Arc::new(cairn_policy::parse(doc, kind)?);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, parsed.clone());
        }
        Ok(parsed)
    }
}
