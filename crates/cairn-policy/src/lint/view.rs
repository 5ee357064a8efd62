//! The policy as the checks see it: every element with its path and span, read leniently so a
//! document with mistakes still yields everything that can be checked. Reading reports what
//! only the JSON shape can tell: unknown elements, wrong JSON types, `Action` with `NotAction`.

use jsonc_parser::ast::{ObjectProp, ObjectPropName, Value};
use jsonc_parser::common::Ranged;

use super::finding::{Finding, Issue, Location, PathStep};
use crate::condition_operator::ConditionOperator;
use crate::span::SourceMap;

/// A string value and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    pub text: String,
    pub loc: Location,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Debug, Clone)]
pub(crate) struct ListBlock {
    pub negated: bool,
    /// The element's value (a string or the array).
    pub loc: Location,
    pub entries: Vec<Text>,
    /// Whether the value is a JSON array (`"Action": []` is an empty array, not a missing one).
    pub is_array: bool,
}

/// The value of `Principal`/`NotPrincipal`.
#[derive(Debug, Clone)]
pub(crate) enum PrincipalValue {
    /// A string (valid only as `"*"`).
    Text(Text),
    /// `{"AWS": [...], "Service": ...}`: each key (located at the key) with its values.
    Map(Vec<PrincipalEntry>),
    /// Anything else (already reported as a data type mismatch).
    Other,
}

/// One key of a principal map.
#[derive(Debug, Clone)]
pub(crate) struct PrincipalEntry {
    /// `AWS`, `Service`, `Federated`, `CanonicalUser`, located at the key.
    pub key: Text,
    /// Where the value (a string or an array) is.
    pub value_loc: Location,
    pub values: Vec<Text>,
}

#[derive(Debug, Clone)]
pub(crate) struct PrincipalBlock {
    pub negated: bool,
    pub loc: Location,
    pub value: PrincipalValue,
}

/// The JSON type of a condition value; IAM accepts strings, booleans and numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    String,
    Bool,
    Number,
}

#[derive(Debug, Clone)]
pub(crate) struct CondValue {
    pub text: String,
    pub kind: Scalar,
    pub loc: Location,
}

/// One `key: values` pair of a condition operator.
#[derive(Debug, Clone)]
pub(crate) struct CondKey {
    /// The key, located at the key itself.
    pub name: Text,
    /// Where the values are.
    pub value_loc: Location,
    pub values: Vec<CondValue>,
    pub is_array: bool,
}

/// One operator of a `Condition` block with its keys.
#[derive(Debug, Clone)]
pub(crate) struct CondOperator {
    /// The operator as written, located at the key.
    pub name: Text,
    pub parsed: Option<ConditionOperator>,
    pub keys: Vec<CondKey>,
}

#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub loc: Location,
    pub sid: Option<Text>,
    pub effect: Option<Text>,
    pub principal: Option<PrincipalBlock>,
    pub action: Option<ListBlock>,
    pub resource: Option<ListBlock>,
    /// The block's location and its operators.
    pub condition: Option<(Location, Vec<CondOperator>)>,
}

impl Statement {
    pub fn is_allow(&self) -> bool {
        self.effect.as_ref().is_some_and(|e| e.text == "Allow")
    }

    /// Condition keys the statement tests, as written.
    pub fn condition_keys(&self) -> impl Iterator<Item = &str> {
        self.condition
            .iter()
            .flat_map(|(_, ops)| ops)
            .flat_map(|op| &op.keys)
            .map(|k| k.name.text.as_str())
    }
}

/// The whole document.
#[derive(Debug, Clone)]
pub(crate) struct View {
    pub version: Option<Text>,
    /// Whether the document has a `Statement` element at all.
    pub has_statement: bool,
    pub statements: Vec<Statement>,
    /// The whole text, path `[]`.
    pub whole: Location,
}

const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Reads the parsed document; `findings` receives the shape problems.
pub(crate) fn read(map: &SourceMap<'_>, root: &Value<'_>, findings: &mut Vec<Finding>) -> View {
    let mut r = Reader { map, findings };
    let whole = Location {
        path: Vec::new(),
        span: map.whole(),
    };
    let mut view = View {
        version: None,
        has_statement: false,
        statements: Vec::new(),
        whole,
    };
    let Value::Object(top) = root else {
        r.mismatch(&[], root, "Object");
        return view;
    };
    for prop in &top.properties {
        let name = prop_name(prop);
        let path = vec![PathStep::Value(name.to_string())];
        match name {
            "Version" => view.version = r.string(&path, &prop.value),
            "Id" => {
                r.string(&path, &prop.value);
            }
            "Statement" => {
                view.has_statement = true;
                match &prop.value {
                    Value::Array(list) => {
                        for (i, item) in list.elements.iter().enumerate() {
                            let mut p = path.clone();
                            p.push(PathStep::Index(i));
                            if let Some(s) = r.statement(p, item) {
                                view.statements.push(s);
                            }
                        }
                    }
                    Value::Object(_) => {
                        if let Some(s) = r.statement(path, &prop.value) {
                            view.statements.push(s);
                        }
                    }
                    other => r.mismatch(&path, other, "Array"),
                }
            }
            _ => r.invalid_element(&[], prop),
        }
    }
    view
}

