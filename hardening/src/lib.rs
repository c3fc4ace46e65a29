//! Reliability checks of redis-cloud-auth.
//!
//! [`invariants`] holds one check per parser that takes outside input; the
//! fuzz targets in `fuzz/` and the corpus replay tests call the same
//! functions, so a stable toolchain runs every committed fuzz input too.
//! The `rcauth-load` binary drives mixed traffic against `rcauth serve`
//! (see [`load`]).

#![warn(missing_docs)]

pub mod invariants;
pub mod load;

// The repository README's Rust examples, compiled (and run, unless
// `no_run`) as doctests: here because this crate is never published and
// builds the core with `tower`, which the README's layer example needs.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct RepositoryReadme;
