//! ValidatePolicy: the request's fields (body: `policyDocument`, `policyType`,
//! `validatePolicyResourceType`, `locale`; query string: `maxResults`, `nextToken`) checked as
//! AWS checks them, the document handed to the linter, and the findings written in the
//! response's shape, a page at a time.

use cairn_policy::lint::{self, Finding, LintKind, PathStep, ResourceType};
use cairn_policy::span::Position;
use serde_json::{Value, json};

use super::ApiError;

const POLICY_TYPES: &[&str] = &[
    "IDENTITY_POLICY",
    "RESOURCE_POLICY",
    "SERVICE_CONTROL_POLICY",
    "RESOURCE_CONTROL_POLICY",
];

const RESOURCE_TYPES: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::S3::AccessPoint",
    "AWS::S3::MultiRegionAccessPoint",
    "AWS::S3ObjectLambda::AccessPoint",
    "AWS::IAM::AssumeRolePolicyDocument",
    "AWS::DynamoDB::Table",
];

const LOCALES: &[&str] = &[
    "DE", "EN", "ES", "FR", "IT", "JA", "KO", "PT_BR", "ZH_CN", "ZH_TW",
];

/// Runs the operation on a request body and query string; the response body on success.
pub(super) fn validate_policy(body: &[u8], query: Option<&str>) -> Result<Value, ApiError> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|_| ApiError::unreadable("The request body could not be read as JSON."))?;
    let Value::Object(fields) = &request else {
        return Err(ApiError::unreadable(
            "The request body must be a JSON object.",
        ));
    };
    let text = |name: &str| -> Result<Option<&str>, ApiError> {
        match fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(ApiError::unreadable(format!(
                "The value of '{name}' must be a string."
            ))),
        }
    };
    let document = text("policyDocument")?.ok_or_else(|| missing("policyDocument"))?;
    let policy_type = text("policyType")?.ok_or_else(|| missing("policyType"))?;
    let policy_type = one_of(policy_type, "policyType", POLICY_TYPES)?;
    let resource_type = text("validatePolicyResourceType")?
        .map(|t| one_of(t, "validatePolicyResourceType", RESOURCE_TYPES))
        .transpose()?;
    if let Some(locale) = text("locale")? {
        // Findings are written in English whatever the locale; the value must still be one.
        one_of(locale, "locale", LOCALES)?;
    }
    let (max_results, next_token) = paging(query)?;
    let kind = match policy_type {
        "IDENTITY_POLICY" => LintKind::IdentityPolicy,
        "SERVICE_CONTROL_POLICY" => LintKind::ServiceControlPolicy,
        "RESOURCE_CONTROL_POLICY" => LintKind::ResourceControlPolicy,
        _ => LintKind::ResourcePolicy(match resource_type {
            Some("AWS::S3::Bucket") => ResourceType::S3Bucket,
            Some("AWS::IAM::AssumeRolePolicyDocument") => ResourceType::RoleTrust,
            _ => ResourceType::Any,
        }),
    };
    let findings = lint::validate_policy(document, kind);
    let start = next_token.unwrap_or(0);
    if start > findings.len() {
        return Err(ApiError::validation("The nextToken is not valid."));
    }
    let end = max_results.map_or(findings.len(), |m| (start + m).min(findings.len()));
    let page: Vec<Value> = findings[start..end].iter().map(finding_json).collect();
    let mut out = json!({ "findings": page });
    if end < findings.len() {
        out["nextToken"] = json!(end.to_string());
    }
    Ok(out)
}

fn missing(field: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
    ))
}

fn one_of<'a>(value: &'a str, field: &str, allowed: &[&str]) -> Result<&'a str, ApiError> {
    if allowed.contains(&value) {
        return Ok(value);
    }
    Err(ApiError::validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    )))
}

/// `maxResults` (at least 1) and `nextToken` (the offset a previous page stopped at).
fn paging(query: Option<&str>) -> Result<(Option<usize>, Option<usize>), ApiError> {
    let mut max_results = None;
    let mut next_token = None;
    for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "maxResults" => {
                let n: i64 = v.parse().map_err(|_| {
                    ApiError::validation(format!(
                        "1 validation error detected: Value '{v}' at 'maxResults' failed to satisfy constraint: Member must be a number"
                    ))
                })?;
                if n < 1 {
                    return Err(ApiError::validation(format!(
                        "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
                    )));
                }
                max_results = Some(usize::try_from(n).unwrap_or(usize::MAX));
            }
            "nextToken" => {
                next_token = Some(
                    v.parse::<usize>()
                        .map_err(|_| ApiError::validation("The nextToken is not valid."))?,
                );
            }
            _ => {}
        }
    }
    Ok((max_results, next_token))
}

