//! Shape checks IAM applies to `Resource`/`NotResource` values at parse time.
//!
//! Two tiers, reported at different stages: [`passes_legacy_parsing`]
//! failures yield "The policy failed legacy parsing" early, while
//! [`format_error`] yields a specific message after the actions check.
//! The rules reproduce the messages AWS recorded in moto's validation cases.

use crate::error::msg;

/// Partitions IAM knows; `*` is accepted as a wildcard partition.
const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
    "*",
];

/// Resource paths an IAM ARN may have (the 2019 message lists the first
/// thirteen; `assumed-role/` and `root` are resource types in the Service
/// Authorization Reference and are accepted too).
const IAM_PATHS: &[&str] = &[
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
    "assumed-role/",
    "root",
    "*",
];

/// S3 resource types whose ARNs carry a region (access points, batch jobs,
/// Storage Lens, access grants, multi-region access point requests).
const S3_REGIONAL_PATHS: &[&str] = &[
    "accesspoint/",
    "job/",
    "storage-lens/",
    "storage-lens-group/",
    "async-request/",
    "access-grants/",
];

/// The early check: an ARN in a known partition whose service is empty, or
/// that has an empty segment (`::`) but fewer than six segments.
pub fn passes_legacy_parsing(resource: &str) -> bool {
    if resource == "*" {
        return true;
    }
    let fields: Vec<&str> = resource.split(':').collect();
    if fields.len() < 2 || !PARTITIONS.contains(&fields[1]) {
        return true;
    }
    if fields.get(2).is_some_and(|service| service.is_empty()) {
        return false;
    }
    !(resource.contains("::") && fields.len() < 6)
}

/// The specific message for a resource IAM rejects, if any.
pub fn format_error(resource: &str) -> Option<String> {
    if resource == "*" {
        return None;
    }
    let fields: Vec<&str> = resource.split(':').collect();
    if fields.len() < 2 {
        return Some(format!(
            "Resource {resource} must be in ARN format or \"*\"."
        ));
    }
    let partition = fields[1];
    if !PARTITIONS.contains(&partition) {
        return Some(partition_error(partition, &fields[2..]));
    }
    let Some(service) = fields.get(2) else {
        return Some(msg::VENDOR_REGEX.to_owned());
    };
    let region = fields.get(3).copied().unwrap_or_default();
    let path = if fields.len() > 5 {
        fields[5..].join(":")
    } else {
        String::new()
    };
    match *service {
        "iam" if !region.is_empty() => Some(format!(
            "IAM resource {resource} cannot contain region information."
        )),
        "iam" if !IAM_PATHS.iter().any(|p| path.starts_with(p)) => Some(msg::IAM_PATH.to_owned()),
        "s3" if !region.is_empty() && !S3_REGIONAL_PATHS.iter().any(|p| path.starts_with(p)) => {
            Some(format!(
                "Resource {resource} can not contain region information."
            ))
        }
        _ => None,
    }
}

/// AWS echoes the resource as a six-part ARN, filling missing parts with `*`.
fn partition_error(partition: &str, rest: &[&str]) -> String {
    let part = |i: usize| rest.get(i).copied().unwrap_or("*");
    let first = match rest {
        [""] => "*",
        _ => part(0),
    };
    let last = if rest.len() > 3 {
        rest[3..].join(":")
    } else {
        "*".to_owned()
    };
    format!(
        "Partition \"{partition}\" is not valid for resource \"arn:{partition}:{first}:{}:{}:{last}\".",
        part(1),
        part(2)
    )
}
