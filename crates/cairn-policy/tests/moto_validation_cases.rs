//! Every document moto recorded against AWS IAM `CreatePolicy`: the invalid
//! ones must fail with exactly AWS's message, the valid ones must parse.

use cairn_policy::{PolicyKind, parse};
use serde_json::Value;

const CASES: &str = include_str!("data/moto_iam_policy_validation_cases.json");

/// Documents are stored either as JSON values or, for non-JSON input, as strings.
fn document_text(document: &Value) -> String {
    match document {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn cases(section: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(CASES).expect("test data is JSON");
    all[section].as_array().expect("section is a list").clone()
}

#[test]
fn invalid_documents_fail_with_aws_message() {
    let cases = cases("invalid_policy_document_test_cases");
    assert_eq!(cases.len(), 78);
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let text = document_text(&case["document"]);
        let want = case["error_message"].as_str().expect("message");
        match parse(&text, PolicyKind::Identity) {
            Ok(_) => failures.push(format!("#{i}: accepted, want {want:?}\n  {text}")),
            Err(e) if e.to_string() != want => failures.push(format!(
                "#{i}: got {:?}, want {want:?}\n  {text}",
                e.to_string()
            )),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn valid_documents_parse() {
    let cases = cases("valid_policy_documents");
    assert_eq!(cases.len(), 54);
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let text = document_text(case);
        if let Err(e) = parse(&text, PolicyKind::Identity) {
            failures.push(format!("#{i}: {e}\n  {text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
