//! The syntax stage: JSON to an untyped-but-shaped document.
//!
//! Everything IAM reports as "Syntax errors in policy." is decided here:
//! unknown or conflicting elements, wrong JSON types, an `Effect` that is
//! not allow/deny in any letter case, an unknown version, an empty
//! statement list, unknown condition operators with a non-empty block.
//! Later stages (see `validate`) need the raw texts, e.g. the exact letter
//! case of `Effect`.

use serde_json::{Map, Value};

use crate::condition_operator::ConditionOperator;
use crate::error::{PolicyError, msg};

pub(crate) struct RawPolicy {
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<RawStatement>,
}

pub(crate) struct RawStatement {
    pub sid: Option<String>,
    pub effect: String,
    /// `(is_not, value)` for `Principal` / `NotPrincipal`.
    pub principal: Option<(bool, RawPrincipal)>,
    /// `(is_not, patterns)` for `Action` / `NotAction`.
    pub action: Option<(bool, Vec<String>)>,
    /// `(is_not, patterns)` for `Resource` / `NotResource`; JSON nulls dropped.
    pub resource: Option<(bool, Vec<String>)>,
    pub condition: Vec<RawCondition>,
}

pub(crate) enum RawPrincipal {
    Text(String),
    Map(Vec<(String, Vec<String>)>),
}

pub(crate) struct RawCondition {
    /// `None` for unknown operators (allowed only with an empty block).
    pub parsed: Option<ConditionOperator>,
    pub entries: Vec<(String, Vec<String>)>,
}

const VERSIONS: &[&str] = &["2008-10-17", "2012-10-17"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

fn syntax() -> PolicyError {
    PolicyError::malformed(msg::SYNTAX)
}

pub(crate) fn read(json: &str) -> Result<RawPolicy, PolicyError> {
    let value: Value = serde_json::from_str(json).map_err(|_| syntax())?;
    let Value::Object(top) = value else {
        return Err(syntax());
    };
    if top
        .keys()
        .any(|k| !matches!(k.as_str(), "Version" | "Id" | "Statement"))
    {
        return Err(syntax());
    }
    let version = optional_string(&top, "Version")?;
    if let Some(v) = &version
        && !VERSIONS.contains(&v.as_str())
    {
        return Err(syntax());
    }
    let id = optional_string(&top, "Id")?;
    let statements = match top.get("Statement") {
        Some(Value::Object(s)) => vec![statement(s)?],
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .map(|s| match s {
                Value::Object(s) => statement(s),
                _ => Err(syntax()),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(syntax()),
    };
    Ok(RawPolicy {
        version,
        id,
        statements,
    })
}

fn statement(s: &Map<String, Value>) -> Result<RawStatement, PolicyError> {
    if s.keys().any(|k| !STATEMENT_KEYS.contains(&k.as_str())) {
        return Err(syntax());
    }
    let effect = optional_string(s, "Effect")?.ok_or_else(syntax)?;
    if !effect.eq_ignore_ascii_case("allow") && !effect.eq_ignore_ascii_case("deny") {
        return Err(syntax());
    }
    Ok(RawStatement {
        sid: optional_string(s, "Sid")?,
        effect,
        principal: exclusive(s, "Principal", "NotPrincipal", principal)?,
        action: exclusive(s, "Action", "NotAction", |v| string_list(v, false))?,
        resource: exclusive(s, "Resource", "NotResource", |v| string_list(v, true))?,
        condition: match s.get("Condition") {
            None => Vec::new(),
            Some(Value::Object(c)) => conditions(c)?,
            Some(_) => return Err(syntax()),
        },
    })
}

/// Reads one of a mutually exclusive pair such as `Action`/`NotAction`.
fn exclusive<T>(
    s: &Map<String, Value>,
    positive: &str,
    negative: &str,
    read: impl Fn(&Value) -> Result<T, PolicyError>,
) -> Result<Option<(bool, T)>, PolicyError> {
    match (s.get(positive), s.get(negative)) {
        (Some(_), Some(_)) => Err(syntax()),
        (Some(v), None) => Ok(Some((false, read(v)?))),
        (None, Some(v)) => Ok(Some((true, read(v)?))),
        (None, None) => Ok(None),
    }
}

fn optional_string(map: &Map<String, Value>, key: &str) -> Result<Option<String>, PolicyError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(syntax()),
    }
}

/// A string or an array of strings; `nulls_allowed` accepts (and drops)
/// JSON nulls in arrays, as IAM does for `Resource`.
fn string_list(value: &Value, nulls_allowed: bool) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    Value::Null if nulls_allowed => {}
                    _ => return Err(syntax()),
                }
            }
            Ok(out)
        }
        _ => Err(syntax()),
    }
}

fn principal(value: &Value) -> Result<RawPrincipal, PolicyError> {
    match value {
        Value::String(s) => Ok(RawPrincipal::Text(s.clone())),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), string_list(v, false)?)))
            .collect::<Result<_, _>>()
            .map(RawPrincipal::Map),
        _ => Err(syntax()),
    }
}

fn conditions(block: &Map<String, Value>) -> Result<Vec<RawCondition>, PolicyError> {
    let mut out = Vec::with_capacity(block.len());
    for (operator, keys) in block {
        let Value::Object(keys) = keys else {
            return Err(syntax());
        };
        let parsed = ConditionOperator::parse(operator);
        if parsed.is_none() && !keys.is_empty() {
            return Err(syntax());
        }
        let entries = keys
            .iter()
            .map(|(key, values)| Ok((key.clone(), scalar_list(values)?)))
            .collect::<Result<_, PolicyError>>()?;
        out.push(RawCondition { parsed, entries });
    }
    Ok(out)
}

/// Condition values: strings, booleans or numbers, alone or in an array.
fn scalar_list(value: &Value) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => Ok(vec![scalar(other)?]),
    }
}

fn scalar(value: &Value) -> Result<String, PolicyError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(syntax()),
    }
}
