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

#[tokio::test]
async fn object_lock_protects_versions_from_everyone() {
    use aws_sdk_s3::primitives::DateTime;
    use aws_sdk_s3::types::{
        DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled, ObjectLockLegalHold,
        ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetention, ObjectLockRetentionMode,
        ObjectLockRule,
    };
    let s = Server::start();
    let c = s.client();
    c.create_bucket()
        .bucket("vault")
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .unwrap();
    let v = c
        .get_bucket_versioning()
        .bucket("vault")
        .send()
        .await
        .unwrap();
    assert_eq!(
        v.status(),
        Some(&BucketVersioningStatus::Enabled),
        "object lock turns versioning on"
    );
    let err = c
        .put_bucket_versioning()
        .bucket("vault")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Suspended)
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidBucketState");
    c.put_object_lock_configuration()
        .bucket("vault")
        .object_lock_configuration(
            ObjectLockConfiguration::builder()
                .object_lock_enabled(ObjectLockEnabled::Enabled)
                .rule(
                    ObjectLockRule::builder()
                        .default_retention(
                            DefaultRetention::builder()
                                .mode(ObjectLockRetentionMode::Governance)
                                .days(1)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let put = c
        .put_object()
        .bucket("vault")
        .key("ledger")
        .body(b"v1".to_vec().into())
        .send()
        .await
        .unwrap();
    let v1 = put.version_id().unwrap().to_string();
    let ret = c
        .get_object_retention()
        .bucket("vault")
        .key("ledger")
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ret.retention().and_then(|r| r.mode()),
        Some(&ObjectLockRetentionMode::Governance)
    );
    // Governance: root cannot delete the version without the bypass header...
    let err = c
        .delete_object()
        .bucket("vault")
        .key("ledger")
        .version_id(&v1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    // ...a delete marker is fine (the data stays)...
    c.delete_object()
        .bucket("vault")
        .key("ledger")
        .send()
        .await
        .unwrap();
    assert!(
        c.get_object()
            .bucket("vault")
            .key("ledger")
            .version_id(&v1)
            .send()
            .await
            .is_ok()
    );
    // ...and the bypass works for a caller allowed s3:BypassGovernanceRetention (root).
    c.delete_object()
        .bucket("vault")
        .key("ledger")
        .version_id(&v1)
        .bypass_governance_retention(true)
        .send()
        .await
        .unwrap();
    // Compliance cannot be shortened or bypassed by anyone.
    let until = DateTime::from_secs(time_now() + 3600);
    let put = c
        .put_object()
        .bucket("vault")
        .key("contract")
        .object_lock_mode(ObjectLockMode::Compliance)
        .object_lock_retain_until_date(until)
        .body(b"signed".to_vec().into())
        .send()
        .await
        .unwrap();
    let v2 = put.version_id().unwrap().to_string();
    let err = c
        .delete_object()
        .bucket("vault")
        .key("contract")
        .version_id(&v2)
        .bypass_governance_retention(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let err = c
        .put_object_retention()
        .bucket("vault")
        .key("contract")
        .version_id(&v2)
        .retention(
            ObjectLockRetention::builder()
                .mode(ObjectLockRetentionMode::Compliance)
                .retain_until_date(DateTime::from_secs(time_now() + 60))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        "AccessDenied",
        "shortening compliance is refused"
    );
    // Legal hold blocks deletion regardless of retention.
    let p3 = c
        .put_object()
        .bucket("vault")
        .key("held")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let v3 = p3.version_id().unwrap().to_string();
    c.put_object_legal_hold()
        .bucket("vault")
        .key("held")
        .version_id(&v3)
        .legal_hold(
            ObjectLockLegalHold::builder()
                .status(ObjectLockLegalHoldStatus::On)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let hold = c
        .get_object_legal_hold()
        .bucket("vault")
        .key("held")
        .version_id(&v3)
        .send()
        .await
        .unwrap();
    assert_eq!(
        hold.legal_hold().and_then(|h| h.status()),
        Some(&ObjectLockLegalHoldStatus::On)
    );
    let err = c
        .delete_object()
        .bucket("vault")
        .key("held")
        .version_id(&v3)
        .bypass_governance_retention(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    // Not lock-enabled buckets refuse lock headers; RestoreObject answers as for non-archived objects.
    c.create_bucket().bucket("plain-lock").send().await.unwrap();
    let err = c
        .put_object()
        .bucket("plain-lock")
        .key("k")
        .object_lock_mode(ObjectLockMode::Governance)
        .object_lock_retain_until_date(until)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidRequest");
    let err = c
        .restore_object()
        .bucket("vault")
        .key("held")
        .version_id(&v3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidObjectState");
}

fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[tokio::test]
async fn tags_belong_to_versions() {
    use aws_sdk_s3::types::{Tag, Tagging};
    let s = Server::start();
    let c = s.client();
    c.create_bucket()
        .bucket("tagged-versions")
        .send()
        .await
        .unwrap();
    set(&c, "tagged-versions", BucketVersioningStatus::Enabled).await;
    let v1 = c
        .put_object()
        .bucket("tagged-versions")
        .key("k")
        .tagging("gen=1")
        .body(b"1".to_vec().into())
        .send()
        .await
        .unwrap();
    c.put_object()
        .bucket("tagged-versions")
        .key("k")
        .tagging("gen=2")
        .body(b"2".to_vec().into())
        .send()
        .await
        .unwrap();
    let v1 = v1.version_id().unwrap().to_string();
    let tagging = Tagging::builder()
        .tag_set(Tag::builder().key("archived").value("yes").build().unwrap())
        .build()
        .unwrap();
    c.put_object_tagging()
        .bucket("tagged-versions")
        .key("k")
        .version_id(&v1)
        .tagging(tagging)
        .send()
        .await
        .unwrap();
    let old = c
        .get_object_tagging()
        .bucket("tagged-versions")
        .key("k")
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(old.tag_set()[0].key(), "archived");
    let current = c
        .get_object_tagging()
        .bucket("tagged-versions")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(current.tag_set()[0].value(), "2");
    c.delete_object_tagging()
        .bucket("tagged-versions")
        .key("k")
        .send()
        .await
        .unwrap();
    assert!(
        c.get_object_tagging()
            .bucket("tagged-versions")
            .key("k")
            .send()
            .await
            .unwrap()
            .tag_set()
            .is_empty()
    );
    let old = c
        .get_object_tagging()
        .bucket("tagged-versions")
        .key("k")
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(old.tag_set().len(), 1);
}

#[tokio::test]
async fn retention_modes_are_spelled_exactly_and_shown_on_head() {
    use aws_sdk_s3::primitives::DateTime;
    use aws_sdk_s3::types::{
        ObjectLockLegalHold, ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetention,
        ObjectLockRetentionMode,
    };
    let s = Server::start();
    let c = s.client();
    c.create_bucket()
        .bucket("locked-modes")
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .unwrap();
    c.put_object()
        .bucket("locked-modes")
        .key("k")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let until = DateTime::from_secs(4_102_444_800); // 2100-01-01
    let retention = |mode: &str| {
        c.put_object_retention()
            .bucket("locked-modes")
            .key("k")
            .retention(
                ObjectLockRetention::builder()
                    .mode(ObjectLockRetentionMode::from(mode))
                    .retain_until_date(until)
                    .build(),
            )
    };
    // A misspelled mode would lock the version with no way to bypass it: MalformedXML.
    let err = retention("governance").send().await.unwrap_err();
    assert_eq!(code(&err), "MalformedXML");
    retention("GOVERNANCE").send().await.unwrap();
    c.put_object_legal_hold()
        .bucket("locked-modes")
        .key("k")
        .legal_hold(
            ObjectLockLegalHold::builder()
                .status(ObjectLockLegalHoldStatus::On)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let head = c
        .head_object()
        .bucket("locked-modes")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(head.object_lock_mode(), Some(&ObjectLockMode::Governance));
    assert_eq!(head.object_lock_retain_until_date(), Some(&until));
    assert_eq!(
        head.object_lock_legal_hold_status(),
        Some(&ObjectLockLegalHoldStatus::On)
    );
    // Clean up: the hold off, then a governance bypass deletes the version.
    c.put_object_legal_hold()
        .bucket("locked-modes")
        .key("k")
        .legal_hold(
            ObjectLockLegalHold::builder()
                .status(ObjectLockLegalHoldStatus::Off)
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.delete_object()
        .bucket("locked-modes")
        .key("k")
        .set_version_id(head.version_id().map(str::to_string))
        .bypass_governance_retention(true)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn governance_mode_change_needs_bypass_and_legal_hold_status_is_validated() {
    use aws_sdk_s3::primitives::DateTime;
    use aws_sdk_s3::types::{
        ObjectLockLegalHold, ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetention,
        ObjectLockRetentionMode,
    };
    let s = Server::start();
    let c = s.client();
    c.create_bucket()
        .bucket("locks")
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .unwrap();
    let until = DateTime::from_secs(time_now_secs() + 3600);
    c.put_object()
        .bucket("locks")
        .key("k")
        .object_lock_mode(ObjectLockMode::Governance)
        .object_lock_retain_until_date(until)
        .body(b"v".to_vec().into())
        .send()
        .await
        .unwrap();
    let retention = |mode| {
        ObjectLockRetention::builder()
            .mode(mode)
            .retain_until_date(until)
            .build()
    };
    // GOVERNANCE → COMPLIANCE alters the lock: AccessDenied without the bypass header.
    let err = c
        .put_object_retention()
        .bucket("locks")
        .key("k")
        .retention(retention(ObjectLockRetentionMode::Compliance))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    // Extending the date in the same mode needs nothing.
    c.put_object_retention()
        .bucket("locks")
        .key("k")
        .retention(
            ObjectLockRetention::builder()
                .mode(ObjectLockRetentionMode::Governance)
                .retain_until_date(DateTime::from_secs(time_now_secs() + 7200))
                .build(),
        )
        .send()
        .await
        .unwrap();
    // With the bypass header (the root may bypass) the mode may change.
    c.put_object_retention()
        .bucket("locks")
        .key("k")
        .bypass_governance_retention(true)
        .retention(
            ObjectLockRetention::builder()
                .mode(ObjectLockRetentionMode::Compliance)
                .retain_until_date(DateTime::from_secs(time_now_secs() + 7200))
                .build(),
        )
        .send()
        .await
        .unwrap();
    // A legal hold status other than ON/OFF is MalformedXML, and changes nothing.
    let err = c
        .put_object_legal_hold()
        .bucket("locks")
        .key("k")
        .legal_hold(
            ObjectLockLegalHold::builder()
                .status(ObjectLockLegalHoldStatus::from("abc"))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "MalformedXML");
    c.put_object_legal_hold()
        .bucket("locks")
        .key("k")
        .legal_hold(
            ObjectLockLegalHold::builder()
                .status(ObjectLockLegalHoldStatus::On)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let hold = c
        .get_object_legal_hold()
        .bucket("locks")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(
        hold.legal_hold().and_then(|h| h.status()),
        Some(&ObjectLockLegalHoldStatus::On)
    );
}

fn time_now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
