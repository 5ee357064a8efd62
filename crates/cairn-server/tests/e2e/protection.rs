//! Bucket protection: Block Public Access defaults and rules, Object Ownership and ACLs.

use crate::harness::*;
use aws_sdk_s3::types::{
    BucketCannedAcl, ObjectCannedAcl, ObjectOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration,
};

#[tokio::test]
async fn new_buckets_block_public_access_and_disable_acls() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("locked").send().await.unwrap();
    let bpa = c
        .get_public_access_block()
        .bucket("locked")
        .send()
        .await
        .unwrap();
    let cfg = bpa.public_access_block_configuration().unwrap();
    assert_eq!(
        (
            cfg.block_public_acls(),
            cfg.ignore_public_acls(),
            cfg.block_public_policy(),
            cfg.restrict_public_buckets()
        ),
        (Some(true), Some(true), Some(true), Some(true))
    );
    let own = c
        .get_bucket_ownership_controls()
        .bucket("locked")
        .send()
        .await
        .unwrap();
    let rule = &own.ownership_controls().unwrap().rules()[0];
    assert_eq!(
        rule.object_ownership(),
        &ObjectOwnership::BucketOwnerEnforced
    );
    // ACLs are disabled: only bucket-owner-full-control is accepted.
    let err = c
        .put_object()
        .bucket("locked")
        .key("k")
        .acl(ObjectCannedAcl::PublicRead)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessControlListNotSupported");
    assert_eq!(status(&err), 400);
    c.put_object()
        .bucket("locked")
        .key("k")
        .acl(ObjectCannedAcl::BucketOwnerFullControl)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    c.put_object_acl()
        .bucket("locked")
        .key("k")
        .acl(ObjectCannedAcl::BucketOwnerFullControl)
        .send()
        .await
        .unwrap();
    let err = c
        .put_object_acl()
        .bucket("locked")
        .key("k")
        .acl(ObjectCannedAcl::PublicRead)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessControlListNotSupported");
    let acl = c
        .get_object_acl()
        .bucket("locked")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(acl.grants().len(), 1);
    assert_eq!(
        acl.grants()[0].permission().map(|p| p.as_str()),
        Some("FULL_CONTROL")
    );
    let err = c
        .put_bucket_acl()
        .bucket("locked")
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessControlListNotSupported");
    let err = c
        .create_bucket()
        .bucket("public-from-birth")
        .acl(aws_sdk_s3::types::BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidBucketAclWithObjectOwnership");
}

