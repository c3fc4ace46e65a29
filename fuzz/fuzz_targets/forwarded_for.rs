//! Fuzz target: see `hardening::invariants::forwarded_for`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hardening::invariants::forwarded_for::check(data));
