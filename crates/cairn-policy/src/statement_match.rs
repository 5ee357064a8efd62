//! Whether one statement applies to a request: action, resource, principal
//! and condition must all match. Cheapest first: a statement whose action
//! does not match is rejected before its resources or conditions are read.

use crate::condition_eval;
use crate::context::RequestContext;
use crate::document::{ActionBlock, ResourceBlock, Statement};
use crate::glob::{self, Token};
use crate::principal_match::{self, Grant};
use crate::variables;

/// The request as statement matching sees it, plus what is worked out once
/// per evaluation rather than once per pattern.
pub struct Request<'a> {
    pub ctx: &'a RequestContext,
    /// For a request resource of `*`, the ARN pattern `arn:aws:SERVICE:::*`
    /// that resource patterns are matched against.
    whole_service: Option<String>,
}

impl<'a> Request<'a> {
    pub fn new(ctx: &'a RequestContext) -> Self {
        let whole_service = (ctx.resource == "*").then(|| format!("arn:aws:{}:::*", ctx.service()));
        Request { ctx, whole_service }
    }
}

/// `Some(grant)` when the statement applies. Statements without a principal
/// (identity, boundary and session policies) apply with [`Grant::Direct`].
/// With `require_principal` (resource-based policies) a statement lacking
/// one never applies. `substitute` is [`crate::Policy::substitutes_variables`]
/// of the statement's policy.
pub fn applies(
    statement: &Statement,
    substitute: bool,
    request: &Request<'_>,
    require_principal: bool,
) -> Option<Grant> {
    let ctx = request.ctx;
    if !action_matches(&statement.action, &ctx.action)
        || !resource_matches(statement.resource.as_ref(), request, substitute)
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
            .any(|pattern| glob::matches_text(pattern, action, true))
    };
    match block {
        ActionBlock::Action(list) => any(list),
        ActionBlock::NotAction(list) => !any(list),
    }
}

/// `None` (trust policies) matches the role being assumed.
fn resource_matches(
    block: Option<&ResourceBlock>,
    request: &Request<'_>,
    substitute: bool,
) -> bool {
    let any = |list: &[String]| {
        list.iter().any(|pattern| {
            if variables::has_variables(pattern, substitute) {
                variables::expand(pattern, request.ctx, substitute).is_some_and(|tokens| {
                    resource_pattern_matches(Pattern::Tokens(&tokens), request)
                })
            } else {
                resource_pattern_matches(Pattern::Text(pattern), request)
            }
        })
    };
    match block {
        None => true,
        Some(ResourceBlock::Resource(list)) => any(list),
        Some(ResourceBlock::NotResource(list)) => !any(list),
    }
}

/// A resource pattern: as written, or with policy variables substituted.
#[derive(Clone, Copy)]
enum Pattern<'a> {
    Text(&'a str),
    Tokens(&'a [Token]),
}

impl Pattern<'_> {
    fn matches_arn(self, text: &str) -> bool {
        match self {
            Pattern::Text(p) => glob::matches_arn_text(p, text),
            Pattern::Tokens(p) => glob::matches_arn(p, text),
        }
    }

    fn is_star(self) -> bool {
        match self {
            Pattern::Text(p) => p == "*",
            Pattern::Tokens(p) => p == [Token::Star],
        }
    }
}

/// A request resource of `*` (an action without resource types, such as
/// `s3:ListAllMyBuckets`) is matched by `*` and by patterns covering the
/// whole service, e.g. `arn:aws:s3:::*` as the S3 User Guide writes it.
fn resource_pattern_matches(pattern: Pattern<'_>, request: &Request<'_>) -> bool {
    match &request.whole_service {
        Some(whole_service) => pattern.is_star() || pattern.matches_arn(whole_service),
        None => pattern.matches_arn(&request.ctx.resource),
    }
}
