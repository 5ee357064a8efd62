//! Taking a request body in: stream it to a new blob while computing the MD5 (the ETag) and the
//! checksums the client asked for, then verify Content-MD5 and `x-amz-checksum-*` (header or
//! aws-chunked trailer) before anything becomes visible.

use crate::s3::error::{body_err, io_err};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use cairn_blob::{BlobStore, BlobWriter, KeyWrap};
use cairn_meta::Checksums;
use futures::StreamExt;
use http::HeaderMap;
use md5::{Digest, Md5};
use s3s::checksum::ChecksumHasher;
use s3s::dto::{ChecksumAlgorithm, StreamingBlob};
use s3s::{S3Error, S3Result, TrailingHeaders, s3_error};

/// The largest object a single PUT may carry (AWS: 5 GiB).
pub const MAX_PUT_SIZE: u64 = 5 << 30;

/// What the client claimed about the body.
#[derive(Default)]
pub struct Claims {
    pub content_md5: Option<String>,
    pub given: Checksums,
    pub algorithm: Option<ChecksumAlgorithm>,
    pub content_length: Option<i64>,
    /// `x-amz-trailer`: the checksum header that follows an aws-chunked body.
    pub trailer_name: Option<String>,
    pub trailers: Option<TrailingHeaders>,
}

impl Claims {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Claims {
            trailer_name: headers
                .get("x-amz-trailer")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_ascii_lowercase()),
            ..Default::default()
        }
    }
}

/// A body safely on disk, not yet referenced by metadata.
pub struct Ingested {
    pub blob: String,
    pub size: u64,
    pub md5: [u8; 16],
    pub checksums: Checksums,
}

impl Ingested {
    pub fn md5_hex(&self) -> String {
        hex::encode(self.md5)
    }
}

fn algorithm_of_header(name: &str) -> Option<&'static str> {
    Some(match name {
        "x-amz-checksum-crc32" => ChecksumAlgorithm::CRC32,
        "x-amz-checksum-crc32c" => ChecksumAlgorithm::CRC32C,
        "x-amz-checksum-crc64nvme" => ChecksumAlgorithm::CRC64NVME,
        "x-amz-checksum-sha1" => ChecksumAlgorithm::SHA1,
        "x-amz-checksum-sha256" => ChecksumAlgorithm::SHA256,
        _ => return None,
    })
}

fn enable(hasher: &mut ChecksumHasher, algorithm: &str) -> S3Result<()> {
    match algorithm.to_ascii_uppercase().as_str() {
        ChecksumAlgorithm::CRC32 => hasher.crc32 = Some(Default::default()),
        ChecksumAlgorithm::CRC32C => hasher.crc32c = Some(Default::default()),
        ChecksumAlgorithm::CRC64NVME => hasher.crc64nvme = Some(Default::default()),
        ChecksumAlgorithm::SHA1 => hasher.sha1 = Some(Default::default()),
        ChecksumAlgorithm::SHA256 => hasher.sha256 = Some(Default::default()),
        other => {
            return Err(s3_error!(
                InvalidRequest,
                "Checksum algorithm {other} is not supported. Use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256."
            ));
        }
    }
    Ok(())
}

/// Which checksums to compute: every one given, the requested algorithm, the trailer's, and
/// CRC64NVME when nothing was asked (AWS adds it to every new object).
fn hasher_for(claims: &Claims) -> S3Result<ChecksumHasher> {
    let mut h = ChecksumHasher::default();
    let g = &claims.given;
    for (value, alg) in [
        (&g.crc32, ChecksumAlgorithm::CRC32),
        (&g.crc32c, ChecksumAlgorithm::CRC32C),
        (&g.crc64nvme, ChecksumAlgorithm::CRC64NVME),
        (&g.sha1, ChecksumAlgorithm::SHA1),
        (&g.sha256, ChecksumAlgorithm::SHA256),
    ] {
        if value.is_some() {
            enable(&mut h, alg)?;
        }
    }
    if let Some(alg) = &claims.algorithm {
        enable(&mut h, alg.as_str())?;
    }
    if let Some(name) = &claims.trailer_name {
        let alg = algorithm_of_header(name).ok_or_else(|| {
            s3_error!(
                InvalidRequest,
                "The value specified in the x-amz-trailer header is not supported"
            )
        })?;
        enable(&mut h, alg)?;
    }
    if h.crc32.is_none()
        && h.crc32c.is_none()
        && h.crc64nvme.is_none()
        && h.sha1.is_none()
        && h.sha256.is_none()
    {
        enable(&mut h, ChecksumAlgorithm::CRC64NVME)?;
    }
    Ok(h)
}

fn mismatch(name: &str) -> S3Error {
    s3_error!(
        BadDigest,
        "The {name} you specified did not match the calculated checksum."
    )
}

