//! SSE-C: the customer-provided key headers (`x-amz-server-side-encryption-customer-*` and their
//! `x-amz-copy-source-` variants), checked as AWS checks them.
//!
//! Cairn never stores the key: it derives the blob key-wrapping key from it (the same HKDF as for
//! the master key), and keeps only the key's MD5 (which AWS returns anyway) to tell a wrong key
//! (403) from a missing one (400) before any byte is read. A wrong key could not decrypt anyway:
//! unwrapping the data key is authenticated.

use crate::s3::error::custom;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use cairn_blob::KeyWrap;
use http::{HeaderMap, StatusCode};
use md5::{Digest, Md5};
use s3s::{S3Result, s3_error};

/// A validated customer key.
pub struct CustomerKey {
    pub wrap: KeyWrap,
    /// Base64 MD5 of the key, as the client sent it and S3 returns it.
    pub md5: String,
}

/// Which set of headers to read.
#[derive(Clone, Copy)]
pub enum Role {
    /// The object written or read by the request.
    Target,
    /// The source of a copy.
    CopySource,
}

fn header<'a>(headers: &'a HeaderMap, role: Role, suffix: &str) -> Option<&'a str> {
    let prefix = match role {
        Role::Target => "x-amz-server-side-encryption-customer-",
        Role::CopySource => "x-amz-copy-source-server-side-encryption-customer-",
    };
    headers
        .get(format!("{prefix}{suffix}").as_str())
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The customer key of a request, if it gives one; AWS's errors for incomplete or inconsistent
/// headers.
pub fn from_headers(headers: &HeaderMap, role: Role) -> S3Result<Option<CustomerKey>> {
    let algorithm = header(headers, role, "algorithm");
    let key = header(headers, role, "key");
    let md5 = header(headers, role, "key-md5");
    if algorithm.is_none() && key.is_none() && md5.is_none() {
        return Ok(None);
    }
    let Some(algorithm) = algorithm else {
        return Err(s3_error!(
            InvalidArgument,
            "Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm."
        ));
    };
    if algorithm != "AES256" {
        return Err(custom(
            "InvalidEncryptionAlgorithmError",
            StatusCode::BAD_REQUEST,
            "The encryption request you specified is not valid. The valid value is AES256.",
        ));
    }
    let Some(key) = key else {
        return Err(s3_error!(
            InvalidArgument,
            "Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key."
        ));
    };
    let Some(md5) = md5 else {
        return Err(s3_error!(
            InvalidArgument,
            "Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key."
        ));
    };
    let key: [u8; 32] = B64
        .decode(key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "The secret key was invalid for the specified algorithm."
            )
        })?;
    let actual = B64.encode(Md5::digest(key));
    if actual != md5 {
        return Err(s3_error!(
            InvalidArgument,
            "The calculated MD5 hash of the key did not match the hash that was provided."
        ));
    }
    Ok(Some(CustomerKey {
        wrap: KeyWrap::derive(&key),
        md5: actual,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn keys_are_checked_as_aws_checks_them() {
        let key = [4u8; 32];
        let good = [
            (
                "x-amz-server-side-encryption-customer-algorithm",
                "AES256".to_string(),
            ),
            ("x-amz-server-side-encryption-customer-key", B64.encode(key)),
            (
                "x-amz-server-side-encryption-customer-key-md5",
                B64.encode(Md5::digest(key)),
            ),
        ];
        assert!(
            from_headers(&headers(&good), Role::Target)
                .unwrap()
                .is_some()
        );
        assert!(
            from_headers(&headers(&good), Role::CopySource)
                .unwrap()
                .is_none()
        );
        let mut bad_md5 = good.clone();
        bad_md5[2].1 = B64.encode(Md5::digest(b"x"));
        let e = from_headers(&headers(&bad_md5), Role::Target)
            .err()
            .unwrap();
        assert_eq!(e.code().as_str(), "InvalidArgument");
        let mut short = good.clone();
        short[1].1 = B64.encode([1u8; 16]);
        short[2].1 = B64.encode(Md5::digest([1u8; 16]));
        assert!(from_headers(&headers(&short), Role::Target).is_err());
        let mut alg = good.clone();
        alg[0].1 = "AES128".into();
        let e = from_headers(&headers(&alg), Role::Target).err().unwrap();
        assert_eq!(e.code().as_str(), "InvalidEncryptionAlgorithmError");
        let e = from_headers(&headers(&good[..2]), Role::Target)
            .err()
            .unwrap();
        assert_eq!(e.code().as_str(), "InvalidArgument");
    }
}
