//! Multipart uploads: create, upload part (and part copy), complete, abort, list.

use super::{CairnS3, caller};
use crate::s3::attrs::*;
use crate::s3::customer_key::{self, Role};
use crate::s3::encryption;
use crate::s3::error::meta_err;
use crate::s3::ingest::{Claims, ingest};
use crate::s3::multipart_checksum::{Declared, object_checksums, verify};
use crate::s3::read::Conditions;
use crate::time::{now_ms, to_timestamp};
use cairn_meta::{Checksums, MetaError, ObjectRecord, PartRecord, Segment, UploadRecord};
use md5::{Digest, Md5};
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

/// Every part but the last must be at least this big (AWS: 5 MiB).
const MIN_PART_SIZE: u64 = 5 << 20;
/// A single part may be up to 5 GiB.
const MAX_PART_SIZE: u64 = 5 << 30;

/// CompleteMultipartUpload's answer for the object it made.
fn completed_output(
    input: &CompleteMultipartUploadInput,
    object: &ObjectRecord,
) -> CompleteMultipartUploadOutput {
    let c = object.attrs.checksums.clone();
    CompleteMultipartUploadOutput {
        bucket: Some(input.bucket.clone()),
        key: Some(input.key.clone()),
        location: Some(format!("/{}/{}", input.bucket, input.key)),
        e_tag: Some(etag(&object.etag)),
        checksum_crc32: c.crc32,
        checksum_crc32c: c.crc32c,
        checksum_crc64nvme: c.crc64nvme,
        checksum_sha1: c.sha1,
        checksum_sha256: c.sha256,
        checksum_type: c.kind.map(ChecksumType::from),
        server_side_encryption: encryption::reported(&object.attrs),
        ssekms_key_id: encryption::kms_reported(&object.attrs).0,
        bucket_key_enabled: encryption::kms_reported(&object.attrs).1,
        version_id: version_of(&object.version_id),
        ..Default::default()
    }
}

/// See [`CairnS3::upload_owners`].
struct UploadOwners {
    bucket_account: String,
    enforced: bool,
}

impl UploadOwners {
    /// An upload's Owner: the account its object will belong to — the writer's, recorded at
    /// CreateMultipartUpload by the bucket's Object Ownership, unless ACLs are now disabled.
    fn of(&self, upload: &UploadRecord) -> Owner {
        match &upload.attrs.owner {
            Some(o) if !self.enforced => owner(o),
            _ => owner(&self.bucket_account),
        }
    }
}

/// An upload's Initiator: an account's root as S3 shows account owners (canonical id, with the
/// account id as display name); an IAM user or role session by its ARN and name, as AWS does.
fn initiator(arn: &str) -> Initiator {
    if let Some(account) = arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.strip_suffix(":root"))
    {
        let o = owner(account);
        return Initiator {
            id: o.id,
            display_name: o.display_name,
        };
    }
    Initiator {
        id: Some(arn.to_string()),
        display_name: arn.rsplit(['/', ':']).next().map(str::to_string),
    }
}

fn check_part_number(n: i32) -> S3Result<u32> {
    u32::try_from(n)
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive"
            )
        })
}

/// Parses `bytes=first-last` of `x-amz-copy-source-range`.
fn copy_range(header: &str, size: u64) -> S3Result<std::ops::Range<u64>> {
    let invalid = || {
        s3_error!(
            InvalidArgument,
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"
        )
    };
    let spec = header.strip_prefix("bytes=").ok_or_else(invalid)?;
    let (a, b) = spec.split_once('-').ok_or_else(invalid)?;
    let first: u64 = a.trim().parse().map_err(|_| invalid())?;
    let last: u64 = b.trim().parse().map_err(|_| invalid())?;
    if first > last {
        return Err(invalid());
    }
    if last >= size {
        return Err(s3_error!(
            InvalidRange,
            "The requested range is not satisfiable"
        ));
    }
    Ok(first..last + 1)
}

impl CairnS3 {
    /// The upload, checked to belong to this bucket and key.
    async fn upload(&self, bucket: &str, key: &str, upload_id: &str) -> S3Result<UploadRecord> {
        match self
            .state
            .meta
            .get_upload(upload_id)
            .await
            .map_err(meta_err)?
        {
            Some(u) if u.bucket == bucket && u.key == key => Ok(u),
            _ => {
                self.bucket(bucket).await?;
                Err(meta_err(MetaError::NoSuchUpload))
            }
        }
    }

