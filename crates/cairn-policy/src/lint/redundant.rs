//! Parts that add nothing: an action already covered by another in the same statement
//! (`s3:GetObject` beside `s3:Get*`), a resource already covered by another, a statement whose
//! permissions another statement already grants (or denies) under the same terms.

use super::finding::{Finding, Issue};
use super::pattern;
use super::view::{ListBlock, Statement, Text, View};

pub(super) fn check(view: &View, out: &mut Vec<Finding>) {
    for s in &view.statements {
        if let Some(a) = s.action.as_ref().filter(|a| !a.negated) {
            covered_entries(&a.entries, true).into_iter().for_each(|group| {
                out.push(Finding::new(
                    Issue::RedundantAction,
                    format!(
                        "The {} action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: {}.",
                        group.len(),
                        group[1].text
                    ),
                    sorted_locations(&group),
                ));
            });
        }
        if let Some(r) = s.resource.as_ref().filter(|r| !r.negated) {
            covered_entries(&r.entries, false).into_iter().for_each(|group| {
                out.push(Finding::new(
                    Issue::RedundantResource,
                    format!(
                        "The {} resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*), or remove the resource {} to remove the redundancy.",
                        group.len(),
                        group[1].text
                    ),
                    sorted_locations(&group),
                ));
            });
        }
    }
    statements(view, out);
}

fn sorted_locations(group: &[&Text]) -> Vec<super::finding::Location> {
    let mut locs: Vec<_> = group.iter().map(|t| t.loc.clone()).collect();
    locs.sort_by_key(|l| l.span.start.offset);
    locs
}

/// Groups of entries: a covering entry first, then the entries it makes redundant (each entry
/// is in at most one group).
fn covered_entries(entries: &[Text], case_insensitive: bool) -> Vec<Vec<&Text>> {
    if entries.len().saturating_mul(entries.len()) > super::MAX_PAIRS {
        return Vec::new();
    }
    let mut used = vec![false; entries.len()];
    let mut groups = Vec::new();
    for (i, general) in entries.iter().enumerate() {
        if used[i] {
            continue;
        }
        let covered: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(j, specific)| {
                *j != i
                    && !used[*j]
                    && pattern::covers(&general.text, &specific.text, case_insensitive)
            })
            .map(|(j, _)| j)
            .collect();
        if covered.is_empty() {
            continue;
        }
        used[i] = true;
        let mut group = vec![general];
        for j in covered {
            used[j] = true;
            group.push(&entries[j]);
        }
        groups.push(group);
    }
    groups
}

/// Every entry of `inner` is covered by some entry of `outer`.
fn block_covers(outer: &ListBlock, inner: &ListBlock, case_insensitive: bool) -> bool {
    !inner.entries.is_empty()
        && inner.entries.iter().all(|i| {
            outer
                .entries
                .iter()
                .any(|o| pattern::covers(&o.text, &i.text, case_insensitive))
        })
}

/// What must be equal for one statement to make another redundant: effect, principal and
/// conditions, compared as written (whitespace and order of the JSON aside).
fn terms(s: &Statement) -> Option<String> {
    let effect = &s.effect.as_ref()?.text;
    let principal = match &s.principal {
        None => String::new(),
        Some(p) => format!("{}{:?}", p.negated, principal_terms(p)),
    };
    let mut condition: Vec<String> = s
        .condition
        .iter()
        .flat_map(|(_, ops)| ops)
        .flat_map(|op| {
            op.keys.iter().map(move |k| {
                let mut values: Vec<&str> = k.values.iter().map(|v| v.text.as_str()).collect();
                values.sort_unstable();
                format!(
                    "{}|{}|{:?}",
                    op.name.text,
                    k.name.text.to_ascii_lowercase(),
                    values
                )
            })
        })
        .collect();
    condition.sort_unstable();
    Some(format!("{effect}|{principal}|{condition:?}"))
}

fn principal_terms(p: &super::view::PrincipalBlock) -> Vec<String> {
    let mut out: Vec<String> = match &p.value {
        super::view::PrincipalValue::Text(t) => vec![t.text.clone()],
        super::view::PrincipalValue::Map(entries) => entries
            .iter()
            .flat_map(|e| {
                e.values
                    .iter()
                    .map(move |v| format!("{}={}", e.key.text, v.text))
            })
            .collect(),
        super::view::PrincipalValue::Other => vec![String::new()],
    };
    out.sort_unstable();
    out
}

fn statements(view: &View, out: &mut Vec<Finding>) {
    let plain: Vec<(&Statement, String, &ListBlock, &ListBlock)> = view
        .statements
        .iter()
        .filter_map(|s| {
            let a = s.action.as_ref().filter(|a| !a.negated)?;
            let r = s.resource.as_ref().filter(|r| !r.negated)?;
            Some((s, terms(s)?, a, r))
        })
        .collect();
    let work: usize = plain
        .iter()
        .map(|(_, _, a, r)| a.entries.len() + r.entries.len())
        .sum();
    if plain.len().saturating_mul(work) > super::MAX_PAIRS {
        return;
    }
    let mut reported = vec![false; plain.len()];
    for (i, (si, ti, ai, ri)) in plain.iter().enumerate() {
        for (j, (sj, tj, aj, rj)) in plain.iter().enumerate().skip(i + 1) {
            if reported[j] || reported[i] || ti != tj {
                continue;
            }
            let j_in_i = block_covers(ai, aj, true) && block_covers(ri, rj, false);
            let i_in_j = block_covers(aj, ai, true) && block_covers(rj, ri, false);
            if j_in_i || i_in_j {
                reported[if j_in_i { j } else { i }] = true;
                out.push(Finding::new(
                    Issue::RedundantStatement,
                    "The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.",
                    vec![si.loc.clone(), sj.loc.clone()],
                ));
            }
        }
    }
}
