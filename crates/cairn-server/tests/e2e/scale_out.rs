//! Several stateless nodes on one PostgreSQL database and one shared data dir: one namespace,
//! read-after-write across nodes, multipart parts through different nodes, IAM changes obeyed by
//! the next request to any node, no acknowledged write lost when a node dies, lifecycle rules
//! applied exactly once by several nodes, and a PostgreSQL restart under load survived.

use crate::harness::*;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};

/// Three nodes sharing a fresh database and a data dir. Dropping them kills the nodes.
struct Cluster {
    nodes: Vec<Server>,
    _dir: tempfile::TempDir,
    base: String,
    db: String,
}

impl Cluster {
    async fn start(n: usize) -> Cluster {
        Cluster::start_env(n, &[]).await
    }

    async fn start_env(n: usize, env: &[(&str, &str)]) -> Cluster {
        let (url, base, db) = fresh_postgres().await;
        let dir = tempfile::tempdir().unwrap();
        let nodes = (0..n)
            .map(|_| Server::spawn_env(dir.path(), None, &["--meta", &url], env))
            .collect();
        Cluster {
            nodes,
            _dir: dir,
            base,
            db,
        }
    }

    async fn stop(mut self) {
        for n in &mut self.nodes {
            n.kill();
        }
        drop_postgres(&self.base, &self.db).await;
    }
}

