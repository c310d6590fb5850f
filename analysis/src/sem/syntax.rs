//! lavaan model syntax: a tokenizer and a recursive-descent parser.
//!
//! Supported (lavaan 0.6 "model syntax 1"):
//! - operators `=~` (measured by), `~` (regressed on), `~~` (variance /
//!   covariance);
//! - several right-hand terms joined by `+`, several left-hand variables
//!   joined by `+` (`y1 + y2 ~ x` is two statements);
//! - modifiers before a term, joined by `*`: a number fixes the parameter
//!   (`1*x`, `-0.5*x`, `0*f`), `NA` frees it (`NA*x`), a name labels it
//!   (`a*x`; parameters with the same label are constrained equal),
//!   `start(v)` gives a starting value, `label("a")` and `equal("a")` label;
//! - comments from `#` or `!` to the end of the line;
//! - statements end at a newline or `;`; a statement continues on the next
//!   line when the line ends with `+`, `*` or an operator, or the next line
//!   starts with `+`.
//!
//! - intercepts and latent means `x ~ 1` (with modifiers: `x ~ 0*1`,
//!   `f ~ NA*1`, `x ~ a*1`), read as statements with operator `~1`;
//!
//! Not supported, and reported as such: defined
//! parameters (`:=`), explicit constraints (`==`, `<`, `>`), thresholds
//! (`|`), formative indicators (`<~`) and multi-group modifiers (`c(...)`).
//!
//! Every error names the 1-based line and character column of the offending
//! token, the token found and what was expected.

use crate::error::{AnalysisError, Location, Result};
use serde::Serialize;

/// The operators of a covariance-structure model, written and serialized
/// as lavaan writes them (`Display`, `FromStr`, serde: `=~`, `~`, `~~`,
/// `~1`).
///
/// Thresholds (`|`) and defined parameters (`:=`) get their variants with
/// the features that estimate them: the parser reports them as not
/// supported today, and a variant nothing produces would only add dead
/// match arms.
///
/// ```
/// use analysis::sem::Operator;
/// let op: Operator = "=~".parse()?;
/// assert_eq!(op, Operator::MeasuredBy);
/// assert_eq!(op.to_string(), "=~");
/// assert!(Operator::Covariance == "~~");
/// assert_eq!("~1".parse::<Operator>()?, Operator::Intercept);
/// assert_eq!("|".parse::<Operator>()?, Operator::Threshold);
/// assert!("<~".parse::<Operator>().is_err());
/// # Ok::<(), analysis::AnalysisError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Operator {
    /// `=~`: the latent on the left is measured by the variables on the right.
    #[serde(rename = "=~")]
    MeasuredBy,
    /// `~`: the variable on the left is regressed on those on the right.
    #[serde(rename = "~")]
    RegressedOn,
    /// `~~`: variance (same variable) or covariance.
    #[serde(rename = "~~")]
    Covariance,
    /// `~1`: the intercept (observed) or mean (latent) of the variable on
    /// the left, written `x ~ 1`; its right-hand side is empty.
    #[serde(rename = "~1")]
    Intercept,
    /// `|`: a threshold of the ordered variable on the left, named `t1`,
    /// `t2`, … on the right (`x | t1 + t2`).
    #[serde(rename = "|")]
    Threshold,
    /// `~*~`: the scale factor of an ordered variable's latent response
    /// (lavaan's delta parameterization; fixed at 1, not written in models).
    #[serde(rename = "~*~")]
    ScaleFactor,
}

impl Operator {
    /// Every operator, in lavaan's order of sections.
    pub const ALL: [Operator; 6] = [
        Operator::MeasuredBy,
        Operator::RegressedOn,
        Operator::Covariance,
        Operator::Intercept,
        Operator::Threshold,
        Operator::ScaleFactor,
    ];

    /// lavaan's spelling: `=~`, `~` or `~~`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::MeasuredBy => "=~",
            Operator::RegressedOn => "~",
            Operator::Covariance => "~~",
            Operator::Intercept => "~1",
            Operator::Threshold => "|",
            Operator::ScaleFactor => "~*~",
        }
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Operator {
    type Err = AnalysisError;
    /// Reads lavaan's spelling; anything else is an error naming the
    /// operators there are.
    fn from_str(s: &str) -> Result<Operator> {
        Operator::ALL
            .into_iter()
            .find(|op| op.as_str() == s)
            .ok_or_else(|| {
                AnalysisError::invalid_argument("operator", s, "one of =~, ~, ~~, ~1, |, ~*~")
            })
    }
}

