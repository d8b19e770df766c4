//! Writing desired-state TOML: the suggestions the audit prints, the files `holdfast import`
//! writes.

/// A TOML string literal.
pub fn quoted(text: &str) -> String {
    toml_string(text)
}

/// A TOML key: bare where TOML allows it, quoted otherwise (`spring.datasource.password`
/// would otherwise be a dotted key, a table).
pub fn key(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')) { text.to_owned() } else { toml_string(text) }
}

fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            control if control.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(control))),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_quotes_and_keys_are_bare_only_where_toml_allows() {
        assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(key("REVERB_APP_KEY"), "REVERB_APP_KEY");
        assert_eq!(key("spring.datasource.password"), "\"spring.datasource.password\"");
    }
}
