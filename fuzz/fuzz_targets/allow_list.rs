//! Fuzz target: see `hardening::invariants::allow_list`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hardening::invariants::allow_list::check(data));