impl PartialEq<str> for Operator {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Operator {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A 1-based position in the model text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Character column, from 1.
    pub column: usize,
}

/// The name a `1` on the right of `~` gets while parsing (not a valid
/// variable name, so it cannot clash with one).
const INTERCEPT_TERM: &str = "1";

/// One right-hand term of a statement with its modifiers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    /// The variable.
    pub name: String,
    /// `v*x`: the parameter is fixed at `v`.
    pub fixed: Option<f64>,
    /// `NA*x`: the parameter is explicitly free (e.g. a first loading).
    pub free: bool,
    /// `a*x`: label; equal labels mean equal parameters.
    pub label: Option<String>,
    /// `start(v)*x`: starting value.
    pub start: Option<f64>,
    /// Where the variable is written.
    pub position: Position,
}

/// One statement `lhs op rhs1 + rhs2 ...` (a `+` on the left is expanded
/// into several statements).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    /// Left-hand variable.
    pub lhs: String,
    /// Where it is written.
    pub lhs_position: Position,
    /// The operator.
    pub op: Operator,
    /// The right-hand terms.
    pub rhs: Vec<Term>,
}

/// A parsed model: its statements in order, and the name of its source used
/// in error messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSpec {
    /// Name of the model text in messages (a file name or "model").
    pub source: String,
    /// The statements, in order.
    pub statements: Vec<Statement>,
}

impl ModelSpec {
    /// Parses model text; errors name `model` as their source.
    ///
    /// ```
    /// use analysis::sem::{ModelSpec, Operator};
    /// let spec = ModelSpec::parse("f =~ x1 + a*x2 + 0.5*x3\ny ~ f")?;
    /// assert_eq!(spec.statements.len(), 2);
    /// let f = &spec.statements[0];
    /// assert_eq!((f.op, f.rhs[1].label.as_deref(), f.rhs[2].fixed), (Operator::MeasuredBy, Some("a"), Some(0.5)));
    /// let e = ModelSpec::parse("f =~ x1 +").unwrap_err().to_string();
    /// assert!(e.starts_with("model, line 1"), "{e}");
    /// # Ok::<(), analysis::AnalysisError>(())
    /// ```
    pub fn parse(text: &str) -> Result<ModelSpec> {
        ModelSpec::parse_named("model", text)
    }

    /// Parses model text; `source` (a file name) names it in error messages.
    pub fn parse_named(source: &str, text: &str) -> Result<ModelSpec> {
        let tokens = tokenize(source, text)?;
        Parser {
            source,
            tokens: &tokens,
            at: 0,
        }
        .model()
    }

    /// Reads and parses a model file.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<ModelSpec> {
        let (name, text) = crate::error::read_text(path.as_ref())?;
        ModelSpec::parse_named(&name, &text)
    }
}

