//! The S3 API: s3s parses and serialises the protocol; these modules are the behaviour, one file
//! per operation family. The trait impl below only routes each operation to its family.

/// Moves the listed fields between two DTOs with the same field names; `..` fills the rest of
/// the target with defaults.
macro_rules! move_fields {
    ($from:ident => $to:ident { $($f:ident),* $(,)? }) => {
        $to { $($f: $from.$f),* }
    };
    ($from:ident => $to:ident { $($f:ident),* , .. }) => {
        $to { $($f: $from.$f,)* ..Default::default() }
    };
}

pub mod account_bpa;
pub mod acl;
mod attributes;
pub mod attrs;
mod bucket;
mod copy;
pub mod cors;
mod customer_key;
mod encryption;
pub mod error;
mod ingest;
mod internal_write;
mod lifecycle;
pub mod lifecycle_rules;
pub mod lifecycle_run;
mod list;
pub mod logging;
mod multipart;
mod multipart_checksum;
mod object;
pub mod object_lock;
mod policy;
mod post;
pub mod post_form;
pub mod public_access;
mod read;
mod versions;
mod write_conditions;

use crate::principal::Principal;
use crate::state::State;
use s3s::dto::*;
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};

/// Cairn's S3 service.
pub struct CairnS3 {
    pub state: State,
}

/// The caller the authorization step left in the request.
fn caller<T>(req: &S3Request<T>) -> S3Result<Principal> {
    req.extensions
        .get::<Principal>()
        .cloned()
        .ok_or_else(|| s3_error!(AccessDenied, "Access Denied"))
}

impl CairnS3 {
    /// The condition keys of a request, for authorization checks a handler makes itself.
    fn request_context<T>(&self, req: &S3Request<T>) -> Vec<(String, Vec<String>)> {
        let remote = req
            .extensions
            .get::<crate::access::RemoteAddr>()
            .map(|r| r.0);
        crate::access::request_keys(
            &req.headers,
            req.uri.query(),
            remote,
            crate::access::is_secure(&req.extensions),
            &self.state.region,
        )
    }
}

macro_rules! route {
    ($($op:ident => $imp:ident: $input:ty => $output:ty;)*) => {
        /// The S3 trait methods Cairn implements (s3s answers 501 NotImplemented for the
        /// others); the operation table (`crate::operations`) is checked against it.
        pub const ROUTED: &[&str] = &[$(stringify!($op)),*];

        #[async_trait::async_trait]
        impl S3 for CairnS3 {
            $(
                async fn $op(&self, req: S3Request<$input>) -> S3Result<S3Response<$output>> {
                    self.$imp(req).await
                }
            )*
        }
    };
}