struct Reader<'r, 'm> {
    map: &'r SourceMap<'m>,
    findings: &'r mut Vec<Finding>,
}

fn prop_name<'p>(prop: &'p ObjectProp<'_>) -> &'p str {
    match &prop.name {
        ObjectPropName::String(s) => s.value.as_ref(),
        ObjectPropName::Word(w) => w.value,
    }
}

fn with(path: &[PathStep], step: PathStep) -> Vec<PathStep> {
    let mut p = path.to_vec();
    p.push(step);
    p
}

impl Reader<'_, '_> {
    fn loc(&self, path: &[PathStep], value: &Value<'_>) -> Location {
        Location {
            path: path.to_vec(),
            span: self.map.span_of(value.range()),
        }
    }

    /// The location of a member's key (`path` ends with the member's `Value` step).
    fn key_loc(&self, path: &[PathStep], prop: &ObjectProp<'_>) -> Location {
        let mut path = path.to_vec();
        if let Some(PathStep::Value(k)) = path.pop() {
            path.push(PathStep::Key(k));
        }
        let range = match &prop.name {
            ObjectPropName::String(s) => s.range(),
            ObjectPropName::Word(w) => w.range(),
        };
        Location {
            path,
            span: self.map.span_of(range),
        }
    }

    fn mismatch(&mut self, path: &[PathStep], value: &Value<'_>, expected: &str) {
        let loc = self.loc(path, value);
        self.findings.push(Finding::new(
            Issue::DataTypeMismatch,
            format!("The text does not match the expected JSON data type {expected}."),
            vec![loc],
        ));
    }

    fn invalid_element(&mut self, parent: &[PathStep], prop: &ObjectProp<'_>) {
        let name = prop_name(prop);
        let loc = self.key_loc(&with(parent, PathStep::Value(name.to_string())), prop);
        self.findings.push(Finding::new(
            Issue::InvalidPolicyElement,
            format!("The policy element {name} is not valid."),
            vec![loc],
        ));
    }

    fn string(&mut self, path: &[PathStep], value: &Value<'_>) -> Option<Text> {
        match value {
            Value::StringLit(s) => Some(Text {
                text: s.value.to_string(),
                loc: self.loc(path, value),
            }),
            other => {
                self.mismatch(path, other, "String");
                None
            }
        }
    }

    fn statement(&mut self, path: Vec<PathStep>, value: &Value<'_>) -> Option<Statement> {
        let Value::Object(obj) = value else {
            self.mismatch(&path, value, "Object");
            return None;
        };
        let mut s = Statement {
            loc: self.loc(&path, value),
            sid: None,
            effect: None,
            principal: None,
            action: None,
            resource: None,
            condition: None,
        };
        for prop in &obj.properties {
            let name = prop_name(prop);
            let Some(element) = STATEMENT_ELEMENTS.iter().find(|e| **e == name) else {
                self.invalid_element(&path, prop);
                continue;
            };
            let p = with(&path, PathStep::Value(name.to_string()));
            match *element {
                "Sid" => s.sid = self.string(&p, &prop.value),
                "Effect" => s.effect = self.string(&p, &prop.value),
                "Principal" | "NotPrincipal" => {
                    let block = self.principal(&p, &prop.value, *element == "NotPrincipal");
                    self.exclusive(
                        &mut s.principal,
                        block,
                        "Principal",
                        "NotPrincipal",
                        &p,
                        prop,
                    );
                }
                "Action" | "NotAction" => {
                    let block = self.list(&p, &prop.value, *element == "NotAction", false);
                    self.exclusive(&mut s.action, block, "Action", "NotAction", &p, prop);
                }
                "Resource" | "NotResource" => {
                    let block = self.list(&p, &prop.value, *element == "NotResource", true);
                    self.exclusive(&mut s.resource, block, "Resource", "NotResource", &p, prop);
                }
                _ => s.condition = self.condition(&p, &prop.value),
            }
        }
        Some(s)
    }

    /// Keeps the first of a mutually exclusive pair and reports the second.
    fn exclusive<T>(
        &mut self,
        slot: &mut Option<T>,
        block: Option<T>,
        first: &str,
        second: &str,
        path: &[PathStep],
        prop: &ObjectProp<'_>,
    ) {
        if slot.is_some() {
            let loc = self.key_loc(path, prop);
            self.findings.push(Finding::new(
                Issue::UnsupportedElementCombination,
                format!(
                    "The policy elements {first} and {second} can not be used in the same statement. Remove one of these elements."
                ),
                vec![loc],
            ));
        } else {
            *slot = block;
        }
    }

