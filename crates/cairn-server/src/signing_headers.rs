//! Checks on an S3 request's signing headers that s3s does not make, applied before it verifies
//! the signature:
//! - SigV2 header authentication: the signing time (`x-amz-date`, else `Date`) must be a valid
//!   date (403 AccessDenied) within 15 minutes of the server's clock (403 RequestTimeTooSkewed);
//!   s3s only checks that one of the headers is there.
//! - SigV4 allows the signing time in `Date` instead of `x-amz-date` (botocore signs that way
//!   when a caller sets `Date`); s3s reads only `x-amz-date`, so it is derived from `Date`.
//! - An empty `Content-MD5` is 400 InvalidDigest (s3s treats empty headers as absent).

use http::{HeaderMap, HeaderValue, Response};
use s3s::{S3Error, S3ErrorCode};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// How far a signing time may be from the server's clock, as on AWS.
const MAX_SKEW: time::Duration = time::Duration::minutes(15);

/// The error response for a request these checks refuse, if any.
pub fn refusal(headers: &HeaderMap, now: OffsetDateTime) -> Option<Response<s3s::Body>> {
    let err = empty_content_md5(headers).or_else(|| sigv2_date_error(headers, now))?;
    err.to_http_response().ok()
}

/// For a SigV4 header-signed request that carries its signing time in `Date` only, adds the
/// `x-amz-date` s3s reads. It is not a signed header, so the signature is unaffected.
pub fn amz_date_from_date(headers: &mut HeaderMap) {
    let sigv4 = headers
        .get(http::header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes().starts_with(b"AWS4-HMAC-SHA256 "));
    if !sigv4 || headers.contains_key("x-amz-date") {
        return;
    }
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let derived = headers
        .get(http::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date)
        .and_then(|at| at.to_offset(UtcOffset::UTC).format(&format).ok())
        .and_then(|s| HeaderValue::from_str(&s).ok());
    if let Some(v) = derived {
        headers.insert("x-amz-date", v);
    }
}

fn empty_content_md5(headers: &HeaderMap) -> Option<S3Error> {
    headers
        .get("content-md5")
        .is_some_and(|v| v.as_bytes().iter().all(u8::is_ascii_whitespace))
        .then(|| {
            S3Error::with_message(
                S3ErrorCode::InvalidDigest,
                "The Content-MD5 you specified was invalid.",
            )
        })
}

/// AWS's answer to a SigV2 header-signed request whose signing time is missing, invalid or
/// skewed. `x-amz-date`, when present (even empty), takes precedence over `Date`.
fn sigv2_date_error(headers: &HeaderMap, now: OffsetDateTime) -> Option<S3Error> {
    let sigv2 = headers
        .get(http::header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes().starts_with(b"AWS "));
    if !sigv2 {
        return None;
    }
    let value = headers
        .get("x-amz-date")
        .or_else(|| headers.get(http::header::DATE));
    let Some(signed_at) = value
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date)
    else {
        return Some(S3Error::with_message(
            S3ErrorCode::AccessDenied,
            "AWS authentication requires a valid Date or x-amz-date header",
        ));
    };
    ((signed_at - now).abs() > MAX_SKEW).then(|| {
        S3Error::with_message(
            S3ErrorCode::RequestTimeTooSkewed,
            "The difference between the request time and the current time is too large.",
        )
    })
}

