//! Server-side encryption (SSE-S3): the default for every bucket, reported on every response,
//! ranges across segment boundaries, multipart and copies, no plaintext on disk, tampering
//! detected, the bucket configuration API, unknown KMS keys refused as AWS refuses them (SSE-KMS
//! itself: kms.rs), and a bucket policy that requires the header.

use crate::harness::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use std::path::{Path, PathBuf};

const SEG: usize = 64 << 10;

fn aes() -> Option<&'static ServerSideEncryption> {
    Some(&ServerSideEncryption::Aes256)
}

async fn get_range(c: &aws_sdk_s3::Client, bucket: &str, key: &str, range: &str) -> Vec<u8> {
    let out = c
        .get_object()
        .bucket(bucket)
        .key(key)
        .range(range)
        .send()
        .await
        .unwrap();
    assert_eq!(out.server_side_encryption(), aes());
    body_bytes(out).await
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn encryption_config(
    algorithm: ServerSideEncryption,
    kms_key: Option<&str>,
) -> ServerSideEncryptionConfiguration {
    ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(algorithm)
                        .set_kms_master_key_id(kms_key.map(str::to_string))
                        .build()
                        .unwrap(),
                )
                .bucket_key_enabled(true)
                .build(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_object_is_sse_s3_by_default_and_ranges_cross_segments() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("enc").send().await.unwrap();
    let body = data(3 * SEG + 123, 1);
    let put = c
        .put_object()
        .bucket("enc")
        .key("obj")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    assert_eq!(put.server_side_encryption(), aes());
    let head = c
        .head_object()
        .bucket("enc")
        .key("obj")
        .send()
        .await
        .unwrap();
    assert_eq!(head.server_side_encryption(), aes());
    assert_eq!(head.content_length(), Some(body.len() as i64));
    let got = c
        .get_object()
        .bucket("enc")
        .key("obj")
        .send()
        .await
        .unwrap();
    assert_eq!(got.server_side_encryption(), aes());
    assert_eq!(body_bytes(got).await, body);
    for (from, to) in [
        (65530, 65545),
        (0, 0),
        (SEG - 1, SEG),
        (SEG, 2 * SEG + 5),
        (3 * SEG, 3 * SEG + 122),
    ] {
        let want = &body[from..=to];
        assert_eq!(
            get_range(&c, "enc", "obj", &format!("bytes={from}-{to}")).await,
            want,
            "{from}-{to}"
        );
    }
    assert_eq!(
        get_range(&c, "enc", "obj", "bytes=-100").await,
        &body[body.len() - 100..]
    );
    assert_eq!(
        get_range(&c, "enc", "obj", &format!("bytes={}-", 2 * SEG - 3)).await,
        &body[2 * SEG - 3..]
    );
    // The header asked for explicitly, and an empty object.
    let put = c
        .put_object()
        .bucket("enc")
        .key("empty")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .body(Vec::new().into())
        .send()
        .await
        .unwrap();
    assert_eq!(put.server_side_encryption(), aes());
    let got = c
        .get_object()
        .bucket("enc")
        .key("empty")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, b"");
}

