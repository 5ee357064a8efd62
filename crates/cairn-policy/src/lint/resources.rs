//! The `Resource`/`NotResource` values: ARN shape (prefix, six fields, partition, service,
//! Region and account where the service allows them, a resource part that matches one of the
//! service's resource types), variables, what a bucket policy may name, and — Cairn's
//! addition — actions none of whose resource types the statement's resources can name
//! (`s3:GetObject` on `arn:aws:s3:::bucket` grants nothing).

use super::finding::{Finding, Issue, Location};
use super::view::{Statement, Text, View};
use super::{LintKind, ResourceType, actions, pattern, variables};
use crate::catalog;

/// Partitions AWS has; `*` and variables are accepted too.
const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// S3 resource types whose ARNs carry a Region and an account.
const S3_REGIONAL_PATHS: &[&str] = &[
    "accesspoint/",
    "job/",
    "storage-lens/",
    "storage-lens-group/",
    "async-request/",
    "access-grants/",
];

pub(super) fn check(view: &View, kind: LintKind, out: &mut Vec<Finding>) {
    for s in &view.statements {
        let Some(block) = &s.resource else {
            continue;
        };
        for entry in &block.entries {
            variables::check_value(view, &entry.text, &entry.loc, out);
            arn_shape(entry, out);
            if kind == LintKind::ResourcePolicy(ResourceType::S3Bucket)
                && !block.negated
                && !names_bucket_or_object(&entry.text)
            {
                out.push(Finding::new(
                    Issue::UnsupportedResourceArnInPolicy,
                    "The resource ARN is not supported for the resource-based policy attached to resource type S3 Bucket.",
                    vec![entry.loc.clone()],
                ));
            }
        }
        action_without_resource(s, out);
    }
}

/// Splits `arn:partition:service:region:account:resource`.
struct Arn<'a> {
    partition: &'a str,
    service: &'a str,
    region: &'a str,
    account: &'a str,
    resource: &'a str,
}

fn parse_arn(text: &str) -> Option<Arn<'_>> {
    let mut f = text.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) =
        (f.next(), f.next(), f.next(), f.next(), f.next(), f.next())
    else {
        return None;
    };
    Some(Arn {
        partition,
        service,
        region,
        account,
        resource,
    })
}

fn is_open(text: &str) -> bool {
    text.contains(['*', '?']) || variables::uses(text)
}

fn arn_shape(entry: &Text, out: &mut Vec<Finding>) {
    let text = entry.text.as_str();
    if text == "*" {
        return;
    }
    let here = || vec![entry.loc.clone()];
    if !text.starts_with("arn:") {
        out.push(Finding::new(
            Issue::InvalidArnPrefix,
            "Add the required prefix (arn) to the resource ARN.",
            here(),
        ));
        return;
    }
    let Some(arn) = parse_arn(text) else {
        out.push(Finding::new(
            Issue::MissingArnField,
            "Resource ARNs must include at least 6 fields in the following structure: arn:partition:service:region:account:resource",
            here(),
        ));
        return;
    };
    if !is_open(arn.partition) && !PARTITIONS.contains(&arn.partition) {
        out.push(Finding::new(
            Issue::InvalidPartition,
            format!(
                "The resource ARN for the service {} does not support the partition {}. Use the supported values: {}",
                arn.service,
                arn.partition,
                PARTITIONS.join(", ")
            ),
            here(),
        ));
    }
    if is_open(arn.service) {
        return;
    }
    if arn.service != arn.service.to_ascii_lowercase() && catalog::is_known_service(arn.service) {
        out.push(Finding::new(
            Issue::InvalidArnServiceCase,
            format!(
                "Update the service name {} in the resource ARN to use all lowercase letters.",
                arn.service
            ),
            here(),
        ));
        return;
    }
    if !catalog::is_known_service(arn.service) {
        out.push(Finding::new(
            Issue::InvalidService,
            format!(
                "The service {} does not exist. Use a valid service name.",
                arn.service
            ),
            here(),
        ));
        return;
    }
    let before = out.len();
    match arn.service {
        "s3" if !S3_REGIONAL_PATHS
            .iter()
            .any(|p| arn.resource.starts_with(p)) =>
        {
            if !arn.region.is_empty() {
                out.push(region_not_allowed("s3", here()));
            } else if !arn.account.is_empty() {
                out.push(Finding::new(
                    Issue::ArnAccountNotAllowed,
                    "The service s3 does not support specifying an account ID in the resource ARN.",
                    here(),
                ));
            }
        }
        "iam" if !arn.region.is_empty() => out.push(region_not_allowed("iam", here())),
        "iam" | "sts" if !valid_account(arn.account) => out.push(Finding::new(
            Issue::InvalidArnAccount,
            format!(
                "The resource ARN account ID {} is not valid. Provide a 12-digit account ID.",
                arn.account
            ),
            here(),
        )),
        _ => {}
    }
    let shape_reported = out.len() > before;
    if !shape_reported
        && matches!(arn.service, "s3" | "iam" | "access-analyzer")
        && !matches_a_type(&arn, text)
    {
        out.push(Finding::new(
            Issue::InvalidArnResource,
            "Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.",
            here(),
        ));
    }
}

