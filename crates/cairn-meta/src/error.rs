//! The failures a metadata call can report; the server maps them to AWS error codes.

/// A metadata failure. Variants other than [`MetaError::Backend`] are facts about the data that
/// the caller turns into client errors.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("no such bucket")]
    NoSuchBucket,
    #[error("bucket exists and is owned by account {owner}")]
    BucketExists { owner: String },
    #[error("bucket is not empty")]
    BucketNotEmpty,
    #[error("no such key")]
    NoSuchKey,
    #[error("no such upload")]
    NoSuchUpload,
    #[error("already exists")]
    AlreadyExists,
    #[error("no such entity")]
    NoSuchEntity,
    #[error("cannot delete: {0}")]
    DeleteConflict(String),
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    #[error("stored record is corrupt: {0}")]
    Corrupt(String),
    /// The database failed or is unreachable: a server-side, retryable condition.
    #[error("metadata backend: {0}")]
    Backend(#[from] sqlx::Error),
}

impl From<serde_json::Error> for MetaError {
    fn from(e: serde_json::Error) -> Self {
        MetaError::Corrupt(e.to_string())
    }
}

/// The log's fsync failed (group commit): the database's own failure, as the driver reports it.
impl From<std::io::Error> for MetaError {
    fn from(e: std::io::Error) -> Self {
        MetaError::Backend(sqlx::Error::Io(e))
    }
}
