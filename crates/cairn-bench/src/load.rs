//! `cairn-bench run`: warp-style load on any S3 endpoint (Cairn, the null server, moto) through
//! aws-sdk-s3 with N concurrent workers sharing one client, phase by phase for each object size:
//! PUT (new keys), GET (the keys PUT wrote), mixed (warp's mix: 45% GET, 30% HEAD, 15% PUT, 10%
//! DELETE), LIST (first page of the size's prefix, 1,000 keys at most) and DELETE (every key
//! written). Each phase runs for a duration and/or an operation count; latency is per
//! operation, from sending to the last body byte, kept in an HDR histogram.
//!
//! Payloads go unsigned (`UNSIGNED-PAYLOAD`) and without SDK checksums unless `--signed`, and
//! the SDK does not retry, so what is measured is the server plus the client's floor, and an
//! error is counted rather than hidden.

use crate::body::{Repeat, random_bytes};
use crate::record::{Record, human_size, parse_sizes};
use aws_sdk_s3::Client;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, StalledStreamProtectionConfig};
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use hdrhistogram::Histogram;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bodies up to this size are one shared buffer; larger ones repeat it.
const BUFFER: u64 = 64 << 20;

#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    #[arg(long)]
    pub endpoint: String,
    #[arg(long, default_value = crate::KEY)]
    pub access_key: String,
    #[arg(long, default_value = crate::SECRET)]
    pub secret_key: String,
    #[arg(long, default_value = "bench")]
    pub bucket: String,
    /// Create the bucket first (an existing one of ours is fine).
    #[arg(long)]
    pub create_bucket: bool,
    /// Prepended to every key the run writes (`PREFIX<size>/<n>`).
    #[arg(long, default_value = "")]
    pub prefix: String,
    #[arg(long, default_value = "4KiB,1MiB,64MiB")]
    pub sizes: String,
    /// Any of put, get, mixed, list, delete, in the order they run.
    #[arg(long, default_value = "put,get,mixed,list,delete")]
    pub phases: String,
    #[arg(long, short = 'c', default_value_t = 8)]
    pub concurrency: usize,
    /// Seconds per phase (DELETE removes every written key regardless).
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
    /// Stop a phase after this many operations (e.g. 1 for one 2 GiB object).
    #[arg(long)]
    pub max_ops: Option<u64>,
    /// Sign payloads (the SDK hashes each body with SHA-256, the server checks it).
    #[arg(long)]
    pub signed: bool,
    /// LIST this prefix instead of the size's own (e.g. a bulk-populated one).
    #[arg(long)]
    pub list_prefix: Option<String>,
    /// The target's name in the records (`cairn-plain`, `null`, `moto`, …).
    #[arg(long, default_value = "cairn")]
    pub label: String,
    /// Free text kept with each record (e.g. how many objects the bucket holds).
    #[arg(long, default_value = "")]
    pub note: String,
    /// Append records here as JSON lines.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// A client as the benchmark uses it everywhere: path-style, no retries, no stall detection,
/// checksums only where an operation requires them.
pub fn client(endpoint: &str, key: &str, secret: &str) -> Client {
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .retry_config(RetryConfig::disabled())
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
        .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired)
        .credentials_provider(Credentials::new(key, secret, None, None, "bench"))
        .build();
    Client::from_conf(conf)
}

/// What one phase measured.
struct Stats {
    hist: Histogram<u64>,
    ops: u64,
    errors: u64,
    bytes: u64,
}

fn histogram() -> Histogram<u64> {
    // 1 µs .. 1 h at 3 significant digits; bounds are constants, so this cannot fail.
    Histogram::new_with_bounds(1, 3_600_000_000, 3).unwrap_or_else(|_| unreachable!())
}

/// Runs `op(n)` for n = 0, 1, 2, … from `concurrency` workers until `duration` has passed or
/// `max_ops` were started. `op` returns the bytes it moved.
async fn phase<F, Fut>(
    concurrency: usize,
    duration: Option<Duration>,
    max_ops: Option<u64>,
    op: F,
) -> (Stats, f64)
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<u64>> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = duration.map(|d| start + d);
    let first_error = Arc::new(std::sync::Once::new());
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (op, next, first_error) = (op.clone(), next.clone(), first_error.clone());
            tokio::spawn(async move {
                let mut s = Stats {
                    hist: histogram(),
                    ops: 0,
                    errors: 0,
                    bytes: 0,
                };
                loop {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if max_ops.is_some_and(|m| n >= m) {
                        break;
                    }
                    let t = Instant::now();
                    match op(n).await {
                        Ok(bytes) => {
                            let us = t.elapsed().as_micros() as u64;
                            let _ = s.hist.record(us.max(1));
                            s.ops += 1;
                            s.bytes += bytes;
                        }
                        Err(e) => {
                            s.errors += 1;
                            first_error.call_once(|| eprintln!("first error: {e:#}"));
                        }
                    }
                }
                s
            })
        })
        .collect();
    let mut total = Stats {
        hist: histogram(),
        ops: 0,
        errors: 0,
        bytes: 0,
    };
    for w in workers {
        if let Ok(s) = w.await {
            let _ = total.hist.add(&s.hist);
            total.ops += s.ops;
            total.errors += s.errors;
            total.bytes += s.bytes;
        }
    }
    (total, start.elapsed().as_secs_f64())
}

