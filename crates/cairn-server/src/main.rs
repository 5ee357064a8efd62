//! `cairn`: the Cairn server binary.

use clap::{Parser, Subcommand};

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CAIRN_LOG")
                .unwrap_or_else(|_| "warn,s3s=off".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Server(config) => cairn_server::server::run(config).await,
        Command::Account(AccountCommand::Create { name, store }) => {
            cairn_server::server::create_account(store, &name).await
        }
    }
}
