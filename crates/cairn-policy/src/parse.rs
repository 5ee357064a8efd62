//! `parse`: JSON text to a validated [`Policy`].

use crate::document::{
    ActionBlock, ConditionClause, Effect, Policy, PolicyKind, Principal, PrincipalBlock,
    PrincipalId, PrincipalIdKind, ResourceBlock, Statement,
};
use crate::error::PolicyError;
use crate::raw::{self, RawPrincipal, RawStatement};
use crate::validate;

/// Parses and validates a policy document as IAM (or, for
/// [`PolicyKind::Resource`], S3) would when it is attached.
///
/// Size limits are the caller's business. The error's text is AWS's message.
pub fn parse(json: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
    let raw = raw::read(json)?;
    validate::validate(&raw, kind)?;
    Ok(Policy {
        version: raw.version,
        id: raw.id,
        statements: raw.statements.into_iter().map(statement).collect(),
    })
}

fn statement(s: RawStatement) -> Statement {
    Statement {
        sid: s.sid,
        effect: if s.effect == "Deny" {
            Effect::Deny
        } else {
            Effect::Allow
        },
        principal: s.principal.map(|(not, p)| {
            let p = principal(p);
            if not {
                PrincipalBlock::NotPrincipal(p)
            } else {
                PrincipalBlock::Principal(p)
            }
        }),
        action: match s.action {
            Some((true, list)) => ActionBlock::NotAction(list),
            Some((false, list)) => ActionBlock::Action(list),
            None => ActionBlock::Action(Vec::new()),
        },
        resource: s.resource.map(|(not, list)| {
            if not {
                ResourceBlock::NotResource(list)
            } else {
                ResourceBlock::Resource(list)
            }
        }),
        condition: s
            .condition
            .into_iter()
            .filter_map(|c| c.parsed.map(|op| (op, c.entries)))
            .flat_map(|(operator, entries)| {
                entries
                    .into_iter()
                    .map(move |(key, values)| ConditionClause {
                        operator,
                        key,
                        values,
                    })
            })
            .collect(),
    }
}

fn principal(p: RawPrincipal) -> Principal {
    match p {
        RawPrincipal::Text(_) => Principal::Any,
        RawPrincipal::Map(entries) => Principal::Ids(
            entries
                .into_iter()
                .flat_map(|(key, values)| {
                    let kind = match key.as_str() {
                        "Federated" => PrincipalIdKind::Federated,
                        "Service" => PrincipalIdKind::Service,
                        "CanonicalUser" => PrincipalIdKind::CanonicalUser,
                        _ => PrincipalIdKind::Aws,
                    };
                    values
                        .into_iter()
                        .map(move |value| PrincipalId { kind, value })
                })
                .collect(),
        ),
    }
}
