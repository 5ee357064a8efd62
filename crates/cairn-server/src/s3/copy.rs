//! CopyObject, and the byte copy UploadPartCopy shares with it.

use super::{CairnS3, caller};
use crate::access::check_action;
use crate::s3::attrs::*;
use crate::s3::customer_key::{self, Role};
use crate::s3::encryption;
use crate::s3::error::io_err;
use crate::s3::ingest::Ingested;
use crate::s3::read::{Conditions, stream_range};
use crate::time::{now_ms, to_timestamp};
use cairn_blob::KeyWrap;
use cairn_meta::{ObjectRecord, Segment};
use futures::StreamExt;
use md5::{Digest, Md5};
use s3s::checksum::ChecksumHasher;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

/// The source object of a copy, after authorization and its conditions.
pub(super) struct CopySourceObject {
    pub object: ObjectRecord,
}

impl CairnS3 {
    /// Resolves `x-amz-copy-source`, checks `s3:GetObject` on it for the caller, and applies the
    /// `x-amz-copy-source-if-*` conditions.
    pub(super) async fn copy_source(
        &self,
        principal: &crate::principal::Principal,
        source: &CopySource,
        conditions: Conditions,
        context: Vec<(String, Vec<String>)>,
    ) -> S3Result<CopySourceObject> {
        let CopySource::Bucket {
            bucket,
            key,
            version_id,
        } = source
        else {
            return Err(s3_error!(
                NotImplemented,
                "Access point copy sources are not supported"
            ));
        };
        check_action(
            &self.state,
            principal,
            "s3:GetObject",
            bucket,
            Some(key),
            context,
        )
        .await?;
        let object = self.object_at(bucket, key, version_id.as_deref()).await?;
        conditions.check_copy(&object)?;
        Ok(CopySourceObject { object })
    }

