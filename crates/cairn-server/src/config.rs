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
    /// A KMS key for SSE-KMS, by id (also usable as `alias/ID` or by ARN); it exists in every
    /// account, beside each account's AWS-managed key `aws/s3`. Repeatable; comma-separated in
    /// the environment.
    #[arg(
        long = "kms-key",
        env = "CAIRN_KMS_KEYS",
        value_name = "ID",
        value_delimiter = ','
    )]
    pub kms_keys: Vec<String>,
    /// Create buckets as AWS did before April 2023: Object Ownership `ObjectWriter` (ACLs in
    /// force) and no Block Public Access, unless the request says otherwise. For clients and test
    /// suites written against those defaults (ceph/s3-tests); AWS's current defaults are safer.
    #[arg(long, env = "CAIRN_LEGACY_BUCKET_DEFAULTS")]
    pub legacy_bucket_defaults: bool,
    /// Where an OIDC issuer's signing keys (a JWKS) are read, `ISSUER=PATH_OR_URL`, instead of
    /// from the issuer's OpenID discovery document: for servers without internet access, issuers
    /// without discovery, and tests. Repeatable; comma-separated in the environment.
    #[arg(
        long = "oidc-jwks",
        env = "CAIRN_OIDC_JWKS",
        value_name = "ISSUER=PATH_OR_URL",
        value_delimiter = ',',
        value_parser = check_oidc_pin
    )]
    pub oidc_jwks: Vec<String>,
}

impl ServerConfig {
    /// The `--oidc-jwks` pins as (issuer, path or URL); empty entries (an empty
    /// `CAIRN_OIDC_JWKS`, a trailing comma) are none.
    pub fn oidc_pins(&self) -> Vec<(String, String)> {
        self.oidc_jwks
            .iter()
            .filter_map(|v| crate::sts::web_identity::parse_pin(v).ok())
            .collect()
    }
}

/// Validates one `--oidc-jwks` value at start-up, so that a typo stops the server rather than
/// silently leaving an issuer to discovery. Empty is allowed (and means nothing).
fn check_oidc_pin(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        return Ok(String::new());
    }
    crate::sts::web_identity::parse_pin(value).map(|_| value.to_string())
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

#[cfg(test)]
mod tests {
    use super::ServerConfig;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        server: ServerConfig,
    }

    fn pins(args: &[&str]) -> Result<Vec<(String, String)>, clap::Error> {
        let argv = std::iter::once("cairn").chain(args.iter().copied());
        Cli::try_parse_from(argv).map(|c| c.server.oidc_pins())
    }

    #[test]
    fn oidc_jwks_is_repeatable_and_comma_separated() {
        let p = |i: &str, s: &str| (i.to_string(), s.to_string());
        assert_eq!(
            pins(&[
                "--oidc-jwks",
                "accounts.google.com=/k.json,https://idp.example=https://idp.example/keys",
                "--oidc-jwks",
                "x.example=/x.json,",
            ])
            .unwrap(),
            vec![
                p("accounts.google.com", "/k.json"),
                p("https://idp.example", "https://idp.example/keys"),
                p("x.example", "/x.json"),
            ]
        );
        assert_eq!(pins(&["--oidc-jwks", ""]).unwrap(), vec![]);
        assert!(pins(&["--oidc-jwks", "accounts.google.com"]).is_err());
    }
}
