//! The actions AWS defines for `s3`, `iam`, `sts` and `access-analyzer`, with their resource
//! types and condition keys; every service prefix AWS defines; the global `aws:` condition keys.
//!
//! IAM accepts any well-formed `vendor:Name`, so a typo such as
//! `s3:ListObject` silently grants nothing; linters use this catalog to warn
//! about it and to expand wildcards. Data: `catalog_data.rs` (generated) and
//! `catalog_global_keys.rs` (written once from AWS's global condition keys page).

use crate::catalog_data::{ACTIONS, S3_API_ACTIONS, SERVICE_PREFIXES, SERVICES};
use crate::catalog_global_keys::GLOBAL_KEYS;
use crate::glob;

/// The access level the Service Authorization Reference assigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    PermissionsManagement,
    Tagging,
}

/// One action of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownAction {
    /// Service prefix, e.g. `s3`.
    pub service: &'static str,
    /// Action name, e.g. `GetObject`.
    pub name: &'static str,
    pub access_level: AccessLevel,
    /// Resource types (`*` suffix: required), e.g. `object*`.
    pub resource_types: &'static [&'static str],
    /// Condition keys the action supports, beyond the global `aws:` keys.
    pub condition_keys: &'static [&'static str],
}

impl KnownAction {
    /// `service:Name`.
    pub fn qualified(&self) -> String {
        format!("{}:{}", self.service, self.name)
    }
}

/// The data type of a condition key, as the Service Authorization Reference states it; it
/// decides which condition operators fit the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionType {
    String,
    Arn,
    Numeric,
    Bool,
    Date,
    IpAddress,
    Binary,
    /// Multivalued: a set of strings (`aws:TagKeys`), compared with `ForAllValues`/`ForAnyValue`.
    ArrayOfString,
    ArrayOfArn,
    /// `aws:EpochTime`: compared with date or numeric operators alike.
    DateOrNumeric,
}

impl ConditionType {
    /// Whether a request may carry several values for the key.
    pub fn is_multivalued(self) -> bool {
        matches!(
            self,
            ConditionType::ArrayOfString | ConditionType::ArrayOfArn
        )
    }
}

/// The resource types and condition keys of one service the catalog details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownService {
    pub prefix: &'static str,
    /// `(resource type, ARN format)`, e.g. `("object", "arn:${Partition}:s3:::${BucketName}/${ObjectName}")`.
    pub resources: &'static [(&'static str, &'static str)],
    /// `(key, type)`; a `${TagKey}`-style or `<key>` part stands for any text.
    pub condition_keys: &'static [(&'static str, ConditionType)],
}

impl KnownService {
    /// The ARN format of one of this service's resource types (`object*` and `object` alike).
    pub fn resource_arn(&self, resource_type: &str) -> Option<&'static str> {
        let name = resource_type.trim_end_matches('*');
        self.resources
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, arn)| *arn)
    }

    /// The type of one of this service's condition keys (names are case-insensitive).
    pub fn condition_key(&self, key: &str) -> Option<ConditionType> {
        find_key(self.condition_keys, key)
    }
}

/// A key in a table whose names may end in a placeholder (`aws:RequestTag/${TagKey}`,
/// `s3:ExistingObjectTag/<key>`) that stands for any non-empty text.
fn find_key(table: &[(&'static str, ConditionType)], key: &str) -> Option<ConditionType> {
    table.iter().find_map(|(name, ty)| {
        let fixed = match name.find(['$', '<']) {
            Some(i) => &name[..i],
            None => return name.eq_ignore_ascii_case(key).then_some(*ty),
        };
        let matches = key.len() > fixed.len()
            && key.is_char_boundary(fixed.len())
            && key[..fixed.len()].eq_ignore_ascii_case(fixed);
        matches.then_some(*ty)
    })
}

/// The detailed service with this prefix (`s3`, `iam`, `sts`, `access-analyzer`).
pub fn service(prefix: &str) -> Option<&'static KnownService> {
    SERVICES
        .iter()
        .find(|s| s.prefix.eq_ignore_ascii_case(prefix))
}

/// Whether AWS defines a service with this prefix at all (`ec2` yes, `s4` no).
pub fn is_known_service(prefix: &str) -> bool {
    let lower = prefix.to_ascii_lowercase();
    SERVICE_PREFIXES.binary_search(&lower.as_str()).is_ok()
}

/// Every service prefix AWS defines, sorted.
pub fn service_prefixes() -> &'static [&'static str] {
    SERVICE_PREFIXES
}

/// The type of a global condition key (`aws:SourceIp` → `IpAddress`), if it is one.
pub fn global_condition_key(key: &str) -> Option<ConditionType> {
    find_key(GLOBAL_KEYS, key)
}

/// The action that authorizes an API operation whose name is not itself an action
/// (`s3`, `ListObjects` → `s3:ListBucket`), for suggesting what a policy meant.
pub fn action_for_api(service: &str, operation: &str) -> Option<&'static str> {
    if !service.eq_ignore_ascii_case("s3") {
        return None;
    }
    S3_API_ACTIONS
        .iter()
        .find(|(op, _)| op.eq_ignore_ascii_case(operation))
        .map(|(_, action)| *action)
}

