//! The records the store keeps. Times are milliseconds since the Unix epoch.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An AWS account: the unit that owns buckets and an IAM namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// 12 decimal digits.
    pub id: String,
    /// A label given at creation (`cairn account create NAME`); the first account has none.
    pub name: Option<String>,
    pub created: i64,
}

/// An access key pair. The secret is stored encrypted by the server's master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub access_key_id: String,
    pub secret_enc: String,
    pub account_id: String,
    /// `None` for the account's root user.
    pub user_name: Option<String>,
    /// `Active` or `Inactive`.
    pub status: String,
    pub created: i64,
}

/// A bucket and the settings every request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    pub account_id: String,
    pub region: String,
    pub created: i64,
    /// `BucketOwnerEnforced`, `BucketOwnerPreferred` or `ObjectWriter`.
    pub object_ownership: String,
}

/// A piece of an object's bytes: one blob file (a whole single-part object, or one part).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub blob: String,
    pub size: u64,
}

/// Checksums kept with an object or part, base64 as S3 returns them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checksums {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub crc32: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub crc32c: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub crc64nvme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sha1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sha256: Option<String>,
    /// `FULL_OBJECT` or `COMPOSITE`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kind: Option<String>,
}

impl Checksums {
    pub fn is_empty(&self) -> bool {
        self.crc32.is_none()
            && self.crc32c.is_none()
            && self.crc64nvme.is_none()
            && self.sha1.is_none()
            && self.sha256.is_none()
            && self.kind.is_none()
    }
}

/// The HTTP headers S3 stores with an object and returns on GET/HEAD.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectAttrs {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub content_encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub content_disposition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub content_language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cache_control: Option<String>,
    /// The `Expires` header as the client sent it (HTTP date).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub website_redirect_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub storage_class: Option<String>,
    /// `x-amz-meta-*` without the prefix, lower-case names.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub user_metadata: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Checksums::is_empty", default)]
    pub checksums: Checksums,
    /// Number of parts for a multipart object; `None` for a single PUT.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parts_count: Option<u32>,
    /// Object Lock retention of this version: `GOVERNANCE` or `COMPLIANCE`, until (ms).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub retention: Option<(String, i64)>,
    /// Object Lock legal hold of this version.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub legal_hold: bool,
    /// The object's ACL grants (JSON) on buckets with ACLs enabled.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub acl: Option<String>,
    /// `AES256` when every blob of the object is sealed (SSE-S3), `aws:kms` / `aws:kms:dsse`
    /// when sealed under a KMS key (SSE-KMS, see `sse_kms_key_id`). Each sealed blob carries its
    /// own wrapped data key, nonce prefix and segment size in its header (see cairn-blob's
    /// `sealed`), so that a multipart object's parts need nothing per segment here; this flag is
    /// what says the blobs must be read sealed. On an upload it says the parts are sealed.
    /// Absent in records written before encryption existed: those objects are plain.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub server_side_encryption: Option<String>,
    /// SSE-C: base64 MD5 of the customer's key (algorithm AES256). The blobs are sealed with a
    /// data key wrapped by a key derived from the customer's key, which is never stored; reads
    /// must present a key with this MD5.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sse_customer_key_md5: Option<String>,
    /// SSE-KMS (`server_side_encryption` is `aws:kms` or `aws:kms:dsse`): the ARN of the KMS key
    /// whose derived key wraps the blobs' data keys.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sse_kms_key_id: Option<String>,
    /// SSE-KMS with an S3 Bucket Key, as requested (reported back; the data keys are per blob
    /// either way).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub bucket_key_enabled: bool,
    /// The multipart upload this object was completed from, so that a retried
    /// CompleteMultipartUpload gets the same answer (S3's completion is idempotent).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub completed_upload: Option<String>,
    /// A multipart object's parts' own checksums, in part order (empty when the upload declared
    /// no checksum algorithm): a GET of one part and GetObjectAttributes report them.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub part_checksums: Vec<Checksums>,
    /// The account that owns the object when it is not the bucket's owner: the writer, on a
    /// bucket whose Object Ownership is ObjectWriter (or BucketOwnerPreferred without the
    /// `bucket-owner-full-control` ACL). Absent: the bucket owner owns it (every record written
    /// before per-object owners existed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub owner: Option<String>,
}

/// An object tag set, in the order given.
pub type Tags = Vec<(String, String)>;

/// The current version of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRecord {
    pub bucket: String,
    pub key: String,
    /// `null` while the bucket is unversioned, as S3 reports it.
    pub version_id: String,
    pub size: u64,
    /// The ETag without quotes.
    pub etag: String,
    pub last_modified: i64,
    pub layout: Vec<Segment>,
    pub attrs: ObjectAttrs,
    pub tags: Tags,
}

/// A multipart upload in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRecord {
    pub upload_id: String,
    pub bucket: String,
    pub key: String,
    pub initiated: i64,
    /// Headers and metadata given at CreateMultipartUpload; they become the object's.
    pub attrs: ObjectAttrs,
    pub tags: Tags,
    /// The account or user that started the upload (an ARN).
    pub initiator: String,
}

/// One uploaded part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRecord {
    pub upload_id: String,
    pub part_number: u32,
    pub size: u64,
    pub etag: String,
    pub blob: String,
    pub checksums: Checksums,
    pub last_modified: i64,
}

/// Where a listing page starts.
#[derive(Debug, Clone, Default)]
pub struct ListFrom {
    /// Only keys with this prefix.
    pub prefix: String,
    /// Only keys strictly greater than this.
    pub after: Option<String>,
    /// Only keys greater than or equal to this.
    pub at_or_after: Option<String>,
}

/// How a bucket keeps versions (S3's three states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioning {
    /// Never enabled: one object per key, version `null`, nothing kept.
    Unversioned,
    Enabled,
    /// Was enabled: old versions stay; new writes replace the `null` version.
    Suspended,
}

/// One version of an object, or a delete marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    pub object: ObjectRecord,
    pub delete_marker: bool,
    /// The newest version of its key.
    pub is_latest: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attrs_written_before_encryption_read_as_plain() {
        let old: ObjectAttrs = serde_json::from_str(r#"{"content_type":"text/plain"}"#).unwrap();
        assert_eq!(old.server_side_encryption, None);
        let sealed = ObjectAttrs {
            server_side_encryption: Some("AES256".into()),
            ..Default::default()
        };
        let json = serde_json::to_string(&sealed).unwrap();
        assert_eq!(json, r#"{"server_side_encryption":"AES256"}"#);
        assert_eq!(serde_json::from_str::<ObjectAttrs>(&json).unwrap(), sealed);
        assert_eq!(
            serde_json::to_string(&ObjectAttrs::default()).unwrap(),
            "{}"
        );
    }
}
