//! `cairn-bench hash`: single-core throughput of the per-byte work S3 itself requires, with
//! the crates Cairn uses: MD5 (every PUT's ETag, `md-5`), SHA-256 (the payload hash of a
//! signed PUT, `sha2`; aws-sigv4 and s3s use the same crate), and AES-256-GCM (SSE-S3 sealing,
//! `ring`, in Cairn's 64 KiB segments). Whatever a PUT must hash is bounded by these figures.

use crate::body::random_bytes;
use crate::record::{Record, parse_sizes};
use md5::Digest;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct HashArgs {
    #[arg(long, default_value = "4KiB,1MiB")]
    pub sizes: String,
    /// Seconds per (function, size).
    #[arg(long, default_value_t = 1.0)]
    pub duration: f64,
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Calls `f` until `secs` have passed; returns (calls, seconds).
fn repeat(secs: f64, mut f: impl FnMut()) -> (u64, f64) {
    let start = Instant::now();
    let until = Duration::from_secs_f64(secs);
    let mut n = 0u64;
    while start.elapsed() < until {
        for _ in 0..16 {
            f();
        }
        n += 16;
    }
    (n, start.elapsed().as_secs_f64())
}

pub fn hash(args: HashArgs) -> anyhow::Result<()> {
    let sizes = parse_sizes(&args.sizes).map_err(anyhow::Error::msg)?;
    let key = ring::aead::LessSafeKey::new(
        ring::aead::UnboundKey::new(&ring::aead::AES_256_GCM, &[7u8; 32])
            .map_err(|_| anyhow::anyhow!("AES key"))?,
    );
    for size in sizes {
        let data = random_bytes(size as usize);
        let mut scratch = data.to_vec();
        let md5 = repeat(args.duration, || {
            std::hint::black_box(md5::Md5::digest(std::hint::black_box(&data)));
        });
        let sha = repeat(args.duration, || {
            std::hint::black_box(sha2::Sha256::digest(std::hint::black_box(&data)));
        });
        let aes = repeat(args.duration, || {
            for (i, seg) in scratch.chunks_mut(64 << 10).enumerate() {
                let mut nonce = [0u8; 12];
                nonce[..8].copy_from_slice(&(i as u64).to_le_bytes());
                let _ = std::hint::black_box(key.seal_in_place_separate_tag(
                    ring::aead::Nonce::assume_unique_for_key(nonce),
                    ring::aead::Aad::empty(),
                    seg,
                ));
            }
        });
        for (phase, (n, secs)) in [("md5", md5), ("sha256", sha), ("aes-256-gcm", aes)] {
            Record {
                target: "hash".into(),
                phase: phase.into(),
                size,
                concurrency: 1,
                ops: n,
                secs,
                ops_s: n as f64 / secs,
                mib_s: (n * size) as f64 / secs / (1 << 20) as f64,
                p50_us: secs * 1e6 / n as f64,
                p99_us: secs * 1e6 / n as f64,
                note: "one core".into(),
                ..Default::default()
            }
            .emit(args.out.as_deref())?;
        }
    }
    Ok(())
}
