//! Aggregate throughput of several nodes on one PostgreSQL database and one data dir.

use super::{KEY, SECRET, s3, start_server_in};
use aws_sdk_s3::Client;
use sqlx::Connection;
use std::time::{Duration, Instant};

/// Keys per client task that the GET phase reads (written before timing starts).
const READ_KEYS: u64 = 20;

/// A fresh database on the test server; returns (admin URL, its name, its URL).
async fn fresh_database() -> anyhow::Result<(String, String, String)> {
    let base = std::env::var("CAIRN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let name = format!("cairn_bench_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&base).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let url = format!("{}/{name}", &base[..base.rfind('/').unwrap_or(base.len())]);
    Ok((base, name, url))
}

async fn drop_database(base: &str, name: &str) -> anyhow::Result<()> {
    let mut admin = sqlx::PgConnection::connect(base).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    Ok(())
}

/// `concurrency` tasks, task `i` talking to node `i % nodes`, for `secs`: ops/s of `op`.
async fn phase(clients: &[Client], secs: u64, concurrency: usize, put: bool) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let body = bytes::Bytes::from(vec![7u8; 4096]);
    let tasks: Vec<_> = (0..concurrency)
        .map(|i| {
            let c = clients[i % clients.len()].clone();
            let body = body.clone();
            tokio::spawn(async move {
                let mut done = 0u64;
                let mut n = 0u64;
                while Instant::now() < deadline {
                    // PUTs overwrite a task's 1,000 keys; GETs read the first READ_KEYS, which
                    // `measure` wrote before timing.
                    let key = format!("t{i}/k{}", n % if put { 1000 } else { READ_KEYS });
                    n += 1;
                    let ok = if put {
                        c.put_object()
                            .bucket("bench")
                            .key(&key)
                            .body(body.clone().into())
                            .send()
                            .await
                            .is_ok()
                    } else {
                        match c.get_object().bucket("bench").key(&key).send().await {
                            Ok(out) => out.body.collect().await.is_ok(),
                            Err(_) => false,
                        }
                    };
                    done += u64::from(ok);
                }
                done
            })
        })
        .collect();
    let mut total = 0u64;
    for t in tasks {
        total += t.await.unwrap_or(0);
    }
    total as f64 / secs as f64
}

/// Runs the PUT then GET phase against `endpoints`; returns (PUT ops/s, GET ops/s).
async fn measure(
    endpoints: &[String],
    secs: u64,
    concurrency: usize,
) -> anyhow::Result<(f64, f64)> {
    let clients: Vec<Client> = endpoints.iter().map(|e| s3(e, KEY, SECRET)).collect();
    clients[0].create_bucket().bucket("bench").send().await?;
    for i in 0..concurrency {
        for k in 0..READ_KEYS {
            clients[0]
                .put_object()
                .bucket("bench")
                .key(format!("t{i}/k{k}"))
                .body(vec![7u8; 4096].into())
                .send()
                .await?;
        }
    }
    let put = phase(&clients, secs, concurrency, true).await;
    let get = phase(&clients, secs, concurrency, false).await;
    Ok((put, get))
}

pub async fn nodes(max: usize, secs: u64, concurrency: usize) -> anyhow::Result<()> {
    println!("4 KiB objects, {concurrency} client tasks spread over the nodes, {secs} s per phase");
    println!("{:<28} {:>10} {:>10}", "setup", "PUT/s", "GET/s");
    {
        let dir = tempfile::tempdir()?;
        let (mut child, endpoint) = start_server_in(dir.path(), &[])?;
        let (put, get) = measure(&[endpoint], secs, concurrency).await?;
        println!("{:<28} {put:>10.0} {get:>10.0}", "1 node, SQLite");
        let _ = child.kill();
    }
    for n in 1..=max {
        let (base, name, url) = fresh_database().await?;
        let dir = tempfile::tempdir()?;
        let mut children = Vec::new();
        let mut endpoints = Vec::new();
        for _ in 0..n {
            let (child, endpoint) = start_server_in(dir.path(), &["--meta", &url])?;
            children.push(child);
            endpoints.push(endpoint);
        }
        let (put, get) = measure(&endpoints, secs, concurrency).await?;
        println!(
            "{:<28} {put:>10.0} {get:>10.0}",
            format!("{n} node(s), PostgreSQL")
        );
        for mut c in children {
            let _ = c.kill();
            let _ = c.wait();
        }
        drop_database(&base, &name).await?;
    }
    Ok(())
}
