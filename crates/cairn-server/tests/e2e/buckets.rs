//! Bucket lifecycle as a user of aws-sdk-s3 sees it.

use crate::harness::*;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, ObjectOwnership, Tag, Tagging,
};

#[tokio::test]
async fn bucket_in_any_region_reports_its_location() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket()
        .bucket("agency-production")
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::EuNorth1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.create_bucket().bucket("plain").send().await.unwrap();
    let loc = c
        .get_bucket_location()
        .bucket("agency-production")
        .send()
        .await
        .unwrap();
    assert_eq!(
        loc.location_constraint().map(|l| l.as_str()),
        Some("eu-north-1")
    );
    let loc = c
        .get_bucket_location()
        .bucket("plain")
        .send()
        .await
        .unwrap();
    assert_eq!(
        loc.location_constraint().map(|l| l.as_str()).unwrap_or(""),
        ""
    );
    let head = c
        .head_bucket()
        .bucket("agency-production")
        .send()
        .await
        .unwrap();
    assert_eq!(head.bucket_region(), Some("eu-north-1"));
    let list = c.list_buckets().send().await.unwrap();
    let names: Vec<_> = list.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(names, vec!["agency-production", "plain"]);
    assert_eq!(list.owner().and_then(|o| o.id()).map(str::len), Some(64));
}

#[tokio::test]
async fn bucket_names_and_conflicts_follow_aws_rules() {
    let s = Server::start();
    let c = s.client();
    for bad in [
        "ab",
        "Upper-Case",
        "under_score",
        "192.168.1.1",
        "-leading",
        "trailing-",
    ] {
        let err = c.create_bucket().bucket(bad).send().await.unwrap_err();
        assert_eq!(code(&err), "InvalidBucketName", "{bad}");
    }
    // us-east-1's legacy rule: re-creating your own bucket there is a success...
    c.create_bucket().bucket("taken").send().await.unwrap();
    c.create_bucket().bucket("taken").send().await.unwrap();
    // ...anywhere else it is BucketAlreadyOwnedByYou.
    let in_eu = || {
        c.create_bucket()
            .bucket("taken-eu")
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::EuWest1)
                    .build(),
            )
    };
    in_eu().send().await.unwrap();
    let err = in_eu().send().await.unwrap_err();
    assert_eq!(code(&err), "BucketAlreadyOwnedByYou");
    assert_eq!(status(&err), 409);
    // Another account's bucket: BucketAlreadyExists, not AccessDenied.
    let (_, key, secret) = create_account(&s, "other");
    let err = s
        .client_with(&key, &secret)
        .create_bucket()
        .bucket("taken")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "BucketAlreadyExists");
    assert_eq!(status(&err), 409);
    let err = c
        .create_bucket()
        .bucket("weird-ownership")
        .object_ownership(ObjectOwnership::from("Nobody"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidArgument");
    let err = c.head_bucket().bucket("missing").send().await.unwrap_err();
    assert_eq!(status(&err), 404);
    let err = c
        .get_bucket_location()
        .bucket("missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchBucket");
}

#[tokio::test]
async fn delete_bucket_refuses_while_objects_remain() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("full").send().await.unwrap();
    c.put_object()
        .bucket("full")
        .key("k")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let err = c.delete_bucket().bucket("full").send().await.unwrap_err();
    assert_eq!(code(&err), "BucketNotEmpty");
    assert_eq!(status(&err), 409);
    c.delete_object()
        .bucket("full")
        .key("k")
        .send()
        .await
        .unwrap();
    c.delete_bucket().bucket("full").send().await.unwrap();
    let err = c.delete_bucket().bucket("full").send().await.unwrap_err();
    assert_eq!(code(&err), "NoSuchBucket");
}

#[tokio::test]
async fn bucket_tagging_round_trips() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("tagged").send().await.unwrap();
    let err = c
        .get_bucket_tagging()
        .bucket("tagged")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchTagSet");
    let tags = Tagging::builder()
        .tag_set(Tag::builder().key("env").value("prod").build().unwrap())
        .tag_set(Tag::builder().key("team").value("web").build().unwrap())
        .build()
        .unwrap();
    c.put_bucket_tagging()
        .bucket("tagged")
        .tagging(tags)
        .send()
        .await
        .unwrap();
    let got = c
        .get_bucket_tagging()
        .bucket("tagged")
        .send()
        .await
        .unwrap();
    assert_eq!(got.tag_set().len(), 2);
    assert_eq!(got.tag_set()[0].key(), "env");
    c.delete_bucket_tagging()
        .bucket("tagged")
        .send()
        .await
        .unwrap();
    let err = c
        .get_bucket_tagging()
        .bucket("tagged")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchTagSet");
    let dup = Tagging::builder()
        .tag_set(Tag::builder().key("a").value("1").build().unwrap())
        .tag_set(Tag::builder().key("a").value("2").build().unwrap())
        .build()
        .unwrap();
    let err = c
        .put_bucket_tagging()
        .bucket("tagged")
        .tagging(dup)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidTag");
}

