//! Command-line and environment configuration of `cairn server`.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Settings of one server process.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerConfig {
    /// Where metadata (SQLite), object bytes and keys live.
    #[arg(long, env = "CAIRN_DATA_DIR", default_value = "./cairn-data")]
    pub data_dir: PathBuf,
    /// Address to listen on (port 0 picks a free port; the bound address is printed).
    #[arg(long, env = "CAIRN_LISTEN", default_value = "127.0.0.1:9000")]
    pub listen: SocketAddr,
    /// Region reported for buckets created without a LocationConstraint.
    #[arg(long, env = "CAIRN_REGION", default_value = "us-east-1")]
    pub region: String,
    /// Base domain for virtual-hosted-style addressing (`BUCKET.DOMAIN`).
    #[arg(long, env = "CAIRN_DOMAIN")]
    pub domain: Option<String>,
    /// Metadata database: `postgres://…` for PostgreSQL; the default is SQLite in the data dir.
    #[arg(long, env = "CAIRN_META")]
    pub meta: Option<String>,
    /// A file holding the 32-byte master key (`CAIRN_MASTER_KEY`, base64, takes precedence);
    /// without either, `DIR/master.key` is used, generated on first start.
    #[arg(long, env = "CAIRN_MASTER_KEY_FILE")]
    pub master_key_file: Option<PathBuf>,
    /// Store objects of buckets without an encryption configuration unencrypted (AWS encrypts
    /// every new object with SSE-S3 since January 2023; this is for benchmarks and old setups).
    #[arg(long, env = "CAIRN_NO_DEFAULT_ENCRYPTION")]
    pub no_default_encryption: bool,
    /// Create buckets as AWS did before April 2023: Object Ownership `ObjectWriter` (ACLs in
    /// force) and no Block Public Access, unless the request says otherwise. For clients and test
    /// suites written against those defaults (ceph/s3-tests); AWS's current defaults are safer.
    #[arg(long, env = "CAIRN_LEGACY_BUCKET_DEFAULTS")]
    pub legacy_bucket_defaults: bool,
}

/// Where an offline command finds the server's stores.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreConfig {
    #[arg(long, env = "CAIRN_DATA_DIR", default_value = "./cairn-data")]
    pub data_dir: PathBuf,
    #[arg(long, env = "CAIRN_META")]
    pub meta: Option<String>,
    #[arg(long, env = "CAIRN_MASTER_KEY_FILE")]
    pub master_key_file: Option<PathBuf>,
}

/// The master key given in the environment (base64), read here rather than as a flag so that it
/// never shows in a process listing.
pub fn master_key_from_env() -> Option<String> {
    std::env::var("CAIRN_MASTER_KEY")
        .ok()
        .filter(|v| !v.is_empty())
}

/// Root keys fixed by the environment instead of generated.
pub fn root_keys_from_env() -> Option<(String, String)> {
    let id = std::env::var("CAIRN_ROOT_ACCESS_KEY_ID").ok()?;
    let secret = std::env::var("CAIRN_ROOT_SECRET_ACCESS_KEY").ok()?;
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}
