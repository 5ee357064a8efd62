//! `cairn-bench null-server`: the client's ceiling. A minimal hyper server (the HTTP stack Cairn
//! uses) that speaks just enough S3 for `run` and stores nothing: a PUT's body is read and
//! dropped and answered with an ETag; a GET answers the size that key was PUT with, from one
//! pre-filled buffer; HEAD, DELETE, CreateBucket and a first ListObjectsV2 page answer from a
//! key → size index in memory. No authentication, no hashing, no disk.

use crate::body::{Repeat, random_bytes};
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Either, Empty, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

type Body = Either<Either<Full<Bytes>, Repeat>, Empty<Bytes>>;

/// Sizes by "bucket/key"; the only state.
#[derive(Default)]
struct Index(Mutex<BTreeMap<String, u64>>);

impl Index {
    fn get(&self, k: &str) -> Option<u64> {
        self.0.lock().ok()?.get(k).copied()
    }
    fn put(&self, k: String, size: u64) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(k, size);
        }
    }
    fn remove(&self, k: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(k);
        }
    }
    /// The first `max` keys of `bucket` under `prefix`, with sizes.
    fn page(&self, bucket: &str, prefix: &str, max: usize) -> Vec<(String, u64)> {
        let start = format!("{bucket}/{prefix}");
        let Ok(m) = self.0.lock() else {
            return Vec::new();
        };
        m.range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
            .take(max)
            .map(|(k, v)| (k[bucket.len() + 1..].to_string(), *v))
            .collect()
    }
}

const ETAG: &str = "\"d41d8cd98f00b204e9800998ecf8427e\"";

fn empty(status: StatusCode) -> Response<Body> {
    let mut r = Response::new(Either::Right(Empty::new()));
    *r.status_mut() = status;
    r
}

fn xml(text: String) -> Response<Body> {
    let mut r = Response::new(Either::Left(Either::Left(Full::new(Bytes::from(text)))));
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    r
}

fn list_page(index: &Index, bucket: &str, query: &str) -> Response<Body> {
    let mut prefix = String::new();
    for pair in query.split('&') {
        if let Some(v) = pair.strip_prefix("prefix=") {
            prefix = percent_decode(v);
        }
    }
    let page = index.page(bucket, &prefix, 1000);
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>{bucket}</Name><Prefix>{prefix}</Prefix><KeyCount>{}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>",
        page.len()
    );
    for (k, size) in page {
        s += &format!(
            "<Contents><Key>{k}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>{size}</Size><StorageClass>STANDARD</StorageClass></Contents>"
        );
    }
    s += "</ListBucketResult>";
    xml(s)
}

/// Enough of percent-decoding for the keys `run` writes (`/` arrives as `%2F`).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).and_then(|c| hex(*c)),
            b.get(i + 2).and_then(|c| hex(*c)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn handle(
    req: Request<Incoming>,
    index: Arc<Index>,
    buf: Bytes,
) -> Result<Response<Body>, Infallible> {
    let path = percent_decode(req.uri().path().trim_start_matches('/'));
    let query = req.uri().query().unwrap_or("").to_string();
    let (bucket, key) = path.split_once('/').unwrap_or((&path, ""));
    let (bucket, key) = (bucket.to_string(), key.to_string());
    let method = req.method().clone();
    Ok(match (method, key.is_empty()) {
        (Method::PUT, true) | (Method::HEAD, true) => empty(StatusCode::OK),
        (Method::GET, true) => list_page(&index, &bucket, &query),
        (Method::PUT, false) => {
            // Read and drop the body, counting it.
            let mut body = req.into_body();
            let mut size = 0u64;
            while let Some(frame) = body.frame().await {
                match frame {
                    Ok(f) => size += f.data_ref().map_or(0, |d| d.len() as u64),
                    Err(_) => return Ok(empty(StatusCode::BAD_REQUEST)),
                }
            }
            index.put(path, size);
            let mut r = empty(StatusCode::OK);
            r.headers_mut()
                .insert(http::header::ETAG, http::HeaderValue::from_static(ETAG));
            r
        }
        (m @ (Method::GET | Method::HEAD), false) => match index.get(&path) {
            None => {
                let mut r = xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>".into());
                *r.status_mut() = StatusCode::NOT_FOUND;
                r
            }
            Some(size) => {
                let mut r = if m == Method::HEAD {
                    empty(StatusCode::OK)
                } else if size <= buf.len() as u64 {
                    Response::new(Either::Left(Either::Left(Full::new(
                        buf.slice(0..size as usize),
                    ))))
                } else {
                    Response::new(Either::Left(Either::Right(Repeat::new(
                        buf.clone(),
                        1 << 20,
                        size,
                    ))))
                };
                let h = r.headers_mut();
                h.insert(http::header::ETAG, http::HeaderValue::from_static(ETAG));
                h.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(size));
                r
            }
        },
        (Method::DELETE, false) => {
            index.remove(&path);
            empty(StatusCode::NO_CONTENT)
        }
        _ => empty(StatusCode::METHOD_NOT_ALLOWED),
    })
}

/// Serves on `listen` (port 0 picks one) until killed; prints `null-server listening on URL`.
pub async fn serve(listen: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("null-server listening on http://{}", listener.local_addr()?);
    let index = Arc::new(Index::default());
    let buf = random_bytes(64 << 20);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let (index, buf) = (index.clone(), buf.clone());
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req| handle(req, index.clone(), buf.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_the_sdk_encodes() {
        assert_eq!(percent_decode("4KiB%2F12"), "4KiB/12");
        assert_eq!(percent_decode("a%2"), "a%2");
    }
}
