//! Lifecycle rules applied: current objects expire by prefix, tag, size and date; noncurrent
//! versions expire keeping the newest; lone delete markers go; stale multipart uploads are
//! aborted with their parts' bytes; Object Lock keeps locked versions. A lifecycle "day" is
//! shortened to 2 s (`CAIRN_LIFECYCLE_DAY_SECS`, a test knob) and passes run every second.

use crate::harness::*;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::DateTime;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, BucketVersioningStatus,
    ExpirationStatus, LifecycleExpiration, LifecycleRule, LifecycleRuleAndOperator,
    LifecycleRuleFilter, NoncurrentVersionExpiration, ObjectLockLegalHoldStatus, ObjectLockMode,
    Tag, VersioningConfiguration,
};
use std::future::Future;
use std::time::Duration;

/// Environment for a server whose lifecycle day is 2 s, with a pass every second.
pub const FAST_LIFECYCLE: &[(&str, &str)] = &[
    ("CAIRN_LIFECYCLE_DAY_SECS", "2"),
    ("CAIRN_LIFECYCLE_INTERVAL_SECS", "1"),
];

/// Polls `check` until it holds; fails after a minute (a deadline, not a speed assertion).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..120 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("never happened: {what}");
}

/// A rule with an id, a filter and the given actions filled in by `build`.
pub fn rule(
    id: &str,
    filter: LifecycleRuleFilter,
    build: impl FnOnce(
        aws_sdk_s3::types::builders::LifecycleRuleBuilder,
    ) -> aws_sdk_s3::types::builders::LifecycleRuleBuilder,
) -> LifecycleRule {
    build(
        LifecycleRule::builder()
            .id(id)
            .status(ExpirationStatus::Enabled)
            .filter(filter),
    )
    .build()
    .unwrap()
}

pub fn prefix(p: &str) -> LifecycleRuleFilter {
    LifecycleRuleFilter::builder().prefix(p).build()
}

pub fn days(n: i32) -> LifecycleExpiration {
    LifecycleExpiration::builder().days(n).build()
}

