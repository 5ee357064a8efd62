//! Wildcard patterns: `*` (any run of characters) and `?` (one character).
//!
//! Patterns are token lists rather than strings so that text substituted
//! from a policy variable (or written as `${*}`) stays literal.

/// One element of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Literal(char),
    /// `*`; in ARN mode it stays within one colon-separated segment unless it
    /// ends the segment.
    Star,
    /// `?`; in ARN mode it never matches a colon.
    Question,
}

/// Tokens of a plain pattern where every `*` and `?` is a wildcard.
pub fn tokens(pattern: &str) -> Vec<Token> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => Token::Star,
            '?' => Token::Question,
            other => Token::Literal(other),
        })
        .collect()
}

/// Turns tokens back into text, wildcards written as `*`/`?` (for equality operators).
pub fn to_text(tokens: &[Token]) -> String {
    tokens.iter().map(|t| t.as_char()).collect()
}

/// Whether `text` matches the whole pattern. With `case_insensitive`, both
/// sides are compared lowercased.
pub fn matches(pattern: &[Token], text: &str, case_insensitive: bool) -> bool {
    if text.is_ascii() && (!case_insensitive || pattern.iter().all(|t| t.is_ascii())) {
        // ASCII-only: lowercasing is `to_ascii_lowercase`, one byte is one char.
        return run(pattern, text.as_bytes(), false, case_insensitive);
    }
    if case_insensitive {
        let lowered: Vec<Token> = pattern
            .iter()
            .flat_map(|t| match t {
                Token::Literal(c) => c.to_lowercase().map(Token::Literal).collect::<Vec<_>>(),
                other => vec![*other],
            })
            .collect();
        let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        run(&lowered, &text, false, false)
    } else {
        let text: Vec<char> = text.chars().collect();
        run(pattern, &text, false, false)
    }
}

/// [`matches`] for a pattern written as text, every `*` and `?` a wildcard;
/// does not allocate when pattern and text are ASCII.
pub fn matches_text(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    if pattern.is_ascii() && (!case_insensitive || text.is_ascii()) {
        return run_text(pattern.as_bytes(), text, false, case_insensitive);
    }
    matches(&tokens(pattern), text, case_insensitive)
}

/// ARN matching as the IAM `Resource` element and `Arn*` conditions do it:
/// wildcards stay inside a colon-separated segment, except that a `*` which
/// ends a segment may run over colons ("Including wildcard characters in the
/// resource ARN" on
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>).
/// Case-sensitive.
pub fn matches_arn(pattern: &[Token], text: &str) -> bool {
    if text.is_ascii() {
        return run(pattern, text.as_bytes(), true, false);
    }
    let text: Vec<char> = text.chars().collect();
    run(pattern, &text, true, false)
}

/// [`matches_arn`] for a pattern written as text, every `*` and `?` a
/// wildcard; does not allocate when pattern and text are ASCII.
pub fn matches_arn_text(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() {
        return run_text(pattern.as_bytes(), text, true, false);
    }
    matches_arn(&tokens(pattern), text)
}

/// An ASCII pattern against `text` (ASCII too when `fold`): the literal
/// prefix up to the first wildcard is compared directly, which settles most
/// mismatches (`arn:aws:s3:::bucket-1/*` against another bucket) at once.
fn run_text(pattern: &[u8], text: &str, arn: bool, fold: bool) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&p) = pattern.get(i) {
        if matches!(p, b'*' | b'?') {
            break;
        }
        let same = bytes.get(i).is_some_and(|&t| {
            if fold {
                t.eq_ignore_ascii_case(&p)
            } else {
                t == p
            }
        });
        if !same {
            return false;
        }
        i += 1;
    }
    // The prefix matched byte for byte and is ASCII, so `i` is a char boundary.
    let (Some(pattern), Some(text)) = (pattern.get(i..), text.get(i..)) else {
        return false;
    };
    if pattern.is_empty() {
        return text.is_empty();
    }
    if text.is_ascii() {
        run(pattern, text.as_bytes(), arn, fold)
    } else {
        let text: Vec<char> = text.chars().collect();
        run(pattern, &text, arn, fold)
    }
}

