//! Fuzz target: see `hardening::invariants::headers`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hardening::invariants::headers::check(data));
