//! Whether a `Principal`/`NotPrincipal` element names the caller, and how.
//!
//! A caller is a set of identities: its account, plus its user ARN, or its
//! role ARN and session ARN, etc. `Principal` applies when any identity is
//! listed; `NotPrincipal` applies unless every identity is listed, which is
//! why AWS tells you to list the account and role ARNs next to a session ARN
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>).
//! `"*"` and `{"AWS": "*"}` name everyone, including anonymous callers
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>).

use crate::context::{PrincipalKind, RequestPrincipal};
use crate::document::{Principal, PrincipalBlock, PrincipalId, PrincipalIdKind};

/// How directly a resource-based policy named the caller; this decides
/// whether identity-based policies, boundaries and session policies still
/// have a say (see `evaluate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grant {
    /// Named the caller's account: the account must still delegate through
    /// identity-based policies.
    Account,
    /// Named the role of a role session: boundaries and session policies still apply.
    Role,
    /// Named the caller itself (user, session, `*`, ...).
    Direct,
}

#[derive(Debug, PartialEq, Eq)]
enum Identity<'a> {
    Account(&'a str),
    Arn(&'a str),
    Provider(&'a str),
    Service(&'a str),
    CanonicalUser(&'a str),
}

/// The caller's identities with the grant each earns; at most four
/// (account, canonical user, role, ARN), kept on the stack.
fn identities(p: &RequestPrincipal) -> Identities<'_> {
    let mut out = Identities::default();
    if let Some(account) = &p.account {
        out.push(Identity::Account(account), Grant::Account);
    }
    if let Some(canonical) = &p.canonical_user_id {
        out.push(Identity::CanonicalUser(canonical), Grant::Account);
    }
    match p.kind {
        PrincipalKind::User | PrincipalKind::FederatedUser => {
            out.push(Identity::Arn(&p.arn), Grant::Direct);
        }
        PrincipalKind::AssumedRole => {
            if let Some(role) = &p.role_arn {
                out.push(Identity::Arn(role), Grant::Role);
            }
            out.push(Identity::Arn(&p.arn), Grant::Direct);
        }
        PrincipalKind::WebIdentity => out.push(Identity::Provider(&p.arn), Grant::Direct),
        PrincipalKind::Service => out.push(Identity::Service(&p.arn), Grant::Direct),
        PrincipalKind::Root | PrincipalKind::Anonymous => {}
    }
    out
}

#[derive(Default)]
struct Identities<'a> {
    items: [Option<(Identity<'a>, Grant)>; 4],
    len: usize,
}

impl<'a> Identities<'a> {
    fn push(&mut self, identity: Identity<'a>, grant: Grant) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = Some((identity, grant));
            self.len += 1;
        }
    }

    fn iter(&self) -> impl Iterator<Item = &(Identity<'a>, Grant)> {
        self.items.iter().flatten()
    }
}

/// The identity a policy entry names; `None` for `"AWS": "*"`.
fn named(id: &PrincipalId) -> Option<Identity<'_>> {
    let v = id.value.as_str();
    Some(match id.kind {
        PrincipalIdKind::Aws if v == "*" => return None,
        PrincipalIdKind::Aws => match account_of(v) {
            Some(account) => Identity::Account(account),
            None => Identity::Arn(v),
        },
        PrincipalIdKind::Federated => Identity::Provider(v),
        PrincipalIdKind::Service => Identity::Service(v),
        PrincipalIdKind::CanonicalUser => Identity::CanonicalUser(v),
    })
}

/// `123456789012` or `arn:<partition>:iam::123456789012:root` name an account.
fn account_of(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    let mut fields = value.split(':');
    let mut next = || fields.next();
    match (next(), next(), next(), next(), next(), next(), next()) {
        (Some("arn"), Some(_), Some("iam"), Some(""), Some(account), Some("root"), None) => {
            Some(account)
        }
        _ => None,
    }
}

fn lists_everyone(principal: &Principal) -> bool {
    match principal {
        Principal::Any => true,
        Principal::Ids(ids) => ids
            .iter()
            .any(|id| id.kind == PrincipalIdKind::Aws && id.value == "*"),
    }
}

fn lists(principal: &Principal, identity: &Identity<'_>) -> bool {
    match principal {
        Principal::Any => true,
        Principal::Ids(ids) => ids.iter().any(|id| named(id).as_ref() == Some(identity)),
    }
}

/// `Some(grant)` when the block applies to the caller.
pub fn match_principal(block: &PrincipalBlock, caller: &RequestPrincipal) -> Option<Grant> {
    match block {
        PrincipalBlock::Principal(principal) => {
            if lists_everyone(principal) {
                return Some(Grant::Direct);
            }
            identities(caller)
                .iter()
                .filter(|(identity, _)| lists(principal, identity))
                .map(|(_, grant)| *grant)
                .max()
        }
        // An Allow with NotPrincipal (which AWS discourages) grants as if naming the caller.
        PrincipalBlock::NotPrincipal(principal) => {
            if lists_everyone(principal) {
                return None;
            }
            let ids = identities(caller);
            let all_listed = ids.len > 0 && ids.iter().all(|(i, _)| lists(principal, i));
            (!all_listed).then_some(Grant::Direct)
        }
    }
}
