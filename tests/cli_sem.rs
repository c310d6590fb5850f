//! End-to-end tests of `paraclinic sem`.

use serde_json::Value;

mod common;

const HS_MODEL: &str =
    "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n";

fn write_model(name: &str, text: &str) -> String {
    common::tmp_file("sem", name, text)
}

fn data(name: &str) -> String {
    format!("{}/tests/data/sem/{name}", common::ROOT)
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_env(args, &[])
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    common::code_out_err(&common::subcommand_env("sem", args, env))
}

/// Fits `model` to the Holzinger–Swineford raw data, with further flags.
fn run_hs(model: &str, flags: &[&str]) -> (i32, String, String) {
    run_hs_env(model, flags, &[])
}

fn run_hs_env(model: &str, flags: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let d = data("holzinger_swineford.csv");
    let mut args = vec!["--model", model, "--data", &d];
    args.extend_from_slice(flags);
    run_env(&args, env)
}

/// The JSON output of a run that must have succeeded.
fn ok_json((code, out, err): &(i32, String, String)) -> Value {
    assert_eq!(*code, 0, "{err}");
    serde_json::from_str(out).unwrap()
}

/// The stderr of a run that must fail with exit code 2.
fn exit_2_stderr((code, _, err): (i32, String, String)) -> String {
    assert_eq!(code, 2, "{err}");
    err
}

fn fixture(name: &str) -> Value {
    common::read_json(&format!("tests/fixtures/sem/{name}.json"))
}

fn rel_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-3 * b.abs().max(1e-2)
}

/// Asserts that the fit measures `keys` of `ours` agree with lavaan's to 1e-3 relative.
fn assert_fit_like_lavaan(ours: &Value, lavaan: &Value, keys: &[&str]) {
    for key in keys {
        let (a, b) = (
            ours["fit"][key].as_f64().unwrap(),
            lavaan["fit"][key].as_f64().unwrap(),
        );
        assert!(rel_close(a, b), "{key}: {a} vs lavaan {b}");
    }
}

/// The first row of `list` (estimates, modification indices) that `wanted` accepts.
fn find(list: &Value, wanted: impl Fn(&Value) -> bool) -> &Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| wanted(e))
        .expect("a matching row")
}

#[test]
fn json_has_lavaans_names_and_values() {
    let model = write_model("hs.lav", HS_MODEL);
    let fit = run_hs(&model, &["--json"]);
    let j = ok_json(&fit);
    for key in ["converged", "nobs", "npar", "fit", "estimates"] {
        assert!(j.get(key).is_some(), "missing {key}");
    }
    for key in [
        "chisq",
        "df",
        "pvalue",
        "baseline_chisq",
        "baseline_df",
        "cfi",
        "tli",
        "nfi",
        "rmsea",
        "rmsea_ci_lower",
        "rmsea_ci_upper",
        "rmsea_pvalue",
        "srmr",
        "gfi",
        "agfi",
        "aic",
        "bic",
        "logl",
    ] {
        assert!(j["fit"][key].is_number(), "fit.{key}");
    }
    assert_eq!(j["converged"], true);
    assert_eq!(j["nobs"], 301);
    assert_eq!(j["npar"], 21);
    assert_fit_like_lavaan(
        &j,
        &fixture("hs_cfa"),
        &["chisq", "cfi", "tli", "rmsea", "srmr", "gfi", "aic", "bic"],
    );
    let est = &j["estimates"];
    assert_eq!(est.as_array().unwrap().len(), 24);
    for e in est.as_array().unwrap() {
        for key in [
            "lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_lv", "std_all",
        ] {
            assert!(e.get(key).is_some(), "estimate key {key}");
        }
    }
    // A fixed loading: se 0, z and p null.
    let x1 = find(est, |e| e["lhs"] == "visual" && e["rhs"] == "x1");
    assert_eq!(x1["est"], 1.0);
    assert_eq!(x1["se"], 0.0);
    assert!(x1["z"].is_null() && x1["pvalue"].is_null());
    let x2 = find(est, |e| e["lhs"] == "visual" && e["rhs"] == "x2");
    assert!(rel_close(x2["est"].as_f64().unwrap(), 0.5535));
    assert!(!fit.1.contains("NaN"));
}

#[test]
fn wishart_likelihood_as_amos() {
    let model = write_model("hs_w.lav", HS_MODEL);
    let j = ok_json(&run_hs(&model, &["--likelihood", "wishart", "--json"]));
    assert_fit_like_lavaan(&j, &fixture("hs_cfa_wishart"), &["chisq", "rmsea", "logl"]);
}