/// Writes a single-part object, a multipart one with an UploadPartCopy part, and a copy, all
/// containing `marker`; checks contents and headers. Returns the expected bytes per key.
async fn write_encrypted_family(c: &aws_sdk_s3::Client, marker: &[u8]) -> Vec<(String, Vec<u8>)> {
    c.create_bucket().bucket("fam").send().await.unwrap();
    let single: Vec<u8> = marker.repeat((200 << 10) / marker.len() + 1);
    c.put_object()
        .bucket("fam")
        .key("single")
        .body(single.clone().into())
        .send()
        .await
        .unwrap();
    let part1: Vec<u8> = marker.repeat((5 << 20) / marker.len() + 1);
    let up = c
        .create_multipart_upload()
        .bucket("fam")
        .key("multi")
        .send()
        .await
        .unwrap();
    assert_eq!(up.server_side_encryption(), aes());
    let id = up.upload_id().unwrap();
    let p1 = c
        .upload_part()
        .bucket("fam")
        .key("multi")
        .upload_id(id)
        .part_number(1)
        .body(part1.clone().into())
        .send()
        .await
        .unwrap();
    assert_eq!(p1.server_side_encryption(), aes());
    let p2 = c
        .upload_part_copy()
        .bucket("fam")
        .key("multi")
        .upload_id(id)
        .part_number(2)
        .copy_source("fam/single")
        .copy_source_range("bytes=65530-131100")
        .send()
        .await
        .unwrap();
    assert_eq!(p2.server_side_encryption(), aes());
    let done = c
        .complete_multipart_upload()
        .bucket("fam")
        .key("multi")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(p1.e_tag().unwrap())
                        .build(),
                )
                .parts(
                    CompletedPart::builder()
                        .part_number(2)
                        .e_tag(p2.copy_part_result().unwrap().e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(done.server_side_encryption(), aes());
    let mut multi = part1.clone();
    multi.extend_from_slice(&single[65530..=131100]);
    let copied = c
        .copy_object()
        .bucket("fam")
        .key("copied")
        .copy_source("fam/multi")
        .send()
        .await
        .unwrap();
    assert_eq!(copied.server_side_encryption(), aes());
    let expected = vec![
        ("single".to_string(), single),
        ("multi".to_string(), multi.clone()),
        ("copied".to_string(), multi),
    ];
    for (key, want) in &expected {
        let got = c.get_object().bucket("fam").key(key).send().await.unwrap();
        assert_eq!(got.server_side_encryption(), aes(), "{key}");
        assert!(body_bytes(got).await == *want, "{key} round trip");
    }
    // A range across the part boundary of the multipart object.
    let edge = part1.len();
    assert_eq!(
        get_range(
            c,
            "fam",
            "multi",
            &format!("bytes={}-{}", edge - 10, edge + 10)
        )
        .await,
        &expected[1].1[edge - 10..=edge + 10]
    );
    expected
}

#[tokio::test]
async fn multipart_copies_and_no_plaintext_anywhere_in_the_data_dir() {
    let s = Server::start();
    let c = s.client();
    let marker = b"CAIRN-PLAINTEXT-MARKER-q7Zk2VbX9mW4pL0sR8tY3nH6jD1fG5cA";
    write_encrypted_family(&c, marker).await;
    let needle = &marker[..32];
    let mut scanned = 0;
    for path in files(&s.dir) {
        let bytes = std::fs::read(&path).unwrap_or_default();
        scanned += bytes.len();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "plaintext found in {}",
            path.display()
        );
    }
    assert!(
        scanned > 10 << 20,
        "the data dir holds the objects ({scanned} bytes)"
    );
}

#[tokio::test]
async fn a_flipped_stored_byte_fails_the_read_never_returns_other_bytes() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("tamper").send().await.unwrap();
    let body = data(4 * SEG, 9);
    c.put_object()
        .bucket("tamper")
        .key("k")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    let blobs = files(&s.dir.join("blobs"));
    assert_eq!(blobs.len(), 1);
    let good = std::fs::read(&blobs[0]).unwrap();
    // A byte in a middle segment (the response may start, then must abort), then in the header.
    for pos in [good.len() / 2, 30] {
        let mut bad = good.clone();
        bad[pos] ^= 0x40;
        std::fs::write(&blobs[0], &bad).unwrap();
        match c.get_object().bucket("tamper").key("k").send().await {
            // A 500, or the connection dropped mid-response (no status at all): never the bytes.
            Err(e) => assert!(
                matches!(status(&e), 0 | 500),
                "flip at {pos}: {}",
                status(&e)
            ),
            Ok(out) => {
                let read = out.body.collect().await;
                assert!(read.is_err(), "flip at {pos}: the body must not complete");
            }
        }
    }
    std::fs::write(&blobs[0], &good).unwrap();
    let got = c
        .get_object()
        .bucket("tamper")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, body);
}

