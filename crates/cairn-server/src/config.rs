//! Command-line and environment configuration of `cairn server`.

use anyhow::Context;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

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
    /// A TOML file setting any of these options (`listen = "0.0.0.0:9000"`, keys spelled as the
    /// long flags); flags and environment variables win over it.
    #[arg(long, env = "CAIRN_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Serve HTTPS with this PEM certificate chain (leaf first); needs `--tls-key`.
    #[arg(
        long,
        env = "CAIRN_TLS_CERT",
        value_name = "PATH",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of `--tls-cert`.
    #[arg(
        long,
        env = "CAIRN_TLS_KEY",
        value_name = "PATH",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// Log filter, in `tracing`'s syntax (`info`, `warn,cairn::request=off`, …).
    #[arg(
        long = "log",
        env = "CAIRN_LOG",
        value_name = "FILTER",
        default_value = DEFAULT_LOG_FILTER
    )]
    pub log: String,
    /// How log lines are written to stderr: `human` or `json` (one object per line).
    #[arg(long, env = "CAIRN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    /// Append one JSON line per request (who, what, the decision and its statements) to this
    /// file.
    #[arg(long, env = "CAIRN_AUDIT_LOG", value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
    /// On SIGTERM, how long requests in flight may take to finish before they are cut.
    #[arg(long, env = "CAIRN_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
    pub shutdown_grace_secs: u64,
    /// Connections served at once; further clients wait to be accepted.
    #[arg(long, env = "CAIRN_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,
    /// A client must send a request's headers within this many seconds.
    #[arg(long, env = "CAIRN_HEADER_READ_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,
    /// A request body that sends nothing for this many seconds fails with RequestTimeout.
    #[arg(long, env = "CAIRN_BODY_IDLE_TIMEOUT_SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub body_idle_timeout_secs: u64,
    /// Largest request head (request line and headers), in bytes; larger is refused (431).
    #[arg(long, env = "CAIRN_MAX_HEADER_BYTES", default_value_t = 65536,
          value_parser = clap::value_parser!(u64).range(8192..=16_777_216))]
    pub max_header_bytes: u64,
    /// How often server access logs are delivered to their target buckets (also on shutdown).
    #[arg(long, env = "CAIRN_ACCESS_LOG_FLUSH_SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub access_log_flush_secs: u64,
}

/// Request lines (`cairn::request`) and warnings; s3s's own logs are off (its debug output
/// includes computed signatures).
pub const DEFAULT_LOG_FILTER: &str = "warn,s3s=off,cairn::request=info";

/// The format of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

impl ServerConfig {
    /// The TLS certificate and key, when HTTPS is on. One without the other is an error (clap's
    /// `requires` does not see values that come from a configuration file).
    pub fn tls_files(&self) -> anyhow::Result<Option<(&Path, &Path)>> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(Some((cert, key))),
            (None, None) => Ok(None),
            _ => anyhow::bail!("--tls-cert and --tls-key go together"),
        }
    }

    /// The listener's bounds.
    pub fn limits(&self) -> crate::listener::Limits {
        use std::time::Duration;
        crate::listener::Limits {
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs),
            body_idle_timeout: Duration::from_secs(self.body_idle_timeout_secs),
            max_header_bytes: usize::try_from(self.max_header_bytes).unwrap_or(usize::MAX),
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
        }
    }

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

/// One setting of a `--config` file: the argument's id (the long flag with `_` for `-`) and
/// its values (several for a repeatable option such as `oidc-jwks`).
pub type FileSetting = (String, Vec<String>);

/// Reads a `--config` TOML file: top-level keys named as the long flags (`max-connections` or
/// `max_connections`), with string, integer, boolean or (for repeatable options) array values.
pub fn read_file(path: &Path) -> anyhow::Result<Vec<FileSetting>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the configuration file {}", path.display()))?;
    parse_file(&text).with_context(|| format!("in the configuration file {}", path.display()))
}

