//! The `Condition` element: operators that do not exist, keys that do not exist (globally or in
//! their service), operators of the wrong type for the key (`DateLessThan` on a string key,
//! `StringEquals` on a Boolean one), values the operator cannot read, set qualifiers on the
//! wrong kind of key, wildcards where no `Like` operator reads them, empty blocks and arrays.

use std::collections::HashMap;

use super::finding::{Finding, Issue};
use super::variables;
use super::view::{CondKey, CondOperator, Scalar, Statement, View};
use crate::catalog::{self, ConditionType};
use crate::condition_operator::{BaseOperator, SetQualifier};
use crate::{date, ip};

pub(super) fn check(view: &View, out: &mut Vec<Finding>) {
    for s in &view.statements {
        let Some((loc, operators)) = &s.condition else {
            continue;
        };
        if operators.is_empty() {
            out.push(Finding::new(
                Issue::EmptyObjectCondition,
                "This condition block is empty and it does not affect the policy. Specify conditions.",
                vec![loc.clone()],
            ));
        }
        for op in operators {
            operator(view, s, op, out);
        }
    }
}

fn operator(view: &View, s: &Statement, op: &CondOperator, out: &mut Vec<Finding>) {
    let name = op.name.text.as_str();
    let Some(parsed) = op.parsed else {
        let (issue, details) = if name == "NullIfExists" {
            (
                Issue::NullWithIfExists,
                "The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix.".to_string(),
            )
        } else if matches!(name, "ForAllValues:Null" | "ForAnyValue:Null") {
            (
                Issue::NullWithQualifier,
                "Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively.".to_string(),
            )
        } else {
            (
                Issue::InvalidConditionOperator,
                format!(
                    "The condition operator {name} is not valid. Use a valid condition operator."
                ),
            )
        };
        out.push(Finding::new(issue, details, vec![op.name.loc.clone()]));
        return;
    };
    let mut seen: HashMap<String, &str> = HashMap::new();
    for key in &op.keys {
        let lower = key.name.text.to_ascii_lowercase();
        match seen.get(&lower) {
            Some(first) if *first != key.name.text => out.push(Finding::new(
                Issue::DuplicateKeysWithDifferentCase,
                format!(
                    "The condition key {} appears more than once with different capitalization in the same condition block. Remove the duplicate condition keys.",
                    key.name.text
                ),
                vec![key.name.loc.clone()],
            )),
            _ => {
                seen.insert(lower, key.name.text.as_str());
            }
        }
        if key.is_array && key.values.is_empty() {
            empty_values(parsed.qualifier, parsed.if_exists, key, out);
        }
        let ty = key_type(key, out);
        if let Some(ty) = ty {
            operator_fits(parsed.base, parsed.qualifier, ty, s, key, out);
        }
        values(view, name, parsed.base, key, out);
    }
}

fn empty_values(
    qualifier: Option<SetQualifier>,
    if_exists: bool,
    key: &CondKey,
    out: &mut Vec<Finding>,
) {
    let k = &key.name.text;
    let (issue, details) = match (qualifier, if_exists) {
        (Some(SetQualifier::ForAllValues), _) => (
            Issue::EmptyArrayConditionForAllValues,
            format!(
                "The ForAllValues prefix with an empty condition key matches only if the key {k} is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead."
            ),
        ),
        (Some(SetQualifier::ForAnyValue), _) => (
            Issue::EmptyArrayConditionForAnyValue,
            format!(
                "The ForAnyValue prefix with an empty condition key {k} never matches the request context and it does not affect the policy. Specify conditions."
            ),
        ),
        (None, true) => (
            Issue::EmptyArrayConditionIfExists,
            format!(
                "The IfExists suffix with an empty condition key matches only if the key {k} is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead."
            ),
        ),
        (None, false) => (
            Issue::EmptyArrayCondition,
            format!(
                "There are no values for the condition key {k} and it does not affect the policy. Specify conditions."
            ),
        ),
    };
    out.push(Finding::new(issue, details, vec![key.value_loc.clone()]));
}

