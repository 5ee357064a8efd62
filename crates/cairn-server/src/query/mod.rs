//! The AWS Query protocol endpoint (form-encoded `Action=…`) where IAM (and STS) answer:
//! authenticate with SigV4 for service `iam`/`sts`, then dispatch the action.

pub mod params;
pub mod sigv4;
pub mod xml;

use crate::auth::resolve_key;
use crate::principal::Principal;
use crate::state::State;
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, Method, Response, StatusCode};
use params::Params;

pub const IAM_NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

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

/// A Query API failure: AWS's code, message and HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub code: String,
    pub message: String,
    pub status: StatusCode,
}

impl QueryError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        QueryError {
            code: code.to_string(),
            message: message.into(),
            status,
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }
}

/// Who called, as authentication established it.
pub struct Caller {
    pub principal: Principal,
    /// Condition keys of the request (`aws:SourceIp`, …).
    pub context: Vec<(String, Vec<String>)>,
    pub access_key_id: Option<String>,
    /// Signed with temporary (STS) credentials.
    pub temporary: bool,
    /// Those temporary credentials are a console sign-in's (they may call IAM).
    pub console: bool,
    pub request_id: String,
}

fn authenticate_error(e: sigv4::SigError) -> QueryError {
    match e {
        sigv4::SigError::Malformed(msg) => QueryError::bad_request("IncompleteSignature", msg),
        sigv4::SigError::Skewed => QueryError::forbidden(
            "SignatureDoesNotMatch",
            "Signature expired: the request time is more than 15 minutes from the server time.",
        ),
        sigv4::SigError::Mismatch => QueryError::forbidden(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ),
    }
}

/// The caller as authentication established it.
struct Authenticated {
    principal: Principal,
    access_key_id: Option<String>,
    /// The signing name (`iam`, `sts`), when signed.
    service: Option<String>,
    temporary: bool,
    console: bool,
}

fn invalid_token() -> QueryError {
    QueryError::forbidden(
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    )
}

/// Establishes the caller: a verified SigV4 signature (with the session token of temporary
/// credentials), or anonymous when unsigned.
async fn authenticate(
    state: &State,
    parts: &Parts,
    body: &[u8],
) -> Result<Authenticated, QueryError> {
    let Some(header) = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(Authenticated {
            principal: Principal::Anonymous,
            access_key_id: None,
            service: None,
            temporary: false,
            console: false,
        });
    };
    let auth = sigv4::parse_auth_header(header).map_err(authenticate_error)?;
    let resolved = resolve_key(state, auth.access_key_id)
        .await
        .inspect_err(|e| {
            // An unknown key costs what a wrong signature does (see `equalize_unknown_key`).
            if *e.code() == s3s::S3ErrorCode::InvalidAccessKeyId {
                let _ = sigv4::verify(parts, body, &auth, crate::auth::DUMMY_SECRET);
            }
        })
        .map_err(|e| match e.code() {
            s3s::S3ErrorCode::ExpiredToken => QueryError::forbidden(
                "ExpiredToken",
                "The security token included in the request is expired",
            ),
            _ => invalid_token(),
        })?;
    resolved
        .check_token(crate::auth::presented_token(&parts.headers, parts.uri.query()).as_deref())
        .map_err(|_| invalid_token())?;
    sigv4::verify(parts, body, &auth, &resolved.secret).map_err(authenticate_error)?;
    state.note_key_use(
        auth.access_key_id,
        auth.service,
        if auth.region.is_empty() {
            &state.region
        } else {
            auth.region
        },
    );
    Ok(Authenticated {
        principal: resolved.principal.clone(),
        access_key_id: Some(auth.access_key_id.to_string()),
        service: Some(auth.service.to_string()),
        temporary: resolved.is_temporary(),
        console: resolved.is_console(),
    })
}

/// Handles one Query API request.
pub async fn handle(
    state: &State,
    parts: Parts,
    body: Bytes,
    request_id: &str,
    remote: Option<std::net::SocketAddr>,
) -> Response<s3s::Body> {
    let params = Params::parse(&body, parts.uri.query());
    let namespace = match params.get("Version") {
        Some("2011-06-15") => crate::sts::STS_NAMESPACE,
        _ => IAM_NAMESPACE,
    };
    let result = async {
        let Authenticated {
            principal,
            access_key_id,
            service,
            temporary,
            console,
        } = authenticate(state, &parts, &body).await?;
        let service = service.unwrap_or_else(|| match params.get("Version") {
            Some("2011-06-15") => "sts".to_string(),
            _ => "iam".to_string(),
        });
        // Named from the action catalog, so a made-up Action cannot grow the metrics.
        if let Some(known) = params
            .get("Action")
            .and_then(|a| cairn_policy::catalog::find(&service, a))
        {
            crate::observe::note_operation(known.name);
        }
        crate::observe::note_principal(principal.arn());
        let context = crate::access::request_keys(
            &parts.headers,
            parts.uri.query(),
            remote,
            crate::access::is_secure(&parts.extensions),
            &state.region,
        );
        let caller = Caller {
            principal,
            context,
            access_key_id,
            temporary,
            console,
            request_id: request_id.to_string(),
        };
        match service.as_str() {
            "iam" => crate::iam::handle(state, &caller, &params).await,
            "sts" => crate::sts::handle(state, &caller, &params).await,
            other => Err(QueryError::bad_request(
                "InvalidAction",
                format!("The service {other} is not available at this endpoint yet"),
            )),
        }
    }
    .await;
    match result {
        Ok(xml) => xml_response(StatusCode::OK, xml),
        Err(e) => error_response(namespace, &e, request_id),
    }
}

/// A body over the Query API's limit: AWS's error shape rather than a bare 413.
pub fn too_large(limit: usize, request_id: &str) -> Response<s3s::Body> {
    let e = QueryError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLarge",
        format!("Request body must be at most {limit} bytes"),
    );
    error_response(IAM_NAMESPACE, &e, request_id)
}

fn error_response(namespace: &str, e: &QueryError, request_id: &str) -> Response<s3s::Body> {
    let kind = if e.status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    xml_response(
        e.status,
        xml::error(namespace, kind, &e.code, &e.message, request_id),
    )
}

fn xml_response(status: StatusCode, xml: String) -> Response<s3s::Body> {
    let mut resp = Response::new(s3s::Body::from(xml));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/xml"),
    );
    resp
}
