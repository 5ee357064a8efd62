//! ListObjects (v1) and ListObjectsV2: prefix, delimiter roll-up, markers and continuation
//! tokens, `encoding-type=url`. Each page is a bounded number of range scans: after a common
//! prefix the next scan starts past everything under it, so cost never grows with bucket size.

use super::CairnS3;
use crate::s3::attrs::{etag, owner};
use crate::s3::error::meta_err;
use crate::time::to_timestamp;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use cairn_meta::{ListFrom, ObjectRecord, prefix_successor};
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

/// Where a page resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resume {
    Start,
    /// After this key.
    After(String),
    /// After every key under this common prefix.
    PastPrefix(String),
}

/// One entry of a page.
enum Entry {
    Object(Box<ObjectRecord>),
    Prefix(String),
}

struct Page {
    entries: Vec<Entry>,
    truncated: bool,
}

impl Resume {
    /// A v1 marker or v2 start-after: resume after it, skipping its whole common prefix when the
    /// marker itself is one (so a marker taken from NextMarker never repeats a prefix).
    fn from_marker(marker: Option<&str>, prefix: &str, delimiter: Option<&str>) -> Resume {
        match marker.filter(|m| !m.is_empty()) {
            None => Resume::Start,
            Some(m) => match delimiter.filter(|d| !d.is_empty()) {
                Some(d)
                    if m.starts_with(prefix)
                        && m.ends_with(d)
                        && m[prefix.len()..].find(d) == Some(m.len() - prefix.len() - d.len()) =>
                {
                    Resume::PastPrefix(m.to_string())
                }
                _ => Resume::After(m.to_string()),
            },
        }
    }

    fn token(&self) -> String {
        match self {
            Resume::Start => String::new(),
            Resume::After(k) => B64.encode(format!("K{k}")),
            Resume::PastPrefix(p) => B64.encode(format!("P{p}")),
        }
    }

    fn from_token(token: &str) -> S3Result<Resume> {
        let invalid = || {
            s3_error!(
                InvalidArgument,
                "The continuation token provided is incorrect"
            )
        };
        let raw = B64.decode(token).map_err(|_| invalid())?;
        let text = String::from_utf8(raw).map_err(|_| invalid())?;
        match text.split_at_checked(1) {
            Some(("K", k)) => Ok(Resume::After(k.to_string())),
            Some(("P", p)) => Ok(Resume::PastPrefix(p.to_string())),
            _ => Err(invalid()),
        }
    }
}

impl CairnS3 {
    async fn page(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        resume: Resume,
        max: usize,
    ) -> S3Result<Page> {
        let delimiter = delimiter.filter(|d| !d.is_empty());
        let mut entries = Vec::new();
        let mut from = ListFrom {
            prefix: prefix.to_string(),
            ..Default::default()
        };
        match resume {
            Resume::Start => {}
            Resume::After(k) => from.after = Some(k),
            Resume::PastPrefix(p) => match prefix_successor(&p) {
                Some(next) => from.at_or_after = Some(next),
                None => {
                    return Ok(Page {
                        entries,
                        truncated: false,
                    });
                }
            },
        }
        if max == 0 {
            return Ok(Page {
                entries,
                truncated: false,
            });
        }
        loop {
            let want = max - entries.len() + 1;
            let batch = self
                .state
                .meta
                .list_objects(bucket, &from, want)
                .await
                .map_err(meta_err)?;
            let exhausted = batch.len() < want;
            let mut jumped = false;
            for obj in batch {
                if entries.len() == max {
                    return Ok(Page {
                        entries,
                        truncated: true,
                    });
                }
                let rest = &obj.key[prefix.len()..];
                if let Some(d) = delimiter
                    && let Some(i) = rest.find(d)
                {
                    let common = format!("{prefix}{}", &rest[..i + d.len()]);
                    let next = prefix_successor(&common);
                    entries.push(Entry::Prefix(common));
                    match next {
                        Some(next) => {
                            from.after = None;
                            from.at_or_after = Some(next);
                            jumped = true;
                            break;
                        }
                        None => {
                            return Ok(Page {
                                entries,
                                truncated: false,
                            });
                        }
                    }
                }
                from.after = Some(obj.key.clone());
                from.at_or_after = None;
                entries.push(Entry::Object(Box::new(obj)));
            }
            if !jumped && exhausted {
                return Ok(Page {
                    entries,
                    truncated: false,
                });
            }
            if entries.len() == max {
                // One more probe decides truncation.
                let more = !self
                    .state
                    .meta
                    .list_objects(bucket, &from, 1)
                    .await
                    .map_err(meta_err)?
                    .is_empty();
                return Ok(Page {
                    entries,
                    truncated: more,
                });
            }
        }
    }

