//! End-to-end tests of `paraclinic sem --group`, `paraclinic invariance`
//! and `paraclinic sem-compare` (issue 15): the contracts' keys and the
//! values of the lavaan fixtures (tests/reference/sem_groups.R), 1e-3
//! relative.

use serde_json::Value;

mod common;

const MODEL: &str = "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\n";

fn data(name: &str) -> String {
    format!("{}/tests/data/sem/{name}", common::ROOT)
}

fn close(ours: &Value, theirs: &Value, what: &str) {
    let (a, b) = (ours.as_f64().unwrap(), theirs.as_f64().unwrap());
    assert!(
        (a - b).abs() <= 1e-3 * b.abs().max(1e-2),
        "{what}: ours {a} lavaan {b}"
    );
}

#[test]
fn sem_with_groups_gives_lavaans_fit_and_estimates_with_their_group() {
    let model = common::tmp_file("groups-sem", "cfa.lav", MODEL);
    let d = data("groups2.csv");
    let out = common::paraclinic(&[
        "sem",
        "--model",
        &model,
        "--data",
        &d,
        "--group",
        "grp",
        "--group-equal",
        "loadings,intercepts",
        "--estimator",
        "MLM",
        "--json",
    ]);
    let json = common::stdout_json(&out);
    let fx = common::read_json("tests/fixtures/sem_groups/groups2_MLM_scalar.json");
    assert_eq!(json["group_labels"], fx["group_labels"]);
    assert_eq!(json["nobs"], fx["nobs"]);
    for key in [
        "chisq",
        "df",
        "cfi",
        "rmsea",
        "srmr",
        "chisq_scaled",
        "cfi_robust",
    ] {
        close(&json["fit"][key], &fx["fit"][key], key);
    }
    for g in 0..2 {
        close(
            &json["fit"]["chisq_group"][g],
            &fx["chisq_group"][g],
            "chisq_group",
        );
    }
    // The latent mean of f1: fixed in group 1, free in group 2 (scalar).
    let rows = json["estimates"].as_array().unwrap();
    let mean = |g: u64| {
        rows.iter()
            .find(|r| r["lhs"] == "f1" && r["op"] == "~1" && r["group"] == g)
            .unwrap()
            .clone()
    };
    assert_eq!(mean(1)["free"], false);
    assert_eq!(mean(2)["free"], true);
    let theirs = fx["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["lhs"] == "f1" && r["op"] == "~1" && r["group"] == 2)
        .unwrap();
    close(&mean(2)["est"], &theirs["est"], "f1 ~1 group 2");
    close(&mean(2)["se"], &theirs["se"], "se of f1 ~1 group 2");
}

#[test]
fn invariance_json_follows_the_contract_and_lavaan() {
    let model = common::tmp_file("groups-invariance", "cfa.lav", MODEL);
    let d = data("groups3.csv");
    let out = common::paraclinic(&[
        "invariance",
        "--model",
        &model,
        "--data",
        &d,
        "--group",
        "grp",
        "--estimator",
        "MLR",
        "--json",
    ]);
    let json = common::stdout_json(&out);
    let names: Vec<&str> = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["configural", "metric", "scalar", "strict"]);
    let fx = common::read_json("tests/fixtures/sem_groups/groups3_MLR_invariance.json");
    for (ours, theirs) in json["tests"]
        .as_array()
        .unwrap()
        .iter()
        .zip(fx["tests"].as_array().unwrap())
    {
        assert_eq!(ours["from"], theirs["from"]);
        assert_eq!(ours["to"], theirs["to"]);
        for key in [
            "chisq_diff",
            "df_diff",
            "pvalue",
            "delta_cfi",
            "delta_rmsea",
        ] {
            close(&ours[key], &theirs[key], key);
        }
    }
    let strict = common::read_json("tests/fixtures/sem_groups/groups3_MLR_strict.json");
    close(
        &json["models"][3]["fit"]["chisq"],
        &strict["fit"]["chisq"],
        "strict chisq",
    );
    // The text names the cut-offs' sources.
    let text = common::paraclinic(&[
        "invariance",
        "--model",
        &model,
        "--data",
        &d,
        "--group",
        "grp",
    ]);
    common::assert_success(&text);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Cheung & Rensvold (2002)") && text.contains("Chen (2007)"),
        "{text}"
    );
}

#[test]
fn sem_compare_json_follows_the_contract_and_lavaan() {
    let full = common::tmp_file("groups-compare", "two_factor.lav", MODEL);
    let orth = common::tmp_file(
        "groups-compare",
        "orthogonal.lav",
        &format!("{MODEL}f1 ~~ 0*f2\n"),
    );
    let d = data("groups2.csv");
    // Given restricted first: ordered by df as lavTestLRT.
    let out = common::paraclinic(&[
        "sem-compare",
        "--data",
        &d,
        "--model",
        &orth,
        "--model",
        &full,
        "--estimator",
        "MLM",
        "--json",
    ]);
    let json = common::stdout_json(&out);
    assert_eq!(json["models"][0]["model"], full.as_str());
    assert_eq!(json["models"][0]["df"], 8.0);
    assert!(json["models"][1]["chisq"].is_number());
    let test = &json["tests"][0];
    assert_eq!(test["from"], full.as_str());
    assert_eq!(test["to"], orth.as_str());
    assert_eq!(test["method"], "satorra.bentler.2001");
    let fx = common::read_json("tests/fixtures/sem_groups/compare_MLM.json");
    for key in ["chisq_diff", "df_diff", "pvalue"] {
        close(&test[key], &fx["tests"][0][key], key);
    }
}

