//! SSE-KMS with the built-in key service: each account's AWS-managed key (`aws/s3`) and keys
//! declared with `--kms-key`, named by id, alias or ARN; reported as the key's ARN on every
//! response; PUT, GET, HEAD, copies, multipart and the bucket default; unknown keys refused as
//! AWS refuses them; bucket policies conditioned on the KMS headers.

use crate::harness::*;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};

const SEG: usize = 64 << 10;

fn kms() -> Option<&'static ServerSideEncryption> {
    Some(&ServerSideEncryption::AwsKms)
}

fn server() -> Server {
    Server::start_with(&["--kms-key", "app-key,other-key"])
}

/// `arn:aws:kms:us-east-1:<12 digits>:key/<id>` → the account.
fn account_of(arn: &str) -> String {
    let parts: Vec<&str> = arn.split(':').collect();
    assert_eq!(parts[..4], ["arn", "aws", "kms", "us-east-1"], "{arn}");
    assert!(parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit()));
    parts[4].to_string()
}

async fn put_kms(
    c: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    key_id: Option<&str>,
    body: &[u8],
) -> aws_sdk_s3::operation::put_object::PutObjectOutput {
    c.put_object()
        .bucket(bucket)
        .key(key)
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .set_ssekms_key_id(key_id.map(str::to_string))
        .body(body.to_vec().into())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn objects_under_the_managed_and_named_keys_round_trip_and_report_the_arn() {
    let s = server();
    let c = s.client();
    c.create_bucket()
        .bucket("kms-objects")
        .send()
        .await
        .unwrap();
    let body = data(2 * SEG + 7, 3);

    // No key id: the account's AWS-managed key, a UUID-shaped id.
    let put = put_kms(&c, "kms-objects", "managed", None, &body).await;
    assert_eq!(put.server_side_encryption(), kms());
    let managed = put.ssekms_key_id().unwrap().to_string();
    let account = account_of(&managed);
    assert_eq!(managed.rsplit('/').next().unwrap().len(), 36, "{managed}");
    let again = put_kms(&c, "kms-objects", "managed2", Some("alias/aws/s3"), b"m").await;
    assert_eq!(again.ssekms_key_id(), Some(managed.as_str()));

    // A declared key by id, alias and ARN: one key, reported by ARN.
    let named = format!("arn:aws:kms:us-east-1:{account}:key/app-key");
    for (i, id) in [
        "app-key".to_string(),
        "alias/app-key".to_string(),
        named.clone(),
        format!("arn:aws:kms:us-east-1:{account}:alias/app-key"),
    ]
    .iter()
    .enumerate()
    {
        let put = put_kms(&c, "kms-objects", &format!("named{i}"), Some(id), &body).await;
        assert_eq!(put.server_side_encryption(), kms(), "{id}");
        assert_eq!(put.ssekms_key_id(), Some(named.as_str()), "{id}");
        assert_eq!(put.bucket_key_enabled(), None);
    }

    for (key, arn) in [
        ("managed", &managed),
        ("named0", &named),
        ("named2", &named),
    ] {
        let head = c
            .head_object()
            .bucket("kms-objects")
            .key(key)
            .send()
            .await
            .unwrap();
        assert_eq!(head.server_side_encryption(), kms());
        assert_eq!(head.ssekms_key_id(), Some(arn.as_str()));
        let got = c
            .get_object()
            .bucket("kms-objects")
            .key(key)
            .send()
            .await
            .unwrap();
        assert_eq!(got.server_side_encryption(), kms());
        assert_eq!(got.ssekms_key_id(), Some(arn.as_str()));
        assert!(body_bytes(got).await == body, "{key}");
        // A range across a segment boundary decrypts just the segments it needs.
        let part = c
            .get_object()
            .bucket("kms-objects")
            .key(key)
            .range(format!("bytes={}-{}", SEG - 3, SEG + 4))
            .send()
            .await
            .unwrap();
        assert_eq!(body_bytes(part).await, body[SEG - 3..SEG + 5]);
    }

    // GET and HEAD take no encryption headers: 400, as on AWS.
    let err = c
        .head_object()
        .bucket("kms-objects")
        .key("named0")
        .customize()
        .mutate_request(|r| {
            r.headers_mut()
                .insert("x-amz-server-side-encryption", "aws:kms");
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 400);
    let err = c
        .get_object()
        .bucket("kms-objects")
        .key("named0")
        .customize()
        .mutate_request(|r| {
            r.headers_mut()
                .insert("x-amz-server-side-encryption-aws-kms-key-id", "app-key");
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err).as_str(), status(&err)),
        ("InvalidArgument", 400)
    );

    // Bucket Key and an encryption context are reported back.
    let context = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(r#"{"app":"x"}"#)
    };
    let put = c
        .put_object()
        .bucket("kms-objects")
        .key("bk")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("other-key")
        .ssekms_encryption_context(&context)
        .bucket_key_enabled(true)
        .body(ByteStream::from_static(b"bucket key"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.bucket_key_enabled(), Some(true));
    assert_eq!(put.ssekms_encryption_context(), Some(context.as_str()));
    let head = c
        .head_object()
        .bucket("kms-objects")
        .key("bk")
        .send()
        .await
        .unwrap();
    assert_eq!(head.bucket_key_enabled(), Some(true));
    assert!(head.ssekms_key_id().unwrap().ends_with(":key/other-key"));
}

#[tokio::test]
async fn unknown_keys_and_inconsistent_headers_are_refused() {
    let s = server();
    let c = s.client();
    c.create_bucket()
        .bucket("kms-objects")
        .send()
        .await
        .unwrap();
    let account = account_of(
        put_kms(&c, "kms-objects", "x", None, b"x")
            .await
            .ssekms_key_id()
            .unwrap(),
    );
    for id in [
        "no-such-key".to_string(),
        "alias/no-such-key".to_string(),
        "alias/aws/s4".to_string(),
        // A declared key, but of another account or region.
        "arn:aws:kms:us-east-1:111122223333:key/app-key".to_string(),
        format!("arn:aws:kms:eu-west-1:{account}:key/app-key"),
    ] {
        let err = c
            .put_object()
            .bucket("kms-objects")
            .key("bad")
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&id)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            (code(&err).as_str(), status(&err)),
            ("KMS.NotFoundException", 400),
            "{id}"
        );
    }
    let err = c
        .create_multipart_upload()
        .bucket("kms-objects")
        .key("bad")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("no-such-key")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "KMS.NotFoundException");
    // A key id needs aws:kms; a context must be base64 JSON.
    let err = c
        .put_object()
        .bucket("kms-objects")
        .key("bad")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .ssekms_key_id("app-key")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err).as_str(), status(&err)),
        ("InvalidArgument", 400)
    );
    let err = c
        .put_object()
        .bucket("kms-objects")
        .key("bad")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_encryption_context("not base64 json")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err).as_str(), status(&err)),
        ("InvalidArgument", 400)
    );
    let err = c
        .get_object()
        .bucket("kms-objects")
        .key("bad")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchKey");
}

