//! Object operations: PUT, GET, HEAD, DELETE (one and many), tagging.

use super::{CairnS3, caller};
use crate::s3::attrs::*;
use crate::s3::customer_key::{self, Role};
use crate::s3::encryption;
use crate::s3::error::meta_err;
use crate::s3::ingest::{Claims, MAX_PUT_SIZE, ingest};
use crate::s3::read::{Conditions, part_range, stream_range};
use crate::s3::write_conditions;
use crate::time::{now_ms, to_timestamp};
use cairn_meta::{Checksums, MetaError, ObjectRecord, Segment};
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

/// The headers GET and HEAD both return for an object (GET adds the body).
fn described_output(
    obj: ObjectRecord,
    d: Described,
    part_number: Option<i32>,
    with_checksums: bool,
) -> GetObjectOutput {
    // One part of a multipart object is reported with that part's own checksum.
    let part_checksums = part_number
        .and_then(|n| usize::try_from(n).ok()?.checked_sub(1))
        .and_then(|i| obj.attrs.part_checksums.get(i));
    let c = match part_checksums {
        Some(p) => Checksums {
            kind: obj.attrs.checksums.kind.clone(),
            ..p.clone()
        },
        None if with_checksums => obj.attrs.checksums.clone(),
        None => Default::default(),
    };
    let server_side_encryption = encryption::reported(&obj.attrs);
    let (sse_customer_algorithm, sse_customer_key_md5) = encryption::customer_reported(&obj.attrs);
    let (ssekms_key_id, bucket_key_enabled) = encryption::kms_reported(&obj.attrs);
    let a = obj.attrs;
    // Object Lock state, as GET and HEAD report it (AWS shows it to callers allowed to read it;
    // Cairn shows it to every reader of the object).
    let (object_lock_mode, object_lock_retain_until_date) = match &a.retention {
        Some((mode, until)) => (
            Some(ObjectLockMode::from(mode.clone())),
            Some(to_timestamp(*until)),
        ),
        None => (None, None),
    };
    let object_lock_legal_hold_status = a
        .legal_hold
        .then(|| ObjectLockLegalHoldStatus::from(ObjectLockLegalHoldStatus::ON.to_string()));
    GetObjectOutput {
        object_lock_mode,
        object_lock_retain_until_date,
        object_lock_legal_hold_status,
        accept_ranges: Some("bytes".into()),
        content_length: Some(d.content_length),
        content_range: d.content_range,
        e_tag: Some(etag(&obj.etag)),
        last_modified: Some(to_timestamp(obj.last_modified)),
        metadata: (!a.user_metadata.is_empty()).then(|| a.user_metadata.into_iter().collect()),
        // S3's type for an object stored without one.
        content_type: a
            .content_type
            .or_else(|| Some("binary/octet-stream".to_string())),
        content_encoding: a.content_encoding,
        content_disposition: a.content_disposition,
        content_language: a.content_language,
        cache_control: a.cache_control,
        expires: a.expires.as_deref().and_then(parse_http_date),
        website_redirect_location: a.website_redirect_location,
        storage_class: a.storage_class.map(StorageClass::from),
        parts_count: part_number.and(a.parts_count).map(|n| n as i32),
        tag_count: (!obj.tags.is_empty()).then_some(obj.tags.len() as i32),
        checksum_crc32: c.crc32,
        checksum_crc32c: c.crc32c,
        checksum_crc64nvme: c.crc64nvme,
        checksum_sha1: c.sha1,
        checksum_sha256: c.sha256,
        checksum_type: c.kind.map(ChecksumType::from),
        server_side_encryption,
        sse_customer_algorithm,
        sse_customer_key_md5,
        ssekms_key_id,
        bucket_key_enabled,
        version_id: version_of(&obj.version_id),
        ..Default::default()
    }
}

/// What GET and HEAD both return about an object.
struct Described {
    content_length: i64,
    content_range: Option<String>,
    range: std::ops::Range<u64>,
}

impl CairnS3 {
    /// The current object, or NoSuchKey (NoSuchBucket when the bucket is missing).
    pub(super) async fn object(&self, bucket: &str, key: &str) -> S3Result<ObjectRecord> {
        match self
            .state
            .meta
            .get_object(bucket, key)
            .await
            .map_err(meta_err)?
        {
            Some(o) => Ok(o),
            None => {
                self.bucket(bucket).await?;
                Err(meta_err(MetaError::NoSuchKey))
            }
        }
    }