impl Token {
    /// The character as written in a pattern (`*`/`?` for the wildcards).
    pub fn as_char(self) -> char {
        match self {
            Token::Literal(c) => c,
            Token::Star => '*',
            Token::Question => '?',
        }
    }

    fn is_ascii(self) -> bool {
        match self {
            Token::Literal(c) => c.is_ascii(),
            Token::Star | Token::Question => true,
        }
    }
}

/// One element of a pattern: a [`Token`], or a byte of an ASCII pattern text.
trait PatternItem: Copy {
    fn token(self) -> Token;
}

impl PatternItem for Token {
    fn token(self) -> Token {
        self
    }
}

impl PatternItem for u8 {
    fn token(self) -> Token {
        match self {
            b'*' => Token::Star,
            b'?' => Token::Question,
            other => Token::Literal(char::from(other)),
        }
    }
}

/// One character of the text: a byte of ASCII text, or a `char`.
trait TextItem: Copy {
    fn is_colon(self) -> bool;
    /// Equality with a pattern literal; `fold` (ASCII only) ignores letter case.
    fn equals(self, c: char, fold: bool) -> bool;
}

impl TextItem for u8 {
    fn is_colon(self) -> bool {
        self == b':'
    }

    fn equals(self, c: char, fold: bool) -> bool {
        if fold {
            c.is_ascii() && self.eq_ignore_ascii_case(&(c as u8))
        } else {
            char::from(self) == c
        }
    }
}

impl TextItem for char {
    fn is_colon(self) -> bool {
        self == ':'
    }

    fn equals(self, c: char, fold: bool) -> bool {
        if fold {
            self.eq_ignore_ascii_case(&c)
        } else {
            self == c
        }
    }
}

/// Whole-text match. `arn` selects the ARN rules; `fold` compares ASCII
/// letters case-insensitively (callers only set it for ASCII inputs).
fn run<P: PatternItem, T: TextItem>(pattern: &[P], text: &[T], arn: bool, fold: bool) -> bool {
    let crosses_colons = |i: usize| {
        !arn || matches!(
            pattern.get(i + 1).map(|p| p.token()),
            None | Some(Token::Literal(':'))
        )
    };
    let every_star_crosses = pattern
        .iter()
        .enumerate()
        .all(|(i, p)| p.token() != Token::Star || crosses_colons(i));
    if every_star_crosses {
        greedy(pattern, text, arn, fold)
    } else {
        table(pattern, text, arn, fold)
    }
}

/// Whether a single-character token accepts `c`.
fn accepts<T: TextItem>(token: Token, c: T, arn: bool, fold: bool) -> bool {
    match token {
        Token::Literal(l) => c.equals(l, fold),
        Token::Question => !(arn && c.is_colon()),
        Token::Star => false,
    }
}

/// The classic wildcard matcher, linear in practice and allocation-free;
/// exact when every `*` may match any run of characters (a later `*` can
/// absorb whatever an earlier one could have), so only the most recent
/// `*` needs revisiting.
fn greedy<P: PatternItem, T: TextItem>(pattern: &[P], text: &[T], arn: bool, fold: bool) -> bool {
    let (mut p, mut t) = (0, 0);
    // (pattern position after the last `*`, text position it resumes from)
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        if let Some(token) = pattern.get(p).map(|x| x.token()) {
            if token == Token::Star {
                backtrack = Some((p + 1, t));
                p += 1;
                continue;
            }
            if accepts(token, text[t], arn, fold) {
                p += 1;
                t += 1;
                continue;
            }
        }
        let Some((after_star, resume)) = backtrack else {
            return false;
        };
        p = after_star;
        t = resume + 1;
        backtrack = Some((after_star, resume + 1));
    }
    pattern[p..].iter().all(|x| x.token() == Token::Star)
}

