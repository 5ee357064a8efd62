//! Conditional writes (PutObject, CompleteMultipartUpload): `If-None-Match` (`*` or an ETag) and
//! `If-Match` (`*` or an ETag) against the key's current object, checked before the write.
//! S3's rules: `If-Match` on a missing key is NoSuchKey; any other failed condition is 412.

use cairn_meta::ObjectRecord;
use s3s::dto::ETagCondition;
use s3s::{S3Result, s3_error};

fn failed() -> s3s::S3Error {
    s3_error!(
        PreconditionFailed,
        "At least one of the pre-conditions you specified did not hold"
    )
}

fn matches(cond: &ETagCondition, obj: &ObjectRecord) -> bool {
    match cond {
        ETagCondition::Any => true,
        ETagCondition::ETag(e) => e.value() == obj.etag,
    }
}

/// Checks the write conditions against `current`, the key's current object (if any).
pub fn check(
    current: Option<&ObjectRecord>,
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
) -> S3Result<()> {
    if let Some(cond) = if_match {
        let obj =
            current.ok_or_else(|| s3_error!(NoSuchKey, "The specified key does not exist."))?;
        if !matches(cond, obj) {
            return Err(failed());
        }
    }
    if let (Some(cond), Some(obj)) = (if_none_match, current)
        && matches(cond, obj)
    {
        return Err(failed());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use s3s::dto::ETag;

    fn obj(etag: &str) -> ObjectRecord {
        ObjectRecord {
            bucket: "b".into(),
            key: "k".into(),
            version_id: "null".into(),
            size: 0,
            etag: etag.into(),
            last_modified: 0,
            layout: vec![],
            attrs: Default::default(),
            tags: Default::default(),
        }
    }

    fn tag(e: &str) -> ETagCondition {
        ETagCondition::ETag(ETag::Strong(e.into()))
    }

    // Rows from the S3 User Guide, "Conditional writes".
    #[test]
    fn conditions_follow_s3() {
        let cur = obj("abc");
        assert!(check(Some(&cur), None, Some(&ETagCondition::Any)).is_err());
        assert!(check(None, None, Some(&ETagCondition::Any)).is_ok());
        assert!(check(Some(&cur), None, Some(&tag("abc"))).is_err());
        assert!(check(Some(&cur), None, Some(&tag("other"))).is_ok());
        assert!(check(Some(&cur), Some(&tag("abc")), None).is_ok());
        assert!(check(Some(&cur), Some(&ETagCondition::Any), None).is_ok());
        assert!(check(Some(&cur), Some(&tag("other")), None).is_err());
        let missing = check(None, Some(&tag("abc")), None).unwrap_err();
        assert_eq!(missing.code(), &s3s::S3ErrorCode::NoSuchKey);
    }
}
