//! End-to-end tests of `paraclinic friedman`.

mod common;

use common::paraclinic;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/friedman");

fn temp_csv(name: &str, text: &str) -> String {
    common::tmp_file("friedman", name, text)
}

#[test]
fn json_has_the_contract_keys_and_reference_values() {
    let out = paraclinic(&[
        "friedman",
        &format!("{DATA}/docstring_example.csv"),
        "--json",
    ]);
    let v = common::stdout_json(&out);
    for key in [
        "n",
        "k",
        "statistic",
        "df",
        "pvalue",
        "kendall_w",
        "mean_ranks",
        "ranks",
        "iman_davenport",
        "nemenyi",
        "conover",
        "critical_difference",
        "dropped",
    ] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(v["n"], 6);
    assert_eq!(v["k"], 3);
    assert_eq!(v["df"], 2);
    assert_eq!(v["dropped"], 0);
    // SciPy friedmanchisquare: 6.869565217391299, p = 0.03223241651740552.
    assert!((v["statistic"].as_f64().unwrap() - 6.869565217391299).abs() < 1e-9);
    assert!((v["pvalue"].as_f64().unwrap() - 0.03223241651740552).abs() < 1e-8);
    assert!((v["kendall_w"].as_f64().unwrap() - 0.572463768115942).abs() < 1e-9);
    // mean_ranks is an object in column order.
    let mean_ranks = v["mean_ranks"].as_object().unwrap();
    let keys: Vec<&str> = mean_ranks.keys().map(String::as_str).collect();
    assert_eq!(keys, ["a", "b", "c"]);
    assert!((mean_ranks["a"].as_f64().unwrap() - 2.25).abs() < 1e-12);
    assert!((mean_ranks["b"].as_f64().unwrap() - 7.0 / 6.0).abs() < 1e-12);
    // Rank 1 = highest mean rank (c: 31/12).
    assert_eq!(v["ranks"]["c"], 1.0);
    assert_eq!(v["ranks"]["b"], 3.0);
}

#[test]
fn missing_values_are_dropped_and_counted() {
    let out = paraclinic(&["friedman", &format!("{DATA}/missing.csv"), "--json"]);
    let v = common::stdout_json(&out);
    assert_eq!(v["dropped"], 4);
    assert_eq!(v["n"], 16);
}

#[test]
fn columns_and_text_output() {
    let out = paraclinic(&[
        "friedman",
        &format!("{DATA}/study_k10.csv"),
        "--columns",
        "Demographic,Economic,Physical",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("conditions k") && text.contains("Nemenyi"),
        "{text}"
    );
    assert!(text.contains("Critical difference"), "{text}");
}

#[test]
fn text_in_a_cell_names_line_column_and_value() {
    let path = temp_csv("friedman_bad.csv", "a,b,c\n1,2,3\n2,x7,1\n");
    let out = paraclinic(&["friedman", &path]);
    let err = common::stderr_of_exit_2(&out);
    assert!(
        err.contains("line 3") && err.contains("\"b\"") && err.contains("x7"),
        "{err}"
    );
}

#[test]
fn all_tied_rows_are_a_clear_error() {
    let path = temp_csv("friedman_tied.csv", "a,b,c\n1,1,1\n4,4,4\n");
    let out = paraclinic(&["friedman", &path, "--json"]);
    let err = common::stderr_of_exit_2(&out);
    assert!(
        err.contains("friedman_tied.csv") && err.contains("undefined"),
        "{err}"
    );
}

#[test]
fn bad_alpha_and_unknown_column() {
    let file = format!("{DATA}/small_n3.csv");
    let out = paraclinic(&["friedman", &file, "--alpha", "1.5"]);
    common::assert_fails_with(&out, "--alpha 1.5", &["alpha"]);
    let out = paraclinic(&["friedman", &file, "--columns", "p1,zz"]);
    common::assert_fails_with(&out, "--columns p1,zz", &["\"zz\""]);
}
