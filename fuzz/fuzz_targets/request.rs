//! Fuzz target: see `hardening::invariants::request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hardening::invariants::request::check(data));
