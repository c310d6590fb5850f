//! End-to-end tests of `paraclinic audit`.

mod common;

fn run(args: &[&str]) -> (i32, String, String) {
    common::code_out_err(&common::subcommand("audit", args))
}

fn finding<'a>(json: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

#[test]
fn default_audit_json_has_the_contracted_keys_and_verdicts() {
    let (code, out, err) = run(&["--json", "--replications", "100"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["findings"]
    );
    for f in json["findings"].as_array().unwrap() {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "id",
                "source",
                "quantity",
                "published",
                "recomputed",
                "status",
                "kind",
                "severity",
                "method",
                "explanation"
            ]
        );
        assert!(
            ["consistent", "inconsistent", "unverifiable"].contains(&f["status"].as_str().unwrap())
        );
        assert!([
            "impossible",
            "rounding",
            "contradiction",
            "reasoning",
            "assumption_dependent",
            "reconstruction",
            "unchecked"
        ]
        .contains(&f["kind"].as_str().unwrap()));
        assert!(["none", "low", "medium", "high"].contains(&f["severity"].as_str().unwrap()));
    }
    let agfi = finding(&json, "fit-agfi-gfi");
    assert_eq!(agfi["status"], "inconsistent");
    assert_eq!(agfi["source"], "Table 3");
    assert_eq!(agfi["published"], "AGFI .93, GFI .92");
    assert_eq!(
        (&agfi["kind"], &agfi["severity"]),
        (&"impossible".into(), &"high".into())
    );
    let ks = finding(&json, "ks-normality-simulation");
    assert_eq!(
        (&ks["status"], &ks["kind"], &ks["severity"]),
        (
            &"inconsistent".into(),
            &"assumption_dependent".into(),
            &"medium".into()
        )
    );
    let df = finding(&json, "fit-rmsea-df");
    assert_eq!(
        df["recomputed"],
        serde_json::json!({"lower": 333.0, "upper": 338.0})
    );
    let pct = finding(
        &json,
        "table1-percent-education-level-masters-degree-and-above",
    );
    assert_eq!(pct["status"], "inconsistent");
    assert!((pct["recomputed"].as_f64().unwrap() - 100.0 * 143.0 / 385.0).abs() < 1e-9);
    assert_eq!(
        finding(&json, "friedman-mean-rank-sum")["status"],
        "inconsistent"
    );
    assert_eq!(
        finding(&json, "cochran-minimum-sample")["recomputed"],
        385.0
    );
    // The SEM's own sample size at the implied df 333–338 (semTools'
    // findRMSEAsamplesize: 62 for close fit, 90–91 for not-close fit).
    let sem = finding(&json, "sem-sample-size");
    assert_eq!(sem["recomputed"]["lower"], 62.0);
    assert_eq!(sem["recomputed"]["upper"], 91.0);
    assert_eq!(sem["status"], "consistent");
    assert_eq!(sem["kind"], "reasoning");
}

#[test]
fn default_audit_text_is_grouped_by_source_with_a_summary() {
    let (code, out, _) = run(&["--replications", "50"]);
    assert_eq!(code, 0);
    let abstract_at = out.find("Audit — Abstract").unwrap();
    let table1_at = out.find("Audit — Table 1").unwrap();
    let summary_at = out.find("Audit summary").unwrap();
    assert!(abstract_at < table1_at && table1_at < summary_at);
    // The ranked summary comes first.
    let ranked_at = out.find("What matters most: ").unwrap();
    assert!(
        out.starts_with("70 findings: 47 consistent, 13 inconsistent, 10 unverifiable. ")
            && ranked_at < abstract_at,
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("inconsistent")
            && l.contains(" high ")
            && l.contains(" impossible ")
            && l.contains(" fit-agfi-gfi ")),
        "{out}"
    );
    assert!(out.lines().any(|l| l.starts_with("total")));
}

#[test]
fn claims_of_another_study_are_audited() {
    let (code, out, err) = run(&["--claims", "tests/data/audit/small_claims.json", "--json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(finding(&json, "fit-agfi-gfi")["status"], "consistent");
    assert_eq!(
        finding(&json, "fit-rmsea-df")["recomputed"],
        serde_json::json!({"lower": 51.0, "upper": 51.0})
    );
    // The candidate structures are one finding, naming the compatible ones.
    let rec = finding(&json, "reconstruction-summary");
    assert_eq!(rec["status"], "consistent");
    assert!(rec["explanation"]
        .as_str()
        .unwrap()
        .contains("with df = 51: subthemes-cfa-correlated"));
    assert!(json["findings"].as_array().unwrap().iter().all(|f| !f["id"]
        .as_str()
        .unwrap()
        .starts_with("reconstruction-")
        || f["id"] == "reconstruction-summary"));
    assert_eq!(
        finding(&json, "friedman-chi-square")["status"],
        "consistent"
    );
    assert_eq!(finding(&json, "table5-rank-order")["status"], "consistent");
    // Sections the file lacks produce no findings.
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["id"] != "cochran-n0"));
}

#[test]
fn malformed_claims_exit_2_naming_line_and_column() {
    let (code, out, err) = run(&["--claims", "tests/data/audit/malformed_claims.json"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.starts_with(
            "paraclinic: error: tests/data/audit/malformed_claims.json, line 5, column 47"
        ),
        "{err}"
    );
    assert!(err.contains("80.0"), "{err}");
}

#[test]
fn a_missing_claims_file_exits_2() {
    let (code, _, err) = run(&["--claims", "tests/data/audit/no_such_file.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("no_such_file.json"), "{err}");
}