#[test]
fn covariance_input_gives_the_raw_data_fit() {
    let model = write_model("hs_cov.lav", HS_MODEL);
    let (_, raw, _) = run_hs(&model, &["--json"]);
    let cov = data("holzinger_swineford_cov.csv");
    let b = ok_json(&run(&[
        "--model", &model, "--cov", &cov, "--nobs", "301", "--json",
    ]));
    let a: Value = serde_json::from_str(&raw).unwrap();
    for key in ["chisq", "cfi", "rmsea", "srmr", "logl"] {
        let (x, y) = (
            a["fit"][key].as_f64().unwrap(),
            b["fit"][key].as_f64().unwrap(),
        );
        assert!(
            (x - y).abs() <= 1e-6 * x.abs().max(1.0),
            "{key}: {x} vs {y}"
        );
    }
}

#[test]
fn text_output_is_laid_out_like_lavaan_and_amos_names_are_available() {
    let model = write_model("hs_text.lav", HS_MODEL);
    let (code, out, _) = run_hs(&model, &[]);
    assert_eq!(code, 0);
    for s in [
        "Model Test User Model",
        "Latent Variables",
        "Std.Err",
        "z-value",
        "P(>|z|)",
        "RMSEA",
        "R-Square",
    ] {
        assert!(out.contains(s), "missing {s}");
    }
    let (_, amos, _) = run_hs(&model, &["--amos"]);
    assert!(amos.contains("S.E.") && amos.contains("C.R."));
    let (_, html, _) = run_hs(&model, &["--html"]);
    assert!(
        html.starts_with("<div class=\"paraclinic-result\">") && html.contains("<th>Std.all</th>")
    );
}

/// Models that must be rejected with exit code 2: (file name, model, what
/// stderr must contain).
fn assert_models_rejected(cases: &[(&str, &str, &[&str])]) {
    for (name, text, words) in cases {
        let model = write_model(name, text);
        let err = exit_2_stderr(run_hs(&model, &[]));
        for w in *words {
            assert!(err.contains(w), "{name}: {err}");
        }
    }
}

#[test]
fn parse_error_names_line_column_and_token() {
    assert_models_rejected(&[(
        "bad.lav",
        "visual =~ x1 + x2 + x3\ntextual =~ x4 x5\n",
        &[
            "bad.lav, line 2, column 15: found \"x5\"",
            "expected + or the end of the statement",
        ],
    )]);
}

#[test]
fn unknown_variable_is_named() {
    assert_models_rejected(&[(
        "unknown.lav",
        "f =~ x1 + x2 + x99\n",
        // The columns listed are the data's, not only the model's.
        &[
            "line 1, column 16: found \"x99\"",
            "(x1, x2, x3, x4, x5, x6, x7, x8, x9)",
        ],
    )]);
}

#[test]
fn unidentified_models_are_errors() {
    assert_models_rejected(&[
        (
            "noscale.lav",
            "f =~ NA*x1 + x2 + x3\n",
            &["\"f\" is not identified"],
        ),
        (
            "toomany.lav",
            "f =~ x1 + x2\n",
            &["4 free parameters but only 3 sample moments"],
        ),
        // Two factors of two indicators each with their covariance fixed at 0:
        // the counting rule holds but the information matrix is singular.
        (
            "empirical.lav",
            "f =~ x1 + x2\ng =~ x3 + x4\nf ~~ 0*g\n",
            &["not identified"],
        ),
    ]);
}

#[test]
fn non_positive_definite_sample_covariance_is_an_error() {
    let csv = "a,b,c\n1,2,3\n2,4,5\n3,6,8\n4,8,8\n5,10,13\n";
    let path = write_model("collinear.csv", csv);
    let model = write_model("collinear.lav", "f =~ a + b + c\n");
    let err = exit_2_stderr(run(&["--model", &model, "--data", &path]));
    assert!(
        err.contains("not positive definite") && err.contains("a, b"),
        "{err}"
    );
}

#[test]
fn heywood_case_is_a_warning_in_every_format() {
    let model = write_model("heywood.lav", "f =~ x1 + x2 + x3\n");
    let cov = data("heywood_cov.csv");
    let args = ["--model", &model, "--cov", &cov, "--nobs", "200"];
    let (code, out, err) = run(&[&args[..], &["--json"]].concat());
    let j = ok_json(&(code, out, err.clone()));
    let w = j["warnings"].as_array().unwrap();
    assert!(
        w.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("Heywood case: the variance estimate of x1 is negative")),
        "{w:?}"
    );
    let x1 = find(&j["estimates"], |e| e["lhs"] == "x1" && e["op"] == "~~");
    assert!(x1["est"].as_f64().unwrap() < 0.0);
    let (_, text, _) = run(&args);
    assert!(text.contains("WARNING: Heywood case"));
    let (_, html, _) = run(&[&args[..], &["--html"]].concat());
    assert!(html.contains("WARNING: Heywood case"));
    assert!(err.contains("warning: Heywood case"));
}

