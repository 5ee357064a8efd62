//! What a bucket's lifecycle rules say about one object, version or upload: pure decisions
//! (no I/O, the time passed in), applied by `lifecycle_run.rs`.
//!
//! Days are counted the AWS way: the action is due at the object's creation (or, for noncurrent
//! versions, the time it became noncurrent) plus the days, rounded up to the next midnight UTC.
//! A "day" is normally 86,400 s; `CAIRN_LIFECYCLE_DAY_SECS` shortens it (a test knob, so that
//! tests see expiry within seconds), midnights then falling on multiples of that length.

use cairn_meta::{ObjectRecord, Tags};
use s3s::dto::{BucketLifecycleConfiguration, ExpirationStatus, LifecycleRule};

/// The length of a lifecycle day.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    day_ms: i64,
}

impl Clock {
    pub const DAY_MS: i64 = 86_400_000;

    /// A day of `CAIRN_LIFECYCLE_DAY_SECS` seconds if set (tests), else 24 hours.
    pub fn from_env() -> Self {
        let secs = std::env::var("CAIRN_LIFECYCLE_DAY_SECS")
            .ok()
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|s| *s > 0);
        Clock {
            day_ms: secs.map_or(Self::DAY_MS, |s| s.saturating_mul(1000)),
        }
    }

    #[cfg(test)]
    fn with_day_ms(day_ms: i64) -> Self {
        Clock { day_ms }
    }

    /// When something that started at `since` (ms) is `days` old: rounded up to a midnight.
    pub fn due(&self, since: i64, days: i32) -> i64 {
        let at = since.saturating_add(i64::from(days).saturating_mul(self.day_ms));
        at.div_euclid(self.day_ms)
            .saturating_add(i64::from(at.rem_euclid(self.day_ms) != 0))
            .saturating_mul(self.day_ms)
    }
}

/// Which objects a rule applies to (`Filter`, or the rule's legacy `Prefix`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub prefix: String,
    /// Every one of these must be in the object's tag set.
    pub tags: Tags,
    pub size_greater_than: Option<u64>,
    pub size_less_than: Option<u64>,
}

impl Filter {
    fn of(rule: &LifecycleRule) -> Filter {
        let tag = |t: &s3s::dto::Tag| {
            (
                t.key.clone().unwrap_or_default(),
                t.value.clone().unwrap_or_default(),
            )
        };
        let size = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
        let Some(f) = &rule.filter else {
            return Filter {
                prefix: rule.prefix.clone().unwrap_or_default(),
                ..Default::default()
            };
        };
        match &f.and {
            Some(and) => Filter {
                prefix: and.prefix.clone().unwrap_or_default(),
                tags: and.tags.iter().flatten().map(tag).collect(),
                size_greater_than: size(and.object_size_greater_than),
                size_less_than: size(and.object_size_less_than),
            },
            None => Filter {
                prefix: f.prefix.clone().unwrap_or_default(),
                tags: f.tag.iter().map(tag).collect(),
                size_greater_than: size(f.object_size_greater_than),
                size_less_than: size(f.object_size_less_than),
            },
        }
    }

    /// Whether an object (or version) with this key, tag set and size is in the rule's scope.
    pub fn matches(&self, key: &str, tags: &Tags, size: u64) -> bool {
        key.starts_with(&self.prefix)
            && self.tags.iter().all(|t| tags.contains(t))
            && self.size_greater_than.is_none_or(|n| size > n)
            && self.size_less_than.is_none_or(|n| size < n)
    }

    /// Whether only the key decides (delete markers and uploads have no tags or size to test).
    fn by_key_only(&self) -> bool {
        self.tags.is_empty() && self.size_greater_than.is_none() && self.size_less_than.is_none()
    }
}

/// An enabled rule's actions, as Cairn applies them (transitions have nowhere to go: ignored).
#[derive(Debug, Clone, Default)]
pub struct Rule {
    pub id: String,
    pub filter: Filter,
    pub expiration_days: Option<i32>,
    /// Midnight UTC of the date, in ms.
    pub expiration_date: Option<i64>,
    pub expired_object_delete_marker: bool,
    pub noncurrent_days: Option<i32>,
    /// Noncurrent versions to keep however old (the newest ones).
    pub newer_noncurrent_versions: usize,
    pub abort_days: Option<i32>,
}