pub(crate) fn location(source: &str, pos: Position) -> Location {
    Location::source(source)
        .with_line(pos.line as u64)
        .with_char_column(pos.column)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Number(f64, String),
    Str(String),
    Op(Operator),
    Unsupported(String),
    Plus,
    Minus,
    Star,
    LParen,
    RParen,
    Comma,
    Semicolon,
    Newline,
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Ident(s) | Tok::Unsupported(s) => s.clone(),
            Tok::Number(_, s) => s.clone(),
            Tok::Str(s) => format!("\"{s}\""),
            Tok::Op(o) => o.as_str().to_owned(),
            Tok::Plus => "+".into(),
            Tok::Minus => "-".into(),
            Tok::Star => "*".into(),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Comma => ",".into(),
            Tok::Semicolon => ";".into(),
            Tok::Newline => "end of line".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: Position,
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '.'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

fn tokenize(source: &str, text: &str) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    for (line_index, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        let pos = |i: usize| Position {
            line: line_index + 1,
            column: i + 1,
        };
        while i < chars.len() {
            let c = chars[i];
            let start = i;
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let tok = if c == '#' || c == '!' {
                break;
            } else if c.is_whitespace() {
                i += 1;
                continue;
            } else if two == "=~" {
                i += 2;
                Tok::Op(Operator::MeasuredBy)
            } else if two == "~~" {
                i += 2;
                Tok::Op(Operator::Covariance)
            } else if ["<~", ":=", "==", "~*", "%~"].contains(&two.as_str()) {
                i += 2;
                Tok::Unsupported(two)
            } else if c == '~' {
                i += 1;
                Tok::Op(Operator::RegressedOn)
            } else if c == '|' {
                i += 1;
                Tok::Op(Operator::Threshold)
            } else if c == '<' || c == '>' || c == '=' || c == ':' {
                i += 1;
                Tok::Unsupported(c.to_string())
            } else if c == '+' {
                i += 1;
                Tok::Plus
            } else if c == '-' {
                i += 1;
                Tok::Minus
            } else if c == '*' {
                i += 1;
                Tok::Star
            } else if c == '(' {
                i += 1;
                Tok::LParen
            } else if c == ')' {
                i += 1;
                Tok::RParen
            } else if c == ',' {
                i += 1;
                Tok::Comma
            } else if c == ';' {
                i += 1;
                Tok::Semicolon
            } else if c == '"' || c == '\'' {
                let close = chars[i + 1..].iter().position(|&d| d == c);
                match close {
                    Some(k) => {
                        let s: String = chars[i + 1..i + 1 + k].iter().collect();
                        i += k + 2;
                        Tok::Str(s)
                    }
                    None => {
                        return Err(AnalysisError::input(
                            location(source, pos(i)),
                            Some(&chars[i..].iter().collect::<String>()),
                            format!("a closing {c}"),
                        ))
                    }
                }
            } else if c.is_ascii_digit()
                || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
            {
                // A number: digits, a decimal point, an exponent.
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                    let mut j = i + 1;
                    if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                        j += 1;
                    }
                    if j < chars.len() && chars[j].is_ascii_digit() {
                        i = j;
                        while i < chars.len() && chars[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                }
                let s: String = chars[start..i].iter().collect();
                match s.parse::<f64>() {
                    Ok(v) if v.is_finite() => Tok::Number(v, s),
                    _ => {
                        return Err(AnalysisError::input(
                            location(source, pos(start)),
                            Some(&s),
                            "a number",
                        ))
                    }
                }
            } else if is_name_start(c) {
                while i < chars.len() && is_name_char(chars[i]) {
                    i += 1;
                }
                Tok::Ident(chars[start..i].iter().collect())
            } else {
                return Err(AnalysisError::input(
                    location(source, pos(i)),
                    Some(&c.to_string()),
                    "a variable name, a number, an operator (=~, ~, ~~), +, * or ;",
                ));
            };
            tokens.push(Token {
                tok,
                pos: pos(start),
            });
        }
        tokens.push(Token {
            tok: Tok::Newline,
            pos: pos(chars.len()),
        });
    }
    Ok(tokens)
}

struct Parser<'a> {
    source: &'a str,
    tokens: &'a [Token],
    at: usize,
}

fn ends_incomplete(t: &Tok) -> bool {
    matches!(
        t,
        Tok::Plus | Tok::Minus | Tok::Star | Tok::Op(_) | Tok::LParen | Tok::Comma
    )
}