/// Services this catalog covers; for any other service, [`is_known_action`]
/// cannot say anything and returns `false`.
pub fn services() -> impl Iterator<Item = &'static str> {
    ACTIONS
        .iter()
        .enumerate()
        .filter(|(i, a)| *i == 0 || ACTIONS[i - 1].service != a.service)
        .map(|(_, a)| a.service)
}

/// Looks an action up; names are case-insensitive as in policies.
pub fn find(service: &str, name: &str) -> Option<&'static KnownAction> {
    ACTIONS
        .iter()
        .find(|a| a.service.eq_ignore_ascii_case(service) && a.name.eq_ignore_ascii_case(name))
}

/// Whether `service:name` is a defined action (`is_known_action("s3", "ListObject")` is false).
pub fn is_known_action(service: &str, name: &str) -> bool {
    find(service, name).is_some()
}

/// Catalog actions an `Action` pattern such as `s3:Get*Acl` or `*` covers.
pub fn matching_actions(pattern: &str) -> impl Iterator<Item = &'static KnownAction> {
    let tokens = glob::tokens(pattern);
    // A literal service prefix rules out the other services without building their names.
    let service = pattern
        .split_once(':')
        .map(|(s, _)| s.to_string())
        .filter(|s| !s.contains(['*', '?']));
    ACTIONS
        .iter()
        .filter(move |a| {
            service
                .as_deref()
                .is_none_or(|s| a.service.eq_ignore_ascii_case(s))
        })
        .filter(move |a| glob::matches(&tokens, &a.qualified(), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_services() {
        let all: Vec<&str> = services().collect();
        assert_eq!(all, vec!["access-analyzer", "iam", "s3", "sts"]);
    }

    #[test]
    fn known_and_unknown_actions() {
        // Service Authorization Reference, "Actions defined by Amazon S3" / IAM / STS.
        let rows: &[(&str, &str, bool)] = &[
            ("s3", "GetObject", true),
            ("s3", "getobject", true),
            ("S3", "ListBucket", true),
            ("s3", "ListAllMyBuckets", true),
            ("s3", "ListObject", false),
            ("s3", "ListObjects", false),
            ("iam", "SimulatePrincipalPolicy", true),
            ("sts", "AssumeRole", true),
            ("access-analyzer", "ValidatePolicy", true),
            ("ec2", "RunInstances", false),
        ];
        for (service, name, want) in rows {
            assert_eq!(is_known_action(service, name), *want, "{service}:{name}");
        }
    }

    #[test]
    fn expands_wildcards() {
        let acl: Vec<String> = matching_actions("s3:Get*Acl")
            .map(|a| a.qualified())
            .collect();
        assert_eq!(
            acl,
            vec![
                "s3:GetBucketAcl",
                "s3:GetObjectAcl",
                "s3:GetObjectVersionAcl"
            ]
        );
        assert_eq!(matching_actions("s3:ListObject").count(), 0);
        assert!(matching_actions("*").count() > 300);
        assert!(matching_actions("sts:*").all(|a| a.service == "sts"));
    }

    #[test]
    fn knows_every_service_prefix_and_the_key_types() {
        // Service Authorization Reference: service prefixes; global condition context keys page.
        for (prefix, known) in [
            ("ec2", true),
            ("S3", true),
            ("dynamodb", true),
            ("s4", false),
        ] {
            assert_eq!(is_known_service(prefix), known, "{prefix}");
        }
        let rows: &[(&str, Option<ConditionType>)] = &[
            ("aws:SourceIp", Some(ConditionType::IpAddress)),
            ("aws:sourceip", Some(ConditionType::IpAddress)),
            ("aws:SecureTransport", Some(ConditionType::Bool)),
            ("aws:PrincipalTag/team", Some(ConditionType::String)),
            ("aws:PrincipalTag/", None),
            ("aws:TagKeys", Some(ConditionType::ArrayOfString)),
            ("aws:CurrentTime", Some(ConditionType::Date)),
            ("aws:SourceArn", Some(ConditionType::Arn)),
            ("aws:NoSuchKey", None),
        ];
        for (key, want) in rows {
            assert_eq!(global_condition_key(key), *want, "{key}");
        }
        assert_eq!(
            action_for_api("s3", "ListBuckets"),
            Some("s3:ListAllMyBuckets")
        );
        assert_eq!(action_for_api("s3", "ListObject"), None);
        let s3 = service("s3").map(|s| {
            (
                s.condition_key("s3:ExistingObjectTag/owner"),
                s.condition_key("s3:max-keys"),
                s.condition_key("s3:nope"),
                s.resource_arn("object*"),
            )
        });
        assert_eq!(
            s3,
            Some((
                Some(ConditionType::String),
                Some(ConditionType::Numeric),
                None,
                Some("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
            ))
        );
    }

    #[test]
    fn carries_resource_types() {
        let get = find("s3", "GetObject").map(|a| a.resource_types);
        assert_eq!(get, Some(&["object*"][..]));
        assert_eq!(
            find("s3", "ListAllMyBuckets").map(|a| a.resource_types.len()),
            Some(0)
        );
    }
}
