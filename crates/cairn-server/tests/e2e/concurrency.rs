//! Concurrency: racing writers never produce a mixture, a lost acknowledged write or an orphan.

use crate::harness::*;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{
    BucketVersioningStatus, CompletedMultipartUpload, CompletedPart, VersioningConfiguration,
};
use std::collections::HashSet;

const WRITERS: usize = 64;

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    hex::encode(Md5::digest(bytes))
}

async fn put(c: &Client, bucket: &str, key: &str, body: Vec<u8>) -> Result<String, String> {
    c.put_object()
        .bucket(bucket)
        .key(key)
        .body(body.into())
        .send()
        .await
        .map(|o| o.e_tag().unwrap_or_default().trim_matches('"').to_string())
        .map_err(|e| code(&e))
}

#[tokio::test]
async fn sixty_four_writers_to_one_key_leave_exactly_one_whole_write() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("race").send().await.unwrap();
    // Sizes differ so that a mixture of two writes could not pass for either.
    let bodies: Vec<Vec<u8>> = (0..WRITERS)
        .map(|i| data(20_000 + i * 997, i as u8))
        .collect();
    let tasks: Vec<_> = bodies
        .iter()
        .cloned()
        .map(|b| {
            let c = c.clone();
            tokio::spawn(async move { put(&c, "race", "k", b).await })
        })
        .collect();
    let mut acked = HashSet::new();
    for t in tasks {
        acked.insert(t.await.unwrap().expect("every racing PUT is acknowledged"));
    }
    let digests: HashSet<String> = bodies.iter().map(|b| md5_hex(b)).collect();
    assert_eq!(
        acked, digests,
        "each acknowledged ETag is the MD5 of its body"
    );

    let got = c.get_object().bucket("race").key("k").send().await.unwrap();
    let etag = got
        .e_tag()
        .unwrap_or_default()
        .trim_matches('"')
        .to_string();
    let bytes = body_bytes(got).await;
    assert!(
        bodies.contains(&bytes),
        "the final object is one of the writes"
    );
    assert_eq!(etag, md5_hex(&bytes), "ETag and bytes agree");

    let listed = c.list_objects_v2().bucket("race").send().await.unwrap();
    let objects = listed.contents();
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0].size(), Some(bytes.len() as i64));
    assert_eq!(objects[0].e_tag().unwrap().trim_matches('"'), etag);
}

#[tokio::test]
async fn versioned_overwrites_make_one_version_per_acknowledged_write() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("vrace").send().await.unwrap();
    c.put_bucket_versioning()
        .bucket("vrace")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|i| {
            let c = c.clone();
            tokio::spawn(async move {
                let body = data(1000 + i, i as u8);
                let out = c
                    .put_object()
                    .bucket("vrace")
                    .key("k")
                    .body(body.clone().into())
                    .send()
                    .await
                    .expect("versioned PUT");
                (out.version_id().unwrap().to_string(), body)
            })
        })
        .collect();
    let mut written = Vec::new();
    for t in tasks {
        written.push(t.await.unwrap());
    }
    let ids: HashSet<&str> = written.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(ids.len(), WRITERS, "version ids are distinct");

    let versions = c
        .list_object_versions()
        .bucket("vrace")
        .send()
        .await
        .unwrap();
    let listed: HashSet<&str> = versions
        .versions()
        .iter()
        .filter_map(|v| v.version_id())
        .collect();
    assert_eq!(listed, ids, "one version per acknowledged write");
    assert_eq!(
        versions
            .versions()
            .iter()
            .filter(|v| v.is_latest() == Some(true))
            .count(),
        1
    );
    for (id, body) in &written {
        let got = c
            .get_object()
            .bucket("vrace")
            .key("k")
            .version_id(id)
            .send()
            .await
            .unwrap();
        assert_eq!(&body_bytes(got).await, body, "version {id} has its bytes");
    }
}

#[tokio::test]
async fn racing_completions_of_one_upload_assemble_it_once() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("mrace").send().await.unwrap();
    let upload = c
        .create_multipart_upload()
        .bucket("mrace")
        .key("k")
        .send()
        .await
        .unwrap();
    let id = upload.upload_id().unwrap().to_string();
    let parts = [data(5 << 20, 1), data(1000, 2)];
    let mut completed = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let n = i as i32 + 1;
        let out = c
            .upload_part()
            .bucket("mrace")
            .key("k")
            .upload_id(&id)
            .part_number(n)
            .body(p.clone().into())
            .send()
            .await
            .unwrap();
        completed.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(out.e_tag().unwrap())
                .build(),
        );
    }
    let done = CompletedMultipartUpload::builder()
        .set_parts(Some(completed))
        .build();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (c, id, done) = (c.clone(), id.clone(), done.clone());
            tokio::spawn(async move {
                c.complete_multipart_upload()
                    .bucket("mrace")
                    .key("k")
                    .upload_id(id)
                    .multipart_upload(done)
                    .send()
                    .await
                    .map(|o| o.e_tag().unwrap_or_default().to_string())
                    .map_err(|e| code(&e))
            })
        })
        .collect();
    let mut etags = HashSet::new();
    let mut successes = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(etag) => {
                successes += 1;
                etags.insert(etag);
            }
            Err(code) => assert_eq!(code, "NoSuchUpload"),
        }
    }
    assert!(successes >= 1, "one completion wins");
    assert_eq!(
        etags.len(),
        1,
        "every successful completion reports the same object"
    );
    let got = c
        .get_object()
        .bucket("mrace")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(got.e_tag().unwrap(), etags.iter().next().unwrap());
    assert_eq!(body_bytes(got).await, parts.concat());
    let versions = c
        .list_object_versions()
        .bucket("mrace")
        .send()
        .await
        .unwrap();
    assert_eq!(versions.versions().len(), 1, "assembled once");
}

#[tokio::test]
async fn delete_bucket_racing_puts_never_loses_an_acknowledged_object() {
    let s = Server::start();
    let c = s.client();
    for round in 0..10 {
        let bucket = format!("drace-{round}");
        c.create_bucket().bucket(&bucket).send().await.unwrap();
        let puts: Vec<_> = (0..8)
            .map(|i| {
                let (c, bucket) = (c.clone(), bucket.clone());
                tokio::spawn(async move {
                    let key = format!("k{i}");
                    put(&c, &bucket, &key, data(4096, i as u8))
                        .await
                        .map(|_| key)
                })
            })
            .collect();
        let deleter = {
            let (c, bucket) = (c.clone(), bucket.clone());
            tokio::spawn(async move {
                c.delete_bucket()
                    .bucket(bucket)
                    .send()
                    .await
                    .map_err(|e| code(&e))
            })
        };
        let mut acked = Vec::new();
        for p in puts {
            match p.await.unwrap() {
                Ok(key) => acked.push(key),
                Err(code) => assert_eq!(code, "NoSuchBucket", "a refused PUT says why"),
            }
        }
        match deleter.await.unwrap() {
            Ok(_) => {
                assert!(
                    acked.is_empty(),
                    "a deleted bucket held no acknowledged object"
                );
                let err = c.head_bucket().bucket(&bucket).send().await.unwrap_err();
                assert_eq!(status(&err), 404);
            }
            Err(code) => {
                assert_eq!(code, "BucketNotEmpty");
                for key in &acked {
                    c.head_object()
                        .bucket(&bucket)
                        .key(key)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("acknowledged {key} lost: {e:?}"));
                }
                let listed = c.list_objects_v2().bucket(&bucket).send().await.unwrap();
                assert_eq!(listed.contents().len(), acked.len());
            }
        }
    }
}
