//! Policy variables (`${aws:username}`) as written: where they may appear (Resource and
//! Condition values, in version 2012-10-17 documents) and whether they are well formed.

use super::finding::{Finding, Issue, Location};
use super::view::View;

/// Whether the text uses a policy variable.
pub(super) fn uses(text: &str) -> bool {
    text.contains("${")
}

/// Whether `${…}` are variables in this document (older or missing versions read them as text).
pub(super) fn substituted(view: &View) -> bool {
    view.version
        .as_ref()
        .is_some_and(|v| v.text == "2012-10-17")
}

/// The variables' names (the text inside `${…}`, trimmed), for messages.
pub(super) fn names(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                out.push(after[..end].trim());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// Reports malformed variables in a Resource or Condition value, and variables in a document
/// whose version does not substitute them.
pub(super) fn check_value(view: &View, text: &str, loc: &Location, out: &mut Vec<Finding>) {
    if !uses(text) {
        return;
    }
    if !substituted(view) {
        out.push(Finding::new(
            Issue::VariableUnsupportedInVersion,
            "To include variables in your policy, use the policy version 2012-10-17 or later.",
            vec![loc.clone()],
        ));
        return;
    }
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push(Finding::new(
                Issue::MissingBraceInVariable,
                "The policy variable is missing a closing curly brace. Add } after the variable text.",
                vec![loc.clone()],
            ));
            return;
        };
        if after[..end].trim().is_empty() {
            out.push(Finding::new(
                Issue::EmptyVariable,
                "Empty policy variable. Remove the ${ } variable structure or provide a variable within the structure.",
                vec![loc.clone()],
            ));
        }
        rest = &after[end + 1..];
    }
}
