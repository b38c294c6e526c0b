//! Stage: search. The query language analysts type, parsed by hand into an AST.
//!
//! In: the query string. Out: a [`Node`] tree, or [`Error::Query`] with the 1-based character
//! position of the problem. Never panics, on any input.
//!
//! Grammar (keywords are uppercase; lowercase `and`/`or`/`not` are ordinary words):
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary (["AND"] unary)*      -- juxtaposition is AND
//! unary   := ("NOT" | "-") unary | primary
//! primary := "(" or ")" | '"' words '"' ["~" N] | word ["*" | "~" [0-2]]
//! ```
//!
//! Juxtaposed words are joined with AND, not OR (tantivy's own parser defaults to OR): analysts
//! add words to narrow a search, so more words must give fewer hits.

use std::collections::HashSet;

use crate::error::{Error, QueryLimit, Result};

/// Longest query accepted, in characters. Analysts type a few words; a longer query is a
/// mistake or an attack, and every character can cost an index walk.
pub const MAX_QUERY_CHARS: usize = 1_000;

/// Most words one query may search for, after repeats are merged (phrase words count one each).
pub const MAX_TERMS: usize = 64;

/// Most prefix and fuzzy words in one query: each one walks the term dictionary and unions the
/// postings of every term it expands to (fuzzy words also build an automaton), which is what
/// took a server to gigabytes per request.
pub const MAX_EXPANSIONS: usize = 8;

/// Deepest nesting of parentheses and `NOT`s accepted (keeps recursion bounded).
const MAX_DEPTH: usize = 64;

/// Largest fuzzy edit distance (tantivy's Levenshtein automata stop at 2).
pub const MAX_FUZZY_DISTANCE: u8 = 2;

/// A parsed query. `pos` is the 1-based character position where the item starts, kept so that
/// later stages (analysis, compilation) can report errors at the right place.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A word, matched stem-aware and accent-insensitive.
    Term { text: String, pos: usize },
    /// `"words in order"`, with `slop` extra positions allowed (`"…"~N`).
    Phrase { text: String, slop: u32, pos: usize },
    /// `prefix*`: any word starting with `text` (accent-insensitive, unstemmed).
    Prefix { text: String, pos: usize },
    /// `word~N`: words within `distance` edits of `text` (transpositions count as one edit).
    Fuzzy {
        text: String,
        distance: u8,
        pos: usize,
    },
    /// Every child must match.
    And(Vec<Node>),
    /// At least one child must match.
    Or(Vec<Node>),
    /// The child must not match.
    Not(Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Minus,
    Leaf(Node),
}

/// A token and its 1-based character position.
#[derive(Debug, Clone, PartialEq)]
struct Spanned {
    tok: Tok,
    pos: usize,
}

fn err(position: usize, message: impl Into<String>) -> Error {
    Error::Query {
        position,
        message: message.into(),
    }
}

/// Parses `input` into a query tree: repeated terms are merged, and a query past
/// [`MAX_QUERY_CHARS`], [`MAX_TERMS`] or [`MAX_EXPANSIONS`] is refused with
/// [`Error::QueryLimit`] at the first character or term past the limit.
pub fn parse(input: &str) -> Result<Node> {
    if input.chars().nth(MAX_QUERY_CHARS).is_some() {
        return Err(Error::QueryLimit {
            position: MAX_QUERY_CHARS + 1,
            limit: QueryLimit::Chars(MAX_QUERY_CHARS),
        });
    }
    let node = parse_tree(input)?;
    check_limits(&node)?;
    Ok(node)
}

fn parse_tree(input: &str) -> Result<Node> {
    let tokens = lex(input)?;
    if tokens.is_empty() {
        return Err(err(1, "the query is empty: type at least one word"));
    }
    let mut p = Parser {
        tokens,
        at: 0,
        depth: 0,
    };
    let node = p.or()?;
    match p.peek() {
        None => Ok(node),
        Some(t) => Err(err(t.pos, "unbalanced ')': no '(' opens it")),
    }
}

/// What `node` asks for, without positions: two items with the same key match the same answers.
fn key(node: &Node) -> String {
    match node {
        Node::Term { text, .. } => format!("t:{text}"),
        Node::Phrase { text, slop, .. } => format!("p{slop}:{text}"),
        Node::Prefix { text, .. } => format!("x:{text}"),
        Node::Fuzzy { text, distance, .. } => format!("f{distance}:{text}"),
        Node::Not(inner) => format!("-({})", key(inner)),
        Node::And(items) => format!("&({})", keys(items)),
        Node::Or(items) => format!("|({})", keys(items)),
    }
}

