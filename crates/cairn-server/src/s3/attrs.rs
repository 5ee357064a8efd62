//! Stored object attributes ↔ S3 DTO fields: headers, user metadata, tags, owners, ETags.

use cairn_meta::{Checksums, ObjectAttrs, Tags};
use s3s::dto::{self, Owner, Timestamp, TimestampFormat};
use s3s::{S3Result, s3_error};
use sha2::{Digest, Sha256};

/// The standard headers an upload may set, as the DTOs carry them.
pub struct HeaderFields {
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub content_disposition: Option<String>,
    pub content_language: Option<String>,
    pub cache_control: Option<String>,
    pub expires: Option<Timestamp>,
    pub website_redirect_location: Option<String>,
    pub storage_class: Option<dto::StorageClass>,
    pub metadata: Option<dto::Metadata>,
}

/// Builds stored attributes from upload headers.
pub fn attrs_from(h: HeaderFields) -> ObjectAttrs {
    ObjectAttrs {
        content_type: h.content_type,
        content_encoding: h.content_encoding.and_then(|e| stored_content_encoding(&e)),
        content_disposition: h.content_disposition,
        content_language: h.content_language,
        cache_control: h.cache_control,
        expires: h.expires.and_then(|t| fmt_http_date(&t)),
        website_redirect_location: h.website_redirect_location,
        storage_class: h
            .storage_class
            .map(|s| s.as_str().to_string())
            .filter(|s| s != "STANDARD"),
        user_metadata: h
            .metadata
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
        checksums: Checksums::default(),
        parts_count: None,
        retention: None,
        legal_hold: false,
        acl: None,
        server_side_encryption: None,
        sse_customer_key_md5: None,
        sse_kms_key_id: None,
        bucket_key_enabled: false,
        completed_upload: None,
        part_checksums: Vec::new(),
        owner: None,
    }
}

/// `Content-Encoding` as stored: `aws-chunked` describes how the request body was framed, not
/// the object, so S3 drops it (and the header altogether when nothing else is left).
fn stored_content_encoding(value: &str) -> Option<String> {
    let chunked = |e: &str| e.trim().eq_ignore_ascii_case("aws-chunked");
    if !value.split(',').any(chunked) {
        return Some(value.to_string());
    }
    let kept: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty() && !chunked(e))
        .collect();
    (!kept.is_empty()).then(|| kept.join(", "))
}

pub fn fmt_http_date(t: &Timestamp) -> Option<String> {
    let mut buf = Vec::new();
    t.format(TimestampFormat::HttpDate, &mut buf).ok()?;
    String::from_utf8(buf).ok()
}

pub fn parse_http_date(s: &str) -> Option<Timestamp> {
    Timestamp::parse(TimestampFormat::HttpDate, s).ok()
}

/// The ETag as a DTO (stored without quotes).
pub fn etag(value: &str) -> dto::ETag {
    dto::ETag::Strong(value.to_string())
}

/// `None` for the `null` version of an unversioned bucket: AWS omits the header then.
pub fn version_of(version_id: &str) -> Option<String> {
    (version_id != "null").then(|| version_id.to_string())
}

/// The canonical user id S3 shows for an account: 64 hex digits, stable per account.
pub fn canonical_id(account_id: &str) -> String {
    hex::encode(Sha256::digest(
        format!("cairn-canonical-user:{account_id}").as_bytes(),
    ))
}

/// An account as S3 shows an owner or grantee: its canonical id, and as display name the account
/// id (AWS showed the account's name or e-mail before it dropped the field in 2025; clients and
/// the ceph/s3-tests suite still compare it, so Cairn shows a stable value).
pub fn owner(account_id: &str) -> Owner {
    Owner {
        display_name: Some(account_id.to_string()),
        id: Some(canonical_id(account_id)),
    }
}

/// Checks a tag set against S3's limits: `max` tags, unique keys, key ≤ 128 and value ≤ 256
/// characters.
pub fn validate_tags(tags: &Tags, max: usize) -> S3Result<()> {
    if tags.len() > max {
        return Err(s3_error!(
            InvalidTag,
            "Object tags cannot be greater than {max}"
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 {
            return Err(s3_error!(
                InvalidTag,
                "The TagKey you have provided is invalid"
            ));
        }
        if v.chars().count() > 256 {
            return Err(s3_error!(
                InvalidTag,
                "The TagValue you have provided is invalid"
            ));
        }
        if !seen.insert(k) {
            return Err(s3_error!(
                InvalidTag,
                "Cannot provide multiple Tags with the same key"
            ));
        }
    }
    Ok(())
}

/// Parses the `x-amz-tagging` header (URL query syntax).
pub fn tags_from_header(header: Option<&str>) -> S3Result<Tags> {
    let Some(header) = header.filter(|h| !h.is_empty()) else {
        return Ok(Vec::new());
    };
    let mut tags: Tags = form_urlencoded::parse(header.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    validate_tags(&tags, 10)?;
    // A query string has no order of its own; S3 keeps such tags sorted by key.
    tags.sort();
    Ok(tags)
}

pub fn tags_from_dto(set: Vec<dto::Tag>, max: usize) -> S3Result<Tags> {
    let tags: Tags = set
        .into_iter()
        .map(|t| (t.key.unwrap_or_default(), t.value.unwrap_or_default()))
        .collect();
    validate_tags(&tags, max)?;
    Ok(tags)
}

pub fn tags_to_dto(tags: &Tags) -> Vec<dto::Tag> {
    tags.iter()
        .map(|(k, v)| dto::Tag {
            key: Some(k.clone()),
            value: Some(v.clone()),
        })
        .collect()
}

/// Checksums given in request headers.
pub fn given_checksums(
    crc32: Option<String>,
    crc32c: Option<String>,
    crc64nvme: Option<String>,
    sha1: Option<String>,
    sha256: Option<String>,
) -> Checksums {
    Checksums {
        crc32,
        crc32c,
        crc64nvme,
        sha1,
        sha256,
        kind: None,
    }
}

#[cfg(test)]
mod tests {
    use super::stored_content_encoding;

    #[test]
    fn aws_chunked_is_not_stored() {
        for (sent, stored) in [
            ("gzip", Some("gzip")),
            ("deflate, gzip", Some("deflate, gzip")),
            ("gzip, aws-chunked", Some("gzip")),
            ("aws-chunked, gzip", Some("gzip")),
            ("aws-chunked", None),
            ("aws-chunked, aws-chunked", None),
        ] {
            assert_eq!(stored_content_encoding(sent).as_deref(), stored, "{sent}");
        }
    }
}
