//! Benchmarks for Cairn (issue #7); `scripts/bench.sh` runs them all and prints the ratio
//! table (`docs/performance.md` has the method and figures). Modes:
//!
//! - `run`: warp-style PUT / GET / mixed / LIST / DELETE phases on any S3 endpoint ([`load`]).
//! - `null-server`: the client's ceiling, an S3-shaped server that stores nothing
//!   ([`null_server`]).
//! - `disk`, `hash`: the floors, the same bytes with fsync and the hashing S3 requires.
//! - `stream`, `startup`: memory while streaming a large object, start-up time and RSS
//!   ([`procfs`]).
//! - `populate`: bulk objects into a stopped server's data dir for cost-growth runs.
//! - `provision-user`: the IAM user with a 10-statement policy the authorization runs use.
//! - `report`: the ratio table from the records the others appended.
//!
//! `cairn-bench sse-overhead`: PUT and GET throughput of one large object (256 MiB by default)
//! stored plain and stored with SSE-S3, on one freshly started `cairn server
//! --no-default-encryption` (bucket `plain` has no configuration, bucket `sealed` has
//! PutBucketEncryption AES256). Payloads are sent unsigned and without SDK checksums so that the
//! numbers are the server's. Each round PUTs the object to both buckets, then GETs it from both
//! `GETS` times; plain and SSE-S3 requests alternate (ABBA order), so background load hits both
//! alike. Reported per operation: median and best MiB/s of each side, the SSE-S3 cost from the
//! medians, from the bests and as the median of each SSE-S3 request's ratio to the plain request
//! beside it, and the server's CPU seconds (user + system) per GiB, which does not depend on how
//! busy the machine is.
//!
//! Usage: `cargo run --release -p cairn-bench -- sse-overhead [MIB] [ROUNDS] [GETS]`
//! (defaults 256, 5, 4). On a machine busy with other work, the paired median and the CPU
//! figures are the ones to trust; as root, `chrt -r 1 cairn-bench …` keeps background jobs from
//! preempting the run, which approximates an idle machine.
//!
//! `cairn-bench authz-overhead`: 4 KiB GETs as the account root (no policies to load) and as an
//! IAM user whose access comes from a 10-statement identity policy plus a bucket policy, against
//! one freshly started `cairn server`. Prints ops/s and latency percentiles, and the ratio.
//!
//! Usage: `cargo run --release -p cairn-bench -- authz-overhead [SECONDS] [CONCURRENCY]`
//! (uses `target/release/cairn`, or `CAIRN_BIN`).
//!
//! `cairn-bench nodes`: aggregate 4 KiB PUT and GET rates of 1..=N nodes sharing one PostgreSQL
//! database and one data dir (requests spread round-robin), beside one node on SQLite.
//!
//! Usage: `cargo run --release -p cairn-bench -- nodes [MAX_NODES] [SECONDS] [CONCURRENCY]`
//! (PostgreSQL from `CAIRN_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`).

mod body;
mod disk;
mod hash;
mod load;
mod nodes;
mod null_server;
mod populate;
mod procfs;
mod record;
mod report;

use aws_sdk_s3::Client;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn s3(endpoint: &str, key: &str, secret: &str) -> Client {
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(Credentials::new(key, secret, None, None, "bench"))
        .build();
    Client::from_conf(conf)
}

