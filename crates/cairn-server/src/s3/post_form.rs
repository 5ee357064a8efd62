//! POST object forms, read ahead of s3s. A browser form carries what s3s does not take from it:
//! the file's name (S3 puts it in place of `${filename}` in `key`), `acl` and `tagging`. AWS
//! requires the file to be the form's last field, so the fields are all read before any of the
//! file: the router reads that far, substitutes `${filename}` (before s3s checks the key against
//! the policy, as S3 does), notes the fields in the request's extensions for the handler, and
//! hands s3s the same bytes followed by the rest of the body.

use crate::listener::{BodyError, RequestBody};
use bytes::{Bytes, BytesMut};
use http::Request;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Form fields read ahead are at most this big; a larger form goes to s3s untouched.
const MAX_FIELDS: usize = 1 << 20;
const FILENAME: &str = "${filename}";

/// The fields of a form upload (names lower-cased) and the file's name.
#[derive(Debug, Clone, Default)]
pub struct FormFields {
    fields: Vec<(String, String)>,
    pub filename: Option<String>,
}

impl FormFields {
    /// A field's value; names are case-insensitive, as S3 reads them.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The multipart boundary of a form upload: `POST` to a bucket (no key in the path) with a
/// `multipart/form-data` body.
pub fn form_boundary<B>(req: &Request<B>, vhost_bucket: bool) -> Option<String> {
    if req.method() != http::Method::POST {
        return None;
    }
    let path = req.uri().path().trim_start_matches('/');
    let bucket_only = if vhost_bucket {
        path.is_empty()
    } else {
        !path.is_empty() && !path.trim_end_matches('/').contains('/')
    };
    if !bucket_only {
        return None;
    }
    let content_type = req
        .headers()
        .get(http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// Reads a form upload's fields (see the module doc) and returns the request for s3s, or the
/// error to answer where S3 refuses the form before s3s would (see [`refusal`]).
pub async fn read_ahead(
    req: Request<RequestBody>,
    boundary: &str,
    bucket: Option<&str>,
) -> Result<Request<s3s::Body>, s3s::S3Error> {
    let (mut parts, mut body) = req.into_parts();
    let mut buf = BytesMut::new();
    let mut ended = false;
    // Parsed again each time the buffer has doubled, so a body sent in tiny pieces costs linear
    // time, not a parse per piece.
    let mut next_parse = 0;
    let parsed = loop {
        if buf.len() >= next_parse {
            match parse(&buf, boundary) {
                Parse::Done(p) => break Some(p),
                Parse::Invalid => break None,
                Parse::NeedMore if buf.len() > MAX_FIELDS => break None,
                Parse::NeedMore => next_parse = (buf.len() * 2).max(buf.len() + 4096),
            }
        }
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    buf.extend_from_slice(&data);
                }
            }
            // The error reaches s3s (and the client) when it reads on.
            Some(Err(e)) => {
                let head = buf.freeze();
                let body = Prefixed {
                    head: Some(head),
                    rest: None,
                    error: Some(e),
                };
                return Ok(Request::from_parts(parts, s3s::Body::http_body(body)));
            }
            None => {
                ended = true;
                break match parse(&buf, boundary) {
                    Parse::Done(p) => Some(p),
                    _ => None,
                };
            }
        }
    };
    let mut head = buf.freeze();
    if let Some(parsed) = parsed {
        if let Some(err) = refusal(&parsed.form, bucket) {
            return Err(err);
        }
        if let (Some(name), Some((start, end))) = (&parsed.form.filename, parsed.key)
            && let Some(key) = parsed.form.get("key")
            && key.contains(FILENAME)
        {
            let key = key.replace(FILENAME, name);
            let mut rewritten = BytesMut::with_capacity(head.len() + key.len());
            rewritten.extend_from_slice(&head[..start]);
            rewritten.extend_from_slice(key.as_bytes());
            rewritten.extend_from_slice(&head[end..]);
            let grown = rewritten.len() as i64 - head.len() as i64;
            head = rewritten.freeze();
            if let Some(length) = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<i64>().ok())
                && let Ok(v) = http::HeaderValue::try_from((length + grown).to_string())
            {
                parts.headers.insert(http::header::CONTENT_LENGTH, v);
            }
        }
        let mut form = parsed.form;
        if let Some(key) = form.fields.iter_mut().find(|(n, _)| n == "key")
            && let Some(name) = &form.filename
        {
            key.1 = key.1.replace(FILENAME, name);
        }
        parts.extensions.insert(form);
    }
    let body = Prefixed {
        head: Some(head),
        rest: (!ended).then_some(body),
        error: None,
    };
    Ok(Request::from_parts(parts, s3s::Body::http_body(body)))
}