#[test]
fn bootstrap_is_seeded_and_independent_of_threads() {
    let model = write_model("boot.lav", HS_MODEL);
    let boot = |seed, threads| {
        run_hs_env(
            &model,
            &["--bootstrap", "30", "--seed", seed, "--json"],
            &[("RAYON_NUM_THREADS", threads)],
        )
    };
    let (code, one, err) = boot("7", "1");
    assert_eq!(code, 0, "{err}");
    let (_, two, _) = boot("7", "2");
    assert_eq!(one, two);
    let j: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(j["bootstrap"]["replicates"], 30);
    let x2 = find(&j["estimates"], |e| {
        e["lhs"] == "visual" && e["rhs"] == "x2"
    });
    let (se, boot_se) = (x2["se"].as_f64().unwrap(), x2["boot_se"].as_f64().unwrap());
    // Bootstrap and information SEs agree roughly for these well-behaved data.
    assert!(
        boot_se > 0.5 * se && boot_se < 2.0 * se,
        "{boot_se} vs {se}"
    );
    assert!(x2["boot_ci_lower"].as_f64().unwrap() < x2["est"].as_f64().unwrap());
    let (_, other_seed, _) = run_hs(&model, &["--bootstrap", "30", "--seed", "8", "--json"]);
    assert_ne!(one, other_seed);
    // The bootstrap needs raw data.
    let cov = data("holzinger_swineford_cov.csv");
    let err = exit_2_stderr(run(&[
        "--model",
        &model,
        "--cov",
        &cov,
        "--nobs",
        "301",
        "--bootstrap",
        "10",
    ]));
    assert!(err.contains("needs raw data"), "{err}");
}

#[test]
fn modification_indices_on_request() {
    let model = write_model("mi.lav", HS_MODEL);
    let (code, out, _) = run_hs(&model, &["--json", "--modindices"]);
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap();
    let visual_x9 = |m: &Value| m["lhs"] == "visual" && m["rhs"] == "x9";
    let top = find(&j["modindices"], visual_x9);
    let theirs = find(&fixture("hs_cfa")["modindices"], visual_x9).clone();
    assert!(rel_close(
        top["mi"].as_f64().unwrap(),
        theirs["mi"].as_f64().unwrap()
    ));
    assert!(j["reliability"].as_array().unwrap().len() == 3);
}

