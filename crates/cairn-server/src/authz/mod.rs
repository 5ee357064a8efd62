//! Authorization: one function decides every request, given who asks, for what action, on
//! which resource. IAM policies plug in here (issue: IAM); until then only an account's root may
//! act on what its account owns, and anonymous requests are denied.
//!
//! Invariant: handlers never decide access themselves; they ask [`authorize`].

pub mod documents;
pub mod s3_actions;

use crate::principal::Principal;

/// One authorization question.
#[derive(Debug, Clone)]
pub struct AuthzRequest<'a> {
    pub principal: &'a Principal,
    /// e.g. `s3:GetObject`.
    pub action: &'a str,
    /// The resource ARN, e.g. `arn:aws:s3:::bucket/key`; `*` for account-level actions.
    pub resource: &'a str,
    /// The account owning the resource; `None` when it does not exist (yet) or is account-level.
    pub resource_owner: Option<&'a str>,
}

/// The answer, with the reason kept for explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// No statement allowed the request.
    ImplicitDeny(String),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow)
    }
}

/// Decides one request.
pub fn authorize(req: &AuthzRequest<'_>) -> Decision {
    match req.principal {
        Principal::Anonymous => {
            Decision::ImplicitDeny("anonymous requests are not allowed by any policy".into())
        }
        Principal::Root { account_id } => match req.resource_owner {
            // Root may do anything with what its account owns, and account-level actions.
            None => Decision::Allow,
            Some(owner) if owner == account_id => Decision::Allow,
            Some(_) => Decision::ImplicitDeny(format!(
                "{} is not authorized to perform {} on {}: the resource belongs to another account",
                req.principal.arn(),
                req.action,
                req.resource
            )),
        },
        Principal::User { .. } => Decision::ImplicitDeny(format!(
            "no identity-based policy allows {} to perform {} on {}",
            req.principal.arn(),
            req.action,
            req.resource
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(p: &Principal, owner: Option<&str>) -> Decision {
        authorize(&AuthzRequest {
            principal: p,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::b/k",
            resource_owner: owner,
        })
    }

    #[test]
    fn root_acts_on_its_own_account_only() {
        let root = Principal::Root {
            account_id: "111111111111".into(),
        };
        assert!(ask(&root, Some("111111111111")).is_allowed());
        assert!(ask(&root, None).is_allowed());
        assert!(!ask(&root, Some("222222222222")).is_allowed());
    }

    #[test]
    fn anonymous_and_users_without_policies_are_denied() {
        assert!(!ask(&Principal::Anonymous, Some("111111111111")).is_allowed());
        let user = Principal::User {
            account_id: "111111111111".into(),
            name: "u".into(),
        };
        assert!(!ask(&user, Some("111111111111")).is_allowed());
    }
}
