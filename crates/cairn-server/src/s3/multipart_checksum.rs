//! The checksum of a completed multipart object, from its parts' checksums: `FULL_OBJECT`
//! (CRC32, CRC32C, CRC64NVME — the parts' CRCs combined, as if computed over the whole object)
//! or `COMPOSITE` (a checksum of the parts' checksums, suffixed `-N`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use cairn_meta::{Checksums, PartRecord};
use crc_fast::CrcAlgorithm;
use s3s::crypto::Checksum as _;
use s3s::{S3Result, s3_error};

/// How an upload was declared: algorithm (if any) and whether its checksum is full-object.
/// Kept in the upload record's `checksums.kind` as `ALG/TYPE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub algorithm: Option<String>,
    pub full_object: bool,
}

impl Declared {
    /// From CreateMultipartUpload: CRC64NVME is always full-object; the others default to
    /// composite unless `x-amz-checksum-type: FULL_OBJECT` says otherwise.
    pub fn new(algorithm: Option<&str>, checksum_type: Option<&str>) -> S3Result<Declared> {
        let algorithm = algorithm.map(str::to_ascii_uppercase);
        let full_object = match (algorithm.as_deref(), checksum_type) {
            (None, _) => true,
            (Some("CRC64NVME"), Some("COMPOSITE")) => {
                return Err(s3_error!(
                    InvalidRequest,
                    "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm."
                ));
            }
            (Some("SHA1" | "SHA256"), Some("FULL_OBJECT")) => {
                return Err(s3_error!(
                    InvalidRequest,
                    "The FULL_OBJECT checksum type cannot be used with the sha1 or sha256 checksum algorithm."
                ));
            }
            (Some("CRC64NVME"), _) => true,
            (Some(_), Some("FULL_OBJECT")) => true,
            (Some(_), _) => false,
        };
        Ok(Declared {
            algorithm,
            full_object,
        })
    }

    pub fn kind(&self) -> &'static str {
        if self.full_object {
            "FULL_OBJECT"
        } else {
            "COMPOSITE"
        }
    }

    pub fn encode(&self) -> String {
        format!(
            "{}/{}",
            self.algorithm.as_deref().unwrap_or(""),
            self.kind()
        )
    }

    pub fn decode(s: Option<&str>) -> Declared {
        let (alg, kind) = s
            .and_then(|s| s.split_once('/'))
            .unwrap_or(("", "FULL_OBJECT"));
        Declared {
            algorithm: (!alg.is_empty()).then(|| alg.to_string()),
            full_object: kind != "COMPOSITE",
        }
    }
}