#[tokio::test]
async fn bucket_encryption_configuration_and_refusals() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("cfg").send().await.unwrap();
    let rule_of = |out: aws_sdk_s3::operation::get_bucket_encryption::GetBucketEncryptionOutput| {
        let rule = out.server_side_encryption_configuration().unwrap().rules()[0].clone();
        (
            rule.apply_server_side_encryption_by_default()
                .unwrap()
                .sse_algorithm()
                .clone(),
            rule.bucket_key_enabled(),
        )
    };
    // AWS's default since 2023.
    let got = c
        .get_bucket_encryption()
        .bucket("cfg")
        .send()
        .await
        .unwrap();
    assert_eq!(rule_of(got), (ServerSideEncryption::Aes256, Some(false)));
    c.put_bucket_encryption()
        .bucket("cfg")
        .server_side_encryption_configuration(encryption_config(ServerSideEncryption::Aes256, None))
        .send()
        .await
        .unwrap();
    let got = c
        .get_bucket_encryption()
        .bucket("cfg")
        .send()
        .await
        .unwrap();
    assert_eq!(rule_of(got), (ServerSideEncryption::Aes256, Some(true)));
    c.delete_bucket_encryption()
        .bucket("cfg")
        .send()
        .await
        .unwrap();
    let got = c
        .get_bucket_encryption()
        .bucket("cfg")
        .send()
        .await
        .unwrap();
    assert_eq!(rule_of(got), (ServerSideEncryption::Aes256, Some(false)));

    let err = c
        .put_bucket_encryption()
        .bucket("cfg")
        .server_side_encryption_configuration(encryption_config("AES512".into(), None))
        .send()
        .await
        .unwrap_err();
    assert_eq!((code(&err).as_str(), status(&err)), ("MalformedXML", 400));
    let err = c
        .put_bucket_encryption()
        .bucket("cfg")
        .server_side_encryption_configuration(encryption_config(
            ServerSideEncryption::AwsKms,
            Some("no-such-key"),
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err).as_str(), status(&err)),
        ("KMS.NotFoundException", 400)
    );
    let err = c
        .get_bucket_encryption()
        .bucket("no-such-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchBucket");

    let err = c
        .put_object()
        .bucket("cfg")
        .key("k")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("alias/no-such-key")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err).as_str(), status(&err)),
        ("KMS.NotFoundException", 400)
    );
    let err = c
        .put_object()
        .bucket("cfg")
        .key("k")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id(
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        )
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "KMS.NotFoundException");
    let err = c
        .put_object()
        .bucket("cfg")
        .key("k")
        .server_side_encryption("AES128".into())
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err).as_str(), status(&err)),
        ("InvalidArgument", 400)
    );
    let err = c
        .create_multipart_upload()
        .bucket("cfg")
        .key("k")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("no-such-key")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "KMS.NotFoundException");
}

#[tokio::test]
async fn without_default_encryption_buckets_are_plain_until_configured() {
    let s = Server::start_with(&["--no-default-encryption"]);
    let c = s.client();
    c.create_bucket().bucket("plain").send().await.unwrap();
    let err = c
        .get_bucket_encryption()
        .bucket("plain")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err).as_str(), status(&err)),
        ("ServerSideEncryptionConfigurationNotFoundError", 404)
    );
    let body = data(SEG + 7, 3);
    let put = c
        .put_object()
        .bucket("plain")
        .key("p")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    assert_eq!(put.server_side_encryption(), None);
    // The header still encrypts one object.
    let put = c
        .put_object()
        .bucket("plain")
        .key("e")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    assert_eq!(put.server_side_encryption(), aes());
    // Copying a plain object into a configured bucket encrypts it, and back again decrypts.
    c.create_bucket().bucket("sealed").send().await.unwrap();
    c.put_bucket_encryption()
        .bucket("sealed")
        .server_side_encryption_configuration(encryption_config(ServerSideEncryption::Aes256, None))
        .send()
        .await
        .unwrap();
    let copied = c
        .copy_object()
        .bucket("sealed")
        .key("c")
        .copy_source("plain/p")
        .send()
        .await
        .unwrap();
    assert_eq!(copied.server_side_encryption(), aes());
    let back = c
        .copy_object()
        .bucket("plain")
        .key("back")
        .copy_source("sealed/c")
        .send()
        .await
        .unwrap();
    assert_eq!(back.server_side_encryption(), None);
    for (bucket, key, sse) in [
        ("plain", "p", None),
        ("plain", "e", aes()),
        ("sealed", "c", aes()),
        ("plain", "back", None),
    ] {
        let got = c.get_object().bucket(bucket).key(key).send().await.unwrap();
        assert_eq!(got.server_side_encryption(), sse, "{bucket}/{key}");
        assert!(body_bytes(got).await == body, "{bucket}/{key}");
    }
    // An in-place copy that only adds encryption is allowed, as on AWS.
    let again = c
        .copy_object()
        .bucket("plain")
        .key("p")
        .copy_source("plain/p")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .unwrap();
    assert_eq!(again.server_side_encryption(), aes());
}

#[tokio::test]
async fn a_bucket_policy_can_require_the_encryption_header() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("strict").send().await.unwrap();
    // AWS's documented example: deny a PutObject whose header is missing or not AES256.
    let policy = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"DenyIncorrectEncryptionHeader","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
         "Resource":"arn:aws:s3:::strict/*",
         "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}},
        {"Sid":"DenyUnencryptedObjectUploads","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
         "Resource":"arn:aws:s3:::strict/*",
         "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}"#;
    c.put_bucket_policy()
        .bucket("strict")
        .policy(policy)
        .send()
        .await
        .unwrap();
    let err = c
        .put_object()
        .bucket("strict")
        .key("k")
        .body(ByteStream::from_static(b"no header"))
        .send()
        .await
        .unwrap_err();
    assert_eq!((code(&err).as_str(), status(&err)), ("AccessDenied", 403));
    let put = c
        .put_object()
        .bucket("strict")
        .key("k")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .body(ByteStream::from_static(b"with header"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.server_side_encryption(), aes());
    let got = c
        .get_object()
        .bucket("strict")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, b"with header");
}

