//! Multipart uploads through aws-sdk-s3.

use crate::harness::*;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use md5::{Digest, Md5};

const MIB: usize = 1 << 20;

async fn upload(c: &Client, key: &str) -> String {
    c.create_multipart_upload()
        .bucket("mpu")
        .key(key)
        .content_type("video/mp4")
        .metadata("m", "1")
        .send()
        .await
        .unwrap()
        .upload_id()
        .unwrap()
        .to_string()
}

fn completed(parts: &[(i32, String)]) -> CompletedMultipartUpload {
    CompletedMultipartUpload::builder()
        .set_parts(Some(
            parts
                .iter()
                .map(|(n, e)| CompletedPart::builder().part_number(*n).e_tag(e).build())
                .collect(),
        ))
        .build()
}

#[tokio::test]
async fn multipart_upload_assembles_parts_with_aws_etag() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let id = upload(&c, "big").await;
    let p1 = data(5 * MIB, 1);
    let p2 = data(5 * MIB, 2);
    let p3 = data(123, 3);
    let mut etags = Vec::new();
    // Parts may arrive out of order; part 1 is uploaded twice (the second wins).
    for (n, body) in [(2, &p2), (1, &p3), (1, &p1), (3, &p3)] {
        let out = c
            .upload_part()
            .bucket("mpu")
            .key("big")
            .upload_id(&id)
            .part_number(n)
            .body(body.clone().into())
            .send()
            .await
            .unwrap();
        etags.push((n, out.e_tag().unwrap().to_string()));
    }
    let listed = c
        .list_parts()
        .bucket("mpu")
        .key("big")
        .upload_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.parts().len(), 3);
    assert_eq!(listed.parts()[0].size(), Some(5 * MIB as i64));
    let uploads = c
        .list_multipart_uploads()
        .bucket("mpu")
        .send()
        .await
        .unwrap();
    assert_eq!(uploads.uploads().len(), 1);

    let parts = vec![
        (1, etags[2].1.clone()),
        (2, etags[0].1.clone()),
        (3, etags[3].1.clone()),
    ];
    let out = c
        .complete_multipart_upload()
        .bucket("mpu")
        .key("big")
        .upload_id(&id)
        .multipart_upload(completed(&parts))
        .send()
        .await
        .unwrap();
    let mut md5s = Md5::new();
    for p in [&p1, &p2, &p3] {
        md5s.update(Md5::digest(p));
    }
    let expected = format!("\"{}-3\"", hex::encode(md5s.finalize()));
    assert_eq!(out.e_tag(), Some(expected.as_str()));

    let got = c
        .get_object()
        .bucket("mpu")
        .key("big")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_type(), Some("video/mp4"));
    assert_eq!(got.content_length(), Some((10 * MIB + 123) as i64));
    let all = body_bytes(got).await;
    assert_eq!(all, [p1.clone(), p2.clone(), p3.clone()].concat());
    // A range across the part boundary.
    let got = c
        .get_object()
        .bucket("mpu")
        .key("big")
        .range(format!("bytes={}-{}", 5 * MIB - 10, 5 * MIB + 9))
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, all[5 * MIB - 10..5 * MIB + 10]);
    let part2 = c
        .get_object()
        .bucket("mpu")
        .key("big")
        .part_number(2)
        .send()
        .await
        .unwrap();
    assert_eq!(part2.parts_count(), Some(3));
    assert_eq!(body_bytes(part2).await, p2);
    assert!(
        c.list_multipart_uploads()
            .bucket("mpu")
            .send()
            .await
            .unwrap()
            .uploads()
            .is_empty()
    );
    let err = c
        .list_parts()
        .bucket("mpu")
        .key("big")
        .upload_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchUpload");
}