    pub(super) async fn do_list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = req.input;
        let bucket = self.bucket(&input.bucket).await?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let max = max_keys(input.max_keys)?;
        // An empty token is no token (AWS lists from the start and echoes it).
        let resume = match input.continuation_token.as_deref() {
            Some(t) if !t.is_empty() => Resume::from_token(t)?,
            _ => Resume::from_marker(
                input.start_after.as_deref(),
                &prefix,
                input.delimiter.as_deref(),
            ),
        };
        let page = self
            .page(
                &input.bucket,
                &prefix,
                input.delimiter.as_deref(),
                resume,
                max,
            )
            .await?;
        let url = is_url(input.encoding_type.as_ref())?;
        let next = page.truncated.then(|| resume_after(&page).token());
        let fetch_owner = input.fetch_owner.unwrap_or(false);
        let (contents, prefixes) =
            split(page, url, fetch_owner.then_some(bucket.account_id.as_str()));
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(input.bucket),
            prefix: Some(enc(url, &prefix)),
            delimiter: input
                .delimiter
                .filter(|d| !d.is_empty())
                .map(|d| enc(url, &d)),
            max_keys: Some(max as i32),
            key_count: Some((contents.len() + prefixes.len()) as i32),
            is_truncated: Some(next.is_some()),
            next_continuation_token: next,
            continuation_token: input.continuation_token,
            start_after: input.start_after.map(|s| enc(url, &s)),
            encoding_type: input.encoding_type,
            contents: Some(contents),
            common_prefixes: Some(prefixes),
            ..Default::default()
        }))
    }

    pub(super) async fn do_list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        let input = req.input;
        let bucket = self.bucket(&input.bucket).await?;
        let prefix = input.prefix.clone().unwrap_or_default();
        let max = max_keys(input.max_keys)?;
        let resume =
            Resume::from_marker(input.marker.as_deref(), &prefix, input.delimiter.as_deref());
        let page = self
            .page(
                &input.bucket,
                &prefix,
                input.delimiter.as_deref(),
                resume,
                max,
            )
            .await?;
        let url = is_url(input.encoding_type.as_ref())?;
        // NextMarker is returned only with a delimiter; clients use the last key otherwise.
        let next_marker = (page.truncated
            && input.delimiter.as_ref().is_some_and(|d| !d.is_empty()))
        .then(|| match resume_after(&page) {
            Resume::After(k) | Resume::PastPrefix(k) => enc(url, &k),
            Resume::Start => String::new(),
        });
        let truncated = page.truncated;
        let (contents, prefixes) = split(page, url, Some(bucket.account_id.as_str()));
        Ok(S3Response::new(ListObjectsOutput {
            name: Some(input.bucket),
            prefix: Some(enc(url, &prefix)),
            marker: Some(input.marker.map(|m| enc(url, &m)).unwrap_or_default()),
            delimiter: input
                .delimiter
                .filter(|d| !d.is_empty())
                .map(|d| enc(url, &d)),
            max_keys: Some(max as i32),
            is_truncated: Some(truncated),
            next_marker,
            encoding_type: input.encoding_type,
            contents: Some(contents),
            common_prefixes: Some(prefixes),
            ..Default::default()
        }))
    }
}

