//! Memory and start-up of a server process, read from /proc (Linux).
//!
//! `cairn-bench stream`: resident memory of a running server while one large object (5 GiB by
//! default) is streamed in and out: RSS before (idle), then the peak, sampled every 10 ms and
//! from VmHWM after resetting it (`clear_refs`, when permitted).
//!
//! `cairn-bench startup`: starts `cairn server` on a data dir and reports the time until it
//! prints its address and until it answers a first request, and its RSS then and over the next
//! seconds (the orphan sweep runs 2 s after start-up and reads every blob id and reference).

use crate::body::{Repeat, random_bytes};
use crate::load::client;
use crate::record::{Record, human_size, parse_size};
use aws_sdk_s3::primitives::ByteStream;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// `(VmRSS, VmHWM)` of `pid` in MiB.
pub fn rss_mib(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Resets VmHWM to the current RSS; false where the kernel or permissions do not allow it.
fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// Samples VmRSS of `pid` every 10 ms until `stop`; the maximum in KiB is left in `peak`.
fn sampler(pid: u32, stop: Arc<AtomicBool>, peak: Arc<AtomicU64>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            if let Some((rss, _)) = rss_mib(pid) {
                peak.fetch_max((rss * 1024.0) as u64, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    })
}

#[derive(clap::Args, Debug)]
pub struct StreamArgs {
    #[arg(long)]
    pub endpoint: String,
    /// The server's process id.
    #[arg(long)]
    pub pid: u32,
    #[arg(long, default_value = "5GiB")]
    pub size: String,
    #[arg(long, default_value = "bench-stream")]
    pub bucket: String,
    #[arg(long, default_value = "cairn")]
    pub label: String,
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub async fn stream(args: StreamArgs) -> anyhow::Result<()> {
    let size = parse_size(&args.size).map_err(anyhow::Error::msg)?;
    let c = client(&args.endpoint, crate::KEY, crate::SECRET);
    c.create_bucket().bucket(&args.bucket).send().await?;
    let (idle, _) = rss_mib(args.pid).ok_or_else(|| anyhow::anyhow!("no /proc/{}", args.pid))?;
    let hwm_reset = reset_peak(args.pid);
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = sampler(args.pid, stop.clone(), peak.clone());
    let buf = random_bytes(1 << 20);
    let t = Instant::now();
    c.put_object()
        .bucket(&args.bucket)
        .key("big")
        .content_length(size as i64)
        .body(ByteStream::from_body_1_x(Repeat::new(buf, 1 << 20, size)))
        .customize()
        .disable_payload_signing()
        .send()
        .await?;
    let put_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut out = c
        .get_object()
        .bucket(&args.bucket)
        .key("big")
        .send()
        .await?;
    let mut got = 0u64;
    while let Some(chunk) = out.body.try_next().await? {
        got += chunk.len() as u64;
    }
    let get_secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(got == size, "GET returned {got} bytes, not {size}");
    stop.store(true, Ordering::Relaxed);
    let _ = sampling.join();
    let sampled = peak.load(Ordering::Relaxed) as f64 / 1024.0;
    let hwm = if hwm_reset {
        rss_mib(args.pid).map_or(0.0, |(_, hwm)| hwm)
    } else {
        0.0
    };
    let top = sampled.max(hwm);
    c.delete_object()
        .bucket(&args.bucket)
        .key("big")
        .send()
        .await?;
    let note = format!("{} in and out", human_size(size));
    let mib = size as f64 / (1 << 20) as f64;
    for (phase, secs) in [("stream-put", put_secs), ("stream-get", get_secs)] {
        Record {
            target: args.label.clone(),
            phase: phase.into(),
            size,
            concurrency: 1,
            ops: 1,
            secs,
            ops_s: 1.0 / secs,
            mib_s: mib / secs,
            p50_us: secs * 1e6,
            p99_us: secs * 1e6,
            ..Default::default()
        }
        .emit(args.out.as_deref())?;
    }
    for (phase, v) in [
        ("rss-before-stream", idle),
        ("rss-peak-streaming", top),
        ("rss-streaming-delta", top - idle),
    ] {
        let mut r = Record::value(&args.label, phase, v, "MiB");
        r.note = note.clone();
        r.emit(args.out.as_deref())?;
    }
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct StartupArgs {
    #[arg(long, default_value = "target/release/cairn")]
    pub bin: PathBuf,
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Seconds to keep sampling RSS after the first answer (the sweep starts at 2 s).
    #[arg(long, default_value_t = 5.0)]
    pub settle: f64,
    #[arg(long, default_value = "cairn")]
    pub label: String,
    #[arg(long, default_value = "")]
    pub note: String,
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// More `cairn server` arguments, after `--`.
    #[arg(last = true)]
    pub extra: Vec<String>,
}

pub async fn startup(args: StartupArgs) -> anyhow::Result<()> {
    let t = Instant::now();
    let mut child = Command::new(&args.bin)
        .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&args.data_dir)
        .args(&args.extra)
        .env("CAIRN_ROOT_ACCESS_KEY_ID", crate::KEY)
        .env("CAIRN_ROOT_SECRET_ACCESS_KEY", crate::SECRET)
        .stdout(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
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
    let listening = t.elapsed().as_secs_f64() * 1e3;
    std::thread::spawn(move || for _ in lines {});
    let c = client(&endpoint, crate::KEY, crate::SECRET);
    while c.list_buckets().send().await.is_err() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let answering = t.elapsed().as_secs_f64() * 1e3;
    let (first_rss, _) = rss_mib(pid).unwrap_or_default();
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = sampler(pid, stop.clone(), peak.clone());
    tokio::time::sleep(Duration::from_secs_f64(args.settle)).await;
    stop.store(true, Ordering::Relaxed);
    let _ = sampling.join();
    let (settled, hwm) = rss_mib(pid).unwrap_or_default();
    let _ = child.kill();
    let _ = child.wait();
    for (phase, v, unit) in [
        ("startup-listening", listening, "ms"),
        ("startup-answering", answering, "ms"),
        ("rss-first-answer", first_rss, "MiB"),
        ("rss-settled", settled, "MiB"),
        (
            "rss-peak-start",
            hwm.max(peak.load(Ordering::Relaxed) as f64 / 1024.0),
            "MiB",
        ),
    ] {
        let mut r = Record::value(&args.label, phase, v, unit);
        r.note = args.note.clone();
        r.emit(args.out.as_deref())?;
    }
    Ok(())
}
