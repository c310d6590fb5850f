//! End-to-end tests of `paraclinic reproduce`: two runs write identical
//! bytes; results.json has every step with provenance on its numbers;
//! report.html has every section and the provenance labels; a user's CSV runs
//! through the same pipeline (values checked against pandas/SciPy/statsmodels,
//! tests/reference/reproduction.py: statistics 1e-9 relative, p-values 1e-4
//! relative); a CSV with missing columns gives exit code 2 naming them.

use serde_json::Value;
use std::path::Path;
use std::process::Output;

mod common;

use common::{assert_success, TempDir};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reproduction/");

const STEP_IDS: [&str; 9] = [
    "sample_size",
    "demographics",
    "codebook",
    "normality",
    "correlation",
    "sem",
    "friedman",
    "delphi",
    "audit",
];

fn reproduce(out: &Path, extra: &[&str]) -> Output {
    let out = out.to_str().unwrap();
    let mut args = vec!["--out", out];
    args.extend_from_slice(extra);
    common::subcommand("reproduce", &args)
}

/// Every file under `dir`, as (relative path, bytes), sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn results(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap()
}

fn step<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("step {id} in results.json"))
}

fn comparison<'a>(step: &'a Value, quantity: &str) -> &'a Value {
    step["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["quantity"] == quantity)
        .unwrap_or_else(|| panic!("comparison {quantity}"))
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1e-300)
}

#[test]
fn two_runs_write_identical_bytes() {
    let tmp = TempDir::new("reproduce-twice");
    let (a, b) = (tmp.0.join("a"), tmp.0.join("b"));
    let first = reproduce(&a, &[]);
    assert_success(&first);
    assert_success(&reproduce(&b, &[]));
    let (fa, fb) = (files(&a), files(&b));
    let names: Vec<&str> = fa.iter().map(|f| f.0.as_str()).collect();
    assert!(names.contains(&"report.html") && names.contains(&"results.json"));
    assert_eq!(fa, fb, "two runs wrote different files");
    // Running again into the same directory leaves the same bytes.
    assert_success(&reproduce(&a, &[]));
    assert_eq!(files(&a), fb);
    // Progress on stderr, step by step; a summary on stdout.
    let stderr = String::from_utf8_lossy(&first.stderr);
    for n in 1..=9 {
        assert!(stderr.contains(&format!("[{n}/9] ")), "{stderr}");
    }
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        stdout.contains("Sample size (Cochran; RMSEA power for the SEM)")
            && stdout.contains("Wrote ")
    );
    // No absolute path of the output reaches the files.
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(!html.contains(&tmp.0.display().to_string()));
}