    fn list(
        &mut self,
        path: &[PathStep],
        value: &Value<'_>,
        negated: bool,
        nulls_allowed: bool,
    ) -> Option<ListBlock> {
        let loc = self.loc(path, value);
        match value {
            Value::StringLit(s) => Some(ListBlock {
                negated,
                loc: loc.clone(),
                entries: vec![Text {
                    text: s.value.to_string(),
                    loc,
                }],
                is_array: false,
            }),
            Value::Array(a) => {
                let mut entries = Vec::with_capacity(a.elements.len());
                for (i, item) in a.elements.iter().enumerate() {
                    let p = with(path, PathStep::Index(i));
                    match item {
                        Value::NullKeyword(_) if nulls_allowed => {}
                        other => entries.extend(self.string(&p, other)),
                    }
                }
                Some(ListBlock {
                    negated,
                    loc,
                    entries,
                    is_array: true,
                })
            }
            other => {
                self.mismatch(path, other, "Array");
                None
            }
        }
    }

    fn principal(
        &mut self,
        path: &[PathStep],
        value: &Value<'_>,
        negated: bool,
    ) -> Option<PrincipalBlock> {
        let loc = self.loc(path, value);
        let value = match value {
            Value::StringLit(s) => PrincipalValue::Text(Text {
                text: s.value.to_string(),
                loc: loc.clone(),
            }),
            Value::Object(o) => {
                let mut entries = Vec::with_capacity(o.properties.len());
                for prop in &o.properties {
                    let name = prop_name(prop);
                    let p = with(path, PathStep::Value(name.to_string()));
                    let key = Text {
                        text: name.to_string(),
                        loc: self.key_loc(&p, prop),
                    };
                    let values = match &prop.value {
                        Value::StringLit(_) => self.string(&p, &prop.value).into_iter().collect(),
                        Value::Array(a) => a
                            .elements
                            .iter()
                            .enumerate()
                            .filter_map(|(i, item)| {
                                self.string(&with(&p, PathStep::Index(i)), item)
                            })
                            .collect(),
                        other => {
                            self.mismatch(&p, other, "Array");
                            continue;
                        }
                    };
                    entries.push(PrincipalEntry {
                        key,
                        value_loc: self.loc(&p, &prop.value),
                        values,
                    });
                }
                PrincipalValue::Map(entries)
            }
            other => {
                self.mismatch(path, other, "Object");
                PrincipalValue::Other
            }
        };
        Some(PrincipalBlock {
            negated,
            loc,
            value,
        })
    }

    fn condition(
        &mut self,
        path: &[PathStep],
        value: &Value<'_>,
    ) -> Option<(Location, Vec<CondOperator>)> {
        let Value::Object(block) = value else {
            self.mismatch(path, value, "Object");
            return None;
        };
        let mut operators = Vec::with_capacity(block.properties.len());
        for prop in &block.properties {
            let name = prop_name(prop);
            let p = with(path, PathStep::Value(name.to_string()));
            let op_name = Text {
                text: name.to_string(),
                loc: self.key_loc(&p, prop),
            };
            let Value::Object(keys) = &prop.value else {
                self.mismatch(&p, &prop.value, "Object");
                continue;
            };
            let mut out = Vec::with_capacity(keys.properties.len());
            for kp in &keys.properties {
                let key = prop_name(kp);
                let kpath = with(&p, PathStep::Value(key.to_string()));
                let name = Text {
                    text: key.to_string(),
                    loc: self.key_loc(&kpath, kp),
                };
                let value_loc = self.loc(&kpath, &kp.value);
                let (values, is_array) = match &kp.value {
                    Value::Array(a) => (
                        a.elements
                            .iter()
                            .enumerate()
                            .filter_map(|(i, v)| self.scalar(&with(&kpath, PathStep::Index(i)), v))
                            .collect(),
                        true,
                    ),
                    other => (self.scalar(&kpath, other).into_iter().collect(), false),
                };
                out.push(CondKey {
                    name,
                    value_loc,
                    values,
                    is_array,
                });
            }
            operators.push(CondOperator {
                parsed: ConditionOperator::parse(name),
                name: op_name,
                keys: out,
            });
        }
        Some((self.loc(path, value), operators))
    }

    fn scalar(&mut self, path: &[PathStep], value: &Value<'_>) -> Option<CondValue> {
        let (text, kind) = match value {
            Value::StringLit(s) => (s.value.to_string(), Scalar::String),
            Value::BooleanLit(b) => (b.value.to_string(), Scalar::Bool),
            Value::NumberLit(n) => (n.value.to_string(), Scalar::Number),
            other => {
                self.mismatch(path, other, "String");
                return None;
            }
        };
        Some(CondValue {
            text,
            kind,
            loc: self.loc(path, value),
        })
    }
}
