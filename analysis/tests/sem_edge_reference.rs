//! Fit measures at the edges against lavaan 0.6 (tests/reference/sem_edge.R,
//! issue 12): a χ² that is zero up to rounding gives CFI 1 (not 0), and the
//! RMSEA interval at a large N is computed in bounded time with lavaan's
//! values.

use analysis::sem::{self, ModelSpec, Options, SampleMoments};
use analysis::Dataset;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn fit(case: &Value) -> sem::SemFit {
    let spec = ModelSpec::parse(case["model"].as_str().unwrap()).unwrap();
    let sample = match case["data"].as_str() {
        Some(path) => {
            let data = Dataset::from_path(format!("{ROOT}/{path}")).unwrap();
            let observed: Vec<String> = data
                .names()
                .iter()
                .filter(|n| {
                    spec.statements
                        .iter()
                        .any(|s| s.rhs.iter().any(|t| &t.name == *n))
                })
                .cloned()
                .collect();
            SampleMoments::from_dataset(&data, &observed).unwrap()
        }
        None => {
            let path = format!("{ROOT}/{}", case["cov"].as_str().unwrap());
            let text = std::fs::read_to_string(&path).unwrap();
            let nobs = case["nobs"].as_u64().unwrap() as usize;
            SampleMoments::from_covariance_csv(&path, &text, nobs).unwrap()
        }
    };
    sem::fit(&spec, &sample, &Options::default()).unwrap()
}

#[test]
fn edge_cases_match_lavaan() {
    let text =
        std::fs::read_to_string(format!("{ROOT}/tests/fixtures/sem/edge_cases.json")).unwrap();
    let fixture: Value = serde_json::from_str(&text).unwrap();
    for case in fixture["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let clock = std::time::Instant::now();
        let ours = serde_json::to_value(fit(case).fit).unwrap();
        assert!(
            clock.elapsed().as_secs() < 10,
            "{name}: {:?}",
            clock.elapsed()
        );
        for (measure, want) in case["fit"].as_object().unwrap() {
            let got = &ours[measure];
            match want.as_f64() {
                // lavaan's NA (NFI with a zero baseline χ²): ours is null too.
                None => assert!(got.is_null(), "{name} {measure}: {got} vs NA"),
                Some(w) => {
                    let g = got
                        .as_f64()
                        .unwrap_or_else(|| panic!("{name} {measure}: {got}"));
                    // lavaan's own χ² of a perfect fit is rounding noise
                    // (4e-13); everything else within 1e-6 relative.
                    let tol = 1e-6 * w.abs().max(1.0);
                    assert!((g - w).abs() < tol, "{name} {measure}: {g} vs lavaan {w}");
                }
            }
        }
    }
}

#[test]
fn an_n_beyond_the_accurate_range_is_fitted_in_bounded_time_with_a_warning() {
    // The command line stops at 1e9; the library fits any N but says when
    // χ² = N·F is dominated by rounding. N = 1e15 took many GB before.
    let path = format!("{ROOT}/tests/data/sem/holzinger_swineford_cov.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";
    let spec = ModelSpec::parse(model).unwrap();
    let clock = std::time::Instant::now();
    let sample = SampleMoments::from_covariance_csv(&path, &text, 1_000_000_000_000_000).unwrap();
    let fit = sem::fit(&spec, &sample, &Options::default()).unwrap();
    assert!(clock.elapsed().as_secs() < 10, "{:?}", clock.elapsed());
    assert!(
        fit.warnings.iter().any(|w| matches!(
            w,
            sem::SemWarning::InaccurateLargeN { nobs } if *nobs == 1_000_000_000_000_000
        ) && w.to_string().contains("above 1e9")),
        "{:?}",
        fit.warnings
    );
    let f = &fit.fit;
    assert!(f.chisq.is_finite() && f.rmsea_ci_lower < f.rmsea && f.rmsea < f.rmsea_ci_upper);
    // The RMSEA converges to the population value √(F/df) as N grows.
    assert!((f.rmsea - 0.108667).abs() < 1e-5, "{}", f.rmsea);
}
