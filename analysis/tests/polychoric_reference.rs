//! `analysis::bivariate_normal` and `analysis::polychoric` against lavaan
//! 0.6 and pbivnorm, from the fixtures written by
//! tests/reference/polychoric.R on the datasets in tests/data/polychoric/
//! and the 78-item benchmark questionnaire (tests/data/sem/questionnaire_78.csv).
//!
//! Tolerances:
//! - Φ₂: 1e-14 absolute against pbivnorm (Genz's algorithm, as ours) and
//!   against adaptive quadrature of Plackett's identity (independent);
//! - thresholds (closed form Φ⁻¹ of cumulative proportions; lavaan's are
//!   nlminb fits of the same likelihood): 1e-8 absolute;
//! - polychoric correlations (iterative: lavaan's nlminb against our
//!   safeguarded Newton): 1e-6 absolute;
//! - NACOV and DWLS weights (closed forms given the estimates): 1e-6
//!   relative to the largest entry of the matrix (1e-5 relative per weight).

use analysis::bivariate_normal::bivariate_normal_cdf;
use analysis::polychoric::{polychoric, OrderedData};
use analysis::{AnalysisError, Dataset, Render};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/polychoric/");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/polychoric/");

fn fixture(stem: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}{stem}.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn numbers(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_f64().unwrap()).collect(),
        x => vec![x.as_f64().unwrap()],
    }
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(numbers).collect()
}

#[test]
fn bivariate_normal_cdf_matches_pbivnorm_and_quadrature() {
    let f = fixture("bivariate_normal");
    let points = &f["points"];
    let n = points["x"].as_array().unwrap().len();
    assert!(n > 800);
    let (xs, ys, rs) = (
        numbers(&points["x"]),
        numbers(&points["y"]),
        numbers(&points["rho"]),
    );
    let (pb, quad) = (numbers(&points["pbivnorm"]), numbers(&points["quadrature"]));
    let mut worst: f64 = 0.0;
    for k in 0..n {
        let ours = bivariate_normal_cdf(xs[k], ys[k], rs[k]);
        for (what, reference) in [("pbivnorm", pb[k]), ("quadrature", quad[k])] {
            let d = (ours - reference).abs();
            worst = worst.max(d);
            assert!(
                d < 1e-14,
                "Φ₂({}, {}; {}): ours {ours:e}, {what} {reference:e}",
                xs[k],
                ys[k],
                rs[k]
            );
        }
    }
    eprintln!("Φ₂: {n} points, largest difference {worst:e}");
}

fn check_ordinal(stem: &str) {
    let f = fixture(stem);
    let names: Vec<String> = f["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let data = Dataset::from_path(format!("{DATA}{stem}.csv")).unwrap();
    let ordered = OrderedData::from_dataset(&data, &names).unwrap();
    assert_eq!(
        ordered.n_cases as f64,
        f["n"].as_f64().unwrap(),
        "{stem}: N"
    );
    let result = polychoric(&ordered).unwrap();

    let thresholds = matrix(&f["thresholds"]);
    assert_eq!(result.thresholds.len(), thresholds.len());
    for (v, (ours, theirs)) in result.thresholds.iter().zip(&thresholds).enumerate() {
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{stem}: thresholds of {}",
            names[v]
        );
        for (a, b) in ours.iter().zip(theirs) {
            assert!(
                (a - b).abs() < 1e-8,
                "{stem} {}: τ ours {a}, lavaan {b}",
                names[v]
            );
        }
    }
    let cor = matrix(&f["correlations"]);
    let mut worst_rho: f64 = 0.0;
    for i in 0..names.len() {
        for j in 0..names.len() {
            let d = (result.correlations[i][j] - cor[i][j]).abs();
            worst_rho = worst_rho.max(d);
            assert!(
                d < 1e-6,
                "{stem} ρ({}, {}): ours {}, lavaan {}",
                names[i],
                names[j],
                result.correlations[i][j],
                cor[i][j]
            );
        }
    }

    let asym = result.asymptotics(&ordered).unwrap();
    let labels: Vec<&str> = f["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        asym.labels, labels,
        "{stem}: order of the sample statistics"
    );
    for (a, b) in asym.statistics.iter().zip(numbers(&f["wls_obs"])) {
        assert!((a - b).abs() < 1e-6, "{stem}: wls.obs ours {a}, lavaan {b}");
    }
    let nacov = asym.nacov();
    let theirs = matrix(&f["nacov"]);
    let scale = theirs.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut worst: f64 = 0.0;
    for r in 0..labels.len() {
        for c in 0..labels.len() {
            let d = (nacov[(r, c)] - theirs[r][c]).abs() / scale;
            worst = worst.max(d);
            assert!(
                d < 1e-6,
                "{stem} NACOV[{}, {}]: ours {}, lavaan {}",
                labels[r],
                labels[c],
                nacov[(r, c)],
                theirs[r][c]
            );
        }
    }
    let weights = asym.dwls_weights().unwrap();
    for ((ours, theirs), label) in weights.iter().zip(numbers(&f["dwls_weights"])).zip(&labels) {
        assert!(
            ((ours - theirs) / theirs).abs() < 1e-5,
            "{stem} DWLS weight of {label}: ours {ours}, lavaan {theirs}"
        );
    }
    // AᵀΓA without forming Γ equals the product with the formed Γ.
    let q = labels.len();
    let a = nalgebra::DMatrix::from_fn(q, 3, |r, c| ((r * 7 + c * 3) % 11) as f64 - 5.0);
    let direct = a.transpose() * &nacov * &a;
    let form = asym.nacov_quadratic_form(&a).unwrap();
    assert!((&form - &direct).amax() <= 1e-10 * direct.amax());
    assert!(asym
        .nacov_quadratic_form(&a.rows(0, q - 1).into_owned())
        .is_err());
    let diagonal = asym.nacov_diagonal();
    for (k, d) in diagonal.iter().enumerate() {
        assert!((d - nacov[(k, k)]).abs() <= 1e-12 * d.abs());
    }
    eprintln!("{stem}: largest |Δρ| {worst_rho:e}, largest NACOV difference {worst:e} of its largest entry");
}

