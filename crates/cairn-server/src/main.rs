//! `cairn`: the Cairn server binary.

use cairn_server::config::{DEFAULT_LOG_FILTER, LogFormat};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cairn",
    version,
    about = "S3-compatible object store with AWS IAM access control"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start-up: the size of the server variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Serve S3 (and IAM/STS) on one endpoint.
    Server(cairn_server::config::ServerConfig),
    /// Manage accounts in the data dir (or the `--meta` database) of a server.
    #[command(subcommand)]
    Account(AccountCommand),
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create an account with its own IAM namespace; prints its id and root keys once.
    Create {
        name: String,
        #[command(flatten)]
        store: cairn_server::config::StoreConfig,
    },
}

/// The command line, with `server --config FILE` (or `CAIRN_CONFIG`) read as defaults beneath
/// flags and environment variables: flag > environment > file > built-in default.
fn parse() -> anyhow::Result<Cli> {
    let matches = Cli::command().get_matches();
    let file = match matches.subcommand() {
        Some(("server", sub)) => sub.get_one::<std::path::PathBuf>("config").cloned(),
        _ => None,
    };
    let Some(file) = file else {
        return Ok(Cli::from_arg_matches(&matches)?);
    };
    let settings = cairn_server::config::read_file(&file)?;
    let cmd = Cli::command();
    let server = cmd
        .find_subcommand("server")
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no server command"))?;
    let server = cairn_server::config::with_file_defaults(server, &settings)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let matches = cmd.mut_subcommand("server", |_| server).get_matches();
    Ok(Cli::from_arg_matches(&matches)?)
}

/// Logs to stderr, as human-readable lines or JSON objects.
fn init_logs(filter: &str, format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let mut filter = EnvFilter::try_new(filter).unwrap_or_else(|e| {
        eprintln!("invalid log filter {filter:?} ({e}); using {DEFAULT_LOG_FILTER:?}");
        EnvFilter::new(DEFAULT_LOG_FILTER)
    });
    // s3s's debug lines print computed signatures: never more than warnings, whatever the filter.
    if let Ok(cap) = "s3s::ops::signature=warn".parse() {
        filter = filter.add_directive(cap);
    }
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Human => logs.init(),
        LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = parse()?;
    match cli.command {
        Command::Server(config) => {
            init_logs(&config.log, config.log_format);
            cairn_server::server::run(config).await
        }
        Command::Account(AccountCommand::Create { name, store }) => {
            init_logs(
                &std::env::var("CAIRN_LOG").unwrap_or_else(|_| "warn".into()),
                LogFormat::Human,
            );
            cairn_server::server::create_account(store, &name).await
        }
    }
}