/// An HTTP date (`Tue, 07 Jul 2010 21:53:04 GMT`, or with a numeric zone as RFC 2822 writes it)
/// or a SigV4 timestamp (`20100707T215304Z`). The weekday is not checked against the date, as
/// AWS does not; dates before 1970 are invalid.
fn parse_http_date(value: &str) -> Option<OffsetDateTime> {
    let value = value.trim();
    let basic = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let at = match PrimitiveDateTime::parse(value, &basic) {
        Ok(at) => at.assume_utc(),
        Err(_) => {
            let rest = value.split_once(", ").map_or(value, |(_, rest)| rest);
            let (stamp, zone) = rest.rsplit_once(' ')?;
            let offset = match zone {
                "GMT" | "UTC" | "UT" | "Z" => UtcOffset::UTC,
                zone => UtcOffset::parse(
                    zone,
                    time::macros::format_description!(
                        "[offset_hour sign:mandatory][offset_minute]"
                    ),
                )
                .ok()?,
            };
            let stamp_format = time::macros::format_description!(
                "[day] [month repr:short] [year] [hour]:[minute]:[second]"
            );
            PrimitiveDateTime::parse(stamp, &stamp_format)
                .ok()?
                .assume_offset(offset)
        }
    };
    (at.year() >= 1970).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(date_header: &str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("authorization", HeaderValue::from_static("AWS AKID:sig"));
        h.insert(
            http::HeaderName::from_bytes(date_header.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    fn code(e: Option<S3Error>) -> Option<String> {
        e.map(|e| e.code().as_str().to_string())
    }

    #[test]
    fn parses_http_dates_leniently() {
        let at = parse_http_date("Tue, 07 Jul 2010 21:53:04 GMT").unwrap();
        assert_eq!((at.year(), at.day(), at.hour()), (2010, 7, 21));
        let at = parse_http_date("Wed, 25 Nov 2026 08:56:36 -0000").unwrap();
        assert_eq!(at.year(), 2026);
        let at = parse_http_date("Wed, 25 Nov 2026 09:56:36 +0100").unwrap();
        assert_eq!(at.to_offset(UtcOffset::UTC).hour(), 8);
        assert!(parse_http_date("20261125T085636Z").is_some());
        assert!(parse_http_date("Tue, 07 Jul 9999 21:53:04 GMT").is_some());
        assert!(parse_http_date("Tue, 07 Jul 1950 21:53:04 GMT").is_none());
        assert!(parse_http_date("Bad Date").is_none());
        assert!(parse_http_date("").is_none());
    }

    #[test]
    fn sigv2_dates() {
        let now = OffsetDateTime::now_utc();
        let fmt = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        let fresh = now.format(&fmt).unwrap();
        assert_eq!(code(sigv2_date_error(&v2("date", &fresh), now)), None);
        assert_eq!(code(sigv2_date_error(&v2("x-amz-date", &fresh), now)), None);
        let mut both = v2("date", &fresh);
        both.insert("x-amz-date", HeaderValue::from_static("Bad Date"));
        assert_eq!(
            code(sigv2_date_error(&both, now)).as_deref(),
            Some("AccessDenied")
        );
        for (value, expected) in [
            ("", "AccessDenied"),
            ("Tue, 07 Jul 1950 21:53:04 GMT", "AccessDenied"),
            ("Tue, 07 Jul 2010 21:53:04 GMT", "RequestTimeTooSkewed"),
            ("Tue, 07 Jul 9999 21:53:04 GMT", "RequestTimeTooSkewed"),
        ] {
            assert_eq!(
                code(sigv2_date_error(&v2("x-amz-date", value), now)).as_deref(),
                Some(expected),
                "{value}"
            );
        }
        let mut none = HeaderMap::new();
        none.insert("authorization", HeaderValue::from_static("AWS AKID:sig"));
        assert_eq!(
            code(sigv2_date_error(&none, now)).as_deref(),
            Some("AccessDenied")
        );
        // Not SigV2: not this check's business.
        let mut v4 = v2("x-amz-date", "Bad Date");
        v4.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=x"),
        );
        assert_eq!(code(sigv2_date_error(&v4, now)), None);
    }

    #[test]
    fn sigv4_date_header_becomes_amz_date() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=x"),
        );
        h.insert(
            "date",
            HeaderValue::from_static("Wed, 25 Nov 2026 08:56:36 -0000"),
        );
        amz_date_from_date(&mut h);
        assert_eq!(h.get("x-amz-date").unwrap(), "20261125T085636Z");
    }

    #[test]
    fn empty_md5_is_invalid_digest() {
        let mut h = HeaderMap::new();
        h.insert("content-md5", HeaderValue::from_static(""));
        assert_eq!(
            code(empty_content_md5(&h)).as_deref(),
            Some("InvalidDigest")
        );
        h.insert("content-md5", HeaderValue::from_static("abc"));
        assert_eq!(code(empty_content_md5(&h)), None);
    }
}