/// What S3 refuses in a form before checking its policy's conditions: a policy without a
/// signature (400 InvalidArgument; s3s would take the form for an anonymous one), a policy
/// whose `expiration` is not an ISO 8601 UTC time (400 InvalidPolicyDocument; s3s takes other
/// date forms too), and a `bucket` field naming another bucket than the URL when the policy's
/// bucket condition fails for the URL's bucket (403, the condition failing, as S3 checks the
/// bucket the form is posted to; s3s answers 400 for the mismatch first).
fn refusal(form: &FormFields, bucket: Option<&str>) -> Option<s3s::S3Error> {
    let policy = form.get("policy")?;
    if form.get("signature").is_none() && form.get("x-amz-signature").is_none() {
        return Some(s3s::s3_error!(
            InvalidArgument,
            "Bucket POST must contain a field named 'Signature'. If it is specified, please check the order of the fields."
        ));
    }
    use base64::Engine as _;
    let doc: serde_json::Value = base64::engine::general_purpose::STANDARD
        .decode(policy.trim())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())?;
    let expiration = doc.get("expiration").and_then(|e| e.as_str()).unwrap_or("");
    if !iso8601_utc(expiration) {
        return Some(s3s::s3_error!(
            InvalidPolicyDocument,
            "Invalid Policy: Invalid 'expiration' value: '{expiration}'"
        ));
    }
    let (Some(url_bucket), Some(field)) = (bucket, form.get("bucket")) else {
        return None;
    };
    if field == url_bucket {
        return None;
    }
    let wanted = doc
        .get("conditions")?
        .as_array()?
        .iter()
        .find_map(|c| match c {
            serde_json::Value::Object(m) => m.get("bucket").and_then(|v| v.as_str()),
            serde_json::Value::Array(a) if a.len() == 3 && a[0] == "eq" && a[1] == "$bucket" => {
                a[2].as_str()
            }
            _ => None,
        })?;
    (wanted != url_bucket).then(|| {
        s3s::s3_error!(
            AccessDenied,
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"{wanted}\"]"
        )
    })
}