/// Runs GETs of one key from `concurrency` tasks for `secs`; returns (ops/s, p50 µs, p99 µs).
async fn run(client: &Client, secs: u64, concurrency: usize) -> (f64, f64, f64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let out = c.get_object().bucket("bench").key("4k").send().await;
                    if let Ok(out) = out {
                        let _ = out.body.collect().await;
                        lat.push(t.elapsed().as_secs_f64() * 1e6);
                    }
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| {
        all.get(((all.len() as f64) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    (all.len() as f64 / secs as f64, pct(0.5), pct(0.99))
}

/// Starts `cairn server` in a fresh data dir with `extra` arguments; returns the process, the
/// data dir (removed on drop) and the endpoint.
fn start_server(
    extra: &[&str],
) -> anyhow::Result<(std::process::Child, tempfile::TempDir, String)> {
    let dir = tempfile::tempdir()?;
    let (child, endpoint) = start_server_in(dir.path(), extra)?;
    Ok((child, dir, endpoint))
}

/// Starts `cairn server` on `dir` (which may be shared with other nodes).
fn start_server_in(
    dir: &std::path::Path,
    extra: &[&str],
) -> anyhow::Result<(std::process::Child, String)> {
    let bin = std::env::var("CAIRN_BIN").unwrap_or_else(|_| "target/release/cairn".into());
    let mut child = Command::new(&bin)
        .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(extra)
        .env("CAIRN_ROOT_ACCESS_KEY_ID", KEY)
        .env("CAIRN_ROOT_SECRET_ACCESS_KEY", SECRET)
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(
        child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?,
    )
    .lines();
    let endpoint = loop {
        let line = lines
            .next()
            .ok_or_else(|| anyhow::anyhow!("server exited"))??;
        if let Some(rest) = line.strip_prefix("cairn listening on ") {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok((child, endpoint))
}

/// CPU seconds (user + system) a process has used so far, from `/proc/PID/stat` (Linux; clock
/// ticks, so meaningful summed over many requests, not for one). `None` elsewhere.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// One measured request: wall-clock MiB/s, and the CPU seconds the server and this client
/// (the SDK sending or receiving the body) used during it.
#[derive(Clone, Copy, Default)]
struct Sample {
    mib_s: f64,
    cpu: f64,
    client_cpu: f64,
}

async fn timed<F: std::future::Future<Output = anyhow::Result<()>>>(
    server: u32,
    mib: f64,
    f: F,
) -> anyhow::Result<Sample> {
    let me = std::process::id();
    let (cpu, client_cpu) = (
        cpu_seconds(server).unwrap_or(0.0),
        cpu_seconds(me).unwrap_or(0.0),
    );
    let t = Instant::now();
    f.await?;
    let secs = t.elapsed().as_secs_f64();
    Ok(Sample {
        mib_s: mib / secs,
        cpu: cpu_seconds(server).unwrap_or(0.0) - cpu,
        client_cpu: cpu_seconds(me).unwrap_or(0.0) - client_cpu,
    })
}

async fn put(client: &Client, bucket: &str, body: &bytes::Bytes) -> anyhow::Result<()> {
    client
        .put_object()
        .bucket(bucket)
        .key("big")
        .body(body.clone().into())
        .customize()
        .disable_payload_signing()
        .send()
        .await?;
    Ok(())
}

async fn get(client: &Client, bucket: &str, len: usize) -> anyhow::Result<()> {
    let mut out = client.get_object().bucket(bucket).key("big").send().await?;
    let mut got = 0usize;
    while let Some(chunk) = out.body.try_next().await? {
        got += chunk.len();
    }
    anyhow::ensure!(got == len, "GET returned {got} bytes, not {len}");
    Ok(())
}

/// Plain and SSE-S3 samples of one operation, in rounds that ran back to back.
#[derive(Default)]
struct Paired {
    plain: Vec<Sample>,
    sealed: Vec<Sample>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

impl Paired {
    fn push(&mut self, bucket: &str, s: Sample) {
        if bucket == "plain" {
            self.plain.push(s)
        } else {
            self.sealed.push(s)
        }
    }

    /// Prints throughput (median and best of each side), the cost three ways, and CPU per GiB.
    fn report(&self, op: &str, mib: f64) {
        let speeds = |v: &[Sample]| v.iter().map(|s| s.mib_s).collect::<Vec<_>>();
        let best = |v: &[Sample]| v.iter().map(|s| s.mib_s).fold(0.0, f64::max);
        let (pm, sm) = (median(speeds(&self.plain)), median(speeds(&self.sealed)));
        let (pb, sb) = (best(&self.plain), best(&self.sealed));
        // Each sealed request against the plain one next to it: load that hits a pair hits both.
        let paired = median(
            self.plain
                .iter()
                .zip(&self.sealed)
                .map(|(p, s)| s.mib_s / p.mib_s)
                .collect(),
        );
        let gib = |v: &[Sample]| v.len() as f64 * mib / 1024.0;
        let cpu = |v: &[Sample]| v.iter().map(|s| s.cpu).sum::<f64>() / gib(v);
        let client = |v: &[Sample]| v.iter().map(|s| s.client_cpu).sum::<f64>() / gib(v);
        let (pc, sc) = (cpu(&self.plain), cpu(&self.sealed));
        let (pcc, scc) = (client(&self.plain), client(&self.sealed));
        let cost = |ratio: f64| (1.0 - ratio) * 100.0;
        println!(
            "{op} ({} pairs)\n  plain:  median {pm:7.1} MiB/s  best {pb:7.1} MiB/s  CPU s/GiB: server {pc:.3}, client {pcc:.3}",
            self.plain.len()
        );
        println!(
            "  SSE-S3: median {sm:7.1} MiB/s  best {sb:7.1} MiB/s  CPU s/GiB: server {sc:.3}, client {scc:.3}"
        );
        println!(
            "  SSE-S3 cost: {:.1}% (medians), {:.1}% (bests), {:.1}% (median of paired ratios); server CPU {:+.1}%, server + client CPU {:+.1}%",
            cost(sm / pm),
            cost(sb / pb),
            cost(paired),
            (sc / pc - 1.0) * 100.0,
            ((sc + scc) / (pc + pcc) - 1.0) * 100.0,
        );
    }
}

/// Alternates which bucket goes first, so a drift in background load favours neither.
fn order(i: usize) -> [&'static str; 2] {
    if i.is_multiple_of(2) {
        ["plain", "sealed"]
    } else {
        ["sealed", "plain"]
    }
}

async fn sse_overhead(mib: usize, rounds: usize, gets: usize) -> anyhow::Result<()> {
    let (mut child, _dir, endpoint) = start_server(&["--no-default-encryption"])?;
    let server = child.id();
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&endpoint)
        .force_path_style(true)
        .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired)
        .credentials_provider(Credentials::new(KEY, SECRET, None, None, "bench"))
        .build();
    let client = Client::from_conf(conf);
    client.create_bucket().bucket("plain").send().await?;
    client.create_bucket().bucket("sealed").send().await?;
    use aws_sdk_s3::types::{
        ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
        ServerSideEncryptionRule,
    };
    client
        .put_bucket_encryption()
        .bucket("sealed")
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::Aes256)
                                .build()?,
                        )
                        .build(),
                )
                .build()?,
        )
        .send()
        .await?;
    // Pseudo-random bytes (xorshift), so nothing compresses or dedupes.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let body: Vec<u8> = (0..mib << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let body = bytes::Bytes::from(body);
    let size = mib as f64;
    let (mut puts, mut getp) = (Paired::default(), Paired::default());
    let mut pair = 0usize;
    for round in 0..rounds {
        for bucket in order(round) {
            let s = timed(server, size, put(&client, bucket, &body)).await?;
            println!("  round {round} PUT {bucket:6}: {:7.1} MiB/s", s.mib_s);
            puts.push(bucket, s);
        }
        let mut line = format!("  round {round} GET");
        for _ in 0..gets {
            for bucket in order(pair) {
                let s = timed(server, size, get(&client, bucket, body.len())).await?;
                line += &format!("  {bucket} {:6.0}", s.mib_s);
                getp.push(bucket, s);
            }
            pair += 1;
        }
        println!("{line}");
    }
    let head = client
        .head_object()
        .bucket("sealed")
        .key("big")
        .send()
        .await?;
    anyhow::ensure!(
        head.server_side_encryption() == Some(&ServerSideEncryption::Aes256),
        "the sealed object is not reported as AES256"
    );
    println!(
        "{mib} MiB object, {rounds} rounds of a PUT pair and {gets} GET pairs (plain/SSE-S3 alternating)"
    );
    puts.report("PUT", size);
    getp.report("GET", size);
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}

