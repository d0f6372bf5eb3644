//! Text for a terminal: server text made inert (control characters
//! escaped), long text clipped, and ANSI colour. A leaf: every path that
//! shows text from outside goes through here.

use std::borrow::Cow;

/// Replaces control characters (ESC, CR, BEL, C1 controls...) with their
/// escaped form so that server text prints as inert characters.
pub fn sanitize(text: &str) -> String {
    sanitized(text).into_owned()
}

/// `sanitize`, borrowing the text when it has nothing to escape (as nearly
/// all text has).
pub fn sanitized(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
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
    fn sanitize_escapes_terminal_controls() {
        assert_eq!(
            sanitize("a\x1b[2Jb\r\n\u{9b}c"),
            "a\\u{1b}[2Jb\\r\\n\\u{9b}c"
        );
        assert_eq!(sanitize("Türk Lirası"), "Türk Lirası");
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("Türk Lirası", 4), "Türk…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
