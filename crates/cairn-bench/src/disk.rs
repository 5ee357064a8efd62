//! `cairn-bench disk`: the disk's limit for the same bytes, with nothing but files. PUT: from
//! `threads` threads, create a new file, write the object, fsync it (what any durable store
//! must do at least once per object). GET: open one of those files and read it whole (from the
//! page cache, as a server reading recent objects does). Records carry target `disk` and the
//! same phase/size names as `run`, so `report` puts them beside the servers.

use crate::body::random_bytes;
use crate::record::{Record, parse_sizes};
use hdrhistogram::Histogram;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct DiskArgs {
    /// A directory on the disk to measure (files are removed afterwards).
    #[arg(long)]
    pub dir: PathBuf,
    #[arg(long, default_value = "4KiB,1MiB,64MiB")]
    pub sizes: String,
    #[arg(long, default_value_t = 8)]
    pub threads: usize,
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
    #[arg(long)]
    pub max_ops: Option<u64>,
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `op(n)` on `threads` OS threads until the deadline or `max_ops`; returns the record.
fn timed(
    threads: usize,
    duration: Duration,
    max_ops: Option<u64>,
    op: impl Fn(u64) -> std::io::Result<u64> + Send + Sync + 'static,
) -> (u64, u64, f64, Histogram<u64>) {
    let op = Arc::new(op);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (op, next) = (op.clone(), next.clone());
            std::thread::spawn(move || {
                let mut hist = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3)
                    .unwrap_or_else(|_| unreachable!());
                let (mut ops, mut bytes) = (0u64, 0u64);
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if max_ops.is_some_and(|m| n >= m) {
                        break;
                    }
                    let t = Instant::now();
                    if let Ok(b) = op(n) {
                        let _ = hist.record((t.elapsed().as_micros() as u64).max(1));
                        ops += 1;
                        bytes += b;
                    }
                }
                (ops, bytes, hist)
            })
        })
        .collect();
    let mut total =
        Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).unwrap_or_else(|_| unreachable!());
    let (mut ops, mut bytes) = (0, 0);
    for h in handles {
        if let Ok((o, b, hist)) = h.join() {
            ops += o;
            bytes += b;
            let _ = total.add(&hist);
        }
    }
    (ops, bytes, start.elapsed().as_secs_f64(), total)
}

fn write_file(path: &Path, data: &[u8]) -> std::io::Result<u64> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(data)?;
    f.sync_all()?;
    Ok(data.len() as u64)
}

/// Reads the file whole through one reused 1 MiB buffer per thread (as a server streams it).
fn read_file(path: &Path) -> std::io::Result<u64> {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 1 << 20]);
    }
    let mut f = std::fs::File::open(path)?;
    BUF.with_borrow_mut(|buf| {
        let mut total = 0u64;
        loop {
            match f.read(buf)? {
                0 => return Ok(total),
                n => total += n as u64,
            }
        }
    })
}

pub fn disk(args: DiskArgs) -> anyhow::Result<()> {
    let sizes = parse_sizes(&args.sizes).map_err(anyhow::Error::msg)?;
    let duration = Duration::from_secs_f64(args.duration);
    for size in sizes {
        let dir = tempfile::tempdir_in(&args.dir)?;
        let data = random_bytes(size as usize);
        let root = dir.path().to_path_buf();
        let (d, r) = (data.clone(), root.clone());
        let put = timed(args.threads, duration, args.max_ops, move |n| {
            write_file(&r.join(n.to_string()), &d)
        });
        let written = put.0;
        let r = root.clone();
        let get = timed(args.threads, duration, args.max_ops, move |n| {
            read_file(&r.join((n % written.max(1)).to_string()))
        });
        for (phase, (ops, bytes, secs, hist)) in [("put", put), ("get", get)] {
            Record {
                target: "disk".into(),
                phase: phase.into(),
                size,
                concurrency: args.threads,
                ops,
                secs,
                ops_s: ops as f64 / secs,
                mib_s: bytes as f64 / secs / (1 << 20) as f64,
                p50_us: hist.value_at_quantile(0.5) as f64,
                p99_us: hist.value_at_quantile(0.99) as f64,
                note: if phase == "put" {
                    "create+write+fsync".into()
                } else {
                    "open+read (page cache)".into()
                },
                ..Default::default()
            }
            .emit(args.out.as_deref())?;
        }
    }
    Ok(())
}
