//! Listing: delimiters, pagination past 1,000 keys, markers, URL encoding, byte order.

use crate::harness::*;
use aws_sdk_s3::types::EncodingType;
use futures::{StreamExt, stream};

#[tokio::test]
async fn delimiter_listing_paginates_over_more_than_1000_keys() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("many").send().await.unwrap();
    // 1,100 keys directly under photos/, 30 folders below it, and 5 keys at the top.
    let mut keys: Vec<String> = (0..1100).map(|i| format!("photos/img{i:05}.jpg")).collect();
    keys.extend((0..30).map(|i| format!("photos/album{i:02}/cover.jpg")));
    keys.extend((0..5).map(|i| format!("top{i}")));
    stream::iter(keys.clone())
        .for_each_concurrent(16, |k| {
            let c = c.clone();
            async move {
                c.put_object()
                    .bucket("many")
                    .key(k)
                    .body(b"x".to_vec().into())
                    .send()
                    .await
                    .unwrap();
            }
        })
        .await;

    // v2 with delimiter, paginated by the SDK's paginator.
    let mut pages = c
        .list_objects_v2()
        .bucket("many")
        .prefix("photos/")
        .delimiter("/")
        .into_paginator()
        .send();
    let (mut objects, mut prefixes, mut n_pages) = (Vec::new(), Vec::new(), 0);
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        n_pages += 1;
        assert!(page.key_count().unwrap_or(0) <= 1000);
        objects.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string)),
        );
        prefixes.extend(
            page.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_string)),
        );
    }
    assert_eq!(n_pages, 2);
    assert_eq!(objects.len(), 1100);
    assert_eq!(prefixes.len(), 30);
    assert_eq!(prefixes[0], "photos/album00/");
    let mut sorted = objects.clone();
    sorted.sort();
    assert_eq!(objects, sorted, "keys come in byte order");

    // v1 with markers: NextMarker continues without repeats.
    let mut marker: Option<String> = None;
    let mut seen = 0;
    loop {
        let page = c
            .list_objects()
            .bucket("many")
            .delimiter("/")
            .max_keys(2)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        seen += page.contents().len() + page.common_prefixes().len();
        if !page.is_truncated().unwrap_or(false) {
            break;
        }
        marker = page.next_marker().map(str::to_string);
        assert!(marker.is_some());
    }
    assert_eq!(
        seen, 6,
        "one common prefix (photos/) and five top-level keys"
    );

    let page = c
        .list_objects_v2()
        .bucket("many")
        .start_after("top2")
        .send()
        .await
        .unwrap();
    let got: Vec<_> = page.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(got, vec!["top3", "top4"]);
    let page = c
        .list_objects_v2()
        .bucket("many")
        .max_keys(0)
        .send()
        .await
        .unwrap();
    assert_eq!(page.key_count(), Some(0));
}

#[tokio::test]
async fn url_encoding_and_unicode_keys() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("enc").send().await.unwrap();
    for k in ["a b+c.txt", "é/ü", "Z", "中文"] {
        c.put_object()
            .bucket("enc")
            .key(k)
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let page = c
        .list_objects_v2()
        .bucket("enc")
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .unwrap();
    // Keys come back encoded as S3 encodes them (space as '+'); the Rust SDK leaves them so.
    let keys: Vec<_> = page.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(
        keys,
        vec!["Z", "a+b%2Bc.txt", "%C3%A9/%C3%BC", "%E4%B8%AD%E6%96%87"]
    );
    let page = c
        .list_objects_v2()
        .bucket("enc")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    assert_eq!(page.common_prefixes()[0].prefix(), Some("é/"));
}

#[tokio::test]
async fn unversioned_buckets_list_null_versions() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket()
        .bucket("plain-versions")
        .send()
        .await
        .unwrap();
    for k in ["a", "dir/b", "dir/c"] {
        c.put_object()
            .bucket("plain-versions")
            .key(k)
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let v = c
        .get_bucket_versioning()
        .bucket("plain-versions")
        .send()
        .await
        .unwrap();
    assert!(v.status().is_none(), "never enabled");
    let out = c
        .list_object_versions()
        .bucket("plain-versions")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    assert_eq!(out.versions().len(), 1);
    assert_eq!(out.versions()[0].version_id(), Some("null"));
    assert_eq!(out.versions()[0].is_latest(), Some(true));
    assert_eq!(out.common_prefixes()[0].prefix(), Some("dir/"));
    let page = c
        .list_object_versions()
        .bucket("plain-versions")
        .max_keys(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.is_truncated(), Some(true));
    assert_eq!(page.next_key_marker(), Some("dir/b"));
    let rest = c
        .list_object_versions()
        .bucket("plain-versions")
        .key_marker("dir/b")
        .send()
        .await
        .unwrap();
    assert_eq!(rest.versions()[0].key(), Some("dir/c"));
}

#[tokio::test]
async fn empty_delimiter_and_empty_continuation_token_are_no_delimiter_and_no_token() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("empties").send().await.unwrap();
    for k in ["bar", "baz/x", "foo"] {
        c.put_object()
            .bucket("empties")
            .key(k)
            .body(b"x".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    // An empty Delimiter lists every key and is not echoed (v1 and v2).
    let v1 = c
        .list_objects()
        .bucket("empties")
        .delimiter("")
        .send()
        .await
        .unwrap();
    assert_eq!(v1.delimiter(), None);
    assert_eq!(v1.contents().len(), 3);
    assert!(v1.common_prefixes().is_empty());
    let v2 = c
        .list_objects_v2()
        .bucket("empties")
        .delimiter("")
        .send()
        .await
        .unwrap();
    assert_eq!(v2.delimiter(), None);
    assert_eq!(v2.key_count(), Some(3));
    // A non-empty one still rolls up and is echoed.
    let v2 = c
        .list_objects_v2()
        .bucket("empties")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    assert_eq!(v2.delimiter(), Some("/"));
    assert_eq!(v2.common_prefixes().len(), 1);
    // An empty continuation token lists from the start and is echoed; a bad one is refused.
    let v2 = c
        .list_objects_v2()
        .bucket("empties")
        .continuation_token("")
        .send()
        .await
        .unwrap();
    assert_eq!(v2.continuation_token(), Some(""));
    assert_eq!(v2.key_count(), Some(3));
    assert_eq!(v2.is_truncated(), Some(false));
    let err = c
        .list_objects_v2()
        .bucket("empties")
        .continuation_token("not-a-token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidArgument");
}
