//! Starting servers and building clients.

use aws_sdk_s3::Client;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use sqlx::Connection;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub const ROOT_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const ROOT_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// A running `cairn server` with its own data dir. Killed on drop.
pub struct Server {
    pub child: Child,
    pub endpoint: String,
    pub dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl Server {
    /// A fresh server with fixed root keys.
    pub fn start() -> Server {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        let mut s = Server::start_in(&dir, None);
        s._tmp = Some(tmp);
        s
    }

    /// A fresh server with extra command-line arguments.
    pub fn start_with(extra: &[&str]) -> Server {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        let mut s = Server::spawn(&dir, None, extra);
        s._tmp = Some(tmp);
        s
    }

    /// A server on an existing data dir (a restart), optionally on a given address.
    pub fn start_in(dir: &Path, listen: Option<&str>) -> Server {
        Server::spawn(dir, listen, &[])
    }

    /// A fresh server with extra environment variables.
    pub fn start_env(env: &[(&str, &str)]) -> Server {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        let mut s = Server::spawn_env(&dir, None, &[], env);
        s._tmp = Some(tmp);
        s
    }

    fn spawn(dir: &Path, listen: Option<&str>, extra: &[&str]) -> Server {
        Server::spawn_env(dir, listen, extra, &[])
    }

    /// A server on `dir` with extra arguments and environment variables.
    pub fn spawn_env(
        dir: &Path,
        listen: Option<&str>,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        Server::spawn_full(dir, listen, extra, env, None)
    }

    /// A fresh server whose stderr (its log lines) is collected into the returned vector.
    pub fn start_logged(extra: &[&str], env: &[(&str, &str)]) -> (Server, Logs) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        let logs = Logs::default();
        let mut s = Server::spawn_full(&dir, None, extra, env, Some(logs.clone()));
        s._tmp = Some(tmp);
        (s, logs)
    }

    fn spawn_full(
        dir: &Path,
        listen: Option<&str>,
        extra: &[&str],
        env: &[(&str, &str)],
        logs: Option<Logs>,
    ) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
            .envs(env.iter().copied())
            .args(["server", "--data-dir"])
            .arg(dir)
            .args(["--listen", listen.unwrap_or("127.0.0.1:0")])
            .args(extra)
            .env("CAIRN_ROOT_ACCESS_KEY_ID", ROOT_KEY)
            .env("CAIRN_ROOT_SECRET_ACCESS_KEY", ROOT_SECRET)
            // Warnings only (no line per request) unless a test asks for more.
            .env("CAIRN_LOG", "warn,s3s=off")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(if logs.is_some() {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .expect("spawn cairn");
        if let (Some(logs), Some(stderr)) = (logs, child.stderr.take()) {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Ok(mut all) = logs.0.lock() {
                        all.push(line);
                    }
                }
            });
        }
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let endpoint = loop {
            let line = lines
                .next()
                .expect("server exited before listening")
                .expect("read stdout");
            if let Some(rest) = line.strip_prefix("cairn listening on ") {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            endpoint,
            dir: dir.to_path_buf(),
            _tmp: None,
        }
    }

    /// Peak resident memory of the server process so far (VmHWM), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }

    pub fn addr(&self) -> &str {
        self.endpoint.trim_start_matches("http://")
    }

    pub fn client(&self) -> Client {
        self.client_with(ROOT_KEY, ROOT_SECRET)
    }

    pub fn client_with(&self, key: &str, secret: &str) -> Client {
        Client::from_conf(self.config_with(key, secret).build())
    }

    pub fn config_with(&self, key: &str, secret: &str) -> aws_sdk_s3::config::Builder {
        aws_sdk_s3::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .force_path_style(true)
            .credentials_provider(Credentials::new(key, secret, None, None, "test"))
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        self.iam_with(ROOT_KEY, ROOT_SECRET)
    }

    pub fn iam_with(&self, key: &str, secret: &str) -> aws_sdk_iam::Client {
        let conf = aws_sdk_iam::config::Builder::new()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_iam::config::Credentials::new(
                key, secret, None, None, "test",
            ))
            .build();
        aws_sdk_iam::Client::from_conf(conf)
    }

    /// Creates an IAM user with an access key; returns an S3 and an IAM client acting as it.
    pub async fn user(&self, name: &str) -> (Client, aws_sdk_iam::Client, String) {
        let iam = self.iam();
        let user = iam
            .create_user()
            .user_name(name)
            .send()
            .await
            .expect("create user");
        let arn = user.user().map(|u| u.arn().to_string()).unwrap_or_default();
        let key = iam
            .create_access_key()
            .user_name(name)
            .send()
            .await
            .expect("create key");
        let key = key.access_key().expect("key");
        (
            self.client_with(key.access_key_id(), key.secret_access_key()),
            self.iam_with(key.access_key_id(), key.secret_access_key()),
            arn,
        )
    }

    /// SIGTERM, as an orderly shutdown; waits for the process to exit.
    pub fn terminate(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }

    /// SIGKILL, as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Log lines of a server started with [`Server::start_logged`].