fn keys(items: &[Node]) -> String {
    items.iter().map(key).collect::<Vec<_>>().join(",")
}

/// `items` without repeats (`a a a`, `a OR a`: the same matches, but each copy would be searched
/// again), as one node when a single item is left.
fn merged(items: Vec<Node>, join: fn(Vec<Node>) -> Node) -> Node {
    let mut seen = HashSet::new();
    let mut items: Vec<Node> = items.into_iter().filter(|n| seen.insert(key(n))).collect();
    if items.len() == 1 {
        items.remove(0)
    } else {
        join(items)
    }
}

/// Counts what `node` searches for, in query order, and fails at the first term past a limit.
fn check_limits(node: &Node) -> Result<()> {
    let mut terms = 0;
    let mut expansions = 0;
    let mut stack = vec![node];
    // Depth first, children in query order: the first term past a limit is the one reported.
    while let Some(n) = stack.pop() {
        let (pos, words, expands) = match n {
            Node::Term { pos, .. } => (*pos, 1, false),
            Node::Phrase { text, pos, .. } => (*pos, text.split_whitespace().count(), false),
            Node::Prefix { pos, .. } | Node::Fuzzy { pos, .. } => (*pos, 1, true),
            Node::Not(inner) => {
                stack.push(inner);
                continue;
            }
            Node::And(items) | Node::Or(items) => {
                stack.extend(items.iter().rev());
                continue;
            }
        };
        terms += words;
        expansions += usize::from(expands);
        let limit = if terms > MAX_TERMS {
            QueryLimit::Terms(MAX_TERMS)
        } else if expansions > MAX_EXPANSIONS {
            QueryLimit::Expansions(MAX_EXPANSIONS)
        } else {
            continue;
        };
        return Err(Error::QueryLimit {
            position: pos,
            limit,
        });
    }
    Ok(())
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || c == '"'
}

fn lex(input: &str) -> Result<Vec<Spanned>> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' {
            let tok = if c == '(' { Tok::LParen } else { Tok::RParen };
            out.push(Spanned { tok, pos });
            i += 1;
        } else if c == '"' {
            let (node, next) = lex_phrase(&chars, i)?;
            out.push(Spanned {
                tok: Tok::Leaf(node),
                pos,
            });
            i = next;
        } else if c == '-' {
            out.push(Spanned {
                tok: Tok::Minus,
                pos,
            });
            i += 1;
        } else {
            let end = (i..chars.len())
                .find(|&j| is_delimiter(chars[j]))
                .unwrap_or(chars.len());
            let word: String = chars[i..end].iter().collect();
            let tok = match word.as_str() {
                "AND" => Tok::And,
                "OR" => Tok::Or,
                "NOT" => Tok::Not,
                _ => Tok::Leaf(lex_word(&word, pos)?),
            };
            out.push(Spanned { tok, pos });
            i = end;
        }
    }
    Ok(out)
}

/// Lexes `"…"` (and an optional `~N`) starting at the quote `chars[start]`; returns the phrase
/// and the index after it.
fn lex_phrase(chars: &[char], start: usize) -> Result<(Node, usize)> {
    let pos = start + 1;
    let Some(close) = (start + 1..chars.len()).find(|&j| chars[j] == '"') else {
        return Err(err(pos, "unclosed quote: this '\"' has no closing '\"'"));
    };
    let text: String = chars[start + 1..close].iter().collect();
    if text.trim().is_empty() {
        return Err(err(pos, "empty phrase: put words between the quotes"));
    }
    let mut next = close + 1;
    let mut slop = 0;
    if chars.get(next) == Some(&'~') {
        let tilde = next + 1;
        let end = (next + 1..chars.len())
            .find(|&j| is_delimiter(chars[j]))
            .unwrap_or(chars.len());
        let digits: String = chars[next + 1..end].iter().collect();
        slop = match digits.parse::<u32>() {
            Ok(n) if n <= 1000 => n,
            _ => {
                return Err(err(
                    tilde,
                    format!(
                        "bad phrase slop '~{digits}': write \"words\"~N with N a whole number up to 1000"
                    ),
                ));
            }
        };
        next = end;
    }
    Ok((Node::Phrase { text, slop, pos }, next))
}

