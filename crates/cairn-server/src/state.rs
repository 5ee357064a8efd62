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
    /// The KMS keys SSE-KMS may use (each account's `aws/s3` and the declared ones).
    pub kms: crate::kms::KeyService,
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
    /// The metadata database is shared with other nodes (PostgreSQL): IAM changes are counted
    /// there, not here.
    pub shared_meta: bool,
    /// Access key id → principal, secret and (for temporary credentials) the session check.
    pub keys: crate::authz::generation::GenCache<String, Arc<crate::auth::Resolved>>,
    /// Access key ids that do not exist (so that refusing one costs what accepting a known
    /// one does; bounded like every `GenCache`).
    pub unknown_keys: crate::authz::generation::GenCache<String, ()>,
    /// Access key id → its latest use seen by this node (see `note_key_use`).
    pub last_used: std::sync::Mutex<std::collections::HashMap<String, KeyUse>>,
    /// Signing keys of OIDC issuers, for AssumeRoleWithWebIdentity (pinned by `--oidc-jwks`,
    /// else discovered).
    pub oidc_keys: Arc<crate::sts::web_identity::IssuerKeys>,
    /// (account, lower-case user name) → the user's loaded policies.
    pub loaded:
        crate::authz::generation::GenCache<(String, String), std::sync::Arc<crate::authz::Loaded>>,
}

/// An access key's latest use on this node, and when it was last written to the database.
#[derive(Clone)]
pub struct KeyUse {
    pub used: i64,
    pub service: String,
    pub region: String,
    pub persisted: i64,
}

/// The shared counter of IAM changes.
const IAM_COUNTER: &str = "iam";

/// The handle handlers hold.
pub type State = Arc<AppState>;

impl AppState {
    /// Records an IAM change: locally, or in the shared counter other nodes read.
    pub async fn iam_changed(&self) {
        if !self.shared_meta {
            self.iam_generation.bump();
            return;
        }
        // Other nodes only learn of the change through the counter: retry a failed bump.
        for attempt in 0..3u64 {
            match self.meta.bump_counter(IAM_COUNTER).await {
                Ok(v) => return self.iam_generation.observe(v),
                Err(e) => {
                    tracing::warn!(err = %e, attempt, "bumping the shared IAM generation failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
                }
            }
        }
        tracing::error!("IAM change not announced to other nodes; their caches may be stale");
    }

    /// At the start of a request on a shared database: adopts changes other nodes made.
    pub async fn sync_iam(&self) {
        if self.shared_meta
            && let Ok(v) = self.meta.counter(IAM_COUNTER).await
        {
            self.iam_generation.observe(v);
        }
    }

    /// Notes that an access key authenticated a request; the database hears of it at most once a
    /// minute per key (in the background), so every node can answer GetAccessKeyLastUsed.
    pub fn note_key_use(&self, access_key_id: &str, service: &str, region: &str) {
        const PERSIST_EVERY_MS: i64 = 60_000;
        let now = crate::time::now_ms();
        let Ok(mut map) = self.last_used.lock() else {
            return;
        };
        let persisted = map.get(access_key_id).map_or(i64::MIN, |u| u.persisted);
        let persist = now.saturating_sub(persisted) >= PERSIST_EVERY_MS;
        map.insert(
            access_key_id.to_string(),
            KeyUse {
                used: now,
                service: service.to_string(),
                region: region.to_string(),
                persisted: if persist { now } else { persisted },
            },
        );
        drop(map);
        if persist {
            let meta = self.meta.clone();
            let (id, service, region) = (
                access_key_id.to_string(),
                service.to_string(),
                region.to_string(),
            );
            tokio::spawn(async move {
                if let Err(e) = meta.record_key_use(&id, now, &service, &region).await {
                    tracing::warn!(err = %e, "recording access key use failed");
                }
            });
        }
    }

    /// The last use of a key: this node's latest, or the database's if newer.
    pub async fn key_last_used(&self, access_key_id: &str) -> Option<(i64, String, String)> {
        let local = self
            .last_used
            .lock()
            .ok()
            .and_then(|m| m.get(access_key_id).cloned())
            .map(|u| (u.used, u.service, u.region));
        let stored = self.meta.key_use(access_key_id).await.ok().flatten();
        match (local, stored) {
            (Some(l), Some(s)) => Some(if s.0 > l.0 { s } else { l }),
            (l, s) => l.or(s),
        }
    }
}
