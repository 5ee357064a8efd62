//! Durability: a server killed with SIGKILL in the middle of an upload comes back with the
//! previous object intact and nothing partial visible.

use crate::harness::*;
use aws_sdk_s3::presigning::PresigningConfig;
use std::time::Duration;

#[tokio::test]
async fn kill_during_upload_keeps_the_old_object() {
    let mut s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("bkt").send().await.unwrap();
    let old = data(300_000, 7);
    c.put_object()
        .bucket("bkt")
        .key("k")
        .body(old.clone().into())
        .send()
        .await
        .unwrap();

    // Start a 64 MiB overwrite through a presigned URL, send 8 MiB of it, then kill the server.
    let url = c
        .put_object()
        .bucket("bkt")
        .key("k")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(600)).unwrap())
        .await
        .unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let body = reqwest::Body::wrap_stream(tokio_stream_from(rx));
    let upload = tokio::spawn(
        reqwest::Client::new()
            .put(url.uri())
            .header("content-length", (64u64 << 20).to_string())
            .body(body)
            .send(),
    );
    for i in 0..8u8 {
        tx.send(Ok(data(1 << 20, i))).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let tmp_files = std::fs::read_dir(s.dir.join("tmp")).unwrap().count();
    assert_eq!(tmp_files, 1, "the upload is in flight");
    let addr = s.addr().to_string();
    s.kill();
    drop(tx);
    if let Ok(resp) = upload.await.unwrap() {
        assert_ne!(
            resp.status(),
            200,
            "an interrupted upload is never acknowledged"
        );
    }

    let s2 = Server::start_in(&s.dir, Some(&addr));
    let c2 = s2.client();
    let got = c2.get_object().bucket("bkt").key("k").send().await.unwrap();
    assert_eq!(got.content_length(), Some(300_000));
    assert_eq!(body_bytes(got).await, old);
    let list = c2.list_objects_v2().bucket("bkt").send().await.unwrap();
    assert_eq!(list.key_count(), Some(1));
    assert_eq!(
        std::fs::read_dir(s.dir.join("tmp")).unwrap().count(),
        0,
        "partial blob removed"
    );
    // The server keeps working after the crash.
    c2.put_object()
        .bucket("bkt")
        .key("k2")
        .body(b"after".to_vec().into())
        .send()
        .await
        .unwrap();
}

fn tokio_stream_from<T: Send + 'static>(
    mut rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures::Stream<Item = T> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

#[tokio::test]
async fn orphaned_blobs_are_swept_after_start_up() {
    let mut s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("sweep").send().await.unwrap();
    let live = data(70_000, 3);
    c.put_object()
        .bucket("sweep")
        .key("live")
        .body(live.clone().into())
        .send()
        .await
        .unwrap();
    // What a crash between the blob rename and the metadata commit leaves behind.
    let dir = s.dir.join("blobs").join("ab");
    std::fs::create_dir_all(&dir).unwrap();
    let old_orphan = dir.join("ab00000000000000000000000000cafe");
    let young_orphan = dir.join("ab00000000000000000000000000beef");
    std::fs::write(&old_orphan, b"leftover").unwrap();
    std::fs::write(&young_orphan, b"maybe in flight").unwrap();
    // Age every blob (the live one too) past the sweep's safety margin, except the young orphan.
    for sub in std::fs::read_dir(s.dir.join("blobs")).unwrap() {
        for f in std::fs::read_dir(sub.unwrap().path()).unwrap() {
            let path = f.unwrap().path();
            if path != young_orphan {
                let touched = std::process::Command::new("touch")
                    .args(["-d", "2 hours ago"])
                    .arg(&path)
                    .status()
                    .unwrap();
                assert!(touched.success());
            }
        }
    }
    let addr = s.addr().to_string();
    s.kill();
    let s2 = Server::start_in(&s.dir, Some(&addr));
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(!old_orphan.exists(), "an old unreferenced blob is removed");
    assert!(
        young_orphan.exists(),
        "a recent one may still be committed: kept"
    );
    let got = s2
        .client()
        .get_object()
        .bucket("sweep")
        .key("live")
        .send()
        .await
        .unwrap();
    assert_eq!(
        body_bytes(got).await,
        live,
        "referenced blobs are untouched"
    );
}
