//! The actions AWS defines for `s3`, `iam`, `sts` and `access-analyzer`.
//!
//! IAM accepts any well-formed `vendor:Name`, so a typo such as
//! `s3:ListObject` silently grants nothing; linters use this catalog to warn
//! about it and to expand wildcards. Data: `catalog_data.rs`, generated.

use crate::catalog_data::ACTIONS;
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
    ACTIONS
        .iter()
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
    fn carries_resource_types() {
        let get = find("s3", "GetObject").map(|a| a.resource_types);
        assert_eq!(get, Some(&["object*"][..]));
        assert_eq!(
            find("s3", "ListAllMyBuckets").map(|a| a.resource_types.len()),
            Some(0)
        );
    }
}
