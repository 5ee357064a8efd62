//! The versioning half of the metadata interface (S3 object versions and delete markers).

use crate::Result;
use crate::model::*;

/// Object versions. While a bucket is versioned (enabled or suspended), every version of every
/// key lives in the versions table and the current one is mirrored into the objects table, so
/// plain GETs and listings stay single range scans. Each method is one transaction.
#[async_trait::async_trait]
pub trait VersionStore: Send + Sync + 'static {
    async fn versioning(&self, bucket: &str) -> Result<Versioning>;
    /// Enabling for the first time copies the current objects in as their `null` versions.
    /// `Unversioned` cannot be set (S3 has no way back).
    async fn set_versioning(&self, bucket: &str, status: Versioning) -> Result<()>;
    /// Writes `object` as the new current version under the bucket's state (`object.version_id`
    /// must be a new id when enabled, `null` otherwise). Returns segments that became garbage.
    async fn put_version(&self, object: &ObjectRecord) -> Result<Vec<Segment>>;
    /// DELETE without a version id: removes the object (unversioned) or adds a delete marker
    /// with `marker_id` (`null` when suspended). Returns garbage and the marker's id, if any.
    async fn delete_current(
        &self,
        bucket: &str,
        key: &str,
        marker_id: &str,
        now: i64,
    ) -> Result<(Vec<Segment>, Option<String>)>;
    /// Removes one version; the next newest becomes current. Returns garbage and whether the
    /// removed version was a delete marker. `NoSuchKey` when absent.
    async fn delete_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> Result<(Vec<Segment>, bool)>;
    async fn get_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> Result<Option<VersionRecord>>;
    /// Replaces the attributes of one version (and of the current copy if it is current), e.g.
    /// Object Lock retention and legal hold. `NoSuchKey` when absent.
    async fn set_version_attrs(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        attrs: &ObjectAttrs,
    ) -> Result<()>;
    /// Replaces the tags of one version (and of the current copy if it is current).
    /// `NoSuchKey` when absent.
    async fn set_version_tags(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        tags: &Tags,
    ) -> Result<()>;
    /// Versions in (key ascending, newest first) order after the markers, at most `limit`.
    async fn list_versions(
        &self,
        bucket: &str,
        prefix: &str,
        key_marker: Option<&str>,
        version_marker: Option<&str>,
        limit: usize,
    ) -> Result<Vec<VersionRecord>>;
}
