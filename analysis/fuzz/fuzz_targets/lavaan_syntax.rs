//! Fuzzes the lavaan model parser and the parameter table built from it:
//! any text gives a model or an error with a position, never a panic.
#![no_main]

use analysis::sem::{ModelSpec, ParTable};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = ModelSpec::parse(text) else {
        return;
    };
    // Every name that is not a factor is taken as a column of the data, as
    // if the data had them all; plus a fixed set, for the unknown-name path.
    let latent: Vec<&str> = spec
        .statements
        .iter()
        .filter(|s| s.op == analysis::sem::Operator::MeasuredBy)
        .map(|s| s.lhs.as_str())
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for s in &spec.statements {
        for n in std::iter::once(&s.lhs).chain(s.rhs.iter().map(|t| &t.name)) {
            if !latent.contains(&n.as_str()) && !columns.contains(n) {
                columns.push(n.clone());
            }
        }
    }
    for std_lv in [false, true] {
        let _ = ParTable::build(&spec, &columns, std_lv);
    }
    let fixed: Vec<String> = (1..=9).map(|i| format!("x{i}")).collect();
    let _ = spec.check_observed(&fixed);
    let _ = ParTable::build(&spec, &fixed, false);
});
