//! Reading objects: conditional requests, ranges and part numbers, streaming segments.

use crate::s3::error::io_err;
use crate::time::to_secs;
use cairn_blob::{BlobStore, KeyWrap};
use cairn_meta::{ObjectRecord, Segment};
use futures::{StreamExt, TryStreamExt, stream};
use s3s::dto::{ETag, ETagCondition, StreamingBlob, Timestamp};
use s3s::{S3Error, S3ErrorCode, S3Result, s3_error};

/// The conditional headers of a GET or HEAD (or of a copy source).
#[derive(Default)]
pub struct Conditions {
    pub if_match: Option<ETagCondition>,
    pub if_none_match: Option<ETagCondition>,
    pub if_modified_since: Option<Timestamp>,
    pub if_unmodified_since: Option<Timestamp>,
}

fn matches(cond: &ETagCondition, etag: &str) -> bool {
    match cond {
        ETagCondition::Any => true,
        ETagCondition::ETag(e) => e.value() == etag,
    }
}

/// Outcome of evaluating conditions (RFC 9110 §13.2.2 order, as S3 documents it).
#[derive(Debug, PartialEq, Eq)]
pub enum Precondition {
    Proceed,
    /// 412.
    Failed,
    /// 304 (only for GET/HEAD; copies treat it as 412).
    NotModified,
}

impl Conditions {
    pub fn evaluate(&self, obj: &ObjectRecord) -> Precondition {
        let modified = obj.last_modified.div_euclid(1000);
        match &self.if_match {
            Some(c) if !matches(c, &obj.etag) => return Precondition::Failed,
            Some(_) => {}
            None => {
                if let Some(t) = &self.if_unmodified_since
                    && modified > to_secs(t)
                {
                    return Precondition::Failed;
                }
            }
        }
        match &self.if_none_match {
            Some(c) if matches(c, &obj.etag) => return Precondition::NotModified,
            Some(_) => {}
            None => {
                if let Some(t) = &self.if_modified_since
                    && modified <= to_secs(t)
                {
                    return Precondition::NotModified;
                }
            }
        }
        Precondition::Proceed
    }

    /// Applies the outcome for a GET/HEAD.
    pub fn check_read(&self, obj: &ObjectRecord) -> S3Result<()> {
        match self.evaluate(obj) {
            Precondition::Proceed => Ok(()),
            Precondition::Failed => Err(s3_error!(
                PreconditionFailed,
                "At least one of the pre-conditions you specified did not hold"
            )),
            Precondition::NotModified => {
                let mut err = S3Error::new(S3ErrorCode::NotModified);
                let mut headers = http::HeaderMap::new();
                if let Ok(v) = ETag::Strong(obj.etag.clone()).to_http_header() {
                    headers.insert(http::header::ETAG, v);
                }
                err.set_headers(headers);
                Err(err)
            }
        }
    }

    /// Applies the outcome for a copy source: any failure is 412.
    pub fn check_copy(&self, obj: &ObjectRecord) -> S3Result<()> {
        match self.evaluate(obj) {
            Precondition::Proceed => Ok(()),
            _ => Err(s3_error!(
                PreconditionFailed,
                "At least one of the pre-conditions you specified did not hold"
            )),
        }
    }
}

/// The byte range of part `n` (1-based) of an object.
pub fn part_range(obj: &ObjectRecord, n: i32) -> S3Result<std::ops::Range<u64>> {
    let invalid = || {
        crate::s3::error::custom(
            "InvalidPartNumber",
            http::StatusCode::RANGE_NOT_SATISFIABLE,
            "The requested partnumber is not satisfiable",
        )
    };
    let index = usize::try_from(n)
        .ok()
        .filter(|&i| i >= 1)
        .ok_or_else(invalid)?
        - 1;
    if obj.attrs.parts_count.is_none() {
        return if index == 0 {
            Ok(0..obj.size)
        } else {
            Err(invalid())
        };
    }
    let start: u64 = obj.layout.iter().take(index).map(|s| s.size).sum();
    let seg = obj.layout.get(index).ok_or_else(invalid)?;
    Ok(start..start + seg.size)
}

/// Streams `range` of an object whose bytes are `layout`, opening one blob at a time; `sealed`
/// (the key wrap) when the object is encrypted, so each blob is decrypted as it is read.
pub async fn stream_range(
    blobs: &BlobStore,
    sealed: Option<&KeyWrap>,
    layout: &[Segment],
    range: std::ops::Range<u64>,
) -> S3Result<StreamingBlob> {
    let mut pieces = Vec::new();
    let mut offset = 0u64;
    for seg in layout {
        let (seg_start, seg_end) = (offset, offset + seg.size);
        offset = seg_end;
        if seg_end <= range.start || seg_start >= range.end {
            continue;
        }
        let from = range.start.max(seg_start) - seg_start;
        let to = range.end.min(seg_end) - seg_start;
        pieces.push((seg.blob.clone(), from, to - from));
    }
    if let Some(wrap) = sealed {
        // The first blob is opened now, so a bad header or key fails the request, not the body.
        let mut pieces = pieces.into_iter();
        let Some((blob, from, len)) = pieces.next() else {
            return Ok(StreamingBlob::wrap(stream::empty::<
                std::io::Result<bytes::Bytes>,
            >()));
        };
        let first = blobs
            .read_sealed(&blob, wrap, from, len)
            .await
            .map_err(io_err)?;
        let (blobs, wrap) = (blobs.clone(), wrap.clone());
        let rest = stream::iter(pieces)
            .then(move |(blob, from, len)| {
                let (blobs, wrap) = (blobs.clone(), wrap.clone());
                async move { blobs.read_sealed(&blob, &wrap, from, len).await }
            })
            .try_flatten();
        return Ok(StreamingBlob::wrap(sync_wrapper::SyncStream::new(
            first.chain(rest).boxed(),
        )));
    }
    if let [(blob, from, len)] = pieces.as_slice() {
        let s = blobs.read(blob, *from, *len).await.map_err(io_err)?;
        return Ok(StreamingBlob::wrap(s));
    }
    let blobs = blobs.clone();
    let s = stream::iter(pieces)
        .then(move |(blob, from, len)| {
            let blobs = blobs.clone();
            async move { blobs.read(&blob, from, len).await }
        })
        .try_flatten();
    Ok(StreamingBlob::wrap(sync_wrapper::SyncStream::new(
        s.boxed(),
    )))
}