async fn put(c: &Client, bucket: &str, key: &str, body: &[u8]) -> Result<(), String> {
    c.put_object()
        .bucket(bucket)
        .key(key)
        .body(body.to_vec().into())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

async fn get(c: &Client, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    match c.get_object().bucket(bucket).key(key).send().await {
        Ok(out) => Ok(body_bytes(out).await),
        Err(e) => Err(code(&e)),
    }
}

#[tokio::test]
async fn three_nodes_serve_one_namespace() {
    let cluster = Cluster::start(3).await;
    let [a, b, c] = [&cluster.nodes[0], &cluster.nodes[1], &cluster.nodes[2]];
    // All three agree on the one account bootstrapped on the empty database.
    let account = |s: &Server| {
        let sts = sts_with(s, ROOT_KEY, ROOT_SECRET, None);
        async move {
            sts.get_caller_identity()
                .send()
                .await
                .unwrap()
                .account()
                .unwrap()
                .to_string()
        }
    };
    let id = account(a).await;
    assert_eq!(account(b).await, id);
    assert_eq!(account(c).await, id);

    let (ca, cb, cc) = (a.client(), b.client(), c.client());
    ca.create_bucket().bucket("shared").send().await.unwrap();
    // Read-after-write across nodes, overwrites included.
    for i in 0..20u8 {
        let body = vec![i; 1000 + usize::from(i)];
        put(&ca, "shared", "k", &body).await.unwrap();
        assert_eq!(get(&cb, "shared", "k").await.unwrap(), body);
        assert_eq!(get(&cc, "shared", "k").await.unwrap(), body);
    }
    for k in ["x/1", "x/2", "y"] {
        put(&cb, "shared", k, k.as_bytes()).await.unwrap();
    }
    for client in [&ca, &cb, &cc] {
        let page = client
            .list_objects_v2()
            .bucket("shared")
            .send()
            .await
            .unwrap();
        let keys: Vec<&str> = page.contents().iter().filter_map(|o| o.key()).collect();
        assert_eq!(keys, ["k", "x/1", "x/2", "y"]);
    }

    // A multipart upload whose parts arrive at different nodes.
    let upload = ca
        .create_multipart_upload()
        .bucket("shared")
        .key("big")
        .send()
        .await
        .unwrap();
    let upload_id = upload.upload_id().unwrap();
    let part1 = data(5 << 20, 1);
    let part2 = data(1 << 20, 2);
    let mut parts = Vec::new();
    for (n, (client, body)) in [(&cb, &part1), (&cc, &part2)].into_iter().enumerate() {
        let number = i32::try_from(n + 1).unwrap();
        let out = client
            .upload_part()
            .bucket("shared")
            .key("big")
            .upload_id(upload_id)
            .part_number(number)
            .body(body.clone().into())
            .send()
            .await
            .unwrap();
        parts.push(
            CompletedPart::builder()
                .part_number(number)
                .e_tag(out.e_tag().unwrap())
                .build(),
        );
    }
    ca.complete_multipart_upload()
        .bucket("shared")
        .key("big")
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut whole = part1.clone();
    whole.extend_from_slice(&part2);
    assert_eq!(get(&cc, "shared", "big").await.unwrap(), whole);
    cluster.stop().await;
}

#[tokio::test]
async fn iam_changes_on_one_node_bind_the_next_request_to_another() {
    let cluster = Cluster::start(2).await;
    let [a, b] = [&cluster.nodes[0], &cluster.nodes[1]];
    a.client()
        .create_bucket()
        .bucket("guarded")
        .send()
        .await
        .unwrap();
    put(&a.client(), "guarded", "doc", b"secret").await.unwrap();
    let iam_a = a.iam();
    iam_a
        .create_user()
        .user_name("reader")
        .send()
        .await
        .unwrap();
    iam_a
        .put_user_policy()
        .user_name("reader")
        .policy_name("read")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::guarded/*"}]}"#)
        .send()
        .await
        .unwrap();
    let key = iam_a
        .create_access_key()
        .user_name("reader")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    let on_b = b.client_with(key.access_key_id(), key.secret_access_key());
    // Node B caches the key and the user's policies on first use…
    for _ in 0..3 {
        assert_eq!(get(&on_b, "guarded", "doc").await.unwrap(), b"secret");
    }
    // …and drops them when node A changes IAM.
    iam_a
        .delete_user_policy()
        .user_name("reader")
        .policy_name("read")
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(&on_b, "guarded", "doc").await.unwrap_err(),
        "AccessDenied"
    );
    iam_a
        .put_user_policy()
        .user_name("reader")
        .policy_name("read")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::guarded/*"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(get(&on_b, "guarded", "doc").await.unwrap(), b"secret");
    iam_a
        .update_access_key()
        .user_name("reader")
        .access_key_id(key.access_key_id())
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(&on_b, "guarded", "doc").await.unwrap_err(),
        "InvalidAccessKeyId"
    );
    // A bucket policy set through B binds requests through A at once.
    iam_a
        .update_access_key()
        .user_name("reader")
        .access_key_id(key.access_key_id())
        .status(aws_sdk_iam::types::StatusType::Active)
        .send()
        .await
        .unwrap();
    b.client()
        .put_bucket_policy()
        .bucket("guarded")
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::guarded/*"}]}"#)
        .send()
        .await
        .unwrap();
    let on_a = a.client_with(key.access_key_id(), key.secret_access_key());
    assert_eq!(
        get(&on_a, "guarded", "doc").await.unwrap_err(),
        "AccessDenied"
    );
    // GetAccessKeyLastUsed on A knows of the use through B.
    let used = iam_a
        .get_access_key_last_used()
        .access_key_id(key.access_key_id())
        .send()
        .await
        .unwrap();
    assert_eq!(
        used.access_key_last_used().map(|u| u.service_name()),
        Some("s3")
    );
    cluster.stop().await;
}

#[tokio::test]
async fn a_node_killed_mid_workload_loses_no_acknowledged_write() {
    let mut cluster = Cluster::start(3).await;
    let clients: Vec<Client> = cluster.nodes.iter().map(Server::client).collect();
    clients[0]
        .create_bucket()
        .bucket("work")
        .send()
        .await
        .unwrap();
    let mut acknowledged = Vec::new();
    for i in 0..60usize {
        if i == 25 {
            cluster.nodes[2].kill();
        }
        let body = data(64 * 1024 + i, u8::try_from(i % 251).unwrap());
        let key = format!("obj-{i}");
        // The client tries the nodes in turn, as a load balancer's retry would.
        let mut done = false;
        for attempt in 0..3 {
            let c = &clients[(i + attempt) % 3];
            if put(c, "work", &key, &body).await.is_ok() {
                done = true;
                break;
            }
        }
        assert!(done, "no node took {key}");
        acknowledged.push((key, body));
    }
    for (key, body) in &acknowledged {
        assert_eq!(&get(&clients[1], "work", key).await.unwrap(), body, "{key}");
    }
    let listed = clients[0]
        .list_objects_v2()
        .bucket("work")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.contents().len(), acknowledged.len());
    cluster.stop().await;
}

#[tokio::test]
async fn concurrent_versioned_writes_through_every_node() {
    let cluster = Cluster::start(3).await;
    let clients: Vec<Client> = cluster.nodes.iter().map(Server::client).collect();
    clients[0]
        .create_bucket()
        .bucket("hot")
        .send()
        .await
        .unwrap();
    clients[1]
        .put_bucket_versioning()
        .bucket("hot")
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // 24 writers, 8 per node, all to one key.
    let writers: Vec<_> = (0..24usize)
        .map(|i| {
            let c = clients[i % 3].clone();
            tokio::spawn(async move {
                let body = format!("writer-{i}").into_bytes();
                c.put_object()
                    .bucket("hot")
                    .key("k")
                    .body(body.into())
                    .send()
                    .await
                    .ok()
                    .and_then(|o| o.version_id().map(str::to_string))
            })
        })
        .collect();
    let mut ids = Vec::new();
    for w in writers {
        ids.push(w.await.unwrap().expect("acknowledged with a version id"));
    }
    let versions = clients[2]
        .list_object_versions()
        .bucket("hot")
        .send()
        .await
        .unwrap();
    let listed: Vec<&str> = versions
        .versions()
        .iter()
        .filter_map(|v| v.version_id())
        .collect();
    assert_eq!(listed.len(), ids.len());
    for id in &ids {
        assert!(listed.contains(&id.as_str()), "{id} missing");
    }
    // Exactly one is current, and GET returns its bytes.
    let latest: Vec<_> = versions
        .versions()
        .iter()
        .filter(|v| v.is_latest() == Some(true))
        .collect();
    assert_eq!(latest.len(), 1);
    let current = get(&clients[0], "hot", "k").await.unwrap();
    let by_version = clients[1]
        .get_object()
        .bucket("hot")
        .key("k")
        .version_id(latest[0].version_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(body_bytes(by_version).await, current);
    cluster.stop().await;
}

/// Seeds 000 and 001 with every step sent to a different node.
#[tokio::test]
async fn seeds_with_requests_spread_over_nodes() {
    let cluster = Cluster::start(3).await;
    let n = |i: usize| &cluster.nodes[i % 3];
    let account = sts_with(n(0), ROOT_KEY, ROOT_SECRET, None)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account()
        .unwrap()
        .to_string();
    // Seed 000: a user with no policies, admitted by the bucket policy alone.
    n(1).iam()
        .create_user()
        .user_name("kpsync")
        .send()
        .await
        .unwrap();
    let key = n(2)
        .iam()
        .create_access_key()
        .user_name("kpsync")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    n(0).client()
        .create_bucket()
        .bucket("kpsync-vault")
        .send()
        .await
        .unwrap();
    n(1).client()
        .put_bucket_policy()
        .bucket("kpsync-vault")
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:user/kpsync"}},"Action":["s3:ListBucket","s3:PutObjectAcl","s3:GetObject","s3:GetObjectAcl","s3:PutObject"],"Resource":["arn:aws:s3:::kpsync-vault","arn:aws:s3:::kpsync-vault/*"]}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let user = |i: usize| n(i).client_with(key.access_key_id(), key.secret_access_key());
    put(&user(2), "kpsync-vault", "db.kdbx", b"vault")
        .await
        .unwrap();
    assert_eq!(
        get(&user(0), "kpsync-vault", "db.kdbx").await.unwrap(),
        b"vault"
    );
    let err = user(1)
        .delete_object()
        .bucket("kpsync-vault")
        .key("db.kdbx")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "AccessDenied");
    assert!(user(2).list_buckets().send().await.is_err());

    // Seed 001: a group policy with s3:* on one bucket.
    let iam = |i: usize| n(i).iam();
    iam(0)
        .create_group()
        .group_name("deployers")
        .send()
        .await
        .unwrap();
    iam(1)
        .put_group_policy()
        .group_name("deployers")
        .policy_name("site")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::site-bucket","arn:aws:s3:::site-bucket/*"]}]}"#)
        .send()
        .await
        .unwrap();
    iam(2)
        .create_user()
        .user_name("middleman")
        .send()
        .await
        .unwrap();
    let k = iam(0)
        .create_access_key()
        .user_name("middleman")
        .send()
        .await
        .unwrap();
    let k = k.access_key().unwrap();
    n(1).client()
        .create_bucket()
        .bucket("site-bucket")
        .send()
        .await
        .unwrap();
    let mm = |i: usize| n(i).client_with(k.access_key_id(), k.secret_access_key());
    // Not in the group yet: refused everywhere.
    assert_eq!(
        put(&mm(2), "site-bucket", "index.html", b"<h1>")
            .await
            .unwrap_err(),
        "AccessDenied"
    );
    iam(1)
        .add_user_to_group()
        .group_name("deployers")
        .user_name("middleman")
        .send()
        .await
        .unwrap();
    put(&mm(2), "site-bucket", "index.html", b"<h1>")
        .await
        .unwrap();
    mm(0)
        .delete_object()
        .bucket("site-bucket")
        .key("index.html")
        .send()
        .await
        .unwrap();
    assert_eq!(
        put(&mm(1), "kpsync-vault", "x", b"x").await.unwrap_err(),
        "AccessDenied"
    );
    cluster.stop().await;
}

/// Every node runs lifecycle passes, but under the lease only one acts at a time: each expired
/// current version gets exactly one delete marker, and every node lists the same result.
#[tokio::test]
async fn lifecycle_rules_apply_once_across_nodes() {
    use crate::lifecycle::{
        FAST_LIFECYCLE, days, eventually, keys, prefix, rule, set_rules, versions,
    };
    let cluster = Cluster::start_env(2, FAST_LIFECYCLE).await;
    let clients: Vec<Client> = cluster.nodes.iter().map(Server::client).collect();
    for bucket in ["lc-versioned", "lc-plain"] {
        clients[0]
            .create_bucket()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        set_rules(
            &clients[1],
            bucket,
            vec![rule("all", prefix(""), |r| r.expiration(days(1)))],
        )
        .await;
    }
    clients[1]
        .put_bucket_versioning()
        .bucket("lc-versioned")
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let names: Vec<String> = (0..20).map(|i| format!("k{i:02}")).collect();
    for (i, key) in names.iter().enumerate() {
        for bucket in ["lc-versioned", "lc-plain"] {
            put(&clients[i % 2], bucket, key, key.as_bytes())
                .await
                .unwrap();
        }
    }
    for c in &clients {
        eventually("every object expired", || async move {
            keys(c, "lc-plain").await.is_empty() && keys(c, "lc-versioned").await.is_empty()
        })
        .await;
    }
    // Passes keep running on both nodes: still one marker per key, the same on both nodes.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    for key in &names {
        let seen_a = versions(&clients[0], "lc-versioned", key).await;
        let seen_b = versions(&clients[1], "lc-versioned", key).await;
        assert_eq!(seen_a, seen_b, "{key}");
        assert_eq!(seen_a.len(), 2, "{key}: {seen_a:?}");
        assert!(
            seen_a[0].1 && seen_a[0].2 && !seen_a[1].1,
            "{key}: {seen_a:?}"
        );
    }
    cluster.stop().await;
}

/// A PostgreSQL of the test's own (initdb + pg_ctl on a free port in a temp dir), so that it
/// can be stopped without touching the machine's. Run as the `postgres` user when the tests run
/// as root (initdb refuses root).
struct PrivatePostgres {
    bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl PrivatePostgres {
    /// `Err` says why it cannot be started here.
    fn start() -> Result<PrivatePostgres, String> {
        use std::os::unix::fs::MetadataExt;
        let mut bins: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|e| format!("no /usr/lib/postgresql: {e}"))?
            .flatten()
            .map(|d| d.path().join("bin"))
            .filter(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())
            .collect();
        bins.sort();
        let bin = bins
            .pop()
            .ok_or("no initdb/pg_ctl under /usr/lib/postgresql")?;
        let as_postgres = std::fs::metadata("/proc/self")
            .map_err(|e| e.to_string())?
            .uid()
            == 0;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        if as_postgres {
            let id = |flag: &str| -> Result<u32, String> {
                let out = std::process::Command::new("id")
                    .args([flag, "postgres"])
                    .output()
                    .map_err(|e| e.to_string())?;
                String::from_utf8_lossy(&out.stdout)
                    .trim()
                    .parse()
                    .map_err(|_| "no postgres user to run PostgreSQL as".to_string())
            };
            std::os::unix::fs::chown(dir.path(), Some(id("-u")?), Some(id("-g")?))
                .map_err(|e| e.to_string())?;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let pg = PrivatePostgres {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = pg.data();
        if !pg.run(
            "initdb",
            &["-D", &data, "-U", "postgres", "--auth=trust", "--no-sync"],
        ) {
            return Err("initdb failed".into());
        }
        if !pg.pg_start() {
            return Err("pg_ctl start failed".into());
        }
        Ok(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, tool: &str, args: &[&str]) -> bool {
        let tool = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(tool);
            c
        } else {
            std::process::Command::new(tool)
        };
        cmd.args(args)
            .current_dir(self.dir.path())
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn pg_start(&self) -> bool {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        )
    }

    /// Stops at once, as a crash would (crash recovery on the next start).
    fn pg_stop(&self) -> bool {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        )
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        self.pg_stop();
    }
}

/// PostgreSQL stops under a PUT/GET workload and comes back: meanwhile requests fail with
/// AWS's retryable 503 (never a 500), afterwards the same Cairn process serves again without a
/// restart, and every acknowledged write reads back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_under_load_is_survived() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use tokio::sync::Mutex;
    let pg = match PrivatePostgres::start() {
        Ok(pg) => pg,
        Err(why) => {
            eprintln!("SKIPPED a_postgres_restart_under_load_is_survived: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let node = Server::spawn_env(dir.path(), None, &["--meta", &pg.url()], &[]);
    // No SDK retries: the test sees every answer the node gives.
    let client = Client::from_conf(
        node.config_with(ROOT_KEY, ROOT_SECRET)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
            .build(),
    );
    client.create_bucket().bucket("load").send().await.unwrap();

    type Objects = Vec<(String, Vec<u8>)>;
    let acked: Arc<Mutex<Objects>> = Arc::default();
    let failures: Arc<Mutex<Vec<(u16, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..4u8)
        .map(|w| {
            let (client, acked, failures, stop, count) = (
                client.clone(),
                acked.clone(),
                failures.clone(),
                stop.clone(),
                count.clone(),
            );
            tokio::spawn(async move {
                let mut i = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let key = format!("w{w}/{i}");
                    let body = data(4096 + i, w.wrapping_add(i as u8));
                    let put = client
                        .put_object()
                        .bucket("load")
                        .key(&key)
                        .body(body.clone().into())
                        .send()
                        .await;
                    match put {
                        Ok(_) => {
                            acked.lock().await.push((key.clone(), body.clone()));
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            failures.lock().await.push((status(&e), code(&e)));
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            continue;
                        }
                    }
                    match client.get_object().bucket("load").key(&key).send().await {
                        Ok(out) => assert_eq!(body_bytes(out).await, body, "{key}"),
                        Err(e) => failures.lock().await.push((status(&e), code(&e))),
                    }
                }
            })
        })
        .collect();
    let wait_for = |n: usize| {
        let count = count.clone();
        async move {
            for _ in 0..600 {
                if count.load(Ordering::Relaxed) >= n {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("the workload never reached {n} acknowledged writes");
        }
    };
    wait_for(40).await;
    assert!(tokio::task::block_in_place(|| pg.pg_stop()), "pg_ctl stop");
    let before = count.load(Ordering::Relaxed);
    // Down until requests have failed (the node waits up to 5 s for a connection first; on a
    // busy machine longer), at most 60 s.
    for _ in 0..600 {
        if !failures.lock().await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let during = failures.lock().await.len();
    assert!(
        tokio::task::block_in_place(|| pg.pg_start()),
        "pg_ctl start"
    );
    // The same process recovers: new writes are acknowledged again.
    wait_for(before + 40).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let failures = failures.lock().await.clone();
    assert!(during > 0, "no request failed while PostgreSQL was down");
    for (status, code) in &failures {
        assert_eq!(*status, 503, "{code}");
        assert!(code == "ServiceUnavailable" || code == "SlowDown", "{code}");
    }
    let acked = acked.lock().await.clone();
    for (key, body) in &acked {
        assert_eq!(&get(&client, "load", key).await.unwrap(), body, "{key}");
    }
    let mut listed = 0;
    let mut pages = client
        .list_objects_v2()
        .bucket("load")
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        listed += page.unwrap().contents().len();
    }
    assert!(listed >= acked.len());
    eprintln!(
        "postgres restart: {} writes acknowledged, {} requests refused with 503",
        acked.len(),
        failures.len()
    );
    drop(node);
}