impl CairnS3 {
    /// ListObjectVersions. A bucket that never had versioning holds one version per key, the
    /// `null` one, and no delete markers: it is listed from its objects; other buckets from their
    /// stored versions.
    pub(super) async fn do_list_object_versions(
        &self,
        req: S3Request<ListObjectVersionsInput>,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        let input = req.input;
        let bucket = self.bucket(&input.bucket).await?;
        if self
            .state
            .meta
            .versioning(&input.bucket)
            .await
            .map_err(crate::s3::error::meta_err)?
            != cairn_meta::Versioning::Unversioned
        {
            return self.list_stored_versions(input, &bucket.account_id).await;
        }
        let prefix = input.prefix.clone().unwrap_or_default();
        let max = max_keys(input.max_keys)?;
        let resume = Resume::from_marker(
            input.key_marker.as_deref(),
            &prefix,
            input.delimiter.as_deref(),
        );
        let page = self
            .page(
                &input.bucket,
                &prefix,
                input.delimiter.as_deref(),
                resume,
                max,
            )
            .await?;
        let url = is_url(input.encoding_type.as_ref())?;
        let truncated = page.truncated;
        let next_key = truncated.then(|| match resume_after(&page) {
            Resume::After(k) | Resume::PastPrefix(k) => enc(url, &k),
            Resume::Start => String::new(),
        });
        let (contents, prefixes) = split(page, url, Some(bucket.account_id.as_str()));
        let versions = contents
            .into_iter()
            .map(|o| ObjectVersion {
                key: o.key,
                version_id: Some("null".into()),
                is_latest: Some(true),
                e_tag: o.e_tag,
                last_modified: o.last_modified,
                size: o.size,
                owner: o.owner,
                storage_class: Some(ObjectVersionStorageClass::from("STANDARD".to_string())),
                checksum_algorithm: o.checksum_algorithm,
                checksum_type: o.checksum_type,
                ..Default::default()
            })
            .collect();
        Ok(S3Response::new(ListObjectVersionsOutput {
            name: Some(input.bucket),
            prefix: Some(enc(url, &prefix)),
            delimiter: input
                .delimiter
                .filter(|d| !d.is_empty())
                .map(|d| enc(url, &d)),
            key_marker: Some(input.key_marker.unwrap_or_default()),
            version_id_marker: Some(input.version_id_marker.unwrap_or_default()),
            max_keys: Some(max as i32),
            is_truncated: Some(truncated),
            next_version_id_marker: next_key.as_ref().map(|_| "null".to_string()),
            next_key_marker: next_key,
            encoding_type: input.encoding_type,
            versions: Some(versions),
            delete_markers: Some(vec![]),
            common_prefixes: Some(prefixes),
            ..Default::default()
        }))
    }

    pub(super) async fn do_get_bucket_versioning(
        &self,
        req: S3Request<GetBucketVersioningInput>,
    ) -> S3Result<S3Response<GetBucketVersioningOutput>> {
        self.bucket(&req.input.bucket).await?;
        let status = self
            .state
            .meta
            .get_bucket_config(&req.input.bucket, "versioning")
            .await
            .map_err(crate::s3::error::meta_err)?;
        Ok(S3Response::new(GetBucketVersioningOutput {
            status: status.map(BucketVersioningStatus::from),
            mfa_delete: None,
        }))
    }

    /// `Enabled` or `Suspended`; a bucket never returns to unversioned.
    pub(super) async fn do_put_bucket_versioning(
        &self,
        req: S3Request<PutBucketVersioningInput>,
    ) -> S3Result<S3Response<PutBucketVersioningOutput>> {
        let status = req
            .input
            .versioning_configuration
            .status
            .map(|s| s.as_str().to_string());
        match status.as_deref() {
            Some("Suspended") => {
                if self.lock_config(&req.input.bucket).await?.is_some() {
                    return Err(s3_error!(
                        InvalidBucketState,
                        "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."
                    ));
                }
                self.state
                    .meta
                    .set_versioning(&req.input.bucket, cairn_meta::Versioning::Suspended)
                    .await
                    .map_err(crate::s3::error::meta_err)?;
                Ok(S3Response::new(PutBucketVersioningOutput {}))
            }
            Some("Enabled") => {
                self.state
                    .meta
                    .set_versioning(&req.input.bucket, cairn_meta::Versioning::Enabled)
                    .await
                    .map_err(crate::s3::error::meta_err)?;
                Ok(S3Response::new(PutBucketVersioningOutput {}))
            }
            _ => Err(s3_error!(
                MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema"
            )),
        }
    }
}