#[test]
fn results_json_has_every_step_with_provenance() {
    let tmp = TempDir::new("reproduce-json");
    assert_success(&reproduce(&tmp.0, &[]));
    let json = results(&tmp.0);
    assert_eq!(json["format"], "paraclinic-reproduction/1");
    let ids: Vec<&str> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, STEP_IDS);
    for (i, s) in json["steps"].as_array().unwrap().iter().enumerate() {
        assert_eq!(s["number"], i + 1);
        assert!(["done", "pending", "failed"].contains(&s["status"].as_str().unwrap()));
        assert!(s["provenance"].is_string());
        for c in s["comparisons"].as_array().unwrap() {
            for side in ["published", "ours"] {
                if !c[side].is_null() {
                    assert!(c[side]["value"].is_number(), "{c}");
                    assert!(c[side]["provenance"].is_string(), "{c}");
                }
            }
        }
    }
    // The published-figure steps are computed whatever the data.
    let cochran = comparison(step(&json, "sample_size"), "Cochran n0 = z²pq/e²");
    assert_eq!(cochran["published"]["text"], "384.16");
    assert_eq!(cochran["published"]["provenance"], "published");
    assert!(close(
        cochran["ours"]["value"].as_f64().unwrap(),
        384.16,
        1e-12
    ));
    assert_eq!(cochran["ours"]["provenance"], "recomputed");
    assert_eq!(cochran["verdict"], "agrees");
    let minimum = comparison(
        step(&json, "sample_size"),
        "minimum sample size (n0 rounded up)",
    );
    assert_eq!(minimum["ours"]["value"], 385.0);
    assert_eq!(minimum["verdict"], "differs");
    let masters = comparison(
        step(&json, "demographics"),
        "Education level: Master's degree and above (%)",
    );
    assert_eq!(masters["published"]["text"], "37.2");
    assert!(close(
        masters["ours"]["value"].as_f64().unwrap(),
        100.0 * 143.0 / 385.0,
        1e-12
    ));
    assert_eq!(masters["verdict"], "differs");
    let codebook = step(&json, "codebook");
    assert_eq!(codebook["status"], "done");
    assert_eq!(codebook["result"]["counts"]["dimensions"], 10);
    assert_eq!(codebook["result"]["counts"]["themes"], 26);
    assert_eq!(codebook["result"]["counts"]["subthemes"], 78);
    assert_eq!(codebook["result"]["counts"]["repetitions"], 462);
    // Steps whose module is not in this build say what they wait for.
    for s in json["steps"].as_array().unwrap() {
        if s["status"] == "pending" {
            assert!(s["result"]["waits_for"]
                .as_str()
                .unwrap()
                .starts_with("analysis::"));
        }
    }
}

#[test]
fn default_data_are_synthetic_and_labelled_so_everywhere() {
    let tmp = TempDir::new("reproduce-synthetic");
    let out = reproduce(&tmp.0, &[]);
    assert_success(&out);
    let json = results(&tmp.0);
    assert_eq!(json["data"]["kind"], "synthetic");
    assert_eq!(json["data"]["provenance"], "synthetic_estimate");
    assert_eq!(json["data"]["seed"], 20210101);
    assert_eq!(json["data"]["respondents"], 385);
    assert!(json["data"]["label"]
        .as_str()
        .unwrap()
        .starts_with("SYNTHETIC"));
    assert_eq!(json["synthetic"]["config"]["seed"], 20210101);
    for id in ["normality", "correlation"] {
        let s = step(&json, id);
        assert_eq!(s["status"], "done");
        assert_eq!(s["provenance"], "synthetic_estimate");
        for c in s["comparisons"].as_array().unwrap() {
            if !c["published"].is_null() && !c["ours"].is_null() {
                // Synthetic data never confirm or refute a published figure.
                assert_eq!(c["verdict"], "illustrative", "{c}");
                assert_eq!(c["ours"]["provenance"], "synthetic_estimate");
            }
        }
    }
    // Table 1 counts of the synthetic respondents are Table 1's.
    let female = comparison(
        step(&json, "demographics"),
        "Gender: Female (n in the data)",
    );
    assert_eq!(female["ours"]["value"], 188.0);
    // Figures: listed in results.json, written under figures/, inlined in the
    // report; figures of synthetic data say so in the image.
    let mut listed = Vec::new();
    for s in json["steps"].as_array().unwrap() {
        for f in s["figures"].as_array().unwrap() {
            let file = f["file"].as_str().unwrap().to_owned();
            let svg = std::fs::read_to_string(tmp.0.join("figures").join(&file)).unwrap();
            assert!(svg.contains("<svg"), "{file}");
            if f["provenance"] == "synthetic_estimate" {
                assert!(svg.contains("SYNTHETIC data (seed 20210101)"), "{file}");
            }
            listed.push(file);
        }
    }
    for file in [
        "01_sample_size_curve.svg",
        "02_demographics_table1.svg",
        "03_codebook_repetitions.svg",
        "04_normality_marketing.svg",
        "05_correlation_heatmap.svg",
    ] {
        assert!(listed.iter().any(|f| f == file), "{file} in {listed:?}");
    }
    let on_disk = std::fs::read_dir(tmp.0.join("figures")).unwrap().count();
    assert_eq!(on_disk, listed.len());
    let html = std::fs::read_to_string(tmp.0.join("report.html")).unwrap();
    assert!(html.contains("<section id=\"synthetic\">"));
    assert!(html.contains("prov-synthetic_estimate\">estimated from synthetic data</span>"));
    assert!(html.contains("cannot confirm or refute"));
    assert_eq!(html.matches("<figure><svg").count(), listed.len());
    // The summary says where the numbers come from.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("(estimated from synthetic data)"),
        "{stdout}"
    );
}

