//! The one interface the server uses for metadata.

use crate::Result;
use crate::model::*;

/// Everything Cairn keeps besides object bytes. Each method is one transaction: a caller never
/// sees half of a change. Methods that replace or remove objects and parts return the segments
/// that are no longer referenced, so the caller can delete those blobs after the commit.
#[async_trait::async_trait]
pub trait MetaStore:
    crate::IamStore
    + crate::VersionStore
    + crate::SessionStore
    + crate::LoginStore
    + Send
    + Sync
    + 'static
{
    // --- accounts and keys ---
    /// The account created first, if any: the one `cairn server` bootstraps.
    async fn first_account(&self) -> Result<Option<Account>>;
    async fn create_account(&self, account: &Account) -> Result<()>;
    /// Every account, oldest first (accounts are few: one per tenant).
    async fn list_accounts(&self) -> Result<Vec<Account>>;
    /// Stores a key; `AlreadyExists` if its id is taken.
    async fn put_access_key(&self, key: &AccessKey) -> Result<()>;
    async fn get_access_key(&self, access_key_id: &str) -> Result<Option<AccessKey>>;
    /// Records when and where an access key last authenticated a request (nodes write it at
    /// most once a minute per key; AWS's own figure lags by hours).
    async fn record_key_use(
        &self,
        access_key_id: &str,
        used_ms: i64,
        service: &str,
        region: &str,
    ) -> Result<()>;
    /// `(when in ms, service, region)` of the last recorded use.
    async fn key_use(&self, access_key_id: &str) -> Result<Option<(i64, String, String)>>;
    /// A small key-value area for server settings (e.g. schema facts, the bootstrap state).
    async fn get_setting(&self, name: &str) -> Result<Option<String>>;
    async fn put_setting(&self, name: &str, value: &str) -> Result<()>;
    /// Sets a setting only if it is unset and returns the value that holds: `value` for the
    /// first caller, the earlier value for everyone after (nodes starting together agree).
    async fn claim_setting(&self, name: &str, value: &str) -> Result<String>;
    /// Takes (or renews) a named lease for `holder` until `now_ms + ttl_ms`: true when the lease
    /// was free, expired, or already `holder`'s. Background work that one node at a time should
    /// do (the orphan sweep) runs under one.
    async fn try_lease(&self, name: &str, holder: &str, now_ms: i64, ttl_ms: i64) -> Result<bool>;
    /// A counter shared by every node on the database (0 until first bumped): nodes compare it
    /// with the number their caches were filled under.
    async fn counter(&self, name: &str) -> Result<u64>;
    /// Adds one to a counter and returns the new value, atomically.
    async fn bump_counter(&self, name: &str) -> Result<u64>;

    // --- buckets ---
    /// `BucketExists { owner }` when the name is taken.
    async fn create_bucket(&self, bucket: &Bucket) -> Result<()> {
        self.create_bucket_with(bucket, &[]).await
    }
    /// Creates the bucket and its initial sub-resources (e.g. Block Public Access) atomically.
    async fn create_bucket_with(&self, bucket: &Bucket, configs: &[(&str, &str)]) -> Result<()>;
    async fn get_bucket(&self, name: &str) -> Result<Option<Bucket>>;
    async fn list_buckets(&self, account_id: &str) -> Result<Vec<Bucket>>;
    /// `BucketNotEmpty` while objects, versions or delete markers remain; `NoSuchBucket` if
    /// absent. Multipart uploads in progress do not keep a bucket (AWS deletes such buckets and
    /// discards their uploads): they go with it, and their parts' segments are returned as garbage.
    async fn delete_bucket(&self, name: &str) -> Result<Vec<Segment>>;
    /// A bucket sub-resource (tagging, policy, encryption, …) as an opaque document.
    async fn get_bucket_config(&self, bucket: &str, kind: &str) -> Result<Option<String>>;
    /// Sets (`Some`) or removes (`None`) a sub-resource. `NoSuchBucket` if absent.
    async fn put_bucket_config(&self, bucket: &str, kind: &str, value: Option<&str>) -> Result<()>;

    // --- objects ---
    async fn get_object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>>;
    /// Makes `object` the current version; returns the replaced version's segments.
    async fn put_object(&self, object: &ObjectRecord) -> Result<Vec<Segment>>;
    /// Removes the object; returns its segments (empty if there was none).
    async fn delete_object(&self, bucket: &str, key: &str) -> Result<Vec<Segment>>;
    /// `NoSuchKey` if absent.
    async fn put_object_tags(&self, bucket: &str, key: &str, tags: &Tags) -> Result<()>;
    /// Up to `limit` objects in key byte order, starting where `from` says.
    async fn list_objects(
        &self,
        bucket: &str,
        from: &ListFrom,
        limit: usize,
    ) -> Result<Vec<ObjectRecord>>;

    /// Every blob id some object, version or uploaded part refers to (for the orphan sweep).
    async fn referenced_blobs(&self) -> Result<std::collections::HashSet<String>>;

    // --- multipart ---
    async fn create_upload(&self, upload: &UploadRecord) -> Result<()>;
    async fn get_upload(&self, upload_id: &str) -> Result<Option<UploadRecord>>;
    /// Stores a part, replacing one with the same number; returns the replaced part's segment.
    /// `NoSuchUpload` if the upload is gone.
    async fn put_part(&self, part: &PartRecord) -> Result<Vec<Segment>>;
    /// Parts with a number greater than `after`, ascending, at most `limit`.
    async fn list_parts(
        &self,
        upload_id: &str,
        after: u32,
        limit: usize,
    ) -> Result<Vec<PartRecord>>;
    /// Uploads in (key, initiated, upload id) order after the markers, at most `limit`.
    async fn list_uploads(
        &self,
        bucket: &str,
        prefix: &str,
        key_marker: Option<&str>,
        upload_id_marker: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UploadRecord>>;
    /// Atomically ends the upload and makes `object` current. Returns what is now garbage: the
    /// replaced object's segments and the parts not used by `object`.
    async fn complete_upload(&self, upload_id: &str, object: &ObjectRecord)
    -> Result<Vec<Segment>>;
    /// Ends the upload; returns its parts' segments. `NoSuchUpload` if absent.
    async fn abort_upload(&self, upload_id: &str) -> Result<Vec<Segment>>;
}
