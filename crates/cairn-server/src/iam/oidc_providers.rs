//! IAM OpenID Connect providers: the issuers whose ID tokens AssumeRoleWithWebIdentity accepts
//! for this account, each with the client ids (`aud`) it admits.

use super::users::{check_tags, merge_tags};
use super::{Ctx, IamResult, meta_err, validation};
use crate::query::QueryError;
use crate::query::xml::{Xml, iso8601};
use crate::time::now_ms;
use cairn_meta::{MetaError, OidcProvider};
use http::StatusCode;

const MAX_CLIENT_IDS: usize = 100;
const MAX_THUMBPRINTS: usize = 5;

/// `https://host/path` → `host/path`, as provider ARNs and GetOpenIDConnectProvider show it.
fn provider_url(url: &str) -> Result<String, QueryError> {
    let rest = url.strip_prefix("https://").ok_or_else(|| {
        QueryError::bad_request("InvalidInput", "Invalid URL: the scheme must be https")
    })?;
    let rest = rest.trim_end_matches('/');
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty()
        || url.len() > 255
        || rest.contains(['?', '#', ' '])
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c))
    {
        return Err(QueryError::bad_request(
            "InvalidInput",
            format!("Invalid URL: {url}"),
        ));
    }
    Ok(rest.to_string())
}

fn check_client_id(id: &str) -> Result<(), QueryError> {
    if id.is_empty() || id.chars().count() > 255 {
        return Err(validation(
            id,
            "clientIDList.member",
            "Member must have length less than or equal to 255",
        ));
    }
    Ok(())
}

fn check_thumbprints(list: &[String]) -> Result<(), QueryError> {
    if list.len() > MAX_THUMBPRINTS {
        return Err(QueryError::bad_request(
            "InvalidInput",
            "Thumbprint list must contain fewer than 5 entries.",
        ));
    }
    for t in list {
        if t.len() != 40 || !t.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(validation(
                t,
                "thumbprintList.member",
                "Member must have length greater than or equal to 40",
            ));
        }
    }
    Ok(())
}

fn not_found(arn: &str) -> QueryError {
    QueryError::new(
        StatusCode::NOT_FOUND,
        "NoSuchEntity",
        format!("OpenIDConnect Provider not found for arn {arn}"),
    )
}

/// The named provider, which must belong to the caller's account.
async fn provider(cx: &Ctx<'_>, action: &str) -> Result<OidcProvider, QueryError> {
    let arn = cx.required("OpenIDConnectProviderArn")?;
    cx.authorize(action, arn).await?;
    let found = cx
        .state
        .meta
        .get_oidc_provider(arn)
        .await
        .map_err(|e| meta_err(e, "OpenIDConnect provider"))?;
    found
        .filter(|p| p.account_id == cx.account_id)
        .ok_or_else(|| not_found(arn))
}

async fn save(cx: &Ctx<'_>, p: &OidcProvider) -> Result<(), QueryError> {
    cx.state
        .meta
        .update_oidc_provider(p)
        .await
        .map_err(|e| match e {
            MetaError::NoSuchEntity => not_found(&p.arn),
            e => meta_err(e, "OpenIDConnect provider"),
        })
}

fn render_tags(x: &mut Xml, tags: &[(String, String)]) {
    x.members("Tags", tags, |x, (k, v)| {
        x.leaf("Key", k).leaf("Value", v);
    });
}

pub async fn create(cx: &Ctx<'_>) -> IamResult {
    let url = cx.required("Url")?;
    let host_path = provider_url(url)?;
    let arn = format!("arn:aws:iam::{}:oidc-provider/{host_path}", cx.account_id);
    let client_ids = cx.params.list("ClientIDList");
    if client_ids.len() > MAX_CLIENT_IDS {
        return Err(QueryError::new(
            StatusCode::CONFLICT,
            "LimitExceeded",
            "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100",
        ));
    }
    client_ids.iter().try_for_each(|c| check_client_id(c))?;
    let thumbprints = cx.params.list("ThumbprintList");
    check_thumbprints(&thumbprints)?;
    let tags = cx.params.tags("Tags");
    check_tags(&tags)?;
    cx.authorize("CreateOpenIDConnectProvider", &arn).await?;
    let mut unique: Vec<String> = Vec::new();
    for c in client_ids {
        if !unique.contains(&c) {
            unique.push(c);
        }
    }
    let p = OidcProvider {
        arn: arn.clone(),
        account_id: cx.account_id.clone(),
        url: host_path,
        client_ids: unique,
        thumbprints,
        tags,
        created: now_ms(),
    };
    cx.state
        .meta
        .create_oidc_provider(&p)
        .await
        .map_err(|e| match e {
            MetaError::AlreadyExists => QueryError::new(
                StatusCode::CONFLICT,
                "EntityAlreadyExists",
                format!("Provider with url {url} already exists."),
            ),
            e => meta_err(e, "OpenIDConnect provider"),
        })?;
    let mut x = Xml::default();
    x.leaf("OpenIDConnectProviderArn", &arn);
    if !p.tags.is_empty() {
        render_tags(&mut x, &p.tags);
    }
    Ok(Some(x))
}

