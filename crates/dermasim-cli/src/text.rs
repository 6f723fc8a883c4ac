//! Text for the terminal: control characters escaped, and standard output written without
//! panicking (a closed pipe ends quietly, another write error is exit 4).

use std::io::{self, Write as _};

/// `s` with every control character but newline and tab shown as an escape (`\u{1b}`), so that
/// names from a scenario cannot move the cursor, recolour or retitle a terminal.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_hostile(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` with every control character but newline, carriage return and tab replaced by `?`s of
/// the same byte length, so byte spans into it stay valid (for source snippets).
pub fn printable_same_len(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_hostile(c) && c != '\r' {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        // Bidirectional overrides and isolates reorder what a terminal shows.
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Why a command's output to stdout failed.
pub enum StdoutError {
    /// The reader went away (`| head`): end quietly.
    Closed,
    /// Any other failure (`> /dev/full`): exit 4 with this message.
    Failed(String),
}

/// Writes `text` to standard output and flushes it.
pub fn out(text: &str) -> Result<(), StdoutError> {
    let mut o = io::stdout().lock();
    o.write_all(text.as_bytes()).and_then(|()| o.flush()).map_err(|e| {
        if e.kind() == io::ErrorKind::BrokenPipe {
            StdoutError::Closed
        } else {
            StdoutError::Failed(format!("cannot write to standard output: {e}"))
        }
    })
}

/// Writes a line to standard error, ignoring failures (there is nowhere left to report them).
pub fn err(text: &str) {
    let mut e = io::stderr().lock();
    let _ = e.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = e.write_all(b"\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_sent() {
        let s = "caf\u{1b}[31mred\u{7}\u{9b}2J\u{202e}x\nok\tok";
        let p = printable(s);
        assert!(!p.chars().any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{9b}' || c == '\u{202e}'), "{p:?}");
        assert!(p.contains("\\u{1b}[31mred") && p.contains("\nok\tok"), "{p:?}");
        let q = printable_same_len(s);
        assert_eq!(q.len(), s.len());
        assert!(!q.contains('\u{1b}'));
    }
}