#[tokio::test]
async fn multipart_errors_match_aws() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let id = upload(&c, "k").await;
    let mut etags = Vec::new();
    for n in 1..=2 {
        let out = c
            .upload_part()
            .bucket("mpu")
            .key("k")
            .upload_id(&id)
            .part_number(n)
            .body(data(1000, n as u8).into())
            .send()
            .await
            .unwrap();
        etags.push((n, out.e_tag().unwrap().to_string()));
    }
    let complete = |parts: Vec<(i32, String)>| {
        c.complete_multipart_upload()
            .bucket("mpu")
            .key("k")
            .upload_id(&id)
            .multipart_upload(completed(&parts))
            .send()
    };
    let err = complete(vec![etags[1].clone(), etags[0].clone()])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidPartOrder");
    let err = complete(vec![
        (1, etags[0].1.clone()),
        (2, "\"00000000000000000000000000000000\"".into()),
    ])
    .await
    .unwrap_err();
    assert_eq!(code(&err), "InvalidPart");
    let err = complete(vec![(1, etags[0].1.clone()), (7, etags[1].1.clone())])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidPart");
    let err = complete(etags.clone()).await.unwrap_err();
    assert_eq!(code(&err), "EntityTooSmall");
    // One small part alone is fine (the last part may be small).
    complete(vec![etags[0].clone()]).await.unwrap();
    let err = c
        .upload_part()
        .bucket("mpu")
        .key("k")
        .upload_id(&id)
        .part_number(3)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchUpload");

    let id2 = upload(&c, "aborted").await;
    c.upload_part()
        .bucket("mpu")
        .key("aborted")
        .upload_id(&id2)
        .part_number(1)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    c.abort_multipart_upload()
        .bucket("mpu")
        .key("aborted")
        .upload_id(&id2)
        .send()
        .await
        .unwrap();
    let err = c
        .abort_multipart_upload()
        .bucket("mpu")
        .key("aborted")
        .upload_id(&id2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchUpload");
    let err = c
        .upload_part()
        .bucket("mpu")
        .key("k")
        .upload_id(&id)
        .part_number(10_001)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert!(["InvalidArgument", "NoSuchUpload"].contains(&code(&err).as_str()));
}

#[tokio::test]
async fn upload_part_copy_takes_ranges_of_existing_objects() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let src = data(6 * MIB, 9);
    c.put_object()
        .bucket("mpu")
        .key("src")
        .body(src.clone().into())
        .send()
        .await
        .unwrap();
    let id = upload(&c, "dst").await;
    let p1 = c
        .upload_part_copy()
        .bucket("mpu")
        .key("dst")
        .upload_id(&id)
        .part_number(1)
        .copy_source("mpu/src")
        .copy_source_range(format!("bytes=0-{}", 5 * MIB - 1))
        .send()
        .await
        .unwrap();
    let p2 = c
        .upload_part_copy()
        .bucket("mpu")
        .key("dst")
        .upload_id(&id)
        .part_number(2)
        .copy_source("mpu/src")
        .copy_source_range(format!("bytes={}-{}", 5 * MIB, 6 * MIB - 1))
        .send()
        .await
        .unwrap();
    let e = |o: &aws_sdk_s3::operation::upload_part_copy::UploadPartCopyOutput| {
        o.copy_part_result()
            .and_then(|r| r.e_tag())
            .unwrap()
            .to_string()
    };
    c.complete_multipart_upload()
        .bucket("mpu")
        .key("dst")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, e(&p1)), (2, e(&p2))]))
        .send()
        .await
        .unwrap();
    let got = c
        .get_object()
        .bucket("mpu")
        .key("dst")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, src);
}

