//! Object reads and writes through aws-sdk-s3: bytes, headers, ranges, conditions, copies,
//! tags, checksums.

use crate::harness::*;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    ChecksumAlgorithm, ChecksumMode, Delete, MetadataDirective, ObjectIdentifier, Tag, Tagging,
    TaggingDirective,
};
use base64::Engine;
use md5::{Digest, Md5};

async fn bucket(c: &Client, name: &str) {
    c.create_bucket().bucket(name).send().await.unwrap();
}

#[tokio::test]
async fn put_then_get_returns_bytes_headers_and_md5_etag() {
    let s = Server::start();
    let c = s.client();
    bucket(&c, "bkt").await;
    let body = data(100_000, 1);
    let put = c
        .put_object()
        .bucket("bkt")
        .key("dir/file.bin")
        .body(body.clone().into())
        .content_type("application/x-thing")
        .content_encoding("identity")
        .content_disposition("attachment; filename=\"f.bin\"")
        .content_language("fi")
        .cache_control("max-age=60")
        .expires(DateTime::from_secs(1_900_000_000))
        .metadata("Owner", "alice")
        .metadata("purpose", "test")
        .send()
        .await
        .unwrap();
    let md5 = hex::encode(Md5::digest(&body));
    assert_eq!(put.e_tag(), Some(format!("\"{md5}\"").as_str()));
    let got = c
        .get_object()
        .bucket("bkt")
        .key("dir/file.bin")
        .send()
        .await
        .unwrap();
    assert_eq!(got.e_tag(), put.e_tag());
    assert_eq!(got.content_type(), Some("application/x-thing"));
    assert_eq!(got.content_encoding(), Some("identity"));
    assert_eq!(
        got.content_disposition(),
        Some("attachment; filename=\"f.bin\"")
    );
    assert_eq!(got.content_language(), Some("fi"));
    assert_eq!(got.cache_control(), Some("max-age=60"));
    assert_eq!(got.expires_string(), Some("Sun, 17 Mar 2030 17:46:40 GMT"));
    assert_eq!(got.content_length(), Some(100_000));
    let meta = got.metadata().cloned().unwrap_or_default();
    assert_eq!(meta.get("owner").map(String::as_str), Some("alice"));
    assert_eq!(meta.get("purpose").map(String::as_str), Some("test"));
    assert_eq!(body_bytes(got).await, body);
    let head = c
        .head_object()
        .bucket("bkt")
        .key("dir/file.bin")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(100_000));
    assert_eq!(head.e_tag(), put.e_tag());
    let err = c
        .get_object()
        .bucket("bkt")
        .key("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchKey");
    assert_eq!(status(&err), 404);
    let err = c
        .get_object()
        .bucket("nobucket")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchBucket");
}

#[tokio::test]
async fn ranges_and_response_overrides() {
    let s = Server::start();
    let c = s.client();
    bucket(&c, "bkt").await;
    let body = data(1000, 2);
    c.put_object()
        .bucket("bkt")
        .key("k")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    let got = c
        .get_object()
        .bucket("bkt")
        .key("k")
        .range("bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_range(), Some("bytes 10-19/1000"));
    assert_eq!(got.content_length(), Some(10));
    assert_eq!(body_bytes(got).await, body[10..20]);
    let got = c
        .get_object()
        .bucket("bkt")
        .key("k")
        .range("bytes=-5")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, body[995..]);
    let got = c
        .get_object()
        .bucket("bkt")
        .key("k")
        .range("bytes=990-")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, body[990..]);
    let err = c
        .get_object()
        .bucket("bkt")
        .key("k")
        .range("bytes=5000-6000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidRange");
    assert_eq!(status(&err), 416);
    let got = c
        .get_object()
        .bucket("bkt")
        .key("k")
        .response_content_type("text/plain")
        .response_content_disposition("inline")
        .response_cache_control("no-cache")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_type(), Some("text/plain"));
    assert_eq!(got.content_disposition(), Some("inline"));
    assert_eq!(got.cache_control(), Some("no-cache"));
}

