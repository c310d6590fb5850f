//! End-to-end tests of `paraclinic sem`.

use serde_json::Value;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const HS_MODEL: &str =
    "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n";

fn write_model(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("paraclinic-cli-sem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn data(name: &str) -> String {
    format!("{ROOT}/tests/data/sem/{name}")
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_env(args, &[])
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paraclinic"));
    cmd.arg("sem").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/tests/fixtures/sem/{name}.json")).unwrap(),
    )
    .unwrap()
}

fn rel_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-3 * b.abs().max(1e-2)
}

#[test]
fn json_has_lavaans_names_and_values() {
    let model = write_model("hs.lav", HS_MODEL);
    let (code, out, err) = run(&[
        "--model",
        &model,
        "--data",
        &data("holzinger_swineford.csv"),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
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
    let fx = fixture("hs_cfa");
    for key in ["chisq", "cfi", "tli", "rmsea", "srmr", "gfi", "aic", "bic"] {
        let (a, b) = (
            j["fit"][key].as_f64().unwrap(),
            fx["fit"][key].as_f64().unwrap(),
        );
        assert!(rel_close(a, b), "{key}: {a} vs lavaan {b}");
    }
    let est = j["estimates"].as_array().unwrap();
    assert_eq!(est.len(), 24);
    for e in est {
        for key in [
            "lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_lv", "std_all",
        ] {
            assert!(e.get(key).is_some(), "estimate key {key}");
        }
    }
    // A fixed loading: se 0, z and p null.
    let x1 = est
        .iter()
        .find(|e| e["lhs"] == "visual" && e["rhs"] == "x1")
        .unwrap();
    assert_eq!(x1["est"], 1.0);
    assert_eq!(x1["se"], 0.0);
    assert!(x1["z"].is_null() && x1["pvalue"].is_null());
    let x2 = est
        .iter()
        .find(|e| e["lhs"] == "visual" && e["rhs"] == "x2")
        .unwrap();
    assert!(rel_close(x2["est"].as_f64().unwrap(), 0.5535));
    assert!(!out.contains("NaN"));
}

#[test]
fn wishart_likelihood_as_amos() {
    let model = write_model("hs_w.lav", HS_MODEL);
    let (code, out, err) = run(&[
        "--model",
        &model,
        "--data",
        &data("holzinger_swineford.csv"),
        "--likelihood",
        "wishart",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    let fx = fixture("hs_cfa_wishart");
    for key in ["chisq", "rmsea", "logl"] {
        let (a, b) = (
            j["fit"][key].as_f64().unwrap(),
            fx["fit"][key].as_f64().unwrap(),
        );
        assert!(rel_close(a, b), "{key}: {a} vs lavaan {b}");
    }
}

#[test]
fn covariance_input_gives_the_raw_data_fit() {
    let model = write_model("hs_cov.lav", HS_MODEL);
    let (_, raw, _) = run(&[
        "--model",
        &model,
        "--data",
        &data("holzinger_swineford.csv"),
        "--json",
    ]);
    let (code, cov, err) = run(&[
        "--model",
        &model,
        "--cov",
        &data("holzinger_swineford_cov.csv"),
        "--nobs",
        "301",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let (a, b): (Value, Value) = (
        serde_json::from_str(&raw).unwrap(),
        serde_json::from_str(&cov).unwrap(),
    );
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
    let (code, out, _) = run(&[
        "--model",
        &model,
        "--data",
        &data("holzinger_swineford.csv"),
    ]);
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
    let (_, amos, _) = run(&[
        "--model",
        &model,
        "--data",
        &data("holzinger_swineford.csv"),
        "--amos",
    ]);
    assert!(amos.contains("S.E.") && amos.contains("C.R."));
    let (_, html, _) = run(&[
        "--model",
        &model,
        "--data",
        &data("holzinger_swineford.csv"),
        "--html",
    ]);
    assert!(
        html.starts_with("<div class=\"paraclinic-result\">") && html.contains("<th>Std.all</th>")
    );
}

#[test]
fn parse_error_names_line_column_and_token() {
    let model = write_model("bad.lav", "visual =~ x1 + x2 + x3\ntextual =~ x4 x5\n");
    let (code, _, err) = run(&[
        "--model",
        &model,
        "--data",
        &data("holzinger_swineford.csv"),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.lav, line 2, column \"15\": found \"x5\""),
        "{err}"
    );
    assert!(
        err.contains("expected + or the end of the statement"),
        "{err}"
    );
}

#[test]
fn unknown_variable_is_named() {
    let model = write_model("unknown.lav", "f =~ x1 + x2 + x99\n");
    let (code, _, err) = run(&[
        "--model",
        &model,
        "--data",
        &data("holzinger_swineford.csv"),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 1, column \"16\": found \"x99\""),
        "{err}"
    );
}

#[test]
fn unidentified_models_are_errors() {
    let d = data("holzinger_swineford.csv");
    let no_scale = write_model("noscale.lav", "f =~ NA*x1 + x2 + x3\n");
    let (code, _, err) = run(&["--model", &no_scale, "--data", &d]);
    assert_eq!(code, 2);
    assert!(err.contains("\"f\" is not identified"), "{err}");
    let too_many = write_model("toomany.lav", "f =~ x1 + x2\n");
    let (code, _, err) = run(&["--model", &too_many, "--data", &d]);
    assert_eq!(code, 2);
    assert!(
        err.contains("4 free parameters but only 3 sample moments"),
        "{err}"
    );
    // Two factors of two indicators each with their covariance fixed at 0:
    // the counting rule holds but the information matrix is singular.
    let empirical = write_model("empirical.lav", "f =~ x1 + x2\ng =~ x3 + x4\nf ~~ 0*g\n");
    let (code, _, err) = run(&["--model", &empirical, "--data", &d]);
    assert_eq!(code, 2);
    assert!(err.contains("not identified"), "{err}");
}

#[test]
fn non_positive_definite_sample_covariance_is_an_error() {
    let csv = "a,b,c\n1,2,3\n2,4,5\n3,6,8\n4,8,8\n5,10,13\n";
    let path = write_model("collinear.csv", csv);
    let model = write_model("collinear.lav", "f =~ a + b + c\n");
    let (code, _, err) = run(&["--model", &model, "--data", &path]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not positive definite") && err.contains("a, b"),
        "{err}"
    );
}

#[test]
fn heywood_case_is_a_warning_in_every_format() {
    let model = write_model("heywood.lav", "f =~ x1 + x2 + x3\n");
    let cov = data("heywood_cov.csv");
    let (code, out, err) = run(&["--model", &model, "--cov", &cov, "--nobs", "200", "--json"]);
    assert_eq!(code, 0, "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    let w = j["warnings"].as_array().unwrap();
    assert!(
        w.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("Heywood case: the variance estimate of x1 is negative")),
        "{w:?}"
    );
    let x1 = j["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["lhs"] == "x1" && e["op"] == "~~")
        .unwrap()
        .clone();
    assert!(x1["est"].as_f64().unwrap() < 0.0);
    let (_, text, _) = run(&["--model", &model, "--cov", &cov, "--nobs", "200"]);
    assert!(text.contains("WARNING: Heywood case"));
    let (_, html, _) = run(&["--model", &model, "--cov", &cov, "--nobs", "200", "--html"]);
    assert!(html.contains("WARNING: Heywood case"));
    assert!(err.contains("warning: Heywood case"));
}

#[test]
fn bootstrap_is_seeded_and_independent_of_threads() {
    let model = write_model("boot.lav", HS_MODEL);
    let d = data("holzinger_swineford.csv");
    let args = [
        "--model",
        &model,
        "--data",
        &d,
        "--bootstrap",
        "30",
        "--seed",
        "7",
        "--json",
    ];
    let (code, one, err) = run_env(&args, &[("RAYON_NUM_THREADS", "1")]);
    assert_eq!(code, 0, "{err}");
    let (_, two, _) = run_env(&args, &[("RAYON_NUM_THREADS", "2")]);
    assert_eq!(one, two);
    let j: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(j["bootstrap"]["replicates"], 30);
    let x2 = j["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["lhs"] == "visual" && e["rhs"] == "x2")
        .unwrap()
        .clone();
    let (se, boot) = (x2["se"].as_f64().unwrap(), x2["boot_se"].as_f64().unwrap());
    // Bootstrap and information SEs agree roughly for these well-behaved data.
    assert!(boot > 0.5 * se && boot < 2.0 * se, "{boot} vs {se}");
    assert!(x2["boot_ci_lower"].as_f64().unwrap() < x2["est"].as_f64().unwrap());
    let (_, other_seed, _) = run(&[
        "--model",
        &model,
        "--data",
        &d,
        "--bootstrap",
        "30",
        "--seed",
        "8",
        "--json",
    ]);
    assert_ne!(one, other_seed);
    // The bootstrap needs raw data.
    let (code, _, err) = run(&[
        "--model",
        &model,
        "--cov",
        &data("holzinger_swineford_cov.csv"),
        "--nobs",
        "301",
        "--bootstrap",
        "10",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("needs raw data"), "{err}");
}

#[test]
fn modification_indices_on_request() {
    let model = write_model("mi.lav", HS_MODEL);
    let (code, out, _) = run(&[
        "--model",
        &model,
        "--data",
        &data("holzinger_swineford.csv"),
        "--json",
        "--modindices",
    ]);
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap();
    let mi = j["modindices"].as_array().unwrap();
    let top = mi
        .iter()
        .find(|m| m["lhs"] == "visual" && m["rhs"] == "x9")
        .unwrap();
    let fx = fixture("hs_cfa");
    let theirs = fx["modindices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["lhs"] == "visual" && m["rhs"] == "x9")
        .unwrap()
        .clone();
    assert!(rel_close(
        top["mi"].as_f64().unwrap(),
        theirs["mi"].as_f64().unwrap()
    ));
    assert!(j["reliability"].as_array().unwrap().len() == 3);
}