#[tokio::test]
async fn sse_c_needs_the_same_key_to_read_and_copies_reencrypt() {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let md5 = |b: &[u8]| {
        use md5::{Digest, Md5};
        b64(&Md5::digest(b))
    };
    let (key, other) = ([7u8; 32], [8u8; 32]);
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("ssec").send().await.unwrap();
    let body = data(2 * SEG + 9, 4);
    let put = c
        .put_object()
        .bucket("ssec")
        .key("k")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(b64(&key))
        .sse_customer_key_md5(md5(&key))
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    assert_eq!(put.sse_customer_key_md5(), Some(md5(&key).as_str()));
    assert_eq!(put.server_side_encryption(), None);
    // Without the key: 400; with another key: 403; with a wrong MD5: 400.
    let err = c
        .get_object()
        .bucket("ssec")
        .key("k")
        .send()
        .await
        .unwrap_err();
    assert_eq!((code(&err).as_str(), status(&err)), ("InvalidRequest", 400));
    let err = c
        .get_object()
        .bucket("ssec")
        .key("k")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(b64(&other))
        .sse_customer_key_md5(md5(&other))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 403);
    let err = c
        .head_object()
        .bucket("ssec")
        .key("k")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(b64(&key))
        .sse_customer_key_md5(md5(&other))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 400);
    let got = c
        .get_object()
        .bucket("ssec")
        .key("k")
        .range(format!("bytes={}-{}", SEG - 5, SEG + 5))
        .sse_customer_algorithm("AES256")
        .sse_customer_key(b64(&key))
        .sse_customer_key_md5(md5(&key))
        .send()
        .await
        .unwrap();
    assert_eq!(got.sse_customer_algorithm(), Some("AES256"));
    assert_eq!(body_bytes(got).await, &body[SEG - 5..=SEG + 5]);
    // Copy with the source key to an SSE-S3 object.
    let copied = c
        .copy_object()
        .bucket("ssec")
        .key("copy")
        .copy_source("ssec/k")
        .copy_source_sse_customer_algorithm("AES256")
        .copy_source_sse_customer_key(b64(&key))
        .copy_source_sse_customer_key_md5(md5(&key))
        .send()
        .await
        .unwrap();
    assert_eq!(copied.server_side_encryption(), aes());
    let got = c
        .get_object()
        .bucket("ssec")
        .key("copy")
        .send()
        .await
        .unwrap();
    assert!(body_bytes(got).await == body);
    // Without the source key the copy is refused.
    let err = c
        .copy_object()
        .bucket("ssec")
        .key("copy2")
        .copy_source("ssec/k")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 400);
    // Key headers on an SSE-S3 object are not applicable.
    let err = c
        .get_object()
        .bucket("ssec")
        .key("copy")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(b64(&key))
        .sse_customer_key_md5(md5(&key))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 400);
}

#[tokio::test]
async fn the_master_key_can_live_outside_the_data_dir() {
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD.encode([3u8; 32]);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let body = data(SEG + 1, 5);
    {
        let s = Server::spawn_env(&dir, None, &[], &[("CAIRN_MASTER_KEY", &key)]);
        let c = s.client();
        c.create_bucket().bucket("keyed").send().await.unwrap();
        c.put_object()
            .bucket("keyed")
            .key("o")
            .body(body.clone().into())
            .send()
            .await
            .unwrap();
    }
    assert!(
        !dir.join("master.key").exists(),
        "no key written to the data dir"
    );
    // The same key from a file reads what the environment's key wrote.
    let file = tmp.path().join("cairn.key");
    std::fs::write(&file, [3u8; 32]).unwrap();
    let s = Server::spawn_env(
        &dir,
        None,
        &["--master-key-file", file.to_str().unwrap()],
        &[],
    );
    let got = s
        .client()
        .get_object()
        .bucket("keyed")
        .key("o")
        .send()
        .await
        .unwrap();
    assert_eq!(got.server_side_encryption(), aes());
    assert!(body_bytes(got).await == body);
    assert!(!dir.join("master.key").exists());
}
