//! Starting Cairn: open the stores, bootstrap the first account, wire the request path, serve.

use crate::access::CairnAccess;
use crate::auth::KeyAuth;
use crate::bootstrap::bootstrap;
use crate::config::{ServerConfig, master_key_from_env, root_keys_from_env};
use crate::crypto::MasterKey;
use crate::host::BaseDomain;
use crate::router::Router;
use crate::s3::CairnS3;
use crate::state::AppState;
use anyhow::Context;
use cairn_blob::{BlobStore, LocalDir};
use cairn_meta::{MetaStore, SqlMeta};
use s3s::service::S3ServiceBuilder;
use std::sync::Arc;
use tokio::net::TcpListener;

async fn open_meta(
    data_dir: &std::path::Path,
    url: Option<&str>,
) -> anyhow::Result<Arc<dyn MetaStore>> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating data dir {}", data_dir.display()))?;
    Ok(Arc::new(match url {
        Some(url) => SqlMeta::connect(url)
            .await
            .context("connecting to the metadata database")?,
        None => SqlMeta::open_sqlite(data_dir)
            .await
            .context("opening the SQLite metadata")?,
    }))
}

/// `cairn account create NAME`: works beside a running server (SQLite waits for its writer).
pub async fn create_account(store: crate::config::StoreConfig, name: &str) -> anyhow::Result<()> {
    let meta = open_meta(&store.data_dir, store.meta.as_deref()).await?;
    let (master, _) = MasterKey::resolve(
        master_key_from_env().as_deref(),
        store.master_key_file.as_deref(),
        &store.data_dir,
    )
    .context("loading the master key")?;
    let (account, id, secret) =
        crate::bootstrap::create_account(meta.as_ref(), &master, name).await?;
    println!(
        "Created account {} ({name})\n  AWS_ACCESS_KEY_ID={id}\n  AWS_SECRET_ACCESS_KEY={secret}",
        account.id
    );
    Ok(())
}