#[tokio::test]
async fn conditional_gets_follow_http_precedence() {
    let s = Server::start();
    let c = s.client();
    bucket(&c, "bkt").await;
    let put = c
        .put_object()
        .bucket("bkt")
        .key("k")
        .body(b"v1".to_vec().into())
        .send()
        .await
        .unwrap();
    let etag = put.e_tag().unwrap().to_string();
    let past = DateTime::from_secs(1_000_000_000);
    let future = DateTime::from_secs(4_000_000_000);
    assert!(
        c.get_object()
            .bucket("bkt")
            .key("k")
            .if_match(&etag)
            .send()
            .await
            .is_ok()
    );
    let err = c
        .get_object()
        .bucket("bkt")
        .key("k")
        .if_match("\"nope\"")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 412);
    let err = c
        .get_object()
        .bucket("bkt")
        .key("k")
        .if_none_match(&etag)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 304);
    assert!(
        c.get_object()
            .bucket("bkt")
            .key("k")
            .if_none_match("\"other\"")
            .send()
            .await
            .is_ok()
    );
    let err = c
        .get_object()
        .bucket("bkt")
        .key("k")
        .if_modified_since(future)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 304);
    assert!(
        c.get_object()
            .bucket("bkt")
            .key("k")
            .if_modified_since(past)
            .send()
            .await
            .is_ok()
    );
    let err = c
        .get_object()
        .bucket("bkt")
        .key("k")
        .if_unmodified_since(past)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 412);
    // If-Match that holds wins over a failing If-Unmodified-Since (S3 documents this pair).
    assert!(
        c.get_object()
            .bucket("bkt")
            .key("k")
            .if_match(&etag)
            .if_unmodified_since(past)
            .send()
            .await
            .is_ok()
    );
    let err = c
        .head_object()
        .bucket("bkt")
        .key("k")
        .if_none_match(&etag)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 304);
    // Conditional PUT: If-None-Match: * refuses to overwrite.
    let err = c
        .put_object()
        .bucket("bkt")
        .key("k")
        .if_none_match("*")
        .body(b"v2".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 412);
}

#[tokio::test]
async fn copy_object_copies_bytes_and_metadata_or_replaces_them() {
    let s = Server::start();
    let c = s.client();
    bucket(&c, "srcb").await;
    bucket(&c, "dstb").await;
    let body = data(70_000, 3);
    let put = c
        .put_object()
        .bucket("srcb")
        .key("a")
        .content_type("image/png")
        .metadata("k", "v")
        .tagging("t=1")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    let out = c
        .copy_object()
        .bucket("dstb")
        .key("b")
        .copy_source("srcb/a")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.copy_object_result().and_then(|r| r.e_tag()),
        put.e_tag()
    );
    let got = c.get_object().bucket("dstb").key("b").send().await.unwrap();
    assert_eq!(got.content_type(), Some("image/png"));
    assert_eq!(
        got.metadata().and_then(|m| m.get("k")).map(String::as_str),
        Some("v")
    );
    assert_eq!(body_bytes(got).await, body);
    let tags = c
        .get_object_tagging()
        .bucket("dstb")
        .key("b")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tag_set().len(), 1);

    c.copy_object()
        .bucket("dstb")
        .key("c")
        .copy_source("srcb/a")
        .metadata_directive(MetadataDirective::Replace)
        .content_type("text/plain")
        .metadata("new", "yes")
        .tagging_directive(TaggingDirective::Replace)
        .tagging("x=y&z=w")
        .send()
        .await
        .unwrap();
    let head = c
        .head_object()
        .bucket("dstb")
        .key("c")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type(), Some("text/plain"));
    let meta = head.metadata().cloned().unwrap_or_default();
    assert_eq!(meta.get("new").map(String::as_str), Some("yes"));
    assert!(!meta.contains_key("k"));
    let tags = c
        .get_object_tagging()
        .bucket("dstb")
        .key("c")
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tag_set().len(), 2);

    let err = c
        .copy_object()
        .bucket("srcb")
        .key("a")
        .copy_source("srcb/a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidRequest");
    c.copy_object()
        .bucket("srcb")
        .key("a")
        .copy_source("srcb/a")
        .metadata_directive(MetadataDirective::Replace)
        .metadata("fresh", "1")
        .send()
        .await
        .unwrap();
    let got = c.get_object().bucket("srcb").key("a").send().await.unwrap();
    assert_eq!(body_bytes(got).await, body, "self-copy keeps the bytes");

    let err = c
        .copy_object()
        .bucket("dstb")
        .key("d")
        .copy_source("srcb/a")
        .copy_source_if_match("\"nomatch\"")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "PreconditionFailed");
    let err = c
        .copy_object()
        .bucket("dstb")
        .key("d")
        .copy_source("srcb/missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchKey");
}

