//! Step 6 of the reproduction (the study's SEM) against lavaan 0.6, fitted
//! by `tests/reference/reproduction_sem.R` to the same data with
//! `likelihood = "wishart"`. Tolerance: 1e-3 relative (iterative fits),
//! as for the SEM engine's own reference tests.

use serde_json::Value;
use study::published::contracting_model;
use study::reproduction::sem::{run, ModelLevel, SemStep};
use study::reproduction::{StudyData, DEFAULT_SEED};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/reproduction/");
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/reproduction/"
);

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}{name}")).expect("fixture");
    serde_json::from_str(&text).expect("json")
}

fn close(ours: f64, lavaan: f64, what: &str) {
    let tol = 1e-3 * lavaan.abs().max(1e-3);
    assert!(
        (ours - lavaan).abs() <= tol,
        "{what}: ours {ours}, lavaan {lavaan}"
    );
}

fn check_paths(step: &SemStep, reference: &Value) {
    let paths = reference["paths"].as_array().unwrap();
    assert_eq!(step.paths.len(), paths.len());
    for r in paths {
        let latent = r["rhs"].as_str().unwrap();
        let ours = step.paths.iter().find(|p| p.latent == latent).unwrap();
        let f = |k: &str| r[k].as_f64().unwrap();
        close(ours.est, f("est"), &format!("est {latent}"));
        close(ours.se, f("se"), &format!("se {latent}"));
        close(ours.z.unwrap(), f("z"), &format!("z {latent}"));
        close(
            ours.std_all.unwrap(),
            f("std.all"),
            &format!("std.all {latent}"),
        );
        close(ours.pvalue.unwrap(), f("pvalue"), &format!("p {latent}"));
    }
    close(
        step.outcome_r_squared.unwrap(),
        reference["r2_cc"].as_f64().unwrap(),
        "R² of the outcome",
    );
}

#[test]
fn committed_synthetic_csv_is_the_generators_output() {
    // The R script fits the committed file; it must be what the step fits.
    let (_, study) = StudyData::synthetic(&contracting_model(), DEFAULT_SEED).unwrap();
    let committed =
        std::fs::read_to_string(format!("{DATA}{}", study.suggested_file_name())).unwrap();
    assert_eq!(committed, study.to_csv());
}

#[test]
fn item_level_model_on_synthetic_data_matches_lavaan() {
    let claims = contracting_model();
    let (data, _) = StudyData::synthetic(&claims, DEFAULT_SEED).unwrap();
    let step = run(&claims, &data).unwrap();
    let r = fixture("sem_synthetic.json");
    assert_eq!(step.level, ModelLevel::Items);
    assert!(step.converged);
    assert_eq!(step.nobs as u64, r["nobs"].as_u64().unwrap());
    let fit = &r["fit"];
    let f = |k: &str| fit[k].as_f64().unwrap();
    assert_eq!(step.npar as f64, f("npar"));
    assert_eq!(step.fit.df, f("df"));
    close(step.fit.chisq, f("chisq"), "chisq");
    close(step.fit.pvalue.unwrap(), f("pvalue"), "pvalue");
    close(step.fit.cfi, f("cfi"), "cfi");
    close(step.fit.tli, f("tli"), "tli");
    close(step.fit.nfi, f("nfi"), "nfi");
    close(step.fit.rmsea, f("rmsea"), "rmsea");
    close(
        step.fit.rmsea_ci_lower,
        f("rmsea_ci_lower"),
        "rmsea ci lower",
    );
    close(
        step.fit.rmsea_ci_upper,
        f("rmsea_ci_upper"),
        "rmsea ci upper",
    );
    close(step.fit.srmr, f("srmr"), "srmr");
    close(step.fit.gfi, f("gfi"), "gfi");
    close(step.fit.agfi, f("agfi"), "agfi");
    check_paths(&step, &r);
    // The path diagram of our estimates is among the figures, labelled synthetic.
    let diagram = step
        .figures
        .iter()
        .find(|f| f.file == "06_sem_paths.svg")
        .unwrap();
    assert!(diagram.figure.svg.contains("SYNTHETIC"));
}

#[test]
fn too_few_respondents_fall_back_to_the_score_path_model_as_lavaan_fits_it() {
    let claims = contracting_model();
    let data = StudyData::from_csv(format!("{DATA}small_study.csv"), &claims).unwrap();
    let step = run(&claims, &data).unwrap();
    let r = fixture("sem_small_study.json");
    assert_eq!(step.level, ModelLevel::Scores);
    assert_eq!(step.fit.df, 0.0);
    assert_eq!(step.nobs as u64, r["nobs"].as_u64().unwrap());
    check_paths(&step, &r);
    assert!(step.notice[0].contains("Too few complete respondents"));
    // Fit indices of a saturated model are not set against Table 3.
    let cfi = step
        .comparisons
        .iter()
        .find(|c| c.quantity == "CFI")
        .unwrap();
    assert_eq!(cfi.verdict, study::reproduction::Verdict::NotComparable);
}

#[test]
fn invariance_across_gender_on_synthetic_data_matches_lavaan() {
    // tests/reference/reproduction_invariance.R: the same model across
    // Table 1's gender groups, lavaan's group defaults, lavTestLRT.
    let claims = contracting_model();
    let (data, _) = StudyData::synthetic(&claims, DEFAULT_SEED).unwrap();
    let step = run(&claims, &data).unwrap();
    let r = fixture("invariance_synthetic.json");
    let inv = step
        .invariance
        .as_ref()
        .expect("the synthetic data have gender");
    let labels: Vec<&str> = r["group_labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let nobs: Vec<u64> = r["nobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let ours: Vec<(&str, u64)> = inv
        .groups
        .iter()
        .map(|(l, n)| (l.as_str(), *n as u64))
        .collect();
    assert_eq!(ours, labels.into_iter().zip(nobs).collect::<Vec<_>>());
    let tests = r["tests"].as_array().unwrap();
    assert_eq!(inv.tests.len(), tests.len());
    for (t, reference) in inv.tests.iter().zip(tests) {
        let f = |k: &str| reference[k].as_f64().unwrap();
        assert_eq!(t.to, reference["to"].as_str().unwrap());
        assert_eq!(t.df_diff, f("df_diff"));
        close(t.chisq_diff, f("chisq_diff"), &format!("Δχ² {}", t.to));
        close(t.pvalue, f("pvalue"), &format!("p {}", t.to));
        // Differences of indices near 1: absolute tolerance 1e-5.
        assert!((t.delta_cfi - f("delta_cfi")).abs() < 1e-5, "ΔCFI {}", t.to);
        assert!(
            (t.delta_rmsea - f("delta_rmsea")).abs() < 1e-5,
            "ΔRMSEA {}",
            t.to
        );
    }
    assert!(step
        .notice
        .iter()
        .any(|n| n.contains("Measurement invariance across gender")
            && n.contains("independently of gender")));
}
