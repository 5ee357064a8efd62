//! Versioning: version ids, delete markers, reading and deleting given versions, suspension.

use crate::harness::*;
use aws_sdk_s3::types::{
    BucketVersioningStatus, Delete, ObjectIdentifier, VersioningConfiguration,
};

async fn set(c: &aws_sdk_s3::Client, bucket: &str, status: BucketVersioningStatus) {
    c.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(VersioningConfiguration::builder().status(status).build())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn versions_delete_markers_and_suspension() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("history").send().await.unwrap();
    c.put_object()
        .bucket("history")
        .key("doc")
        .body(b"v0".to_vec().into())
        .send()
        .await
        .unwrap();
    set(&c, "history", BucketVersioningStatus::Enabled).await;
    let got = c
        .get_bucket_versioning()
        .bucket("history")
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), Some(&BucketVersioningStatus::Enabled));
    let v1 = c
        .put_object()
        .bucket("history")
        .key("doc")
        .body(b"v1".to_vec().into())
        .send()
        .await
        .unwrap();
    let v2 = c
        .put_object()
        .bucket("history")
        .key("doc")
        .body(b"v2".to_vec().into())
        .send()
        .await
        .unwrap();
    let (v1, v2) = (
        v1.version_id().unwrap().to_string(),
        v2.version_id().unwrap().to_string(),
    );
    assert_ne!(v1, v2);
    assert_eq!(
        body_bytes(
            c.get_object()
                .bucket("history")
                .key("doc")
                .send()
                .await
                .unwrap()
        )
        .await,
        b"v2"
    );
    let old = c
        .get_object()
        .bucket("history")
        .key("doc")
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(old.version_id(), Some(v1.as_str()));
    assert_eq!(body_bytes(old).await, b"v1");
    let null = c
        .get_object()
        .bucket("history")
        .key("doc")
        .version_id("null")
        .send()
        .await
        .unwrap();
    assert_eq!(
        body_bytes(null).await,
        b"v0",
        "the object from before versioning is the null version"
    );
    // A plain DELETE adds a delete marker; the data stays.
    let del = c
        .delete_object()
        .bucket("history")
        .key("doc")
        .send()
        .await
        .unwrap();
    assert_eq!(del.delete_marker(), Some(true));
    let marker = del.version_id().unwrap().to_string();
    let err = c
        .get_object()
        .bucket("history")
        .key("doc")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 404);
    assert!(
        c.list_objects_v2()
            .bucket("history")
            .send()
            .await
            .unwrap()
            .contents()
            .is_empty()
    );
    let versions = c
        .list_object_versions()
        .bucket("history")
        .send()
        .await
        .unwrap();
    assert_eq!(versions.delete_markers().len(), 1);
    assert_eq!(versions.delete_markers()[0].is_latest(), Some(true));
    let ids: Vec<_> = versions
        .versions()
        .iter()
        .filter_map(|v| v.version_id())
        .collect();
    assert_eq!(ids, vec![v2.as_str(), v1.as_str(), "null"], "newest first");
    // Removing the marker brings the object back; removing a version deletes it for good.
    c.delete_object()
        .bucket("history")
        .key("doc")
        .version_id(&marker)
        .send()
        .await
        .unwrap();
    assert_eq!(
        body_bytes(
            c.get_object()
                .bucket("history")
                .key("doc")
                .send()
                .await
                .unwrap()
        )
        .await,
        b"v2"
    );
    c.delete_object()
        .bucket("history")
        .key("doc")
        .version_id(&v2)
        .send()
        .await
        .unwrap();
    assert_eq!(
        body_bytes(
            c.get_object()
                .bucket("history")
                .key("doc")
                .send()
                .await
                .unwrap()
        )
        .await,
        b"v1"
    );
    let err = c
        .get_object()
        .bucket("history")
        .key("doc")
        .version_id(&v2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchVersion");
    // Suspended: new writes replace the null version.
    set(&c, "history", BucketVersioningStatus::Suspended).await;
    let put = c
        .put_object()
        .bucket("history")
        .key("doc")
        .body(b"s1".to_vec().into())
        .send()
        .await
        .unwrap();
    assert_eq!(put.version_id(), None, "null versions are not reported");
    let null = c
        .get_object()
        .bucket("history")
        .key("doc")
        .version_id("null")
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(null).await, b"s1");
    assert_eq!(
        body_bytes(
            c.get_object()
                .bucket("history")
                .key("doc")
                .version_id(&v1)
                .send()
                .await
                .unwrap()
        )
        .await,
        b"v1"
    );
    // The cleanup every test suite does: delete all versions, then the bucket.
    let all = c
        .list_object_versions()
        .bucket("history")
        .send()
        .await
        .unwrap();
    let mut ids: Vec<ObjectIdentifier> = all
        .versions()
        .iter()
        .map(|v| {
            ObjectIdentifier::builder()
                .key(v.key().unwrap())
                .version_id(v.version_id().unwrap())
                .build()
                .unwrap()
        })
        .collect();
    ids.extend(all.delete_markers().iter().map(|m| {
        ObjectIdentifier::builder()
            .key(m.key().unwrap())
            .version_id(m.version_id().unwrap())
            .build()
            .unwrap()
    }));
    let err = c
        .delete_bucket()
        .bucket("history")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "BucketNotEmpty");
    c.delete_objects()
        .bucket("history")
        .delete(Delete::builder().set_objects(Some(ids)).build().unwrap())
        .send()
        .await
        .unwrap();
    c.delete_bucket().bucket("history").send().await.unwrap();
}