/// One `ValidatePolicyFinding`.
fn finding_json(f: &Finding) -> Value {
    let position = |p: Position| json!({ "line": p.line, "column": p.column, "offset": p.offset });
    let locations: Vec<Value> = f
        .locations
        .iter()
        .map(|l| {
            let path: Vec<Value> = l
                .path
                .iter()
                .map(|step| match step {
                    PathStep::Value(v) => json!({ "value": v }),
                    PathStep::Key(k) => json!({ "key": k }),
                    PathStep::Index(i) => json!({ "index": i }),
                    PathStep::Substring { start, length } => {
                        json!({ "substring": { "start": start, "length": length } })
                    }
                })
                .collect();
            json!({
                "path": path,
                "span": { "start": position(l.span.start), "end": position(l.span.end) },
            })
        })
        .collect();
    json!({
        "findingDetails": f.details,
        "findingType": f.finding_type().as_str(),
        "issueCode": f.issue_code(),
        "learnMoreLink": f.learn_more_link(),
        "locations": locations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Vec<u8> {
        v.to_string().into_bytes()
    }

    #[test]
    fn findings_in_the_response_shape() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListObject","Resource":"*"}]}"#;
        let out = validate_policy(
            &body(json!({"policyDocument": doc, "policyType": "IDENTITY_POLICY"})),
            None,
        );
        let out = out.unwrap_or_default();
        let f = &out["findings"][0];
        assert_eq!(f["issueCode"], "INVALID_ACTION");
        assert_eq!(f["findingType"], "ERROR");
        assert_eq!(
            f["locations"][0]["path"],
            json!([{"value": "Statement"}, {"index": 0}, {"value": "Action"}])
        );
        assert_eq!(f["locations"][0]["span"]["start"]["line"], 1);
        assert!(out.get("nextToken").is_none());
    }

    #[test]
    fn pages() {
        let doc =
            r#"{"Statement":[{"Effect":"Allow","Action":["s3:A","s3:B","s3:C"],"Resource":"*"}]}"#;
        let req = body(json!({"policyDocument": doc, "policyType": "IDENTITY_POLICY"}));
        let first = validate_policy(&req, Some("maxResults=2")).unwrap_or_default();
        assert_eq!(first["findings"].as_array().map(Vec::len), Some(2));
        assert_eq!(first["nextToken"], "2");
        let second = validate_policy(&req, Some("maxResults=2&nextToken=2")).unwrap_or_default();
        assert_eq!(second["findings"].as_array().map(Vec::len), Some(2));
        assert!(second.get("nextToken").is_none());
    }

    #[test]
    fn refusals() {
        let rows: &[(&[u8], Option<&str>, &str)] = &[
            (b"not json", None, "cannotParse"),
            (b"[]", None, "cannotParse"),
            (br#"{"policyType":"IDENTITY_POLICY"}"#, None, "fieldValidationFailed"),
            (br#"{"policyDocument":"{}"}"#, None, "fieldValidationFailed"),
            (br#"{"policyDocument":5,"policyType":"IDENTITY_POLICY"}"#, None, "cannotParse"),
            (br#"{"policyDocument":"{}","policyType":"NOPE"}"#, None, "fieldValidationFailed"),
            (br#"{"policyDocument":"{}","policyType":"RESOURCE_POLICY","validatePolicyResourceType":"AWS::Nope"}"#, None, "fieldValidationFailed"),
            (br#"{"policyDocument":"{}","policyType":"IDENTITY_POLICY","locale":"XX"}"#, None, "fieldValidationFailed"),
            (br#"{"policyDocument":"{}","policyType":"IDENTITY_POLICY"}"#, Some("maxResults=0"), "fieldValidationFailed"),
            (br#"{"policyDocument":"{}","policyType":"IDENTITY_POLICY"}"#, Some("nextToken=abc"), "fieldValidationFailed"),
            (br#"{"policyDocument":"{}","policyType":"IDENTITY_POLICY"}"#, Some("nextToken=99"), "fieldValidationFailed"),
        ];
        for (req, query, reason) in rows {
            let err = validate_policy(req, *query).err();
            assert_eq!(
                err.as_ref().map(|e| (e.code, e.reason)),
                Some(("ValidationException", Some(*reason))),
                "{}",
                String::from_utf8_lossy(req)
            );
        }
    }
}
