//! S3 operation → IAM action and the resource it is checked on.
//!
//! Derived from AWS's documentation (the S3 API reference and "Actions, resources, and condition
//! keys for Amazon S3"); see `shared/reference/s3_operation_permissions.json`. Kept as data.

/// What an S3 operation is authorized against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// No bucket: `arn:aws:s3:::*` (ListBuckets, CreateBucket is checked on the bucket).
    Account,
    Bucket,
    Object,
}

/// The table's spelling of an s3s operation name (`unknown` for one it lacks), for logs and
/// metrics, which take names from a fixed set.
pub fn operation_name(operation: &str) -> &'static str {
    S3_ACTIONS
        .iter()
        .find(|(op, _, _)| *op == operation)
        .map_or("unknown", |(op, _, _)| op)
}

/// `(operation, action, target)`, one row per s3s operation name.
pub const S3_ACTIONS: &[(&str, &str, Target)] = &[
    ("ListBuckets", "s3:ListAllMyBuckets", Target::Account),
    ("CreateBucket", "s3:CreateBucket", Target::Bucket),
    ("DeleteBucket", "s3:DeleteBucket", Target::Bucket),
    ("HeadBucket", "s3:ListBucket", Target::Bucket),
    ("GetBucketLocation", "s3:GetBucketLocation", Target::Bucket),
    ("ListObjects", "s3:ListBucket", Target::Bucket),
    ("ListObjectsV2", "s3:ListBucket", Target::Bucket),
    (
        "ListObjectVersions",
        "s3:ListBucketVersions",
        Target::Bucket,
    ),
    (
        "ListMultipartUploads",
        "s3:ListBucketMultipartUploads",
        Target::Bucket,
    ),
    ("GetBucketTagging", "s3:GetBucketTagging", Target::Bucket),
    ("PutBucketTagging", "s3:PutBucketTagging", Target::Bucket),
    ("DeleteBucketTagging", "s3:PutBucketTagging", Target::Bucket),
    ("GetBucketPolicy", "s3:GetBucketPolicy", Target::Bucket),
    ("PutBucketPolicy", "s3:PutBucketPolicy", Target::Bucket),
    (
        "DeleteBucketPolicy",
        "s3:DeleteBucketPolicy",
        Target::Bucket,
    ),
    (
        "GetBucketPolicyStatus",
        "s3:GetBucketPolicyStatus",
        Target::Bucket,
    ),
    ("GetBucketAcl", "s3:GetBucketAcl", Target::Bucket),
    ("PutBucketAcl", "s3:PutBucketAcl", Target::Bucket),
    (
        "GetBucketVersioning",
        "s3:GetBucketVersioning",
        Target::Bucket,
    ),
    (
        "PutBucketVersioning",
        "s3:PutBucketVersioning",
        Target::Bucket,
    ),
    (
        "GetBucketEncryption",
        "s3:GetEncryptionConfiguration",
        Target::Bucket,
    ),
    (
        "PutBucketEncryption",
        "s3:PutEncryptionConfiguration",
        Target::Bucket,
    ),
    (
        "DeleteBucketEncryption",
        "s3:PutEncryptionConfiguration",
        Target::Bucket,
    ),
    (
        "GetBucketOwnershipControls",
        "s3:GetBucketOwnershipControls",
        Target::Bucket,
    ),
    (
        "PutBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
        Target::Bucket,
    ),
    (
        "DeleteBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
        Target::Bucket,
    ),
    (
        "GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        Target::Bucket,
    ),
    (
        "PutPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
        Target::Bucket,
    ),
    (
        "DeletePublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
        Target::Bucket,
    ),
    ("GetBucketCors", "s3:GetBucketCORS", Target::Bucket),
    ("PutBucketCors", "s3:PutBucketCORS", Target::Bucket),
    ("DeleteBucketCors", "s3:PutBucketCORS", Target::Bucket),
    ("GetBucketWebsite", "s3:GetBucketWebsite", Target::Bucket),
    ("PutBucketWebsite", "s3:PutBucketWebsite", Target::Bucket),
    (
        "DeleteBucketWebsite",
        "s3:DeleteBucketWebsite",
        Target::Bucket,
    ),
    ("GetBucketLogging", "s3:GetBucketLogging", Target::Bucket),
    ("PutBucketLogging", "s3:PutBucketLogging", Target::Bucket),
    (
        "GetBucketLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
        Target::Bucket,
    ),
    (
        "PutBucketLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
        Target::Bucket,
    ),
    (
        "DeleteBucketLifecycle",
        "s3:PutLifecycleConfiguration",
        Target::Bucket,
    ),
    (
        "GetObjectLockConfiguration",
        "s3:GetBucketObjectLockConfiguration",
        Target::Bucket,
    ),
    (
        "PutObjectLockConfiguration",
        "s3:PutBucketObjectLockConfiguration",
        Target::Bucket,
    ),
    (
        "GetBucketNotificationConfiguration",
        "s3:GetBucketNotification",
        Target::Bucket,
    ),
    (
        "PutBucketNotificationConfiguration",
        "s3:PutBucketNotification",
        Target::Bucket,
    ),
    (
        "GetBucketRequestPayment",
        "s3:GetBucketRequestPayment",
        Target::Bucket,
    ),
    (
        "PutBucketRequestPayment",
        "s3:PutBucketRequestPayment",
        Target::Bucket,
    ),
    (
        "GetBucketAccelerateConfiguration",
        "s3:GetAccelerateConfiguration",
        Target::Bucket,
    ),
    (
        "PutBucketAccelerateConfiguration",
        "s3:PutAccelerateConfiguration",
        Target::Bucket,
    ),
    (
        "GetBucketReplication",
        "s3:GetReplicationConfiguration",
        Target::Bucket,
    ),
    (
        "PutBucketReplication",
        "s3:PutReplicationConfiguration",
        Target::Bucket,
    ),
    (
        "DeleteBucketReplication",
        "s3:PutReplicationConfiguration",
        Target::Bucket,
    ),
    ("DeleteObjects", "s3:DeleteObject", Target::Bucket),
    ("GetObject", "s3:GetObject", Target::Object),
    ("HeadObject", "s3:GetObject", Target::Object),
    (
        "GetObjectAttributes",
        "s3:GetObjectAttributes",
        Target::Object,
    ),
    ("PutObject", "s3:PutObject", Target::Object),
    ("PostObject", "s3:PutObject", Target::Object),
    ("CopyObject", "s3:PutObject", Target::Object),
    ("DeleteObject", "s3:DeleteObject", Target::Object),
    ("GetObjectTagging", "s3:GetObjectTagging", Target::Object),
    ("PutObjectTagging", "s3:PutObjectTagging", Target::Object),
    (
        "DeleteObjectTagging",
        "s3:DeleteObjectTagging",
        Target::Object,
    ),
    ("GetObjectAcl", "s3:GetObjectAcl", Target::Object),
    ("PutObjectAcl", "s3:PutObjectAcl", Target::Object),
    (
        "GetObjectRetention",
        "s3:GetObjectRetention",
        Target::Object,
    ),
    (
        "PutObjectRetention",
        "s3:PutObjectRetention",
        Target::Object,
    ),
    (
        "GetObjectLegalHold",
        "s3:GetObjectLegalHold",
        Target::Object,
    ),
    (
        "PutObjectLegalHold",
        "s3:PutObjectLegalHold",
        Target::Object,
    ),
    ("RestoreObject", "s3:RestoreObject", Target::Object),
    ("CreateMultipartUpload", "s3:PutObject", Target::Object),
    ("UploadPart", "s3:PutObject", Target::Object),
    ("UploadPartCopy", "s3:PutObject", Target::Object),
    ("CompleteMultipartUpload", "s3:PutObject", Target::Object),
    (
        "AbortMultipartUpload",
        "s3:AbortMultipartUpload",
        Target::Object,
    ),
    ("ListParts", "s3:ListMultipartUploadParts", Target::Object),
];