impl CairnS3 {
    /// ListObjectVersions of a versioned bucket: every version and delete marker, keys in byte
    /// order and newest first within a key; a delimiter rolls keys up into common prefixes.
    async fn list_stored_versions(
        &self,
        input: ListObjectVersionsInput,
        owner_account: &str,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        let prefix = input.prefix.clone().unwrap_or_default();
        let max = max_keys(input.max_keys)?;
        let url = is_url(input.encoding_type.as_ref())?;
        let delimiter = input.delimiter.clone().filter(|d| !d.is_empty());
        let mut key_marker = input.key_marker.clone().filter(|k| !k.is_empty());
        let mut version_marker = input.version_id_marker.clone().filter(|v| !v.is_empty());
        let (mut versions, mut markers, mut prefixes) =
            (Vec::new(), Vec::new(), Vec::<String>::new());
        let (mut last_key, mut last_version, mut truncated) =
            (None::<String>, None::<String>, false);
        let mut count = 0usize;
        'pages: loop {
            let batch = self
                .state
                .meta
                .list_versions(
                    &input.bucket,
                    &prefix,
                    key_marker.as_deref(),
                    version_marker.as_deref(),
                    max.max(1) + 1,
                )
                .await
                .map_err(crate::s3::error::meta_err)?;
            if batch.is_empty() {
                break;
            }
            let full = batch.len() > max;
            for v in batch {
                if count == max {
                    truncated = true;
                    break 'pages;
                }
                let key = v.object.key.clone();
                if let Some(d) = &delimiter
                    && let Some(i) = key[prefix.len()..].find(d.as_str())
                {
                    let cp = format!("{prefix}{}", &key[prefix.len()..prefix.len() + i + d.len()]);
                    if prefixes.last() != Some(&cp) {
                        prefixes.push(cp.clone());
                        count += 1;
                        last_key = Some(cp.clone());
                        last_version = None;
                    }
                    // Skip the rest of this prefix.
                    key_marker = Some(format!("{cp}\u{10FFFF}"));
                    version_marker = None;
                    continue 'pages;
                }
                count += 1;
                last_key = Some(key.clone());
                last_version = Some(v.object.version_id.clone());
                key_marker = Some(key);
                version_marker = Some(v.object.version_id.clone());
                if v.delete_marker {
                    markers.push(DeleteMarkerEntry {
                        key: Some(enc(url, &v.object.key)),
                        version_id: Some(v.object.version_id.clone()),
                        is_latest: Some(v.is_latest),
                        last_modified: Some(to_timestamp(v.object.last_modified)),
                        owner: Some(owner(owner_account)),
                    });
                } else {
                    versions.push(ObjectVersion {
                        key: Some(enc(url, &v.object.key)),
                        version_id: Some(v.object.version_id.clone()),
                        is_latest: Some(v.is_latest),
                        e_tag: Some(etag(&v.object.etag)),
                        last_modified: Some(to_timestamp(v.object.last_modified)),
                        size: Some(i64::try_from(v.object.size).unwrap_or(i64::MAX)),
                        owner: Some(owner(owner_account)),
                        storage_class: Some(ObjectVersionStorageClass::from(
                            "STANDARD".to_string(),
                        )),
                        ..Default::default()
                    });
                }
            }
            if !full {
                break;
            }
        }
        Ok(S3Response::new(ListObjectVersionsOutput {
            name: Some(input.bucket),
            prefix: Some(enc(url, &prefix)),
            delimiter: input
                .delimiter
                .filter(|d| !d.is_empty())
                .map(|d| enc(url, &d)),
            key_marker: Some(input.key_marker.unwrap_or_default()),
            version_id_marker: Some(input.version_id_marker.unwrap_or_default()),
            max_keys: Some(max as i32),
            is_truncated: Some(truncated),
            next_key_marker: if truncated {
                last_key.map(|k| enc(url, &k))
            } else {
                None
            },
            next_version_id_marker: if truncated { last_version } else { None },
            encoding_type: input.encoding_type,
            versions: Some(versions),
            delete_markers: Some(markers),
            common_prefixes: Some(
                prefixes
                    .into_iter()
                    .map(|p| CommonPrefix {
                        prefix: Some(enc(url, &p)),
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }
}

fn max_keys(given: Option<i32>) -> S3Result<usize> {
    match given {
        None => Ok(1000),
        Some(n) if n < 0 => Err(s3_error!(InvalidArgument, "maxKeys should be non-negative")),
        Some(n) => Ok((n as usize).min(1000)),
    }
}

fn is_url(e: Option<&EncodingType>) -> S3Result<bool> {
    match e.map(|e| e.as_str()) {
        None => Ok(false),
        Some("url") => Ok(true),
        Some(_) => Err(s3_error!(
            InvalidArgument,
            "Invalid Encoding Method specified in Request"
        )),
    }
}

/// Characters left as they are by `encoding-type=url` (RFC 3986 unreserved, and `/`); a space
/// becomes `+`, as S3 encodes it.
const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

fn enc(url: bool, s: &str) -> String {
    if url {
        percent_encoding::utf8_percent_encode(s, KEEP)
            .to_string()
            .replace("%20", "+")
    } else {
        s.to_string()
    }
}

fn resume_after(page: &Page) -> Resume {
    match page.entries.last() {
        Some(Entry::Object(o)) => Resume::After(o.key.clone()),
        Some(Entry::Prefix(p)) => Resume::PastPrefix(p.clone()),
        None => Resume::Start,
    }
}

fn split(page: Page, url: bool, owner_account: Option<&str>) -> (Vec<Object>, Vec<CommonPrefix>) {
    let mut contents = Vec::new();
    let mut prefixes = Vec::new();
    for e in page.entries {
        match e {
            Entry::Object(o) => contents.push(Object {
                key: Some(enc(url, &o.key)),
                size: Some(i64::try_from(o.size).unwrap_or(i64::MAX)),
                e_tag: Some(etag(&o.etag)),
                last_modified: Some(to_timestamp(o.last_modified)),
                storage_class: Some(ObjectStorageClass::from(
                    o.attrs
                        .storage_class
                        .clone()
                        .unwrap_or_else(|| "STANDARD".into()),
                )),
                owner: owner_account.map(owner),
                checksum_algorithm: o
                    .attrs
                    .checksums
                    .crc64nvme
                    .as_ref()
                    .map(|_| vec![ChecksumAlgorithm::from("CRC64NVME".to_string())]),
                checksum_type: o.attrs.checksums.kind.clone().map(ChecksumType::from),
                ..Default::default()
            }),
            Entry::Prefix(p) => prefixes.push(CommonPrefix {
                prefix: Some(enc(url, &p)),
            }),
        }
    }
    (contents, prefixes)
}

#[cfg(test)]
mod tests {
    use super::Resume;

    #[test]
    fn markers_that_are_common_prefixes_skip_the_prefix() {
        assert_eq!(
            Resume::from_marker(Some("a/"), "", Some("/")),
            Resume::PastPrefix("a/".into())
        );
        assert_eq!(
            Resume::from_marker(Some("a/b"), "", Some("/")),
            Resume::After("a/b".into())
        );
        assert_eq!(
            Resume::from_marker(Some("a/b/"), "", Some("/")),
            Resume::After("a/b/".into())
        );
        assert_eq!(
            Resume::from_marker(Some("a/b/"), "a/", Some("/")),
            Resume::PastPrefix("a/b/".into())
        );
        assert_eq!(Resume::from_marker(None, "", Some("/")), Resume::Start);
    }

    #[test]
    fn tokens_round_trip() {
        for r in [Resume::After("k é".into()), Resume::PastPrefix("p/".into())] {
            assert_eq!(Resume::from_token(&r.token()).unwrap(), r);
        }
        assert!(Resume::from_token("!!").is_err());
    }
}
