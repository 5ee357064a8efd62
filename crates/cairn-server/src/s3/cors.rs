//! CORS: bucket rules (Put/Get/DeleteBucketCors), preflight `OPTIONS` answered from them, and
//! the `Access-Control-*` headers added to matching requests (S3 User Guide, "Using CORS").

use super::CairnS3;
use crate::s3::error::meta_err;
use crate::state::State;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use serde::{Deserialize, Serialize};

const CORS: &str = "cors";
/// AWS allows at most 100 rules.
const MAX_RULES: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    #[serde(default)]
    pub id: Option<String>,
    pub allowed_methods: Vec<String>,
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub allowed_headers: Vec<String>,
    #[serde(default)]
    pub expose_headers: Vec<String>,
    #[serde(default)]
    pub max_age_seconds: Option<i32>,
}

/// `*` matches any run of characters (a rule may hold one wildcard), case-insensitively for
/// headers.
fn wildcard(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let (p, v) = if ignore_case {
        (pattern.to_ascii_lowercase(), value.to_ascii_lowercase())
    } else {
        (pattern.to_string(), value.to_string())
    };
    match p.split_once('*') {
        None => p == v,
        Some((head, tail)) => {
            v.len() >= head.len() + tail.len() && v.starts_with(head) && v.ends_with(tail)
        }
    }
}

impl Rule {
    fn allows(&self, origin: &str, method: &str, headers: &[String]) -> bool {
        self.allowed_origins
            .iter()
            .any(|o| wildcard(o, origin, false))
            && self.allowed_methods.iter().any(|m| m == method)
            && headers
                .iter()
                .all(|h| self.allowed_headers.iter().any(|a| wildcard(a, h, true)))
    }
}

/// The first rule that admits this origin, method and request headers.
pub fn find<'a>(
    rules: &'a [Rule],
    origin: &str,
    method: &str,
    headers: &[String],
) -> Option<&'a Rule> {
    rules.iter().find(|r| r.allows(origin, method, headers))
}

pub async fn load(state: &State, bucket: &str) -> Option<Vec<Rule>> {
    let doc = state.meta.get_bucket_config(bucket, CORS).await.ok()??;
    serde_json::from_str(&doc).ok()
}

/// Adds the response headers of a matching rule.
pub fn decorate(headers: &mut HeaderMap, rule: &Rule, origin: &str, preflight: Option<&[String]>) {
    let any_origin = rule.allowed_origins.iter().any(|o| o == "*");
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    };
    set(
        "access-control-allow-origin",
        if any_origin {
            "*".into()
        } else {
            origin.to_string()
        },
    );
    set(
        "access-control-allow-methods",
        rule.allowed_methods.join(", "),
    );
    if !any_origin {
        set("access-control-allow-credentials", "true".into());
        set(
            "vary",
            "Origin, Access-Control-Request-Headers, Access-Control-Request-Method".into(),
        );
    }
    if !rule.expose_headers.is_empty() {
        set(
            "access-control-expose-headers",
            rule.expose_headers.join(", "),
        );
    }
    if let Some(age) = rule.max_age_seconds {
        set("access-control-max-age", age.to_string());
    }
    if let Some(requested) = preflight
        && !requested.is_empty()
    {
        set("access-control-allow-headers", requested.join(", "));
    }
}

