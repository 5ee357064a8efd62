//! Server access logging: lines in AWS's format, delivered to the target bucket in batches and
//! on shutdown, only where the target's bucket policy admits the logging service.

use crate::harness::*;
use aws_sdk_s3::types::{BucketLoggingStatus, LoggingEnabled};
use std::time::Duration;

const TARGET_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"S3ServerAccessLogsPolicy","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::access-logs/*"}]}"#;

async fn enable(c: &aws_sdk_s3::Client, source: &str) {
    c.put_bucket_logging()
        .bucket(source)
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket("access-logs")
                        .target_prefix("site/")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
}

async fn delivered(c: &aws_sdk_s3::Client) -> String {
    let list = c
        .list_objects_v2()
        .bucket("access-logs")
        .prefix("site/")
        .send()
        .await
        .unwrap();
    let mut all = String::new();
    for o in list.contents() {
        let got = c
            .get_object()
            .bucket("access-logs")
            .key(o.key().unwrap())
            .send()
            .await
            .unwrap();
        all.push_str(&String::from_utf8_lossy(&body_bytes(got).await));
    }
    all
}

#[tokio::test]
async fn access_logs_are_delivered_in_aws_format() {
    let s = Server::start_env(&[("CAIRN_ACCESS_LOG_FLUSH_SECS", "1")]);
    let c = s.client();
    c.create_bucket().bucket("site-src").send().await.unwrap();
    c.create_bucket()
        .bucket("access-logs")
        .send()
        .await
        .unwrap();
    assert!(
        c.get_bucket_logging()
            .bucket("site-src")
            .send()
            .await
            .unwrap()
            .logging_enabled()
            .is_none()
    );
    let err = c
        .put_bucket_logging()
        .bucket("site-src")
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket("no-such-bucket")
                        .target_prefix("x/")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidTargetBucketForLogging");
    enable(&c, "site-src").await;
    let got = c
        .get_bucket_logging()
        .bucket("site-src")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.logging_enabled().map(|l| l.target_prefix()),
        Some("site/")
    );
    // Without a target policy for the logging service, nothing is delivered.
    c.put_object()
        .bucket("site-src")
        .key("a.html")
        .body(b"a".to_vec().into())
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(delivered(&c).await.is_empty());
    c.put_bucket_policy()
        .bucket("access-logs")
        .policy(TARGET_POLICY)
        .send()
        .await
        .unwrap();
    c.put_object()
        .bucket("site-src")
        .key("index.html")
        .body(b"hi".to_vec().into())
        .send()
        .await
        .unwrap();
    c.get_object()
        .bucket("site-src")
        .key("index.html")
        .send()
        .await
        .unwrap();
    let _ = c
        .get_object()
        .bucket("site-src")
        .key("missing.html")
        .send()
        .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let logs = delivered(&c).await;
    assert!(
        logs.contains("REST.PUT.OBJECT index.html \"PUT /site-src/index.html"),
        "{logs}"
    );
    assert!(logs.contains("REST.GET.OBJECT index.html"), "{logs}");
    assert!(logs.contains(" 404 NoSuchKey "), "{logs}");
    assert!(logs.contains(" SigV4 "), "{logs}");
    let line = logs
        .lines()
        .find(|l| l.contains("REST.GET.OBJECT index.html"))
        .unwrap();
    let owner = line.split(' ').next().unwrap();
    assert_eq!(owner.len(), 64, "canonical id of the bucket owner first");
    assert!(line.contains(" site-src ["), "{line}");
}

#[tokio::test]
async fn pending_access_logs_are_delivered_on_shutdown() {
    let mut s = Server::start_env(&[("CAIRN_ACCESS_LOG_FLUSH_SECS", "3600")]);
    let c = s.client();
    c.create_bucket().bucket("site-src").send().await.unwrap();
    c.create_bucket()
        .bucket("access-logs")
        .send()
        .await
        .unwrap();
    c.put_bucket_policy()
        .bucket("access-logs")
        .policy(TARGET_POLICY)
        .send()
        .await
        .unwrap();
    enable(&c, "site-src").await;
    c.put_object()
        .bucket("site-src")
        .key("late.html")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let dir = s.dir.clone();
    let addr = s.addr().to_string();
    s.terminate();
    let s2 = Server::start_in(&dir, Some(&addr));
    let logs = delivered(&s2.client()).await;
    assert!(logs.contains("REST.PUT.OBJECT late.html"), "{logs}");
}

#[tokio::test]
async fn partitioned_log_keys_are_kept_shown_and_used() {
    use aws_sdk_s3::types::{
        PartitionDateSource, PartitionedPrefix, SimplePrefix, TargetObjectKeyFormat,
    };
    let s = Server::start_env(&[("CAIRN_ACCESS_LOG_FLUSH_SECS", "1")]);
    let c = s.client();
    c.create_bucket().bucket("part-src").send().await.unwrap();
    c.create_bucket()
        .bucket("access-logs")
        .send()
        .await
        .unwrap();
    c.put_bucket_policy()
        .bucket("access-logs")
        .policy(TARGET_POLICY)
        .send()
        .await
        .unwrap();
    let put = |format: TargetObjectKeyFormat| {
        c.put_bucket_logging()
            .bucket("part-src")
            .bucket_logging_status(
                BucketLoggingStatus::builder()
                    .logging_enabled(
                        LoggingEnabled::builder()
                            .target_bucket("access-logs")
                            .target_prefix("site/")
                            .target_object_key_format(format)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
    };
    let shown = || async {
        c.get_bucket_logging()
            .bucket("part-src")
            .send()
            .await
            .unwrap()
            .logging_enabled()
            .and_then(|l| l.target_object_key_format().cloned())
    };
    let simple = TargetObjectKeyFormat::builder()
        .simple_prefix(SimplePrefix::builder().build())
        .build();
    put(simple.clone()).await.unwrap();
    assert_eq!(shown().await, Some(simple));
    let bad = TargetObjectKeyFormat::builder()
        .partitioned_prefix(
            PartitionedPrefix::builder()
                .partition_date_source(PartitionDateSource::from("kaboom"))
                .build(),
        )
        .build();
    assert_eq!(code(&put(bad).await.unwrap_err()), "MalformedXML");
    let partitioned = TargetObjectKeyFormat::builder()
        .partitioned_prefix(
            PartitionedPrefix::builder()
                .partition_date_source(PartitionDateSource::DeliveryTime)
                .build(),
        )
        .build();
    put(partitioned.clone()).await.unwrap();
    assert_eq!(shown().await, Some(partitioned));
    c.put_object()
        .bucket("part-src")
        .key("a.html")
        .body(b"a".to_vec().into())
        .send()
        .await
        .unwrap();
    // [prefix][account]/[region]/[bucket]/[YYYY]/[MM]/[DD]/[YYYY]-[MM]-[DD]-…
    let mut keys = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let list = c
            .list_objects_v2()
            .bucket("access-logs")
            .prefix("site/")
            .send()
            .await
            .unwrap();
        keys = list
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect();
        if !keys.is_empty() {
            break;
        }
    }
    let key = keys.first().expect("a log object");
    let parts: Vec<&str> = key.trim_start_matches("site/").split('/').collect();
    assert_eq!(parts.len(), 7, "{key}");
    assert_eq!(parts[0].len(), 12, "{key}");
    assert_eq!(parts[1], "us-east-1", "{key}");
    assert_eq!(parts[2], "part-src", "{key}");
    assert!(
        parts[6].starts_with(&format!("{}-{}-{}-", parts[3], parts[4], parts[5])),
        "{key}"
    );
}
