//! Applying lifecycle rules: a pass over every bucket with a lifecycle configuration that
//! expires current objects (a delete marker on versioned buckets), expires noncurrent versions,
//! removes lone delete markers (ExpiredObjectDeleteMarker at once, an Expiration with Days once
//! the marker is that old) and aborts stale multipart uploads.
//!
//! Passes run in the background on one node at a time, under the `lifecycle` lease, renewed
//! before every page of a listing: a pass that loses its lease stops, so two nodes never act on
//! the same listing (on a versioned bucket that would add two delete markers), and a node that
//! dies mid-pass hands over once the lease lapses. Every action is one
//! metadata transaction and re-checks what it acts on just before, so a write that lands while
//! a pass runs is never expired by the pass's older view of the bucket. Object Lock: versions
//! under retention or legal hold are never removed (a delete marker may still cover them, as on
//! AWS).

use super::CairnS3;
use super::lifecycle_rules::{self as rules, Clock, Rule};
use cairn_meta::{ListFrom, MetaError, VersionRecord, Versioning};
use std::time::Duration;

/// Entries read per listing page.
const PAGE: usize = 1000;
/// The lease every pass holds.
pub const LEASE: &str = "lifecycle";
/// How long the lease outlives its last renewal: a dead node's pass is taken over after this.
const LEASE_TTL_MS: i64 = 5 * 60 * 1000;

/// What a pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub expired: usize,
    pub noncurrent_removed: usize,
    pub markers_removed: usize,
    pub uploads_aborted: usize,
}

/// How often passes run: `CAIRN_LIFECYCLE_INTERVAL_SECS` (a test knob), else hourly.
pub fn interval() -> Duration {
    let secs = std::env::var("CAIRN_LIFECYCLE_INTERVAL_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(3600);
    Duration::from_secs(secs)
}

/// The lease a pass holds: renewed before each page; once lost, the pass stops.
struct Lease<'a> {
    s3: &'a CairnS3,
    holder: &'a str,
    lost: std::sync::atomic::AtomicBool,
}

impl Lease<'_> {
    /// Renews the lease; `false` (from then on) once another node holds it or it cannot be
    /// renewed.
    async fn renew(&self) -> bool {
        use std::sync::atomic::Ordering;
        if self.lost.load(Ordering::Relaxed) {
            return false;
        }
        let held = matches!(
            self.s3
                .state
                .meta
                .try_lease(LEASE, self.holder, crate::time::now_ms(), LEASE_TTL_MS)
                .await,
            Ok(true)
        );
        if !held {
            self.lost.store(true, Ordering::Relaxed);
        }
        held
    }
}

impl CairnS3 {
    /// The enabled lifecycle rules of a bucket (empty without a configuration).
    pub(super) async fn lifecycle_rules(&self, bucket: &str) -> Result<Vec<Rule>, MetaError> {
        let doc = self
            .state
            .meta
            .get_bucket_config(bucket, super::lifecycle::LIFECYCLE)
            .await?;
        Ok(doc
            .and_then(|d| super::lifecycle::from_xml(&d).ok())
            .map(|c| rules::rules(&c))
            .unwrap_or_default())
    }

    /// `x-amz-expiration` for the current version `obj` when an expiration rule covers it (one
    /// read of the bucket's configuration; nothing when it cannot be read).
    pub(super) async fn expiration_of(&self, obj: &cairn_meta::ObjectRecord) -> Option<String> {
        let rules = self.lifecycle_rules(&obj.bucket).await.ok()?;
        let (due, id) = rules::current_expiry(&rules, &Clock::from_env(), obj)?;
        Some(rules::expiration_header(due, id))
    }

