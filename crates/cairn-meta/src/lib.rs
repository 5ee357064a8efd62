//! Cairn's metadata: accounts, access keys, buckets, objects, multipart uploads, IAM (with console passwords) and STS.
//!
//! Handlers talk to [`MetaStore`] only. [`SqlMeta`] implements it on two backends that share one
//! schema: SQLite inside the data directory (the zero-set-up default) and PostgreSQL (several
//! stateless Cairn nodes on one database). Object keys sort by bytes on both, so a listing page is
//! a range scan on the primary key, never a full scan.
//!
//! Invariant: this crate stores and returns records; it knows nothing of HTTP, S3 error codes or
//! policies. Secrets arrive already encrypted.

mod bucket_cache;
mod error;
mod group_sync;
mod iam_model;
mod iam_store;
mod login;
mod model;
mod schema;
mod session_model;
mod session_store;
mod sql;
mod sql_iam;
mod sql_login;
mod sql_sessions;
mod sql_versions;
mod store;
mod version_store;

pub use error::MetaError;
pub use iam_model::*;
pub use iam_store::IamStore;
pub use login::{LoginProfile, LoginStore};
pub use model::*;
pub use session_model::*;
pub use session_store::SessionStore;
pub use sql::{Backend, SqlMeta, prefix_successor};
pub use store::MetaStore;
pub use version_store::VersionStore;

/// Result of a metadata call.
pub type Result<T, E = MetaError> = std::result::Result<T, E>;
