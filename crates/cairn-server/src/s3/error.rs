//! The one place internal failures become AWS S3 errors.

use cairn_meta::MetaError;
use http::StatusCode;
use s3s::{S3Error, S3ErrorCode, s3_error};

/// Metadata failures → S3 error codes. A database that is down is a retryable 503.
pub fn meta_err(e: MetaError) -> S3Error {
    match e {
        MetaError::NoSuchBucket => s3_error!(NoSuchBucket, "The specified bucket does not exist"),
        MetaError::BucketNotEmpty => s3_error!(
            BucketNotEmpty,
            "The bucket you tried to delete is not empty"
        ),
        MetaError::NoSuchKey => s3_error!(NoSuchKey, "The specified key does not exist."),
        MetaError::NoSuchUpload => s3_error!(
            NoSuchUpload,
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
        ),
        MetaError::BucketExists { .. } => s3_error!(BucketAlreadyExists),
        MetaError::AlreadyExists => s3_error!(InvalidRequest, "already exists"),
        MetaError::NoSuchEntity | MetaError::DeleteConflict(_) | MetaError::LimitExceeded(_) => {
            s3_error!(
                InternalError,
                "We encountered an internal error. Please try again."
            )
        }
        MetaError::Corrupt(msg) => {
            crate::metrics::metadata_error();
            tracing::error!(%msg, "corrupt metadata");
            s3_error!(
                InternalError,
                "We encountered an internal error. Please try again."
            )
        }
        MetaError::Backend(err) => {
            crate::metrics::metadata_error();
            tracing::error!(%err, "metadata backend");
            S3Error::with_message(
                S3ErrorCode::ServiceUnavailable,
                "Please reduce your request rate.",
            )
        }
    }
}

/// Blob I/O failures. A full disk is reported as AWS does for capacity problems.
pub fn io_err(e: std::io::Error) -> S3Error {
    crate::metrics::disk_error();
    tracing::error!(err = %e, "blob i/o");
    if e.raw_os_error() == Some(28) {
        return S3Error::with_message(
            S3ErrorCode::ServiceUnavailable,
            "Insufficient storage to complete the request.",
        );
    }
    s3_error!(
        InternalError,
        "We encountered an internal error. Please try again."
    )
}

/// An error from the request body stream: s3s reports signature or hash failures of the payload
/// as `S3Error`s inside the stream; anything else means the client stopped sending.
pub fn body_err(e: &(dyn std::error::Error + Send + Sync + 'static)) -> S3Error {
    if let Some(s3) = e.downcast_ref::<S3Error>() {
        let mut copy = S3Error::new(s3.code().clone());
        if let Some(msg) = s3.message() {
            copy.set_message(msg.to_string());
        }
        return copy;
    }
    let text = e.to_string();
    // The listener's idle timeout on request bodies (`crate::listener::BodyIdle`).
    if text.contains("RequestTimeout") {
        return custom(
            "RequestTimeout",
            StatusCode::BAD_REQUEST,
            "Your socket connection to the server was not read from or written to within the timeout period.",
        );
    }
    if text.contains("Sha256Mismatch") {
        return custom(
            "XAmzContentSHA256Mismatch",
            StatusCode::BAD_REQUEST,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        );
    }
    if text.contains("SignatureMismatch") {
        return s3_error!(
            SignatureDoesNotMatch,
            "The request signature we calculated does not match the signature you provided."
        );
    }
    if text.contains("FormatError") || text.contains("TooLarge") || text.contains("TooMany") {
        return s3_error!(InvalidRequest, "The aws-chunked payload is malformed.");
    }
    s3_error!(
        IncompleteBody,
        "You did not provide the number of bytes specified by the Content-Length HTTP header."
    )
}

/// An AWS error code s3s has no variant for.
pub fn custom(code: &'static str, status: StatusCode, message: &'static str) -> S3Error {
    let mut e = S3Error::with_message(S3ErrorCode::Custom(code.into()), message);
    e.set_status_code(status);
    e
}