impl Parser<'_> {
    /// Splits the token stream into statements (handling continuation lines)
    /// and parses each.
    fn model(&mut self) -> Result<ModelSpec> {
        let mut statements = Vec::new();
        let mut current: Vec<Token> = Vec::new();
        while self.at < self.tokens.len() {
            let t = &self.tokens[self.at];
            self.at += 1;
            match t.tok {
                Tok::Semicolon => self.finish(&mut current, &mut statements)?,
                Tok::Newline => {
                    if current.is_empty() {
                        continue;
                    }
                    let last_incomplete = current.last().is_some_and(|l| ends_incomplete(&l.tok));
                    let next = self.tokens[self.at..]
                        .iter()
                        .find(|t| t.tok != Tok::Newline);
                    let next_continues =
                        next.is_some_and(|n| matches!(n.tok, Tok::Plus | Tok::Star));
                    if !(last_incomplete || next_continues) {
                        self.finish(&mut current, &mut statements)?;
                    }
                }
                _ => current.push(t.clone()),
            }
        }
        self.finish(&mut current, &mut statements)?;
        if statements.is_empty() {
            return Err(AnalysisError::input(
                Location::source(self.source),
                None,
                "at least one model statement such as `f =~ x1 + x2 + x3`",
            ));
        }
        Ok(ModelSpec {
            source: self.source.to_owned(),
            statements,
        })
    }

    fn finish(&self, current: &mut Vec<Token>, out: &mut Vec<Statement>) -> Result<()> {
        if current.is_empty() {
            return Ok(());
        }
        let tokens = std::mem::take(current);
        let end = Position {
            line: tokens.last().map_or(1, |t| t.pos.line),
            column: tokens
                .last()
                .map_or(1, |t| t.pos.column + t.tok.text().chars().count()),
        };
        let mut s = StatementParser {
            source: self.source,
            tokens: &tokens,
            at: 0,
            end,
        };
        out.extend(s.statement()?);
        Ok(())
    }
}

struct StatementParser<'a> {
    source: &'a str,
    tokens: &'a [Token],
    at: usize,
    end: Position,
}