/// Dynamic programming over text positions, for ARN patterns with a `*`
/// that must stay inside its segment. One row, updated in place; on the
/// stack for texts under 256 characters.
fn table<P: PatternItem, T: TextItem>(pattern: &[P], text: &[T], arn: bool, fold: bool) -> bool {
    let n = text.len();
    let mut stack = [false; 256];
    let mut heap = Vec::new();
    let reachable: &mut [bool] = if n < stack.len() {
        &mut stack[..=n]
    } else {
        heap.resize(n + 1, false);
        &mut heap
    };
    // reachable[j]: the pattern prefix seen so far matches text[..j].
    reachable[0] = true;
    for (i, item) in pattern.iter().enumerate() {
        let token = item.token();
        let mut any = false;
        if token == Token::Star {
            let crosses_colons = !arn
                || matches!(
                    pattern.get(i + 1).map(|p| p.token()),
                    None | Some(Token::Literal(':'))
                );
            any = reachable[0];
            for j in 1..=n {
                let extend = reachable[j - 1] && (crosses_colons || !text[j - 1].is_colon());
                reachable[j] = reachable[j] || extend;
                any |= reachable[j];
            }
        } else {
            for j in (1..=n).rev() {
                reachable[j] = reachable[j - 1] && accepts(token, text[j - 1], arn, fold);
                any |= reachable[j];
            }
            reachable[0] = false;
        }
        if !any {
            return false;
        }
    }
    reachable[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_wildcards() {
        // Action element: case-insensitive, * and ? wildcards
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
        let rows: &[(&str, &str, bool, bool)] = &[
            ("s3:*", "s3:GetObject", true, true),
            ("s3:Get*", "s3:getobject", true, true),
            ("S3:GETOBJECT", "s3:GetObject", true, true),
            ("s3:Get*", "s3:PutObject", true, false),
            ("s3:*Object", "s3:GetObject", true, true),
            ("s3:*Object", "s3:GetObjectAcl", true, false),
            ("s3:GetObjec?", "s3:GetObject", true, true),
            ("s3:GetObjec?", "s3:GetObjec", true, false),
            ("*", "", false, true),
            ("a*b*c", "aXXbYYc", false, true),
            ("a*b*c", "aXXbYY", false, false),
            ("abc", "ABC", false, false),
        ];
        for (pattern, text, ci, want) in rows {
            assert_eq!(
                matches(&tokens(pattern), text, *ci),
                *want,
                "{pattern} ~ {text}"
            );
        }
    }

    #[test]
    fn arn_segments() {
        let rows: &[(&str, &str, bool)] = &[
            ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c", true),
            ("arn:aws:s3:::*", "arn:aws:s3:::bucket", true),
            (
                "arn:aws:iam::*:user/bob",
                "arn:aws:iam::123456789012:user/bob",
                true,
            ),
            (
                "arn:aws:iam::12345678901?:user/bob",
                "arn:aws:iam::123456789012:user/bob",
                true,
            ),
            ("arn:aws:s3:::b*t", "arn:aws:s3:::b:t", false),
            ("arn:aws:s3:::b?t", "arn:aws:s3:::b:t", false),
            ("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", false),
            ("arn:aws:*", "arn:aws:s3:::bucket", true),
        ];
        for (pattern, text, want) in rows {
            assert_eq!(
                matches_arn(&tokens(pattern), text),
                *want,
                "{pattern} ~ {text}"
            );
        }
    }

    /// The original matcher (a fresh row per token), kept as the reference.
    fn reference(pattern: &[Token], text: &[char], arn: bool) -> bool {
        let mut reachable = vec![false; text.len() + 1];
        reachable[0] = true;
        for (i, token) in pattern.iter().enumerate() {
            let mut next = vec![false; text.len() + 1];
            match token {
                Token::Star => {
                    let crosses_colons =
                        !arn || matches!(pattern.get(i + 1), None | Some(Token::Literal(':')));
                    next[0] = reachable[0];
                    for j in 1..=text.len() {
                        let extend = next[j - 1] && (crosses_colons || text[j - 1] != ':');
                        next[j] = reachable[j] || extend;
                    }
                }
                Token::Question => {
                    for j in 1..=text.len() {
                        next[j] = reachable[j - 1] && !(arn && text[j - 1] == ':');
                    }
                }
                Token::Literal(c) => {
                    for j in 1..=text.len() {
                        next[j] = reachable[j - 1] && text[j - 1] == *c;
                    }
                }
            }
            reachable = next;
        }
        reachable[text.len()]
    }

    /// Every string over `alphabet` up to `max_len` characters.
    fn all_strings(alphabet: &[char], max_len: usize) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..max_len {
            layer = layer
                .iter()
                .flat_map(|s| {
                    alphabet.iter().map(move |c| {
                        let mut t = s.clone();
                        t.push(*c);
                        t
                    })
                })
                .collect();
            out.extend(layer.iter().cloned());
        }
        out
    }

    #[test]
    fn agrees_with_the_reference_matcher() {
        let patterns = all_strings(&['a', 'B', ':', '*', '?'], 5);
        let texts = all_strings(&['a', 'b', 'A', ':'], 4);
        for pattern in &patterns {
            let toks = tokens(pattern);
            let lowered: Vec<Token> = toks
                .iter()
                .map(|t| match t {
                    Token::Literal(c) => Token::Literal(c.to_ascii_lowercase()),
                    other => *other,
                })
                .collect();
            for text in &texts {
                let chars: Vec<char> = text.chars().collect();
                let lower: Vec<char> = text.to_ascii_lowercase().chars().collect();
                let arn = reference(&toks, &chars, true);
                let plain = reference(&toks, &chars, false);
                let folded = reference(&lowered, &lower, false);
                assert_eq!(matches_arn(&toks, text), arn, "arn {pattern} ~ {text}");
                assert_eq!(
                    matches_arn_text(pattern, text),
                    arn,
                    "arn {pattern} ~ {text}"
                );
                assert_eq!(matches(&toks, text, false), plain, "{pattern} ~ {text}");
                assert_eq!(
                    matches_text(pattern, text, false),
                    plain,
                    "{pattern} ~ {text}"
                );
                assert_eq!(matches(&toks, text, true), folded, "ci {pattern} ~ {text}");
                assert_eq!(
                    matches_text(pattern, text, true),
                    folded,
                    "ci {pattern} ~ {text}"
                );
            }
        }
    }

    #[test]
    fn long_and_non_ascii_texts() {
        let long = format!("arn:aws:s3:::b/{}", "x".repeat(400));
        assert!(matches_arn_text("arn:aws:s3:::b/*", &long));
        assert!(matches_arn_text("arn:aws:s3:::b*x", &long));
        assert!(!matches_arn_text("arn:aws:s3:::b*y", &long));
        assert!(matches_arn_text("arn:aws:s3:::b/é*", "arn:aws:s3:::b/éa"));
        assert!(matches_arn_text("arn:aws:s3:::b/?", "arn:aws:s3:::b/é"));
        assert!(matches_text("s3:GETÉ*", "s3:getéx", true));
        assert!(matches_text("s3:?", "s3:É", false));
        // A segment-bound `*` after a free one: the free one must reach the later "b".
        assert!(matches_arn_text("*:b*c", "x:b:y:bzc"));
        assert!(!matches_arn_text("*:b*c", "x:b:y:b:c"));
        // The Kelvin sign lowercases to an ASCII k.
        assert!(matches_text("k", "\u{212A}", true));
    }

    #[test]
    fn literal_tokens_do_not_wildcard() {
        let pattern = vec![Token::Literal('a'), Token::Literal('*')];
        assert!(matches(&pattern, "a*", false));
        assert!(!matches(&pattern, "ab", false));
    }
}
