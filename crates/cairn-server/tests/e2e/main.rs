//! End-to-end tests: a real `cairn` process on 127.0.0.1, driven through aws-sdk-s3 and plain
//! HTTP. One test binary (the SDK is slow to link); one module per behaviour family.

mod harness;

mod analyzer;
mod auth;
mod buckets;
mod concurrency;
mod console;
mod crash;
mod disk_full;
mod encryption;
mod iam_api;
mod iam_seeds;
mod kms;
mod lifecycle;
mod listing;
mod logging;
mod multipart;
mod objects;
mod oidc_fixture;
mod ops;
mod protection;
mod scale_out;
mod simulation;
mod storage;
mod sts;
mod versioning;
mod web_identity;
