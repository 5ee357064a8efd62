//! The request being authorised, described without any HTTP detail.
//!
//! The caller fills in who is asking, for which action on which resource,
//! and any condition keys it knows (`aws:SourceIp`, `aws:CurrentTime`,
//! `s3:prefix`, ...). Keys describing the principal (`aws:username`,
//! `aws:userid`, `aws:PrincipalArn`, `aws:PrincipalAccount`,
//! `aws:PrincipalType`) are derived from [`RequestPrincipal`] unless the
//! caller sets them explicitly. This crate never reads the clock: callers
//! supply `aws:CurrentTime`/`aws:EpochTime`.

use std::collections::BTreeMap;

use serde::Serialize;

/// What kind of identity signed the request; decides which keys exist
/// and how resource-based policies can name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PrincipalKind {
    /// An account's root user.
    Root,
    /// An IAM user.
    User,
    /// A role session (`arn:aws:sts::A:assumed-role/ROLE/SESSION`).
    AssumedRole,
    /// A `GetFederationToken` session (`arn:aws:sts::A:federated-user/NAME`).
    FederatedUser,
    /// A web-identity or SAML provider calling `AssumeRoleWith*`; `arn` is the
    /// provider (`accounts.google.com`, `arn:aws:iam::A:saml-provider/X`).
    WebIdentity,
    /// An AWS service principal such as `ec2.amazonaws.com`, held in `arn`.
    Service,
    /// An unsigned request.
    Anonymous,
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestPrincipal {
    pub kind: PrincipalKind,
    /// The caller's ARN (session ARN for role sessions), or the provider /
    /// service name for `WebIdentity` / `Service`; empty when anonymous.
    pub arn: String,
    /// The caller's 12-digit account; `None` for anonymous, web-identity and service callers.
    pub account: Option<String>,
    /// `aws:username`: IAM users only.
    pub user_name: Option<String>,
    /// `aws:userid`, e.g. `AIDAEXAMPLE` or `AROAEXAMPLE:session`.
    pub user_id: Option<String>,
    /// For role sessions, the role's IAM ARN (`aws:PrincipalArn`, and what a
    /// role ARN in a resource policy is compared with).
    pub role_arn: Option<String>,
    /// S3 canonical user id of the caller's account, matched by `CanonicalUser` principals.
    pub canonical_user_id: Option<String>,
}

impl RequestPrincipal {
    pub fn root(account: &str) -> Self {
        RequestPrincipal {
            kind: PrincipalKind::Root,
            arn: format!("arn:aws:iam::{account}:root"),
            account: Some(account.to_owned()),
            user_name: None,
            user_id: Some(account.to_owned()),
            role_arn: None,
            canonical_user_id: None,
        }
    }

    /// An IAM user, e.g. `user("123456789012", "arn:aws:iam::123456789012:user/bob", "bob", "AIDAEXAMPLE")`.
    pub fn user(account: &str, arn: &str, name: &str, user_id: &str) -> Self {
        RequestPrincipal {
            kind: PrincipalKind::User,
            arn: arn.to_owned(),
            account: Some(account.to_owned()),
            user_name: Some(name.to_owned()),
            user_id: Some(user_id.to_owned()),
            role_arn: None,
            canonical_user_id: None,
        }
    }

    /// A role session; `user_id` is `ROLEID:SESSION` as AWS reports it.
    pub fn assumed_role(account: &str, role_arn: &str, session_arn: &str, user_id: &str) -> Self {
        RequestPrincipal {
            kind: PrincipalKind::AssumedRole,
            arn: session_arn.to_owned(),
            account: Some(account.to_owned()),
            user_name: None,
            user_id: Some(user_id.to_owned()),
            role_arn: Some(role_arn.to_owned()),
            canonical_user_id: None,
        }
    }

    /// A `GetFederationToken` session.
    pub fn federated_user(account: &str, arn: &str, user_id: &str) -> Self {
        RequestPrincipal {
            kind: PrincipalKind::FederatedUser,
            arn: arn.to_owned(),
            account: Some(account.to_owned()),
            user_name: None,
            user_id: Some(user_id.to_owned()),
            role_arn: None,
            canonical_user_id: None,
        }
    }

    pub fn web_identity(provider: &str) -> Self {
        Self::accountless(PrincipalKind::WebIdentity, provider)
    }

    pub fn service(name: &str) -> Self {
        Self::accountless(PrincipalKind::Service, name)
    }

    pub fn anonymous() -> Self {
        let mut p = Self::accountless(PrincipalKind::Anonymous, "");
        p.user_id = Some("anonymous".to_owned());
        p
    }