/// `YYYY-MM-DDThh:mm:ss[.fff]Z`, the form AWS's POST policies take for `expiration`.
fn iso8601_utc(s: &str) -> bool {
    let Some(body) = s.strip_suffix('Z') else {
        return false;
    };
    let (seconds, fraction) = match body.split_once('.') {
        Some((s, f)) => (s, Some(f)),
        None => (body, None),
    };
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(seconds, &format).is_ok()
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

struct Parsed {
    form: FormFields,
    /// Where the `key` field's value lies in the buffer.
    key: Option<(usize, usize)>,
}

enum Parse {
    Done(Parsed),
    NeedMore,
    Invalid,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// The form scanner on arbitrary bytes, for `fuzz/` (the `post_form` target).
#[cfg(fuzzing)]
pub fn fuzz_parse(buf: &[u8], boundary: &str) {
    if let Parse::Done(p) = parse(buf, boundary)
        && let Some((start, end)) = p.key
    {
        assert!(
            start <= end && end <= buf.len(),
            "the key lies within the form"
        );
    }
}

/// Parses the fields up to the file's part headers.
fn parse(buf: &[u8], boundary: &str) -> Parse {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let Some(first) = find(buf, delimiter) else {
        return Parse::NeedMore;
    };
    let mut pos = first + delimiter.len();
    let mut form = FormFields::default();
    let mut key = None;
    loop {
        match buf.get(pos..pos + 2) {
            None => return Parse::NeedMore,
            Some(b"\r\n") => pos += 2,
            // The closing delimiter, or garbage: a form without a file.
            Some(_) => return Parse::Invalid,
        }
        let Some(headers_len) = find(&buf[pos..], b"\r\n\r\n") else {
            return Parse::NeedMore;
        };
        let Ok(headers) = std::str::from_utf8(&buf[pos..pos + headers_len]) else {
            return Parse::Invalid;
        };
        let Some((name, filename)) = disposition(headers) else {
            return Parse::Invalid;
        };
        let start = pos + headers_len + 4;
        if name.eq_ignore_ascii_case("file") {
            form.filename = filename;
            return Parse::Done(Parsed { form, key });
        }
        let mut end_marker = b"\r\n".to_vec();
        end_marker.extend_from_slice(delimiter);
        let Some(len) = find(&buf[start..], &end_marker) else {
            return Parse::NeedMore;
        };
        let Ok(value) = std::str::from_utf8(&buf[start..start + len]) else {
            return Parse::Invalid;
        };
        let name = name.to_ascii_lowercase();
        if name == "key" {
            key = Some((start, start + len));
        }
        form.fields.push((name, value.to_string()));
        pos = start + len + end_marker.len();
    }
}

/// `name` and `filename` of a part's `Content-Disposition: form-data; name="…"; filename="…"`.
fn disposition(headers: &str) -> Option<(String, Option<String>)> {
    let line = headers.split("\r\n").find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(v)
    })?;
    let mut name = None;
    let mut filename = None;
    for param in line.split(';').skip(1) {
        let Some((k, v)) = param.trim().split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "filename" => filename = Some(v),
            _ => {}
        }
    }
    Some((name?, filename))
}

/// The bytes read ahead, then the rest of the request body.
struct Prefixed {
    head: Option<Bytes>,
    rest: Option<RequestBody>,
    error: Option<BodyError>,
}

impl Body for Prefixed {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        let this = self.get_mut();
        if let Some(head) = this.head.take()
            && !head.is_empty()
        {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        if let Some(e) = this.error.take() {
            return Poll::Ready(Some(Err(e)));
        }
        match this.rest.as_mut() {
            Some(rest) => Pin::new(rest).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.head.is_none()
            && self.error.is_none()
            && self.rest.as_ref().is_none_or(|r| r.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(parts: &[(&str, Option<&str>, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, filename, value) in parts {
            out.extend_from_slice(b"--XyZ\r\nContent-Disposition: form-data; name=\"");
            out.extend_from_slice(name.as_bytes());
            out.push(b'"');
            if let Some(f) = filename {
                out.extend_from_slice(format!("; filename=\"{f}\"").as_bytes());
            }
            out.extend_from_slice(b"\r\n\r\n");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--XyZ--\r\n");
        out
    }

    #[test]
    fn fields_before_the_file_are_read() {
        let body = form(&[
            ("key", None, "up/${filename}"),
            ("Tagging", None, "<Tagging/>"),
            ("file", Some("a.txt"), "data"),
        ]);
        let Parse::Done(p) = parse(&body, "XyZ") else {
            panic!("not parsed");
        };
        assert_eq!(p.form.get("tagging"), Some("<Tagging/>"));
        assert_eq!(p.form.filename.as_deref(), Some("a.txt"));
        let (s, e) = p.key.unwrap();
        assert_eq!(&body[s..e], b"up/${filename}");
    }

    #[test]
    fn policy_expiration_is_iso8601_utc() {
        assert!(iso8601_utc("2030-01-01T00:00:00Z"));
        assert!(iso8601_utc("2030-01-01T00:00:00.000Z"));
        assert!(!iso8601_utc("2030-01-01 00:00:00.123456+00:00"));
        assert!(!iso8601_utc("2030-01-01T00:00:00"));
        assert!(!iso8601_utc("2030-01-01T00:00:00.Z"));
    }

    #[test]
    fn incomplete_and_fileless_forms() {
        let body = form(&[("key", None, "k"), ("file", Some("a"), "x")]);
        assert!(matches!(parse(&body[..20], "XyZ"), Parse::NeedMore));
        let no_file = form(&[("key", None, "k")]);
        assert!(matches!(parse(&no_file, "XyZ"), Parse::Invalid));
    }
}