    /// One pass over every bucket, if this node holds (or takes) the lease. `None` when another
    /// node holds it.
    pub async fn lifecycle_pass(
        &self,
        holder: &str,
        clock: &Clock,
    ) -> anyhow::Result<Option<Tally>> {
        let lease = Lease {
            s3: self,
            holder,
            lost: Default::default(),
        };
        if !lease.renew().await {
            return Ok(None);
        }
        let mut tally = Tally::default();
        for account in self.state.meta.list_accounts().await? {
            for bucket in self.state.meta.list_buckets(&account.id).await? {
                let rules = self.lifecycle_rules(&bucket.name).await?;
                if rules.is_empty() {
                    continue;
                }
                if !lease.renew().await {
                    return Ok(Some(tally));
                }
                match self
                    .apply_lifecycle(&bucket.name, &rules, clock, &lease, &mut tally)
                    .await
                {
                    // A bucket deleted meanwhile has nothing left to expire.
                    Ok(()) | Err(MetaError::NoSuchBucket) => {}
                    Err(e) => {
                        tracing::warn!(bucket = %bucket.name, err = %e, "lifecycle pass failed")
                    }
                }
            }
        }
        Ok(Some(tally))
    }

    async fn apply_lifecycle(
        &self,
        bucket: &str,
        rules: &[Rule],
        clock: &Clock,
        lease: &Lease<'_>,
        tally: &mut Tally,
    ) -> Result<(), MetaError> {
        let versioning = self.state.meta.versioning(bucket).await?;
        if versioning == Versioning::Unversioned {
            self.expire_unversioned(bucket, rules, clock, lease, tally)
                .await?;
        } else {
            self.expire_versions(bucket, rules, clock, versioning, lease, tally)
                .await?;
        }
        self.abort_stale_uploads(bucket, rules, clock, lease, tally)
            .await
    }

