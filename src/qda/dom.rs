//! A small element tree read with quick-xml, keeping each element's line so import errors can
//! point at it. Namespaces are matched by local name only (prefixes and schema locations vary
//! between tools); comments, processing instructions and the declaration are skipped.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::line_of;

/// One XML element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// Local name (prefix dropped).
    pub name: String,
    /// Attributes by local name, in document order (namespace declarations dropped).
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// Concatenated character data directly inside the element.
    pub text: String,
    /// 1-based line of the start tag.
    pub line: usize,
}

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// Deepest element nesting accepted (a guard against hostile files: no stack overflow).
pub const MAX_DEPTH: usize = 256;

/// A parse error: line and message.
pub type DomError = (usize, String);

/// A line counter that only moves forward.
struct Lines {
    pos: usize,
    line: usize,
}

impl Lines {
    /// The 1-based line of byte `pos` (not before the last one asked).
    fn at(&mut self, text: &str, pos: usize) -> usize {
        let end = pos.min(text.len());
        if end > self.pos {
            self.line += text.as_bytes()[self.pos..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.pos = end;
        }
        self.line
    }
}

/// Parses `text` into its root element.
pub fn parse(text: &str) -> Result<Element, DomError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    // Lines are counted forward from the last event, not from the start each time: a project
    // file of megabytes has hundreds of thousands of events.
    let mut counted = Lines { pos: 0, line: 1 };
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            (
                line_of(text, reader.error_position() as usize),
                e.to_string(),
            )
        })?;
        let line = counted.at(text, start);
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((
                        line,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                stack.push(element(&e, line)?)
            }
            Event::Empty(e) => {
                let el = element(&e, line)?;
                attach(&mut stack, &mut root, el, line)?;
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| (line, "closing tag without an opening one".to_string()))?;
                attach(&mut stack, &mut root, el, line)?;
            }
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|e| (line, e.to_string()))?;
                push_text(&mut stack, &s, line)?;
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| (line, e.to_string()))?;
                push_text(&mut stack, &s, line)?;
            }
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref().map_err(|e| (line, e.to_string()))? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|e| (line, e.to_string()))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| (line, format!("unknown entity &{name};")))?
                            .to_string()
                    }
                };
                push_text(&mut stack, &s, line)?;
            }
            Event::DocType(_) => {
                return Err((line, "DOCTYPE declarations are not accepted".into()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err((
            open.line,
            format!("element <{}> is never closed", open.name),
        ));
    }
    root.ok_or_else(|| (1, "the file holds no XML element".to_string()))
}

fn element(e: &BytesStart<'_>, line: usize) -> Result<Element, DomError> {
    let mut attrs = Vec::new();
    for a in e.attributes().with_checks(true) {
        let a = a.map_err(|err| (line, err.to_string()))?;
        let key = a.key;
        if key.as_ref() == b"xmlns" || key.prefix().is_some_and(|p| p.as_ref() == b"xmlns") {
            continue;
        }
        let name = String::from_utf8_lossy(key.local_name().as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|err| (line, format!("attribute {name}: {err}")))?
            .into_owned();
        attrs.push((name, value));
    }
    Ok(Element {
        name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
        attrs,
        children: Vec::new(),
        text: String::new(),
        line,
    })
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    el: Element,
    line: usize,
) -> Result<(), DomError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => return Err((line, "more than one root element".into())),
    }
    Ok(())
}

fn push_text(stack: &mut [Element], s: &str, line: usize) -> Result<(), DomError> {
    match stack.last_mut() {
        Some(el) => el.text.push_str(s),
        None if s.trim().is_empty() => {}
        None => return Err((line, "text outside the root element".into())),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tree_with_lines_entities_and_prefixes() {
        let x = "<?xml version=\"1.0\"?>\n<q:A xmlns:q=\"urn:x\" b=\"1 &amp; 2\">\n  <B>x &lt; y&#233;</B>\n  <C/>\n</q:A>";
        let r = parse(x).unwrap();
        assert_eq!(r.name, "A");
        assert_eq!(r.attr("b"), Some("1 & 2"));
        assert_eq!(r.attrs.len(), 1);
        assert_eq!(r.children[0].text, "x < yé");
        assert_eq!(r.children[0].line, 3);
        assert_eq!(r.children[1].line, 4);
    }

    #[test]
    fn errors_name_the_line() {
        let (line, _) = parse("<A>\n<B>\n</C>\n</A>").unwrap_err();
        assert_eq!(line, 3);
        let (line, msg) = parse("<A>\n<B/>\n").unwrap_err();
        assert!(line >= 1 && !msg.is_empty());
        assert!(parse("<A b=\"1\" b=\"2\"/>").is_err());
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).unwrap_err().1.contains("deeper"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,200}") {
            let _ = parse(&s);
            let _ = crate::qda::qdc::from_qdc(s.as_bytes(), std::path::Path::new("x.qdc"), "q", None, "");
        }

        #[test]
        fn never_panics_on_xmlish(s in "(<[A-Za-z:]{1,6}( guid=\"[0-9a-f-]{0,40}\")?/?>|</[A-Za-z]{1,5}>|&[a-z#0-9]{0,5};|[a-z \n]{0,5}){0,30}") {
            let _ = parse(&s);
            let _ = crate::qda::qdc::from_qdc(s.as_bytes(), std::path::Path::new("x.qdc"), "q", None, "");
        }
    }
}