#[test]
fn five_point_items_match_lavaan() {
    check_ordinal("ordinal_5point");
}

#[test]
fn seven_point_items_match_lavaan() {
    check_ordinal("ordinal_7point");
}

#[test]
fn mixed_items_with_an_empty_category_and_missing_values_match_lavaan() {
    check_ordinal("ordinal_mixed");
    let data = Dataset::from_path(format!("{DATA}ordinal_mixed.csv")).unwrap();
    let d = OrderedData::from_dataset(&data, &["gap".into(), "bin".into()]).unwrap();
    // The scale point 3 that nobody chose is not a category.
    assert_eq!(d.categories[0], vec![1.0, 2.0, 4.0, 5.0]);
    assert_eq!((d.n_cases, d.n_dropped), (250, 0));
    // Rendered: the thresholds and the matrix, with the records used.
    let names: Vec<String> = ["bin", "three", "gap", "seven"].map(String::from).to_vec();
    let r = polychoric(&OrderedData::from_dataset(&data, &names).unwrap()).unwrap();
    let text = r.to_text();
    assert!(
        text.contains("n = 246 complete records, 4 dropped"),
        "{text}"
    );
    assert!(
        text.contains("gap") && text.contains("t3") && !text.contains("gap  t4"),
        "{text}"
    );
    let json: Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["thresholds"][2].as_array().unwrap().len(), 3);
}

#[test]
fn a_two_by_two_table_with_an_empty_cell_matches_lavaan() {
    check_ordinal("ordinal_binary_empty_cell");
}

fn error_text(columns: Vec<(&str, Vec<Option<f64>>)>) -> String {
    let columns = columns
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v))
        .collect();
    match OrderedData::from_columns("test.csv", columns) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn bad_input_gets_clear_errors() {
    let ok = vec![Some(1.0), Some(2.0), Some(3.0)];
    let one_category = error_text(vec![("a", ok.clone()), ("b", vec![Some(2.0); 3])]);
    assert!(
        one_category.contains("\"b\"") && one_category.contains("at least 2 observed categories"),
        "{one_category}"
    );
    let fractional = error_text(vec![
        ("a", ok.clone()),
        ("b", vec![Some(1.0), Some(2.5), Some(3.0)]),
    ]);
    assert!(
        fractional.contains("\"b\"")
            && fractional.contains("2.5")
            && fractional.contains("whole number"),
        "{fractional}"
    );
    let all_missing = error_text(vec![("a", ok.clone()), ("b", vec![None; 3])]);
    assert!(
        all_missing.contains("\"b\"")
            && all_missing.contains("missing in every one of the 3 records"),
        "{all_missing}"
    );
    let single = error_text(vec![("a", ok)]);
    assert!(single.contains("at least 2"), "{single}");

    // From a CSV: the line and the value are named.
    let data = Dataset::from_csv_str("items.csv", "a,b\n1,2\n2,3.5\n3,1\n").unwrap();
    let err = OrderedData::from_dataset(&data, &["a".into(), "b".into()]).unwrap_err();
    assert!(matches!(err, AnalysisError::Input(_)));
    let text = err.to_string();
    assert!(
        text.contains("items.csv") && text.contains("line 3") && text.contains("3.5"),
        "{text}"
    );

    // Two binary variables with two empty cells: ρ = ±1 is refused.
    let x: Vec<Option<f64>> = [1, 1, 2, 2, 1].iter().map(|&v| Some(v as f64)).collect();
    let d = OrderedData::from_columns("t", vec![("x".into(), x.clone()), ("y".into(), x)]).unwrap();
    let text = polychoric(&d).unwrap_err().to_string();
    assert!(
        text.contains("x × y") && text.contains("two empty cells"),
        "{text}"
    );
}

#[test]
fn the_78_item_questionnaire_matches_lavaan() {
    let f = fixture("questionnaire_78");
    let names: Vec<String> = f["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let data = Dataset::from_path(format!("{DATA}../sem/questionnaire_78.csv")).unwrap();
    let ordered = OrderedData::from_dataset(&data, &names).unwrap();
    let result = polychoric(&ordered).unwrap();
    assert_eq!(ordered.n_cases as f64, f["n"].as_f64().unwrap());
    for (ours, theirs) in result.thresholds.iter().zip(matrix(&f["thresholds"])) {
        assert_eq!(ours.len(), theirs.len());
        for (a, b) in ours.iter().zip(&theirs) {
            assert!((a - b).abs() < 1e-8, "τ ours {a}, lavaan {b}");
        }
    }
    let cor = matrix(&f["correlations"]);
    assert_eq!(cor.iter().flatten().count(), 78 * 78);
    let worst = result
        .correlations
        .iter()
        .flatten()
        .zip(cor.iter().flatten())
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        worst < 1e-6,
        "largest |Δρ| {worst:e} over 3 003 polychorics"
    );
    eprintln!("questionnaire_78: largest |Δρ| {worst:e}");
}