#[tokio::test]
async fn copies_and_multipart_uploads_change_keys_and_keep_bytes() {
    let s = server();
    let c = s.client();
    c.create_bucket()
        .bucket("kms-objects")
        .send()
        .await
        .unwrap();
    let body = data(SEG + 100, 9);
    c.put_object()
        .bucket("kms-objects")
        .key("s3")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    // SSE-S3 → KMS (named key) → KMS (managed key) → SSE-S3.
    let to_kms = c
        .copy_object()
        .bucket("kms-objects")
        .key("kms")
        .copy_source("kms-objects/s3")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("app-key")
        .send()
        .await
        .unwrap();
    assert_eq!(to_kms.server_side_encryption(), kms());
    let named = to_kms.ssekms_key_id().unwrap().to_string();
    assert!(named.ends_with(":key/app-key"), "{named}");
    let to_managed = c
        .copy_object()
        .bucket("kms-objects")
        .key("kms")
        .copy_source("kms-objects/kms")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .send()
        .await
        .unwrap();
    assert_ne!(to_managed.ssekms_key_id(), Some(named.as_str()));
    let back = c
        .copy_object()
        .bucket("kms-objects")
        .key("back")
        .copy_source("kms-objects/kms")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .send()
        .await
        .unwrap();
    assert_eq!(
        back.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(back.ssekms_key_id(), None);
    for key in ["kms", "back"] {
        let got = c
            .get_object()
            .bucket("kms-objects")
            .key(key)
            .send()
            .await
            .unwrap();
        assert!(body_bytes(got).await == body, "{key}");
    }

    // Multipart: the upload's key seals every part, whatever the parts' requests say.
    let up = c
        .create_multipart_upload()
        .bucket("kms-objects")
        .key("mp")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("alias/other-key")
        .send()
        .await
        .unwrap();
    assert_eq!(up.server_side_encryption(), kms());
    let other = up.ssekms_key_id().unwrap().to_string();
    assert!(other.ends_with(":key/other-key"), "{other}");
    let id = up.upload_id().unwrap();
    let part1 = data(5 << 20, 1);
    let mut parts = Vec::new();
    for (n, bytes) in [(1, part1.clone())] {
        let p = c
            .upload_part()
            .bucket("kms-objects")
            .key("mp")
            .upload_id(id)
            .part_number(n)
            .body(bytes.into())
            .send()
            .await
            .unwrap();
        assert_eq!(p.server_side_encryption(), kms());
        assert_eq!(p.ssekms_key_id(), Some(other.as_str()));
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(p.e_tag().unwrap())
                .build(),
        );
    }
    let copied = c
        .upload_part_copy()
        .bucket("kms-objects")
        .key("mp")
        .upload_id(id)
        .part_number(2)
        .copy_source("kms-objects/kms")
        .send()
        .await
        .unwrap();
    assert_eq!(copied.ssekms_key_id(), Some(other.as_str()));
    parts.push(
        CompletedPart::builder()
            .part_number(2)
            .e_tag(copied.copy_part_result().unwrap().e_tag().unwrap())
            .build(),
    );
    let done = c
        .complete_multipart_upload()
        .bucket("kms-objects")
        .key("mp")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(done.server_side_encryption(), kms());
    assert_eq!(done.ssekms_key_id(), Some(other.as_str()));
    let got = c
        .get_object()
        .bucket("kms-objects")
        .key("mp")
        .send()
        .await
        .unwrap();
    assert_eq!(got.ssekms_key_id(), Some(other.as_str()));
    let mut want = part1;
    want.extend_from_slice(&body);
    assert!(body_bytes(got).await == want);
}