#[test]
fn seed_changes_the_synthetic_data_and_stale_figures_are_removed() {
    let tmp = TempDir::new("reproduce-seed");
    let (a, b) = (tmp.0.join("a"), tmp.0.join("b"));
    assert_success(&reproduce(&a, &[]));
    assert_success(&reproduce(&b, &["--seed", "7"]));
    let (ja, jb) = (results(&a), results(&b));
    assert_eq!(jb["data"]["seed"], 7);
    assert_eq!(jb["data"]["source"], "synthetic_contracting_seed7_n385.csv");
    let r = |j: &Value| {
        step(j, "correlation")["result"]["max_abs_r"]
            .as_f64()
            .unwrap()
    };
    assert_ne!(r(&ja), r(&jb));
    // The published-figure steps do not depend on the seed.
    assert_eq!(step(&ja, "sample_size"), step(&jb, "sample_size"));
    // A file left in figures/ by something else is removed on the next run.
    std::fs::write(a.join("figures").join("old.svg"), "<svg></svg>").unwrap();
    assert_success(&reproduce(&a, &[]));
    assert!(!a.join("figures").join("old.svg").exists());
}

#[test]
fn report_has_every_section_and_provenance_labels() {
    let tmp = TempDir::new("reproduce-html");
    assert_success(&reproduce(&tmp.0, &[]));
    let html = std::fs::read_to_string(tmp.0.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for id in STEP_IDS {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
    }
    assert!(html.contains("<section id=\"overview\">"));
    assert!(html.contains("prov-published\">published</span>"));
    assert!(html.contains("prov-recomputed\">recomputed from published figures</span>"));
    assert!(html.contains("384.16"));
    // Self-contained: no external resources.
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
}

#[test]
fn user_csv_runs_through_the_same_pipeline() {
    let tmp = TempDir::new("reproduce-user");
    let csv = format!("{DATA}small_study.csv");
    let out = reproduce(&tmp.0, &["--data", &csv]);
    assert_success(&out);
    let json = results(&tmp.0);
    let want = common::read_json("tests/fixtures/reproduction/small_study.json");
    assert_eq!(json["data"]["provenance"], "user_data");
    assert_eq!(json["data"]["source"], "small_study.csv");
    assert_eq!(json["data"]["respondents"], want["respondents"]);
    assert_eq!(json["data"]["outcome_items"], 2);

    let normality = step(&json, "normality");
    assert_eq!(normality["status"], "done");
    assert_eq!(normality["provenance"], "user_data");
    let got = normality["result"]["dimensions"]["variables"]
        .as_array()
        .unwrap();
    let expected = want["normality"].as_array().unwrap();
    assert_eq!(got.len(), expected.len());
    for (g, w) in got.iter().zip(expected) {
        assert_eq!(g["name"], w["name"]);
        assert_eq!(g["n"], w["n"]);
        assert!(close(
            g["mean"].as_f64().unwrap(),
            w["mean"].as_f64().unwrap(),
            1e-12
        ));
        assert!(close(
            g["ks_statistic"].as_f64().unwrap(),
            w["ks_statistic"].as_f64().unwrap(),
            1e-9
        ));
        assert!(close(
            g["ks_pvalue"].as_f64().unwrap(),
            w["ks_pvalue"].as_f64().unwrap(),
            1e-4
        ));
        assert!(close(
            g["lilliefors_pvalue"].as_f64().unwrap(),
            w["lilliefors_pvalue"].as_f64().unwrap(),
            1e-4
        ));
    }
    for c in normality["comparisons"].as_array().unwrap() {
        assert_eq!(c["ours"]["provenance"], "user_data");
        assert!(["agrees", "differs"].contains(&c["verdict"].as_str().unwrap()));
    }

    let correlation = step(&json, "correlation");
    assert_eq!(correlation["status"], "done");
    let report = &correlation["result"]["report"];
    assert_eq!(report["n"], want["complete_cases"]);
    assert_eq!(report["rows_dropped"], 1);
    for (gr, wr) in report["r"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["r"].as_array().unwrap())
    {
        for (g, w) in gr.as_array().unwrap().iter().zip(wr.as_array().unwrap()) {
            assert!((g.as_f64().unwrap() - w.as_f64().unwrap()).abs() < 1e-12);
        }
    }
    assert!(close(
        correlation["result"]["max_abs_r"].as_f64().unwrap(),
        want["max_abs_r"].as_f64().unwrap(),
        1e-12
    ));
    assert_eq!(correlation["result"]["max_pair"], want["max_pair"]);
    assert!(close(
        correlation["result"]["max_vif"].as_f64().unwrap(),
        want["max_vif"].as_f64().unwrap(),
        1e-9
    ));
    let max_r = comparison(correlation, "largest |r| between dimension scores");
    assert_eq!(max_r["published"]["text"], "< 0.8");
    assert_eq!(max_r["ours"]["provenance"], "user_data");
    assert_eq!(max_r["verdict"], "agrees");

    // Table 1 counts of the user's data, against pandas.
    let demographics = step(&json, "demographics");
    for table in demographics["result"]["from_data"].as_array().unwrap() {
        assert_eq!(table["provenance"], "user_data");
        let column = table["column"].as_str().unwrap();
        for cat in table["table"]["categories"].as_array().unwrap() {
            let group = cat["group"].as_str().unwrap();
            assert_eq!(
                cat["count"], want["demographics"][column][group],
                "{column} {group}"
            );
        }
    }
    let html = std::fs::read_to_string(tmp.0.join("report.html")).unwrap();
    assert!(html.contains("prov-user_data\">computed from user data</span>"));
}

#[test]
fn missing_columns_give_exit_2_naming_them() {
    let tmp = TempDir::new("reproduce-missing");
    let csv = format!("{DATA}missing_columns.csv");
    let out = reproduce(&tmp.0, &["--data", &csv]);
    assert!(out.stdout.is_empty());
    let stderr = common::stderr_of_exit_2(&out);
    assert!(
        stderr.contains("missing_columns.csv, line 1, column \"marital_status\""),
        "{stderr}"
    );
    assert!(stderr.contains("marital_status, D3_I2"), "{stderr}");
    assert!(!tmp.0.join("report.html").exists());
}

#[test]
fn bad_values_and_flags_give_exit_2() {
    let tmp = TempDir::new("reproduce-bad");
    // Text in an item column: the error names file, line, column and value.
    let text = std::fs::read_to_string(format!("{DATA}small_study.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header.iter().position(|h| *h == "D4_I2").unwrap();
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_owned).collect();
    cells[col] = "often".into();
    lines[3] = cells.join(",");
    let bad = tmp.0.join("bad.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let out = reproduce(&tmp.0.join("out"), &["--data", bad.to_str().unwrap()]);
    let stderr = common::stderr_of_exit_2(&out);
    assert!(
        stderr.contains("line 4, column \"D4_I2\": found \"often\""),
        "{stderr}"
    );
    // A seed only drives synthetic data.
    let csv = format!("{DATA}small_study.csv");
    let out = reproduce(&tmp.0.join("out2"), &["--data", &csv, "--seed", "3"]);
    common::assert_fails_with(&out, "--seed with --data", &["--seed"]);
    // A file that does not exist.
    let out = reproduce(&tmp.0.join("out3"), &["--data", "no-such-file.csv"]);
    common::assert_fails_with(&out, "a missing --data file", &["no-such-file.csv"]);
}
