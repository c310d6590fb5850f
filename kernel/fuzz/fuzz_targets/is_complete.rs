//! Fuzzes the `is_complete` lexer: any text, no panic, and an indent only
//! for incomplete code.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/completeness.rs"]
#[allow(dead_code)]
mod completeness;

fuzz_target!(|data: &[u8]| {
    if let Ok(code) = std::str::from_utf8(data) {
        let _ = completeness::is_complete(code);
    }
});