#[tokio::test]
async fn object_tagging_round_trips_and_validates() {
    let s = Server::start();
    let c = s.client();
    bucket(&c, "bkt").await;
    c.put_object()
        .bucket("bkt")
        .key("k")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let tagging = Tagging::builder()
        .tag_set(
            Tag::builder()
                .key("project")
                .value("cairn")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    c.put_object_tagging()
        .bucket("bkt")
        .key("k")
        .tagging(tagging)
        .send()
        .await
        .unwrap();
    let got = c
        .get_object_tagging()
        .bucket("bkt")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(got.tag_set()[0].value(), "cairn");
    let head = c.get_object().bucket("bkt").key("k").send().await.unwrap();
    assert_eq!(head.tag_count(), Some(1));
    c.delete_object_tagging()
        .bucket("bkt")
        .key("k")
        .send()
        .await
        .unwrap();
    assert!(
        c.get_object_tagging()
            .bucket("bkt")
            .key("k")
            .send()
            .await
            .unwrap()
            .tag_set()
            .is_empty()
    );
    let mut eleven = Tagging::builder();
    for i in 0..11 {
        eleven = eleven.tag_set(
            Tag::builder()
                .key(format!("k{i}"))
                .value("v")
                .build()
                .unwrap(),
        );
    }
    let err = c
        .put_object_tagging()
        .bucket("bkt")
        .key("k")
        .tagging(eleven.build().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidTag");
}

#[tokio::test]
async fn delete_objects_reports_each_key_and_quiet_reports_only_errors() {
    let s = Server::start();
    let c = s.client();
    bucket(&c, "bkt").await;
    for k in ["a", "b", "c"] {
        c.put_object()
            .bucket("bkt")
            .key(k)
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let ids = |keys: &[&str]| {
        keys.iter()
            .map(|k| ObjectIdentifier::builder().key(*k).build().unwrap())
            .collect::<Vec<_>>()
    };
    let out = c
        .delete_objects()
        .bucket("bkt")
        .delete(
            Delete::builder()
                .set_objects(Some(ids(&["a", "missing"])))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.deleted().len(),
        2,
        "deleting a missing key succeeds, as on S3"
    );
    let out = c
        .delete_objects()
        .bucket("bkt")
        .delete(
            Delete::builder()
                .set_objects(Some(ids(&["b", "c"])))
                .quiet(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert!(out.deleted().is_empty());
    assert!(out.errors().is_empty());
    let list = c.list_objects_v2().bucket("bkt").send().await.unwrap();
    assert_eq!(list.key_count(), Some(0));
}

#[tokio::test]
async fn checksums_are_verified_stored_and_returned() {
    let s = Server::start();
    let c = s.client();
    bucket(&c, "bkt").await;
    let body = b"checksum me".to_vec();
    for alg in [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32C,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
        ChecksumAlgorithm::Crc64Nvme,
    ] {
        let key = format!("k-{}", alg.as_str());
        let put = c
            .put_object()
            .bucket("bkt")
            .key(&key)
            .checksum_algorithm(alg.clone())
            .body(ByteStream::from(body.clone()))
            .send()
            .await
            .unwrap();
        let got = c
            .get_object()
            .bucket("bkt")
            .key(&key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .unwrap();
        let (sent, returned) = match alg {
            ChecksumAlgorithm::Crc32 => (put.checksum_crc32(), got.checksum_crc32()),
            ChecksumAlgorithm::Crc32C => (put.checksum_crc32_c(), got.checksum_crc32_c()),
            ChecksumAlgorithm::Sha1 => (put.checksum_sha1(), got.checksum_sha1()),
            ChecksumAlgorithm::Sha256 => (put.checksum_sha256(), got.checksum_sha256()),
            _ => (put.checksum_crc64_nvme(), got.checksum_crc64_nvme()),
        };
        assert!(sent.is_some(), "{alg:?} returned on PUT");
        assert_eq!(sent, returned, "{alg:?}");
        assert_eq!(body_bytes(got).await, body);
    }
    // A wrong checksum header is refused and nothing is stored.
    let err = c
        .put_object()
        .bucket("bkt")
        .key("bad")
        .checksum_sha256(base64::engine::general_purpose::STANDARD.encode([0u8; 32]))
        .body(ByteStream::from(body.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "BadDigest");
    let err = c
        .head_object()
        .bucket("bkt")
        .key("bad")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 404);
    let err = c
        .put_object()
        .bucket("bkt")
        .key("bad")
        .content_md5(base64::engine::general_purpose::STANDARD.encode([1u8; 16]))
        .body(ByteStream::from(body.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "BadDigest");
    let good_md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&body));
    c.put_object()
        .bucket("bkt")
        .key("md5")
        .content_md5(good_md5)
        .body(ByteStream::from(body))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn conditional_puts_compare_the_current_etag() {
    let s = Server::start();
    let c = s.client();
    bucket(&c, "cond").await;
    let put = || {
        c.put_object()
            .bucket("cond")
            .key("k")
            .body(b"v".to_vec().into())
    };
    // If-Match on a missing key: NoSuchKey.
    let err = put().if_match("\"abc\"").send().await.unwrap_err();
    assert_eq!(code(&err), "NoSuchKey");
    let etag = put()
        .if_none_match("*")
        .send()
        .await
        .unwrap()
        .e_tag()
        .unwrap()
        .to_string();
    // If-None-Match: `*` or the current ETag fail, another ETag passes.
    for cond in ["*", etag.as_str()] {
        let err = put().if_none_match(cond).send().await.unwrap_err();
        assert_eq!(
            (status(&err), code(&err).as_str()),
            (412, "PreconditionFailed")
        );
    }
    put().if_none_match("\"other\"").send().await.unwrap();
    // If-Match: `*` or the current ETag pass, another ETag fails.
    put().if_match("*").send().await.unwrap();
    put().if_match(&etag).send().await.unwrap();
    let err = put().if_match("\"other\"").send().await.unwrap_err();
    assert_eq!(status(&err), 412);
}

#[tokio::test]
async fn object_attributes_report_size_etag_and_parts() {
    use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ObjectAttributes};
    let s = Server::start();
    let c = s.client();
    bucket(&c, "attrs").await;
    let put = c
        .put_object()
        .bucket("attrs")
        .key("small")
        .body(b"foo".to_vec().into())
        .send()
        .await
        .unwrap();
    let got = c
        .get_object_attributes()
        .bucket("attrs")
        .key("small")
        .object_attributes(ObjectAttributes::ObjectSize)
        .object_attributes(ObjectAttributes::Etag)
        .object_attributes(ObjectAttributes::ObjectParts)
        .send()
        .await
        .unwrap();
    assert_eq!(got.object_size(), Some(3));
    assert_eq!(
        got.e_tag().map(|e| e.trim_matches('"')),
        put.e_tag().map(|e| e.trim_matches('"'))
    );
    assert!(got.object_parts().is_none(), "a single PUT has no parts");

    let id = c
        .create_multipart_upload()
        .bucket("attrs")
        .key("big")
        .send()
        .await
        .unwrap()
        .upload_id()
        .unwrap()
        .to_string();
    let mut parts = Vec::new();
    for (n, len) in [(1, 5 << 20), (2, 1000)] {
        let e = c
            .upload_part()
            .bucket("attrs")
            .key("big")
            .upload_id(&id)
            .part_number(n)
            .body(data(len, n as u8).into())
            .send()
            .await
            .unwrap();
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(e.e_tag().unwrap())
                .build(),
        );
    }
    c.complete_multipart_upload()
        .bucket("attrs")
        .key("big")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got = c
        .get_object_attributes()
        .bucket("attrs")
        .key("big")
        .object_attributes(ObjectAttributes::ObjectParts)
        .max_parts(1)
        .send()
        .await
        .unwrap();
    let p = got.object_parts().unwrap();
    assert_eq!(p.total_parts_count(), Some(2));
    assert_eq!(p.is_truncated(), Some(true));
    assert_eq!(p.parts()[0].size(), Some(5 << 20));
}
