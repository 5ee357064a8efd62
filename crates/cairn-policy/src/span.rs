//! Where things are in a policy's text: the line/column span of the value at a JSON path
//! (`Statement[1].Action[0]`). Access Analyzer findings and simulation's MatchedStatements
//! report these positions; the evaluator itself never needs them.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathElement {
    /// An object member, matched case-sensitively as written.
    Key(String),
    /// An array element; a non-array value counts as a one-element array, as IAM reads
    /// `"Action": "s3:GetObject"`.
    Index(usize),
}

/// A place in the text: `line` from 1, `column` from 0 (both in characters), `offset` in
/// characters from the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// A half-open range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: Position,
    pub end: Position,
}

/// A parsed policy text that can answer where a path's value is.
pub struct SourceMap<'a> {
    text: &'a str,
    root: Option<Value<'a>>,
    /// Byte offset of each line's first character, so a position costs a binary search (and,
    /// for non-ASCII text, a count within its line) rather than a scan from the start.
    line_starts: Vec<usize>,
    /// For non-ASCII text, the number of characters before each byte offset (empty for ASCII
    /// text, where bytes are characters), so a position never rescans the text.
    chars_before: Vec<u32>,
}

impl<'a> SourceMap<'a> {
    /// Parses `text` strictly as JSON; an unparseable text locates nothing.
    pub fn new(text: &'a str) -> Self {
        let strict = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            ..ParseOptions::default()
        };
        let root = parse_to_ast(text, &CollectOptions::default(), &strict)
            .ok()
            .and_then(|r| r.value);
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect::<Vec<usize>>();
        let chars_before = if text.is_ascii() {
            Vec::new()
        } else {
            let mut table = vec![0u32; text.len() + 1];
            let mut count = 0u32;
            for (byte, slot) in table.iter_mut().enumerate() {
                // Characters that start before `byte` (only boundaries are ever looked up).
                *slot = count;
                if byte < text.len() && text.is_char_boundary(byte) {
                    count = count.saturating_add(1);
                }
            }
            table
        };
        SourceMap {
            text,
            root,
            line_starts,
            chars_before,
        }
    }

    /// The parsed document (`None` when the text is not JSON), for walks that need every node.
    pub(crate) fn root(&self) -> Option<&Value<'a>> {
        self.root.as_ref()
    }

    /// The span of a node's range.
    pub(crate) fn span_of(&self, r: jsonc_parser::common::Range) -> Span {
        self.span(r)
    }

    /// The span of the whole text.
    pub fn whole(&self) -> Span {
        Span {
            start: self.position(0),
            end: self.position(self.text.len()),
        }
    }

    /// The position of a byte offset into the text (clamped to its end).
    pub fn position_at(&self, byte: usize) -> Position {
        self.position(byte)
    }

    /// The span of the value at `path` (the whole document for an empty path).
    pub fn locate(&self, path: &[PathElement]) -> Option<Span> {
        Some(self.span(self.node(path)?.range()))
    }

    /// The span of a member's key (`"Action"` in `"Action": [...]`), for findings about the key.
    pub fn locate_key(&self, path: &[PathElement]) -> Option<Span> {
        let (PathElement::Key(k), parent) = path.split_last()? else {
            return None;
        };
        let Value::Object(o) = self.node(parent)? else {
            return None;
        };
        let prop = o.properties.iter().find(|p| prop_name(&p.name) == k)?;
        Some(self.span(match &prop.name {
            ObjectPropName::String(s) => s.range(),
            ObjectPropName::Word(w) => w.range(),
        }))
    }

    fn node(&self, path: &[PathElement]) -> Option<&Value<'a>> {
        let mut node = self.root.as_ref()?;
        for step in path {
            node = match (step, node) {
                (PathElement::Key(k), Value::Object(o)) => {
                    &o.properties.iter().find(|p| prop_name(&p.name) == k)?.value
                }
                (PathElement::Index(i), Value::Array(a)) => a.elements.get(*i)?,
                (PathElement::Index(0), other) => other,
                _ => return None,
            };
        }
        Some(node)
    }

    fn span(&self, r: jsonc_parser::common::Range) -> Span {
        Span {
            start: self.position(r.start),
            end: self.position(r.end),
        }
    }

    fn position(&self, byte: usize) -> Position {
        let mut byte = byte.min(self.text.len());
        while !self.text.is_char_boundary(byte) {
            byte -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= byte).max(1);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        if self.chars_before.is_empty() {
            return Position {
                line,
                column: byte - line_start,
                offset: byte,
            };
        }
        let chars = |b: usize| self.chars_before.get(b).map_or(0, |&c| c as usize);
        Position {
            line,
            column: chars(byte) - chars(line_start),
            offset: chars(byte),
        }
    }
}

fn prop_name<'b>(name: &'b ObjectPropName<'_>) -> &'b str {
    match name {
        ObjectPropName::String(s) => s.value.as_ref(),
        ObjectPropName::Word(w) => w.value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> PathElement {
        PathElement::Key(k.into())
    }

    const DOC: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", \"s3:ListObject\"], \"Resource\": \"*\"}\n  ]\n}";

    #[test]
    fn locates_values_and_keys() {
        let map = SourceMap::new(DOC);
        let span = map
            .locate(&[
                key("Statement"),
                PathElement::Index(0),
                key("Action"),
                PathElement::Index(1),
            ])
            .unwrap();
        assert_eq!(span.start.line, 4);
        assert_eq!(
            &DOC.lines().nth(3).unwrap()[span.start.column..span.end.column],
            "\"s3:ListObject\""
        );
        let whole = map
            .locate(&[key("Statement"), PathElement::Index(0)])
            .unwrap();
        assert_eq!((whole.start.line, whole.start.column), (4, 4));
        assert_eq!(whole.end.line, 4);
        let k = map.locate_key(&[key("Version")]).unwrap();
        assert_eq!((k.start.line, k.start.column, k.start.offset), (2, 2, 4));
    }

    #[test]
    fn positions_count_characters() {
        let text = "{\"Sid\": \"é\",\n \"Id\": \"x\"}";
        let map = SourceMap::new(text);
        let id = map.locate(&[key("Id")]).unwrap();
        assert_eq!(
            (id.start.line, id.start.column, id.start.offset),
            (2, 7, 20)
        );
        assert_eq!(map.whole().end.offset, text.chars().count());
    }

    #[test]
    fn a_scalar_is_a_one_element_array() {
        let map = SourceMap::new(DOC);
        let r = map.locate(&[
            key("Statement"),
            PathElement::Index(0),
            key("Resource"),
            PathElement::Index(0),
        ]);
        assert!(r.is_some());
        assert!(map.locate(&[key("Nope")]).is_none());
        assert!(SourceMap::new("{not json").locate(&[]).is_none());
    }
}
