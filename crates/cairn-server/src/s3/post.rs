//! POST object (browser form uploads): s3s verifies the form's signature and policy conditions;
//! the upload itself is a PutObject. The form's `acl` and `tagging` fields, which s3s does not
//! take, come from the fields the router read ahead ([`super::post_form`]).

use super::CairnS3;
use super::post_form::FormFields;
use http::HeaderValue;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

fn into_put(x: PostObjectInput) -> PutObjectInput {
    move_fields!(x => PutObjectInput {
        acl, body, bucket, bucket_key_enabled, cache_control, checksum_algorithm, checksum_crc32,
        checksum_crc32c, checksum_crc64nvme, checksum_sha1, checksum_sha256, content_disposition,
        content_encoding, content_language, content_length, content_md5, content_type,
        expected_bucket_owner, expires, grant_full_control, grant_read, grant_read_acp,
        grant_write_acp, if_match, if_none_match, key, metadata, object_lock_legal_hold_status,
        object_lock_mode, object_lock_retain_until_date, request_payer, sse_customer_algorithm,
        sse_customer_key, sse_customer_key_md5, ssekms_encryption_context, ssekms_key_id,
        server_side_encryption, storage_class, tagging, website_redirect_location, write_offset_bytes,
    })
}

fn into_post_output(x: PutObjectOutput) -> PostObjectOutput {
    move_fields!(x => PostObjectOutput {
        bucket_key_enabled, checksum_crc32, checksum_crc32c, checksum_crc64nvme, checksum_sha1,
        checksum_sha256, checksum_type, e_tag, expiration, request_charged, sse_customer_algorithm,
        sse_customer_key_md5, ssekms_encryption_context, ssekms_key_id, server_side_encryption, size,
        version_id,
    })
}

/// A form's `tagging` field is a Tagging document; PutObject takes tags as the
/// `x-amz-tagging` header's query string.
fn tagging_as_header(xml: &str) -> S3Result<String> {
    let mut d = s3s::xml::Deserializer::new(xml.as_bytes());
    let tagging = <Tagging as s3s::xml::Deserialize>::deserialize(&mut d).map_err(|_| {
        s3_error!(
            MalformedXML,
            "The tagging field is not a valid Tagging document"
        )
    })?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    for tag in tagging.tag_set {
        query.append_pair(&tag.key.unwrap_or_default(), &tag.value.unwrap_or_default());
    }
    Ok(query.finish())
}

impl CairnS3 {
    pub(super) async fn do_post_object(
        &self,
        mut req: S3Request<PostObjectInput>,
    ) -> S3Result<S3Response<PostObjectOutput>> {
        // A form's SSE-C fields play the headers' part (PutObject reads the key from headers).
        let input = &req.input;
        for (name, value) in [
            (
                "x-amz-server-side-encryption-customer-algorithm",
                &input.sse_customer_algorithm,
            ),
            (
                "x-amz-server-side-encryption-customer-key",
                &input.sse_customer_key,
            ),
            (
                "x-amz-server-side-encryption-customer-key-md5",
                &input.sse_customer_key_md5,
            ),
        ] {
            if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok())
                && !req.headers.contains_key(name)
            {
                req.headers.insert(name, v);
            }
        }
        if let Some(form) = req.extensions.get::<FormFields>().cloned() {
            let input = &mut req.input;
            if input.acl.is_none()
                && let Some(acl) = form.get("acl")
            {
                input.acl = Some(ObjectCannedACL::from(acl.to_string()));
            }
            if input.tagging.is_none()
                && let Some(xml) = form.get("tagging")
            {
                input.tagging = Some(tagging_as_header(xml)?);
            }
        }
        let redirect = req.input.success_action_redirect.is_some();
        let resp = self.do_put_object(req.map_input(into_put)).await?;
        let mut resp = resp.map_output(into_post_output);
        // The redirect's query carries the ETag as the header would, quotes included
        // (`etag=%22…%22`); s3s appends the bare value.
        if redirect && let Some(ETag::Strong(v)) = &resp.output.e_tag {
            resp.output.e_tag = Some(ETag::Strong(format!("\"{v}\"")));
        }
        Ok(resp)
    }
}
