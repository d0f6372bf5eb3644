//! Text for a terminal: server text made inert (control characters and
//! bidirectional overrides escaped), long text clipped, and ANSI colour. A
//! leaf: every path that shows text from outside goes through here.

use std::borrow::Cow;

/// The UTF-8 byte order mark, which spreadsheets want at the start of a
/// CSV file and some proxies put before a body.
pub const BOM: &str = "\u{feff}";

/// `bytes` without a leading byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes)
}

/// At most the first four characters of a value (a key, a URL), to show
/// which value is meant without showing it: `5f8c…`.
pub fn preview(value: &str) -> String {
    let head: String = value.trim().chars().take(4).collect();
    format!("{}…", sanitize(&head))
}

/// "a" or "an" before `word` (by its first letter; good enough for the
/// words these messages use).
pub fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Whether a character must not reach a terminal as it is: a control
/// character (C0, DEL, C1 such as U+009B, which starts an escape sequence
/// on some terminals) or a bidirectional override, which can make text
/// read in another order than it is.
pub fn unsafe_on_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Replaces what is unsafe on a terminal (ESC, CR, BEL, C1 controls,
/// bidirectional overrides...) with its escaped form, so that server text
/// prints as inert characters.
pub fn sanitize(text: &str) -> String {
    sanitized(text).into_owned()
}

/// `sanitize`, borrowing the text when it has nothing to escape (as nearly
/// all text has).
pub fn sanitized(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if unsafe_on_terminal(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text made safe for a terminal: what is unsafe there and JSON does
/// not escape itself (DEL, C1 controls, bidirectional overrides) written
/// as `\uXXXX`, which reads back as the same string. (Raw line ends are the
/// pretty printer's own: JSON escapes those within strings.)
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    let escape = |c: char| c != '\n' && unsafe_on_terminal(c);
    if !json.chars().any(escape) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escape(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters of `text`, with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// ANSI SGR around `text` when colouring.
pub fn paint(text: &str, sgr: &str, color: bool) -> String {
    if color {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_small_helpers() {
        assert_eq!(preview(" 5f8c1e2a-0000 "), "5f8c…");
        assert_eq!(preview("ab"), "ab…");
        assert_eq!(preview("\u{1b}]52;"), "\\u{1b}]52…");
        assert_eq!(article("unexpected"), "an");
        assert_eq!(article("text/html"), "a");
        assert_eq!(strip_bom("\u{feff}a,b".as_bytes()), b"a,b");
        assert_eq!(strip_bom(b"a,b"), b"a,b");
    }

    #[test]
    fn sanitize_escapes_terminal_controls() {
        assert_eq!(
            sanitize("a\x1b[2Jb\r\n\u{9b}c"),
            "a\\u{1b}[2Jb\\r\\n\\u{9b}c"
        );
        assert_eq!(sanitize("Türk Lirası"), "Türk Lirası");
    }

    #[test]
    fn bidirectional_overrides_are_escaped_too() {
        assert_eq!(sanitize("a\u{202e}b\u{2066}c"), "a\\u{202e}b\\u{2066}c");
        let json = "{\n  \"name\": \"a\u{9b}b\u{202e}c\u{7f}\"\n}";
        let safe = json_for_terminal(json);
        assert_eq!(safe, "{\n  \"name\": \"a\\u009bb\\u202ec\\u007f\"\n}");
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back["name"], "a\u{9b}b\u{202e}c\u{7f}");
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("Türk Lirası", 4), "Türk…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