pub async fn get(cx: &Ctx<'_>) -> IamResult {
    let p = provider(cx, "GetOpenIDConnectProvider").await?;
    let mut x = Xml::default();
    x.leaf("Url", &p.url);
    x.members("ClientIDList", &p.client_ids, |x, c| {
        x.leaf_text(c);
    });
    x.members("ThumbprintList", &p.thumbprints, |x, t| {
        x.leaf_text(t);
    });
    x.leaf("CreateDate", &iso8601(p.created));
    render_tags(&mut x, &p.tags);
    Ok(Some(x))
}

pub async fn list(cx: &Ctx<'_>) -> IamResult {
    cx.authorize("ListOpenIDConnectProviders", "*").await?;
    let all = cx
        .state
        .meta
        .list_oidc_providers(&cx.account_id)
        .await
        .map_err(|e| meta_err(e, "OpenIDConnect providers"))?;
    let mut x = Xml::default();
    x.members("OpenIDConnectProviderList", &all, |x, p| {
        x.leaf("Arn", &p.arn);
    });
    Ok(Some(x))
}

pub async fn delete(cx: &Ctx<'_>) -> IamResult {
    let arn = cx.required("OpenIDConnectProviderArn")?;
    cx.authorize("DeleteOpenIDConnectProvider", arn).await?;
    match cx.state.meta.delete_oidc_provider(arn).await {
        // Deleting a provider that does not exist succeeds, as on AWS.
        Ok(()) | Err(MetaError::NoSuchEntity) => Ok(None),
        Err(e) => Err(meta_err(e, "OpenIDConnect provider")),
    }
}

pub async fn add_client_id(cx: &Ctx<'_>) -> IamResult {
    let mut p = provider(cx, "AddClientIDToOpenIDConnectProvider").await?;
    let id = cx.required("ClientID")?;
    check_client_id(id)?;
    if !p.client_ids.iter().any(|c| c == id) {
        if p.client_ids.len() >= MAX_CLIENT_IDS {
            return Err(QueryError::new(
                StatusCode::CONFLICT,
                "LimitExceeded",
                "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100",
            ));
        }
        p.client_ids.push(id.to_string());
        save(cx, &p).await?;
    }
    Ok(None)
}

pub async fn remove_client_id(cx: &Ctx<'_>) -> IamResult {
    let mut p = provider(cx, "RemoveClientIDFromOpenIDConnectProvider").await?;
    let id = cx.required("ClientID")?;
    p.client_ids.retain(|c| c != id);
    save(cx, &p).await?;
    Ok(None)
}

pub async fn update_thumbprint(cx: &Ctx<'_>) -> IamResult {
    let mut p = provider(cx, "UpdateOpenIDConnectProviderThumbprint").await?;
    let list = cx.params.list("ThumbprintList");
    check_thumbprints(&list)?;
    p.thumbprints = list;
    save(cx, &p).await?;
    Ok(None)
}

pub async fn tag(cx: &Ctx<'_>) -> IamResult {
    let mut p = provider(cx, "TagOpenIDConnectProvider").await?;
    merge_tags(&mut p.tags, cx.params.tags("Tags"));
    check_tags(&p.tags)?;
    save(cx, &p).await?;
    Ok(None)
}

pub async fn untag(cx: &Ctx<'_>) -> IamResult {
    let mut p = provider(cx, "UntagOpenIDConnectProvider").await?;
    let remove = cx.params.list("TagKeys");
    p.tags
        .retain(|(k, _)| !remove.iter().any(|r| r.eq_ignore_ascii_case(k)));
    save(cx, &p).await?;
    Ok(None)
}

pub async fn list_tags(cx: &Ctx<'_>) -> IamResult {
    let p = provider(cx, "ListOpenIDConnectProviderTags").await?;
    let mut x = Xml::default();
    render_tags(&mut x, &p.tags);
    x.leaf("IsTruncated", "false");
    Ok(Some(x))
}
