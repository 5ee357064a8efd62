//! IAM Access Analyzer's REST-JSON API (version 2019-11-01) on Cairn's endpoint — for now the
//! one operation a policy author needs, ValidatePolicy (`POST /policy/validation`, the
//! `aws accessanalyzer validate-policy` command). Requests are signed with SigV4 for service
//! `access-analyzer` (verified as the Query API verifies IAM's, by [`crate::query::sigv4`]) and
//! authorized through [`crate::authz`] like every other request; the findings come from the
//! policy crate's linter ([`cairn_policy::lint`]).

mod error;
mod validate;

pub use error::ApiError;

use crate::auth::resolve_key;
use crate::authz::{AuthzRequest, check};
use crate::principal::Principal;
use crate::query::sigv4;
use crate::state::State;
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};

/// The service name requests are signed for, and the prefix of its IAM actions.
pub const SIGNING_NAME: &str = "access-analyzer";

/// Whether a request is for Access Analyzer rather than S3: one of its routes on the bare
/// endpoint (path-style S3 would read `/policy/validation` as an object `validation` in a
/// bucket `policy`, which a POST with a JSON body or an `access-analyzer` signature is not).
pub fn is_analyzer_request(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    vhost_bucket: bool,
) -> bool {
    if vhost_bucket || method != Method::POST || path != "/policy/validation" {
        return false;
    }
    let signed_for_us = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| sigv4::parse_auth_header(v).ok())
        .is_some_and(|a| a.service == SIGNING_NAME);
    let json = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    signed_for_us || json
}

/// Handles one Access Analyzer request.
pub async fn handle(
    state: &State,
    parts: Parts,
    body: Bytes,
    request_id: &str,
    remote: Option<std::net::SocketAddr>,
) -> Response<s3s::Body> {
    let result = async {
        let principal = authenticate(state, &parts, &body).await?;
        crate::observe::note_principal(principal.arn());
        let context = crate::access::request_keys(
            &parts.headers,
            parts.uri.query(),
            remote,
            crate::access::is_secure(&parts.extensions),
            &state.region,
        );
        authorize(state, &principal, "ValidatePolicy", context).await?;
        validate::validate_policy(&body, parts.uri.query())
    }
    .await;
    match result {
        Ok(json) => json_response(StatusCode::OK, &json, request_id),
        Err(e) => e.into_response(request_id),
    }
}

/// A verified SigV4 signature for `access-analyzer` (no anonymous access, as on AWS).
async fn authenticate(state: &State, parts: &Parts, body: &[u8]) -> Result<Principal, ApiError> {
    let header = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(ApiError::missing_token)?;
    let auth = sigv4::parse_auth_header(header).map_err(|e| match e {
        sigv4::SigError::Malformed(msg) => ApiError::incomplete_signature(msg),
        _ => ApiError::incomplete_signature("Authorization header is not valid"),
    })?;
    if auth.service != SIGNING_NAME {
        return Err(ApiError::invalid_signature(format!(
            "Credential should be scoped to correct service: '{SIGNING_NAME}'."
        )));
    }
    let resolved = resolve_key(state, auth.access_key_id)
        .await
        .map_err(|e| match e.code() {
            s3s::S3ErrorCode::ExpiredToken => ApiError::expired_token(),
            _ => ApiError::unrecognized_client(),
        })?;
    // Temporary credentials must come with their session token.
    resolved
        .check_token(crate::auth::presented_token(&parts.headers, parts.uri.query()).as_deref())
        .map_err(|_| ApiError::unrecognized_client())?;
    sigv4::verify(parts, body, &auth, &resolved.secret).map_err(|e| match e {
        sigv4::SigError::Malformed(msg) => ApiError::incomplete_signature(msg),
        sigv4::SigError::Skewed => ApiError::invalid_signature(
            "Signature expired: the request time is more than 15 minutes from the server time.",
        ),
        sigv4::SigError::Mismatch => ApiError::invalid_signature(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ),
    })?;
    let region = if auth.region.is_empty() {
        state.region.as_str()
    } else {
        auth.region
    };
    state.note_key_use(auth.access_key_id, SIGNING_NAME, region);
    Ok(resolved.principal.clone())
}

/// `access-analyzer:<operation>` on the account's analyzer resources (root always may; an IAM
/// user needs a policy that allows it).
async fn authorize(
    state: &State,
    principal: &Principal,
    operation: &str,
    context: Vec<(String, Vec<String>)>,
) -> Result<(), ApiError> {
    let account = principal.account_id().unwrap_or_default().to_string();
    let action = format!("{SIGNING_NAME}:{operation}");
    let resource = format!("arn:aws:{SIGNING_NAME}:{}:{account}:*", state.region);
    check(
        state,
        AuthzRequest {
            principal,
            action: &action,
            resource: &resource,
            resource_account: Some(&account),
            resource_policy: None,
            context,
            object: None,
            resource_policy_required: false,
        },
    )
    .await
    .map(|_| ())
    .map_err(|d| ApiError::access_denied(d.message))
}

/// A JSON response with the request id AWS's REST-JSON services send.
fn json_response(
    status: StatusCode,
    body: &serde_json::Value,
    request_id: &str,
) -> Response<s3s::Body> {
    let mut resp = Response::new(s3s::Body::from(body.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amzn-RequestId", v);
    }
    resp
}
