//! How commands print: aligned tables for people, one JSON document per
//! line with `--json`, and a new secret alone on its own stdout line.
//!
//! Everything a script reads goes to stdout; notes for people go to stderr.

use std::io::{self, Write};

use redis_cloud_auth::{Secret, SystemLogEntry};
use serde::Serialize;

use crate::error::CliError;

/// Where and how a command prints its result.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
}

impl Output {
    /// Human output, or JSON when `json` is set.
    pub fn new(json: bool) -> Self {
        Output { json }
    }

    /// Whether `--json` was given.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints `value` as one line of JSON, or runs `human` to print it for people.
    pub fn emit<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), CliError> {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        let result = if self.json {
            serde_json::to_writer(&mut out, value)
                .map_err(io::Error::other)
                .and_then(|()| writeln!(out))
        } else {
            human(&mut out)
        };
        result.and_then(|()| out.flush()).map_err(write_error)
    }

    /// Prints a newly created secret: alone on its own stdout line for people,
    /// or inside `value` (one JSON line) with `--json`. `about` goes to stderr
    /// for people. This is the only way a secret reaches the terminal.
    pub fn emit_new_secret<T: Serialize>(
        &self,
        value: &T,
        secret: &Secret,
        about: &str,
    ) -> Result<(), CliError> {
        if self.json {
            return self.emit(value, |_| Ok(()));
        }
        let stdout = io::stdout();
        let mut out = stdout.lock();
        writeln!(out, "{}", secret.expose())
            .and_then(|()| out.flush())
            .map_err(write_error)?;
        self.note(about);
        Ok(())
    }

    /// Reports a change that created no value to capture: `value` as one
    /// JSON line with `--json`, else `about` on stderr and nothing on stdout
    /// (so `x=$(rcauth ...)` never captures a sentence).
    pub fn emit_done<T: Serialize>(&self, value: &T, about: &str) -> Result<(), CliError> {
        if self.json {
            return self.emit(value, |_| Ok(()));
        }
        self.note(about);
        Ok(())
    }

    /// A note for people on stderr (silent with `--json`).
    pub fn note(&self, message: &str) {
        if !self.json {
            eprintln!("{message}");
        }
    }

    /// Prints a failure on stderr: `rcauth: error: ...`, or one JSON line
    /// `{"error": code, "message": ...}` with `--json`.
    pub fn error(&self, err: &CliError) {
        if self.json {
            let body = serde_json::json!({"error": err.code, "message": err.message});
            eprintln!("{body}");
        } else {
            eprintln!("rcauth: error: {}", err.message);
        }
    }
}

fn write_error(err: io::Error) -> CliError {
    CliError::failure("io", format!("cannot write output: {err}"))
}

/// Formats rows under headers as left-aligned columns two spaces apart.
///
/// ```
/// use rcauth::output::table;
///
/// let text = table(&["id", "name"], &[vec!["1".into(), "acme".into()]]);
/// assert_eq!(text, "id  name\n1   acme\n");
/// ```
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let mut text = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            l.push_str(cell);
            if i + 1 < widths.len() {
                let pad = widths[i].saturating_sub(cell.chars().count());
                l.extend(std::iter::repeat_n(' ', pad));
            }
        }
        text.push_str(l.trim_end());
        text.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    text
}

/// Formats `(label, value)` pairs as two aligned columns, without headers.
///
/// ```
/// use rcauth::output::pairs;
///
/// let text = pairs(&[("account", "acme".to_string()), ("key", "ci".to_string())]);
/// assert_eq!(text, "account  acme\nkey      ci\n");
/// ```
pub fn pairs(rows: &[(&str, String)]) -> String {
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(label, value)| {
            let pad = width - label.chars().count();
            format!("{label}{}  {value}\n", " ".repeat(pad))
        })
        .collect()
}

/// Formats system log entries as a table, newest first as given.
pub fn system_log_table(entries: &[SystemLogEntry]) -> String {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.time.clone(),
                e.originator.clone(),
                e.api_key_name.clone().unwrap_or_else(|| "-".to_string()),
                e.resource.clone(),
                e.description.clone(),
            ]
        })
        .collect();
    table(
        &["id", "time", "originator", "key", "resource", "description"],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns_and_trims_line_ends() {
        let rows = vec![
            vec!["1".to_string(), "acme".to_string(), "x".to_string()],
            vec!["22".to_string(), "b".to_string(), String::new()],
        ];
        let text = table(&["id", "name", "note"], &rows);
        assert_eq!(text, "id  name  note\n1   acme  x\n22  b\n");
    }

    #[test]
    fn table_counts_characters_not_bytes() {
        let rows = vec![vec!["é".to_string(), "z".to_string()]];
        assert_eq!(table(&["ab", "c"], &rows), "ab  c\né   z\n");
    }
}
