//! Account-level Block Public Access through the S3 Control API
//! (`/v20180820/configuration/publicAccessBlock`, account in `x-amz-account-id`). The effective
//! setting of a bucket is the bucket's OR its owner account's.

use super::public_access::Bpa;
use crate::authz::{AuthzRequest, check};
use crate::principal::Principal;
use crate::state::State;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, Uri};
use hyper::http::Extensions;
use s3s::route::S3Route;
use s3s::{Body, S3Error, S3ErrorCode, S3Request, S3Response, S3Result, s3_error};

const PATH: &str = "/v20180820/configuration/publicAccessBlock";
const NAMESPACE: &str = "http://awss3control.amazonaws.com/doc/2018-08-20/";

fn setting_name(account: &str) -> String {
    format!("account-public-access-block:{account}")
}

/// The account's settings (all off when none are set).
pub async fn load(state: &State, account: &str) -> Bpa {
    match state.meta.get_setting(&setting_name(account)).await {
        Ok(Some(doc)) => serde_json::from_str(&doc).unwrap_or_default(),
        _ => Bpa::default(),
    }
}

/// The S3 Control route, served inside s3s so its SigV4 check applies.
pub struct AccountBpaRoute {
    pub state: State,
}

fn tag(xml: &str, name: &str) -> Option<bool> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].trim().eq_ignore_ascii_case("true"))
}

fn xml_response(status: StatusCode, body: String) -> S3Response<Body> {
    let mut resp = S3Response::new(Body::from(body));
    resp.status = Some(status);
    resp.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    resp
}

#[async_trait::async_trait]
impl S3Route for AccountBpaRoute {
    fn is_match(
        &self,
        _method: &Method,
        uri: &Uri,
        _headers: &HeaderMap,
        _ext: &mut Extensions,
    ) -> bool {
        uri.path() == PATH
    }

    async fn call(&self, req: S3Request<Body>) -> S3Result<S3Response<Body>> {
        let creds = req
            .credentials
            .as_ref()
            .ok_or_else(|| s3_error!(AccessDenied, "Access Denied"))?;
        let principal = crate::auth::authenticate(
            &self.state,
            &creds.access_key,
            &req.headers,
            req.uri.query(),
        )
        .await?
        .principal
        .clone();
        let account = req
            .headers
            .get("x-amz-account-id")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| s3_error!(InvalidRequest, "Missing x-amz-account-id header"))?
            .to_string();
        if principal.account_id() != Some(account.as_str()) {
            return Err(s3_error!(AccessDenied, "Access Denied"));
        }
        let action = match req.method {
            Method::GET => "s3:GetAccountPublicAccessBlock",
            Method::PUT | Method::DELETE => "s3:PutAccountPublicAccessBlock",
            _ => {
                return Err(s3_error!(
                    MethodNotAllowed,
                    "The specified method is not allowed against this resource."
                ));
            }
        };
        authorize(&self.state, &principal, action).await?;
        match req.method {
            Method::GET => {
                let doc = self
                    .state
                    .meta
                    .get_setting(&setting_name(&account))
                    .await
                    .ok()
                    .flatten()
                    .filter(|d| !d.is_empty())
                    .ok_or_else(|| {
                        let mut e = S3Error::with_message(
                            S3ErrorCode::Custom("NoSuchPublicAccessBlockConfiguration".into()),
                            "The public access block configuration was not found",
                        );
                        e.set_status_code(StatusCode::NOT_FOUND);
                        e
                    })?;
                let b: Bpa = serde_json::from_str(&doc).unwrap_or_default();
                Ok(xml_response(
                    StatusCode::OK,
                    format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><PublicAccessBlockConfiguration xmlns=\"{NAMESPACE}\"><BlockPublicAcls>{}</BlockPublicAcls><IgnorePublicAcls>{}</IgnorePublicAcls><BlockPublicPolicy>{}</BlockPublicPolicy><RestrictPublicBuckets>{}</RestrictPublicBuckets></PublicAccessBlockConfiguration>",
                        b.block_public_acls,
                        b.ignore_public_acls,
                        b.block_public_policy,
                        b.restrict_public_buckets
                    ),
                ))
            }
            Method::PUT => {
                let mut body = req.input;
                let bytes: Bytes = body.store_all_limited(64 * 1024).await.map_err(|_| {
                    s3_error!(MalformedXML, "The XML you provided was not well-formed")
                })?;
                let xml = String::from_utf8_lossy(&bytes);
                if !xml.contains("PublicAccessBlockConfiguration") {
                    return Err(s3_error!(
                        MalformedXML,
                        "The XML you provided was not well-formed"
                    ));
                }
                let b = Bpa {
                    block_public_acls: tag(&xml, "BlockPublicAcls").unwrap_or(false),
                    ignore_public_acls: tag(&xml, "IgnorePublicAcls").unwrap_or(false),
                    block_public_policy: tag(&xml, "BlockPublicPolicy").unwrap_or(false),
                    restrict_public_buckets: tag(&xml, "RestrictPublicBuckets").unwrap_or(false),
                };
                self.state
                    .meta
                    .put_setting(&setting_name(&account), &b.to_json())
                    .await
                    .map_err(crate::s3::error::meta_err)?;
                Ok(xml_response(StatusCode::OK, String::new()))
            }
            _ => {
                self.state
                    .meta
                    .put_setting(&setting_name(&account), "")
                    .await
                    .map_err(crate::s3::error::meta_err)?;
                Ok(xml_response(StatusCode::NO_CONTENT, String::new()))
            }
        }
    }
}

async fn authorize(state: &State, principal: &Principal, action: &str) -> S3Result<()> {
    check(
        state,
        AuthzRequest {
            principal,
            action,
            resource: "*",
            resource_account: principal.account_id(),
            resource_policy: None,
            context: vec![],
            object: None,
            resource_policy_required: false,
        },
    )
    .await
    .map(|_| ())
    .map_err(|d| s3_error!(AccessDenied, "{}", d.message))
}