fn kms_default(key_id: Option<&str>, bucket_key: bool) -> ServerSideEncryptionConfiguration {
    ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::AwsKms)
                        .set_kms_master_key_id(key_id.map(str::to_string))
                        .build()
                        .unwrap(),
                )
                .bucket_key_enabled(bucket_key)
                .build(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_bucket_default_kms_key_applies_to_uploads_without_headers() {
    let s = server();
    let c = s.client();
    for b in ["named", "managed"] {
        c.create_bucket().bucket(b).send().await.unwrap();
    }
    c.put_bucket_encryption()
        .bucket("named")
        .server_side_encryption_configuration(kms_default(Some("alias/app-key"), true))
        .send()
        .await
        .unwrap();
    let got = c
        .get_bucket_encryption()
        .bucket("named")
        .send()
        .await
        .unwrap();
    let rule = got.server_side_encryption_configuration().unwrap().rules()[0].clone();
    let by_default = rule.apply_server_side_encryption_by_default().unwrap();
    assert_eq!(by_default.sse_algorithm(), &ServerSideEncryption::AwsKms);
    // Reported as given, as AWS does.
    assert_eq!(by_default.kms_master_key_id(), Some("alias/app-key"));
    assert_eq!(rule.bucket_key_enabled(), Some(true));

    let put = c
        .put_object()
        .bucket("named")
        .key("o")
        .body(ByteStream::from_static(b"by default"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.server_side_encryption(), kms());
    assert!(put.ssekms_key_id().unwrap().ends_with(":key/app-key"));
    assert_eq!(put.bucket_key_enabled(), Some(true));
    let got = c
        .get_object()
        .bucket("named")
        .key("o")
        .send()
        .await
        .unwrap();
    assert!(got.ssekms_key_id().unwrap().ends_with(":key/app-key"));
    assert_eq!(body_bytes(got).await, b"by default");
    // A request's own header still wins over the default.
    let put = c
        .put_object()
        .bucket("named")
        .key("s3")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.ssekms_key_id(), None);

    // Without KMSMasterKeyID: the AWS-managed key.
    c.put_bucket_encryption()
        .bucket("managed")
        .server_side_encryption_configuration(kms_default(None, false))
        .send()
        .await
        .unwrap();
    let put = c
        .put_object()
        .bucket("managed")
        .key("o")
        .body(ByteStream::from_static(b"managed"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.server_side_encryption(), kms());
    assert_eq!(put.bucket_key_enabled(), None);
    let managed = put.ssekms_key_id().unwrap().to_string();
    let explicit = put_kms(&c, "named", "m", None, b"m").await;
    assert_eq!(explicit.ssekms_key_id(), Some(managed.as_str()));

    let err = c
        .put_bucket_encryption()
        .bucket("managed")
        .server_side_encryption_configuration(kms_default(Some("no-such-key"), false))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err).as_str(), status(&err)),
        ("KMS.NotFoundException", 400)
    );
}

