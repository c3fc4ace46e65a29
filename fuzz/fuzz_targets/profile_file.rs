//! Fuzz target: see `hardening::invariants::profile_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hardening::invariants::profile_file::check(data));
