//! Authentication: SigV4 headers and presigned URLs, wrong keys, skewed clocks, anonymous
//! requests, and AWS-shaped error bodies.

use crate::harness::*;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_smithy_async::time::StaticTimeSource;
use std::time::{Duration, SystemTime};

#[tokio::test]
async fn presigned_get_works_until_it_expires() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("share").send().await.unwrap();
    c.put_object()
        .bucket("share")
        .key("report.pdf")
        .body(b"%PDF-1.7".to_vec().into())
        .send()
        .await
        .unwrap();
    let url = c
        .get_object()
        .bucket("share")
        .key("report.pdf")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(2)).unwrap())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let resp = http.get(url.uri()).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), b"%PDF-1.7");
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let resp = http.get(url.uri()).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    let text = resp.text().await.unwrap();
    assert!(text.contains("<Code>AccessDenied</Code>"), "{text}");
    assert!(text.contains("Request has expired"), "{text}");
    assert!(text.contains("<RequestId>"), "{text}");

    // Presigned PUT, and a tampered URL.
    let put = c
        .put_object()
        .bucket("share")
        .key("upload.txt")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(600)).unwrap())
        .await
        .unwrap();
    let resp = http.put(put.uri()).body("hello").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let got = c
        .get_object()
        .bucket("share")
        .key("upload.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, b"hello");
    let tampered = put.uri().replace("upload.txt", "other.txt");
    let resp = http.put(tampered).body("x").send().await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("SignatureDoesNotMatch"));
    let week_plus = put
        .uri()
        .replace("X-Amz-Expires=600", "X-Amz-Expires=604801");
    let resp = http.put(week_plus).body("x").send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("AuthorizationQueryParametersError")
    );
}

#[tokio::test]
async fn wrong_secret_unknown_key_and_skewed_clock_are_refused() {
    let s = Server::start();
    s.client()
        .create_bucket()
        .bucket("bkt")
        .send()
        .await
        .unwrap();
    let err = s
        .client_with(ROOT_KEY, "not-the-secret")
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "SignatureDoesNotMatch");
    assert_eq!(status(&err), 403);
    let err = s
        .client_with("AKIANOTAREALKEY00000", ROOT_SECRET)
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAccessKeyId");
    assert_eq!(status(&err), 403);
    let skewed = s
        .config_with(ROOT_KEY, ROOT_SECRET)
        .time_source(StaticTimeSource::new(
            SystemTime::now() - Duration::from_secs(20 * 60),
        ))
        .retry_config(RetryConfig::disabled())
        .build();
    let err = aws_sdk_s3::Client::from_conf(skewed)
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "RequestTimeTooSkewed");
    assert_eq!(status(&err), 403);
    // 10 minutes is within AWS's 15-minute window.
    let near = s
        .config_with(ROOT_KEY, ROOT_SECRET)
        .time_source(StaticTimeSource::new(
            SystemTime::now() - Duration::from_secs(10 * 60),
        ))
        .build();
    assert!(
        aws_sdk_s3::Client::from_conf(near)
            .list_buckets()
            .send()
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn anonymous_requests_are_denied_with_an_aws_error_body() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("private").send().await.unwrap();
    c.put_object()
        .bucket("private")
        .key("k")
        .body(b"secret".to_vec().into())
        .send()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    for url in [
        format!("{}/private/k", s.endpoint),
        format!("{}/private", s.endpoint),
        format!("{}/", s.endpoint),
    ] {
        let resp = http.get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 403, "{url}");
        assert!(resp.headers().contains_key("x-amz-request-id"));
        let text = resp.text().await.unwrap();
        assert!(text.contains("<Code>AccessDenied</Code>"), "{text}");
    }
    let resp = http
        .put(format!("{}/private/k", s.endpoint))
        .body("overwrite")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let got = c
        .get_object()
        .bucket("private")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(got).await, b"secret");
}

#[tokio::test]
async fn unsigned_query_api_requests_are_refused_by_iam() {
    let s = Server::start();
    let resp = reqwest::Client::new()
        .post(format!("{}/", s.endpoint))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Action=ListUsers&Version=2010-05-08")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let text = resp.text().await.unwrap();
    assert!(text.contains("<ErrorResponse"), "{text}");
    assert!(text.contains("MissingAuthenticationToken"), "{text}");
}
