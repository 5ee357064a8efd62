//! The store's contract, run against both backends: SQLite in a temp dir and PostgreSQL
//! (`CAIRN_TEST_POSTGRES`, default the machine's service at 127.0.0.1:5432, a fresh database
//! per test).

use cairn_meta::*;
use sqlx::Connection;

struct Fixture {
    store: SqlMeta,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the admin URL and the database to drop afterwards.
    pg: Option<(String, String)>,
}

impl Fixture {
    async fn finish(self) {
        self.store.close().await;
        if let Some((admin_url, name)) = self.pg {
            let mut admin = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("reconnect");
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .expect("drop database");
        }
    }
}

async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqlMeta::open_sqlite(dir.path()).await.expect("open sqlite");
    Fixture {
        store,
        _dir: Some(dir),
        pg: None,
    }
}

/// A new, empty database on the PostgreSQL server, so tests never see each other's rows.
async fn postgres() -> Fixture {
    let base = std::env::var("CAIRN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let name = format!("cairn_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .expect("PostgreSQL must be reachable (set CAIRN_TEST_POSTGRES)");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    let url = match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => panic!("bad postgres url"),
    };
    let store = SqlMeta::connect(&url).await.expect("connect postgres");
    Fixture {
        store,
        _dir: None,
        pg: Some((base, name)),
    }
}

fn object(bucket: &str, key: &str, blob: &str) -> ObjectRecord {
    ObjectRecord {
        bucket: bucket.into(),
        key: key.into(),
        version_id: "null".into(),
        size: 3,
        etag: "abc".into(),
        last_modified: 1,
        layout: vec![Segment {
            blob: blob.into(),
            size: 3,
        }],
        attrs: ObjectAttrs::default(),
        tags: vec![],
    }
}

fn bucket(name: &str, account: &str) -> Bucket {
    Bucket {
        name: name.into(),
        account_id: account.into(),
        region: "eu-north-1".into(),
        created: 5,
        object_ownership: "BucketOwnerEnforced".into(),
    }
}

async fn buckets_are_unique_and_owned(s: &SqlMeta) {
    s.create_bucket(&bucket("b1", "111111111111"))
        .await
        .unwrap();
    match s.create_bucket(&bucket("b1", "222222222222")).await {
        Err(MetaError::BucketExists { owner }) => assert_eq!(owner, "111111111111"),
        other => panic!("expected BucketExists, got {other:?}"),
    }
    assert_eq!(
        s.get_bucket("b1").await.unwrap().unwrap().region,
        "eu-north-1"
    );
    assert_eq!(s.list_buckets("111111111111").await.unwrap().len(), 1);
    assert!(s.list_buckets("222222222222").await.unwrap().is_empty());
    s.put_bucket_config("b1", "tagging", Some("x"))
        .await
        .unwrap();
    assert_eq!(
        s.get_bucket_config("b1", "tagging")
            .await
            .unwrap()
            .as_deref(),
        Some("x")
    );
    s.put_bucket_config("b1", "tagging", None).await.unwrap();
    assert_eq!(s.get_bucket_config("b1", "tagging").await.unwrap(), None);
    assert!(matches!(
        s.put_bucket_config("nope", "tagging", Some("x")).await,
        Err(MetaError::NoSuchBucket)
    ));
    s.put_object(&object("b1", "k", "blob1")).await.unwrap();
    assert!(matches!(
        s.delete_bucket("b1").await,
        Err(MetaError::BucketNotEmpty)
    ));
    s.delete_object("b1", "k").await.unwrap();
    s.delete_bucket("b1").await.unwrap();
    assert!(s.get_bucket("b1").await.unwrap().is_none());
    assert!(matches!(
        s.delete_bucket("b1").await,
        Err(MetaError::NoSuchBucket)
    ));
}

