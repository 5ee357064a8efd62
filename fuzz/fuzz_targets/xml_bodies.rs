//! The XML request bodies Cairn accepts (tagging, multi-object delete, multipart completion,
//! lifecycle, CORS, versioning, encryption, object lock, ACLs, ownership, logging, BPA).
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3s::dto;
use s3s::xml::{Deserialize, Deserializer};

fn parse<'a, T: Deserialize<'a>>(data: &'a [u8]) {
    let mut d = Deserializer::new(data);
    let _ = T::deserialize(&mut d);
}

fuzz_target!(|data: &[u8]| {
    parse::<dto::Tagging>(data);
    parse::<dto::Delete>(data);
    parse::<dto::CompletedMultipartUpload>(data);
    parse::<dto::BucketLifecycleConfiguration>(data);
    parse::<dto::CORSConfiguration>(data);
    parse::<dto::VersioningConfiguration>(data);
    parse::<dto::ServerSideEncryptionConfiguration>(data);
    parse::<dto::ObjectLockConfiguration>(data);
    parse::<dto::ObjectLockRetention>(data);
    parse::<dto::ObjectLockLegalHold>(data);
    parse::<dto::AccessControlPolicy>(data);
    parse::<dto::OwnershipControls>(data);
    parse::<dto::BucketLoggingStatus>(data);
    parse::<dto::PublicAccessBlockConfiguration>(data);
    parse::<dto::CreateBucketConfiguration>(data);
});