/// The action and target of an operation; unknown operations map to `s3:<Operation>` on the
/// bucket, so nothing passes unchecked.
pub fn lookup(operation: &str) -> (String, Target) {
    S3_ACTIONS
        .iter()
        .find(|(op, _, _)| *op == operation)
        .map(|(_, action, target)| ((*action).to_string(), *target))
        .unwrap_or_else(|| (format!("s3:{operation}"), Target::Bucket))
}

/// The action when the request names a `versionId`: reads and deletes of a specific version
/// are separate permissions.
pub fn versioned(action: &str) -> Option<&'static str> {
    Some(match action {
        "s3:GetObject" => "s3:GetObjectVersion",
        "s3:DeleteObject" => "s3:DeleteObjectVersion",
        "s3:GetObjectTagging" => "s3:GetObjectVersionTagging",
        "s3:PutObjectTagging" => "s3:PutObjectVersionTagging",
        "s3:DeleteObjectTagging" => "s3:DeleteObjectVersionTagging",
        "s3:GetObjectAcl" => "s3:GetObjectVersionAcl",
        "s3:PutObjectAcl" => "s3:PutObjectVersionAcl",
        "s3:GetObjectAttributes" => "s3:GetObjectVersionAttributes",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_map_to_documented_actions() {
        assert_eq!(
            lookup("HeadObject"),
            ("s3:GetObject".into(), Target::Object)
        );
        assert_eq!(
            lookup("ListObjectsV2"),
            ("s3:ListBucket".into(), Target::Bucket)
        );
        assert_eq!(
            lookup("ListBuckets"),
            ("s3:ListAllMyBuckets".into(), Target::Account)
        );
        assert_eq!(lookup("SomethingNew").0, "s3:SomethingNew");
        assert_eq!(versioned("s3:GetObject"), Some("s3:GetObjectVersion"));
        assert_eq!(versioned("s3:PutObject"), None);
    }
}