    /// Who owns what a bucket's uploads make, for ListParts and ListMultipartUploads: the
    /// bucket's account, and whether ACLs are disabled (then the bucket owner owns everything).
    async fn upload_owners(&self, bucket: &str) -> S3Result<UploadOwners> {
        Ok(UploadOwners {
            bucket_account: self.bucket(bucket).await?.account_id,
            enforced: self.ownership(bucket).await? == super::acl::ENFORCED,
        })
    }

    /// Records a part; if the upload vanished meanwhile, the new blob goes too.
    async fn commit_part(&self, part: &PartRecord) -> S3Result<()> {
        match self.state.meta.put_part(part).await {
            Ok(old) => {
                self.collect_garbage(old).await;
                Ok(())
            }
            Err(e) => {
                self.collect_garbage(vec![Segment {
                    blob: part.blob.clone(),
                    size: part.size,
                }])
                .await;
                Err(meta_err(e))
            }
        }
    }

    pub(super) async fn do_create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let principal = caller(&req)?;
        let customer = customer_key::from_headers(&req.headers, Role::Target)?;
        let input = req.input;
        self.bucket(&input.bucket).await?;
        let tags = tags_from_header(input.tagging.as_deref())?;
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
        // The object's owner is decided now, as for PutObject: ListParts and
        // ListMultipartUploads show it, and the completed object keeps it.
        let declared = Declared::new(
            input.checksum_algorithm.as_ref().map(|a| a.as_str()),
            input.checksum_type.as_ref().map(|t| t.as_str()),
        )?;
        attrs.checksums.kind = Some(declared.encode());
        (attrs.owner, attrs.acl) = self
            .object_owner(
                &input.bucket,
                &principal,
                input.acl.as_ref().map(|a| a.as_str()),
                acl_doc,
            )
            .await?;
        (attrs.retention, attrs.legal_hold) = self
            .initial_lock(
                &input.bucket,
                input.object_lock_mode.as_ref(),
                input.object_lock_retain_until_date.as_ref(),
                input.object_lock_legal_hold_status.as_ref(),
            )
            .await?;
        // Decided once for the upload: every part is sealed, or none, and the object says which.
        // SSE-C: only the key's MD5 is kept; every UploadPart must bring the same key.
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
        protection.record(&mut attrs);
        let checksum_type = declared
            .algorithm
            .as_ref()
            .map(|_| ChecksumType::from(declared.kind().to_string()));
        let upload = UploadRecord {
            upload_id: uuid::Uuid::new_v4().simple().to_string(),
            bucket: input.bucket.clone(),
            key: input.key.clone(),
            initiated: now_ms(),
            attrs,
            tags,
            initiator: principal.arn(),
        };
        self.state
            .meta
            .create_upload(&upload)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(CreateMultipartUploadOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            server_side_encryption: encryption::reported(&upload.attrs),
            sse_customer_algorithm: encryption::customer_reported(&upload.attrs).0,
            sse_customer_key_md5: encryption::customer_reported(&upload.attrs).1,
            ssekms_key_id: encryption::kms_reported(&upload.attrs).0,
            bucket_key_enabled: encryption::kms_reported(&upload.attrs).1,
            upload_id: Some(upload.upload_id),
            checksum_algorithm: input.checksum_algorithm,
            checksum_type,
            ..Default::default()
        }))
    }

    pub(super) async fn do_upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let mut claims = Claims::from_headers(&req.headers);
        claims.trailers = req.trailing_headers.clone();
        let customer = customer_key::from_headers(&req.headers, Role::Target)?;
        let input = req.input;
        let part_number = check_part_number(input.part_number)?;
        let upload = self
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
        let part_key = self.read_key(&upload.attrs, customer)?;
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
        let data = ingest(
            &self.state.blobs,
            part_key.as_ref(),
            input.body,
            &claims,
            MAX_PART_SIZE,
        )
        .await?;
        let part = PartRecord {
            upload_id: input.upload_id,
            part_number,
            size: data.size,
            etag: data.md5_hex(),
            blob: data.blob.clone(),
            checksums: data.checksums.clone(),
            last_modified: now_ms(),
        };
        self.commit_part(&part).await?;
        let c = data.checksums;
        Ok(S3Response::new(UploadPartOutput {
            e_tag: Some(etag(&part.etag)),
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_crc64nvme: claims.given.crc64nvme.and(c.crc64nvme),
            server_side_encryption: encryption::reported(&upload.attrs),
            sse_customer_algorithm: encryption::customer_reported(&upload.attrs).0,
            sse_customer_key_md5: encryption::customer_reported(&upload.attrs).1,
            ssekms_key_id: encryption::kms_reported(&upload.attrs).0,
            bucket_key_enabled: encryption::kms_reported(&upload.attrs).1,
            ..Default::default()
        }))
    }

    pub(super) async fn do_upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        let principal = caller(&req)?;
        let context = self.request_context(&req);
        let customer = customer_key::from_headers(&req.headers, Role::Target)?;
        let source_customer = customer_key::from_headers(&req.headers, Role::CopySource)?;
        let input = req.input;
        let part_number = check_part_number(input.part_number)?;
        let upload = self
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
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
        let range = match &input.copy_source_range {
            Some(r) => copy_range(r, src.size)?,
            None => 0..src.size,
        };
        let source_key = self.read_key(&src.attrs, source_customer)?;
        let part_key = self.read_key(&upload.attrs, customer)?;
        let data = self
            .copy_bytes(&src, source_key.as_ref(), range, part_key.as_ref())
            .await?;
        let part = PartRecord {
            upload_id: input.upload_id,
            part_number,
            size: data.size,
            etag: data.md5_hex(),
            blob: data.blob.clone(),
            checksums: Checksums::default(),
            last_modified: now_ms(),
        };
        self.commit_part(&part).await?;
        Ok(S3Response::new(UploadPartCopyOutput {
            copy_part_result: Some(CopyPartResult {
                e_tag: Some(etag(&part.etag)),
                last_modified: Some(to_timestamp(part.last_modified)),
                ..Default::default()
            }),
            copy_source_version_id: version_of(&src.version_id),
            server_side_encryption: encryption::reported(&upload.attrs),
            sse_customer_algorithm: encryption::customer_reported(&upload.attrs).0,
            sse_customer_key_md5: encryption::customer_reported(&upload.attrs).1,
            ssekms_key_id: encryption::kms_reported(&upload.attrs).0,
            bucket_key_enabled: encryption::kms_reported(&upload.attrs).1,
            ..Default::default()
        }))
    }

    pub(super) async fn do_complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let input = req.input;
        let requested = input
            .multipart_upload
            .clone()
            .and_then(|m| m.parts)
            .unwrap_or_default();
        let assembled = match self
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await
        {
            Ok(upload) => self.assemble(&input, &requested, upload).await,
            Err(e) => Err(e),
        };
        match assembled {
            Ok(object) => Ok(S3Response::new(completed_output(&input, &object))),
            Err(e) => self.settle_after_failure(&input, &requested, e).await,
        }
    }

    /// A completion that failed because the upload is gone (completed by a retry or by a racing
    /// request that removed its parts meanwhile) answers as a retry of the winner would: with
    /// the object it made, else NoSuchUpload. Any other failure stands.
    async fn settle_after_failure(
        &self,
        input: &CompleteMultipartUploadInput,
        requested: &[CompletedPart],
        failure: s3s::S3Error,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let gone = match self
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await
        {
            Ok(_) => return Err(failure),
            Err(gone) => gone,
        };
        match self.already_completed(input, requested).await? {
            Some(object) => Ok(S3Response::new(completed_output(input, &object))),
            None => Err(gone),
        }
    }

    /// Checks the requested parts against the stored ones and commits the assembled object.
    async fn assemble(
        &self,
        input: &CompleteMultipartUploadInput,
        requested: &[CompletedPart],
        upload: UploadRecord,
    ) -> S3Result<ObjectRecord> {
        if requested.is_empty() {
            return Err(s3_error!(
                MalformedXML,
                "You must specify at least one part"
            ));
        }
        if input.if_match.is_some() || input.if_none_match.is_some() {
            let current = self
                .state
                .meta
                .get_object(&input.bucket, &input.key)
                .await
                .map_err(meta_err)?;
            super::write_conditions::check(
                current.as_ref(),
                input.if_match.as_ref(),
                input.if_none_match.as_ref(),
            )?;
        }
        let stored = self
            .state
            .meta
            .list_parts(&input.upload_id, 0, 10_000)
            .await
            .map_err(meta_err)?;
        let mut chosen: Vec<PartRecord> = Vec::with_capacity(requested.len());
        let mut last = 0u32;
        for p in requested {
            let n = check_part_number(p.part_number.unwrap_or(0))?;
            if n <= last {
                return Err(s3_error!(
                    InvalidPartOrder,
                    "The list of parts was not in ascending order. The parts list must be specified in order by part number."
                ));
            }
            last = n;
            let invalid_part = || {
                s3_error!(
                    InvalidPart,
                    "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
                )
            };
            let found = stored
                .iter()
                .find(|s| s.part_number == n)
                .ok_or_else(invalid_part)?;
            if let Some(e) = &p.e_tag
                && e.value().trim_matches('"') != found.etag
            {
                return Err(invalid_part());
            }
            chosen.push(found.clone());
        }
        if let Some((_, all_but_last)) = chosen.split_last()
            && all_but_last.iter().any(|p| p.size < MIN_PART_SIZE)
        {
            return Err(s3_error!(
                EntityTooSmall,
                "Your proposed upload is smaller than the minimum allowed object size."
            ));
        }
        let mut md5s = Md5::new();
        for p in &chosen {
            md5s.update(hex::decode(&p.etag).unwrap_or_default());
        }
        let etag_value = format!("{}-{}", hex::encode(md5s.finalize()), chosen.len());
        let mut attrs = upload.attrs.clone();
        let declared = Declared::decode(attrs.checksums.kind.as_deref());
        attrs.checksums = object_checksums(&chosen, &declared);
        verify(
            &attrs.checksums,
            &given_checksums(
                input.checksum_crc32.clone(),
                input.checksum_crc32c.clone(),
                input.checksum_crc64nvme.clone(),
                input.checksum_sha1.clone(),
                input.checksum_sha256.clone(),
            ),
        )?;
        attrs.parts_count = Some(chosen.len() as u32);
        attrs.completed_upload = Some(input.upload_id.clone());
        if declared.algorithm.is_some() {
            attrs.part_checksums = chosen.iter().map(|p| p.checksums.clone()).collect();
        }
        let object = ObjectRecord {
            bucket: input.bucket.clone(),
            key: input.key.clone(),
            version_id: self.next_version_id(&input.bucket).await?,
            size: chosen.iter().map(|p| p.size).sum(),
            etag: etag_value,
            last_modified: now_ms(),
            layout: chosen
                .iter()
                .map(|p| Segment {
                    blob: p.blob.clone(),
                    size: p.size,
                })
                .collect(),
            attrs,
            tags: upload.tags,
        };
        let garbage = self
            .state
            .meta
            .complete_upload(&input.upload_id, &object)
            .await
            .map_err(meta_err)?;
        self.collect_garbage(garbage).await;
        Ok(object)
    }

    /// The object a retried CompleteMultipartUpload already made: the current version at the
    /// key, completed from this upload, with the ETag the requested parts give. `None` when
    /// there is none (the request then gets NoSuchUpload).
    async fn already_completed(
        &self,
        input: &CompleteMultipartUploadInput,
        requested: &[CompletedPart],
    ) -> S3Result<Option<ObjectRecord>> {
        let Some(object) = self
            .state
            .meta
            .get_object(&input.bucket, &input.key)
            .await
            .map_err(meta_err)?
        else {
            return Ok(None);
        };
        if object.attrs.completed_upload.as_deref() != Some(input.upload_id.as_str()) {
            return Ok(None);
        }
        let mut md5s = Md5::new();
        for p in requested {
            let Some(e) = &p.e_tag else {
                return Ok(None);
            };
            md5s.update(hex::decode(e.value().trim_matches('"')).unwrap_or_default());
        }
        let same_parts =
            object.etag == format!("{}-{}", hex::encode(md5s.finalize()), requested.len());
        Ok(same_parts.then_some(object))
    }

    pub(super) async fn do_abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let input = req.input;
        self.upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
        let garbage = self
            .state
            .meta
            .abort_upload(&input.upload_id)
            .await
            .map_err(meta_err)?;
        self.collect_garbage(garbage).await;
        Ok(S3Response::new(AbortMultipartUploadOutput::default()))
    }

    pub(super) async fn do_list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        let input = req.input;
        let upload = self
            .upload(&input.bucket, &input.key, &input.upload_id)
            .await?;
        let owners = self.upload_owners(&input.bucket).await?;
        let max = input.max_parts.unwrap_or(1000).clamp(0, 1000) as usize;
        let after = u32::try_from(input.part_number_marker.unwrap_or(0)).unwrap_or(0);
        let mut parts = self
            .state
            .meta
            .list_parts(&input.upload_id, after, max + 1)
            .await
            .map_err(meta_err)?;
        let truncated = parts.len() > max;
        parts.truncate(max);
        let next = parts.last().map(|p| p.part_number as i32);
        Ok(S3Response::new(ListPartsOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(input.upload_id),
            max_parts: Some(max as i32),
            part_number_marker: input.part_number_marker,
            next_part_number_marker: next,
            is_truncated: Some(truncated),
            owner: Some(owners.of(&upload)),
            initiator: Some(initiator(&upload.initiator)),
            storage_class: Some(StorageClass::from(
                upload
                    .attrs
                    .storage_class
                    .clone()
                    .unwrap_or_else(|| "STANDARD".into()),
            )),
            checksum_algorithm: Declared::decode(upload.attrs.checksums.kind.as_deref())
                .algorithm
                .map(ChecksumAlgorithm::from),
            parts: Some(
                parts
                    .into_iter()
                    .map(|p| Part {
                        part_number: Some(p.part_number as i32),
                        size: Some(i64::try_from(p.size).unwrap_or(i64::MAX)),
                        e_tag: Some(etag(&p.etag)),
                        last_modified: Some(to_timestamp(p.last_modified)),
                        checksum_crc32: p.checksums.crc32,
                        checksum_crc32c: p.checksums.crc32c,
                        checksum_sha1: p.checksums.sha1,
                        checksum_sha256: p.checksums.sha256,
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }

    pub(super) async fn do_list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let input = req.input;
        let owners = self.upload_owners(&input.bucket).await?;
        let max = input.max_uploads.unwrap_or(1000).clamp(0, 1000) as usize;
        let prefix = input.prefix.clone().unwrap_or_default();
        let delimiter = input.delimiter.clone().filter(|d| !d.is_empty());
        let mut uploads = self
            .state
            .meta
            .list_uploads(
                &input.bucket,
                &prefix,
                input.key_marker.as_deref().filter(|k| !k.is_empty()),
                input.upload_id_marker.as_deref().filter(|k| !k.is_empty()),
                max + 1,
            )
            .await
            .map_err(meta_err)?;
        let truncated = uploads.len() > max;
        uploads.truncate(max);
        let mut prefixes: Vec<String> = Vec::new();
        let mut listed = Vec::new();
        for u in &uploads {
            if let Some(d) = &delimiter
                && let Some(i) = u.key[prefix.len()..].find(d.as_str())
            {
                let cp = format!(
                    "{prefix}{}",
                    &u.key[prefix.len()..prefix.len() + i + d.len()]
                );
                if prefixes.last() != Some(&cp) {
                    prefixes.push(cp);
                }
                continue;
            }
            listed.push(MultipartUpload {
                key: Some(u.key.clone()),
                upload_id: Some(u.upload_id.clone()),
                initiated: Some(to_timestamp(u.initiated)),
                initiator: Some(initiator(&u.initiator)),
                owner: Some(owners.of(u)),
                storage_class: Some(StorageClass::from(
                    u.attrs
                        .storage_class
                        .clone()
                        .unwrap_or_else(|| "STANDARD".into()),
                )),
                checksum_algorithm: Declared::decode(u.attrs.checksums.kind.as_deref())
                    .algorithm
                    .map(ChecksumAlgorithm::from),
                ..Default::default()
            });
        }
        let last = uploads.last();
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: input.prefix,
            delimiter: input.delimiter,
            key_marker: input.key_marker,
            upload_id_marker: input.upload_id_marker,
            max_uploads: Some(max as i32),
            is_truncated: Some(truncated),
            next_key_marker: truncated.then(|| last.map(|u| u.key.clone())).flatten(),
            next_upload_id_marker: truncated
                .then(|| last.map(|u| u.upload_id.clone()))
                .flatten(),
            uploads: Some(listed),
            common_prefixes: Some(
                prefixes
                    .into_iter()
                    .map(|p| CommonPrefix { prefix: Some(p) })
                    .collect(),
            ),
            encoding_type: input.encoding_type,
            ..Default::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_ranges_follow_aws_syntax() {
        assert_eq!(copy_range("bytes=0-9", 100).unwrap(), 0..10);
        assert!(copy_range("bytes=5-4", 100).is_err());
        assert!(copy_range("0-4", 100).is_err());
        assert_eq!(
            copy_range("bytes=0-100", 100).unwrap_err().code().as_str(),
            "InvalidRange"
        );
    }

    #[test]
    fn part_numbers_are_1_to_10000() {
        assert!(check_part_number(0).is_err());
        assert!(check_part_number(10_001).is_err());
        assert_eq!(check_part_number(10_000).unwrap(), 10_000);
    }
}
