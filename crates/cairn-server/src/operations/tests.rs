//! Keeps the operation table true to AWS's models, to the dispatchers and to the docs.

use super::{Row, SERVICES, Support, markdown};
use std::collections::BTreeSet;

/// Operations AWS documents that its SDK models lack.
const NOT_IN_MODELS: &[&str] = &["PostObject"];

const BEGIN: &str = "<!-- operations:begin -->";
const END: &str = "<!-- operations:end -->";

fn aws_operations(service: &str) -> BTreeSet<&'static str> {
    let text = match service {
        "s3" => include_str!("aws/s3.txt"),
        "iam" => include_str!("aws/iam.txt"),
        "sts" => include_str!("aws/sts.txt"),
        "accessanalyzer" => include_str!("aws/accessanalyzer.txt"),
        other => panic!("no operation list for {other}"),
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The handlers a table routes to: the rows that are not "not supported".
fn answered(rows: &[Row]) -> BTreeSet<&'static str> {
    rows.iter()
        .filter(|r| r.support != Support::NotSupported)
        .map(Row::handler)
        .collect()
}

/// The string literals that open the arms of the `match` that follows `marker` in `source`,
/// up to its catch-all arm: the actions a Query API dispatcher routes.
fn match_arms(source: &str, marker: &str) -> BTreeSet<String> {
    let start = source
        .find(marker)
        .unwrap_or_else(|| panic!("dispatcher marker {marker:?} not found"));
    let mut arms = BTreeSet::new();
    for line in source[start + marker.len()..].lines() {
        let line = line.trim();
        if line.starts_with("other =>") {
            break;
        }
        if let Some(rest) = line.strip_prefix('"')
            && let Some((name, tail)) = rest.split_once('"')
            && tail.trim_start().starts_with("=>")
        {
            arms.insert(name.to_string());
        }
    }
    assert!(!arms.is_empty(), "no arms found after {marker:?}");
    arms
}

fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn table(service: &str) -> &'static [Row] {
    SERVICES
        .iter()
        .find(|(_, s, _)| *s == service)
        .map(|(_, _, rows)| *rows)
        .unwrap_or_else(|| panic!("no table for {service}"))
}

fn assert_same(what: &str, table: BTreeSet<String>, code: BTreeSet<String>) {
    let missing: Vec<_> = code.difference(&table).collect();
    let extra: Vec<_> = table.difference(&code).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: the operation table (crates/cairn-server/src/operations/table.rs) and the code \
         disagree.\n  routed but marked not supported (or missing): {missing:?}\n  marked \
         supported/partial but not routed: {extra:?}"
    );
}

#[test]
fn every_aws_operation_has_exactly_one_row_in_order() {
    for (title, service, rows) in SERVICES {
        let names: Vec<&str> = rows.iter().map(|r| r.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            names, sorted,
            "{title}: rows must be sorted by name, once each"
        );
        let listed: BTreeSet<&str> = names
            .iter()
            .copied()
            .filter(|n| !NOT_IN_MODELS.contains(n))
            .collect();
        let aws = aws_operations(service);
        let lacking: Vec<_> = aws.difference(&listed).collect();
        let unknown: Vec<_> = listed.difference(&aws).collect();
        assert!(
            lacking.is_empty() && unknown.is_empty(),
            "{title}: rows lacking for AWS operations {lacking:?}; rows naming no AWS operation \
             {unknown:?} (the lists in operations/aws/ come from scripts/aws-operations.py)"
        );
        for r in rows.iter() {
            assert!(
                r.support != Support::Partial || !r.note.is_empty(),
                "{title} {}: a partial row needs a note saying what is missing",
                r.name
            );
            if let Some(h) = r.handled_as {
                assert!(
                    names.contains(&h),
                    "{title} {}: handler {h} has no row",
                    r.name
                );
            }
        }
    }
}

#[test]
fn s3_rows_match_the_implemented_trait_methods() {
    let code = crate::s3::ROUTED.iter().map(|m| pascal_case(m)).collect();
    let table = answered(table("s3"))
        .into_iter()
        .map(String::from)
        .collect();
    assert_same("S3", table, code);
}

#[test]
fn iam_rows_match_the_dispatcher() {
    let code = match_arms(include_str!("../iam/mod.rs"), "match action.as_str() {");
    let table = answered(table("iam"))
        .into_iter()
        .map(String::from)
        .collect();
    assert_same("IAM", table, code);
}

#[test]
fn sts_rows_match_the_dispatcher() {
    let code = match_arms(include_str!("../sts/mod.rs"), "match action {");
    let table = answered(table("sts"))
        .into_iter()
        .map(String::from)
        .collect();
    assert_same("STS", table, code);
}

#[test]
fn access_analyzer_rows_match_its_routes() {
    // Each route authorizes `access-analyzer:<Operation>` before it runs.
    let source = include_str!("../analyzer/mod.rs");
    let marker = "authorize(state, &principal, \"";
    let code = source
        .match_indices(marker)
        .filter_map(|(i, _)| source[i + marker.len()..].split('"').next())
        .map(String::from)
        .collect();
    let table = answered(table("accessanalyzer"))
        .into_iter()
        .map(String::from)
        .collect();
    assert_same("IAM Access Analyzer", table, code);
}

#[test]
fn docs_compatibility_lists_the_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/compatibility.md");
    let doc = std::fs::read_to_string(path).expect("docs/compatibility.md");
    let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("docs/compatibility.md lacks the markers {BEGIN} and {END}");
    };
    let head = &doc[..b + BEGIN.len()];
    let want = format!("{head}\n{}{}", markdown(), &doc[e..]);
    if doc == want {
        return;
    }
    if std::env::var_os("CAIRN_BLESS").is_some() {
        std::fs::write(path, &want).expect("rewrite docs/compatibility.md");
        return;
    }
    panic!(
        "docs/compatibility.md's operation list differs from crates/cairn-server/src/operations/\
         table.rs; regenerate it with `CAIRN_BLESS=1 cargo test -p cairn-server --lib operations`"
    );
}