    /// Deletes blobs no metadata points at any more. Failures leave orphans, never lost data.
    pub(super) async fn collect_garbage(&self, segments: Vec<Segment>) {
        for seg in segments {
            if let Err(e) = self.state.blobs.delete(&seg.blob).await {
                tracing::warn!(blob = %seg.blob, err = %e, "could not delete unreferenced blob");
            }
        }
    }

    /// Commits a new current version; the blob it replaces (or the new one, on failure) goes.
    pub(super) async fn commit_object(&self, object: &ObjectRecord) -> S3Result<()> {
        match self.state.meta.put_version(object).await {
            Ok(old) => {
                self.collect_garbage(old).await;
                Ok(())
            }
            Err(e) => {
                self.collect_garbage(object.layout.clone()).await;
                Err(meta_err(e))
            }
        }
    }

    pub(super) async fn do_put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let mut claims = Claims::from_headers(&req.headers);
        claims.trailers = req.trailing_headers.clone();
        let customer = customer_key::from_headers(&req.headers, Role::Target)?;
        let writer = caller(&req)?;
        let input = req.input;
        self.bucket(&input.bucket).await?;
        let tags = tags_from_header(input.tagging.as_deref())?;
        let acl = input.acl.as_ref().map(|a| a.as_str().to_string());
        let acl_doc = self
            .check_write_acl(
                &input.bucket,
                &writer,
                input.acl.as_ref().map(|a| a.as_str()),
                &[
                    ("FULL_CONTROL", input.grant_full_control.as_ref()),
                    ("READ", input.grant_read.as_ref()),
                    ("READ_ACP", input.grant_read_acp.as_ref()),
                    ("WRITE_ACP", input.grant_write_acp.as_ref()),
                ],
            )
            .await?;
        if input.if_match.is_some() || input.if_none_match.is_some() {
            let current = self
                .state
                .meta
                .get_object(&input.bucket, &input.key)
                .await
                .map_err(meta_err)?;
            write_conditions::check(
                current.as_ref(),
                input.if_match.as_ref(),
                input.if_none_match.as_ref(),
            )?;
        }
        let lock = self
            .initial_lock(
                &input.bucket,
                input.object_lock_mode.as_ref(),
                input.object_lock_retain_until_date.as_ref(),
                input.object_lock_legal_hold_status.as_ref(),
            )
            .await?;
        claims.content_md5 = input.content_md5;
        claims.content_length = input.content_length;
        claims.algorithm = input.checksum_algorithm;
        claims.given = given_checksums(
            input.checksum_crc32,
            input.checksum_crc32c,
            input.checksum_crc64nvme,
            input.checksum_sha1,
            input.checksum_sha256,
        );
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
        let data = ingest(
            &self.state.blobs,
            protection.wrap(self.state.master.key_wrap()),
            input.body,
            &claims,
            MAX_PUT_SIZE,
        )
        .await?;
        let mut attrs = attrs_from(HeaderFields {
            content_type: input.content_type,
            content_encoding: input.content_encoding,
            content_disposition: input.content_disposition,
            content_language: input.content_language,
            cache_control: input.cache_control,
            expires: input.expires,
            website_redirect_location: input.website_redirect_location,
            storage_class: input.storage_class,
            metadata: input.metadata,
        });
        attrs.checksums = data.checksums.clone();
        (attrs.retention, attrs.legal_hold) = lock;
        (attrs.owner, attrs.acl) = self
            .object_owner(&input.bucket, &writer, acl.as_deref(), acl_doc)
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
        let c = data.checksums;
        Ok(S3Response::new(PutObjectOutput {
            e_tag: Some(etag(&object.etag)),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_crc64nvme: c.crc64nvme,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_type: Some(ChecksumType::from("FULL_OBJECT".to_string())),
            server_side_encryption: encryption::reported(&object.attrs),
            sse_customer_algorithm: encryption::customer_reported(&object.attrs).0,
            sse_customer_key_md5: encryption::customer_reported(&object.attrs).1,
            ssekms_key_id: encryption::kms_reported(&object.attrs).0,
            bucket_key_enabled: encryption::kms_reported(&object.attrs).1,
            ssekms_encryption_context: kms_context,
            version_id: version_of(&object.version_id),
            expiration: self.expiration_of(&object).await,
            ..Default::default()
        }))
    }

    fn describe(
        obj: &ObjectRecord,
        range: Option<Range>,
        part_number: Option<i32>,
    ) -> S3Result<Described> {
        if range.is_some() && part_number.is_some() {
            return Err(s3_error!(
                InvalidRequest,
                "Cannot specify both Range header and partNumber query parameter"
            ));
        }
        let r = match (range, part_number) {
            (Some(range), _) => Some(range.check(obj.size)?),
            (None, Some(n)) => Some(part_range(obj, n)?),
            (None, None) => None,
        };
        Ok(match r {
            None => Described {
                content_length: i64::try_from(obj.size).unwrap_or(i64::MAX),
                content_range: None,
                range: 0..obj.size,
            },
            Some(r) => Described {
                content_length: i64::try_from(r.end - r.start).unwrap_or(i64::MAX),
                content_range: Some(if r.is_empty() {
                    format!("bytes */{}", obj.size)
                } else {
                    format!("bytes {}-{}/{}", r.start, r.end - 1, obj.size)
                }),
                range: r,
            },
        })
    }

    pub(super) async fn do_get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        let customer = customer_key::from_headers(&req.headers, Role::Target)?;
        encryption::refuse_on_read(&req.headers)?;
        let input = req.input;
        let obj = self
            .object_at(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        let wrap = self.read_key(&obj.attrs, customer)?;
        Conditions {
            if_match: input.if_match,
            if_none_match: input.if_none_match,
            if_modified_since: input.if_modified_since,
            if_unmodified_since: input.if_unmodified_since,
        }
        .check_read(&obj)?;
        let whole = input.range.is_none() && input.part_number.is_none();
        let d = Self::describe(&obj, input.range, input.part_number)?;
        let body = stream_range(
            &self.state.blobs,
            wrap.as_ref(),
            &obj.layout,
            d.range.clone(),
        )
        .await?;
        let with_checksums = whole
            && input
                .checksum_mode
                .is_some_and(|m| m.as_str() == ChecksumMode::ENABLED);
        let expiration = match input.version_id {
            None => self.expiration_of(&obj).await,
            Some(_) => None,
        };
        let mut out = described_output(obj, d, input.part_number, with_checksums);
        out.body = Some(body);
        out.expiration = expiration;
        Ok(S3Response::new(out))
    }

    pub(super) async fn do_head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        let customer = customer_key::from_headers(&req.headers, Role::Target)?;
        encryption::refuse_on_read(&req.headers)?;
        let input = req.input;
        let obj = self
            .object_at(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        self.read_key(&obj.attrs, customer)?;
        Conditions {
            if_match: input.if_match,
            if_none_match: input.if_none_match,
            if_modified_since: input.if_modified_since,
            if_unmodified_since: input.if_unmodified_since,
        }
        .check_read(&obj)?;
        let whole = input.range.is_none() && input.part_number.is_none();
        let d = Self::describe(&obj, input.range, input.part_number)?;
        let with_checksums = whole
            && input
                .checksum_mode
                .is_some_and(|m| m.as_str() == ChecksumMode::ENABLED);
        let tag_count = obj.tags.len();
        let expiration = match input.version_id {
            None => self.expiration_of(&obj).await,
            Some(_) => None,
        };
        let mut out = described_output(obj, d, input.part_number, with_checksums);
        out.expiration = expiration;
        let mut resp = S3Response::new(move_fields!(out => HeadObjectOutput {
            accept_ranges, content_length, content_range, e_tag, last_modified, metadata, content_type,
            content_encoding, content_disposition, content_language, cache_control, expires,
            website_redirect_location, storage_class, parts_count, checksum_crc32, checksum_crc32c,
            checksum_crc64nvme, checksum_sha1, checksum_sha256, checksum_type, server_side_encryption,
            sse_customer_algorithm, sse_customer_key_md5, ssekms_key_id, bucket_key_enabled,
            version_id, object_lock_mode,
            object_lock_retain_until_date, object_lock_legal_hold_status, expiration, ..
        }));
        // HeadObjectOutput has no field for it, but S3 sends the tag count on HEAD as on GET.
        if tag_count > 0 {
            resp.headers.insert(
                "x-amz-tagging-count",
                hyper::header::HeaderValue::from(tag_count),
            );
        }
        Ok(resp)
    }

    pub(super) async fn do_delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        let principal = caller(&req)?;
        let context = self.request_context(&req);
        let input = req.input;
        self.bucket(&input.bucket).await?;
        if let Some(cond) = &input.if_match {
            let obj = self.object(&input.bucket, &input.key).await?;
            if let ETagCondition::ETag(e) = cond
                && e.value() != obj.etag
            {
                return Err(s3_error!(
                    PreconditionFailed,
                    "At least one of the pre-conditions you specified did not hold"
                ));
            }
        }
        let guard = super::versions::LockGuard {
            principal: &principal,
            bypass: input.bypass_governance_retention.unwrap_or(false),
            context: &context,
        };
        let (version_id, delete_marker) = self
            .delete_versioned(
                &input.bucket,
                &input.key,
                input.version_id.as_deref(),
                guard,
            )
            .await?;
        Ok(S3Response::new(DeleteObjectOutput {
            version_id: version_id.filter(|v| v != "null" || delete_marker),
            delete_marker: delete_marker.then_some(true),
            ..Default::default()
        }))
    }

    pub(super) async fn do_delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let principal = caller(&req)?;
        let context = self.request_context(&req);
        let input = req.input;
        self.bucket(&input.bucket).await?;
        if input.delete.objects.len() > 1000 {
            return Err(s3_error!(
                MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema"
            ));
        }
        let quiet = input.delete.quiet.unwrap_or(false);
        let bypass = input.bypass_governance_retention.unwrap_or(false);
        let mut deleted = Vec::new();
        let mut errors = Vec::new();
        for ident in input.delete.objects {
            let outcome: S3Result<(Option<String>, bool)> = async {
                let action = if ident.version_id.is_some() {
                    "s3:DeleteObjectVersion"
                } else {
                    "s3:DeleteObject"
                };
                crate::access::check_action(
                    &self.state,
                    &principal,
                    action,
                    &input.bucket,
                    Some(&ident.key),
                    context.clone(),
                )
                .await?;
                let guard = super::versions::LockGuard {
                    principal: &principal,
                    bypass,
                    context: &context,
                };
                self.delete_versioned(
                    &input.bucket,
                    &ident.key,
                    ident.version_id.as_deref(),
                    guard,
                )
                .await
            }
            .await;
            match outcome {
                Ok(_) if quiet => {}
                Ok((version, marker)) => deleted.push(DeletedObject {
                    key: Some(ident.key),
                    version_id: ident.version_id.clone(),
                    delete_marker: marker.then_some(true),
                    delete_marker_version_id: if marker && ident.version_id.is_none() {
                        version
                    } else {
                        None
                    },
                }),
                Err(e) => errors.push(Error {
                    code: Some(e.code().as_str().to_string()),
                    message: e.message().map(str::to_string),
                    key: Some(ident.key),
                    version_id: ident.version_id,
                }),
            }
        }
        Ok(S3Response::new(DeleteObjectsOutput {
            deleted: Some(deleted),
            errors: (!errors.is_empty()).then_some(errors),
            ..Default::default()
        }))
    }

    pub(super) async fn do_put_object_tagging(
        &self,
        req: S3Request<PutObjectTaggingInput>,
    ) -> S3Result<S3Response<PutObjectTaggingOutput>> {
        let input = req.input;
        let tags = tags_from_dto(input.tagging.tag_set, 10)?;
        let obj = self
            .object_at(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        self.state
            .meta
            .set_version_tags(&obj.bucket, &obj.key, &obj.version_id, &tags)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutObjectTaggingOutput {
            version_id: version_of(&obj.version_id),
        }))
    }

    pub(super) async fn do_get_object_tagging(
        &self,
        req: S3Request<GetObjectTaggingInput>,
    ) -> S3Result<S3Response<GetObjectTaggingOutput>> {
        let input = req.input;
        let obj = self
            .object_at(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        Ok(S3Response::new(GetObjectTaggingOutput {
            tag_set: tags_to_dto(&obj.tags),
            version_id: version_of(&obj.version_id),
        }))
    }

    pub(super) async fn do_delete_object_tagging(
        &self,
        req: S3Request<DeleteObjectTaggingInput>,
    ) -> S3Result<S3Response<DeleteObjectTaggingOutput>> {
        let input = req.input;
        let obj = self
            .object_at(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        self.state
            .meta
            .set_version_tags(&obj.bucket, &obj.key, &obj.version_id, &Vec::new())
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(DeleteObjectTaggingOutput {
            version_id: version_of(&obj.version_id),
        }))
    }
}
