//! Access Analyzer's errors as its REST-JSON protocol sends them: the status, an
//! `x-amzn-ErrorType` header naming the error, and a JSON body with the message (plus, for
//! ValidationException, the reason). SDKs read the code from the header.

use http::{HeaderValue, Response, StatusCode};
use serde_json::json;

/// One error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// e.g. `ValidationException`.
    pub code: &'static str,
    pub message: String,
    /// ValidationException's `reason` (`fieldValidationFailed`, `cannotParse`, …).
    pub reason: Option<&'static str>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            reason: None,
        }
    }

    /// A request field AWS would refuse.
    pub fn validation(message: impl Into<String>) -> Self {
        ApiError {
            reason: Some("fieldValidationFailed"),
            ..Self::new(StatusCode::BAD_REQUEST, "ValidationException", message)
        }
    }

    /// A body that is not the JSON the operation takes.
    pub fn unreadable(message: impl Into<String>) -> Self {
        ApiError {
            reason: Some("cannotParse"),
            ..Self::new(StatusCode::BAD_REQUEST, "ValidationException", message)
        }
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "AccessDeniedException", message)
    }

    pub fn missing_token() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
    }

    pub fn incomplete_signature(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "IncompleteSignatureException",
            message,
        )
    }

    pub fn unrecognized_client() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    }

    pub fn expired_token() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ExpiredTokenException",
            "The security token included in the request is expired",
        )
    }

    pub fn invalid_signature(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "InvalidSignatureException", message)
    }

    /// The HTTP response.
    pub fn into_response(self, request_id: &str) -> Response<s3s::Body> {
        let mut body = json!({ "message": self.message });
        if let Some(reason) = self.reason {
            body["reason"] = json!(reason);
        }
        let mut resp = super::json_response(self.status, &body, request_id);
        resp.headers_mut()
            .insert("x-amzn-ErrorType", HeaderValue::from_static(self.code));
        resp
    }
}
