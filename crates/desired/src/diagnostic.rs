//! Errors in desired-state files, each pinned to a file, line and column.

use std::fmt;
use std::ops::Range;

/// A place in a desired-state file. Lines and columns count from 1.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return f.write_str(&self.file);
        }
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem found in the desired state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Location,
    /// The offending source line, shown under the location.
    pub source_line: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        write!(f, "  --> {}", self.location)?;
        if let Some(line) = &self.source_line {
            let number = self.location.line.to_string();
            let gutter = " ".repeat(number.len());
            write!(f, "\n {gutter} |\n {number} | {line}\n {gutter} | ")?;
            write!(f, "{}^", " ".repeat(self.location.column.saturating_sub(1)))?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found while loading a desired-state folder. Loading reports all of
/// them at once, so a user fixes a file in one pass rather than one error per run.
#[derive(Debug, thiserror::Error)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.diagnostics.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        let count = self.diagnostics.len();
        write!(f, "\n\n{count} error{} in the desired state", if count == 1 { "" } else { "s" })
    }
}

/// The text of one file, to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// Where each line starts, so locating an entry costs a binary search: a folder of
    /// 200,000 entries is located in linear time, not quadratic.
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(index, _)| index + 1)).collect();
        Self { path: path.into(), text, line_starts }
    }

    pub fn location(&self, offset: usize) -> Location {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|start| *start <= offset);
        let line_start = self.line_starts[line - 1];
        let column = self.text[line_start..offset].chars().count() + 1;
        Location { file: self.path.clone(), line, column }
    }

    fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self.line_starts.get(line).map_or(self.text.len(), |next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    /// A diagnostic at `span`. A line that sets a `value` may hold a secret typed by
    /// mistake, so what follows `value =` is never shown.
    pub fn diagnostic(&self, span: Range<usize>, message: impl Into<String>, hint: Option<String>) -> Diagnostic {
        let location = self.location(span.start);
        let line = self.line_text(location.line);
        Diagnostic { location, source_line: Some(redact_value(line)), message: message.into(), hint }
    }

    /// True when the line holding `offset` sets a `value`.
    pub fn sets_a_value(&self, offset: usize) -> bool {
        let line = self.location(offset).line;
        value_assignment(self.line_text(line)).is_some()
    }
}

/// Where the text after `value =` starts, if the line assigns a `value`.
fn value_assignment(line: &str) -> Option<usize> {
    let mut search = 0;
    while let Some(found) = line[search..].find("value") {
        let mut start = search + found;
        let mut end = start + "value".len();
        // A quoted key, `"value" =` or `'value' =`, is the same key.
        if let Some(quote) = line[..start].chars().next_back().filter(|c| *c == '"' || *c == '\'')
            && line[end..].starts_with(quote)
        {
            start -= 1;
            end += 1;
        }
        let word_before = line[..start].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let rest = &line[end..];
        let trimmed = rest.trim_start();
        if !word_before && trimmed.starts_with('=') {
            return Some(end + (rest.len() - trimmed.len()) + 1);
        }
        // A dotted key, `value.x = ...`, sets part of the value.
        if !word_before
            && trimmed.starts_with('.')
            && let Some(equals) = rest.find('=')
        {
            return Some(end + equals + 1);
        }
        search = end;
    }
    None
}

/// The line with what is assigned to the key at `column` (counted from 1) hidden: for
/// errors about a key holdfast does not know (a misspelt `value` among them), whose value
/// may be anything.
pub(crate) fn redact_assignment(line: &str, column: usize) -> String {
    let key_start = line.char_indices().nth(column.saturating_sub(1)).map_or(line.len(), |(index, _)| index);
    match line[key_start..].find('=') {
        Some(equals) => format!("{} …", &line[..=key_start + equals]),
        None => line.to_owned(),
    }
}

fn redact_value(line: &str) -> String {
    match value_assignment(line) {
        Some(end) => format!("{} …", &line[..end]),
        None => line.to_owned(),
    }
}

/// Replaces the text inside quotes and backticks with `…`.
pub(crate) fn redact_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<char> = None;
    for c in text.chars() {
        match open {
            Some(quote) if c == quote => {
                out.push('…');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if matches!(c, '"' | '\'' | '`') {
                    open = Some(c);
                }
            }
        }
    }
    if open.is_some() {
        out.push('…');
    }
    out
}

/// "did you mean" for a misspelt word among the accepted ones.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(&word.to_lowercase(), &candidate.to_lowercase()), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| format!("did you mean `{candidate}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_follows_value_is_never_shown() {
        let file = SourceFile::new("a.toml", "name = \"x\"\nvalue = \"hunter2\"\nx = { name = \"n\", value = 12345 }\n");
        assert_eq!(file.diagnostic(11..16, "bad", None).source_line.as_deref(), Some("value = …"));
        assert_eq!(file.diagnostic(30..31, "bad", None).source_line.as_deref(), Some("x = { name = \"n\", value = …"));
        assert_eq!(file.diagnostic(0..4, "bad", None).source_line.as_deref(), Some("name = \"x\""));
        assert!(file.sets_a_value(12) && !file.sets_a_value(0));
        let dotted = SourceFile::new("a.toml", "value.literal = \"hunter4\"\n");
        assert_eq!(dotted.diagnostic(0..1, "bad", None).source_line.as_deref(), Some("value.literal = …"));
        assert_eq!(redact_assignment("valu = \"hunter5\"", 1), "valu = …");
        assert_eq!(redact_assignment("x = [{ days = 30, clas = \"GLACIER\" }]", 19), "x = [{ days = 30, clas = …");
        let quoted = SourceFile::new("a.toml", "\"value\" = \"hunter2\"\n'value' = 'hunter3'\n");
        assert_eq!(quoted.diagnostic(0..1, "bad", None).source_line.as_deref(), Some("\"value\" = …"));
        assert_eq!(quoted.diagnostic(20..21, "bad", None).source_line.as_deref(), Some("'value' = …"));
        assert_eq!(redact_quoted("invalid type: string \"hunter2\", expected `x`"), "invalid type: string \"…\", expected `…`");
    }

    #[test]
    fn location_counts_lines_and_characters_from_one() {
        let file = SourceFile::new("a.toml", "a = 1\nbé = 2\n");
        assert_eq!(file.location(0), Location { file: "a.toml".into(), line: 1, column: 1 });
        assert_eq!(file.location(10), Location { file: "a.toml".into(), line: 2, column: 4 });
    }
}
