//! Condition operator names, e.g. `ForAnyValue:StringLikeIfExists`.
//!
//! See <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! and, for the set qualifiers,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>.

use serde::Serialize;

/// A parsed operator name: optional set qualifier, base operator, optional `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ConditionOperator {
    pub qualifier: Option<SetQualifier>,
    pub base: BaseOperator,
    pub if_exists: bool,
}

/// How a multivalued context key is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SetQualifier {
    /// Every request value must match some policy value (true for an empty or missing set).
    ForAllValues,
    /// Some request value must match some policy value (false for an empty or missing set).
    ForAnyValue,
}

/// The comparison itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const BASES: &[(&str, BaseOperator)] = &[
    ("StringEquals", BaseOperator::StringEquals),
    ("StringNotEquals", BaseOperator::StringNotEquals),
    (
        "StringEqualsIgnoreCase",
        BaseOperator::StringEqualsIgnoreCase,
    ),
    (
        "StringNotEqualsIgnoreCase",
        BaseOperator::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", BaseOperator::StringLike),
    ("StringNotLike", BaseOperator::StringNotLike),
    ("NumericEquals", BaseOperator::NumericEquals),
    ("NumericNotEquals", BaseOperator::NumericNotEquals),
    ("NumericLessThan", BaseOperator::NumericLessThan),
    ("NumericLessThanEquals", BaseOperator::NumericLessThanEquals),
    ("NumericGreaterThan", BaseOperator::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        BaseOperator::NumericGreaterThanEquals,
    ),
    ("DateEquals", BaseOperator::DateEquals),
    ("DateNotEquals", BaseOperator::DateNotEquals),
    ("DateLessThan", BaseOperator::DateLessThan),
    ("DateLessThanEquals", BaseOperator::DateLessThanEquals),
    ("DateGreaterThan", BaseOperator::DateGreaterThan),
    ("DateGreaterThanEquals", BaseOperator::DateGreaterThanEquals),
    ("Bool", BaseOperator::Bool),
    ("BinaryEquals", BaseOperator::BinaryEquals),
    ("IpAddress", BaseOperator::IpAddress),
    ("NotIpAddress", BaseOperator::NotIpAddress),
    ("ArnEquals", BaseOperator::ArnEquals),
    ("ArnLike", BaseOperator::ArnLike),
    ("ArnNotEquals", BaseOperator::ArnNotEquals),
    ("ArnNotLike", BaseOperator::ArnNotLike),
    ("Null", BaseOperator::Null),
];

impl ConditionOperator {
    /// Parses an operator name exactly as written (names are case-sensitive).
    /// `Null` takes neither `IfExists` nor a set qualifier.
    pub fn parse(name: &str) -> Option<Self> {
        let (qualifier, rest) = if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, name)
        };
        let (if_exists, rest) = match rest.strip_suffix("IfExists") {
            Some(base) => (true, base),
            None => (false, rest),
        };
        let base = BASES.iter().find(|(n, _)| *n == rest).map(|(_, b)| *b)?;
        if base == BaseOperator::Null && (if_exists || qualifier.is_some()) {
            return None;
        }
        Some(ConditionOperator {
            qualifier,
            base,
            if_exists,
        })
    }
}

impl BaseOperator {
    /// Negated operators are true when no policy value matches, and when the key is missing.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOperator::StringNotEquals
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringNotLike
                | BaseOperator::NumericNotEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::NotIpAddress
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
        )
    }

    /// Whether policy values are dates (they are checked at parse time).
    pub fn is_date(self) -> bool {
        matches!(
            self,
            BaseOperator::DateEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::DateLessThan
                | BaseOperator::DateLessThanEquals
                | BaseOperator::DateGreaterThan
                | BaseOperator::DateGreaterThanEquals
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parsed = Option<(Option<SetQualifier>, BaseOperator, bool)>;

    #[test]
    fn parses_qualifiers_and_suffix() {
        let rows: &[(&str, Parsed)] = &[
            (
                "StringEquals",
                Some((None, BaseOperator::StringEquals, false)),
            ),
            (
                "ForAnyValue:StringEqualsIfExists",
                Some((
                    Some(SetQualifier::ForAnyValue),
                    BaseOperator::StringEquals,
                    true,
                )),
            ),
            (
                "ForAllValues:StringLike",
                Some((
                    Some(SetQualifier::ForAllValues),
                    BaseOperator::StringLike,
                    false,
                )),
            ),
            ("BoolIfExists", Some((None, BaseOperator::Bool, true))),
            ("Null", Some((None, BaseOperator::Null, false))),
            // The Null operator has no IfExists form (condition operators page, "Condition operator to check existence of condition keys").
            ("NullIfExists", None),
            ("ForAnyValue::StringEqualsIfExists", None),
            ("stringequals", None),
            ("x", None),
        ];
        for (name, want) in rows {
            let got = ConditionOperator::parse(name).map(|o| (o.qualifier, o.base, o.if_exists));
            assert_eq!(&got, want, "{name}");
        }
    }
}