fn crc_value(b64: &str) -> Option<u64> {
    let raw = B64.decode(b64).ok()?;
    Some(raw.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

/// The parts' CRCs combined into the CRC of the whole object.
fn full_object(
    parts: &[PartRecord],
    algorithm: CrcAlgorithm,
    width: usize,
    pick: fn(&Checksums) -> Option<&String>,
) -> Option<String> {
    let mut combined: Option<u64> = None;
    for p in parts {
        let crc = crc_value(pick(&p.checksums)?)?;
        combined = Some(match combined {
            None => crc,
            Some(acc) => crc_fast::checksum_combine(algorithm, acc, crc, p.size),
        });
    }
    let bytes = combined?.to_be_bytes();
    Some(B64.encode(&bytes[8 - width..]))
}

/// A checksum of the parts' checksums, as S3 reports composite multipart checksums.
fn composite(
    parts: &[PartRecord],
    algorithm: &str,
    pick: fn(&Checksums) -> Option<&String>,
) -> Option<String> {
    let mut raw = Vec::new();
    for p in parts {
        raw.extend(B64.decode(pick(&p.checksums)?).ok()?);
    }
    let digest: Vec<u8> = match algorithm {
        "CRC32" => {
            let mut h = s3s::crypto::Crc32::new();
            h.update(&raw);
            h.finalize().to_vec()
        }
        "CRC32C" => {
            let mut h = s3s::crypto::Crc32c::new();
            h.update(&raw);
            h.finalize().to_vec()
        }
        "SHA1" => {
            let mut h = s3s::crypto::Sha1::new();
            h.update(&raw);
            h.finalize().to_vec()
        }
        "SHA256" => {
            let mut h = s3s::crypto::Sha256::new();
            h.update(&raw);
            h.finalize().to_vec()
        }
        _ => return None,
    };
    Some(format!("{}-{}", B64.encode(digest), parts.len()))
}

/// The object's checksums from its parts, as declared at CreateMultipartUpload. Without a
/// declared algorithm the object gets the CRC64NVME every part carries (AWS's default).
pub fn object_checksums(parts: &[PartRecord], declared: &Declared) -> Checksums {
    let alg = declared.algorithm.as_deref().unwrap_or("CRC64NVME");
    let mut c = Checksums::default();
    let value = if declared.full_object {
        match alg {
            "CRC32" => full_object(parts, CrcAlgorithm::Crc32IsoHdlc, 4, |c| c.crc32.as_ref()),
            "CRC32C" => full_object(parts, CrcAlgorithm::Crc32Iscsi, 4, |c| c.crc32c.as_ref()),
            "CRC64NVME" => full_object(parts, CrcAlgorithm::Crc64Nvme, 8, |c| c.crc64nvme.as_ref()),
            _ => None,
        }
    } else {
        let pick: fn(&Checksums) -> Option<&String> = match alg {
            "CRC32" => |c| c.crc32.as_ref(),
            "CRC32C" => |c| c.crc32c.as_ref(),
            "SHA1" => |c| c.sha1.as_ref(),
            _ => |c| c.sha256.as_ref(),
        };
        composite(parts, alg, pick)
    };
    if value.is_none() {
        return c;
    }
    match alg {
        "CRC32" => c.crc32 = value,
        "CRC32C" => c.crc32c = value,
        "CRC64NVME" => c.crc64nvme = value,
        "SHA1" => c.sha1 = value,
        _ => c.sha256 = value,
    }
    c.kind = Some(declared.kind().to_string());
    c
}

/// Compares the checksum sent with CompleteMultipartUpload (if any) with the computed one.
pub fn verify(computed: &Checksums, claimed: &Checksums) -> S3Result<()> {
    let strip = |v: &str| v.split('-').next().unwrap_or(v).trim().to_string();
    for (name, want, got) in [
        ("crc32", &claimed.crc32, &computed.crc32),
        ("crc32c", &claimed.crc32c, &computed.crc32c),
        ("crc64nvme", &claimed.crc64nvme, &computed.crc64nvme),
        ("sha1", &claimed.sha1, &computed.sha1),
        ("sha256", &claimed.sha256, &computed.sha256),
    ] {
        if let (Some(want), Some(got)) = (want, got)
            && strip(want) != strip(got)
        {
            return Err(s3_error!(
                BadDigest,
                "The {name} you specified for the full object did not match the calculated checksum."
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(data: &[u8]) -> PartRecord {
        let mut h = s3s::checksum::ChecksumHasher {
            crc32: Some(Default::default()),
            crc32c: Some(Default::default()),
            crc64nvme: Some(Default::default()),
            sha256: Some(Default::default()),
            ..Default::default()
        };
        h.update(data);
        let sums = h.finalize();
        PartRecord {
            upload_id: "u".into(),
            part_number: 1,
            size: data.len() as u64,
            etag: String::new(),
            blob: String::new(),
            checksums: Checksums {
                crc32: sums.checksum_crc32,
                crc32c: sums.checksum_crc32c,
                crc64nvme: sums.checksum_crc64nvme,
                sha256: sums.checksum_sha256,
                ..Default::default()
            },
            last_modified: 0,
        }
    }

    #[test]
    fn full_object_crcs_equal_the_crc_of_the_whole_object() {
        let (a, b, c) = (
            b"hello ".as_slice(),
            b"multipart ".as_slice(),
            b"world".as_slice(),
        );
        let parts = [part(a), part(b), part(c)];
        let whole = part(&[a, b, c].concat());
        for alg in ["CRC32", "CRC32C", "CRC64NVME"] {
            let d = Declared::new(Some(alg), Some("FULL_OBJECT")).unwrap();
            let got = object_checksums(&parts, &d);
            let want = object_checksums(std::slice::from_ref(&whole), &d);
            assert_eq!(got, want, "{alg}");
            assert_eq!(got.kind.as_deref(), Some("FULL_OBJECT"));
        }
        let default = object_checksums(&parts, &Declared::new(None, None).unwrap());
        assert_eq!(default.crc64nvme, whole.checksums.crc64nvme);
    }

    #[test]
    fn composite_checksums_carry_the_part_count_and_declarations_round_trip() {
        let parts = [part(b"a"), part(b"b")];
        let d = Declared::new(Some("sha256"), None).unwrap();
        assert!(!d.full_object);
        let c = object_checksums(&parts, &d);
        assert!(c.sha256.as_deref().unwrap_or_default().ends_with("-2"));
        assert_eq!(Declared::decode(Some(&d.encode())), d);
        assert!(Declared::new(Some("CRC64NVME"), Some("COMPOSITE")).is_err());
        assert!(Declared::new(Some("SHA256"), Some("FULL_OBJECT")).is_err());
    }
}