impl StatementParser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn error_here(&self, expected: &str) -> AnalysisError {
        match self.peek() {
            Some(t) => {
                AnalysisError::input(location(self.source, t.pos), Some(&t.tok.text()), expected)
            }
            None => AnalysisError::input(
                location(self.source, self.end),
                Some("end of statement"),
                expected,
            ),
        }
    }

    fn unsupported(&self, t: &Token) -> AnalysisError {
        let what = match t.tok.text().as_str() {
            ":=" => "defined parameters (:=) are not supported",
            "==" | "<" | ">" => {
                "explicit constraints are not supported: use shared labels for equality"
            }
            "<~" => "formative indicators (<~) are not supported",
            "|" => "thresholds (|) are not supported",
            ":" => "interaction terms (x:z) and blocks (group: 1) are not supported",
            _ => "an operator this engine supports",
        };
        AnalysisError::input(
            location(self.source, t.pos),
            Some(&t.tok.text()),
            format!("one of the operators =~, ~, ~~ ({what})"),
        )
    }

    fn name(&mut self, expected: &str) -> Result<(String, Position)> {
        match self.peek() {
            Some(Token {
                tok: Tok::Ident(s),
                pos,
            }) => {
                let r = (s.clone(), *pos);
                self.at += 1;
                Ok(r)
            }
            Some(
                t @ Token {
                    tok: Tok::Unsupported(_),
                    ..
                },
            ) => Err(self.unsupported(t)),
            _ => Err(self.error_here(expected)),
        }
    }

    fn statement(&mut self) -> Result<Vec<Statement>> {
        let mut lhs = vec![self.name("a variable name at the start of a statement")?];
        if matches!(self.peek().map(|t| &t.tok), Some(Tok::LParen)) {
            let (name, pos) = &lhs[0];
            return Err(AnalysisError::input(
                location(self.source, *pos),
                Some(&format!("{name}(")),
                "a variable name at the start of a statement (modifiers on the left, such as efa(), are not supported)",
            ));
        }
        while matches!(self.peek().map(|t| &t.tok), Some(Tok::Plus)) {
            self.at += 1;
            lhs.push(self.name("a variable name after +")?);
        }
        let op = match self.peek() {
            Some(Token {
                tok: Tok::Op(o), ..
            }) => *o,
            Some(
                t @ Token {
                    tok: Tok::Unsupported(_),
                    ..
                },
            ) => return Err(self.unsupported(t)),
            _ => return Err(self.error_here("an operator (=~, ~ or ~~)")),
        };
        self.at += 1;
        let mut rhs = vec![self.term(op)?];
        loop {
            match self.peek().map(|t| &t.tok) {
                None => break,
                Some(Tok::Plus) => {
                    self.at += 1;
                    rhs.push(self.term(op)?);
                }
                Some(Tok::Unsupported(_)) => return Err(self.unsupported(&self.tokens[self.at])),
                Some(_) => return Err(self.error_here("+ or the end of the statement")),
            }
        }
        // `y ~ 1 + x`: the `1` is the intercept, a statement of its own
        // with operator `~1` and an empty right-hand side (lavaan's table).
        let (intercepts, rhs): (Vec<Term>, Vec<Term>) =
            rhs.into_iter().partition(|t| t.name == INTERCEPT_TERM);
        let mut out = Vec::new();
        for (name, pos) in lhs {
            if !rhs.is_empty() {
                out.push(Statement {
                    lhs: name.clone(),
                    lhs_position: pos,
                    op,
                    rhs: rhs.clone(),
                });
            }
            for t in &intercepts {
                out.push(Statement {
                    lhs: name.clone(),
                    lhs_position: pos,
                    op: Operator::Intercept,
                    rhs: vec![Term {
                        name: String::new(),
                        ..t.clone()
                    }],
                });
            }
        }
        Ok(out)
    }

    /// A signed number (`-0.5`, `+0.5`).
    fn number(&mut self, expected: &str) -> Result<f64> {
        let sign = self.peek().map(|t| t.tok.clone());
        let negative = sign == Some(Tok::Minus);
        if negative || sign == Some(Tok::Plus) {
            self.at += 1;
        }
        match self.peek() {
            Some(Token {
                tok: Tok::Number(v, _),
                ..
            }) => {
                let v = *v;
                self.at += 1;
                Ok(if negative { -v } else { v })
            }
            _ => Err(self.error_here(expected)),
        }
    }

    fn expect(&mut self, tok: Tok, expected: &str) -> Result<()> {
        if self.peek().map(|t| &t.tok) == Some(&tok) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error_here(expected))
        }
    }

    /// `(modifier *)* name`.
    fn term(&mut self, op: Operator) -> Result<Term> {
        let mut fixed = None;
        let mut free = false;
        let mut label = None;
        let mut start = None;
        // A term takes at most one modifier of each kind (label, fixed
        // value or NA, start value), as lavaan: `a*b*x` is its "wrong number
        // of arguments in modifier"; a second one would silently win.
        let source = self.source;
        let twice = move |what: &str, pos: Position| {
            AnalysisError::input(
                location(source, pos),
                None,
                format!("a single {what} per term (a term takes one label, one fixed value or NA, and one start())"),
            )
        };
        loop {
            let Some(t) = self.peek().cloned() else {
                return Err(self.error_here(&format!("a variable name after {}", op.as_str())));
            };
            let signed_number = t.tok == Tok::Plus
                && matches!(
                    self.tokens.get(self.at + 1).map(|t| &t.tok),
                    Some(Tok::Number(..))
                );
            match &t.tok {
                Tok::Plus if !signed_number => {
                    return Err(self.error_here(&format!(
                        "a variable name or a modifier (1*, NA*, label*, start(v)*) after {}",
                        op.as_str()
                    )))
                }
                Tok::Number(..) | Tok::Minus | Tok::Plus => {
                    let bare_one = matches!(&t.tok, Tok::Number(_, text) if text == "1");
                    let v = self.number("a number")?;
                    if !matches!(self.peek().map(|t| &t.tok), Some(Tok::Star)) {
                        if op == Operator::RegressedOn && bare_one {
                            return Ok(Term {
                                name: INTERCEPT_TERM.to_owned(),
                                fixed,
                                free,
                                label,
                                start,
                                position: t.pos,
                            });
                        }
                        return Err(self.error_here("* after the number, as in 1*x"));
                    }
                    self.at += 1;
                    if fixed.is_some() || free {
                        return Err(twice("fixed value", t.pos));
                    }
                    fixed = Some(v);
                }
                Tok::Ident(s) => {
                    let s = s.clone();
                    self.at += 1;
                    let next = self.peek().map(|t| t.tok.clone());
                    match (s.as_str(), next) {
                        ("start" | "label" | "equal", Some(Tok::LParen)) => {
                            self.at += 1;
                            if s == "start" {
                                if start.is_some() {
                                    return Err(twice("start value", t.pos));
                                }
                                start = Some(self.number("a number in start(...)")?);
                            } else {
                                if label.is_some() {
                                    return Err(twice("label", t.pos));
                                }
                                match self.peek() {
                                    Some(Token {
                                        tok: Tok::Str(l) | Tok::Ident(l),
                                        ..
                                    }) => {
                                        label = Some(l.clone());
                                        self.at += 1;
                                    }
                                    _ => return Err(self.error_here("a quoted label")),
                                }
                            }
                            self.expect(Tok::RParen, ")")?;
                            self.expect(Tok::Star, "* after the modifier")?;
                        }
                        ("c", Some(Tok::LParen)) => return Err(AnalysisError::input(
                            location(self.source, t.pos),
                            Some("c("),
                            "a single modifier (multi-group modifiers c(...) are not supported)",
                        )),
                        ("NA", Some(Tok::Star)) => {
                            self.at += 1;
                            if fixed.is_some() || free {
                                return Err(twice("fixed value", t.pos));
                            }
                            free = true;
                        }
                        ("Inf" | "NaN", Some(Tok::Star)) => {
                            return Err(AnalysisError::input(
                                location(self.source, t.pos),
                                Some(&s),
                                "a finite fixed value or a label (Inf and NaN cannot be fixed values, nor labels)",
                            ))
                        }
                        (_, Some(Tok::LParen)) => {
                            return Err(AnalysisError::input(
                                location(self.source, t.pos),
                                Some(&format!("{s}(")),
                                "a modifier start(v)*, label(\"l\")* or equal(\"l\")*, a fixed value or a label (other modifier functions, such as efa(), are not supported)",
                            ))
                        }
                        (_, Some(Tok::Star)) => {
                            self.at += 1;
                            if label.is_some() {
                                return Err(twice("label", t.pos));
                            }
                            label = Some(s);
                        }
                        _ => {
                            return Ok(Term {
                                name: s,
                                fixed,
                                free,
                                label,
                                start,
                                position: t.pos,
                            })
                        }
                    }
                }
                Tok::Unsupported(_) => return Err(self.unsupported(&t)),
                _ => {
                    return Err(self.error_here(&format!(
                        "a variable name or a modifier (1*, NA*, label*, start(v)*) after {}",
                        op.as_str()
                    )))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intercepts_are_statements_of_their_own() {
        let spec = ModelSpec::parse("y ~ 1 + x\nf ~ 0*1; z ~ a*1").unwrap();
        let ops: Vec<(String, Operator, String)> = spec
            .statements
            .iter()
            .flat_map(|s| {
                s.rhs
                    .iter()
                    .map(move |t| (s.lhs.clone(), s.op, t.name.clone()))
            })
            .collect();
        assert_eq!(
            ops,
            [
                ("y".to_string(), Operator::RegressedOn, "x".to_string()),
                ("y".to_string(), Operator::Intercept, String::new()),
                ("f".to_string(), Operator::Intercept, String::new()),
                ("z".to_string(), Operator::Intercept, String::new()),
            ]
        );
        assert_eq!(spec.statements[2].rhs[0].fixed, Some(0.0));
        assert_eq!(spec.statements[3].rhs[0].label.as_deref(), Some("a"));
        assert!(ModelSpec::parse("y ~ -1").is_err());
        assert!(ModelSpec::parse("y =~ 1").is_err());
    }

    #[test]
    fn a_term_with_two_modifiers_is_rejected() {
        // lavaan: "wrong number of arguments in modifier (a,b)".
        for (text, what) in [
            ("f =~ x1 + a*b*1*x2 + x3", "label"),
            ("f =~ x1 + 1*2*x2", "fixed value"),
            ("f =~ x1 + 1*NA*x2", "fixed value"),
            ("f =~ x1 + start(1)*start(2)*x2", "start value"),
            ("f =~ x1 + a*label(\"b\")*x2", "label"),
        ] {
            let e = ModelSpec::parse(text).unwrap_err().to_string();
            assert!(
                e.contains(&format!("a single {what} per term")),
                "{text}: {e}"
            );
            assert!(e.contains("line 1, column "), "{text}: {e}");
        }
        // One of each kind is lavaan's way to label a parameter and start it.
        let m = ModelSpec::parse("f =~ x1 + start(1)*a*x2 + x3").unwrap();
        let t = &m.statements[0].rhs[1];
        assert_eq!((t.label.as_deref(), t.start), (Some("a"), Some(1.0)));
    }

    #[test]
    fn parses_statements_modifiers_and_continuations() {
        let m = ModelSpec::parse(
            "# a comment\n visual =~ x1 + a*x2 +\n  NA*x3 # trailing\n f ~~ 1*f; y ~ start(0.5)*x + -0.3*z\n",
        )
        .unwrap();
        assert_eq!(m.statements.len(), 3);
        let s = &m.statements[0];
        assert_eq!(s.lhs, "visual");
        assert_eq!(s.op, Operator::MeasuredBy);
        assert_eq!(s.rhs.len(), 3);
        assert_eq!(s.rhs[1].label.as_deref(), Some("a"));
        assert!(s.rhs[2].free);
        assert_eq!(s.rhs[2].position, Position { line: 3, column: 6 });
        assert_eq!(m.statements[1].rhs[0].fixed, Some(1.0));
        assert_eq!(m.statements[2].rhs[0].start, Some(0.5));
        assert_eq!(m.statements[2].rhs[1].fixed, Some(-0.3));
    }

    #[test]
    fn a_plus_sign_before_a_fixed_value_is_read_as_lavaan_does() {
        let m = ModelSpec::parse("f =~ x1 + +0.5*x2 + x3").unwrap();
        assert_eq!(m.statements[0].rhs[1].fixed, Some(0.5));
        let e = ModelSpec::parse("f =~ x1 + + x2").unwrap_err().to_string();
        assert!(
            e.contains("column 11") && e.contains("a variable name"),
            "{e}"
        );
    }

    #[test]
    fn unsupported_syntax_says_so() {
        for (model, column, says) in [
            ("y ~ x1 + x2:x3", 12, "interaction terms"),
            ("group: 1\nf =~ x1 + x2", 6, "blocks"),
            ("efa(\"e\")*f1 =~ x1 + x2 + x3", 1, "efa()"),
            ("f =~ x1 + fixed(0.5)*x2", 11, "efa()"),
            ("f =~ x1 + Inf*x2", 11, "Inf and NaN"),
        ] {
            let e = ModelSpec::parse(model).unwrap_err().to_string();
            assert!(
                e.contains(&format!("column {column}:")) && e.contains(says),
                "{model}: {e}"
            );
        }
    }

    #[test]
    fn plus_on_the_next_line_continues_and_lhs_plus_expands() {
        let m = ModelSpec::parse("f =~ x1\n   + x2\ny1 + y2 ~ x").unwrap();
        assert_eq!(m.statements.len(), 3);
        assert_eq!(m.statements[0].rhs.len(), 2);
        assert_eq!(m.statements[2].lhs, "y2");
    }

    #[test]
    fn errors_name_line_column_token_and_expectation() {
        let e = ModelSpec::parse("f =~ x1 + x2\ng =~ x3 x4")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "model, line 2, column 9: found \"x4\", expected + or the end of the statement"
        );
        let e = ModelSpec::parse("f x1").unwrap_err().to_string();
        assert!(
            e.contains("line 1, column 3") && e.contains("an operator"),
            "{e}"
        );
        let e = ModelSpec::parse("f =~ 2 x1").unwrap_err().to_string();
        assert!(
            e.contains("column 8") && e.contains("* after the number"),
            "{e}"
        );
        let e = ModelSpec::parse("f =~ x1 +").unwrap_err().to_string();
        assert!(e.contains("end of statement"), "{e}");
        let e = ModelSpec::parse("d := a*b").unwrap_err().to_string();
        assert!(e.contains("defined parameters"), "{e}");
        let e = ModelSpec::parse("y ~ 2").unwrap_err().to_string();
        assert!(e.contains("* after the number"), "{e}");
        assert!(ModelSpec::parse("  # only a comment\n").is_err());
        let e = ModelSpec::parse("f =~ x1 @ x2").unwrap_err().to_string();
        assert!(e.contains("found \"@\""), "{e}");
    }
}