async fn objects_replace_and_report_garbage(s: &SqlMeta) {
    s.create_bucket(&bucket("b2", "111111111111"))
        .await
        .unwrap();
    assert!(
        s.put_object(&object("b2", "k", "one"))
            .await
            .unwrap()
            .is_empty()
    );
    let old = s.put_object(&object("b2", "k", "two")).await.unwrap();
    assert_eq!(
        old,
        vec![Segment {
            blob: "one".into(),
            size: 3
        }]
    );
    assert_eq!(
        s.get_object("b2", "k").await.unwrap().unwrap().layout[0].blob,
        "two"
    );
    s.put_object_tags("b2", "k", &vec![("a".into(), "b".into())])
        .await
        .unwrap();
    assert_eq!(
        s.get_object("b2", "k").await.unwrap().unwrap().tags.len(),
        1
    );
    assert!(matches!(
        s.put_object_tags("b2", "zz", &vec![]).await,
        Err(MetaError::NoSuchKey)
    ));
    assert!(matches!(
        s.put_object(&object("nobucket", "k", "x")).await,
        Err(MetaError::NoSuchBucket)
    ));
    let gone = s.delete_object("b2", "k").await.unwrap();
    assert_eq!(gone.len(), 1);
    assert!(s.delete_object("b2", "k").await.unwrap().is_empty());
}

