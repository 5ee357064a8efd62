//! AssumeRoleWithWebIdentity: an unsigned call carrying an OIDC ID token. The token must verify
//! against its issuer's keys (`web_identity`), the issuer must be an OIDC provider of the role's
//! account (or `accounts.google.com`, built in as on AWS) with an audience among its client ids,
//! and the role's trust policy must admit the provider with the token's claims as condition keys.

use super::credentials::issue_role_session;
use super::request::{SessionRequest, check_length, required, role_by_arn, session_name};
use super::web_identity::{
    MAX_TOKEN_CHARS, TokenError, VerifiedToken, issuer_host_path, unverified_issuer,
};
use crate::query::xml::Xml;
use crate::query::{Caller, QueryError};
use crate::state::State;
use cairn_policy::PolicyKind;

/// Google needs no provider entry: AWS trusts it for every account.
const GOOGLE: &str = "accounts.google.com";

fn not_authorized() -> QueryError {
    QueryError::forbidden(
        "AccessDenied",
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    )
}

/// Which provider of `account` an issuer is.
struct Provider {
    /// As trust policies name it (`Federated`): `accounts.google.com` or the provider's ARN.
    name: String,
    /// The prefix of its condition keys (`accounts.google.com`, `idp.example.com/path`).
    prefix: String,
    /// The audiences it admits; `None` for Google, which trust policies constrain instead.
    client_ids: Option<Vec<String>>,
}

/// Looks the issuer up before any key is fetched, so a caller cannot make the server fetch
/// keys of an issuer nobody registered.
async fn provider_for(state: &State, account: &str, issuer: &str) -> Result<Provider, QueryError> {
    let prefix = issuer_host_path(issuer);
    if prefix == GOOGLE {
        return Ok(Provider {
            name: GOOGLE.to_string(),
            prefix,
            client_ids: None,
        });
    }
    let arn = format!("arn:aws:iam::{account}:oidc-provider/{prefix}");
    let provider = state
        .meta
        .get_oidc_provider(&arn)
        .await
        .map_err(|e| crate::iam::meta_err(e, "OpenIDConnect provider"))?
        .ok_or_else(|| {
            QueryError::from(TokenError::NoProvider {
                issuer: issuer.to_string(),
            })
        })?;
    Ok(Provider {
        name: arn,
        prefix,
        client_ids: Some(provider.client_ids),
    })
}

/// The token's claims as trust-policy condition keys (`<provider>:sub`, `:aud`, `:amr`, and
/// Google's `:oaud`).
fn claim_keys(prefix: &str, token: &VerifiedToken) -> Vec<(String, Vec<String>)> {
    let mut keys = vec![
        (format!("{prefix}:sub"), vec![token.subject.clone()]),
        (format!("{prefix}:aud"), token.condition_audiences()),
    ];
    if !token.amr.is_empty() {
        keys.push((format!("{prefix}:amr"), token.amr.clone()));
    }
    if prefix == GOOGLE
        && let Some(oaud) = token.original_audiences()
    {
        keys.push((format!("{prefix}:oaud"), oaud));
    }
    keys
}

pub async fn assume_role_with_web_identity(
    state: &State,
    caller: &Caller,
    params: &crate::query::params::Params,
) -> Result<Xml, QueryError> {
    let req = SessionRequest::parse(params)?;
    let role_arn = required(params, "RoleArn")?;
    let session = session_name(params, "RoleSessionName")?;
    let raw = required(params, "WebIdentityToken")?;
    if raw.chars().count() > MAX_TOKEN_CHARS {
        return Err(TokenError::TooLarge.into());
    }
    check_length(raw, "webIdentityToken", 4, MAX_TOKEN_CHARS)?;
    let role = role_by_arn(state, role_arn)
        .await?
        .ok_or_else(not_authorized)?;
    let refused = |e: TokenError| {
        tracing::info!(err = %e, "web identity token refused");
        QueryError::from(e)
    };
    let issuer = unverified_issuer(raw).map_err(refused)?;
    let provider = provider_for(state, &role.account_id, &issuer).await?;
    let now = crate::time::now_ms() / 1000;
    let token = state.oidc_keys.verify(raw, now).await.map_err(refused)?;
    if let Some(client_ids) = &provider.client_ids
        && !token
            .audiences
            .iter()
            .chain(token.authorized_party.iter())
            .any(|a| client_ids.contains(a))
    {
        return Err(refused(TokenError::IncorrectAudience));
    }
    let (provider, prefix) = (provider.name, provider.prefix);
    let trust = state
        .policies
        .parse(
            role.attrs.trust_policy.as_deref().unwrap_or_default(),
            PolicyKind::Trust,
        )
        .map_err(|_| not_authorized())?;
    let mut context = caller.context.clone();
    context.extend(claim_keys(&prefix, &token));
    context.push(("sts:RoleSessionName".into(), vec![session.clone()]));
    context.push(("aws:FederatedProvider".into(), vec![provider.clone()]));
    req.push_context(&mut context);
    let mut actions = vec!["sts:AssumeRoleWithWebIdentity"];
    if req.sets_tags() {
        actions.push("sts:TagSession");
    }
    if req.source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    for action in actions {
        if !crate::authz::federated_allowed(
            &provider,
            action,
            role_arn,
            &role.account_id,
            &trust,
            &context,
        ) {
            return Err(not_authorized());
        }
    }
    let max = i64::from(role.attrs.max_session_duration.unwrap_or(3600));
    let duration = req.duration(3600, max, true)?;
    let mut attrs = req.into_attrs(state).await?;
    attrs.federated_provider = Some(provider.clone());
    let mut x = issue_role_session(state, &role, &session, duration, &attrs).await?;
    x.leaf("SubjectFromWebIdentityToken", &token.subject);
    x.leaf("Provider", &token.issuer);
    if let Some(aud) = token.condition_audiences().first() {
        x.leaf("Audience", aud);
    }
    Ok(x)
}