/// As the root of a fresh server at `endpoint`: bucket `bench`, an IAM user `bench` whose
/// access comes from a 10-statement identity policy (nine statements about other buckets, one
/// granting object reads and writes in `bench` under an `aws:SourceIp` condition) and a bucket
/// policy (a Deny for everyone and the user's ListBucket). Returns the user's key pair.
async fn provision_user(endpoint: &str) -> anyhow::Result<(String, String)> {
    let root = s3(endpoint, KEY, SECRET);
    root.create_bucket().bucket("bench").send().await?;
    let iam_conf = aws_sdk_iam::config::Builder::new()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            KEY, SECRET, None, None, "bench",
        ))
        .build();
    let iam = aws_sdk_iam::Client::from_conf(iam_conf);
    let user = iam.create_user().user_name("bench").send().await?;
    let arn = user.user().map(|u| u.arn().to_string()).unwrap_or_default();
    let statements: Vec<String> = (0..9)
        .map(|i| format!(r#"{{"Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::other-{i}/*"}}"#))
        .chain(std::iter::once(
            r#"{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::bench/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}"#.to_string(),
        ))
        .collect();
    iam.put_user_policy()
        .user_name("bench")
        .policy_name("ten")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statements.join(",")
        ))
        .send()
        .await?;
    root.put_bucket_policy()
        .bucket("bench")
        .policy(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::bench"}},{{"Effect":"Allow","Principal":{{"AWS":"{arn}"}},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::bench"}}]}}"#
        ))
        .send()
        .await?;
    let key = iam.create_access_key().user_name("bench").send().await?;
    let key = key.access_key().ok_or_else(|| anyhow::anyhow!("no key"))?;
    Ok((
        key.access_key_id().to_string(),
        key.secret_access_key().to_string(),
    ))
}

