//! Object versions in the S3 API: new version ids, reading a given version, deleting with
//! delete markers, and the bucket's versioning switch.

use super::CairnS3;
use crate::s3::error::meta_err;
use cairn_meta::{MetaError, ObjectRecord, Versioning};
use http::{HeaderMap, HeaderValue};
use rand::Rng;
use rand::distributions::Alphanumeric;
use s3s::{S3Error, S3ErrorCode, S3Result, s3_error};

/// A new version id: 32 URL-safe characters, like AWS's.
pub fn new_id() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// The error for a request that lands on a delete marker, with the header AWS adds.
fn on_delete_marker(code: S3ErrorCode, message: &'static str, version_id: Option<&str>) -> S3Error {
    let mut e = S3Error::with_message(code, message);
    let mut headers = HeaderMap::new();
    headers.insert("x-amz-delete-marker", HeaderValue::from_static("true"));
    if let Some(v) = version_id.and_then(|v| HeaderValue::from_str(v).ok()) {
        headers.insert("x-amz-version-id", v);
    }
    e.set_headers(headers);
    e
}

/// Who is deleting, for Object Lock's checks.
pub(super) struct LockGuard<'a> {
    pub principal: &'a crate::principal::Principal,
    pub bypass: bool,
    pub context: &'a [(String, Vec<String>)],
}

impl CairnS3 {
    /// The version id a new write gets: fresh when versioning is enabled, `null` otherwise.
    pub(super) async fn next_version_id(&self, bucket: &str) -> S3Result<String> {
        Ok(
            match self.state.meta.versioning(bucket).await.map_err(meta_err)? {
                Versioning::Enabled => new_id(),
                _ => "null".to_string(),
            },
        )
    }

    /// The object a read addresses: the current version, or the one named by `versionId`.
    pub(super) async fn object_at(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> S3Result<ObjectRecord> {
        let Some(version_id) = version_id else {
            return match self
                .state
                .meta
                .get_object(bucket, key)
                .await
                .map_err(meta_err)?
            {
                Some(o) => Ok(o),
                None => {
                    self.bucket(bucket).await?;
                    // Behind a delete marker S3 says so in a header.
                    let latest = self
                        .state
                        .meta
                        .list_versions(bucket, key, None, None, 1)
                        .await
                        .map_err(meta_err)?
                        .into_iter()
                        .find(|v| v.object.key == key && v.delete_marker);
                    match latest {
                        Some(m) => Err(on_delete_marker(
                            S3ErrorCode::NoSuchKey,
                            "The specified key does not exist.",
                            Some(&m.object.version_id),
                        )),
                        None => Err(meta_err(MetaError::NoSuchKey)),
                    }
                }
            };
        };
        match self
            .state
            .meta
            .get_version(bucket, key, version_id)
            .await
            .map_err(meta_err)?
        {
            Some(v) if v.delete_marker => Err(on_delete_marker(
                S3ErrorCode::MethodNotAllowed,
                "The specified method is not allowed against this resource.",
                Some(version_id),
            )),
            Some(v) => Ok(v.object),
            None => {
                self.bucket(bucket).await?;
                Err(s3_error!(
                    NoSuchVersion,
                    "The specified version does not exist."
                ))
            }
        }
    }

    /// DeleteObject/DeleteObjects for one key: a version removed, or a delete marker added.
    /// Returns (version id to report, whether it is a delete marker).
    pub(super) async fn delete_versioned(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        guard: LockGuard<'_>,
    ) -> S3Result<(Option<String>, bool)> {
        match version_id {
            Some(v) => {
                // Object Lock protects versions, never the adding of a delete marker.
                if let Ok(Some(existing)) = self.state.meta.get_version(bucket, key, v).await {
                    self.check_removable(
                        guard.principal,
                        &existing.object,
                        guard.bypass,
                        guard.context.to_vec(),
                    )
                    .await?;
                }
                let (garbage, marker) = match self.state.meta.delete_version(bucket, key, v).await {
                    Ok(r) => r,
                    // Deleting a version that does not exist succeeds, as on S3.
                    Err(MetaError::NoSuchKey) => return Ok((Some(v.to_string()), false)),
                    Err(e) => return Err(meta_err(e)),
                };
                self.collect_garbage(garbage).await;
                Ok((Some(v.to_string()), marker))
            }
            None => {
                let (garbage, marker) = self
                    .state
                    .meta
                    .delete_current(bucket, key, &new_id(), crate::time::now_ms())
                    .await
                    .map_err(meta_err)?;
                self.collect_garbage(garbage).await;
                let is_marker = marker.is_some();
                Ok((marker, is_marker))
            }
        }
    }
}