route! {
    create_bucket => do_create_bucket: CreateBucketInput => CreateBucketOutput;
    head_bucket => do_head_bucket: HeadBucketInput => HeadBucketOutput;
    get_bucket_location => do_get_bucket_location: GetBucketLocationInput => GetBucketLocationOutput;
    list_buckets => do_list_buckets: ListBucketsInput => ListBucketsOutput;
    delete_bucket => do_delete_bucket: DeleteBucketInput => DeleteBucketOutput;
    put_bucket_tagging => do_put_bucket_tagging: PutBucketTaggingInput => PutBucketTaggingOutput;
    get_bucket_tagging => do_get_bucket_tagging: GetBucketTaggingInput => GetBucketTaggingOutput;
    delete_bucket_tagging => do_delete_bucket_tagging: DeleteBucketTaggingInput => DeleteBucketTaggingOutput;
    put_object => do_put_object: PutObjectInput => PutObjectOutput;
    post_object => do_post_object: PostObjectInput => PostObjectOutput;
    get_object => do_get_object: GetObjectInput => GetObjectOutput;
    head_object => do_head_object: HeadObjectInput => HeadObjectOutput;
    delete_object => do_delete_object: DeleteObjectInput => DeleteObjectOutput;
    delete_objects => do_delete_objects: DeleteObjectsInput => DeleteObjectsOutput;
    copy_object => do_copy_object: CopyObjectInput => CopyObjectOutput;
    put_object_tagging => do_put_object_tagging: PutObjectTaggingInput => PutObjectTaggingOutput;
    get_object_tagging => do_get_object_tagging: GetObjectTaggingInput => GetObjectTaggingOutput;
    delete_object_tagging => do_delete_object_tagging: DeleteObjectTaggingInput => DeleteObjectTaggingOutput;
    list_objects => do_list_objects: ListObjectsInput => ListObjectsOutput;
    list_objects_v2 => do_list_objects_v2: ListObjectsV2Input => ListObjectsV2Output;
    create_multipart_upload => do_create_multipart_upload: CreateMultipartUploadInput => CreateMultipartUploadOutput;
    upload_part => do_upload_part: UploadPartInput => UploadPartOutput;
    upload_part_copy => do_upload_part_copy: UploadPartCopyInput => UploadPartCopyOutput;
    complete_multipart_upload => do_complete_multipart_upload: CompleteMultipartUploadInput => CompleteMultipartUploadOutput;
    abort_multipart_upload => do_abort_multipart_upload: AbortMultipartUploadInput => AbortMultipartUploadOutput;
    list_parts => do_list_parts: ListPartsInput => ListPartsOutput;
    list_multipart_uploads => do_list_multipart_uploads: ListMultipartUploadsInput => ListMultipartUploadsOutput;
    put_bucket_policy => do_put_bucket_policy: PutBucketPolicyInput => PutBucketPolicyOutput;
    get_bucket_policy => do_get_bucket_policy: GetBucketPolicyInput => GetBucketPolicyOutput;
    delete_bucket_policy => do_delete_bucket_policy: DeleteBucketPolicyInput => DeleteBucketPolicyOutput;
    get_bucket_policy_status => do_get_bucket_policy_status: GetBucketPolicyStatusInput => GetBucketPolicyStatusOutput;
    put_public_access_block => do_put_public_access_block: PutPublicAccessBlockInput => PutPublicAccessBlockOutput;
    get_public_access_block => do_get_public_access_block: GetPublicAccessBlockInput => GetPublicAccessBlockOutput;
    delete_public_access_block => do_delete_public_access_block: DeletePublicAccessBlockInput => DeletePublicAccessBlockOutput;
    put_bucket_ownership_controls => do_put_bucket_ownership_controls: PutBucketOwnershipControlsInput => PutBucketOwnershipControlsOutput;
    get_bucket_ownership_controls => do_get_bucket_ownership_controls: GetBucketOwnershipControlsInput => GetBucketOwnershipControlsOutput;
    delete_bucket_ownership_controls => do_delete_bucket_ownership_controls: DeleteBucketOwnershipControlsInput => DeleteBucketOwnershipControlsOutput;
    get_bucket_acl => do_get_bucket_acl: GetBucketAclInput => GetBucketAclOutput;
    put_bucket_acl => do_put_bucket_acl: PutBucketAclInput => PutBucketAclOutput;
    get_object_acl => do_get_object_acl: GetObjectAclInput => GetObjectAclOutput;
    put_bucket_cors => do_put_bucket_cors: PutBucketCorsInput => PutBucketCorsOutput;
    put_bucket_logging => do_put_bucket_logging: PutBucketLoggingInput => PutBucketLoggingOutput;
    get_bucket_logging => do_get_bucket_logging: GetBucketLoggingInput => GetBucketLoggingOutput;
    put_object_lock_configuration => do_put_object_lock_configuration: PutObjectLockConfigurationInput => PutObjectLockConfigurationOutput;
    get_object_lock_configuration => do_get_object_lock_configuration: GetObjectLockConfigurationInput => GetObjectLockConfigurationOutput;
    put_object_retention => do_put_object_retention: PutObjectRetentionInput => PutObjectRetentionOutput;
    get_object_retention => do_get_object_retention: GetObjectRetentionInput => GetObjectRetentionOutput;
    put_object_legal_hold => do_put_object_legal_hold: PutObjectLegalHoldInput => PutObjectLegalHoldOutput;
    get_object_legal_hold => do_get_object_legal_hold: GetObjectLegalHoldInput => GetObjectLegalHoldOutput;
    restore_object => do_restore_object: RestoreObjectInput => RestoreObjectOutput;
    list_object_versions => do_list_object_versions: ListObjectVersionsInput => ListObjectVersionsOutput;
    get_bucket_versioning => do_get_bucket_versioning: GetBucketVersioningInput => GetBucketVersioningOutput;
    put_bucket_versioning => do_put_bucket_versioning: PutBucketVersioningInput => PutBucketVersioningOutput;
    get_bucket_cors => do_get_bucket_cors: GetBucketCorsInput => GetBucketCorsOutput;
    delete_bucket_cors => do_delete_bucket_cors: DeleteBucketCorsInput => DeleteBucketCorsOutput;
    put_object_acl => do_put_object_acl: PutObjectAclInput => PutObjectAclOutput;
    put_bucket_encryption => do_put_bucket_encryption: PutBucketEncryptionInput => PutBucketEncryptionOutput;
    get_bucket_encryption => do_get_bucket_encryption: GetBucketEncryptionInput => GetBucketEncryptionOutput;
    delete_bucket_encryption => do_delete_bucket_encryption: DeleteBucketEncryptionInput => DeleteBucketEncryptionOutput;
    get_object_attributes => do_get_object_attributes: GetObjectAttributesInput => GetObjectAttributesOutput;
    put_bucket_lifecycle_configuration => do_put_bucket_lifecycle_configuration: PutBucketLifecycleConfigurationInput => PutBucketLifecycleConfigurationOutput;
    get_bucket_lifecycle_configuration => do_get_bucket_lifecycle_configuration: GetBucketLifecycleConfigurationInput => GetBucketLifecycleConfigurationOutput;
    delete_bucket_lifecycle => do_delete_bucket_lifecycle: DeleteBucketLifecycleInput => DeleteBucketLifecycleOutput;
}