async fn authz_overhead(secs: u64, concurrency: usize) -> anyhow::Result<()> {
    let (mut child, _dir, endpoint) = start_server(&[])?;
    let (key, secret) = provision_user(&endpoint).await?;
    let root = s3(&endpoint, KEY, SECRET);
    root.put_object()
        .bucket("bench")
        .key("4k")
        .body(vec![7u8; 4096].into())
        .send()
        .await?;
    let user = s3(&endpoint, &key, &secret);
    user.get_object().bucket("bench").key("4k").send().await?;
    // Warm both paths, then measure.
    run(&root, 1, concurrency).await;
    let (root_ops, root_p50, root_p99) = run(&root, secs, concurrency).await;
    let (user_ops, user_p50, user_p99) = run(&user, secs, concurrency).await;
    println!("4 KiB GET, concurrency {concurrency}, {secs}s each");
    println!(
        "  root (no policies):                 {root_ops:8.0} ops/s  p50 {root_p50:7.0} µs  p99 {root_p99:7.0} µs"
    );
    println!(
        "  IAM user (10-stmt + bucket policy): {user_ops:8.0} ops/s  p50 {user_p50:7.0} µs  p99 {user_p99:7.0} µs"
    );
    println!(
        "  authorization cost: {:.1}% fewer ops/s",
        (1.0 - user_ops / root_ops) * 100.0
    );
    let _ = child.kill();
    Ok(())
}

#[derive(clap::Parser)]
#[command(name = "cairn-bench", about = "Benchmarks for Cairn (issue #7)")]
enum Mode {
    /// Warp-style load phases on an S3 endpoint.
    Run(load::RunArgs),
    /// A server that speaks enough S3 for `run` and stores nothing (the client's ceiling).
    NullServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
    },
    /// The same bytes written with fsync and read back by a minimal program.
    Disk(disk::DiskArgs),
    /// MD5, SHA-256 and AES-256-GCM throughput of the crates Cairn uses.
    Hash(hash::HashArgs),
    /// A server's RSS while one large object streams in and out.
    Stream(procfs::StreamArgs),
    /// Start-up time and RSS of `cairn server` on a data dir.
    Startup(procfs::StartupArgs),
    /// Bulk objects into a stopped server's SQLite data dir.
    Populate(populate::PopulateArgs),
    /// Bucket `bench` and an IAM user under a 10-statement policy; prints `KEY SECRET`.
    ProvisionUser {
        #[arg(long)]
        endpoint: String,
    },
    /// The ratio table from a run's records.
    Report(report::ReportArgs),
    /// A figure measured elsewhere (e.g. the policy decision bench), appended as a record.
    Record {
        #[arg(long)]
        target: String,
        #[arg(long)]
        phase: String,
        #[arg(long)]
        value: f64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// PUT/GET of one large object, plain against SSE-S3 (own server).
    SseOverhead {
        #[arg(default_value_t = 256)]
        mib: usize,
        #[arg(default_value_t = 5)]
        rounds: usize,
        #[arg(default_value_t = 4)]
        gets: usize,
    },
    /// 4 KiB GETs as root against an IAM user with a 10-statement policy (own server).
    AuthzOverhead {
        #[arg(default_value_t = 5)]
        seconds: u64,
        #[arg(default_value_t = 8)]
        concurrency: usize,
    },
    /// Aggregate 4 KiB PUT/GET of 1..=N nodes on one PostgreSQL database.
    Nodes {
        #[arg(default_value_t = 3)]
        max_nodes: usize,
        #[arg(default_value_t = 5)]
        seconds: u64,
        #[arg(default_value_t = 8)]
        concurrency: usize,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use clap::Parser;
    match Mode::parse() {
        Mode::Run(args) => load::run(args).await,
        Mode::NullServer { listen } => null_server::serve(&listen).await,
        Mode::Disk(args) => tokio::task::spawn_blocking(move || disk::disk(args)).await?,
        Mode::Hash(args) => hash::hash(args),
        Mode::Stream(args) => procfs::stream(args).await,
        Mode::Startup(args) => procfs::startup(args).await,
        Mode::Populate(args) => populate::populate(args).await,
        Mode::ProvisionUser { endpoint } => {
            let (key, secret) = provision_user(&endpoint).await?;
            println!("{key} {secret}");
            Ok(())
        }
        Mode::Report(args) => report::report(args),
        Mode::Record {
            target,
            phase,
            value,
            unit,
            out,
        } => record::Record::value(&target, &phase, value, &unit).emit(out.as_deref()),
        Mode::SseOverhead { mib, rounds, gets } => sse_overhead(mib, rounds, gets).await,
        Mode::AuthzOverhead {
            seconds,
            concurrency,
        } => authz_overhead(seconds, concurrency).await,
        Mode::Nodes {
            max_nodes,
            seconds,
            concurrency,
        } => nodes::nodes(max_nodes, seconds, concurrency).await,
    }
}