fn parse_file(text: &str) -> anyhow::Result<Vec<FileSetting>> {
    fn scalar(key: &str, v: &toml::Value) -> anyhow::Result<String> {
        Ok(match v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Float(f) => f.to_string(),
            _ => anyhow::bail!("`{key}`: a string, number or boolean is expected"),
        })
    }
    let table: toml::Table = text.parse()?;
    table
        .iter()
        .map(|(key, value)| {
            let values = match value {
                toml::Value::Array(items) => items
                    .iter()
                    .map(|v| scalar(key, v))
                    .collect::<anyhow::Result<_>>()?,
                v => vec![scalar(key, v)?],
            };
            Ok((key.replace('-', "_"), values))
        })
        .collect()
}

/// The `server` command with a configuration file's settings as its defaults, so that flags
/// and environment variables still win over the file (clap prefers both to a default).
/// Unknown keys are an error, as a typo would otherwise be silently ignored.
pub fn with_file_defaults(
    mut cmd: clap::Command,
    settings: &[FileSetting],
) -> anyhow::Result<clap::Command> {
    for (id, values) in settings {
        let known = cmd
            .get_arguments()
            .any(|a| a.get_id() == id.as_str() && a.get_long().is_some());
        anyhow::ensure!(
            known && id != "config",
            "unknown setting `{}`",
            id.replace('_', "-")
        );
        let values: Vec<clap::builder::OsStr> = values.iter().map(|v| v.clone().into()).collect();
        cmd = cmd.mut_arg(id.as_str(), |a| a.default_values(values));
    }
    Ok(cmd)
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
    use clap::{CommandFactory, FromArgMatches, Parser};

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

    /// `args` parsed with `file` as the configuration file.
    fn with_file(file: &str, args: &[&str]) -> anyhow::Result<ServerConfig> {
        let settings = super::parse_file(file)?;
        let cmd = super::with_file_defaults(Cli::command(), &settings)?;
        let argv = std::iter::once("cairn").chain(args.iter().copied());
        let matches = cmd.try_get_matches_from(argv)?;
        Ok(Cli::from_arg_matches(&matches)?.server)
    }

    #[test]
    fn a_config_file_sets_defaults_that_flags_override() {
        let file = r#"
            listen = "127.0.0.1:9443"
            region = "eu-west-3"
            max-connections = 64
            legacy_bucket_defaults = true
            oidc-jwks = ["a.example=/a.json", "b.example=/b.json"]
            log-format = "json"
        "#;
        let c = with_file(file, &[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:9443");
        assert_eq!(c.region, "eu-west-3");
        assert_eq!(c.max_connections, 64);
        assert!(c.legacy_bucket_defaults);
        assert_eq!(c.oidc_pins().len(), 2);
        assert_eq!(c.log_format, super::LogFormat::Json);
        // Untouched settings keep their defaults.
        assert_eq!(c.shutdown_grace_secs, 30);
        // A flag wins over the file.
        let c = with_file(file, &["--region", "ap-south-1", "--max-connections", "8"]).unwrap();
        assert_eq!(c.region, "ap-south-1");
        assert_eq!(c.max_connections, 8);
    }

    #[test]
    fn a_config_file_is_checked() {
        let err = |file: &str| with_file(file, &[]).unwrap_err().to_string();
        assert!(err("regoin = \"x\"").contains("unknown setting `regoin`"));
        assert!(err("config = \"/etc/other.toml\"").contains("unknown setting"));
        assert!(err("[server]\nlisten = \"x\"").contains("a string, number or boolean"));
        // Values go through the flags' own checks.
        assert!(with_file("max-connections = 0", &[]).is_err());
        assert!(with_file("listen = \"not an address\"", &[]).is_err());
        let half = with_file("tls-cert = \"/c.pem\"", &[]).unwrap();
        assert!(half.tls_files().is_err(), "tls-cert needs tls-key");
    }
}
