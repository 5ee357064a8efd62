//! GetObjectAttributes: an object's ETag, checksum, parts, storage class and size in one call,
//! without its body. Parts come from the object's layout (one segment per part of a multipart
//! object); parts carry their number, size and, when the upload declared an algorithm, checksum.

use super::CairnS3;
use crate::s3::attrs::{etag, version_of};
use crate::s3::customer_key::{self, Role};
use crate::time::to_timestamp;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

impl CairnS3 {
    pub(super) async fn do_get_object_attributes(
        &self,
        req: S3Request<GetObjectAttributesInput>,
    ) -> S3Result<S3Response<GetObjectAttributesOutput>> {
        let customer = customer_key::from_headers(&req.headers, Role::Target)?;
        let input = req.input;
        let obj = self
            .object_at(&input.bucket, &input.key, input.version_id.as_deref())
            .await?;
        // An SSE-C object's attributes need its key, as its body does.
        self.read_key(&obj.attrs, customer)?;
        // One header, `x-amz-object-attributes: ETag, ObjectSize`: clients put spaces after
        // the commas, so each name is trimmed.
        let wants = |a: &str| {
            input
                .object_attributes
                .iter()
                .flat_map(|x| x.as_str().split(','))
                .any(|x| x.trim() == a)
        };
        let mut out = GetObjectAttributesOutput {
            version_id: version_of(&obj.version_id),
            last_modified: Some(to_timestamp(obj.last_modified)),
            ..Default::default()
        };
        if wants(ObjectAttributes::ETAG) {
            out.e_tag = Some(etag(&obj.etag));
        }
        if wants(ObjectAttributes::OBJECT_SIZE) {
            out.object_size = Some(i64::try_from(obj.size).unwrap_or(i64::MAX));
        }
        if wants(ObjectAttributes::STORAGE_CLASS) {
            out.storage_class = Some(StorageClass::from(
                obj.attrs
                    .storage_class
                    .clone()
                    .unwrap_or_else(|| StorageClass::STANDARD.to_string()),
            ));
        }
        if wants(ObjectAttributes::CHECKSUM) && !obj.attrs.checksums.is_empty() {
            let c = &obj.attrs.checksums;
            out.checksum = Some(Checksum {
                checksum_crc32: c.crc32.clone(),
                checksum_crc32c: c.crc32c.clone(),
                checksum_crc64nvme: c.crc64nvme.clone(),
                checksum_sha1: c.sha1.clone(),
                checksum_sha256: c.sha256.clone(),
                checksum_type: c.kind.clone().map(ChecksumType::from),
            });
        }
        if wants(ObjectAttributes::OBJECT_PARTS)
            && let Some(count) = obj.attrs.parts_count
        {
            let max = usize::try_from(input.max_parts.unwrap_or(1000).clamp(0, 1000)).unwrap_or(0);
            let marker = input.part_number_marker.unwrap_or(0).max(0);
            let skip = usize::try_from(marker).unwrap_or(0);
            let parts: Vec<ObjectPart> = obj
                .layout
                .iter()
                .enumerate()
                .skip(skip)
                .take(max)
                .map(|(i, seg)| {
                    let c = obj.attrs.part_checksums.get(i).cloned().unwrap_or_default();
                    ObjectPart {
                        part_number: i32::try_from(i + 1).ok(),
                        size: i64::try_from(seg.size).ok(),
                        checksum_crc32: c.crc32,
                        checksum_crc32c: c.crc32c,
                        checksum_crc64nvme: c.crc64nvme,
                        checksum_sha1: c.sha1,
                        checksum_sha256: c.sha256,
                    }
                })
                .collect();
            let last = parts.last().and_then(|p| p.part_number);
            let truncated = skip + parts.len() < obj.layout.len();
            out.object_parts = Some(GetObjectAttributesParts {
                total_parts_count: i32::try_from(count).ok(),
                part_number_marker: Some(marker),
                next_part_number_marker: last,
                max_parts: i32::try_from(max).ok(),
                is_truncated: Some(truncated),
                parts: Some(parts),
            });
        }
        if out.e_tag.is_none()
            && out.object_size.is_none()
            && out.storage_class.is_none()
            && out.checksum.is_none()
            && out.object_parts.is_none()
            && input.object_attributes.is_empty()
        {
            return Err(s3_error!(
                InvalidArgument,
                "Invalid attribute name specified."
            ));
        }
        Ok(S3Response::new(out))
    }
}
