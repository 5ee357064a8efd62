//! SigV4 verification for the Query API (IAM signs with service `iam`, STS with `sts`), which
//! s3s does not cover. The signature is recomputed with `aws-sigv4` over exactly the headers the
//! client signed, then compared in constant time.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use http::request::Parts;
use std::time::{Duration, SystemTime};
use subtle::ConstantTimeEq;

/// AWS rejects requests more than 15 minutes away from its clock.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The fields of an `Authorization: AWS4-HMAC-SHA256 …` header.
#[derive(Debug, PartialEq, Eq)]
pub struct AuthHeader<'a> {
    pub access_key_id: &'a str,
    pub date: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

/// Why a signature was refused; the caller maps these to IAM/STS error codes.
#[derive(Debug, PartialEq, Eq)]
pub enum SigError {
    /// The header is not a SigV4 header we can read.
    Malformed(&'static str),
    /// Outside the 15-minute window.
    Skewed,
    Mismatch,
}

pub fn parse_auth_header(value: &str) -> Result<AuthHeader<'_>, SigError> {
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or(SigError::Malformed(
            "Authorization header requires the AWS4-HMAC-SHA256 algorithm",
        ))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing = SigError::Malformed(
        "Authorization header requires Credential, SignedHeaders and Signature",
    );
    let (credential, signed, signature) = match (credential, signed, signature) {
        (Some(c), Some(s), Some(g)) => (c, s, g),
        _ => return Err(missing),
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(SigError::Malformed(
            "Credential should be scoped to a valid region and service",
        ));
    };
    Ok(AuthHeader {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// Parses `x-amz-date` (`YYYYMMDDTHHMMSSZ`).
fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let t = time::PrimitiveDateTime::parse(s, &format)
        .ok()?
        .assume_utc();
    Some(SystemTime::from(t))
}

/// Verifies a header-signed Query API request whose secret is `secret`.
pub fn verify(
    parts: &Parts,
    body: &[u8],
    auth: &AuthHeader<'_>,
    secret: &str,
) -> Result<(), SigError> {
    let amz_date = parts
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or(SigError::Malformed("missing x-amz-date"))?;
    let when = parse_amz_date(amz_date).ok_or(SigError::Malformed("invalid x-amz-date"))?;
    if !amz_date.starts_with(auth.date) {
        return Err(SigError::Mismatch);
    }
    let now = SystemTime::now();
    let skew = now
        .duration_since(when)
        .or_else(|e| Ok::<_, ()>(e.duration()))
        .unwrap_or_default();
    if skew > MAX_SKEW {
        return Err(SigError::Skewed);
    }
    // Only the headers the client signed take part; x-amz-date and host are added back by the signer.
    let mut headers: Vec<(&str, String)> = Vec::new();
    for name in &auth.signed_headers {
        if *name == "x-amz-date" {
            continue;
        }
        let values: Vec<&str> = parts
            .headers
            .get_all(*name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() && *name != "host" {
            return Err(SigError::Mismatch);
        }
        if !values.is_empty() {
            headers.push((name, values.join(",")));
        }
    }
    let uri = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let host_uri = match parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
    {
        Some(host) => format!("http://{host}{uri}"),
        None => uri.to_string(),
    };
    let token = parts
        .headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let identity = Credentials::new(auth.access_key_id, secret, token, None, "cairn").into();
    let mut settings = SigningSettings::default();
    settings.excluded_headers = Some(Vec::new());
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(when)
        .settings(settings)
        .build()
        .map_err(|_| SigError::Malformed("signing parameters"))?
        .into();
    let signable = SignableRequest::new(
        parts.method.as_str(),
        host_uri,
        headers.iter().map(|(k, v)| (*k, v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|_| SigError::Mismatch)?;
    let (_, expected) = sign(signable, &params)
        .map_err(|_| SigError::Mismatch)?
        .into_parts();
    if expected.as_bytes().ct_eq(auth.signature.as_bytes()).into() {
        Ok(())
    } else {
        Err(SigError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_authorization_header() {
        let h = parse_auth_header(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        )
        .unwrap();
        assert_eq!(h.access_key_id, "AKIDEXAMPLE");
        assert_eq!(h.service, "iam");
        assert_eq!(h.signed_headers, vec!["content-type", "host", "x-amz-date"]);
        let empty_region = parse_auth_header(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830//sts/aws4_request, SignedHeaders=host, Signature=00",
        )
        .unwrap();
        assert_eq!(empty_region.region, "");
        assert!(parse_auth_header("AWS AKID:sig").is_err());
        assert!(
            parse_auth_header(
                "AWS4-HMAC-SHA256 Credential=AKID/x/aws4_request, SignedHeaders=host, Signature=0"
            )
            .is_err()
        );
    }

    #[test]
    fn amz_dates_parse() {
        assert!(parse_amz_date("20150830T123600Z").is_some());
        assert!(parse_amz_date("2015-08-30").is_none());
    }
}