#[tokio::test]
async fn acls_when_enabled_are_stored_and_public_ones_blocked_by_bpa() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket()
        .bucket("legacy")
        .object_ownership(ObjectOwnership::BucketOwnerPreferred)
        .send()
        .await
        .unwrap();
    let err = c
        .put_bucket_acl()
        .bucket("legacy")
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied", "BlockPublicAcls");
    c.put_public_access_block()
        .bucket("legacy")
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.put_bucket_acl()
        .bucket("legacy")
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap();
    let acl = c.get_bucket_acl().bucket("legacy").send().await.unwrap();
    let uris: Vec<_> = acl
        .grants()
        .iter()
        .filter_map(|g| g.grantee().and_then(|g| g.uri()))
        .collect();
    assert_eq!(
        uris,
        vec!["http://acs.amazonaws.com/groups/global/AllUsers"]
    );
    // Ownership controls can be switched and deleted.
    c.put_bucket_ownership_controls()
        .bucket("legacy")
        .ownership_controls(
            OwnershipControls::builder()
                .rules(
                    OwnershipControlsRule::builder()
                        .object_ownership(ObjectOwnership::BucketOwnerEnforced)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let acl = c.get_bucket_acl().bucket("legacy").send().await.unwrap();
    assert_eq!(
        acl.grants().len(),
        1,
        "ACLs disabled again: only the owner's grant shows"
    );
    c.delete_bucket_ownership_controls()
        .bucket("legacy")
        .send()
        .await
        .unwrap();
    let err = c
        .get_bucket_ownership_controls()
        .bucket("legacy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "OwnershipControlsNotFoundError");
    c.delete_public_access_block()
        .bucket("legacy")
        .send()
        .await
        .unwrap();
    let err = c
        .get_public_access_block()
        .bucket("legacy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchPublicAccessBlockConfiguration");
}

#[tokio::test]
async fn cors_rules_answer_preflights_and_decorate_responses() {
    use aws_sdk_s3::presigning::PresigningConfig;
    use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("web-assets").send().await.unwrap();
    c.put_object()
        .bucket("web-assets")
        .key("app.js")
        .body(b"js".to_vec().into())
        .send()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let preflight = |origin: &'static str, method: &'static str| {
        http.request(
            reqwest::Method::OPTIONS,
            format!("{}/web-assets/app.js", s.endpoint),
        )
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", "content-type")
        .send()
    };
    assert_eq!(
        preflight("https://app.example.com", "GET")
            .await
            .unwrap()
            .status(),
        403,
        "no CORS yet"
    );
    let err = c
        .get_bucket_cors()
        .bucket("web-assets")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchCORSConfiguration");
    c.put_bucket_cors()
        .bucket("web-assets")
        .cors_configuration(
            CorsConfiguration::builder()
                .cors_rules(
                    CorsRule::builder()
                        .allowed_origins("https://*.example.com")
                        .allowed_methods("GET")
                        .allowed_methods("PUT")
                        .allowed_headers("*")
                        .expose_headers("ETag")
                        .max_age_seconds(600)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let ok = preflight("https://app.example.com", "PUT").await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert_eq!(ok.headers()["access-control-max-age"], "600");
    assert_eq!(
        preflight("https://evil.test", "GET")
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        preflight("https://app.example.com", "DELETE")
            .await
            .unwrap()
            .status(),
        403
    );
    let url = c
        .get_object()
        .bucket("web-assets")
        .key("app.js")
        .presigned(PresigningConfig::expires_in(std::time::Duration::from_secs(60)).unwrap())
        .await
        .unwrap();
    let got = http
        .get(url.uri())
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(
        got.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert_eq!(got.headers()["access-control-expose-headers"], "ETag");
    let rules = c
        .get_bucket_cors()
        .bucket("web-assets")
        .send()
        .await
        .unwrap();
    assert_eq!(rules.cors_rules().len(), 1);
    c.delete_bucket_cors()
        .bucket("web-assets")
        .send()
        .await
        .unwrap();
    assert_eq!(
        preflight("https://app.example.com", "GET")
            .await
            .unwrap()
            .status(),
        403
    );
}

#[tokio::test]
async fn acl_grants_take_part_in_authorization_unless_ignored() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket()
        .bucket("acl-site")
        .object_ownership(ObjectOwnership::ObjectWriter)
        .send()
        .await
        .unwrap();
    c.delete_public_access_block()
        .bucket("acl-site")
        .send()
        .await
        .unwrap();
    c.put_object()
        .bucket("acl-site")
        .key("index.html")
        .acl(ObjectCannedAcl::PublicRead)
        .body(b"<h1>hi</h1>".to_vec().into())
        .send()
        .await
        .unwrap();
    c.put_object()
        .bucket("acl-site")
        .key("private.txt")
        .body(b"secret".to_vec().into())
        .send()
        .await
        .unwrap();
    let acl = c
        .get_object_acl()
        .bucket("acl-site")
        .key("index.html")
        .send()
        .await
        .unwrap();
    assert!(
        acl.grants()
            .iter()
            .any(|g| g.grantee().and_then(|g| g.uri())
                == Some("http://acs.amazonaws.com/groups/global/AllUsers"))
    );
    let anon = |path: &str| reqwest::get(format!("{}/acl-site/{path}", s.endpoint));
    assert_eq!(anon("index.html").await.unwrap().status(), 200);
    assert_eq!(anon("private.txt").await.unwrap().status(), 403);
    assert_eq!(
        reqwest::get(format!("{}/acl-site", s.endpoint))
            .await
            .unwrap()
            .status(),
        403,
        "no bucket READ grant"
    );
    c.put_bucket_acl()
        .bucket("acl-site")
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap();
    assert_eq!(
        reqwest::get(format!("{}/acl-site", s.endpoint))
            .await
            .unwrap()
            .status(),
        200
    );
    c.put_object_acl()
        .bucket("acl-site")
        .key("private.txt")
        .acl(ObjectCannedAcl::PublicRead)
        .send()
        .await
        .unwrap();
    assert_eq!(anon("private.txt").await.unwrap().status(), 200);
    // IgnorePublicAcls: public grants stop counting at once.
    c.put_public_access_block()
        .bucket("acl-site")
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .ignore_public_acls(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(anon("index.html").await.unwrap().status(), 403);
}

#[tokio::test]
async fn legacy_bucket_defaults_keep_acls_and_show_grantees_by_account() {
    use aws_sdk_s3::types::{AccessControlPolicy, Grant, Grantee, Permission, Type};
    let s = Server::start_with(&["--legacy-bucket-defaults"]);
    let c = s.client();
    // A canned ACL at creation is kept: no Block Public Access, ObjectWriter ownership.
    c.create_bucket()
        .bucket("old-style")
        .acl(BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap();
    let err = c
        .get_public_access_block()
        .bucket("old-style")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NoSuchPublicAccessBlockConfiguration");
    let acl = c.get_bucket_acl().bucket("old-style").send().await.unwrap();
    let owner = acl.owner().unwrap();
    // The owner's display name is its account id; group grants come first (Ceph's order).
    assert!(owner.display_name().is_some_and(|d| d.len() == 12));
    let grants = acl.grants();
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[0].grantee().unwrap().r#type(), &Type::Group);
    assert_eq!(grants[1].grantee().unwrap().id(), owner.id());

    // A grant to another account's canonical id shows that account; an unknown id is refused.
    let (other_account, key, secret) = create_account(&s, "other");
    let other_id = s
        .client_with(&key, &secret)
        .list_buckets()
        .send()
        .await
        .unwrap()
        .owner()
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    let policy = |id: &str| {
        AccessControlPolicy::builder()
            .owner(owner.clone())
            .grants(
                Grant::builder()
                    .grantee(
                        Grantee::builder()
                            .r#type(Type::CanonicalUser)
                            .id(id)
                            .build()
                            .unwrap(),
                    )
                    .permission(Permission::Read)
                    .build(),
            )
            .build()
    };
    c.put_bucket_acl()
        .bucket("old-style")
        .access_control_policy(policy(&other_id))
        .send()
        .await
        .unwrap();
    let acl = c.get_bucket_acl().bucket("old-style").send().await.unwrap();
    let shown = acl
        .grants()
        .iter()
        .find(|g| g.grantee().and_then(|g| g.id()) == Some(other_id.as_str()))
        .unwrap();
    assert_eq!(
        shown.grantee().unwrap().display_name(),
        Some(other_account.as_str())
    );
    let err = c
        .put_bucket_acl()
        .bucket("old-style")
        .access_control_policy(policy("_foo"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidArgument");
}

#[tokio::test]
async fn missing_buckets_are_no_such_bucket_to_anyone_and_bare_options_is_400() {
    let s = Server::start();
    let http = reqwest::Client::new();
    let got = http
        .get(format!("http://{}/no-such-bucket/key", s.addr()))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 404);
    assert!(got.text().await.unwrap().contains("NoSuchBucket"));
    let got = http
        .request(
            reqwest::Method::OPTIONS,
            format!("http://{}/no-such-bucket/key", s.addr()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 400);
}

#[tokio::test]
async fn object_writer_owns_what_it_writes_and_reads_are_404_only_to_listers() {
    use aws_sdk_s3::types::Permission;
    let s = Server::start_with(&["--legacy-bucket-defaults"]);
    let c = s.client();
    // A bucket anyone may write to and list (public-read-write), ObjectWriter ownership.
    c.create_bucket()
        .bucket("shared")
        .acl(BucketCannedAcl::PublicReadWrite)
        .send()
        .await
        .unwrap();
    let main_id = c
        .list_buckets()
        .send()
        .await
        .unwrap()
        .owner()
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    let (_, key, secret) = create_account(&s, "writer");
    let alt = s.client_with(&key, &secret);
    let alt_id = alt
        .list_buckets()
        .send()
        .await
        .unwrap()
        .owner()
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    alt.put_object()
        .bucket("shared")
        .key("mine")
        .acl(ObjectCannedAcl::BucketOwnerRead)
        .body(b"by alt".to_vec().into())
        // Sent without a Content-Type (the SDK would add application/octet-stream).
        .customize()
        .mutate_request(|r| {
            r.headers_mut().remove("content-type");
        })
        .send()
        .await
        .unwrap();
    // The writer owns it (FULL_CONTROL) and the bucket owner got READ from bucket-owner-read.
    let acl = alt
        .get_object_acl()
        .bucket("shared")
        .key("mine")
        .send()
        .await
        .unwrap();
    assert_eq!(acl.owner().and_then(|o| o.id()), Some(alt_id.as_str()));
    let grant_of = |id: &str| {
        acl.grants()
            .iter()
            .find(|g| g.grantee().and_then(|g| g.id()) == Some(id))
            .and_then(|g| g.permission().cloned())
    };
    assert_eq!(grant_of(&alt_id), Some(Permission::FullControl));
    assert_eq!(grant_of(&main_id), Some(Permission::Read));
    // The owner's FULL_CONTROL lets the writer read its object back; the object has S3's
    // default type, as it was sent without one.
    let got = alt
        .get_object()
        .bucket("shared")
        .key("mine")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_type(), Some("binary/octet-stream"));
    assert_eq!(body_bytes(got).await, b"by alt");
    // The bucket owner's own writes stay the bucket owner's.
    c.put_object()
        .bucket("shared")
        .key("theirs")
        .body(b"by main".to_vec().into())
        .send()
        .await
        .unwrap();
    let acl = c
        .get_object_acl()
        .bucket("shared")
        .key("theirs")
        .send()
        .await
        .unwrap();
    assert_eq!(acl.owner().and_then(|o| o.id()), Some(main_id.as_str()));

    // Anonymous readers may list the bucket: a missing key is 404 to them, an existing object
    // they may not read is 403.
    let http = reqwest::Client::new();
    let anon = |k: &str| http.get(format!("http://{}/shared/{k}", s.addr())).send();
    assert_eq!(anon("gone").await.unwrap().status(), 404);
    assert_eq!(anon("theirs").await.unwrap().status(), 403);
    // In a private bucket the same missing key is 403 to them.
    c.create_bucket().bucket("private").send().await.unwrap();
    let got = http
        .get(format!("http://{}/private/gone", s.addr()))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 403);
}

#[tokio::test]
async fn reads_refuse_an_encryption_header() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("enc-read").send().await.unwrap();
    c.put_object()
        .bucket("enc-read")
        .key("k")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    c.head_object()
        .bucket("enc-read")
        .key("k")
        .send()
        .await
        .unwrap();
    // A read names no encryption: the header is 400 on GET and HEAD.
    let err = c
        .get_object()
        .bucket("enc-read")
        .key("k")
        .customize()
        .mutate_request(|r| {
            r.headers_mut()
                .insert("x-amz-server-side-encryption", "AES256");
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidArgument");
    let err = c
        .head_object()
        .bucket("enc-read")
        .key("k")
        .customize()
        .mutate_request(|r| {
            r.headers_mut()
                .insert("x-amz-server-side-encryption", "AES256");
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&err), 400);
}

/// With ACLs disabled, `private` (rclone's default `x-amz-acl`) gives full control to the writer
/// alone: from the bucket owner's account that is the bucket owner, so AWS accepts it; from
/// another account it would not be, and only `bucket-owner-full-control` passes.
#[tokio::test]
async fn private_acl_passes_enforced_ownership_only_from_the_owners_account() {
    let s = Server::start();
    let c = s.client();
    c.create_bucket().bucket("owned").send().await.unwrap();
    c.put_object()
        .bucket("owned")
        .key("mine")
        .acl(ObjectCannedAcl::Private)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let (other_id, key, secret) = create_account(&s, "writer");
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{other_id}:root"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::owned/*"}}]}}"#
    );
    c.put_bucket_policy()
        .bucket("owned")
        .policy(policy)
        .send()
        .await
        .unwrap();
    let other = s.client_with(&key, &secret);
    let put = |acl| {
        other
            .put_object()
            .bucket("owned")
            .key("theirs")
            .acl(acl)
            .body(b"y".to_vec().into())
            .send()
    };
    let err = put(ObjectCannedAcl::Private).await.unwrap_err();
    assert_eq!(code(&err), "AccessControlListNotSupported");
    assert_eq!(status(&err), 400);
    put(ObjectCannedAcl::BucketOwnerFullControl).await.unwrap();
    let err = c
        .put_object()
        .bucket("owned")
        .key("mine")
        .acl(ObjectCannedAcl::AuthenticatedRead)
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessControlListNotSupported");
}

/// The canonical id S3 shows for a client's account.
async fn canonical_of(c: &aws_sdk_s3::Client) -> String {
    c.list_buckets()
        .send()
        .await
        .unwrap()
        .owner()
        .unwrap()
        .id()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn uploads_belong_to_their_writer_as_objects_do() {
    let s = Server::start_with(&["--legacy-bucket-defaults"]);
    let c = s.client();
    c.create_bucket()
        .bucket("shared-uploads")
        .acl(BucketCannedAcl::PublicReadWrite)
        .send()
        .await
        .unwrap();
    let main_id = canonical_of(&c).await;
    let (_, key, secret) = create_account(&s, "uploader");
    let alt = s.client_with(&key, &secret);
    let alt_id = canonical_of(&alt).await;
    let mine = c
        .create_multipart_upload()
        .bucket("shared-uploads")
        .key("a-main")
        .send()
        .await
        .unwrap();
    let theirs = alt
        .create_multipart_upload()
        .bucket("shared-uploads")
        .key("b-alt")
        .send()
        .await
        .unwrap();
    // Owner and Initiator are who started each upload (an account root by canonical id).
    let listed = c
        .list_multipart_uploads()
        .bucket("shared-uploads")
        .send()
        .await
        .unwrap();
    let who: Vec<_> = listed
        .uploads()
        .iter()
        .map(|u| {
            (
                u.owner().and_then(|o| o.id()).unwrap().to_string(),
                u.initiator().and_then(|i| i.id()).unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        who,
        vec![
            (main_id.clone(), main_id.clone()),
            (alt_id.clone(), alt_id.clone())
        ]
    );
    let parts = c
        .list_parts()
        .bucket("shared-uploads")
        .key("b-alt")
        .upload_id(theirs.upload_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(parts.owner().and_then(|o| o.id()), Some(alt_id.as_str()));
    assert_eq!(
        parts.initiator().and_then(|i| i.id()),
        Some(alt_id.as_str())
    );
    // The completed object keeps its writer as owner.
    let part = alt
        .upload_part()
        .bucket("shared-uploads")
        .key("b-alt")
        .upload_id(theirs.upload_id().unwrap())
        .part_number(1)
        .body(b"part".to_vec().into())
        .send()
        .await
        .unwrap();
    alt.complete_multipart_upload()
        .bucket("shared-uploads")
        .key("b-alt")
        .upload_id(theirs.upload_id().unwrap())
        .multipart_upload(
            aws_sdk_s3::types::CompletedMultipartUpload::builder()
                .parts(
                    aws_sdk_s3::types::CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part.e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let acl = alt
        .get_object_acl()
        .bucket("shared-uploads")
        .key("b-alt")
        .send()
        .await
        .unwrap();
    assert_eq!(acl.owner().and_then(|o| o.id()), Some(alt_id.as_str()));
    // The initiator may abort its upload in another account's bucket; a third account, which
    // may write to the bucket too, may not.
    let other = alt
        .create_multipart_upload()
        .bucket("shared-uploads")
        .key("c-alt")
        .send()
        .await
        .unwrap();
    let (_, key3, secret3) = create_account(&s, "stranger");
    let err = s
        .client_with(&key3, &secret3)
        .abort_multipart_upload()
        .bucket("shared-uploads")
        .key("c-alt")
        .upload_id(other.upload_id().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    alt.abort_multipart_upload()
        .bucket("shared-uploads")
        .key("c-alt")
        .upload_id(other.upload_id().unwrap())
        .send()
        .await
        .unwrap();
    c.abort_multipart_upload()
        .bucket("shared-uploads")
        .key("a-main")
        .upload_id(mine.upload_id().unwrap())
        .send()
        .await
        .unwrap();

    // BucketOwnerPreferred: bucket-owner-full-control hands the upload to the bucket owner.
    c.put_bucket_ownership_controls()
        .bucket("shared-uploads")
        .ownership_controls(
            OwnershipControls::builder()
                .rules(
                    OwnershipControlsRule::builder()
                        .object_ownership(ObjectOwnership::BucketOwnerPreferred)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    for (acl, owner) in [
        (Some(ObjectCannedAcl::BucketOwnerFullControl), &main_id),
        (None, &alt_id),
    ] {
        let up = alt
            .create_multipart_upload()
            .bucket("shared-uploads")
            .key("d-alt")
            .set_acl(acl)
            .send()
            .await
            .unwrap();
        let parts = c
            .list_parts()
            .bucket("shared-uploads")
            .key("d-alt")
            .upload_id(up.upload_id().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(parts.owner().and_then(|o| o.id()), Some(owner.as_str()));
        assert_eq!(
            parts.initiator().and_then(|i| i.id()),
            Some(alt_id.as_str())
        );
    }
}

#[tokio::test]
async fn an_acl_set_grant_by_grant_is_shown_as_set_and_belongs_to_the_object_owner() {
    use aws_sdk_s3::types::{AccessControlPolicy, Permission};
    let s = Server::start_with(&["--legacy-bucket-defaults"]);
    let c = s.client();
    c.create_bucket()
        .bucket("acl-owners")
        .acl(BucketCannedAcl::PublicReadWrite)
        .send()
        .await
        .unwrap();
    let main_id = canonical_of(&c).await;
    let (_, key, secret) = create_account(&s, "writer");
    let alt = s.client_with(&key, &secret);
    let alt_id = canonical_of(&alt).await;

    // Another account's object: its ACL is the writer's to show, not the bucket owner's.
    alt.put_object()
        .bucket("acl-owners")
        .key("private")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let err = c
        .get_object_acl()
        .bucket("acl-owners")
        .key("private")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    let acl = alt
        .get_object_acl()
        .bucket("acl-owners")
        .key("private")
        .send()
        .await
        .unwrap();
    assert_eq!(
        acl.grants()[0].grantee().and_then(|g| g.id()),
        Some(alt_id.as_str())
    );
    // Granted by header, the ACL is exactly the grants given, and the grantee may read it.
    alt.put_object()
        .bucket("acl-owners")
        .key("granted")
        .grant_full_control(format!("id={main_id}"))
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    let acl = c
        .get_object_acl()
        .bucket("acl-owners")
        .key("granted")
        .send()
        .await
        .unwrap();
    assert_eq!(acl.owner().and_then(|o| o.id()), Some(alt_id.as_str()));
    let grants: Vec<_> = acl
        .grants()
        .iter()
        .map(|g| {
            (
                g.grantee().and_then(|g| g.id()).unwrap().to_string(),
                g.permission().cloned().unwrap(),
            )
        })
        .collect();
    assert_eq!(grants, vec![(main_id.clone(), Permission::FullControl)]);

    // A bucket ACL set without any grant shows none; the owner may still set it back.
    let acl = c
        .get_bucket_acl()
        .bucket("acl-owners")
        .send()
        .await
        .unwrap();
    let before = acl.grants().to_vec();
    let policy = |grants: Vec<aws_sdk_s3::types::Grant>| {
        AccessControlPolicy::builder()
            .owner(acl.owner().unwrap().clone())
            .set_grants(Some(grants))
            .build()
    };
    c.put_bucket_acl()
        .bucket("acl-owners")
        .access_control_policy(policy(vec![]))
        .send()
        .await
        .unwrap();
    let now = c
        .get_bucket_acl()
        .bucket("acl-owners")
        .send()
        .await
        .unwrap();
    assert!(now.grants().is_empty());
    c.put_bucket_acl()
        .bucket("acl-owners")
        .access_control_policy(policy(before.clone()))
        .send()
        .await
        .unwrap();
    let now = c
        .get_bucket_acl()
        .bucket("acl-owners")
        .send()
        .await
        .unwrap();
    assert_eq!(now.grants(), before.as_slice());
}
