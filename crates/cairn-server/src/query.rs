//! The AWS Query protocol endpoint (form-encoded `Action=…`), where IAM and STS answer.
//! The services themselves arrive with their issues; until then every action is unknown.

use bytes::Bytes;
use http::{HeaderMap, Method, Response, StatusCode};

/// Whether a request is for the Query API rather than S3: `POST /` with a form body, or
/// `GET /?Action=…`, on the bare endpoint (no bucket in the host).
pub fn is_query_request(
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    vhost_bucket: bool,
) -> bool {
    if path != "/" || vhost_bucket {
        return false;
    }
    let form = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let action_in_query = query.is_some_and(|q| q.split('&').any(|p| p.starts_with("Action=")));
    (method == Method::POST && form) || (method == Method::GET && action_in_query)
}

/// The answer to any Query API call for now.
pub fn respond(body: &Bytes, query: Option<&str>, request_id: &str) -> Response<s3s::Body> {
    let params: Vec<(String, String)> = form_urlencoded::parse(body)
        .chain(form_urlencoded::parse(query.unwrap_or_default().as_bytes()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let message = format!(
        "Could not find operation {} for version {}",
        xml_escape(get("Action")),
        xml_escape(get("Version"))
    );
    let xml = format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    );
    let mut resp = Response::new(s3s::Body::from(xml));
    *resp.status_mut() = StatusCode::BAD_REQUEST;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/xml"),
    );
    resp
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