#[tokio::test]
async fn a_bucket_policy_can_require_kms_and_a_given_key() {
    let s = server();
    let c = s.client();
    c.create_bucket().bucket("strict").send().await.unwrap();
    let account = account_of(
        put_kms(&c, "strict", "probe", Some("app-key"), b"x")
            .await
            .ssekms_key_id()
            .unwrap(),
    );
    let app_key = format!("arn:aws:kms:us-east-1:{account}:key/app-key");
    // AWS's documented pattern: deny uploads that do not ask for SSE-KMS with this key.
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
        {{"Sid":"DenyNotKms","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
         "Resource":"arn:aws:s3:::strict/*",
         "Condition":{{"StringNotEquals":{{"s3:x-amz-server-side-encryption":"aws:kms"}}}}}},
        {{"Sid":"DenyOtherKeys","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
         "Resource":"arn:aws:s3:::strict/*",
         "Condition":{{"StringNotEquals":{{"s3:x-amz-server-side-encryption-aws-kms-key-id":"{app_key}"}}}}}}]}}"#
    );
    c.put_bucket_policy()
        .bucket("strict")
        .policy(policy)
        .send()
        .await
        .unwrap();
    let denied = |r: Result<_, aws_sdk_s3::error::SdkError<_, _>>| {
        let err = r.unwrap_err();
        assert_eq!((code(&err).as_str(), status(&err)), ("AccessDenied", 403));
    };
    denied(
        c.put_object()
            .bucket("strict")
            .key("k")
            .body(ByteStream::from_static(b"no header"))
            .send()
            .await,
    );
    denied(
        c.put_object()
            .bucket("strict")
            .key("k")
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(ByteStream::from_static(b"sse-s3"))
            .send()
            .await,
    );
    denied(
        c.put_object()
            .bucket("strict")
            .key("k")
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(format!("arn:aws:kms:us-east-1:{account}:key/other-key"))
            .body(ByteStream::from_static(b"other key"))
            .send()
            .await,
    );
    let put = put_kms(&c, "strict", "k", Some(&app_key), b"allowed").await;
    assert_eq!(put.ssekms_key_id(), Some(app_key.as_str()));
    let got = c
        .get_object()
        .bucket("strict")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, b"allowed");
    let probe = c
        .get_object()
        .bucket("strict")
        .key("probe")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(probe).await, b"x");
}
