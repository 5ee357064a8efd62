//! `cairn-bench report FILE`: the ratio table of one `scripts/bench.sh` run, from its records.
//!
//! Targets (the `target` of a record): `null` (the aws-sdk-s3 client against a server that
//! stores nothing: the client's ceiling), `disk` (the same bytes written with fsync and read by
//! a minimal program), `cairn-plain` (`--no-default-encryption`), `cairn` (default settings:
//! SSE-S3), `cairn-iam` (default settings, requests by an IAM user through a 10-statement
//! policy and a bucket policy), `moto`; `grow-*` the cost-growth runs, `hash` and `policy` the
//! floors. Every ratio is against the `null` figure of the same phase and size.

use crate::record::{Record, human_size};
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The JSON-lines file the run appended its records to.
    pub file: PathBuf,
}

const COLUMNS: [&str; 6] = ["null", "disk", "cairn-plain", "cairn", "cairn-iam", "moto"];

struct Records(Vec<Record>);

impl Records {
    /// The last record of (target, phase, size).
    fn find(&self, target: &str, phase: &str, size: u64) -> Option<&Record> {
        self.0
            .iter()
            .rev()
            .find(|r| r.target == target && r.phase == phase && r.size == size)
    }

    /// The last record of (target, phase), whatever its size.
    fn any(&self, target: &str, phase: &str) -> Option<&Record> {
        self.0
            .iter()
            .rev()
            .find(|r| r.target == target && r.phase == phase)
    }

    fn value(&self, target: &str, phase: &str) -> Option<f64> {
        self.any(target, phase).and_then(|r| r.value)
    }
}

/// The figure a row compares: MiB/s from 1 MiB up, operations per second below.
fn rate(r: &Record) -> f64 {
    let moves_bytes = matches!(r.phase.as_str(), "put" | "get" | "mixed");
    if moves_bytes && r.size >= 1 << 20 {
        r.mib_s
    } else {
        r.ops_s
    }
}

fn cell(r: Option<&Record>, ceiling: Option<f64>) -> String {
    match r {
        None => "-".into(),
        Some(r) if r.ops == 0 => "failed".into(),
        Some(r) => {
            let v = rate(r);
            let err = if r.errors > 0 { "!" } else { "" };
            match ceiling {
                Some(c) if c > 0.0 => format!("{v:.0}{err} ({:.0}%)", v / c * 100.0),
                _ => format!("{v:.0}{err}"),
            }
        }
    }
}

/// One check against a target of issue #7.
fn check(
    name: &str,
    measured: Option<f64>,
    shown: impl Fn(f64) -> String,
    ok: impl Fn(f64) -> bool,
) {
    match measured {
        None => println!("  {name:<58} {:>22}  n/a", "not measured"),
        Some(m) if m.is_nan() => println!("  {name:<58} {:>22}  n/a", "not measured"),
        Some(m) => println!(
            "  {name:<58} {:>22}  {}",
            shown(m),
            if ok(m) { "met" } else { "NOT MET" }
        ),
    }
}

pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file)?;
    let recs = Records(
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?,
    );
    let r = &recs;

    println!(
        "Throughput: MiB/s from 1 MiB up, ops/s below; (%) of the client's ceiling (null); ! = some errors"
    );
    print!("{:<8} {:>6}", "phase", "size");
    for c in COLUMNS {
        print!(" {c:>17}");
    }
    println!();
    let rows: BTreeSet<(u8, u64)> =
        r.0.iter()
            .filter(|x| COLUMNS.contains(&x.target.as_str()) && x.value.is_none())
            .filter_map(|x| {
                let order = ["put", "get", "mixed", "list", "delete"]
                    .iter()
                    .position(|p| *p == x.phase)?;
                Some((order as u8, x.size))
            })
            .collect();
    for (order, size) in rows {
        let phase = ["put", "get", "mixed", "list", "delete"][order as usize];
        let ceiling = r.find("null", phase, size).map(rate);
        print!("{phase:<8} {:>6}", human_size(size));
        for c in COLUMNS {
            let shown = cell(
                r.find(c, phase, size),
                if c == "null" { None } else { ceiling },
            );
            print!(" {shown:>17}");
        }
        println!();
    }

    println!("\nLatency p50 / p99 (ms)");
    for c in ["null", "cairn-plain", "cairn", "cairn-iam", "moto"] {
        let mut line = format!("  {c:<12}");
        for (phase, size) in [
            ("put", 4096u64),
            ("get", 4096),
            ("put", 1 << 20),
            ("get", 1 << 20),
        ] {
            if let Some(x) = r.find(c, phase, size) {
                line += &format!(
                    "  {phase} {}: {:.2} / {:.2}",
                    human_size(size),
                    x.p50_us / 1e3,
                    x.p99_us / 1e3
                );
            }
        }
        println!("{line}");
    }

    println!("\nFloors: one core, MiB/s (hash), µs per decision (policy)");
    for x in r.0.iter().filter(|x| x.target == "hash") {
        println!(
            "  {:<12} {:>6} {:>9.0} MiB/s",
            x.phase,
            human_size(x.size),
            x.mib_s
        );
    }
    if let Some(d) = r.value("policy", "decision") {
        println!("  policy decision (10-statement identity + bucket policy): {d:.2} µs");
    }

    println!("\nCost growth (4 KiB objects; LIST = first 1,000-key page)");
    for x in r.0.iter().filter(|x| x.target.starts_with("grow-")) {
        match x.value {
            Some(v) => println!(
                "  {:<9} {:<20} {v:>10.1} {}  {}",
                x.target,
                x.phase,
                x.unit.as_deref().unwrap_or(""),
                x.note
            ),
            None => println!(
                "  {:<9} {:<20} {:>10.0} ops/s  p50 {:.2} ms  p99 {:.2} ms  {}",
                x.target,
                x.phase,
                x.ops_s,
                x.p50_us / 1e3,
                x.p99_us / 1e3,
                x.note
            ),
        }
    }

    println!("\nMemory and start-up");
    for x in
        r.0.iter()
            .filter(|x| x.value.is_some() && (x.target == "cairn" || x.target == "cairn-plain"))
    {
        println!(
            "  {:<12} {:<22} {:>10.1} {}  {}",
            x.target,
            x.phase,
            x.value.unwrap_or_default(),
            x.unit.as_deref().unwrap_or(""),
            x.note
        );
    }

    println!("\nTargets (issue #7)");
    let ratio = |t: &str, base: &str, phase: &str, sizes: &[u64]| -> Option<f64> {
        // The worst ratio over the sizes measured on both sides.
        sizes
            .iter()
            .filter_map(|&s| Some(rate(r.find(t, phase, s)?) / rate(r.find(base, phase, s)?)))
            .reduce(f64::min)
    };
    let big: Vec<u64> =
        r.0.iter()
            .filter(|x| x.size >= 64 << 20 && x.target == "cairn-plain")
            .map(|x| x.size)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
    let pct = |v: f64| format!("{:.0}%", v * 100.0);
    check(
        "64 MiB+ PUT (plain) >= 85% of the client's ceiling",
        ratio("cairn-plain", "null", "put", &big),
        pct,
        |v| v >= 0.85,
    );
    check(
        "64 MiB+ GET (plain) >= 50% of the client's ceiling",
        ratio("cairn-plain", "null", "get", &big),
        pct,
        |v| v >= 0.50,
    );
    check(
        "SSE-S3 costs <= 20% more: 64 MiB+ PUT, SSE / plain",
        ratio("cairn", "cairn-plain", "put", &big),
        pct,
        |v| v >= 0.80,
    );
    check(
        "SSE-S3 costs <= 20% more: 64 MiB+ GET, SSE / plain",
        ratio("cairn", "cairn-plain", "get", &big),
        pct,
        |v| v >= 0.80,
    );
    check(
        "4 KiB PUT (fsync, default) >= 33% of the client's ceiling",
        ratio("cairn", "null", "put", &[4096]),
        pct,
        |v| v >= 0.33,
    );
    check(
        "4 KiB GET (default) >= 55% of the client's ceiling",
        ratio("cairn", "null", "get", &[4096]),
        pct,
        |v| v >= 0.55,
    );
    let tail = |phase: &str| r.find("cairn", phase, 4096).map(|x| x.p99_us / x.p50_us);
    check(
        "4 KiB PUT p99 < 10x p50",
        tail("put"),
        |v| format!("{v:.1}x"),
        |v| v < 10.0,
    );
    check(
        "4 KiB GET p99 < 10x p50",
        tail("get"),
        |v| format!("{v:.1}x"),
        |v| v < 10.0,
    );
    check(
        "authorization (10-stmt policy) adds <= 5% to a 4 KiB GET",
        ratio("cairn-iam", "cairn", "get", &[4096]).map(|v| 1.0 - v),
        |v| format!("{:+.1}%", v * 100.0),
        |v| v <= 0.05,
    );
    check(
        "one policy decision <= 5 µs",
        r.value("policy", "decision"),
        |v| format!("{v:.2} µs"),
        |v| v <= 5.0,
    );
    let list_p50 = |t: &str| r.any(t, "list").map(|x| x.p50_us);
    let list = match (list_p50("grow-1m"), list_p50("grow-1k")) {
        (Some(big), Some(small)) => Some(big / small - 1.0),
        _ => None,
    };
    check(
        "LIST page p50 at 1M keys within 20% of 1k keys",
        list,
        |v| format!("{:+.0}%", v * 100.0),
        |v| v <= 0.20,
    );
    check(
        "peak RSS <= 64 MiB above idle (empty store) while streaming",
        r.value("cairn", "rss-peak-streaming")
            .zip(r.value("cairn", "rss-settled"))
            .map(|(peak, idle)| peak - idle),
        |v| format!("{v:.1} MiB"),
        |v| v <= 64.0,
    );
    check(
        "idle RSS <= 30 MiB (default, empty store)",
        r.value("cairn", "rss-settled"),
        |v| format!("{v:.1} MiB"),
        |v| v <= 30.0,
    );
    Ok(())
}