fn body_for(buf: &Bytes, size: u64) -> ByteStream {
    if size <= BUFFER {
        ByteStream::from(buf.slice(0..size as usize))
    } else {
        ByteStream::from_body_1_x(Repeat::new(buf.clone(), 1 << 20, size))
    }
}

async fn put(
    c: &Client,
    bucket: &str,
    key: &str,
    buf: &Bytes,
    size: u64,
    signed: bool,
) -> anyhow::Result<u64> {
    let req = c
        .put_object()
        .bucket(bucket)
        .key(key)
        .content_length(size as i64)
        .body(body_for(buf, size));
    // A body larger than the buffer is a stream the SDK cannot hash ahead: always unsigned.
    if signed && size <= BUFFER {
        req.send().await?;
    } else {
        req.customize().disable_payload_signing().send().await?;
    }
    Ok(size)
}

async fn get(c: &Client, bucket: &str, key: &str, size: u64) -> anyhow::Result<u64> {
    let mut out = c.get_object().bucket(bucket).key(key).send().await?;
    let mut got = 0u64;
    while let Some(chunk) = out.body.try_next().await? {
        got += chunk.len() as u64;
    }
    anyhow::ensure!(got == size, "GET {key} returned {got} bytes, not {size}");
    Ok(got)
}

/// warp's default mix: 45% GET, 30% HEAD (stat), 15% PUT, 10% DELETE, spread evenly.
fn mixed_kind(n: u64) -> u8 {
    // A multiplicative hash of n, so the kinds interleave rather than come in runs.
    (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u8 % 100
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let c = client(&args.endpoint, &args.access_key, &args.secret_key);
    if args.create_bucket
        && let Err(e) = c.create_bucket().bucket(&args.bucket).send().await
    {
        let owned = e
            .as_service_error()
            .is_some_and(|s| s.is_bucket_already_owned_by_you());
        anyhow::ensure!(owned, "CreateBucket {}: {e:#}", args.bucket);
    }
    let sizes = parse_sizes(&args.sizes).map_err(anyhow::Error::msg)?;
    let biggest = sizes.iter().copied().max().unwrap_or(0).min(BUFFER);
    let buf = random_bytes(biggest.max(1) as usize);
    let duration = Some(Duration::from_secs_f64(args.duration));
    for &size in &sizes {
        let dir = format!("{}{}/", args.prefix, human_size(size));
        let keys: Arc<Mutex<Vec<String>>> = Arc::default();
        for phase_name in args.phases.split(',') {
            let bucket = args.bucket.clone();
            let (stats, secs, note) = match phase_name {
                "put" => {
                    let (c, buf, dir, keys, signed) = (
                        c.clone(),
                        buf.clone(),
                        dir.clone(),
                        keys.clone(),
                        args.signed,
                    );
                    let (s, secs) = phase(args.concurrency, duration, args.max_ops, move |n| {
                        let (c, buf, bucket, keys) =
                            (c.clone(), buf.clone(), bucket.clone(), keys.clone());
                        let key = format!("{dir}{n}");
                        async move {
                            let moved = put(&c, &bucket, &key, &buf, size, signed).await?;
                            keys.lock()
                                .map_err(|_| anyhow::anyhow!("poisoned"))?
                                .push(key);
                            Ok(moved)
                        }
                    })
                    .await;
                    (s, secs, String::new())
                }
                "get" => {
                    let list = Arc::new(
                        keys.lock()
                            .map_err(|_| anyhow::anyhow!("poisoned"))?
                            .clone(),
                    );
                    anyhow::ensure!(!list.is_empty(), "GET needs a PUT phase before it");
                    let c = c.clone();
                    let (s, secs) = phase(args.concurrency, duration, args.max_ops, move |n| {
                        let (c, bucket, list) = (c.clone(), bucket.clone(), list.clone());
                        async move {
                            let key = &list[(n % list.len() as u64) as usize];
                            get(&c, &bucket, key, size).await
                        }
                    })
                    .await;
                    (s, secs, String::new())
                }
                "mixed" => {
                    let list = Arc::new(
                        keys.lock()
                            .map_err(|_| anyhow::anyhow!("poisoned"))?
                            .clone(),
                    );
                    anyhow::ensure!(!list.is_empty(), "mixed needs a PUT phase before it");
                    let (c, buf, dir, keys, signed) = (
                        c.clone(),
                        buf.clone(),
                        dir.clone(),
                        keys.clone(),
                        args.signed,
                    );
                    // Keys the mix PUT; its DELETEs take from these, so GET/HEAD never miss.
                    let fresh: Arc<Mutex<Vec<String>>> = Arc::default();
                    let (s, secs) = phase(args.concurrency, duration, args.max_ops, move |n| {
                        let (c, buf, bucket, list, fresh, keys) = (
                            c.clone(),
                            buf.clone(),
                            bucket.clone(),
                            list.clone(),
                            fresh.clone(),
                            keys.clone(),
                        );
                        let key = list[(n % list.len() as u64) as usize].clone();
                        let new_key = format!("{dir}m{n}");
                        async move {
                            let kind = mixed_kind(n);
                            let victim = if kind >= 90 {
                                fresh.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.pop()
                            } else {
                                None
                            };
                            match (kind, victim) {
                                (90.., Some(victim)) => {
                                    c.delete_object()
                                        .bucket(&bucket)
                                        .key(&victim)
                                        .send()
                                        .await?;
                                    keys.lock()
                                        .map_err(|_| anyhow::anyhow!("poisoned"))?
                                        .retain(|k| k != &victim);
                                    Ok(0)
                                }
                                (75..=89, _) => {
                                    let moved =
                                        put(&c, &bucket, &new_key, &buf, size, signed).await?;
                                    fresh
                                        .lock()
                                        .map_err(|_| anyhow::anyhow!("poisoned"))?
                                        .push(new_key.clone());
                                    keys.lock()
                                        .map_err(|_| anyhow::anyhow!("poisoned"))?
                                        .push(new_key);
                                    Ok(moved)
                                }
                                (45..=74, _) => {
                                    c.head_object().bucket(&bucket).key(&key).send().await?;
                                    Ok(0)
                                }
                                _ => get(&c, &bucket, &key, size).await,
                            }
                        }
                    })
                    .await;
                    (s, secs, String::new())
                }
                "list" => {
                    let prefix = args.list_prefix.clone().unwrap_or_else(|| dir.clone());
                    let page = c
                        .list_objects_v2()
                        .bucket(&bucket)
                        .prefix(&prefix)
                        .send()
                        .await?;
                    let note = format!("{} keys/page", page.key_count().unwrap_or(0));
                    let c = c.clone();
                    let (s, secs) = phase(args.concurrency, duration, args.max_ops, move |_| {
                        let (c, bucket, prefix) = (c.clone(), bucket.clone(), prefix.clone());
                        async move {
                            c.list_objects_v2()
                                .bucket(&bucket)
                                .prefix(&prefix)
                                .send()
                                .await?;
                            Ok(0)
                        }
                    })
                    .await;
                    (s, secs, note)
                }
                "delete" => {
                    let list = Arc::new(std::mem::take(
                        &mut *keys.lock().map_err(|_| anyhow::anyhow!("poisoned"))?,
                    ));
                    let count = list.len() as u64;
                    let c = c.clone();
                    let (s, secs) = phase(args.concurrency, None, Some(count), move |n| {
                        let (c, bucket, list) = (c.clone(), bucket.clone(), list.clone());
                        async move {
                            let key = &list[n as usize];
                            c.delete_object().bucket(&bucket).key(key).send().await?;
                            Ok(0)
                        }
                    })
                    .await;
                    (s, secs, String::new())
                }
                other => anyhow::bail!("unknown phase {other:?}"),
            };
            let mut note = [note, args.note.clone()].join(" ").trim().to_string();
            if args.signed {
                note = format!("signed {note}");
            }
            Record {
                target: args.label.clone(),
                phase: phase_name.into(),
                size,
                concurrency: args.concurrency,
                ops: stats.ops,
                errors: stats.errors,
                secs,
                ops_s: stats.ops as f64 / secs,
                mib_s: stats.bytes as f64 / secs / (1 << 20) as f64,
                p50_us: stats.hist.value_at_quantile(0.5) as f64,
                p99_us: stats.hist.value_at_quantile(0.99) as f64,
                value: None,
                unit: None,
                note,
            }
            .emit(args.out.as_deref())?;
        }
    }
    Ok(())
}