/// The enabled rules of a configuration.
pub fn rules(config: &BucketLifecycleConfiguration) -> Vec<Rule> {
    config
        .rules
        .iter()
        .filter(|r| r.status.as_str() == ExpirationStatus::ENABLED)
        .map(|r| {
            let exp = r.expiration.as_ref();
            let nc = r.noncurrent_version_expiration.as_ref();
            Rule {
                id: r.id.clone().unwrap_or_default(),
                filter: Filter::of(r),
                expiration_days: exp.and_then(|e| e.days),
                expiration_date: exp
                    .and_then(|e| e.date.clone())
                    .map(|d| time::OffsetDateTime::from(d).unix_timestamp() * 1000),
                expired_object_delete_marker: exp
                    .and_then(|e| e.expired_object_delete_marker)
                    .unwrap_or(false),
                noncurrent_days: nc.and_then(|n| n.noncurrent_days),
                newer_noncurrent_versions: nc
                    .and_then(|n| n.newer_noncurrent_versions)
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or(0),
                abort_days: r
                    .abort_incomplete_multipart_upload
                    .as_ref()
                    .and_then(|a| a.days_after_initiation),
            }
        })
        .collect()
}

/// When the current version `obj` expires and under which rule: the earliest of the matching
/// rules' Expiration (Days or Date). Also what `x-amz-expiration` reports.
pub fn current_expiry<'r>(
    rules: &'r [Rule],
    clock: &Clock,
    obj: &ObjectRecord,
) -> Option<(i64, &'r str)> {
    rules
        .iter()
        .filter(|r| r.filter.matches(&obj.key, &obj.tags, obj.size))
        .filter_map(|r| {
            let by_days = r.expiration_days.map(|d| clock.due(obj.last_modified, d));
            by_days
                .or(r.expiration_date)
                .map(|due| (due, r.id.as_str()))
        })
        .min_by_key(|(due, _)| *due)
}

/// Whether a noncurrent version expires at `now`: it became noncurrent at `since` and
/// `newer` noncurrent versions of its key are newer than it. `None` for delete markers' size
/// and tags (they match on the key alone).
pub fn noncurrent_expired(
    rules: &[Rule],
    clock: &Clock,
    version: Option<&ObjectRecord>,
    key: &str,
    since: i64,
    newer: usize,
    now: i64,
) -> bool {
    rules.iter().any(|r| {
        let Some(days) = r.noncurrent_days else {
            return false;
        };
        let in_scope = match version {
            Some(v) => r.filter.matches(key, &v.tags, v.size),
            None => key.starts_with(&r.filter.prefix) && r.filter.by_key_only(),
        };
        in_scope && newer >= r.newer_noncurrent_versions && clock.due(since, days) <= now
    })
}

/// Whether a delete marker written at `created` that is the only version of `key` is to be
/// removed at `now`: at once under ExpiredObjectDeleteMarker, or, as AWS does under an
/// Expiration with Days, once that many days old.
pub fn removes_lone_marker(
    rules: &[Rule],
    clock: &Clock,
    key: &str,
    created: i64,
    now: i64,
) -> bool {
    rules.iter().any(|r| {
        let due = r.expired_object_delete_marker
            || r.expiration_days
                .is_some_and(|d| clock.due(created, d) <= now);
        due && key.starts_with(&r.filter.prefix) && r.filter.by_key_only()
    })
}

/// Whether an upload of `key` initiated at `initiated` is to be aborted at `now`.
pub fn upload_abandoned(
    rules: &[Rule],
    clock: &Clock,
    key: &str,
    initiated: i64,
    now: i64,
) -> bool {
    rules.iter().any(|r| {
        r.abort_days.is_some_and(|d| clock.due(initiated, d) <= now)
            && key.starts_with(&r.filter.prefix)
            && r.filter.by_key_only()
    })
}

/// Object Lock: a version under retention or legal hold is never expired.
pub fn locked(obj: &ObjectRecord, now: i64) -> bool {
    obj.attrs.legal_hold
        || obj
            .attrs
            .retention
            .as_ref()
            .is_some_and(|(_, until)| *until > now)
}