/// Interprets one word: plain, `prefix*` or `fuzzy~N`. `pos` is the word's first character.
fn lex_word(word: &str, pos: usize) -> Result<Node> {
    let (base, fuzzy) = match word.find('~') {
        Some(byte) => {
            let tilde_pos = pos + word[..byte].chars().count();
            let suffix = &word[byte + 1..];
            let distance = match suffix {
                "" => 1,
                "0" => 0,
                "1" => 1,
                "2" => 2,
                _ => {
                    return Err(err(
                        tilde_pos,
                        format!(
                            "bad fuzzy distance '~{suffix}': write word~ (1 edit), word~1 or word~2"
                        ),
                    ));
                }
            };
            (&word[..byte], Some((distance, tilde_pos)))
        }
        None => (word, None),
    };
    if let Some(byte) = base.find('*') {
        let star_pos = pos + base[..byte].chars().count();
        if base == "*" {
            return Err(err(
                star_pos,
                "'*' alone would match everything: put letters before it, as in planea*",
            ));
        }
        if byte + 1 != base.len() {
            return Err(err(
                star_pos,
                "'*' is only allowed at the end of a word, as in planea*",
            ));
        }
        if let Some((_, tilde_pos)) = fuzzy {
            return Err(err(
                tilde_pos,
                "a word cannot be both a prefix (*) and fuzzy (~)",
            ));
        }
        return Ok(Node::Prefix {
            text: base[..byte].to_string(),
            pos,
        });
    }
    match fuzzy {
        Some((_, tilde_pos)) if base.is_empty() => Err(err(
            tilde_pos,
            "'~' needs a word before it, as in planeacion~",
        )),
        Some((distance, _)) => Ok(Node::Fuzzy {
            text: base.to_string(),
            distance,
            pos,
        }),
        None => Ok(Node::Term {
            text: base.to_string(),
            pos,
        }),
    }
}

struct Parser {
    tokens: Vec<Spanned>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Spanned> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    /// Position just past the end, for "missing operand at the end" errors.
    fn end_pos(&self) -> usize {
        self.tokens.last().map_or(1, |t| t.pos + 1)
    }

    fn or(&mut self) -> Result<Node> {
        let mut items = vec![self.and()?];
        while let Some(Spanned { tok: Tok::Or, pos }) = self.peek().cloned() {
            self.at += 1;
            self.operand_follows("OR", pos)?;
            items.push(self.and()?);
        }
        Ok(merged(items, Node::Or))
    }

    fn and(&mut self) -> Result<Node> {
        if let Some(t) = self.peek() {
            match t.tok {
                Tok::And => return Err(err(t.pos, "AND has no term on its left")),
                Tok::Or => return Err(err(t.pos, "OR has no term on its left")),
                _ => {}
            }
        }
        let mut items = vec![self.unary()?];
        loop {
            match self.peek().cloned() {
                None
                | Some(Spanned {
                    tok: Tok::Or | Tok::RParen,
                    ..
                }) => break,
                Some(Spanned { tok: Tok::And, pos }) => {
                    self.at += 1;
                    self.operand_follows("AND", pos)?;
                }
                Some(_) => {}
            }
            items.push(self.unary()?);
        }
        Ok(merged(items, Node::And))
    }

    /// Fails unless an operand starts at the current token (after the operator `op` at `pos`).
    fn operand_follows(&self, op: &str, pos: usize) -> Result<()> {
        match self.peek() {
            None => Err(err(pos, format!("{op} has no term after it"))),
            Some(t) => match t.tok {
                Tok::RParen | Tok::And | Tok::Or => {
                    Err(err(pos, format!("{op} has no term after it")))
                }
                _ => Ok(()),
            },
        }
    }