/// Compares claimed checksums (headers, then trailer) with the computed ones.
fn verify(claims: &Claims, computed: &s3s::dto::Checksum) -> S3Result<()> {
    let mut given = claims.given.clone();
    if let (Some(name), Some(trailers)) = (&claims.trailer_name, &claims.trailers) {
        let value = trailers
            .read(|h| {
                h.get(name.as_str())
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            })
            .flatten();
        let slot = match name.as_str() {
            "x-amz-checksum-crc32" => &mut given.crc32,
            "x-amz-checksum-crc32c" => &mut given.crc32c,
            "x-amz-checksum-crc64nvme" => &mut given.crc64nvme,
            "x-amz-checksum-sha1" => &mut given.sha1,
            _ => &mut given.sha256,
        };
        if value.is_some() {
            *slot = value;
        }
    }
    let pairs = [
        (
            "x-amz-checksum-crc32",
            &given.crc32,
            &computed.checksum_crc32,
        ),
        (
            "x-amz-checksum-crc32c",
            &given.crc32c,
            &computed.checksum_crc32c,
        ),
        (
            "x-amz-checksum-crc64nvme",
            &given.crc64nvme,
            &computed.checksum_crc64nvme,
        ),
        ("x-amz-checksum-sha1", &given.sha1, &computed.checksum_sha1),
        (
            "x-amz-checksum-sha256",
            &given.sha256,
            &computed.checksum_sha256,
        ),
    ];
    for (name, want, got) in pairs {
        if let (Some(want), Some(got)) = (want, got)
            && want.trim() != got
        {
            return Err(mismatch(name));
        }
    }
    Ok(())
}

/// Decodes and checks the shape of `Content-MD5`.
fn content_md5(claims: &Claims) -> S3Result<Option<Vec<u8>>> {
    let Some(v) = &claims.content_md5 else {
        return Ok(None);
    };
    match B64.decode(v.trim()) {
        Ok(bytes) if bytes.len() == 16 => Ok(Some(bytes)),
        _ => Err(s3_error!(
            InvalidDigest,
            "The Content-MD5 you specified was invalid."
        )),
    }
}

/// Streams `body` into `writer`, hashing as it goes.
async fn pump(
    body: StreamingBlob,
    writer: &mut BlobWriter,
    md5: &mut Md5,
    hasher: &mut ChecksumHasher,
    limit: u64,
) -> S3Result<()> {
    let mut body = body;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| body_err(e.as_ref()))?;
        if writer.len() + chunk.len() as u64 > limit {
            return Err(s3_error!(
                EntityTooLarge,
                "Your proposed upload exceeds the maximum allowed object size."
            ));
        }
        md5.update(&chunk);
        hasher.update(&chunk);
        writer.write(&chunk).await.map_err(io_err)?;
    }
    Ok(())
}

/// Writes the body to a new durable blob and verifies every claim about it. On any failure the
/// partial blob is removed and nothing is visible. With `seal`, the blob is sealed (SSE-S3).
pub async fn ingest(
    blobs: &BlobStore,
    seal: Option<&KeyWrap>,
    body: Option<StreamingBlob>,
    claims: &Claims,
    limit: u64,
) -> S3Result<Ingested> {
    if let Some(len) = claims.content_length
        && u64::try_from(len).unwrap_or(0) > limit
    {
        return Err(s3_error!(
            EntityTooLarge,
            "Your proposed upload exceeds the maximum allowed object size."
        ));
    }
    let expected_md5 = content_md5(claims)?;
    let mut hasher = hasher_for(claims)?;
    let mut md5 = Md5::new();
    let mut writer = match seal {
        Some(wrap) => blobs.create_sealed(wrap).await,
        None => blobs.create().await,
    }
    .map_err(io_err)?;
    if let Some(body) = body {
        pump(body, &mut writer, &mut md5, &mut hasher, limit).await?;
    }
    let md5: [u8; 16] = md5.finalize().into();
    if let Some(expected) = expected_md5
        && expected != md5
    {
        return Err(s3_error!(
            BadDigest,
            "The Content-MD5 you specified did not match what we received."
        ));
    }
    let computed = hasher.finalize();
    verify(claims, &computed)?;
    let (blob, size) = writer.commit().await.map_err(io_err)?;
    Ok(Ingested {
        blob,
        size,
        md5,
        checksums: Checksums {
            crc32: computed.checksum_crc32,
            crc32c: computed.checksum_crc32c,
            crc64nvme: computed.checksum_crc64nvme,
            sha1: computed.checksum_sha1,
            sha256: computed.checksum_sha256,
            kind: Some("FULL_OBJECT".into()),
        },
    })
}
