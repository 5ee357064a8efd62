//! Cairn: an S3-compatible object store whose access control is AWS IAM.
//!
//! Request path: [`router`] → SigV4 authentication ([`auth`], inside s3s) → authorization
//! ([`access`] → [`authz`]) → operation ([`s3`]) → metadata ([`cairn_meta`]) + blobs
//! ([`cairn_blob`]).

pub mod access;
pub mod analyzer;
pub mod audit;
pub mod auth;
pub mod authz;
pub mod bootstrap;
pub mod config;
pub mod console;
pub mod crypto;
mod fsutil;
pub mod host;
pub mod iam;
pub mod kms;
pub mod listener;
pub mod metrics;
pub mod observe;
pub mod operations;
pub mod operator;
pub mod principal;
pub mod query;
pub mod router;
pub mod s3;
pub mod server;
pub mod signing_headers;
pub mod state;
pub mod sts;
pub mod sweep;
pub mod time;
pub mod tls;