/// Answers a preflight `OPTIONS` for `bucket` from its rules.
pub async fn preflight(
    state: &State,
    bucket: Option<&str>,
    headers: &HeaderMap,
) -> Response<s3s::Body> {
    let get = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let forbidden = |msg: &str| {
        let mut e = s3s::S3Error::with_message(
            s3s::S3ErrorCode::Custom("AccessForbidden".into()),
            msg.to_string(),
        );
        e.set_status_code(StatusCode::FORBIDDEN);
        e.to_http_response()
            .unwrap_or_else(|_| Response::new(s3s::Body::empty()))
    };
    let (Some(origin), Some(method)) = (get("origin"), get("access-control-request-method")) else {
        let mut resp = forbidden("Insufficient information. Origin request header needed.");
        *resp.status_mut() = StatusCode::BAD_REQUEST;
        return resp;
    };
    let requested: Vec<String> = get("access-control-request-headers")
        .map(|h| {
            h.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let Some(rules) = (match bucket {
        Some(b) => load(state, b).await,
        None => None,
    }) else {
        return forbidden("CORSResponse: CORS is not enabled for this bucket.");
    };
    match find(&rules, &origin, &method, &requested) {
        Some(rule) => {
            let mut resp = Response::new(s3s::Body::empty());
            decorate(resp.headers_mut(), rule, &origin, Some(&requested));
            resp
        }
        None => forbidden(
            "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        ),
    }
}

/// Whether a request is a CORS preflight. S3 has no other OPTIONS operation, so every OPTIONS is
/// answered as one (without an Origin it is a 400, as on AWS).
pub fn is_preflight(method: &Method) -> bool {
    method == Method::OPTIONS
}

impl CairnS3 {
    pub(super) async fn do_put_bucket_cors(
        &self,
        req: S3Request<PutBucketCorsInput>,
    ) -> S3Result<S3Response<PutBucketCorsOutput>> {
        let rules = req.input.cors_configuration.cors_rules;
        if rules.is_empty() || rules.len() > MAX_RULES {
            return Err(s3_error!(
                MalformedXML,
                "A CORS configuration must have between 1 and 100 rules"
            ));
        }
        const METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "HEAD"];
        let mut stored = Vec::new();
        for r in rules {
            if let Some(bad) = r
                .allowed_methods
                .iter()
                .find(|m| !METHODS.contains(&m.as_str()))
            {
                return Err(s3_error!(
                    InvalidRequest,
                    "Found unsupported HTTP method in CORS config. Unsupported method is {bad}"
                ));
            }
            if r.allowed_origins.iter().any(|o| o.matches('*').count() > 1) {
                return Err(s3_error!(
                    InvalidRequest,
                    "AllowedOrigin can not have more than one wildcard."
                ));
            }
            stored.push(Rule {
                id: r.id,
                allowed_methods: r.allowed_methods,
                allowed_origins: r.allowed_origins,
                allowed_headers: r.allowed_headers.unwrap_or_default(),
                expose_headers: r.expose_headers.unwrap_or_default(),
                max_age_seconds: r.max_age_seconds,
            });
        }
        let doc = serde_json::to_string(&stored).map_err(|_| s3_error!(InternalError))?;
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, CORS, Some(&doc))
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(PutBucketCorsOutput {}))
    }

    pub(super) async fn do_get_bucket_cors(
        &self,
        req: S3Request<GetBucketCorsInput>,
    ) -> S3Result<S3Response<GetBucketCorsOutput>> {
        self.bucket(&req.input.bucket).await?;
        let rules = load(&self.state, &req.input.bucket).await.ok_or_else(|| {
            s3_error!(
                NoSuchCORSConfiguration,
                "The CORS configuration does not exist"
            )
        })?;
        Ok(S3Response::new(GetBucketCorsOutput {
            cors_rules: Some(
                rules
                    .into_iter()
                    .map(|r| CORSRule {
                        id: r.id,
                        allowed_methods: r.allowed_methods,
                        allowed_origins: r.allowed_origins,
                        allowed_headers: (!r.allowed_headers.is_empty())
                            .then_some(r.allowed_headers),
                        expose_headers: (!r.expose_headers.is_empty()).then_some(r.expose_headers),
                        max_age_seconds: r.max_age_seconds,
                    })
                    .collect(),
            ),
        }))
    }

    pub(super) async fn do_delete_bucket_cors(
        &self,
        req: S3Request<DeleteBucketCorsInput>,
    ) -> S3Result<S3Response<DeleteBucketCorsOutput>> {
        self.state
            .meta
            .put_bucket_config(&req.input.bucket, CORS, None)
            .await
            .map_err(meta_err)?;
        Ok(S3Response::new(DeleteBucketCorsOutput {}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(origins: &[&str], methods: &[&str], headers: &[&str]) -> Rule {
        Rule {
            id: None,
            allowed_methods: methods.iter().map(|s| s.to_string()).collect(),
            allowed_origins: origins.iter().map(|s| s.to_string()).collect(),
            allowed_headers: headers.iter().map(|s| s.to_string()).collect(),
            expose_headers: vec![],
            max_age_seconds: None,
        }
    }

    #[test]
    fn rules_match_origin_method_and_headers() {
        let rules = [rule(
            &["https://*.example.com"],
            &["GET", "PUT"],
            &["x-amz-*", "content-type"],
        )];
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(
            find(
                &rules,
                "https://app.example.com",
                "PUT",
                &h(&["content-type", "x-amz-date"])
            )
            .is_some()
        );
        assert!(find(&rules, "https://app.example.com", "DELETE", &[]).is_none());
        assert!(find(&rules, "https://evil.com", "GET", &[]).is_none());
        assert!(
            find(
                &rules,
                "https://app.example.com",
                "GET",
                &h(&["authorization"])
            )
            .is_none()
        );
        let any = [rule(&["*"], &["GET"], &[])];
        assert!(find(&any, "http://localhost:3000", "GET", &[]).is_some());
    }
}
