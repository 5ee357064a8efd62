//! Whether one statement applies to a request: action, resource, principal
//! and condition must all match.

use crate::condition_eval;
use crate::context::RequestContext;
use crate::document::{ActionBlock, Policy, ResourceBlock, Statement};
use crate::glob::{self, Token};
use crate::principal_match::{self, Grant};
use crate::variables;

/// `Some(grant)` when the statement applies. Statements without a principal
/// (identity, boundary and session policies) apply with [`Grant::Direct`].
/// With `require_principal` (resource-based policies) a statement lacking
/// one never applies.
pub fn applies(
    statement: &Statement,
    policy: &Policy,
    ctx: &RequestContext,
    require_principal: bool,
) -> Option<Grant> {
    let substitute = policy.substitutes_variables();
    if !action_matches(&statement.action, &ctx.action)
        || !resource_matches(statement.resource.as_ref(), ctx, substitute)
    {
        return None;
    }
    let grant = match (&statement.principal, require_principal) {
        (Some(block), true) => principal_match::match_principal(block, &ctx.principal)?,
        (None, true) => return None,
        (_, false) => Grant::Direct,
    };
    statement
        .condition
        .iter()
        .all(|clause| condition_eval::holds(clause, ctx, substitute))
        .then_some(grant)
}

/// Case-insensitive, with `*`/`?` wildcards
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>).
pub fn action_matches(block: &ActionBlock, action: &str) -> bool {
    let any = |list: &[String]| {
        list.iter()
            .any(|pattern| glob::matches(&glob::tokens(pattern), action, true))
    };
    match block {
        ActionBlock::Action(list) => any(list),
        ActionBlock::NotAction(list) => !any(list),
    }
}

/// `None` (trust policies) matches the role being assumed.
fn resource_matches(block: Option<&ResourceBlock>, ctx: &RequestContext, substitute: bool) -> bool {
    let any = |list: &[String]| {
        list.iter().any(|pattern| {
            variables::expand(pattern, ctx, substitute)
                .is_some_and(|tokens| resource_pattern_matches(&tokens, ctx))
        })
    };
    match block {
        None => true,
        Some(ResourceBlock::Resource(list)) => any(list),
        Some(ResourceBlock::NotResource(list)) => !any(list),
    }
}

/// A request resource of `*` (an action without resource types, such as
/// `s3:ListAllMyBuckets`) is matched by `*` and by patterns covering the
/// whole service, e.g. `arn:aws:s3:::*` as the S3 User Guide writes it.
fn resource_pattern_matches(pattern: &[Token], ctx: &RequestContext) -> bool {
    if ctx.resource == "*" {
        let whole_service = format!("arn:aws:{}:::*", ctx.service());
        return pattern == [Token::Star] || glob::matches_arn(pattern, &whole_service);
    }
    glob::matches_arn(pattern, &ctx.resource)
}
