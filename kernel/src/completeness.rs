//! `is_complete`: is a cell's code ready to run, does it need more lines, or
//! can no continuation make it valid?
//!
//! A small Rust lexer tracks what makes code span lines: brackets, string
//! literals (plain, byte, C, raw with any number of `#`), character literals
//! versus lifetimes, line comments and nested block comments. Written by hand
//! because rust-analyzer's parser reports *errors*, not "unterminated so far",
//! and evcxr's statement splitter needs a whole compiler round trip.

/// The verdict on a piece of code, as the protocol's `is_complete_reply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completeness {
    Complete,
    /// More input is needed; `indent` is a suggestion for the next line.
    Incomplete {
        indent: String,
    },
    /// No continuation can make this valid (e.g. a closing bracket that
    /// matches nothing).
    Invalid,
}

/// Operators after which an expression must continue.
const TRAILING_OPERATORS: &[&str] = &[
    "=", "+", "-", "*", "/", "%", "^", "&&", "||", "&", "|", ".", "->", "=>", "::", "+=", "-=",
    "*=", "/=", "%=", "^=", "&=", "|=", "<<=", ">>=", "==", "!=", "<=", ">=",
];

pub fn is_complete(code: &str) -> Completeness {
    let chars: Vec<char> = code.chars().collect();
    let mut stack: Vec<char> = Vec::new();
    // The source of the last token outside comments, for trailing operators.
    let mut last_token_end = 0usize;
    let mut i = 0usize;
    let mut at_line_start = true;
    while i < chars.len() {
        let c = chars[i];
        // evcxr commands (":dep …") and shell lines are not Rust: skip them
        // when they start a top-level line.
        if at_line_start && stack.is_empty() {
            let mut j = i;
            while j < chars.len() && (chars[j] == ' ' || chars[j] == '\t') {
                j += 1;
            }
            if j < chars.len() && chars[j] == ':' && chars.get(j + 1) != Some(&':') {
                while j < chars.len() && chars[j] != '\n' {
                    j += 1;
                }
                i = j;
                last_token_end = 0;
                continue;
            }
        }
        at_line_start = c == '\n';
        match c {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                let mut depth = 1;
                i += 2;
                while depth > 0 {
                    if i >= chars.len() {
                        return Completeness::Incomplete {
                            indent: String::new(),
                        };
                    }
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            '"' => match skip_quoted(&chars, i + 1, '"') {
                Some(end) => {
                    i = end;
                    last_token_end = i;
                    continue;
                }
                None => {
                    return Completeness::Incomplete {
                        indent: String::new(),
                    }
                }
            },
            '\'' => {
                i = skip_char_or_lifetime(&chars, i);
                last_token_end = i;
                continue;
            }
            'r' | 'b' | 'c' if starts_token(&chars, i) => {
                if let Some(result) = literal_with_prefix(&chars, i) {
                    match result {
                        Some(end) => {
                            i = end;
                            last_token_end = i;
                            continue;
                        }
                        None => {
                            return Completeness::Incomplete {
                                indent: String::new(),
                            }
                        }
                    }
                }
            }
            '(' | '[' | '{' => stack.push(c),
            ')' | ']' | '}' => {
                let open = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(open) {
                    return Completeness::Invalid;
                }
            }
            _ => {}
        }
        i += 1;
        if !c.is_whitespace() {
            last_token_end = i;
        }
    }
    if !stack.is_empty() {
        return Completeness::Incomplete {
            indent: "    ".repeat(stack.len()),
        };
    }
    let tail: String = chars[..last_token_end].iter().collect();
    let tail = tail.trim_end();
    if ends_with_operator(tail) {
        return Completeness::Incomplete {
            indent: "    ".to_owned(),
        };
    }
    Completeness::Complete
}

fn ends_with_operator(code: &str) -> bool {
    // A closure's parameter list `|x|` and a lone `||` also want a body, so
    // treating a trailing `|` as incomplete is right for those too. The
    // operator must be a whole token: `x..` (a range) and `a.0.` differ from
    // `=`, so only the listed ones count.
    TRAILING_OPERATORS.iter().any(|op| {
        code.ends_with(op) && {
            let before = code[..code.len() - op.len()].chars().last();
            // `..` and `...` are ranges, `<-`… do not exist; reject a `.`
            // that is part of `..`.
            !(*op == "." && before == Some('.'))
        }
    })
}

/// Whether position `i` starts a token (is not inside an identifier), so that
/// the `r` in `bar"` is not mistaken for a raw-string prefix.
fn starts_token(chars: &[char], i: usize) -> bool {
    i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Scans a quoted literal body from `start` (just after the opening quote)
/// honouring backslash escapes. Returns the index after the closing quote,
/// or `None` at end of input.
fn skip_quoted(chars: &[char], start: usize, quote: char) -> Option<usize> {
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// A raw string body after `r`, `#`* and `"`: ends at `"` followed by the
/// same number of `#`.
fn skip_raw(chars: &[char], start: usize, hashes: usize) -> Option<usize> {
    let mut i = start;
    while i < chars.len() {
        if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return Some(i + 1 + hashes);
        }
        i += 1;
    }
    None
}

/// A literal with a prefix letter at `i`: `r"…"`, `r#"…"#`, `b"…"`, `br"…"`,
/// `c"…"`, `cr#"…"#`, `b'x'`. Returns `None` if there is no such literal here
/// (an identifier), `Some(None)` if it is unterminated, `Some(Some(end))`.
fn literal_with_prefix(chars: &[char], i: usize) -> Option<Option<usize>> {
    let mut j = i;
    if chars[j] == 'b' || chars[j] == 'c' {
        j += 1;
        match chars.get(j) {
            Some('"') => return Some(skip_quoted(chars, j + 1, '"')),
            Some('\'') if chars[i] == 'b' => return Some(skip_quoted(chars, j + 1, '\'')),
            Some('r') => {}
            _ => return None,
        }
    }
    // chars[j] == 'r'
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if chars.get(j) == Some(&'"') {
        Some(skip_raw(chars, j + 1, hashes))
    } else {
        // `r#ident` (raw identifier) or a plain identifier.
        None
    }
}

/// At a `'`: a character literal (`'a'`, `'\n'`, `'\u{1F600}'`, `'''`) or a
/// lifetime / loop label (`'a`, `'static`). Returns the index after it.
fn skip_char_or_lifetime(chars: &[char], i: usize) -> usize {
    match chars.get(i + 1) {
        Some('\\') => skip_quoted(chars, i + 1, '\'').unwrap_or(chars.len()),
        Some(_) if chars.get(i + 2) == Some(&'\'') => i + 3,
        _ => {
            // Lifetime: the quote and the identifier after it.
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            j
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incomplete(code: &str) -> bool {
        matches!(is_complete(code), Completeness::Incomplete { .. })
    }

    #[test]
    fn balanced_code_is_complete() {
        for code in [
            "let x = 1;",
            "println!(\"hi\");",
            "fn f(v: &[u8]) -> usize { v.len() }",
            "x",
            "let r = 0..;",
            "let r = 0..",
            "",
            "// a comment",
            ":dep rand = \"0.9\"",
            "let s = \"(\";",
            "let c = '(';",
            "let c = '\\'';",
            "let c = b'[';",
            "fn f<'a>(x: &'a str) -> &'a str { x }",
            "let s = r#\"he said \"{\" \"#;",
            "let s = br\"(\";",
            "/* ( /* nested ) */ [ */ let x = 1;",
            "'outer: loop { break 'outer; }",
        ] {
            assert_eq!(is_complete(code), Completeness::Complete, "{code:?}");
        }
    }

    #[test]
    fn open_brackets_strings_and_comments_are_incomplete() {
        assert_eq!(
            is_complete("fn f() {\n    if x {"),
            Completeness::Incomplete {
                indent: "        ".into()
            }
        );
        for code in [
            "let v = vec![1,",
            "let s = \"unterminated",
            "let s = r#\"raw \" still",
            "/* open /* nested */",
            "let x = 1 +",
            "let f = |x|",
            "x.",
            "let s = \"escaped quote \\\"",
            "(",
        ] {
            assert!(incomplete(code), "{code:?}");
        }
        assert!(incomplete("let s = r##\"a\"# b"));
    }

    #[test]
    fn unmatched_closers_are_invalid() {
        for code in ["}", "let x = (1];", "fn f() { ) }", "vec![1, 2)"] {
            assert_eq!(is_complete(code), Completeness::Invalid, "{code:?}");
        }
    }

    #[test]
    fn brackets_in_identifiers_prefixes_are_not_strings() {
        // `bar"` — the r ends an identifier, the quote opens a plain string.
        assert!(incomplete("let bar = bar\""));
        assert_eq!(is_complete("let r#type = 1;"), Completeness::Complete);
        assert_eq!(is_complete("let b = c;"), Completeness::Complete);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for code in ["'", "'\\", "b'", "r#", "br##", "\\", "\"\\", "/*", "/", "c"] {
            let _ = is_complete(code);
        }
    }
}