async fn listing_is_byte_ordered_range_scan(s: &SqlMeta) {
    s.create_bucket(&bucket("b3", "111111111111"))
        .await
        .unwrap();
    // Byte order: 'Z' < 'a' < 'é' (0xC3 0xA9) < '中'.
    for k in ["a/1", "a/2", "b", "Z", "é", "中", "a0"] {
        s.put_object(&object("b3", k, k)).await.unwrap();
    }
    let all: Vec<String> = s
        .list_objects("b3", &ListFrom::default(), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(all, vec!["Z", "a/1", "a/2", "a0", "b", "é", "中"]);
    let from = ListFrom {
        prefix: "a/".into(),
        ..Default::default()
    };
    let keys: Vec<String> = s
        .list_objects("b3", &from, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(keys, vec!["a/1", "a/2"]);
    let from = ListFrom {
        after: Some("a/1".into()),
        ..Default::default()
    };
    let page = s.list_objects("b3", &from, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(),
        vec!["a/2", "a0"]
    );
    let from = ListFrom {
        at_or_after: Some("b".into()),
        ..Default::default()
    };
    assert_eq!(s.list_objects("b3", &from, 1).await.unwrap()[0].key, "b");
}

async fn multipart_lifecycle(s: &SqlMeta) {
    s.create_bucket(&bucket("b4", "111111111111"))
        .await
        .unwrap();
    let up = UploadRecord {
        upload_id: "u1".into(),
        bucket: "b4".into(),
        key: "big".into(),
        initiated: 10,
        attrs: ObjectAttrs::default(),
        tags: vec![],
        initiator: "arn:aws:iam::111111111111:root".into(),
    };
    s.create_upload(&up).await.unwrap();
    s.create_upload(&UploadRecord {
        upload_id: "u2".into(),
        initiated: 11,
        ..up.clone()
    })
    .await
    .unwrap();
    let part = |n: u32, blob: &str| PartRecord {
        upload_id: "u1".into(),
        part_number: n,
        size: 5,
        etag: format!("e{n}"),
        blob: blob.into(),
        checksums: Checksums::default(),
        last_modified: 1,
    };
    assert!(s.put_part(&part(1, "p1")).await.unwrap().is_empty());
    assert_eq!(s.put_part(&part(1, "p1b")).await.unwrap()[0].blob, "p1");
    s.put_part(&part(2, "p2")).await.unwrap();
    s.put_part(&part(3, "p3")).await.unwrap();
    assert_eq!(s.list_parts("u1", 0, 2).await.unwrap().len(), 2);
    assert_eq!(s.list_parts("u1", 2, 10).await.unwrap()[0].part_number, 3);
    let ups = s.list_uploads("b4", "", None, None, 10).await.unwrap();
    assert_eq!(
        ups.iter().map(|u| u.upload_id.as_str()).collect::<Vec<_>>(),
        vec!["u1", "u2"]
    );
    let ups = s
        .list_uploads("b4", "", Some("big"), Some("u1"), 10)
        .await
        .unwrap();
    assert_eq!(ups.len(), 1);
    let mut obj = object("b4", "big", "p1b");
    obj.layout.push(Segment {
        blob: "p2".into(),
        size: 5,
    });
    let garbage = s.complete_upload("u1", &obj).await.unwrap();
    assert_eq!(
        garbage,
        vec![Segment {
            blob: "p3".into(),
            size: 5
        }]
    );
    assert!(s.get_upload("u1").await.unwrap().is_none());
    assert!(matches!(
        s.complete_upload("u1", &obj).await,
        Err(MetaError::NoSuchUpload)
    ));
    assert!(matches!(
        s.put_part(&part(4, "p4")).await,
        Err(MetaError::NoSuchUpload)
    ));
    assert!(s.abort_upload("u2").await.unwrap().is_empty());
    assert!(matches!(
        s.abort_upload("u2").await,
        Err(MetaError::NoSuchUpload)
    ));
    // An upload in progress does not keep its bucket: it goes with it, its parts become garbage.
    s.delete_object("b4", "big").await.unwrap();
    s.create_upload(&UploadRecord {
        upload_id: "u3".into(),
        ..up.clone()
    })
    .await
    .unwrap();
    s.put_part(&PartRecord {
        upload_id: "u3".into(),
        ..part(1, "p5")
    })
    .await
    .unwrap();
    let garbage = s.delete_bucket("b4").await.unwrap();
    assert_eq!(
        garbage.iter().map(|g| g.blob.as_str()).collect::<Vec<_>>(),
        vec!["p5"]
    );
    assert!(s.get_upload("u3").await.unwrap().is_none());
}

async fn accounts_and_keys(s: &SqlMeta) {
    assert!(s.first_account().await.unwrap().is_none());
    s.create_account(&Account {
        id: "123456789012".into(),
        name: Some("main".into()),
        created: 1,
    })
    .await
    .unwrap();
    let first = s.first_account().await.unwrap().unwrap();
    assert_eq!(
        (first.id.as_str(), first.name.as_deref()),
        ("123456789012", Some("main"))
    );
    s.create_account(&Account {
        id: "210987654321".into(),
        name: None,
        created: 2,
    })
    .await
    .unwrap();
    let all = s.list_accounts().await.unwrap();
    assert_eq!(
        all.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        vec!["123456789012", "210987654321"]
    );
    let key = AccessKey {
        access_key_id: "AKIAEXAMPLE".into(),
        secret_enc: "enc".into(),
        account_id: "123456789012".into(),
        user_name: None,
        status: "Active".into(),
        created: 1,
    };
    s.put_access_key(&key).await.unwrap();
    assert!(matches!(
        s.put_access_key(&key).await,
        Err(MetaError::AlreadyExists)
    ));
    assert_eq!(s.get_access_key("AKIAEXAMPLE").await.unwrap(), Some(key));
    s.put_setting("x", "1").await.unwrap();
    s.put_setting("x", "2").await.unwrap();
    assert_eq!(s.get_setting("x").await.unwrap().as_deref(), Some("2"));
}

fn entity(kind: EntityKind, name: &str) -> IamEntity {
    IamEntity {
        account_id: "111111111111".into(),
        kind,
        name: name.into(),
        id: format!("ID{name}"),
        path: "/".into(),
        created: 1,
        attrs: EntityAttrs::default(),
    }
}

async fn iam_entities_policies_and_groups(s: &SqlMeta) {
    let acct = "111111111111";
    s.create_entity(&entity(EntityKind::User, "Alice"))
        .await
        .unwrap();
    assert!(matches!(
        s.create_entity(&entity(EntityKind::User, "alice")).await,
        Err(MetaError::AlreadyExists)
    ));
    s.create_entity(&entity(EntityKind::Group, "devs"))
        .await
        .unwrap();
    s.create_entity(&entity(EntityKind::Role, "alice"))
        .await
        .unwrap();
    assert_eq!(
        s.get_entity(acct, EntityKind::User, "ALICE")
            .await
            .unwrap()
            .unwrap()
            .name,
        "Alice"
    );
    assert_eq!(
        s.list_entities(acct, EntityKind::User, "/")
            .await
            .unwrap()
            .len(),
        1
    );
    s.put_inline_policy(acct, EntityKind::User, "alice", "p1", "{u}")
        .await
        .unwrap();
    s.put_inline_policy(acct, EntityKind::Group, "devs", "g1", "{g}")
        .await
        .unwrap();
    s.add_to_group(acct, "devs", "alice").await.unwrap();
    s.attach_policy(acct, EntityKind::Group, "devs", "arn:aws:iam::aws:policy/X")
        .await
        .unwrap();
    s.attach_policy(acct, EntityKind::User, "alice", "arn:aws:iam::aws:policy/X")
        .await
        .unwrap();
    let applied = s
        .applied_policies(acct, EntityKind::User, "alice")
        .await
        .unwrap();
    assert_eq!(applied.inline.len(), 2);
    assert_eq!(
        applied.attached,
        vec!["arn:aws:iam::aws:policy/X".to_string()]
    );
    assert_eq!(
        s.policy_attachments("arn:aws:iam::aws:policy/X")
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(matches!(
        s.delete_entity(acct, EntityKind::User, "alice").await,
        Err(MetaError::DeleteConflict(_))
    ));
    // Rename carries policies and memberships.
    let mut renamed = entity(EntityKind::User, "bob");
    renamed.path = "/team/".into();
    s.update_entity("alice", &renamed).await.unwrap();
    assert!(
        s.get_entity(acct, EntityKind::User, "alice")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        s.members_of_group(acct, "devs").await.unwrap()[0].name,
        "bob"
    );
    assert_eq!(
        s.get_inline_policy(acct, EntityKind::User, "bob", "p1")
            .await
            .unwrap()
            .as_deref(),
        Some("{u}")
    );
    s.delete_inline_policy(acct, EntityKind::User, "bob", "p1")
        .await
        .unwrap();
    s.detach_policy(acct, EntityKind::User, "bob", "arn:aws:iam::aws:policy/X")
        .await
        .unwrap();
    assert!(matches!(
        s.detach_policy(acct, EntityKind::User, "bob", "arn:aws:iam::aws:policy/X")
            .await,
        Err(MetaError::NoSuchEntity)
    ));
    s.remove_from_group(acct, "devs", "bob").await.unwrap();
    s.delete_entity(acct, EntityKind::User, "bob")
        .await
        .unwrap();
    assert!(matches!(
        s.delete_entity(acct, EntityKind::User, "bob").await,
        Err(MetaError::NoSuchEntity)
    ));
}

async fn managed_policy_versions(s: &SqlMeta) {
    let p = ManagedPolicy {
        arn: "arn:aws:iam::111111111111:policy/P".into(),
        account_id: "111111111111".into(),
        name: "P".into(),
        id: "ANPA1".into(),
        path: "/".into(),
        description: None,
        default_version: "v1".into(),
        created: 1,
        updated: 1,
    };
    s.create_managed_policy(&p, "{v1}").await.unwrap();
    assert!(matches!(
        s.create_managed_policy(&p, "{v1}").await,
        Err(MetaError::AlreadyExists)
    ));
    for i in 2..=5 {
        assert_eq!(
            s.create_policy_version(&p.arn, "{vn}", i == 5, i)
                .await
                .unwrap(),
            format!("v{i}")
        );
    }
    assert!(matches!(
        s.create_policy_version(&p.arn, "{v6}", false, 6).await,
        Err(MetaError::LimitExceeded(_))
    ));
    assert_eq!(
        s.get_managed_policy(&p.arn)
            .await
            .unwrap()
            .unwrap()
            .default_version,
        "v5"
    );
    assert!(matches!(
        s.delete_policy_version(&p.arn, "v5").await,
        Err(MetaError::DeleteConflict(_))
    ));
    assert!(matches!(
        s.delete_managed_policy(&p.arn).await,
        Err(MetaError::DeleteConflict(_))
    ));
    for v in ["v1", "v2", "v3", "v4"] {
        s.delete_policy_version(&p.arn, v).await.unwrap();
    }
    s.set_default_policy_version(&p.arn, "v5", 9).await.unwrap();
    assert!(matches!(
        s.set_default_policy_version(&p.arn, "v1", 9).await,
        Err(MetaError::NoSuchEntity)
    ));
    assert_eq!(s.list_policy_versions(&p.arn).await.unwrap().len(), 1);
    s.delete_managed_policy(&p.arn).await.unwrap();
    assert!(s.get_managed_policy(&p.arn).await.unwrap().is_none());
}

fn version(bucket: &str, key: &str, id: &str, blob: &str) -> ObjectRecord {
    ObjectRecord {
        version_id: id.into(),
        ..object(bucket, key, blob)
    }
}

async fn versions_and_delete_markers(s: &SqlMeta) {
    s.create_bucket(&bucket("bv", "111111111111"))
        .await
        .unwrap();
    assert_eq!(s.versioning("bv").await.unwrap(), Versioning::Unversioned);
    s.put_version(&version("bv", "k", "null", "n1"))
        .await
        .unwrap();
    s.set_versioning("bv", Versioning::Enabled).await.unwrap();
    // The object written before enabling is now the `null` version.
    assert_eq!(
        s.get_version("bv", "k", "null")
            .await
            .unwrap()
            .unwrap()
            .object
            .layout[0]
            .blob,
        "n1"
    );
    assert!(
        s.put_version(&version("bv", "k", "v2", "b2"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.put_version(&version("bv", "k", "v3", "b3"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.get_object("bv", "k").await.unwrap().unwrap().version_id,
        "v3"
    );
    let (garbage, marker) = s.delete_current("bv", "k", "dm1", 9).await.unwrap();
    assert!(garbage.is_empty());
    assert_eq!(marker.as_deref(), Some("dm1"));
    assert!(
        s.get_object("bv", "k").await.unwrap().is_none(),
        "hidden behind the marker"
    );
    let all = s.list_versions("bv", "", None, None, 100).await.unwrap();
    let ids: Vec<_> = all
        .iter()
        .map(|v| (v.object.version_id.as_str(), v.delete_marker, v.is_latest))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("dm1", true, true),
            ("v3", false, false),
            ("v2", false, false),
            ("null", false, false)
        ]
    );
    let page = s
        .list_versions("bv", "", Some("k"), Some("v3"), 100)
        .await
        .unwrap();
    assert_eq!(
        page.iter()
            .map(|v| v.object.version_id.as_str())
            .collect::<Vec<_>>(),
        vec!["v2", "null"]
    );
    // Removing the marker brings v3 back; removing v3 makes v2 current.
    assert_eq!(
        s.delete_version("bv", "k", "dm1").await.unwrap(),
        (vec![], true)
    );
    assert_eq!(
        s.get_object("bv", "k").await.unwrap().unwrap().version_id,
        "v3"
    );
    let (garbage, _) = s.delete_version("bv", "k", "v3").await.unwrap();
    assert_eq!(garbage[0].blob, "b3");
    assert_eq!(
        s.get_object("bv", "k").await.unwrap().unwrap().version_id,
        "v2"
    );
    assert!(matches!(
        s.delete_version("bv", "k", "v3").await,
        Err(MetaError::NoSuchKey)
    ));
    // Suspended: writes replace the `null` version.
    s.set_versioning("bv", Versioning::Suspended).await.unwrap();
    let garbage = s
        .put_version(&version("bv", "k", "null", "n2"))
        .await
        .unwrap();
    assert_eq!(garbage[0].blob, "n1");
    assert!(matches!(
        s.delete_bucket("bv").await,
        Err(MetaError::BucketNotEmpty)
    ));
    for v in ["null", "v2"] {
        s.delete_version("bv", "k", v).await.unwrap();
    }
    assert!(s.get_object("bv", "k").await.unwrap().is_none());
    s.delete_bucket("bv").await.unwrap();
}

fn session(id: &str, expires: i64) -> StsSession {
    StsSession {
        access_key_id: id.into(),
        secret_enc: "sealed".into(),
        token_hash: "ab".repeat(32),
        account_id: "111122223333".into(),
        kind: SessionKind::Role,
        subject: "deployer".into(),
        subject_id: "AROAEXAMPLE".into(),
        session_name: "ci".into(),
        created: 1,
        expires,
        attrs: "{}".into(),
    }
}

async fn sessions_and_oidc_providers(s: &SqlMeta) {
    s.put_session(&session("ASIAONE", 100)).await.unwrap();
    s.put_session(&session("ASIATWO", 300)).await.unwrap();
    assert!(matches!(
        s.put_session(&session("ASIAONE", 100)).await,
        Err(MetaError::AlreadyExists)
    ));
    assert_eq!(
        s.get_session("ASIAONE").await.unwrap(),
        Some(session("ASIAONE", 100))
    );
    assert!(s.get_session("ASIANONE").await.unwrap().is_none());
    assert_eq!(s.delete_expired_sessions(200).await.unwrap(), 1);
    assert!(s.get_session("ASIAONE").await.unwrap().is_none());
    assert!(s.get_session("ASIATWO").await.unwrap().is_some());

    let mut p = OidcProvider {
        arn: "arn:aws:iam::111122223333:oidc-provider/issuer.example/x".into(),
        account_id: "111122223333".into(),
        url: "issuer.example/x".into(),
        client_ids: vec!["app".into()],
        thumbprints: vec![],
        tags: vec![("team".into(), "a".into())],
        created: 5,
    };
    s.create_oidc_provider(&p).await.unwrap();
    assert!(matches!(
        s.create_oidc_provider(&p).await,
        Err(MetaError::AlreadyExists)
    ));
    p.client_ids.push("other".into());
    s.update_oidc_provider(&p).await.unwrap();
    assert_eq!(s.get_oidc_provider(&p.arn).await.unwrap(), Some(p.clone()));
    assert_eq!(
        s.list_oidc_providers("111122223333").await.unwrap(),
        vec![p.clone()]
    );
    assert!(
        s.list_oidc_providers("999999999999")
            .await
            .unwrap()
            .is_empty()
    );
    s.delete_oidc_provider(&p.arn).await.unwrap();
    assert!(matches!(
        s.delete_oidc_provider(&p.arn).await,
        Err(MetaError::NoSuchEntity)
    ));
    assert!(matches!(
        s.update_oidc_provider(&p).await,
        Err(MetaError::NoSuchEntity)
    ));
}

async fn counters(s: &SqlMeta) {
    let before = s.counter("test").await.unwrap();
    assert_eq!(s.bump_counter("test").await.unwrap(), before + 1);
    assert_eq!(s.bump_counter("test").await.unwrap(), before + 2);
    assert_eq!(s.counter("test").await.unwrap(), before + 2);
    assert_eq!(s.counter("never-bumped").await.unwrap(), 0);
    s.record_key_use("AKIAUSED", 10, "s3", "us-east-1")
        .await
        .unwrap();
    s.record_key_use("AKIAUSED", 5, "iam", "eu-north-1")
        .await
        .unwrap();
    assert_eq!(
        s.key_use("AKIAUSED").await.unwrap(),
        Some((10, "s3".to_string(), "us-east-1".to_string()))
    );
    s.record_key_use("AKIAUSED", 20, "iam", "eu-north-1")
        .await
        .unwrap();
    assert_eq!(s.key_use("AKIAUSED").await.unwrap().map(|u| u.0), Some(20));
    assert!(s.key_use("AKIANEVER").await.unwrap().is_none());
    assert!(s.try_lease("sweep", "node-a", 1_000, 100).await.unwrap());
    assert!(!s.try_lease("sweep", "node-b", 1_050, 100).await.unwrap());
    assert!(s.try_lease("sweep", "node-a", 1_050, 100).await.unwrap());
    assert!(s.try_lease("sweep", "node-b", 1_200, 100).await.unwrap());
    assert!(!s.try_lease("sweep", "node-a", 1_250, 100).await.unwrap());
    let first = s.claim_setting("claimed", "a").await.unwrap();
    assert_eq!(s.claim_setting("claimed", "b").await.unwrap(), first);
}

async fn login_profiles_keyed_by_user_id(s: &SqlMeta) {
    let acct = "111111111111";
    s.create_entity(&entity(EntityKind::User, "Walker"))
        .await
        .unwrap();
    let profile = LoginProfile {
        account_id: acct.into(),
        user_id: "IDWalker".into(),
        password_hash: "$argon2id$v=19$first".into(),
        reset_required: true,
        created: 7,
    };
    assert!(
        s.get_login_profile(acct, "IDWalker")
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        s.update_login_profile(&profile).await,
        Err(MetaError::NoSuchEntity)
    ));
    s.create_login_profile(&profile).await.unwrap();
    assert!(matches!(
        s.create_login_profile(&profile).await,
        Err(MetaError::AlreadyExists)
    ));
    assert_eq!(
        s.get_login_profile(acct, "IDWalker").await.unwrap(),
        Some(profile.clone())
    );
    // Another account's user with the same id is another profile.
    assert!(
        s.get_login_profile("222222222222", "IDWalker")
            .await
            .unwrap()
            .is_none()
    );
    let changed = LoginProfile {
        password_hash: "$argon2id$v=19$second".into(),
        reset_required: false,
        created: 99,
        ..profile.clone()
    };
    s.update_login_profile(&changed).await.unwrap();
    let got = s
        .get_login_profile(acct, "IDWalker")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.password_hash, changed.password_hash);
    assert!(!got.reset_required);
    assert_eq!(got.created, 7, "the creation date stays");
    // A user with a login profile cannot be deleted, as in IAM.
    assert!(matches!(
        s.delete_entity(acct, EntityKind::User, "walker").await,
        Err(MetaError::DeleteConflict(m)) if m.contains("login profile")
    ));
    s.delete_login_profile(acct, "IDWalker").await.unwrap();
    assert!(matches!(
        s.delete_login_profile(acct, "IDWalker").await,
        Err(MetaError::NoSuchEntity)
    ));
    s.delete_entity(acct, EntityKind::User, "Walker")
        .await
        .unwrap();
}

async fn contract(s: &SqlMeta) {
    login_profiles_keyed_by_user_id(s).await;
    counters(s).await;
    sessions_and_oidc_providers(s).await;
    versions_and_delete_markers(s).await;
    iam_entities_policies_and_groups(s).await;
    managed_policy_versions(s).await;
    accounts_and_keys(s).await;
    buckets_are_unique_and_owned(s).await;
    objects_replace_and_report_garbage(s).await;
    listing_is_byte_ordered_range_scan(s).await;
    multipart_lifecycle(s).await;
}

#[tokio::test]
async fn sqlite_meets_the_contract() {
    let f = sqlite().await;
    assert_eq!(f.store.backend(), Backend::Sqlite);
    contract(&f.store).await;
    f.finish().await;
}

#[tokio::test]
async fn postgres_meets_the_contract() {
    let f = postgres().await;
    assert_eq!(f.store.backend(), Backend::Postgres);
    contract(&f.store).await;
    f.finish().await;
}

#[tokio::test]
async fn reopening_sqlite_keeps_data_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = SqlMeta::open_sqlite(dir.path()).await.unwrap();
        s.create_bucket(&bucket("keep", "111111111111"))
            .await
            .unwrap();
    }
    let s = SqlMeta::open_sqlite(dir.path()).await.unwrap();
    assert!(s.get_bucket("keep").await.unwrap().is_some());
}
