//! The server on its other metadata backend, and streaming in bounded memory.

use crate::harness::*;
use aws_sdk_s3::presigning::PresigningConfig;
use futures::StreamExt;
use std::time::Duration;

#[tokio::test]
async fn server_on_postgres_serves_the_same_api() {
    let (url, base, name) = fresh_postgres().await;
    {
        let s = Server::start_with(&["--meta", &url]);
        let c = s.client();
        c.create_bucket().bucket("pg-bucket").send().await.unwrap();
        for k in ["a/1", "a/2", "b"] {
            c.put_object()
                .bucket("pg-bucket")
                .key(k)
                .body(k.as_bytes().to_vec().into())
                .send()
                .await
                .unwrap();
        }
        let page = c
            .list_objects_v2()
            .bucket("pg-bucket")
            .delimiter("/")
            .send()
            .await
            .unwrap();
        assert_eq!(page.common_prefixes()[0].prefix(), Some("a/"));
        assert_eq!(page.contents()[0].key(), Some("b"));
        let got = c
            .get_object()
            .bucket("pg-bucket")
            .key("a/2")
            .send()
            .await
            .unwrap();
        assert_eq!(body_bytes(got).await, b"a/2");
        let err = c
            .delete_bucket()
            .bucket("pg-bucket")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&err), "BucketNotEmpty");
    }
    drop_postgres(&base, &name).await;
}

#[tokio::test]
async fn a_1_gib_object_streams_in_and_out_in_bounded_memory() {
    const SIZE: u64 = 1 << 30;
    const CHUNK: usize = 1 << 20;
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("big").send().await.unwrap();
    let presign = PresigningConfig::expires_in(Duration::from_secs(3600)).unwrap();
    let put = c
        .put_object()
        .bucket("big")
        .key("1gib")
        .presigned(presign.clone())
        .await
        .unwrap();
    let chunk = bytes::Bytes::from(data(CHUNK, 5));
    let body = futures::stream::iter(
        (0..SIZE / CHUNK as u64).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
    );
    let http = reqwest::Client::new();
    let resp = http
        .put(put.uri())
        .header("content-length", SIZE.to_string())
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let get = c
        .get_object()
        .bucket("big")
        .key("1gib")
        .presigned(presign)
        .await
        .unwrap();
    let resp = http.get(get.uri()).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut stream = resp.bytes_stream();
    let mut total = 0u64;
    while let Some(b) = stream.next().await {
        total += b.unwrap().len() as u64;
    }
    assert_eq!(total, SIZE);
    let peak = s.peak_rss();
    assert!(
        peak > 0 && peak < 256 << 20,
        "peak RSS {} MiB while moving 1 GiB",
        peak >> 20
    );
}