/// Opens everything and serves until the process ends.
pub async fn run(config: ServerConfig) -> anyhow::Result<()> {
    let meta = open_meta(&config.data_dir, config.meta.as_deref()).await?;
    // The one place the blob backend is chosen: the data dir's `blobs/` (the request path sees
    // only `BlobStore`). A data dir shared by several nodes keeps their uploads in progress.
    let shared = config.meta.is_some();
    let local = if shared {
        LocalDir::open_shared(&config.data_dir, crate::sweep::MARGIN).await
    } else {
        LocalDir::open(&config.data_dir).await
    };
    let blobs = BlobStore::new(Arc::new(local.context("opening the blob store")?));
    let (master, source) = MasterKey::resolve(
        master_key_from_env().as_deref(),
        config.master_key_file.as_deref(),
        &config.data_dir,
    )
    .context("loading the master key")?;
    if let crate::crypto::KeySource::Generated(path) = &source {
        println!(
            "Generated a master key in {} (keep it safe: without it, secrets and encrypted objects are unreadable; see CAIRN_MASTER_KEY / --master-key-file)",
            path.display()
        );
    }
    let boot = bootstrap(
        meta.as_ref(),
        &master,
        &config.data_dir,
        root_keys_from_env(),
    )
    .await?;
    if let Some((id, secret)) = &boot.generated_keys {
        println!(
            "Created account {} with root access key\n  AWS_ACCESS_KEY_ID={id}\n  AWS_SECRET_ACCESS_KEY={secret}\n(also written once to {})",
            boot.account.id,
            config.data_dir.join("root-credentials").display()
        );
    }
    let shared_meta = shared;
    let kms =
        crate::kms::KeyService::new(config.kms_keys.iter().cloned()).map_err(anyhow::Error::msg)?;
    let state = Arc::new(AppState {
        kms,
        meta,
        blobs,
        master,
        region: config.region.clone(),
        default_encryption: !config.no_default_encryption,
        legacy_bucket_defaults: config.legacy_bucket_defaults,
        policies: Default::default(),
        access_logs: Default::default(),
        // With a shared database the caches follow the database's counter (see generation.rs).
        iam_generation: if shared_meta {
            crate::authz::generation::Generation::shared()
        } else {
            crate::authz::generation::Generation::local()
        },
        shared_meta,
        keys: Default::default(),
        unknown_keys: Default::default(),
        loaded: Default::default(),
        last_used: Default::default(),
        oidc_keys: Arc::new(crate::sts::web_identity::IssuerKeys::new(
            config.oidc_pins(),
        )),
    });

    let mut builder = S3ServiceBuilder::new(CairnS3 {
        state: state.clone(),
    });
    builder.set_auth(KeyAuth {
        state: state.clone(),
    });
    builder.set_route(crate::s3::account_bpa::AccountBpaRoute {
        state: state.clone(),
    });
    builder.set_access(CairnAccess {
        state: state.clone(),
    });
    let host = match &config.domain {
        Some(domain) => {
            builder.set_host(BaseDomain {
                domain: domain.clone(),
            });
            Some(BaseDomain {
                domain: domain.clone(),
            })
        }
        None => None,
    };
    let audit = match &config.audit_log {
        Some(path) => Some(Arc::new(
            crate::audit::AuditLog::open(path)
                .with_context(|| format!("opening the audit log {}", path.display()))?,
        )),
        None => None,
    };
    let router = Arc::new(Router {
        state: state.clone(),
        s3: builder.build(),
        host,
        audit: audit.clone(),
    });
    let tls = match config.tls_files()? {
        Some((cert, key)) => Some(crate::tls::acceptor(cert, key)?),
        None => None,
    };

    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    println!(
        "cairn listening on {}://{} (account {})",
        if tls.is_some() { "https" } else { "http" },
        listener.local_addr()?,
        boot.account.id
    );
    // Background work one node at a time does runs under a lease in the database.
    let node = uuid::Uuid::new_v4().simple().to_string();
    // Orphaned blobs from earlier crashes go, in the background, shortly after start-up.
    let sweeper = state.clone();
    let started = std::time::SystemTime::now();
    let sweep_node = node.clone();
    let lifecycle_node = node.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        // Nodes sharing a data dir take turns under a lease; a lone node needs none (a lease its
        // own killed predecessor took must not hold the sweep off for the lease's lifetime).
        if shared {
            let ttl = i64::try_from(crate::sweep::MARGIN.as_millis()).unwrap_or(i64::MAX);
            match sweeper
                .meta
                .try_lease("orphan-sweep", &sweep_node, crate::time::now_ms(), ttl)
                .await
            {
                Ok(true) => {}
                Ok(false) => return tracing::info!("another node is sweeping orphaned blobs"),
                Err(e) => return tracing::warn!(err = %e, "orphan sweep lease unavailable"),
            }
        }
        // A node alone on its data dir has nothing in flight from before its start; nodes that
        // share one may have, so only files older than the margin go.
        let margin = if shared {
            crate::sweep::MARGIN
        } else {
            std::time::Duration::ZERO
        };
        let cutoff = started.checked_sub(margin).unwrap_or(std::time::UNIX_EPOCH);
        match crate::sweep::sweep(&sweeper, cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "removed orphaned blobs"),
            Err(e) => tracing::warn!(err = %e, "orphan sweep failed"),
        }
    });
    // Expired sessions are forgotten a day after expiry (until then they answer ExpiredToken).
    let purger = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let now = crate::time::now_ms();
            if !matches!(
                purger
                    .meta
                    .try_lease("session-purge", &node, now, 3_000_000)
                    .await,
                Ok(true)
            ) {
                continue;
            }
            let day_ago = now / 1000 - 86_400;
            if let Err(e) = purger.meta.delete_expired_sessions(day_ago).await {
                tracing::warn!(err = %e, "purging expired sessions failed");
            }
        }
    });
    // Lifecycle rules are applied by one node at a time, every interval.
    let lifecycle = CairnS3 {
        state: state.clone(),
    };
    tokio::spawn(async move {
        let every = crate::s3::lifecycle_run::interval();
        let clock = crate::s3::lifecycle_rules::Clock::from_env();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match lifecycle.lifecycle_pass(&lifecycle_node, &clock).await {
                Ok(Some(t)) if t != Default::default() => tracing::info!(
                    expired = t.expired,
                    noncurrent = t.noncurrent_removed,
                    markers = t.markers_removed,
                    uploads = t.uploads_aborted,
                    "lifecycle pass"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(err = %e, "lifecycle pass failed"),
            }
        }
    });
    // Access logs go out in batches, and once more on shutdown.
    let flusher = CairnS3 {
        state: state.clone(),
    };
    let every = config.access_log_flush_secs;
    let periodic = CairnS3 {
        state: state.clone(),
    };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every.max(1)));
        tick.tick().await;
        loop {
            tick.tick().await;
            periodic.flush_access_logs().await;
        }
    });
    crate::listener::serve(
        listener,
        router,
        tls,
        config.limits(),
        crate::listener::shutdown_signal(),
    )
    .await;
    flusher.flush_access_logs().await;
    if let Some(audit) = audit {
        audit.close();
    }
    Ok(())
}