    fn unary(&mut self) -> Result<Node> {
        let Some(t) = self.peek().cloned() else {
            return Err(err(self.end_pos(), "a term is missing at the end"));
        };
        match t.tok {
            Tok::Not | Tok::Minus => {
                self.at += 1;
                let op = if t.tok == Tok::Not { "NOT" } else { "'-'" };
                self.operand_follows(op, t.pos)?;
                self.enter(t.pos)?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Node::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn enter(&mut self, pos: usize) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                pos,
                format!("the query nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn primary(&mut self) -> Result<Node> {
        let Some(t) = self.next() else {
            return Err(err(self.end_pos(), "a term is missing at the end"));
        };
        match t.tok {
            Tok::Leaf(node) => Ok(node),
            Tok::LParen => {
                if let Some(Spanned {
                    tok: Tok::RParen, ..
                }) = self.peek()
                {
                    return Err(err(t.pos, "empty parentheses"));
                }
                if self.peek().is_none() {
                    return Err(err(t.pos, "unbalanced '(': no ')' closes it"));
                }
                self.enter(t.pos)?;
                let inner = self.or()?;
                self.depth -= 1;
                match self.next() {
                    Some(Spanned {
                        tok: Tok::RParen, ..
                    }) => Ok(inner),
                    _ => Err(err(t.pos, "unbalanced '(': no ')' closes it")),
                }
            }
            Tok::RParen => Err(err(t.pos, "unbalanced ')': no '(' opens it")),
            Tok::And => Err(err(t.pos, "AND has no term on its left")),
            Tok::Or => Err(err(t.pos, "OR has no term on its left")),
            Tok::Not | Tok::Minus => Err(err(t.pos, "operator without a term")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str, pos: usize) -> Node {
        Node::Term {
            text: text.into(),
            pos,
        }
    }

    fn position(q: &str) -> (usize, String) {
        match parse(q) {
            Err(Error::Query { position, message }) => (position, message),
            other => panic!("{q:?} should fail, got {other:?}"),
        }
    }

    #[test]
    fn words_are_and_by_default() {
        assert_eq!(
            parse("planeación territorial").unwrap(),
            Node::And(vec![term("planeación", 1), term("territorial", 12)])
        );
    }

    #[test]
    fn or_binds_looser_than_and() {
        assert_eq!(
            parse("a b OR c").unwrap(),
            Node::Or(vec![
                Node::And(vec![term("a", 1), term("b", 3)]),
                term("c", 8)
            ])
        );
        assert_eq!(
            parse("a AND (b OR c)").unwrap(),
            Node::And(vec![
                term("a", 1),
                Node::Or(vec![term("b", 8), term("c", 13)])
            ])
        );
    }

    #[test]
    fn not_and_minus() {
        assert_eq!(
            parse("a -b NOT c").unwrap(),
            Node::And(vec![
                term("a", 1),
                Node::Not(Box::new(term("b", 4))),
                Node::Not(Box::new(term("c", 10)))
            ])
        );
        assert_eq!(
            parse("NOT (a OR b)").unwrap(),
            Node::Not(Box::new(Node::Or(vec![term("a", 6), term("b", 11)])))
        );
        // A hyphen inside a word is part of the word.
        assert_eq!(
            parse("co-financiación").unwrap(),
            term("co-financiación", 1)
        );
    }

    #[test]
    fn lowercase_keywords_are_words() {
        assert_eq!(
            parse("and or").unwrap(),
            Node::And(vec![term("and", 1), term("or", 5)])
        );
    }

    #[test]
    fn phrases_prefix_fuzzy() {
        assert_eq!(
            parse("\"listas de espera\"~2").unwrap(),
            Node::Phrase {
                text: "listas de espera".into(),
                slop: 2,
                pos: 1
            }
        );
        assert_eq!(
            parse("planea*").unwrap(),
            Node::Prefix {
                text: "planea".into(),
                pos: 1
            }
        );
        assert_eq!(
            parse("asistensia~").unwrap(),
            Node::Fuzzy {
                text: "asistensia".into(),
                distance: 1,
                pos: 1
            }
        );
        assert_eq!(
            parse("x~2").unwrap(),
            Node::Fuzzy {
                text: "x".into(),
                distance: 2,
                pos: 1
            }
        );
    }

    #[test]
    fn errors_have_positions() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 1, "empty"),
            ("   ", 1, "empty"),
            ("a \"b c", 3, "unclosed quote"),
            ("(a b", 1, "unbalanced '('"),
            ("a b)", 4, "unbalanced ')'"),
            ("a AND", 3, "AND has no term after"),
            ("OR a", 1, "OR has no term on its left"),
            ("a OR OR b", 3, "OR has no term after"),
            ("a NOT", 3, "NOT has no term after"),
            ("a -", 3, "'-' has no term after"),
            ("*", 1, "'*' alone"),
            ("a *", 3, "'*' alone"),
            ("pla*ne", 4, "end of a word"),
            ("planea~3", 7, "bad fuzzy distance"),
            ("planea~x", 7, "bad fuzzy distance"),
            ("~", 1, "needs a word"),
            ("a*~", 3, "both a prefix"),
            ("\"a b\"~x", 6, "bad phrase slop"),
            ("\"  \"", 1, "empty phrase"),
            ("()", 1, "empty parentheses"),
            ("a ( ", 3, "unbalanced '('"),
            ("ñandú \"x", 7, "unclosed quote"),
        ];
        for (q, pos, msg) in cases {
            let (p, m) = position(q);
            assert_eq!(p, *pos, "{q:?}: {m}");
            assert!(m.contains(msg), "{q:?}: {m}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let q = format!("{}a{}", "(".repeat(400), ")".repeat(400));
        assert!(position(&q).1.contains("nests deeper"));
        let q = format!("{}a", "NOT ".repeat(200));
        assert!(position(&q).1.contains("nests deeper"));
        // Deeper still is past the length limit, refused before any parsing.
        let q = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
        assert!(matches!(
            parse(&q),
            Err(Error::QueryLimit { position: 1001, .. })
        ));
    }

    fn limit(q: &str) -> (usize, QueryLimit) {
        match parse(q) {
            Err(Error::QueryLimit { position, limit }) => (position, limit),
            other => panic!("{q:?} should pass a limit, got {other:?}"),
        }
    }

    /// The character position where the `n`-th (1-based) space-separated word of `q` starts.
    fn word_pos(q: &str, n: usize) -> usize {
        let mut pos = 1;
        for w in q.split(' ').take(n - 1) {
            pos += w.chars().count() + 1;
        }
        pos
    }

    #[test]
    fn a_query_past_the_length_limit_is_refused_at_the_first_extra_character() {
        let ok = "á".repeat(MAX_QUERY_CHARS);
        assert!(parse(&ok).is_ok(), "exactly the limit is accepted");
        let long = format!("{ok}b");
        assert_eq!(
            limit(&long),
            (MAX_QUERY_CHARS + 1, QueryLimit::Chars(MAX_QUERY_CHARS))
        );
    }

    #[test]
    fn repeated_terms_are_merged_before_counting() {
        assert_eq!(parse("a a a").unwrap(), term("a", 1));
        assert_eq!(parse("a OR a OR (a)").unwrap(), term("a", 1));
        let fuzzy = "asistencia~2 OR ".repeat(60) + "asistencia~2";
        assert_eq!(
            parse(&fuzzy).unwrap(),
            Node::Fuzzy {
                text: "asistencia".into(),
                distance: 2,
                pos: 1
            }
        );
        // Different terms stay, in order.
        assert_eq!(
            parse("a b a").unwrap(),
            Node::And(vec![term("a", 1), term("b", 3)])
        );
    }

    #[test]
    fn too_many_terms_is_refused_at_the_first_term_past_the_limit() {
        let words: Vec<String> = (0..=MAX_TERMS).map(|i| format!("w{i}")).collect();
        let q = words.join(" OR ");
        let (pos, what) = limit(&q);
        assert_eq!(what, QueryLimit::Terms(MAX_TERMS));
        assert_eq!(pos, word_pos(&q, 2 * MAX_TERMS + 1), "{q}");
        assert!(parse(&words[..MAX_TERMS].join(" ")).is_ok());
        // Phrase words count one each.
        let phrase = format!("\"{}\"", words.join(" "));
        assert_eq!(limit(&phrase), (1, QueryLimit::Terms(MAX_TERMS)));
    }

    #[test]
    fn too_many_prefix_and_fuzzy_words_are_refused() {
        let words: Vec<String> = (0..=MAX_EXPANSIONS)
            .map(|i| {
                if i % 2 == 0 {
                    format!("w{i}~2")
                } else {
                    format!("w{i}*")
                }
            })
            .collect();
        let q = words.join(" OR ");
        assert_eq!(
            limit(&q),
            (
                word_pos(&q, 2 * MAX_EXPANSIONS + 1),
                QueryLimit::Expansions(MAX_EXPANSIONS)
            )
        );
        assert!(parse(&words[..MAX_EXPANSIONS].join(" ")).is_ok());
        // Negated ones count too: they are searched all the same.
        let negated = format!(
            "a {}",
            words
                .iter()
                .map(|w| format!("-{w}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(matches!(limit(&negated).1, QueryLimit::Expansions(_)));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,60}") {
            let _ = parse(&s);
        }

        #[test]
        fn query_alphabet_never_panics(s in "[ab ()\"*~0-9\\-]{0,40}|(AND|OR|NOT|[ab]|[()\"*~ -]){0,20}") {
            if let Err(e) = parse(&s) {
                // Every error carries a position inside the query (or just past its end).
                match e {
                    Error::Query { position, .. } | Error::QueryLimit { position, .. } => {
                        proptest::prop_assert!(position >= 1 && position <= s.chars().count() + 1);
                    }
                    other => proptest::prop_assert!(false, "unexpected error {other}"),
                }
            }
        }
    }
}
