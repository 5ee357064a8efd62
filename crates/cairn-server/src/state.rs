//! What every request handler shares: the stores, the master key and server settings.

use crate::crypto::MasterKey;
use cairn_blob::BlobStore;
use cairn_meta::MetaStore;
use std::sync::Arc;

/// Shared, immutable server state.
pub struct AppState {
    pub meta: Arc<dyn MetaStore>,
    pub blobs: BlobStore,
    pub master: MasterKey,
    /// Region of buckets created without a LocationConstraint.
    pub region: String,
    /// Parsed policy documents.
    pub policies: crate::authz::cache::PolicyCache,
    /// Bumped by every IAM change; the caches below are valid for one generation.
    pub iam_generation: crate::authz::generation::Generation,
    /// Access key id → (principal, secret).
    pub keys: crate::authz::generation::GenCache<String, (crate::principal::Principal, String)>,
    /// (account, lower-case user name) → the user's loaded policies.
    pub loaded:
        crate::authz::generation::GenCache<(String, String), std::sync::Arc<crate::authz::Loaded>>,
}

/// The handle handlers hold.
pub type State = Arc<AppState>;