pub async fn set_rules(c: &Client, bucket: &str, rules: Vec<LifecycleRule>) {
    c.put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .set_rules(Some(rules))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

pub async fn keys(c: &Client, bucket: &str) -> Vec<String> {
    c.list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect()
}

/// `(version id, is delete marker, is latest)` of every version of `key`, newest first.
pub async fn versions(c: &Client, bucket: &str, key: &str) -> Vec<(String, bool, bool)> {
    let out = c
        .list_object_versions()
        .bucket(bucket)
        .prefix(key)
        .send()
        .await
        .unwrap();
    let mut all: Vec<(i64, String, bool, bool)> = Vec::new();
    for v in out.versions() {
        if v.key() == Some(key) {
            all.push((
                v.last_modified().map_or(0, |t| t.to_millis().unwrap_or(0)),
                v.version_id().unwrap_or_default().to_string(),
                false,
                v.is_latest().unwrap_or(false),
            ));
        }
    }
    for m in out.delete_markers() {
        if m.key() == Some(key) {
            all.push((
                m.last_modified().map_or(0, |t| t.to_millis().unwrap_or(0)),
                m.version_id().unwrap_or_default().to_string(),
                true,
                m.is_latest().unwrap_or(false),
            ));
        }
    }
    // Latest first, then newest first.
    all.sort_by_key(|(t, _, _, latest)| (std::cmp::Reverse(*latest), std::cmp::Reverse(*t)));
    all.into_iter().map(|(_, v, m, l)| (v, m, l)).collect()
}

async fn put(c: &Client, bucket: &str, key: &str, body: &[u8]) -> Option<String> {
    c.put_object()
        .bucket(bucket)
        .key(key)
        .body(body.to_vec().into())
        .send()
        .await
        .unwrap()
        .version_id()
        .map(str::to_string)
}

async fn enable_versioning(c: &Client, bucket: &str) {
    c.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

fn blob_files(s: &Server) -> usize {
    let Ok(dirs) = std::fs::read_dir(s.dir.join("blobs")) else {
        return 0;
    };
    dirs.flatten()
        .map(|d| std::fs::read_dir(d.path()).map_or(0, |f| f.count()))
        .sum()
}

#[tokio::test]
async fn current_objects_expire_by_prefix_tag_size_and_date() {
    let s = Server::start_env(FAST_LIFECYCLE);
    let c = s.client();
    c.create_bucket().bucket("life").send().await.unwrap();
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    set_rules(
        &c,
        "life",
        vec![
            rule("tmp", prefix("tmp/"), |r| r.expiration(days(1))),
            rule(
                "tagged",
                LifecycleRuleFilter::builder()
                    .tag(tag("expire", "yes"))
                    .build(),
                |r| r.expiration(days(1)),
            ),
            rule(
                "big",
                LifecycleRuleFilter::builder()
                    .and(
                        LifecycleRuleAndOperator::builder()
                            .prefix("big/")
                            .object_size_greater_than(100)
                            .build(),
                    )
                    .build(),
                |r| r.expiration(days(1)),
            ),
            rule("dated", prefix("old/"), |r| {
                r.expiration(
                    LifecycleExpiration::builder()
                        .date(DateTime::from_secs(1_577_836_800))
                        .build(),
                )
            }),
            // Noncurrent and upload rules do not touch current objects.
            rule("other", prefix(""), |r| {
                r.noncurrent_version_expiration(
                    NoncurrentVersionExpiration::builder()
                        .noncurrent_days(1)
                        .build(),
                )
            }),
        ],
    )
    .await;
    // The PUT already tells when the object will go, and under which rule.
    let out = c
        .put_object()
        .bucket("life")
        .key("tmp/a")
        .body(b"temporary".to_vec().into())
        .send()
        .await
        .unwrap();
    let expiration = out.expiration().unwrap_or_default();
    assert!(expiration.contains("rule-id=\"tmp\""), "{expiration}");
    assert!(expiration.starts_with("expiry-date=\""), "{expiration}");
    for (key, body) in [
        ("keep/a", &b"kept"[..]),
        ("big/small", &[1u8; 50][..]),
        ("big/large", &[2u8; 200][..]),
        ("old/x", &b"dated"[..]),
    ] {
        put(&c, "life", key, body).await;
    }
    for (key, value) in [("t-yes", "yes"), ("t-no", "no")] {
        c.put_object()
            .bucket("life")
            .key(key)
            .tagging(format!("expire={value}"))
            .body(b"tagged".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let head = c
        .head_object()
        .bucket("life")
        .key("big/large")
        .send()
        .await
        .unwrap();
    assert!(
        head.expiration()
            .unwrap_or_default()
            .contains("rule-id=\"big\"")
    );
    let head = c
        .head_object()
        .bucket("life")
        .key("keep/a")
        .send()
        .await
        .unwrap();
    assert_eq!(head.expiration(), None);
    let get = c
        .get_object()
        .bucket("life")
        .key("t-yes")
        .send()
        .await
        .unwrap();
    assert!(
        get.expiration()
            .unwrap_or_default()
            .contains("rule-id=\"tagged\"")
    );

    let expected = ["big/small", "keep/a", "t-no"];
    eventually("expired objects gone", || {
        let c = c.clone();
        async move { keys(&c, "life").await == expected }
    })
    .await;
    let err = c
        .get_object()
        .bucket("life")
        .key("tmp/a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchKey");
    // What no rule covers stays, byte for byte, pass after pass.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(keys(&c, "life").await, expected);
    let out = c
        .get_object()
        .bucket("life")
        .key("big/small")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(out).await, vec![1u8; 50]);
}

#[tokio::test]
async fn versions_expire_noncurrent_first_and_lone_markers_go() {
    let s = Server::start_env(FAST_LIFECYCLE);
    let c = s.client();
    c.create_bucket().bucket("vers").send().await.unwrap();
    enable_versioning(&c, "vers").await;
    let noncurrent = |n: i32, keep: Option<i32>| {
        NoncurrentVersionExpiration::builder()
            .noncurrent_days(n)
            .set_newer_noncurrent_versions(keep)
            .build()
    };
    set_rules(
        &c,
        "vers",
        vec![
            rule("nc", prefix("nc/"), |r| {
                r.noncurrent_version_expiration(noncurrent(1, Some(1)))
            }),
            rule("dm", prefix("dm/"), |r| {
                r.expiration(
                    LifecycleExpiration::builder()
                        .expired_object_delete_marker(true)
                        .build(),
                )
                .noncurrent_version_expiration(noncurrent(1, None))
            }),
            rule("cur", prefix("cur/"), |r| r.expiration(days(1))),
        ],
    )
    .await;
    let mut nc = Vec::new();
    for i in 1..=4u8 {
        nc.push(put(&c, "vers", "nc/k", &[i; 10]).await.unwrap());
    }
    put(&c, "vers", "dm/k", b"soon deleted").await;
    c.delete_object()
        .bucket("vers")
        .key("dm/k")
        .send()
        .await
        .unwrap();
    let cur = put(&c, "vers", "cur/k", b"current").await.unwrap();
    put(&c, "vers", "other", b"1").await;
    put(&c, "vers", "other", b"2").await;

    // Noncurrent versions older than a day go, but the newest noncurrent one is kept.
    eventually("old noncurrent versions gone", || {
        let c = c.clone();
        let want = vec![(nc[3].clone(), false, true), (nc[2].clone(), false, false)];
        async move { versions(&c, "vers", "nc/k").await == want }
    })
    .await;
    let kept = c
        .get_object()
        .bucket("vers")
        .key("nc/k")
        .version_id(&nc[2])
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(kept).await, vec![3u8; 10]);
    // The deleted object's version expires, then its marker, alone, goes too.
    eventually("lone delete marker removed", || {
        let c = c.clone();
        async move { versions(&c, "vers", "dm/k").await.is_empty() }
    })
    .await;
    // A current version expiring on a versioned bucket gets one delete marker; the version stays.
    eventually("current version behind a delete marker", || {
        let (c, cur) = (c.clone(), cur.clone());
        async move {
            let v = versions(&c, "vers", "cur/k").await;
            v.len() == 2 && v[0].1 && v[0].2 && v[1].0 == cur
        }
    })
    .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let v = versions(&c, "vers", "cur/k").await;
    assert_eq!(
        v.iter().filter(|(_, marker, _)| *marker).count(),
        1,
        "{v:?}"
    );
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(versions(&c, "vers", "other").await.len(), 2);
    assert_eq!(keys(&c, "vers").await, ["nc/k", "other"]);
}

#[tokio::test]
async fn stale_multipart_uploads_are_aborted_with_their_parts() {
    let s = Server::start_env(FAST_LIFECYCLE);
    let c = s.client();
    c.create_bucket().bucket("mpu").send().await.unwrap();
    set_rules(
        &c,
        "mpu",
        vec![rule("mp", prefix("mp/"), |r| {
            r.abort_incomplete_multipart_upload(
                AbortIncompleteMultipartUpload::builder()
                    .days_after_initiation(1)
                    .build(),
            )
        })],
    )
    .await;
    let before = blob_files(&s);
    let mut ids = Vec::new();
    for key in ["mp/stale", "keep/open"] {
        let id = c
            .create_multipart_upload()
            .bucket("mpu")
            .key(key)
            .send()
            .await
            .unwrap()
            .upload_id()
            .unwrap()
            .to_string();
        c.upload_part()
            .bucket("mpu")
            .key(key)
            .upload_id(&id)
            .part_number(1)
            .body(data(100_000, 7).into())
            .send()
            .await
            .unwrap();
        ids.push(id);
    }
    assert_eq!(blob_files(&s), before + 2);
    eventually("stale upload aborted", || {
        let c = c.clone();
        async move {
            let out = c
                .list_multipart_uploads()
                .bucket("mpu")
                .send()
                .await
                .unwrap();
            let keys: Vec<_> = out.uploads().iter().filter_map(|u| u.key()).collect();
            keys == ["keep/open"]
        }
    })
    .await;
    // Its part's bytes are gone; the other upload's part is still there and usable.
    assert_eq!(blob_files(&s), before + 1);
    let err = c
        .upload_part()
        .bucket("mpu")
        .key("mp/stale")
        .upload_id(&ids[0])
        .part_number(2)
        .body(b"late".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchUpload");
    let parts = c
        .list_parts()
        .bucket("mpu")
        .key("keep/open")
        .upload_id(&ids[1])
        .send()
        .await
        .unwrap();
    assert_eq!(parts.parts().len(), 1);
}

#[tokio::test]
async fn locked_versions_are_never_expired() {
    let s = Server::start_env(FAST_LIFECYCLE);
    let c = s.client();
    c.create_bucket()
        .bucket("locked")
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .unwrap();
    set_rules(
        &c,
        "locked",
        vec![rule("all", prefix(""), |r| {
            r.noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(1)
                    .build(),
            )
        })],
    )
    .await;
    let until = DateTime::from_secs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            + 3600,
    );
    let retained = c
        .put_object()
        .bucket("locked")
        .key("retained")
        .object_lock_mode(ObjectLockMode::Governance)
        .object_lock_retain_until_date(until)
        .body(b"v1".to_vec().into())
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_string();
    let held = c
        .put_object()
        .bucket("locked")
        .key("held")
        .object_lock_legal_hold_status(ObjectLockLegalHoldStatus::On)
        .body(b"v1".to_vec().into())
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_string();
    put(&c, "locked", "free", b"v1").await;
    for key in ["retained", "held", "free"] {
        put(&c, "locked", key, b"v2").await;
    }
    eventually("unlocked noncurrent version expired", || {
        let c = c.clone();
        async move { versions(&c, "locked", "free").await.len() == 1 }
    })
    .await;
    // The same passes saw the locked versions due, and kept them.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for (key, v1) in [("retained", &retained), ("held", &held)] {
        let v = versions(&c, "locked", key).await;
        assert_eq!(v.len(), 2, "{key}: {v:?}");
        let old = c
            .get_object()
            .bucket("locked")
            .key(key)
            .version_id(v1)
            .send()
            .await
            .unwrap();
        assert_eq!(body_bytes(old).await, b"v1");
    }
    // Lift the hold: the version is no longer protected and goes.
    c.put_object_legal_hold()
        .bucket("locked")
        .key("held")
        .version_id(&held)
        .legal_hold(
            aws_sdk_s3::types::ObjectLockLegalHold::builder()
                .status(ObjectLockLegalHoldStatus::Off)
                .build(),
        )
        .send()
        .await
        .unwrap();
    eventually("released version expired", || {
        let c = c.clone();
        async move { versions(&c, "locked", "held").await.len() == 1 }
    })
    .await;
    assert_eq!(versions(&c, "locked", "retained").await.len(), 2);
}