fn region_not_allowed(service: &str, locations: Vec<Location>) -> Finding {
    Finding::new(
        Issue::ArnRegionNotAllowed,
        format!("The service {service} does not support specifying a Region in the resource ARN."),
        locations,
    )
}

/// Twelve digits, `aws` (AWS managed policies), or something a wildcard or variable fills in.
fn valid_account(account: &str) -> bool {
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        || account == "aws"
        || is_open(account)
}

/// Whether the ARN can name one of the resource types defined with the same service in its ARN.
fn matches_a_type(arn: &Arn<'_>, text: &str) -> bool {
    let text = pattern::without_variables(text);
    let mut formats = catalog::services()
        .filter_map(catalog::service)
        .flat_map(|s| s.resources.iter())
        .map(|(_, format)| *format)
        .filter(|f| f.split(':').nth(2) == Some(arn.service))
        .peekable();
    formats.peek().is_none() || formats.any(|f| pattern::overlaps_format(&text, f))
}

/// What an S3 bucket policy can name: the bucket or objects in it.
fn names_bucket_or_object(text: &str) -> bool {
    if text == "*" {
        return false;
    }
    let text = pattern::without_variables(text);
    let Some(arn) = parse_arn(&text) else {
        return false;
    };
    (arn.service == "s3" || arn.service == "*")
        && ["bucket", "object"].iter().any(|t| {
            catalog::service("s3")
                .and_then(|s| s.resource_arn(t))
                .is_some_and(|f| pattern::overlaps_format(&text, f))
        })
}

/// Cairn's addition: an action (named without wildcards, in the catalog, with resource types)
/// none of whose resource types any of the statement's resources can name.
fn action_without_resource(s: &Statement, out: &mut Vec<Finding>) {
    let (Some(actions_block), Some(resources)) = (&s.action, &s.resource) else {
        return;
    };
    if actions_block.negated || resources.negated || resources.entries.is_empty() {
        return;
    }
    if actions_block
        .entries
        .len()
        .saturating_mul(resources.entries.len())
        > super::MAX_PAIRS
    {
        return;
    }
    let patterns: Vec<String> = resources
        .entries
        .iter()
        .map(|r| pattern::without_variables(&r.text))
        .collect();
    for entry in &actions_block.entries {
        let Some((service, name)) = actions::split(&entry.text) else {
            continue;
        };
        if name.contains(['*', '?']) {
            continue;
        }
        let (Some(action), Some(svc)) = (catalog::find(service, name), catalog::service(service))
        else {
            continue;
        };
        let formats: Vec<(&str, &str)> = action
            .resource_types
            .iter()
            .filter_map(|t| Some((t.trim_end_matches('*'), svc.resource_arn(t)?)))
            .collect();
        if formats.is_empty() {
            continue;
        }
        let applies = patterns
            .iter()
            .any(|r| formats.iter().any(|(_, f)| pattern::overlaps_format(r, f)));
        if !applies {
            let types: Vec<String> = formats.iter().map(|(t, f)| format!("{t} ({f})")).collect();
            out.push(Finding::new(
                Issue::UnsupportedResourceForAction,
                format!(
                    "The action {} does not apply to any resource in this statement, so the statement has no effect on it. The action applies to the resource types: {}. Add a matching resource or move the action to another statement.",
                    entry.text,
                    types.join(", ")
                ),
                vec![entry.loc.clone(), resources.loc.clone()],
            ));
        }
    }
}
