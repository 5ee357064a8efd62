//! Authorization: every S3 and IAM request is decided here, by the policy engine
//! (`cairn-policy`), over the caller's identity policies, permissions boundary and the resource's
//! policy. This module does the I/O (loading and caching policies); the engine stays pure.
//!
//! Invariant: handlers never decide access themselves; they call [`check`].

pub mod cache;
pub mod documents;
pub mod generation;
pub mod s3_actions;
pub mod simulation;

use crate::iam::aws_managed;
use crate::principal::Principal;
use crate::state::State;
use cairn_meta::EntityKind;
use cairn_policy::{
    Decision, Evaluation, Policy, PolicyKind, PolicySet, PolicySource, RequestContext,
    RequestPrincipal,
};
use std::sync::Arc;

/// One authorization question.
pub struct AuthzRequest<'a> {
    pub principal: &'a Principal,
    /// e.g. `s3:GetObject`.
    pub action: &'a str,
    /// The resource ARN; `*` for account-level actions.
    pub resource: &'a str,
    /// The account owning the resource (`None`: account-level, or not existing yet).
    pub resource_account: Option<&'a str>,
    /// The resource's own policy (a bucket policy), with a label for explanations.
    pub resource_policy: Option<(String, Arc<Policy>)>,
    /// Condition keys from the request (`aws:SourceIp`, `s3:prefix`, …).
    pub context: Vec<(String, Vec<String>)>,
    /// The existing object the request acts on, whose tags conditions may test
    /// (`s3:ExistingObjectTag/<key>`); read only when a policy asks.
    pub object: Option<(&'a str, &'a str)>,
    /// The resource policy must admit the caller itself (a role trust policy), not merely
    /// leave the decision to identity policies.
    pub resource_policy_required: bool,
}

/// Whether any statement tests a condition key with this (lower-case) prefix.
fn mentions_key(policies: &[&Policy], prefix: &str) -> bool {
    policies.iter().any(|p| {
        p.statements.iter().any(|st| {
            st.condition
                .iter()
                .any(|c| c.key.to_ascii_lowercase().starts_with(prefix))
        })
    })
}

/// A refusal, with AWS's message.
#[derive(Debug, Clone)]
pub struct Denied {
    pub message: String,
    /// An explicit Deny matched: nothing (not even an ACL grant) may allow the request.
    pub explicit: bool,
}

/// The caller as the engine sees it, with the policies that apply to it.
#[derive(Clone)]
pub struct Loaded {
    principal: RequestPrincipal,
    identity: Vec<(String, Arc<Policy>)>,
    boundary: Option<(String, Arc<Policy>)>,
    /// The principal's tags, seen by conditions as `aws:PrincipalTag/<key>`.
    tags: Vec<(String, String)>,
    /// Session policies of a role session (empty: no session-policy side).
    session: Vec<(String, Arc<Policy>)>,
    /// Keys the principal brings to every request (`aws:SourceIdentity`, …).
    keys: Vec<(String, Vec<String>)>,
}

impl Loaded {
    fn bare(principal: RequestPrincipal) -> Loaded {
        Loaded {
            principal,
            identity: vec![],
            boundary: None,
            tags: vec![],
            session: vec![],
            keys: vec![],
        }
    }
}

/// The document of a managed policy's default version (AWS-managed or customer-managed).
pub async fn managed_document(state: &State, arn: &str) -> Option<String> {
    if let Some((_, _, _, doc)) = aws_managed::lookup(arn) {
        return Some(doc.to_string());
    }
    let p = state.meta.get_managed_policy(arn).await.ok()??;
    let v = state
        .meta
        .get_policy_version(arn, &p.default_version)
        .await
        .ok()??;
    Some(v.document)
}

fn parsed(
    state: &State,
    label: String,
    doc: &str,
    kind: PolicyKind,
) -> Option<(String, Arc<Policy>)> {
    match state.policies.parse(doc, kind) {
        Ok(p) => Some((label, p)),
        Err(e) => {
            tracing::error!(%label, err = %e, "stored policy no longer parses; ignored");
            None
        }
    }
}

