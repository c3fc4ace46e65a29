//! One check per parser that takes outside input. Each takes arbitrary
//! bytes, decodes them into that parser's input, runs it, and panics when
//! a property breaks: a panic inside the parser, a wrong answer against a
//! simple reference, or a secret in an error or `Debug` text.
//!
//! Inputs are mostly text, so seeds are readable. Where a secret matters,
//! the marker `$S` in the input is replaced by [`CANARY`] before parsing,
//! and no error or `Debug` text may then contain the canary.

pub mod allow_list;
pub mod forwarded_for;
pub mod headers;
pub mod profile_file;
pub mod request;

/// What `$S` in a fuzz input becomes: a well-formed key that must never
/// appear in any error or `Debug` text.
pub const CANARY: &str = "Canary7SecretValue0zQx9";

/// The marker replaced by [`CANARY`].
pub const SECRET_MARKER: &str = "$S";

/// `text` with every [`SECRET_MARKER`] replaced by [`CANARY`].
pub fn with_canary(text: &str) -> String {
    text.replace(SECRET_MARKER, CANARY)
}

/// Panics when `text` (an error message, `Debug` output) holds the canary.
pub fn assert_no_canary(what: &str, text: &str) {
    assert!(
        !text.contains(CANARY),
        "a secret leaked into {what}: {text}"
    );
}

/// A check: panics when `data` breaks a property.
pub type Check = fn(&[u8]);

/// Every check by the name of its fuzz target and corpus folder.
pub const TARGETS: &[(&str, Check)] = &[
    ("headers", headers::check),
    ("allow_list", allow_list::check),
    ("forwarded_for", forwarded_for::check),
    ("profile_file", profile_file::check),
    ("request", request::check),
];