/// `--ordered-all` with the default estimator (WLSMV): lavaan's JSON keys
/// and values (tests/fixtures/sem_ordinal/wlsmv_cfa5.json), thresholds as
/// rows with op "|", and the robust columns in the text.
#[test]
fn ordered_indicators_fit_by_wlsmv_with_lavaans_keys() {
    let lavaan = common::read_json("tests/fixtures/sem_ordinal/wlsmv_cfa5.json");
    let model = write_model("ordinal_cfa5.lav", lavaan["model"].as_str().unwrap());
    let d = data("ordinal.csv");
    let fit = ok_json(&run(&[
        "--model",
        &model,
        "--data",
        &d,
        "--ordered-all",
        "--json",
    ]));
    assert_eq!(fit["estimator"], "WLSMV");
    assert_fit_like_lavaan(
        &fit,
        &lavaan,
        &[
            "chisq",
            "df",
            "chisq_scaled",
            "df_scaled",
            "pvalue_scaled",
            "chisq_scaling_factor",
            "cfi_scaled",
            "tli_scaled",
            "rmsea_scaled",
            "cfi_robust",
            "tli_robust",
            "rmsea_robust",
            "srmr",
        ],
    );
    // No likelihood for least squares: lavaan has no logl, aic or bic.
    for key in ["logl", "aic", "bic", "unrestricted_logl"] {
        assert!(fit["fit"].get(key).is_none(), "{key}");
    }
    let t2 = find(&fit["estimates"], |e| {
        e["lhs"] == "o3" && e["op"] == "|" && e["rhs"] == "t2"
    });
    let want = find(&lavaan["estimates"], |e| {
        e["lhs"] == "o3" && e["op"] == "|" && e["rhs"] == "t2"
    });
    for key in ["est", "se", "std_all"] {
        assert!(
            rel_close(t2[key].as_f64().unwrap(), want[key].as_f64().unwrap()),
            "{key}: {} vs {}",
            t2[key],
            want[key]
        );
    }
    let scale = find(&fit["estimates"], |e| e["op"] == "~*~" && e["lhs"] == "o1");
    assert_eq!(
        (scale["est"].as_f64(), scale["free"].as_bool()),
        (Some(1.0), Some(false))
    );
    // The same fit with the items listed, as text.
    let (code, text, err) = run(&[
        "--model",
        &model,
        "--data",
        &d,
        "--ordered",
        "o1,o2,o3,o4,o5,o6,o7,o8",
    ]);
    assert_eq!(code, 0, "{err}");
    for want in [
        "Structural equation model (least squares)",
        "Shift parameter",
        "Robust Comparative Fit Index (CFI)",
        "Parameter Estimates: Thresholds",
        "Parameter Estimates: Scales y*",
        "o1 |    t1",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
    assert!(!text.contains("Loglikelihood"), "{text}");
}

/// `--ordered` naming some variables: the rest stay continuous (lavaan's
/// `ordered = c(…)`; tests/fixtures/sem_mixed/wlsmv_cfa.json): lavaan's
/// values, intercepts of the continuous indicators as "~1" rows, no robust
/// CFI/TLI/RMSEA (lavaan 0.6.14 gives NA for mixed data).
#[test]
fn some_ordered_indicators_among_continuous_ones_fit_as_lavaan() {
    let lavaan = common::read_json("tests/fixtures/sem_mixed/wlsmv_cfa.json");
    let model = write_model("mixed_cfa.lav", lavaan["model"].as_str().unwrap());
    let d = data("mixed.csv");
    let fit = ok_json(&run(&[
        "--model",
        &model,
        "--data",
        &d,
        "--ordered",
        "o1,o2,o3,o4,o5",
        "--json",
    ]));
    assert_fit_like_lavaan(
        &fit,
        &lavaan,
        &[
            "chisq",
            "df",
            "chisq_scaled",
            "pvalue_scaled",
            "chisq_scaling_factor",
            "cfi_scaled",
            "tli_scaled",
            "rmsea_scaled",
            "srmr",
        ],
    );
    assert!(fit["fit"].get("cfi_robust").is_none_or(Value::is_null));
    let intercept = find(&fit["estimates"], |e| e["lhs"] == "c4" && e["op"] == "~1");
    let want = find(&lavaan["estimates"], |e| {
        e["lhs"] == "c4" && e["op"] == "~1"
    });
    for key in ["est", "se", "std_all"] {
        assert!(
            rel_close(
                intercept[key].as_f64().unwrap(),
                want[key].as_f64().unwrap()
            ),
            "{key}: {} vs {}",
            intercept[key],
            want[key]
        );
    }
    assert!(fit["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| !(e["op"] == "|" && e["lhs"].as_str().unwrap().starts_with('c'))));
}

/// Bad ordered input: the file, column, value and what was expected.
#[test]
fn ordered_input_errors_name_file_column_and_value() {
    let model = write_model("ordinal_one.lav", "f =~ a + b + c\n");
    let csv = common::tmp_file(
        "sem",
        "ordinal_bad.csv",
        "a,b,c\n1,2,3\n2,2.5,3\n3,1,3\n2,3,3\n1,1,3\n",
    );
    let err = exit_2_stderr(run(&["--model", &model, "--data", &csv, "--ordered-all"]));
    assert!(
        err.contains(
            "ordinal_bad.csv, line 3, column \"b\": found \"2.5\", expected a whole number"
        ),
        "{err}"
    );
    let csv = common::tmp_file(
        "sem",
        "ordinal_constant.csv",
        "a,b,c\n1,2,3\n2,2,3\n3,1,3\n2,3,3\n1,1,3\n",
    );
    let err = exit_2_stderr(run(&["--model", &model, "--data", &csv, "--ordered-all"]));
    assert!(
        err.contains("column \"c\": an ordered variable needs at least 2 observed categories"),
        "{err}"
    );
    let model = write_model("ordinal_three.lav", "f =~ o1 + o2 + o3\n");
    let err = exit_2_stderr(run(&[
        "--model",
        &model,
        "--data",
        &data("ordinal.csv"),
        "--ordered-all",
        "--estimator",
        "GLS",
    ]));
    assert!(err.contains("GLS is for continuous data"), "{err}");
}
