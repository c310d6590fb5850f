//! Execution history for `history_request`: tail, range and search, as
//! IPython's history manager answers them. Kept in memory for the kernel's
//! life; the session number is 1 for this kernel process.

use serde_json::{json, Value};

/// The session number this kernel reports for its own cells.
pub const SESSION: i64 = 1;

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub line: i64,
    pub input: String,
    /// The text/plain of the execute_result, if any.
    pub output: Option<String>,
}

#[derive(Debug, Default)]
pub struct History {
    entries: Vec<Entry>,
}

/// A parsed `history_request`.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    Tail {
        n: usize,
    },
    /// Lines `start..stop` of `session` (IPython: negative session counts
    /// back from the current one; 0 means current).
    Range {
        session: i64,
        start: i64,
        stop: Option<i64>,
    },
    Search {
        pattern: String,
        n: Option<usize>,
        unique: bool,
    },
}

impl Query {
    pub fn from_content(content: &Value) -> Result<Query, String> {
        let n = content["n"].as_u64().map(|n| n as usize);
        match content["hist_access_type"].as_str() {
            Some("tail") => Ok(Query::Tail { n: n.unwrap_or(10) }),
            Some("range") => Ok(Query::Range {
                session: content["session"].as_i64().unwrap_or(0),
                start: content["start"].as_i64().unwrap_or(1),
                stop: content["stop"].as_i64(),
            }),
            Some("search") => Ok(Query::Search {
                pattern: content["pattern"].as_str().unwrap_or("*").to_owned(),
                n,
                unique: content["unique"].as_bool().unwrap_or(false),
            }),
            other => Err(format!("unknown hist_access_type {other:?}")),
        }
    }
}

impl History {
    pub fn push(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn query(&self, query: &Query) -> Vec<&Entry> {
        match query {
            Query::Tail { n } => {
                let skip = self.entries.len().saturating_sub(*n);
                self.entries[skip..].iter().collect()
            }
            Query::Range {
                session,
                start,
                stop,
            } => {
                // Only this kernel's session is known; 0 means "current".
                if *session != SESSION && *session != 0 {
                    return Vec::new();
                }
                self.entries
                    .iter()
                    .filter(|e| e.line >= *start && stop.is_none_or(|s| e.line < s))
                    .collect()
            }
            Query::Search { pattern, n, unique } => {
                let mut found: Vec<&Entry> = self
                    .entries
                    .iter()
                    .filter(|e| glob_match(pattern, &e.input))
                    .collect();
                if *unique {
                    // Keep the most recent occurrence of each input.
                    let mut seen = std::collections::HashSet::new();
                    let mut kept: Vec<&Entry> = found
                        .into_iter()
                        .rev()
                        .filter(|e| seen.insert(e.input.as_str()))
                        .collect();
                    kept.reverse();
                    found = kept;
                }
                if let Some(n) = n {
                    let skip = found.len().saturating_sub(*n);
                    found.drain(..skip);
                }
                found
            }
        }
    }

    /// The `history` list of a `history_reply`: `[session, line, input]` or
    /// `[session, line, [input, output]]`.
    pub fn reply(&self, query: &Query, with_output: bool) -> Value {
        Value::Array(
            self.query(query)
                .into_iter()
                .map(|e| {
                    if with_output {
                        json!([SESSION, e.line, [e.input, e.output]])
                    } else {
                        json!([SESSION, e.line, e.input])
                    }
                })
                .collect(),
        )
    }
}

/// Shell-style glob as IPython's history search uses: `*` any run, `?` one
/// character, everything else literal; the whole input must match.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with backtracking to the last star: O(|p|·|t|).
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        // A star is a wildcard even where the text has a literal `*`.
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(inputs: &[&str]) -> History {
        let mut h = History::default();
        for (i, input) in inputs.iter().enumerate() {
            h.push(Entry {
                line: i as i64 + 1,
                input: input.to_string(),
                output: None,
            });
        }
        h
    }

    fn inputs(found: Vec<&Entry>) -> Vec<&str> {
        found.into_iter().map(|e| e.input.as_str()).collect()
    }

    #[test]
    fn globs() {
        assert!(glob_match("1 + *", "1 + 2"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*x*y", "axxbxy"));
        assert!(!glob_match("abc", "abcd"));
        // The text's own `*` must not consume the pattern's wildcard.
        assert!(glob_match("6 *", "6 * 7"));
    }

    #[test]
    fn tail_range_search() {
        let h = history(&["a", "let x = 1;", "b", "let x = 1;", "c"]);
        assert_eq!(inputs(h.query(&Query::Tail { n: 2 })), ["let x = 1;", "c"]);
        assert_eq!(inputs(h.query(&Query::Tail { n: 9 })).len(), 5);
        let range = Query::Range {
            session: SESSION,
            start: 2,
            stop: Some(4),
        };
        assert_eq!(inputs(h.query(&range)), ["let x = 1;", "b"]);
        let other_session = Query::Range {
            session: 7,
            start: 1,
            stop: None,
        };
        assert!(h.query(&other_session).is_empty());
        let search = |unique, n| Query::Search {
            pattern: "let *".into(),
            n,
            unique,
        };
        assert_eq!(h.query(&search(false, None)).len(), 2);
        assert_eq!(h.query(&search(true, None)).len(), 1);
        assert_eq!(h.query(&search(true, None))[0].line, 4);
        assert_eq!(h.query(&search(false, Some(1)))[0].line, 4);
    }

    #[test]
    fn reply_shapes() {
        let mut h = history(&["x"]);
        h.entries[0].output = Some("42".into());
        let q = Query::Tail { n: 1 };
        assert_eq!(h.reply(&q, false), json!([[1, 1, "x"]]));
        assert_eq!(h.reply(&q, true), json!([[1, 1, ["x", "42"]]]));
    }

    #[test]
    fn parses_requests() {
        assert_eq!(
            Query::from_content(&json!({"hist_access_type": "tail", "n": 3})),
            Ok(Query::Tail { n: 3 })
        );
        assert_eq!(
            Query::from_content(
                &json!({"hist_access_type": "search", "pattern": "a*", "unique": true})
            ),
            Ok(Query::Search {
                pattern: "a*".into(),
                n: None,
                unique: true
            })
        );
        assert!(Query::from_content(&json!({})).is_err());
    }
}
