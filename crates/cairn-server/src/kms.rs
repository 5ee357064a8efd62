//! The built-in key service behind SSE-KMS: which KMS keys exist and what a request's key id
//! names.
//!
//! There is no external KMS. Every account has the AWS-managed key (alias `aws/s3`), used when
//! `aws:kms` is asked for without a key id, and the keys the operator declares
//! (`--kms-key ID`, repeatable, or `CAIRN_KMS_KEYS=a,b`), which exist in every account. A key's
//! material is derived from the master key, the account and the key id
//! (`MasterKey::kms_key_wrap`), so it is never stored and every node derives the same. A request
//! may name a key by id, `alias/NAME` (a declared key's name is also its alias), or ARN
//! (`arn:aws:kms:REGION:ACCOUNT:key/ID` or `…:alias/NAME`); anything else is AWS's
//! `KMS.NotFoundException`. Objects record the key's ARN, which is what S3 reports and all a read
//! needs.

use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The alias of each account's AWS-managed key for S3.
pub const MANAGED_ALIAS: &str = "aws/s3";

/// A KMS key of an account, as objects record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRef {
    pub region: String,
    pub account: String,
    pub key_id: String,
}

impl KeyRef {
    /// `arn:aws:kms:REGION:ACCOUNT:key/ID`, as S3 reports the key of an object.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:kms:{}:{}:key/{}",
            self.region, self.account, self.key_id
        )
    }

    /// The key an object's recorded ARN names; `None` if it is not a key ARN.
    pub fn from_arn(arn: &str) -> Option<KeyRef> {
        let (region, account, resource) = split_arn(arn)?;
        let key_id = resource.strip_prefix("key/")?;
        valid_id(key_id).then(|| KeyRef {
            region: region.to_string(),
            account: account.to_string(),
            key_id: key_id.to_string(),
        })
    }
}

/// `arn:aws:kms:REGION:ACCOUNT:RESOURCE` → (region, account, resource).
fn split_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:aws:kms:")?;
    let mut it = rest.splitn(3, ':');
    let (region, account, resource) = (it.next()?, it.next()?, it.next()?);
    (!region.is_empty() && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
        .then_some((region, account, resource))
}

/// Key ids and alias names Cairn accepts: KMS's characters, bounded.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 256
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The id of an account's AWS-managed key: shaped like KMS's (a UUID) and stable, so objects
/// written under it keep naming the same key.
pub fn managed_key_id(account: &str) -> String {
    let h = Sha256::digest(format!("cairn/kms/aws-managed/{MANAGED_ALIAS}/{account}"));
    let x = hex::encode(&h[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// A key id that names no key of the account (AWS's `KMS.NotFoundException`).
#[derive(Debug, PartialEq, Eq)]
pub struct NotFound(pub String);

/// The keys that exist: each account's managed key and the declared ones.
#[derive(Debug, Default, Clone)]
pub struct KeyService {
    declared: BTreeSet<String>,
}

impl KeyService {
    /// The service with the operator's keys; an id KMS could not have is refused (at start-up).
    pub fn new<I: IntoIterator<Item = String>>(ids: I) -> Result<Self, String> {
        let mut declared = BTreeSet::new();
        for id in ids {
            let id = id.trim();
            if id.is_empty() {
                continue;
            }
            if !valid_id(id) {
                return Err(format!(
                    "invalid KMS key id {id:?}: use letters, digits, '-' and '_' (at most 256)"
                ));
            }
            declared.insert(id.to_string());
        }
        Ok(KeyService { declared })
    }

    /// The declared key ids.
    pub fn declared(&self) -> impl Iterator<Item = &str> {
        self.declared.iter().map(String::as_str)
    }

    /// The key `given` names among `account`'s keys in `region`; no id (or an empty one) is the
    /// AWS-managed key.
    pub fn resolve(
        &self,
        region: &str,
        account: &str,
        given: Option<&str>,
    ) -> Result<KeyRef, NotFound> {
        let given = given.map(str::trim).filter(|g| !g.is_empty());
        let Some(text) = given else {
            return Ok(self.key(region, account, managed_key_id(account)));
        };
        let not_found = || NotFound(text.to_string());
        let (resource, qualified) = match split_arn(text) {
            Some((r, a, resource)) if r == region && a == account => (resource, true),
            Some(_) => return Err(not_found()),
            None if text.starts_with("arn:") => return Err(not_found()),
            None => (text, false),
        };
        let key_id = if let Some(alias) = resource.strip_prefix("alias/") {
            if alias == MANAGED_ALIAS {
                managed_key_id(account)
            } else if self.declared.contains(alias) {
                alias.to_string()
            } else {
                return Err(not_found());
            }
        } else {
            // An ARN names a key as `key/ID`; a bare id stands alone.
            let id = if qualified {
                resource.strip_prefix("key/").ok_or_else(not_found)?
            } else {
                resource
            };
            if self.declared.contains(id) || id == managed_key_id(account) {
                id.to_string()
            } else {
                return Err(not_found());
            }
        };
        Ok(self.key(region, account, key_id))
    }

    fn key(&self, region: &str, account: &str, key_id: String) -> KeyRef {
        KeyRef {
            region: region.to_string(),
            account: account.to_string(),
            key_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "111122223333";

    fn service() -> KeyService {
        KeyService::new(["testkey-1".to_string(), " ".to_string()]).unwrap()
    }

    #[test]
    fn ids_aliases_and_arns_name_the_same_key() {
        let s = service();
        let want = "arn:aws:kms:us-east-1:111122223333:key/testkey-1";
        for given in [
            "testkey-1",
            "alias/testkey-1",
            want,
            "arn:aws:kms:us-east-1:111122223333:alias/testkey-1",
        ] {
            let k = s.resolve("us-east-1", ACCOUNT, Some(given)).unwrap();
            assert_eq!(k.arn(), want, "{given}");
            assert_eq!(KeyRef::from_arn(&k.arn()), Some(k));
        }
    }

    #[test]
    fn no_id_is_the_managed_key() {
        let s = service();
        let managed = s.resolve("us-east-1", ACCOUNT, None).unwrap();
        assert_eq!(managed.key_id, managed_key_id(ACCOUNT));
        assert_eq!(managed.key_id.len(), 36);
        for given in ["", "alias/aws/s3", &managed.key_id.clone(), &managed.arn()] {
            assert_eq!(
                s.resolve("us-east-1", ACCOUNT, Some(given)).unwrap(),
                managed,
                "{given}"
            );
        }
        assert_ne!(managed_key_id("444455556666"), managed.key_id);
    }

    #[test]
    fn unknown_keys_are_not_found() {
        let s = service();
        for given in [
            "testkey-2",
            "alias/testkey-2",
            "alias/aws/s3x",
            "arn:aws:kms:us-east-1:444455556666:key/testkey-1",
            "arn:aws:kms:eu-west-1:111122223333:key/testkey-1",
            "arn:aws:kms:us-east-1:111122223333:testkey-1",
            "arn:aws:s3:::bucket",
            "key/testkey-1",
        ] {
            assert_eq!(
                s.resolve("us-east-1", ACCOUNT, Some(given)),
                Err(NotFound(given.to_string())),
                "{given}"
            );
        }
        assert!(KeyService::new(["a/b".to_string()]).is_err());
        assert_eq!(service().declared().collect::<Vec<_>>(), ["testkey-1"]);
    }
}
