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
    /// Server access log lines waiting for delivery.
    pub access_logs: crate::s3::logging::AccessLogs,
    /// Whether buckets without an encryption configuration encrypt new objects (SSE-S3), as AWS
    /// does; off only with `--no-default-encryption`.
    pub default_encryption: bool,
    /// New buckets as AWS made them before April 2023 (ObjectWriter ownership, so ACLs apply;
    /// no Block Public Access); only with `--legacy-bucket-defaults`.
    pub legacy_bucket_defaults: bool,
    /// Parsed policy documents.
    pub policies: crate::authz::cache::PolicyCache,
    /// Bumped by every IAM change; the caches below are valid for one generation.
    pub iam_generation: crate::authz::generation::Generation,
    /// Access key id → principal, secret and (for temporary credentials) the session check.
    pub keys: crate::authz::generation::GenCache<String, Arc<crate::auth::Resolved>>,
    /// Access key id → (last use in ms, service, region), in memory (see GetAccessKeyLastUsed).
    pub last_used: std::sync::Mutex<std::collections::HashMap<String, (i64, String, String)>>,
    /// (account, lower-case user name) → the user's loaded policies.
    pub loaded:
        crate::authz::generation::GenCache<(String, String), std::sync::Arc<crate::authz::Loaded>>,
}

/// The handle handlers hold.
pub type State = Arc<AppState>;

impl AppState {
    /// Notes that an access key authenticated a request.
    pub fn note_key_use(&self, access_key_id: &str, service: &str, region: &str) {
        if let Ok(mut map) = self.last_used.lock() {
            map.insert(
                access_key_id.to_string(),
                (
                    crate::time::now_ms(),
                    service.to_string(),
                    region.to_string(),
                ),
            );
        }
    }
}