async fn load(state: &State, principal: &Principal) -> Result<Arc<Loaded>, Denied> {
    use generation::GenCache;
    // Users by name; role sessions by access key id (`:` cannot occur in IAM names).
    let key = match principal {
        Principal::User { account_id, name } => (account_id.clone(), name.to_lowercase()),
        Principal::Role(s) => (s.account_id.clone(), format!("{}:session", s.access_key_id)),
        _ => return load_uncached(state, principal).await.map(Arc::new),
    };
    if let Some(hit) = state.loaded.get(&state.iam_generation, &key) {
        return Ok(hit);
    }
    let at = GenCache::<(String, String), Arc<Loaded>>::generation_now(&state.iam_generation);
    let loaded = Arc::new(load_uncached(state, principal).await?);
    state
        .loaded
        .put(&state.iam_generation, at, key, loaded.clone());
    Ok(loaded)
}

/// Labelled policies: identity policies and the permissions boundary.
type EntityPolicies = (Vec<(String, Arc<Policy>)>, Option<(String, Arc<Policy>)>);

/// The texts behind [`EntityPolicies`], with the same labels: inline labels are
/// `"<kind> <name> inline policy <policy>"`, managed ones the policy ARN.
pub struct EntityDocuments {
    pub identity: Vec<(String, String)>,
    pub boundary: Option<(String, String)>,
}

/// A boundary that no longer resolves allows nothing.
const DENY_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;

/// The documents of the identity policies (inline and attached, with a user's groups') and
/// of the permissions boundary of a user, group or role. Policy simulation reads these too, so
/// it evaluates exactly what a request would.
pub async fn entity_documents(
    state: &State,
    account_id: &str,
    kind: EntityKind,
    name: &str,
) -> Result<EntityDocuments, cairn_meta::MetaError> {
    let applied = state.meta.applied_policies(account_id, kind, name).await?;
    let mut identity = applied.inline;
    for arn in applied.attached {
        if let Some(doc) = managed_document(state, &arn).await {
            identity.push((arn, doc));
        }
    }
    let boundary = match applied.permissions_boundary {
        Some(arn) => {
            let doc = managed_document(state, &arn)
                .await
                .unwrap_or_else(|| DENY_ALL.to_string());
            Some((arn, doc))
        }
        None => None,
    };
    Ok(EntityDocuments { identity, boundary })
}

/// The identity policies (inline and attached, with a user's groups') and the permissions
/// boundary of a user, group or role.
pub async fn entity_policies(
    state: &State,
    account_id: &str,
    kind: EntityKind,
    name: &str,
) -> Result<EntityPolicies, cairn_meta::MetaError> {
    let docs = entity_documents(state, account_id, kind, name).await?;
    let identity = docs
        .identity
        .into_iter()
        .filter_map(|(label, doc)| parsed(state, label, &doc, PolicyKind::Identity))
        .collect();
    let boundary = docs
        .boundary
        .and_then(|(label, doc)| parsed(state, label, &doc, PolicyKind::Identity));
    Ok((identity, boundary))
}

async fn load_uncached(state: &State, principal: &Principal) -> Result<Loaded, Denied> {
    let unavailable = |_| Denied {
        explicit: true,
        message: "Service is unavailable, please retry.".into(),
    };
    match principal {
        Principal::Anonymous => Ok(Loaded::bare(RequestPrincipal::anonymous())),
        Principal::Root { account_id } => Ok(Loaded::bare(RequestPrincipal::root(account_id))),
        Principal::Role(s) => load_role_session(state, s).await.map_err(unavailable),
        Principal::User { account_id, name } => {
            let user = state
                .meta
                .get_entity(account_id, EntityKind::User, name)
                .await
                .map_err(unavailable)?;
            let Some(user) = user else {
                // The user was deleted after its key was read: nothing applies.
                let arn = format!("arn:aws:iam::{account_id}:user/{name}");
                return Ok(Loaded::bare(RequestPrincipal::user(
                    account_id, &arn, name, "",
                )));
            };
            let (identity, boundary) = entity_policies(state, account_id, EntityKind::User, name)
                .await
                .map_err(unavailable)?;
            Ok(Loaded {
                principal: RequestPrincipal::user(account_id, &user.arn(), &user.name, &user.id),
                identity,
                boundary,
                tags: user.attrs.tags.clone(),
                session: vec![],
                keys: vec![],
            })
        }
    }
}