#[derive(Clone, Default)]
pub struct Logs(pub std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Logs {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// A second account, created with `cairn account create` beside the running server.
pub fn create_account(s: &Server, name: &str) -> (String, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["account", "create", name, "--data-dir"])
        .arg(&s.dir)
        .output()
        .expect("run cairn account create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let account = text
        .split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_string();
    let value = |k: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(k))
            .unwrap_or_default()
            .to_string()
    };
    (
        account,
        value("AWS_ACCESS_KEY_ID="),
        value("AWS_SECRET_ACCESS_KEY="),
    )
}

/// A fresh, empty PostgreSQL database; its URL.
pub async fn fresh_postgres() -> (String, String, String) {
    let base = std::env::var("CAIRN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let name = format!("cairn_e2e_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .expect("PostgreSQL must be reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
    (url, base, name)
}

/// Drops a database made by [`fresh_postgres`].
pub async fn drop_postgres(base: &str, name: &str) {
    let mut admin = sqlx::PgConnection::connect(base).await.unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
}

/// An S3 client with temporary credentials (key, secret, session token).
pub fn client_session(s: &Server, key: &str, secret: &str, token: &str) -> Client {
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&s.endpoint)
        .force_path_style(true)
        .credentials_provider(Credentials::new(
            key,
            secret,
            Some(token.to_string()),
            None,
            "test",
        ))
        .build();
    Client::from_conf(conf)
}

/// An STS client; `token` for temporary credentials.
pub fn sts_with(s: &Server, key: &str, secret: &str, token: Option<&str>) -> aws_sdk_sts::Client {
    let conf = aws_sdk_sts::config::Builder::new()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url(&s.endpoint)
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            key,
            secret,
            token.map(str::to_string),
            None,
            "test",
        ))
        .build();
    aws_sdk_sts::Client::from_conf(conf)
}

/// An IAM client with temporary credentials.
pub fn iam_session(s: &Server, key: &str, secret: &str, token: &str) -> aws_sdk_iam::Client {
    let conf = aws_sdk_iam::config::Builder::new()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .endpoint_url(&s.endpoint)
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            key,
            secret,
            Some(token.to_string()),
            None,
            "test",
        ))
        .build();
    aws_sdk_iam::Client::from_conf(conf)
}

/// The AWS error code of a failed STS call.
pub fn sts_code<E, R>(e: &aws_sdk_sts::error::SdkError<E, R>) -> String
where
    E: aws_sdk_sts::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    match e {
        aws_sdk_sts::error::SdkError::ServiceError(se) => {
            se.err().code().unwrap_or_default().to_string()
        }
        other => format!("{other:?}"),
    }
}

/// The AWS error code of a failed SDK call.
pub fn code<E, R>(err: &aws_sdk_s3::error::SdkError<E, R>) -> String
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .map(str::to_string)
        .unwrap_or_else(|| format!("{err:?}"))
}

/// The HTTP status of a failed SDK call.
pub fn status<E>(
    err: &aws_sdk_s3::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> u16 {
    err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0)
}

pub async fn body_bytes(out: aws_sdk_s3::operation::get_object::GetObjectOutput) -> Vec<u8> {
    out.body
        .collect()
        .await
        .expect("read body")
        .into_bytes()
        .to_vec()
}

/// Deterministic pseudo-random bytes.
pub fn data(len: usize, seed: u8) -> Vec<u8> {
    let mut x: u32 = 0x9E37_79B9 ^ u32::from(seed);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x & 0xff) as u8
        })
        .collect()
}

/// Blob files under `blobs/`, committed or being written.
pub fn blob_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("blobs"))
        .unwrap()
        .map(|d| std::fs::read_dir(d.unwrap().path()).unwrap().count())
        .sum()
}