#[tokio::test]
async fn multipart_full_object_crc_is_verified_and_returned() {
    use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode, ChecksumType};
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let whole = data(6 * MIB, 4);
    let expected = {
        let mut h = crc32fast_like(&whole);
        h.truncate(8);
        h
    };
    let id = c
        .create_multipart_upload()
        .bucket("mpu")
        .key("crc")
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .checksum_type(ChecksumType::FullObject)
        .send()
        .await
        .unwrap()
        .upload_id()
        .unwrap()
        .to_string();
    let mut parts = Vec::new();
    for (n, chunk) in [(1, &whole[..5 * MIB]), (2, &whole[5 * MIB..])] {
        let out = c
            .upload_part()
            .bucket("mpu")
            .key("crc")
            .upload_id(&id)
            .part_number(n)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(chunk.to_vec().into())
            .send()
            .await
            .unwrap();
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(out.e_tag().unwrap())
                .checksum_crc32(out.checksum_crc32().unwrap())
                .build(),
        );
    }
    let err = c
        .complete_multipart_upload()
        .bucket("mpu")
        .key("crc")
        .upload_id(&id)
        .checksum_crc32("AAAAAA==")
        .checksum_type(ChecksumType::FullObject)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts.clone()))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "BadDigest");
    let done = c
        .complete_multipart_upload()
        .bucket("mpu")
        .key("crc")
        .upload_id(&id)
        .checksum_crc32(&expected)
        .checksum_type(ChecksumType::FullObject)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts.clone()))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(done.checksum_crc32(), Some(expected.as_str()));
    let head = c
        .head_object()
        .bucket("mpu")
        .key("crc")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    assert_eq!(head.checksum_crc32(), Some(expected.as_str()));
    assert_eq!(head.checksum_type(), Some(&ChecksumType::FullObject));
    // One part is reported with its own checksum, as are the parts in GetObjectAttributes.
    let part2 = c
        .get_object()
        .bucket("mpu")
        .key("crc")
        .part_number(2)
        .send()
        .await
        .unwrap();
    assert_eq!(part2.checksum_crc32(), parts[1].checksum_crc32());
    assert_ne!(part2.checksum_crc32(), Some(expected.as_str()));
    let attrs = c
        .get_object_attributes()
        .bucket("mpu")
        .key("crc")
        .object_attributes(aws_sdk_s3::types::ObjectAttributes::ObjectParts)
        .send()
        .await
        .unwrap();
    let listed: Vec<Option<&str>> = attrs
        .object_parts()
        .unwrap()
        .parts()
        .iter()
        .map(|p| p.checksum_crc32())
        .collect();
    let sent: Vec<Option<&str>> = parts.iter().map(|p| p.checksum_crc32()).collect();
    assert_eq!(listed, sent);
}

/// Base64 of the big-endian CRC32 (IEEE) of `data`.
fn crc32fast_like(data: &[u8]) -> String {
    use base64::Engine;
    let mut crc: u32 = !0;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    base64::engine::general_purpose::STANDARD.encode((!crc).to_be_bytes())
}

#[tokio::test]
async fn bucket_with_an_upload_in_progress_can_be_deleted_and_the_upload_goes_with_it() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let id = upload(&c, "pending").await;
    c.upload_part()
        .bucket("mpu")
        .key("pending")
        .upload_id(&id)
        .part_number(1)
        .body(data(1024, 1).into())
        .send()
        .await
        .unwrap();
    // As on AWS: uploads in progress do not make a bucket "not empty".
    c.delete_bucket().bucket("mpu").send().await.unwrap();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let listed = c
        .list_multipart_uploads()
        .bucket("mpu")
        .send()
        .await
        .unwrap();
    assert!(listed.uploads().is_empty());
    let err = c
        .list_parts()
        .bucket("mpu")
        .key("pending")
        .upload_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchUpload");
}

#[tokio::test]
async fn a_retried_completion_answers_as_the_first_did() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    let id = upload(&c, "again").await;
    let part = c
        .upload_part()
        .bucket("mpu")
        .key("again")
        .upload_id(&id)
        .part_number(1)
        .body(b"one part".to_vec().into())
        .send()
        .await
        .unwrap();
    let parts = [(1, part.e_tag().unwrap().to_string())];
    let complete = || {
        c.complete_multipart_upload()
            .bucket("mpu")
            .key("again")
            .upload_id(&id)
            .multipart_upload(completed(&parts))
            .send()
    };
    let first = complete().await.unwrap();
    // S3's completion is idempotent: a client retrying after a lost response succeeds.
    let second = complete().await.unwrap();
    assert_eq!(second.e_tag(), first.e_tag());
    // Not with other parts, nor once the object is replaced, nor for an unknown upload.
    let err = c
        .complete_multipart_upload()
        .bucket("mpu")
        .key("again")
        .upload_id(&id)
        .multipart_upload(completed(&[(
            1,
            "\"0123456789abcdef0123456789abcdef\"".into(),
        )]))
        .send()
        .await
        .unwrap_err();
    assert_eq!((code(&err).as_str(), status(&err)), ("NoSuchUpload", 404));
    c.put_object()
        .bucket("mpu")
        .key("again")
        .body(b"replaced".to_vec().into())
        .send()
        .await
        .unwrap();
    let err = complete().await.unwrap_err();
    assert_eq!(code(&err), "NoSuchUpload");
    let got = c
        .get_object()
        .bucket("mpu")
        .key("again")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, b"replaced");
}