#[test]
fn non_nested_models_and_bad_group_input_are_refused_clearly() {
    let full = common::tmp_file("groups-nested", "two_factor.lav", MODEL);
    let other = common::tmp_file(
        "groups-nested",
        "five.lav",
        "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5\n",
    );
    let d = data("groups2.csv");
    let out = common::paraclinic(&[
        "sem-compare",
        "--data",
        &d,
        "--model",
        &full,
        "--model",
        &other,
    ]);
    common::assert_fails_with(
        &out,
        "sem-compare",
        &["not nested", "different observed variables", "x6"],
    );
    let out = common::paraclinic(&[
        "sem",
        "--model",
        &full,
        "--data",
        &d,
        "--group",
        "grp",
        "--group-equal",
        "loadings,slope",
    ]);
    common::assert_fails_with(
        &out,
        "group-equal",
        &[
            "\"slope\"",
            "loadings, intercepts, residuals",
            "regressions",
        ],
    );
}

const ORDINAL_MODEL: &str = "f1 =~ o1 + o2 + o3 + o4\nf2 =~ o5 + o6 + o7 + o8\n";

/// `sem --group --ordered-all --group-equal thresholds,loadings` against
/// lavaan (tests/reference/sem_groups_ordinal.R): fit, per-group scaled χ²,
/// and a scale factor free in group 2 only.
#[test]
fn sem_with_groups_and_ordered_items_gives_lavaans_wlsmv_fit() {
    let model = common::tmp_file("groups-ordinal", "cfa.lav", ORDINAL_MODEL);
    let d = data("groups3_ordinal.csv");
    let out = common::paraclinic(&[
        "sem",
        "--model",
        &model,
        "--data",
        &d,
        "--group",
        "grp",
        "--group-equal",
        "thresholds,loadings",
        "--ordered-all",
        "--json",
    ]);
    let json = common::stdout_json(&out);
    let fx = common::read_json(
        "tests/fixtures/sem_groups_ordinal/groups3_ordinal_WLSMV_thresholds_loadings.json",
    );
    assert_eq!(json["estimator"], "WLSMV");
    assert_eq!(json["group_labels"], fx["group_labels"]);
    for key in [
        "chisq",
        "df",
        "chisq_scaled",
        "chisq_scaling_factor",
        "cfi_scaled",
        "rmsea_scaled",
        "srmr",
    ] {
        close(&json["fit"][key], &fx["fit"][key], key);
    }
    for g in 0..3 {
        close(
            &json["fit"]["chisq_scaled_group"][g],
            &fx["chisq_scaled_group"][g],
            "chisq_scaled_group",
        );
    }
    let rows = json["estimates"].as_array().unwrap();
    let scale = |g: u64| {
        rows.iter()
            .find(|r| r["lhs"] == "o3" && r["op"] == "~*~" && r["group"] == g)
            .unwrap()
            .clone()
    };
    assert_eq!(scale(1)["free"], false);
    assert_eq!(scale(2)["free"], true);
}

/// `invariance --ordered-all`: configural, metric, scalar (no strict under
/// the delta parameterization); the WLSMV difference is lavTestLRT's.
#[test]
fn invariance_with_ordered_items_fits_three_levels() {
    let model = common::tmp_file("groups-ordinal-invariance", "cfa.lav", ORDINAL_MODEL);
    let d = data("groups2_ordinal.csv");
    let out = common::paraclinic(&[
        "invariance",
        "--model",
        &model,
        "--data",
        &d,
        "--group",
        "grp",
        "--ordered-all",
        "--json",
    ]);
    let json = common::stdout_json(&out);
    let names: Vec<&str> = json["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["configural", "metric", "scalar"]);
    let scalar = common::read_json(
        "tests/fixtures/sem_groups_ordinal/groups2_ordinal_WLSMV_thresholds_loadings_intercepts.json",
    );
    close(
        &json["models"][2]["fit"]["chisq_scaled"],
        &scalar["fit"]["chisq_scaled"],
        "scalar chisq_scaled",
    );
    let test = &json["tests"][1];
    assert_eq!(
        (test["from"].as_str(), test["to"].as_str()),
        (Some("metric"), Some("scalar"))
    );
    let lrt = common::read_json(
        "tests/fixtures/sem_groups_ordinal/groups2_ordinal_WLSMV_invariance.json",
    );
    close(
        &test["chisq_diff"],
        &lrt["tests"][1]["chisq_diff"],
        "chisq_diff",
    );
    assert_eq!(test["method"], "satorra.2000");
    assert!(test["delta_cfi"].as_f64().unwrap() < -0.01, "{test}");
}
