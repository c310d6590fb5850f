//! Fuzzes the claims file reader (`paraclinic-claims/1` JSON) and the audit
//! that runs on what it accepts (without the simulation, which only depends
//! on the sample size): never a panic.
#![no_main]

use analysis::audit::{audit, AuditOptions};
use analysis::claims::Claims;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(claims) = Claims::from_json_str("fuzz.json", text) else {
        return;
    };
    let options = AuditOptions {
        replications: 2,
        max_outcome_indicators: 3,
        ..AuditOptions::default()
    };
    let _ = audit(&claims, &options);
});
