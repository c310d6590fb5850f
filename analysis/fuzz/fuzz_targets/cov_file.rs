//! Fuzzes the covariance-matrix file reader (`sem --cov`) and, for small
//! matrices it accepts, a one-factor fit on them: never a panic, never a
//! non-finite χ².
#![no_main]

use analysis::sem::{self, ModelSpec, Options, SampleMoments};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first byte picks N, so that small and large N are both tried.
    let nobs = [2usize, 3, 10, 301, 1_000_000_000][data.first().map_or(0, |b| *b as usize % 5)];
    let Ok(sample) = SampleMoments::from_covariance_csv("fuzz.csv", text, nobs) else {
        return;
    };
    if sample.names.len() > 6 {
        return;
    }
    let model = format!("f =~ {}", sample.names.join(" + "));
    let Ok(spec) = ModelSpec::parse(&model) else {
        return;
    };
    if let Ok(fit) = sem::fit(&spec, &sample, &Options::default()) {
        assert!(fit.fit.chisq.is_finite(), "{model}: χ² {}", fit.fit.chisq);
    }
});