/// The key's type if it is known; reports keys that do not exist.
fn key_type(key: &CondKey, out: &mut Vec<Finding>) -> Option<ConditionType> {
    let k = key.name.text.as_str();
    let here = || vec![key.name.loc.clone()];
    let Some((prefix, _)) = k.split_once(':') else {
        out.push(Finding::new(
            Issue::InvalidConditionKeyFormat,
            "The condition key format is not valid. Use the format service:keyname.",
            here(),
        ));
        return None;
    };
    if prefix.eq_ignore_ascii_case("aws") {
        let ty = catalog::global_condition_key(k);
        if ty.is_none() {
            if k.eq_ignore_ascii_case("aws:ARN") {
                out.push(Finding::new(
                    Issue::DeprecatedGlobalConditionKey,
                    "We recommend that you update aws:ARN to use the newer condition key aws:PrincipalArn.",
                    here(),
                ));
            } else {
                out.push(Finding::new(
                    Issue::InvalidGlobalConditionKey,
                    format!("The condition key {k} does not exist. Use a valid condition key."),
                    here(),
                ));
            }
        }
        return ty;
    }
    // Identity providers' keys (`accounts.google.com:sub`, `<oidc host>:aud`) and SAML's are
    // open-ended: whatever claims the provider sends.
    if prefix.contains('.') || prefix.eq_ignore_ascii_case("saml") {
        return catalog::service("sts").and_then(|s| s.condition_key(k));
    }
    if let Some(service) = catalog::service(prefix) {
        let ty = service.condition_key(k);
        if ty.is_none() {
            out.push(Finding::new(
                Issue::InvalidServiceConditionKey,
                format!(
                    "The condition key {k} does not exist in the service {}. Use a valid condition key.",
                    service.prefix
                ),
                here(),
            ));
        }
        return ty;
    }
    if !catalog::is_known_service(prefix) {
        out.push(Finding::new(
            Issue::InvalidService,
            format!("The service {prefix} does not exist. Use a valid service name."),
            here(),
        ));
    }
    None
}

/// The operator family an operator belongs to, as AWS names it in type-mismatch messages.
fn family(base: BaseOperator) -> &'static str {
    use BaseOperator::*;
    match base {
        StringEquals
        | StringNotEquals
        | StringEqualsIgnoreCase
        | StringNotEqualsIgnoreCase
        | StringLike
        | StringNotLike => "string",
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => "numeric",
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => "date",
        Bool => "boolean",
        BinaryEquals => "binary",
        IpAddress | NotIpAddress => "ipaddress",
        ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => "arn",
        Null => "null",
    }
}

/// The operator type a key of this type takes, as AWS names it.
fn type_name(ty: ConditionType) -> &'static str {
    match ty {
        ConditionType::String | ConditionType::ArrayOfString => "String",
        ConditionType::Arn | ConditionType::ArrayOfArn => "ARN",
        ConditionType::Numeric => "Numeric",
        ConditionType::Bool => "Boolean",
        ConditionType::Date | ConditionType::DateOrNumeric => "Date",
        ConditionType::IpAddress => "IPAddress",
        ConditionType::Binary => "Binary",
    }
}

fn fits(family: &str, ty: ConditionType) -> bool {
    match ty {
        ConditionType::String | ConditionType::ArrayOfString => family == "string",
        ConditionType::Arn | ConditionType::ArrayOfArn => matches!(family, "arn" | "string"),
        ConditionType::Numeric => family == "numeric",
        ConditionType::Bool => family == "boolean",
        ConditionType::Date => family == "date",
        ConditionType::DateOrNumeric => matches!(family, "date" | "numeric"),
        ConditionType::IpAddress => family == "ipaddress",
        ConditionType::Binary => family == "binary",
    }
}

fn operator_fits(
    base: BaseOperator,
    qualifier: Option<SetQualifier>,
    ty: ConditionType,
    s: &Statement,
    key: &CondKey,
    out: &mut Vec<Finding>,
) {
    let k = &key.name.text;
    let fam = family(base);
    if fam == "null" {
        return;
    }
    if !fits(fam, ty) {
        out.push(Finding::new(
            Issue::TypeMismatch,
            format!(
                "Use the operator type {} instead of operator {fam} for the condition key {k}.",
                type_name(ty)
            ),
            vec![key.name.loc.clone()],
        ));
    } else if matches!(ty, ConditionType::Arn | ConditionType::ArrayOfArn)
        && matches!(base, BaseOperator::StringLike | BaseOperator::StringNotLike)
    {
        out.push(Finding::new(
            Issue::StringLikeOperatorWithArnConditionKeys,
            format!(
                "Use the operator type ARN instead of operator string for the condition key {k}."
            ),
            vec![key.name.loc.clone()],
        ));
    }
    match qualifier {
        None if ty.is_multivalued() => out.push(Finding::new(
            Issue::MissingQualifier,
            format!(
                "The request context key {k} has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy."
            ),
            vec![key.name.loc.clone()],
        )),
        Some(SetQualifier::ForAllValues) if !ty.is_multivalued() && s.is_allow() => {
            out.push(Finding::new(
                Issue::ForAllValuesWithSingleValuedKey,
                format!(
                    "Using ForAllValues qualifier with the single-valued condition key {k} can be overly permissive. We recommend that you remove ForAllValues:."
                ),
                vec![key.name.loc.clone()],
            ))
        }
        _ => {}
    }
}