/// A role session: the role's policies and boundary, narrowed by the session policies; the
/// role's tags overridden by the session's.
async fn load_role_session(
    state: &State,
    s: &crate::principal::RoleSession,
) -> Result<Loaded, cairn_meta::MetaError> {
    let principal = RequestPrincipal::assumed_role(
        &s.account_id,
        &s.role_arn(),
        &s.session_arn(),
        &s.user_id(),
    );
    let Some(role) = state
        .meta
        .get_entity(&s.account_id, EntityKind::Role, &s.role_name)
        .await?
        .filter(|r| r.id == s.role_id)
    else {
        return Ok(Loaded::bare(principal));
    };
    let (identity, boundary) =
        entity_policies(state, &s.account_id, EntityKind::Role, &role.name).await?;
    let mut session = Vec::new();
    if let Some(doc) = &s.attrs.policy {
        session.extend(parsed(
            state,
            "session policy".into(),
            doc,
            PolicyKind::Session,
        ));
    }
    for arn in &s.attrs.policy_arns {
        // A session policy that no longer resolves allows nothing.
        let doc = managed_document(state, arn).await.unwrap_or_else(|| {
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#.into()
        });
        session.extend(parsed(state, arn.clone(), &doc, PolicyKind::Session));
    }
    if s.attrs.has_session_policies() && session.is_empty() {
        // Never let an unparseable session policy widen the session.
        session.extend(parsed(
            state,
            "session policy".into(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
            PolicyKind::Session,
        ));
    }
    let mut tags = role.attrs.tags.clone();
    for (k, v) in &s.attrs.tags {
        match tags.iter_mut().find(|(tk, _)| tk.eq_ignore_ascii_case(k)) {
            Some(slot) => slot.1 = v.clone(),
            None => tags.push((k.clone(), v.clone())),
        }
    }
    let mut keys = vec![(
        "aws:TokenIssueTime".to_string(),
        vec![crate::query::xml::iso8601(s.attrs.issued * 1000)],
    )];
    if let Some(id) = &s.attrs.source_identity {
        keys.push(("aws:SourceIdentity".into(), vec![id.clone()]));
    }
    if let Some(p) = &s.attrs.federated_provider {
        keys.push(("aws:FederatedProvider".into(), vec![p.clone()]));
    }
    Ok(Loaded {
        principal,
        identity,
        boundary,
        tags,
        session,
        keys,
    })
}

/// AWS's AccessDenied wording for a refused evaluation.
fn denial_message(
    principal: &RequestPrincipal,
    action: &str,
    resource: &str,
    eval: &Evaluation,
    cross_account: bool,
) -> String {
    let who = match principal.kind {
        cairn_policy::PrincipalKind::Anonymous => "anonymous".to_string(),
        _ => principal.arn.clone(),
    };
    let why = match eval.decision {
        Decision::ExplicitDeny => {
            let source = eval
                .matched
                .first()
                .map(|m| m.source)
                .unwrap_or(PolicySource::Identity);
            let kind = match source {
                PolicySource::Resource => "resource-based policy",
                PolicySource::PermissionsBoundary => "permissions boundary",
                PolicySource::Session => "session policy",
                PolicySource::Identity => "identity-based policy",
            };
            format!("with an explicit deny in a {kind}")
        }
        // The engine names the side that fell short; AWS's messages say the same.
        _ if eval.reason.contains("no session policy allows") => {
            format!("because no session policy allows the {action} action")
        }
        _ if eval.reason.contains("permissions boundary") => {
            format!("because no permissions boundary allows the {action} action")
        }
        _ if cross_account => {
            format!("because no resource-based policy allows the {action} action")
        }
        _ if principal.kind == cairn_policy::PrincipalKind::Anonymous => {
            format!("because no resource-based policy allows the {action} action")
        }
        _ => format!("because no identity-based policy allows the {action} action"),
    };
    format!("User: {who} is not authorized to perform: {action} on resource: \"{resource}\" {why}")
}

/// The request's `aws:CurrentTime` and `aws:EpochTime` (the engine never reads the clock).
fn with_clock(ctx: RequestContext) -> RequestContext {
    let now = time::OffsetDateTime::now_utc();
    let epoch = now.unix_timestamp().to_string();
    let iso = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    ctx.with_key("aws:CurrentTime", &[&iso])
        .with_key("aws:EpochTime", &[&epoch])
}

/// Decides one request. `Ok` carries the evaluation (for explanations), `Err` AWS's message.
pub async fn check(state: &State, req: AuthzRequest<'_>) -> Result<Evaluation, Denied> {
    let loaded = load(state, req.principal).await?;
    let mut ctx = RequestContext::new(loaded.principal.clone(), req.action, req.resource);
    if let Some(account) = req.resource_account {
        ctx = ctx.with_resource_account(account);
    }
    ctx = with_clock(ctx);
    for (k, v) in &loaded.tags {
        ctx = ctx.with_key(&format!("aws:PrincipalTag/{k}"), &[v]);
    }
    for (k, v) in &loaded.keys {
        let values: Vec<&str> = v.iter().map(String::as_str).collect();
        ctx = ctx.with_key(k, &values);
    }
    let all: Vec<&Policy> = loaded
        .identity
        .iter()
        .chain(loaded.boundary.iter())
        .chain(req.resource_policy.iter())
        .map(|(_, p)| p.as_ref())
        .collect();
    if let Some((bucket, key)) = req.object
        && mentions_key(&all, "s3:existingobjecttag/")
        && let Ok(Some(obj)) = state.meta.get_object(bucket, key).await
    {
        for (k, v) in &obj.tags {
            ctx = ctx.with_key(&format!("s3:ExistingObjectTag/{k}"), &[v]);
        }
    }
    for (k, v) in &req.context {
        let values: Vec<&str> = v.iter().map(String::as_str).collect();
        ctx = ctx.with_key(k, &values);
    }
    let set = PolicySet {
        identity: loaded
            .identity
            .iter()
            .map(|(l, p)| (l.as_str(), p.as_ref()))
            .collect(),
        permissions_boundary: loaded
            .boundary
            .as_ref()
            .map(|(l, p)| (l.as_str(), p.as_ref())),
        session: loaded
            .session
            .iter()
            .map(|(l, p)| (l.as_str(), p.as_ref()))
            .collect(),
        resource: req
            .resource_policy
            .iter()
            .map(|(l, p)| (l.as_str(), p.as_ref()))
            .collect(),
    };
    let mut eval = cairn_policy::evaluate(&set, &ctx);
    if eval.is_allowed()
        && req.resource_policy_required
        && !cairn_policy::resource_policies_admit(&set.resource, &ctx)
    {
        eval = Evaluation {
            decision: Decision::ImplicitDeny,
            matched: vec![],
            reason: "the trust policy does not admit the caller".into(),
        };
    }
    crate::observe::note_evaluation(&loaded.principal.arn, req.action, req.resource, &eval);
    if eval.is_allowed() {
        return Ok(eval);
    }
    tracing::info!(principal = %loaded.principal.arn, action = req.action, resource = req.resource, reason = %eval.reason, "denied");
    Err(Denied {
        explicit: eval.decision == Decision::ExplicitDeny,
        message: denial_message(
            &loaded.principal,
            req.action,
            req.resource,
            &eval,
            ctx.is_cross_account(),
        ),
    })
}

/// Whether a role's trust policy admits a web-identity provider (`accounts.google.com`, or an
/// OIDC provider ARN) with the token's claims among the condition keys.
pub fn federated_allowed(
    provider: &str,
    action: &str,
    role_arn: &str,
    role_account: &str,
    trust: &Policy,
    context: &[(String, Vec<String>)],
) -> bool {
    let mut ctx = with_clock(
        RequestContext::new(RequestPrincipal::web_identity(provider), action, role_arn)
            .with_resource_account(role_account),
    );
    for (k, v) in context {
        let values: Vec<&str> = v.iter().map(String::as_str).collect();
        ctx = ctx.with_key(k, &values);
    }
    let set = PolicySet {
        resource: vec![("role trust policy", trust)],
        ..PolicySet::default()
    };
    cairn_policy::evaluate(&set, &ctx).is_allowed()
}

/// Whether a resource policy lets an AWS service principal (e.g. `logging.s3.amazonaws.com`
/// delivering access logs) perform `action` on `resource`.
pub fn service_allowed(
    service: &str,
    action: &str,
    resource: &str,
    resource_account: &str,
    policy: Option<&Policy>,
) -> bool {
    let ctx = RequestContext::new(RequestPrincipal::service(service), action, resource)
        .with_resource_account(resource_account);
    let set = PolicySet {
        identity: vec![],
        permissions_boundary: None,
        session: vec![],
        resource: policy
            .map(|p| ("target bucket policy", p))
            .into_iter()
            .collect(),
    };
    cairn_policy::evaluate(&set, &ctx).is_allowed()
}