    async fn expire_unversioned(
        &self,
        bucket: &str,
        rules: &[Rule],
        clock: &Clock,
        lease: &Lease<'_>,
        tally: &mut Tally,
    ) -> Result<(), MetaError> {
        let mut from = ListFrom::default();
        while lease.renew().await {
            let page = self.state.meta.list_objects(bucket, &from, PAGE).await?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            from.after = Some(last.key.clone());
            let full = page.len() == PAGE;
            for obj in page {
                let now = crate::time::now_ms();
                if rules::current_expiry(rules, clock, &obj).is_some_and(|(due, _)| due <= now)
                    && self.still_current(&obj).await?
                {
                    let (garbage, _) = self
                        .state
                        .meta
                        .delete_current(bucket, &obj.key, "null", now)
                        .await?;
                    self.collect_garbage(garbage).await;
                    tally.expired += 1;
                }
            }
            if !full {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Whether `obj` is still the current version (not replaced since it was listed).
    async fn still_current(&self, obj: &cairn_meta::ObjectRecord) -> Result<bool, MetaError> {
        Ok(self
            .state
            .meta
            .get_object(&obj.bucket, &obj.key)
            .await?
            .is_some_and(|now| {
                now.version_id == obj.version_id
                    && now.etag == obj.etag
                    && now.last_modified == obj.last_modified
            }))
    }

    async fn expire_versions(
        &self,
        bucket: &str,
        rules: &[Rule],
        clock: &Clock,
        versioning: Versioning,
        lease: &Lease<'_>,
        tally: &mut Tally,
    ) -> Result<(), MetaError> {
        let (mut key_marker, mut version_marker) = (None::<String>, None::<String>);
        let mut group: Vec<VersionRecord> = Vec::new();
        loop {
            if !lease.renew().await {
                return Ok(());
            }
            let page = self
                .state
                .meta
                .list_versions(
                    bucket,
                    "",
                    key_marker.as_deref(),
                    version_marker.as_deref(),
                    PAGE,
                )
                .await?;
            let full = page.len() == PAGE;
            if let Some(last) = page.last() {
                key_marker = Some(last.object.key.clone());
                version_marker = Some(last.object.version_id.clone());
            }
            for v in page {
                if group.first().is_some_and(|g| g.object.key != v.object.key) {
                    let done = std::mem::take(&mut group);
                    self.expire_key(bucket, rules, clock, versioning, done, tally)
                        .await?;
                }
                group.push(v);
            }
            if !full {
                break;
            }
        }
        if !group.is_empty() {
            self.expire_key(bucket, rules, clock, versioning, group, tally)
                .await?;
        }
        Ok(())
    }

    /// The versions of one key, newest first.
    async fn expire_key(
        &self,
        bucket: &str,
        rules: &[Rule],
        clock: &Clock,
        versioning: Versioning,
        versions: Vec<VersionRecord>,
        tally: &mut Tally,
    ) -> Result<(), MetaError> {
        let Some(first) = versions.first() else {
            return Ok(());
        };
        let key = first.object.key.clone();
        let now = crate::time::now_ms();
        // Noncurrent versions: each became noncurrent when the next newer one was written.
        let mut left = versions.len();
        for (i, v) in versions.iter().enumerate().skip(1) {
            let since = versions[i - 1].object.last_modified;
            let object = (!v.delete_marker).then_some(&v.object);
            if rules::noncurrent_expired(rules, clock, object, &key, since, i - 1, now)
                && !rules::locked(&v.object, now)
            {
                match self
                    .state
                    .meta
                    .delete_version(bucket, &key, &v.object.version_id)
                    .await
                {
                    Ok((garbage, _)) => {
                        self.collect_garbage(garbage).await;
                        tally.noncurrent_removed += 1;
                        left -= 1;
                    }
                    Err(MetaError::NoSuchKey) => left -= 1,
                    Err(e) => return Err(e),
                }
            }
        }
        let current = &first.object;
        if !first.is_latest {
            return Ok(());
        }
        if first.delete_marker {
            // A delete marker with nothing left behind it.
            if left == 1
                && rules::removes_lone_marker(rules, clock, &key, current.last_modified, now)
            {
                let lone = self
                    .state
                    .meta
                    .list_versions(bucket, &key, None, None, 2)
                    .await?;
                let only = lone.iter().filter(|v| v.object.key == key).count() == 1
                    && lone.first().is_some_and(|v| {
                        v.delete_marker && v.object.version_id == current.version_id
                    });
                if only {
                    match self
                        .state
                        .meta
                        .delete_version(bucket, &key, &current.version_id)
                        .await
                    {
                        Ok(_) => tally.markers_removed += 1,
                        Err(MetaError::NoSuchKey) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            return Ok(());
        }
        let due = rules::current_expiry(rules, clock, current).is_some_and(|(due, _)| due <= now);
        // A suspended bucket's delete removes its `null` version: not if that one is locked.
        let removes_version = versioning == Versioning::Suspended && current.version_id == "null";
        if due
            && !(removes_version && rules::locked(current, now))
            && self.still_current(current).await?
        {
            let marker = match versioning {
                Versioning::Enabled => super::versions::new_id(),
                _ => "null".to_string(),
            };
            let (garbage, _) = self
                .state
                .meta
                .delete_current(bucket, &key, &marker, now)
                .await?;
            self.collect_garbage(garbage).await;
            tally.expired += 1;
        }
        Ok(())
    }

    async fn abort_stale_uploads(
        &self,
        bucket: &str,
        rules: &[Rule],
        clock: &Clock,
        lease: &Lease<'_>,
        tally: &mut Tally,
    ) -> Result<(), MetaError> {
        if rules.iter().all(|r| r.abort_days.is_none()) {
            return Ok(());
        }
        let (mut key_marker, mut id_marker) = (None::<String>, None::<String>);
        while lease.renew().await {
            let page = self
                .state
                .meta
                .list_uploads(
                    bucket,
                    "",
                    key_marker.as_deref(),
                    id_marker.as_deref(),
                    PAGE,
                )
                .await?;
            let full = page.len() == PAGE;
            if let Some(last) = page.last() {
                key_marker = Some(last.key.clone());
                id_marker = Some(last.upload_id.clone());
            }
            for upload in page {
                let now = crate::time::now_ms();
                if !rules::upload_abandoned(rules, clock, &upload.key, upload.initiated, now) {
                    continue;
                }
                match self.state.meta.abort_upload(&upload.upload_id).await {
                    Ok(garbage) => {
                        self.collect_garbage(garbage).await;
                        tally.uploads_aborted += 1;
                    }
                    // Completed or aborted meanwhile.
                    Err(MetaError::NoSuchUpload) => {}
                    Err(e) => return Err(e),
                }
            }
            if !full {
                return Ok(());
            }
        }
        Ok(())
    }
}