#[tokio::test]
async fn lifecycle_configuration_round_trips_and_is_validated() {
    use aws_sdk_s3::types::{
        BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
        LifecycleRuleFilter,
    };
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("lc-bucket").send().await.unwrap();
    let err = c
        .get_bucket_lifecycle_configuration()
        .bucket("lc-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchLifecycleConfiguration");
    let rule = |id: Option<&str>, days: i32| {
        LifecycleRule::builder()
            .set_id(id.map(str::to_string))
            .filter(LifecycleRuleFilter::builder().prefix("logs/").build())
            .expiration(LifecycleExpiration::builder().days(days).build())
            .status(ExpirationStatus::Enabled)
            .build()
            .unwrap()
    };
    let put = |rules: Vec<LifecycleRule>| {
        c.put_bucket_lifecycle_configuration()
            .bucket("lc-bucket")
            .lifecycle_configuration(
                BucketLifecycleConfiguration::builder()
                    .set_rules(Some(rules))
                    .build()
                    .unwrap(),
            )
    };
    // Duplicate IDs and over-long IDs are InvalidArgument, as on AWS.
    let err = put(vec![rule(Some("a"), 1), rule(Some("a"), 2)])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidArgument");
    let long = "x".repeat(256);
    let err = put(vec![rule(Some(&long), 1)]).send().await.unwrap_err();
    assert_eq!(code(&err), "InvalidArgument");
    // A rule without an ID gets one.
    put(vec![rule(Some("keep"), 30), rule(None, 7)])
        .send()
        .await
        .unwrap();
    let got = c
        .get_bucket_lifecycle_configuration()
        .bucket("lc-bucket")
        .send()
        .await
        .unwrap();
    let rules = got.rules();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].id(), Some("keep"));
    assert_eq!(rules[0].expiration().and_then(|e| e.days()), Some(30));
    assert!(rules[1].id().is_some_and(|id| !id.is_empty()));
    c.delete_bucket_lifecycle()
        .bucket("lc-bucket")
        .send()
        .await
        .unwrap();
    let err = c
        .get_bucket_lifecycle_configuration()
        .bucket("lc-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchLifecycleConfiguration");
}

#[tokio::test]
async fn expected_bucket_owner_must_name_the_owning_account() {
    let s = Server::start();
    let c = s.client();
    let account = sts_with(&s, ROOT_KEY, ROOT_SECRET, None)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account()
        .unwrap()
        .to_string();
    c.create_bucket().bucket("owned").send().await.unwrap();
    c.put_object()
        .bucket("owned")
        .key("k")
        .expected_bucket_owner(&account)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let err = c
        .put_object()
        .bucket("owned")
        .key("k2")
        .expected_bucket_owner("111122223333")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let err = c
        .list_objects_v2()
        .bucket("owned")
        .expected_bucket_owner("111122223333")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let keys = c
        .list_objects_v2()
        .bucket("owned")
        .expected_bucket_owner(&account)
        .send()
        .await
        .unwrap();
    assert_eq!(keys.key_count(), Some(1), "the refused PUT wrote nothing");
}

#[tokio::test]
async fn lifecycle_dates_must_be_midnight_utc() {
    use aws_sdk_s3::primitives::DateTime;
    use aws_sdk_s3::types::{
        BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
        LifecycleRuleFilter,
    };
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("lc-dates").send().await.unwrap();
    let put = |secs: i64| {
        c.put_bucket_lifecycle_configuration()
            .bucket("lc-dates")
            .lifecycle_configuration(
                BucketLifecycleConfiguration::builder()
                    .rules(
                        LifecycleRule::builder()
                            .id("by-date")
                            .filter(LifecycleRuleFilter::builder().prefix("tmp/").build())
                            .expiration(
                                LifecycleExpiration::builder()
                                    .date(DateTime::from_secs(secs))
                                    .build(),
                            )
                            .status(ExpirationStatus::Enabled)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .send()
    };
    // 2030-01-01T00:00:00Z is accepted; an hour later is not.
    put(1_893_456_000).await.unwrap();
    let err = put(1_893_456_000 + 3600).await.unwrap_err();
    assert_eq!(code(&err), "InvalidArgument");
}
