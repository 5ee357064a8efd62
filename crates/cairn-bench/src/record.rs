//! One measured figure, printed for people and appended as a JSON line for `report`.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// A result: what was measured (`target`: `null`, `disk`, `cairn-plain`, …; `phase`: `put`,
/// `get`, `idle-rss`, …), at which object size, and the figures that apply to it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Record {
    pub target: String,
    pub phase: String,
    /// Object size in bytes (0 when the phase has none).
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub concurrency: usize,
    #[serde(default)]
    pub ops: u64,
    #[serde(default)]
    pub errors: u64,
    #[serde(default)]
    pub secs: f64,
    #[serde(default)]
    pub ops_s: f64,
    #[serde(default)]
    pub mib_s: f64,
    #[serde(default)]
    pub p50_us: f64,
    #[serde(default)]
    pub p99_us: f64,
    /// A figure that is not a rate (RSS in MiB, start-up in ms, a decision in µs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Free text: the store size for cost-growth runs, the key count of a listing, …
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Record {
    pub fn value(target: &str, phase: &str, value: f64, unit: &str) -> Self {
        Record {
            target: target.into(),
            phase: phase.into(),
            value: Some(value),
            unit: Some(unit.into()),
            ..Default::default()
        }
    }

    /// Prints the record on one line and appends it to `out` (JSON lines) when given.
    pub fn emit(&self, out: Option<&Path>) -> anyhow::Result<()> {
        match (&self.value, &self.unit) {
            (Some(v), Some(u)) => println!(
                "{:<14} {:<18} {v:>12.2} {u} {}",
                self.target, self.phase, self.note
            ),
            _ => println!(
                "{:<14} {:<10} {:>9} x{:<3} {:>9.1} ops/s {:>9.1} MiB/s  p50 {:>9.0} µs  p99 {:>9.0} µs  ({} ops, {} errors) {}",
                self.target,
                self.phase,
                human_size(self.size),
                self.concurrency,
                self.ops_s,
                self.mib_s,
                self.p50_us,
                self.p99_us,
                self.ops,
                self.errors,
                self.note
            ),
        }
        if let Some(path) = out {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            writeln!(f, "{}", serde_json::to_string(self)?)?;
        }
        Ok(())
    }
}

/// `4096` → `4KiB`, `67108864` → `64MiB`.
pub fn human_size(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (name, unit) in UNITS {
        if n >= unit && n.is_multiple_of(unit) {
            return format!("{}{name}", n / unit);
        }
    }
    format!("{n}B")
}

/// `4KiB`, `1MiB`, `2GiB`, `512` → bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("bad size {s:?}"))?;
    let mult = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        _ => return Err(format!("bad size unit in {s:?}")),
    };
    Ok(n * mult)
}

/// A comma-separated list of sizes.
pub fn parse_sizes(s: &str) -> Result<Vec<u64>, String> {
    s.split(',').map(parse_size).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_trip() {
        for s in ["4KiB", "1MiB", "64MiB", "2GiB", "100B"] {
            assert_eq!(human_size(parse_size(s).unwrap()), s);
        }
        assert_eq!(parse_sizes("4k,1m").unwrap(), vec![4096, 1 << 20]);
        assert!(parse_size("4XB").is_err());
    }
}