    /// Copies `range` of `source` into a new durable blob, hashing it as an upload would: the
    /// source is decrypted with `source_key` if it is sealed, and the copy is sealed (with its
    /// own data key) under `dest_key` when given, whatever the source was.
    pub(super) async fn copy_bytes(
        &self,
        source: &ObjectRecord,
        source_key: Option<&KeyWrap>,
        range: std::ops::Range<u64>,
        dest_key: Option<&KeyWrap>,
    ) -> S3Result<Ingested> {
        let mut body = stream_range(&self.state.blobs, source_key, &source.layout, range).await?;
        let mut writer = match dest_key {
            Some(wrap) => self.state.blobs.create_sealed(wrap).await,
            None => self.state.blobs.create().await,
        }
        .map_err(io_err)?;
        let mut md5 = Md5::new();
        let mut hasher = ChecksumHasher {
            crc64nvme: Some(Default::default()),
            ..Default::default()
        };
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| crate::s3::error::body_err(e.as_ref()))?;
            md5.update(&chunk);
            hasher.update(&chunk);
            writer.write(&chunk).await.map_err(io_err)?;
        }
        let (blob, size) = writer.commit().await.map_err(io_err)?;
        let sums = hasher.finalize();
        Ok(Ingested {
            blob,
            size,
            md5: md5.finalize().into(),
            checksums: cairn_meta::Checksums {
                crc64nvme: sums.checksum_crc64nvme,
                kind: Some("FULL_OBJECT".into()),
                ..Default::default()
            },
        })
    }

    pub(super) async fn do_copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        let principal = caller(&req)?;
        let context = self.request_context(&req);
        let customer = customer_key::from_headers(&req.headers, Role::Target)?;
        let source_customer = customer_key::from_headers(&req.headers, Role::CopySource)?;
        let input = req.input;
        self.bucket(&input.bucket).await?;
        let src = self
            .copy_source(
                &principal,
                &input.copy_source,
                Conditions {
                    if_match: input.copy_source_if_match,
                    if_none_match: input.copy_source_if_none_match,
                    if_modified_since: input.copy_source_if_modified_since,
                    if_unmodified_since: input.copy_source_if_unmodified_since,
                },
                context,
            )
            .await?
            .object;
        let acl = input.acl.as_ref().map(|a| a.as_str().to_string());
        let acl_doc = self
            .check_write_acl(
                &input.bucket,
                &principal,
                input.acl.as_ref().map(|a| a.as_str()),
                &[
                    ("FULL_CONTROL", input.grant_full_control.as_ref()),
                    ("READ", input.grant_read.as_ref()),
                    ("READ_ACP", input.grant_read_acp.as_ref()),
                    ("WRITE_ACP", input.grant_write_acp.as_ref()),
                ],
            )
            .await?;
        let replace_meta = input
            .metadata_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == MetadataDirective::REPLACE);
        let replace_tags = input
            .tagging_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == TaggingDirective::REPLACE);
        let same = src.bucket == input.bucket && src.key == input.key;
        if same
            && !replace_meta
            && input.storage_class.is_none()
            && input.website_redirect_location.is_none()
            && input.server_side_encryption.is_none()
            && customer.is_none()
        {
            return Err(s3_error!(
                InvalidRequest,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
            ));
        }
        let tags = if replace_tags {
            tags_from_header(input.tagging.as_deref())?
        } else {
            src.tags.clone()
        };
        let lock = self
            .initial_lock(
                &input.bucket,
                input.object_lock_mode.as_ref(),
                input.object_lock_retain_until_date.as_ref(),
                input.object_lock_legal_hold_status.as_ref(),
            )
            .await?;
        let source_key = self.read_key(&src.attrs, source_customer)?;
        let protection = self
            .protect_new_object(
                &input.bucket,
                encryption::Requested {
                    algorithm: input.server_side_encryption.as_ref(),
                    kms_key_id: input.ssekms_key_id.as_deref(),
                    context: input.ssekms_encryption_context.as_deref(),
                    bucket_key_enabled: input.bucket_key_enabled,
                },
                customer,
            )
            .await?;
        let data = self
            .copy_bytes(
                &src,
                source_key.as_ref(),
                0..src.size,
                protection.wrap(self.state.master.key_wrap()),
            )
            .await?;
        let mut attrs = if replace_meta {
            attrs_from(HeaderFields {
                content_type: input.content_type,
                content_encoding: input.content_encoding,
                content_disposition: input.content_disposition,
                content_language: input.content_language,
                cache_control: input.cache_control,
                expires: input.expires,
                website_redirect_location: input.website_redirect_location,
                storage_class: input.storage_class,
                metadata: input.metadata,
            })
        } else {
            let mut a = src.attrs.clone();
            if let Some(sc) = input.storage_class {
                a.storage_class = Some(sc.as_str().to_string()).filter(|s| s != "STANDARD");
            }
            a
        };
        attrs.parts_count = None;
        attrs.completed_upload = None;
        attrs.part_checksums = Vec::new();
        attrs.checksums = data.checksums.clone();
        (attrs.retention, attrs.legal_hold) = lock;
        (attrs.owner, attrs.acl) = self
            .object_owner(&input.bucket, &principal, acl.as_deref(), acl_doc)
            .await?;
        let version_id = self.next_version_id(&input.bucket).await?;
        protection.record(&mut attrs);
        let kms_context = input
            .ssekms_encryption_context
            .filter(|_| attrs.sse_kms_key_id.is_some());
        let object = ObjectRecord {
            bucket: input.bucket,
            key: input.key,
            version_id,
            size: data.size,
            etag: data.md5_hex(),
            last_modified: now_ms(),
            layout: vec![Segment {
                blob: data.blob.clone(),
                size: data.size,
            }],
            attrs,
            tags,
        };
        self.commit_object(&object).await?;
        Ok(S3Response::new(CopyObjectOutput {
            copy_object_result: Some(CopyObjectResult {
                e_tag: Some(etag(&object.etag)),
                last_modified: Some(to_timestamp(object.last_modified)),
                checksum_crc64nvme: data.checksums.crc64nvme,
                ..Default::default()
            }),
            server_side_encryption: encryption::reported(&object.attrs),
            sse_customer_algorithm: encryption::customer_reported(&object.attrs).0,
            sse_customer_key_md5: encryption::customer_reported(&object.attrs).1,
            ssekms_key_id: encryption::kms_reported(&object.attrs).0,
            bucket_key_enabled: encryption::kms_reported(&object.attrs).1,
            ssekms_encryption_context: kms_context,
            version_id: version_of(&object.version_id),
            copy_source_version_id: version_of(&src.version_id),
            ..Default::default()
        }))
    }
}