/// Checks each value against what the operator reads.
fn values(view: &View, name: &str, base: BaseOperator, key: &CondKey, out: &mut Vec<Finding>) {
    let fam = family(base);
    if base == BaseOperator::Bool && key.values.len() > 1 {
        out.push(Finding::new(
            Issue::InvalidConditionMultipleBoolean,
            "The condition key does not support multiple Boolean values. Use a single Boolean value.",
            vec![key.value_loc.clone()],
        ));
    }
    for v in &key.values {
        let text = v.text.as_str();
        if variables::uses(text) {
            if matches!(fam, "string" | "arn") {
                variables::check_value(view, text, &v.loc, out);
            } else {
                out.push(Finding::new(
                    Issue::InvalidVariableForOperator,
                    "Policy variables can only be used with String and ARN operators.",
                    vec![v.loc.clone()],
                ));
            }
            continue;
        }
        let bad = match base {
            BaseOperator::Bool | BaseOperator::Null => (!text.eq_ignore_ascii_case("true")
                && !text.eq_ignore_ascii_case("false"))
            .then(|| {
                (
                    Issue::TypeMismatchBoolean,
                    format!("Add a valid Boolean value (true or false) for the condition operator {name}."),
                )
            }),
            _ if fam == "date" => date::parse(text).is_none().then(|| {
                (
                    Issue::TypeMismatchDate,
                    "The date condition operator is used with an invalid value. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format.".to_string(),
                )
            }),
            _ if fam == "numeric" => (!is_number(text)).then(|| {
                (
                    Issue::TypeMismatchNumber,
                    format!("Add a valid numeric value for the condition operator {name}."),
                )
            }),
            _ if fam == "ipaddress" => ip::parse_cidr(text).is_none().then(|| {
                (
                    Issue::TypeMismatchIpRange,
                    format!("The condition operator {name} is used with an invalid IP range value. Specify the IP range in standard CIDR format."),
                )
            }),
            BaseOperator::BinaryEquals => (!is_base64(text)).then(|| {
                (
                    Issue::TypeMismatchString,
                    format!("Add a valid base64-encoded string value for the condition operator {name}."),
                )
            }),
            BaseOperator::StringEquals
            | BaseOperator::StringNotEquals
            | BaseOperator::StringEqualsIgnoreCase
            | BaseOperator::StringNotEqualsIgnoreCase
                if v.kind == Scalar::String && text.contains(['*', '?']) =>
            {
                Some((
                    Issue::WildcardWithoutLikeOperator,
                    "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like.".to_string(),
                ))
            }
            _ => None,
        };
        if let Some((issue, details)) = bad {
            out.push(Finding::new(issue, details, vec![v.loc.clone()]));
        }
        called_via(key, text, v, out);
    }
}

/// `aws:CalledVia*` values are service principals (`athena.amazonaws.com`): the service must exist.
fn called_via(key: &CondKey, text: &str, v: &super::view::CondValue, out: &mut Vec<Finding>) {
    let k = key.name.text.to_ascii_lowercase();
    if !k.starts_with("aws:calledvia") {
        return;
    }
    if let Some(service) = text.strip_suffix(".amazonaws.com")
        && !service.contains(['*', '?'])
        && !catalog::is_known_service(service)
    {
        out.push(Finding::new(
            Issue::InvalidService,
            format!("The service {service} does not exist. Use a valid service name."),
            vec![v.loc.clone()],
        ));
    }
}

/// IAM's numeric values: an optional sign, digits, an optional fraction.
fn is_number(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Standard base64 with padding.
fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    text.len().is_multiple_of(4)
        && text.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}