    fn accountless(kind: PrincipalKind, arn: &str) -> Self {
        RequestPrincipal {
            kind,
            arn: arn.to_owned(),
            account: None,
            user_name: None,
            user_id: None,
            role_arn: None,
            canonical_user_id: None,
        }
    }

    /// `aws:PrincipalType` as documented in the global condition keys reference.
    fn principal_type(&self) -> &'static str {
        match self.kind {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::AssumedRole => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
            PrincipalKind::WebIdentity => "WebIdentityUser",
            PrincipalKind::Service => "Service",
            PrincipalKind::Anonymous => "Anonymous",
        }
    }

    /// `aws:PrincipalArn`: the role ARN for role sessions, else the caller's ARN.
    fn principal_arn(&self) -> Option<&str> {
        match self.kind {
            PrincipalKind::AssumedRole => self.role_arn.as_deref(),
            PrincipalKind::Root | PrincipalKind::User | PrincipalKind::FederatedUser => {
                Some(&self.arn)
            }
            _ => None,
        }
    }
}

/// One request to authorise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestContext {
    pub principal: RequestPrincipal,
    /// `service:Action`, e.g. `s3:GetObject`.
    pub action: String,
    /// The resource ARN, e.g. `arn:aws:s3:::bucket/key`; `*` for actions
    /// without a resource type (`s3:ListAllMyBuckets`).
    pub resource: String,
    /// The account owning the resource; `None` means the caller's own account.
    pub resource_account: Option<String>,
    /// Condition keys and their values; names are matched case-insensitively.
    pub context_keys: BTreeMap<String, Vec<String>>,
}

impl RequestContext {
    pub fn new(principal: RequestPrincipal, action: &str, resource: &str) -> Self {
        RequestContext {
            principal,
            action: action.to_owned(),
            resource: resource.to_owned(),
            resource_account: None,
            context_keys: BTreeMap::new(),
        }
    }

    /// Builder-style: the account owning the resource.
    pub fn with_resource_account(mut self, account: &str) -> Self {
        self.resource_account = Some(account.to_owned());
        self
    }

    /// Builder-style: sets a condition key (replacing earlier values).
    pub fn with_key(mut self, key: &str, values: &[&str]) -> Self {
        self.context_keys.insert(
            key.to_owned(),
            values.iter().map(|v| (*v).to_owned()).collect(),
        );
        self
    }

    /// The values of a condition key, case-insensitively; explicit keys win
    /// over ones derived from the principal. `None` when the key is absent.
    pub fn values(&self, key: &str) -> Option<Vec<String>> {
        self.lookup(key)
            .map(|values| values.iter().map(str::to_owned).collect())
    }

    /// [`values`](Self::values) without copying: borrowed from the context.
    pub(crate) fn lookup(&self, key: &str) -> Option<Values<'_>> {
        if let Some(v) = self.context_keys.get(key) {
            return Some(Values::list(v));
        }
        if let Some((_, v)) = self
            .context_keys
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            return Some(Values::list(v));
        }
        self.derived(key).map(Values::single)
    }

    fn derived(&self, key: &str) -> Option<&str> {
        let p = &self.principal;
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        if is("aws:username") {
            p.user_name.as_deref()
        } else if is("aws:userid") {
            p.user_id.as_deref()
        } else if is("aws:principalarn") {
            p.principal_arn()
        } else if is("aws:principalaccount") {
            p.account.as_deref()
        } else if is("aws:principaltype") {
            Some(p.principal_type())
        } else {
            None
        }
    }

    /// Whether caller and resource live in different accounts.
    pub fn is_cross_account(&self) -> bool {
        match (&self.resource_account, &self.principal.account) {
            (None, _) => false,
            (Some(resource), Some(caller)) => resource != caller,
            (Some(_), None) => true,
        }
    }

    /// The service prefix of the action (`s3` for `s3:GetObject`).
    pub fn service(&self) -> &str {
        self.action.split(':').next().unwrap_or_default()
    }
}

/// The values of one condition key, borrowed from a [`RequestContext`]:
/// the list set with [`RequestContext::with_key`], or one derived value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Values<'a> {
    list: &'a [String],
    single: Option<&'a str>,
}

impl<'a> Values<'a> {
    fn list(list: &'a [String]) -> Self {
        Values { list, single: None }
    }

    fn single(value: &'a str) -> Self {
        Values {
            list: &[],
            single: Some(value),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len() + usize::from(self.single.is_some())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.list.iter().map(String::as_str).chain(self.single)
    }
}
