//! Difference tests of least-squares fits against lavaan 0.6.14's
//! `lavTestLRT` (WLSMV: `satorra.2000`, the scaled-shifted difference;
//! DWLS and ULS: the standard difference) and nesting verdicts against
//! semTools 0.5-6's `net()`; fixtures from tests/reference/sem_compare_wls.R
//! (simulated 5-point items, tests/data/sem/ordinal_nested.csv).
//!
//! Tolerance: 1e-3 relative for χ², Δχ², the scale a and the p-values,
//! with an absolute floor of 1e-3 (i.e. 1e-6 absolute) for values near 0
//! (the shift b of one restriction is 0 up to rounding);
//! Δdf exactly; the method by name.

use analysis::sem::compare::{compare, ComparedModel};
use analysis::sem::{self, Estimator, ModelSpec, Options, SampleMoments};
use analysis::Dataset;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const REL: f64 = 1e-3;

fn fixture(name: &str) -> Value {
    let path = format!("{ROOT}/tests/fixtures/sem_compare_wls/{name}.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn sample() -> SampleMoments {
    let data = Dataset::from_path(format!("{ROOT}/tests/data/sem/ordinal_nested.csv")).unwrap();
    SampleMoments::from_dataset(&data, data.names()).unwrap()
}

fn items() -> Vec<String> {
    (1..=8).map(|i| format!("y{i}")).collect()
}

fn close(what: &str, ours: f64, theirs: f64) {
    let tol = REL * theirs.abs().max(1e-3);
    eprintln!(
        "{what}: relative difference {:.2e}",
        (ours - theirs).abs() / theirs.abs().max(1e-3)
    );
    assert!(
        (ours - theirs).abs() <= tol,
        "{what}: ours {ours}, lavaan {theirs} (tolerance {tol:e})"
    );
}

#[test]
fn least_squares_difference_tests_match_lavtestlrt() {
    let sample = sample();
    let cases = fixture("lrt");
    let mut checked = 0;
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let options = Options {
            estimator: case["estimator"].as_str().unwrap().parse().unwrap(),
            ordered: if case["ordered"].as_bool().unwrap() {
                items()
            } else {
                Vec::new()
            },
            ..Options::default()
        };
        let models: Vec<ComparedModel> = case["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let label = m["model"].as_str().unwrap();
                let spec = ModelSpec::parse(m["syntax"].as_str().unwrap()).unwrap();
                let fit = sem::fit(&spec, &sample, &options).unwrap();
                assert!(fit.converged, "{name}/{label}");
                close(
                    &format!("{name}/{label} chisq"),
                    fit.fit.chisq,
                    m["chisq"].as_f64().unwrap(),
                );
                assert_eq!(fit.fit.df, m["df"].as_f64().unwrap(), "{name}/{label} df");
                ComparedModel::of_fit(label, &fit)
            })
            .collect();
        // Given in reverse: compare() orders them by df, as lavTestLRT.
        let result = compare(models.into_iter().rev().collect()).unwrap();
        let tests = case["tests"].as_array().unwrap();
        assert_eq!(result.tests.len(), tests.len(), "{name}");
        for (ours, theirs) in result.tests.iter().zip(tests) {
            let what = format!("{name}: {} vs {}", ours.from, ours.to);
            assert_eq!(ours.from, theirs["from"].as_str().unwrap(), "{what}");
            assert_eq!(ours.to, theirs["to"].as_str().unwrap(), "{what}");
            assert_eq!(ours.method, theirs["method"].as_str().unwrap(), "{what}");
            assert_eq!(ours.df_diff, theirs["df_diff"].as_f64().unwrap(), "{what}");
            close(
                &format!("{what} Δχ²"),
                ours.chisq_diff,
                theirs["chisq_diff"].as_f64().unwrap(),
            );
            close(
                &format!("{what} p"),
                ours.pvalue,
                theirs["pvalue"].as_f64().unwrap(),
            );
            match (ours.scale, theirs["scale"].as_f64()) {
                (Some(a), Some(b)) => close(&format!("{what} scale"), a, b),
                (None, None) => {}
                other => panic!("{what}: scale {other:?}"),
            }
            match (ours.shift, theirs["shift"].as_f64()) {
                (Some(a), Some(b)) => close(&format!("{what} shift"), a, b),
                (None, None) => {}
                other => panic!("{what}: shift {other:?}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}

/// semTools' net(): the verdict, and the χ² of the less restricted model
/// refitted to the more restricted model's implied moments (1e-3 relative
/// when not nested; below the criterion when nested); one group with and
/// without means, and two groups (tests/data/sem/groups2.csv).
#[test]
fn nesting_verdicts_match_semtools_net() {
    use analysis::sem::groups::{self, GroupEqual, GroupedSample};
    use analysis::sem::nesting::{refit_chisq, Refit, NESTING_CRITERION};
    let sample = sample();
    let pairs = fixture("net");
    assert_eq!(pairs.as_array().unwrap().len(), 7);
    for pair in pairs.as_array().unwrap() {
        let options = Options {
            estimator: pair["estimator"].as_str().unwrap().parse().unwrap(),
            meanstructure: pair["meanstructure"].as_bool().unwrap(),
            ..Options::default()
        };
        let refit = |key: &str| {
            let spec = ModelSpec::parse(pair[key].as_str().unwrap()).unwrap();
            match pair["group"].as_str() {
                None => {
                    let fit = sem::fit(&spec, &sample, &options).unwrap();
                    Refit::of_fit(&spec, &options, &fit).unwrap()
                }
                Some(group) => {
                    let data =
                        Dataset::from_path(format!("{ROOT}/tests/data/sem/groups2.csv")).unwrap();
                    let columns: Vec<String> = (1..=6).map(|i| format!("x{i}")).collect();
                    let grouped = GroupedSample::from_dataset(&data, group, &columns).unwrap();
                    let fit =
                        groups::fit(&spec, &grouped, &GroupEqual::default(), &options).unwrap();
                    Refit::of_groups(&spec, &options, &fit).unwrap()
                }
            }
        };
        let what = format!(
            "{} in {} (meanstructure {}, group {})",
            pair["restricted"], pair["free"], options.meanstructure, pair["group"]
        );
        let chisq = refit_chisq(&refit("free_syntax"), &refit("restricted_syntax")).unwrap();
        let nested = pair["nested"].as_bool().unwrap();
        assert_eq!(chisq < NESTING_CRITERION, nested, "{what}: χ² {chisq}");
        if !nested {
            close(&what, chisq, pair["refit_chisq"].as_f64().unwrap());
        }
    }
}

/// Nesting is a property of the covariance structures, so the verdicts
/// of net() hold whichever estimator fitted the models: the same pairs
/// fitted by least squares on the items as continuous (ULS, DWLS, GLS)
/// give the same verdicts through the ML refit.
#[test]
fn nesting_verdicts_hold_for_least_squares_fits() {
    use analysis::sem::groups::{self, GroupEqual, GroupedSample};
    use analysis::sem::nesting::{refit_chisq, Refit, NESTING_CRITERION};
    let sample = sample();
    let pairs = fixture("net");
    let mut checked = 0;
    for estimator in [Estimator::ULS, Estimator::DWLS, Estimator::GLS] {
        for pair in pairs.as_array().unwrap() {
            let options = Options {
                estimator,
                meanstructure: pair["meanstructure"].as_bool().unwrap(),
                ..Options::default()
            };
            let refit = |key: &str| {
                let spec = ModelSpec::parse(pair[key].as_str().unwrap()).unwrap();
                match pair["group"].as_str() {
                    None => {
                        let fit = sem::fit(&spec, &sample, &options).unwrap();
                        Refit::of_fit(&spec, &options, &fit).unwrap()
                    }
                    Some(group) => {
                        let data = Dataset::from_path(format!("{ROOT}/tests/data/sem/groups2.csv"))
                            .unwrap();
                        let columns: Vec<String> = (1..=6).map(|i| format!("x{i}")).collect();
                        let grouped = GroupedSample::from_dataset(&data, group, &columns).unwrap();
                        let fit =
                            groups::fit(&spec, &grouped, &GroupEqual::default(), &options).unwrap();
                        Refit::of_groups(&spec, &options, &fit).unwrap()
                    }
                }
            };
            let chisq = refit_chisq(&refit("free_syntax"), &refit("restricted_syntax")).unwrap();
            let nested = pair["nested"].as_bool().unwrap();
            assert_eq!(
                chisq < NESTING_CRITERION,
                nested,
                "{} in {} by {}: χ² {chisq}",
                pair["restricted"],
                pair["free"],
                estimator.as_str()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 21);
}

/// The one-group pairs of net()'s fixture fitted as ordered items (WLSMV,
/// DWLS): the refit to the implied latent-response correlations gives
/// net()'s verdicts.
#[test]
fn nesting_verdicts_hold_for_ordered_fits() {
    use analysis::sem::nesting::{refit_chisq, Refit, NESTING_CRITERION};
    let sample = sample();
    let items: Vec<String> = (1..=8).map(|i| format!("y{i}")).collect();
    let pairs = fixture("net");
    let mut checked = 0;
    for estimator in [Estimator::WLSMV, Estimator::DWLS] {
        for pair in pairs.as_array().unwrap() {
            if pair["group"].as_str().is_some() {
                continue;
            }
            let options = Options {
                estimator,
                ordered: items.clone(),
                ..Options::default()
            };
            let refit = |key: &str| {
                let spec = ModelSpec::parse(pair[key].as_str().unwrap()).unwrap();
                let fit = sem::fit(&spec, &sample, &options).unwrap();
                Refit::of_fit(&spec, &options, &fit).expect("an all-ordered fit is checked")
            };
            let chisq = refit_chisq(&refit("free_syntax"), &refit("restricted_syntax")).unwrap();
            let nested = pair["nested"].as_bool().unwrap();
            assert_eq!(
                chisq < NESTING_CRITERION,
                nested,
                "{} in {} by {}: χ² {chisq}",
                pair["restricted"],
                pair["free"],
                estimator.as_str()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}

/// sem-compare's order of checks: the non-nested pair of the fixture
/// passes the cheap conditions (more df and a higher χ²) and is refused by
/// the refit, with both names and the χ² in the message.
#[test]
fn a_non_nested_pair_is_refused_by_the_refit() {
    use analysis::sem::nesting::Refit;
    let sample = sample();
    let pairs = fixture("net");
    let pair = pairs
        .as_array()
        .unwrap()
        .iter()
        .find(|p| !p["nested"].as_bool().unwrap())
        .unwrap();
    let options = Options::default();
    let model = |key: &str, name: &str| {
        let spec = ModelSpec::parse(pair[key].as_str().unwrap()).unwrap();
        let fit = sem::fit(&spec, &sample, &options).unwrap();
        let mut m = ComparedModel::of_fit(name, &fit);
        m.refit = Refit::of_fit(&spec, &options, &fit);
        m
    };
    let free = model("free_syntax", "moved.lav");
    let restricted = model("restricted_syntax", "orth.lav");
    assert!(restricted.df > free.df && restricted.chisq > free.chisq);
    let message = compare(vec![free.clone(), restricted.clone()])
        .unwrap_err()
        .to_string();
    let expected = format!("χ² = {:.1}", pair["refit_chisq"].as_f64().unwrap());
    for needle in ["moved.lav", "orth.lav", "not nested", expected.as_str()] {
        assert!(message.contains(needle), "{needle} not in: {message}");
    }
    // Without the refit, only the cheap conditions: the test goes ahead.
    let (mut free, mut restricted) = (free, restricted);
    free.refit = None;
    restricted.refit = None;
    assert!(compare(vec![free, restricted]).is_ok());
}

/// Pairs that cannot be tested: mixed estimators, a WLSMV model without its
/// least-squares pieces, pieces of other statistics, and a difference whose
/// scaling is degenerate (Γ = 0) — each a clear error, never a NaN.
#[test]
fn pairs_that_cannot_be_tested_are_refused_clearly() {
    use analysis::sem::compare::difference_test;
    use analysis::sem::Estimator;
    let sample = sample();
    let fit = |syntax: &str, estimator: Estimator| {
        let options = Options {
            estimator,
            ordered: if estimator == Estimator::ML {
                Vec::new()
            } else {
                items()
            },
            ..Options::default()
        };
        sem::fit(&ModelSpec::parse(syntax).unwrap(), &sample, &options).unwrap()
    };
    let two = "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8";
    let free = ComparedModel::of_fit(
        "cov.lav",
        &fit(&format!("{two}\ny1 ~~ y2"), Estimator::WLSMV),
    );
    let restricted = ComparedModel::of_fit("cfa.lav", &fit(two, Estimator::WLSMV));
    let message = |r: analysis::Result<analysis::sem::compare::DifferenceTest>| {
        r.expect_err("an error").to_string()
    };

    let ml = ComparedModel::of_fit("cfa_ml.lav", &fit(two, Estimator::ML));
    let m = message(difference_test(&free, &ml));
    assert!(m.contains("different estimators (WLSMV and ML)"), "{m}");

    let mut bare = restricted.clone();
    bare.test_pieces = None;
    let m = message(difference_test(&free, &bare));
    assert!(m.contains("cfa.lav") && m.contains("Δ, W, Γ"), "{m}");

    let mut other = restricted.clone();
    other.test_pieces.as_mut().unwrap().groups[0].statistics[0] = "y9|t1".into();
    let m = message(difference_test(&free, &other));
    assert!(m.contains("different sample statistics"), "{m}");

    let mut degenerate = free.clone();
    for g in &mut degenerate.test_pieces.as_mut().unwrap().groups {
        g.gamma_root.as_mut().unwrap().fill(0.0);
    }
    let m = message(difference_test(&degenerate, &restricted));
    assert!(
        m.contains("degenerate") && m.contains("cov.lav") && m.contains("cfa.lav"),
        "{m}"
    );

    let mut no_data = free.clone();
    no_data.test_pieces.as_mut().unwrap().groups[0].gamma_root = None;
    let m = message(difference_test(&no_data, &restricted));
    assert!(m.contains("raw data"), "{m}");
}

/// The projector of satorra.2000 does not depend on how the parameters are
/// written (θ → Tθ: Δ → ΔT): a shared label is one column in our table and
/// Δ·K in lavaan's, and both give the same test (the equal-loadings chain
/// above agrees with lavaan; here any invertible T, to 1e-9 relative).
#[test]
fn the_scaled_shifted_difference_is_invariant_to_the_parameterization() {
    use analysis::sem::scaled_shifted_difference::scaled_shifted_difference;
    use analysis::sem::{DMatrix, Estimator};
    let sample = sample();
    let options = Options {
        estimator: Estimator::WLSMV,
        ordered: items(),
        ..Options::default()
    };
    let fit =
        |syntax: &str| sem::fit(&ModelSpec::parse(syntax).unwrap(), &sample, &options).unwrap();
    let free = fit("f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8");
    let restricted = fit("f1 =~ y1 + a*y2 + a*y3 + a*y4\nf2 =~ y5 + y6 + y7 + y8");
    let (diff, df) = (
        restricted.fit.chisq - free.fit.chisq,
        restricted.fit.df - free.fit.df,
    );
    let pieces = free.test_pieces.as_ref().unwrap();
    let base =
        scaled_shifted_difference(pieces, restricted.test_pieces.as_ref().unwrap(), diff, df)
            .unwrap();
    let k = pieces.groups[0].delta.ncols();
    // Rescale one loading, mix another into a threshold's column.
    let mut t = DMatrix::<f64>::identity(k, k);
    t[(k - 1, k - 1)] = 2.5;
    t[(0, k - 2)] = -0.7;
    let mut moved = pieces.clone();
    for g in &mut moved.groups {
        g.delta = &g.delta * &t;
    }
    let other =
        scaled_shifted_difference(&moved, restricted.test_pieces.as_ref().unwrap(), diff, df)
            .unwrap();
    for (a, b) in [
        (base.statistic, other.statistic),
        (base.scale, other.scale),
        (base.trace, other.trace),
    ] {
        assert!((a - b).abs() <= 1e-9 * b.abs(), "{a} vs {b}");
    }
}