/// The `x-amz-expiration` header value for an object due at `due` under rule `id`.
pub fn expiration_header(due: i64, id: &str) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(due.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let date = date.format(&format).unwrap_or_default();
    format!("expiry-date=\"{date}\", rule-id=\"{id}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = Clock::DAY_MS;

    fn obj(key: &str, tags: &[(&str, &str)], size: u64, modified: i64) -> ObjectRecord {
        ObjectRecord {
            bucket: "b".into(),
            key: key.into(),
            version_id: "null".into(),
            size,
            etag: String::new(),
            last_modified: modified,
            layout: Vec::new(),
            attrs: Default::default(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn days_round_up_to_the_next_midnight() {
        let clock = Clock::with_day_ms(DAY);
        // Created 10:00 on day 5: one day later is 10:00 on day 6, due at midnight of day 7.
        assert_eq!(clock.due(5 * DAY + 10 * 3_600_000, 1), 7 * DAY);
        // Created exactly at midnight: due exactly a day later.
        assert_eq!(clock.due(5 * DAY, 1), 6 * DAY);
        assert_eq!(clock.due(5 * DAY + 1, 2), 8 * DAY);
        let short = Clock::with_day_ms(2000);
        assert_eq!(short.due(10_500, 1), 14_000);
    }

    #[test]
    fn filters_combine_prefix_tags_and_sizes() {
        let f = Filter {
            prefix: "logs/".into(),
            tags: vec![("k".into(), "v".into())],
            size_greater_than: Some(10),
            size_less_than: Some(100),
        };
        let tags: Tags = vec![("a".into(), "b".into()), ("k".into(), "v".into())];
        assert!(f.matches("logs/x", &tags, 50));
        assert!(!f.matches("data/x", &tags, 50));
        assert!(!f.matches("logs/x", &vec![("k".into(), "w".into())], 50));
        assert!(!f.matches("logs/x", &tags, 10));
        assert!(!f.matches("logs/x", &tags, 100));
        assert!(Filter::default().matches("anything", &Vec::new(), 0));
    }

    #[test]
    fn the_earliest_matching_expiration_wins() {
        let clock = Clock::with_day_ms(DAY);
        let rules = vec![
            Rule {
                id: "late".into(),
                expiration_days: Some(30),
                ..Default::default()
            },
            Rule {
                id: "tmp".into(),
                filter: Filter {
                    prefix: "tmp/".into(),
                    ..Default::default()
                },
                expiration_days: Some(1),
                ..Default::default()
            },
            Rule {
                id: "noncurrent-only".into(),
                noncurrent_days: Some(1),
                ..Default::default()
            },
        ];
        let o = obj("tmp/a", &[], 1, 0);
        assert_eq!(current_expiry(&rules, &clock, &o), Some((DAY, "tmp")));
        let o = obj("other", &[], 1, 0);
        assert_eq!(current_expiry(&rules, &clock, &o), Some((30 * DAY, "late")));
        assert_eq!(current_expiry(&rules[2..], &clock, &o), None);
    }

    #[test]
    fn noncurrent_versions_keep_the_newest_ones() {
        let clock = Clock::with_day_ms(DAY);
        let rules = vec![Rule {
            noncurrent_days: Some(1),
            newer_noncurrent_versions: 2,
            ..Default::default()
        }];
        let v = obj("k", &[], 1, 0);
        let old = 10 * DAY;
        assert!(!noncurrent_expired(
            &rules,
            &clock,
            Some(&v),
            "k",
            0,
            1,
            old
        ));
        assert!(noncurrent_expired(&rules, &clock, Some(&v), "k", 0, 2, old));
        assert!(!noncurrent_expired(
            &rules,
            &clock,
            Some(&v),
            "k",
            old,
            5,
            old
        ));
        assert!(noncurrent_expired(&rules, &clock, None, "k", 0, 3, old));
    }

    #[test]
    fn uploads_and_markers_match_on_the_key_alone() {
        let clock = Clock::with_day_ms(DAY);
        let rules = vec![
            Rule {
                filter: Filter {
                    prefix: "mp/".into(),
                    ..Default::default()
                },
                abort_days: Some(1),
                expired_object_delete_marker: true,
                ..Default::default()
            },
            Rule {
                filter: Filter {
                    tags: vec![("t".into(), "1".into())],
                    ..Default::default()
                },
                abort_days: Some(1),
                expired_object_delete_marker: true,
                ..Default::default()
            },
        ];
        assert!(upload_abandoned(&rules, &clock, "mp/x", 0, DAY));
        assert!(!upload_abandoned(&rules, &clock, "mp/x", 1, DAY));
        assert!(!upload_abandoned(&rules, &clock, "other", 0, DAY));
        assert!(removes_lone_marker(&rules, &clock, "mp/x", 0, 0));
        assert!(!removes_lone_marker(&rules, &clock, "other", 0, 0));
        let by_days = vec![Rule {
            expiration_days: Some(5),
            ..Default::default()
        }];
        assert!(!removes_lone_marker(&by_days, &clock, "k", 0, 4 * DAY));
        assert!(removes_lone_marker(&by_days, &clock, "k", 0, 5 * DAY));
    }

    #[test]
    fn locked_versions_are_recognised() {
        let mut o = obj("k", &[], 1, 0);
        assert!(!locked(&o, 5));
        o.attrs.retention = Some(("GOVERNANCE".into(), 10));
        assert!(locked(&o, 5));
        assert!(!locked(&o, 10));
        o.attrs.retention = None;
        o.attrs.legal_hold = true;
        assert!(locked(&o, 5));
    }

    #[test]
    fn the_header_reads_like_aws() {
        assert_eq!(
            expiration_header(7 * DAY, "tmp"),
            "expiry-date=\"Thu, 08 Jan 1970 00:00:00 GMT\", rule-id=\"tmp\""
        );
    }
}
