//! End-to-end tests of `paraclinic sem-compare` with least squares and the
//! nesting check (issue 15 item 3): the JSON contract
//! `{"models":[{"model","df","chisq",…}],"tests":[{"from","to","chisq_diff",
//! "df_diff","pvalue","method"}]}` and the values of lavaan's lavTestLRT
//! and semTools' net() (tests/reference/sem_compare_wls.R), 1e-3 relative.

use serde_json::Value;

mod common;

const DATA: &str = "tests/data/sem/ordinal_nested.csv";

fn data() -> String {
    format!("{}/{DATA}", common::ROOT)
}

/// The fixture's models of a case written to .lav files, in order, in a
/// directory of the test's own (`tag`: the tests run in parallel).
fn models(case: &Value, tag: &str) -> Vec<String> {
    case["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            common::tmp_file(
                &format!("sem-compare-{tag}"),
                &format!("{}.lav", m["model"].as_str().unwrap()),
                m["syntax"].as_str().unwrap(),
            )
        })
        .collect()
}

fn case(name: &str) -> Value {
    let all = common::read_json("tests/fixtures/sem_compare_wls/lrt.json");
    all.as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
        .clone()
}

fn close(ours: &Value, theirs: &Value, what: &str) {
    let (a, b) = (ours.as_f64().unwrap(), theirs.as_f64().unwrap());
    assert!(
        (a - b).abs() <= 1e-3 * b.abs().max(1e-3),
        "{what}: ours {a} lavaan {b}"
    );
}

fn run(paths: &[String], extra: &[&str]) -> std::process::Output {
    let d = data();
    let mut args = vec!["sem-compare", "--data", d.as_str()];
    // Most restricted first: sem-compare orders by df as lavTestLRT.
    for p in paths.iter().rev() {
        args.extend(["--model", p.as_str()]);
    }
    args.extend(extra);
    common::paraclinic(&args)
}

fn check_against(json: &Value, fx: &Value, paths: &[String]) {
    for (k, m) in json["models"].as_array().unwrap().iter().enumerate() {
        assert_eq!(m["model"], paths[k].as_str());
        for key in ["model", "df", "chisq", "npar", "cfi", "rmsea", "estimator"] {
            assert!(m.get(key).is_some(), "models[{k}] lacks {key}: {m}");
        }
        close(&m["chisq"], &fx["models"][k]["chisq"], "chisq");
        assert_eq!(m["df"].as_f64(), fx["models"][k]["df"].as_f64());
    }
    let tests = json["tests"].as_array().unwrap();
    assert_eq!(tests.len(), fx["tests"].as_array().unwrap().len());
    for (k, t) in tests.iter().enumerate() {
        let theirs = &fx["tests"][k];
        assert_eq!(t["from"], paths[k].as_str());
        assert_eq!(t["to"], paths[k + 1].as_str());
        assert_eq!(t["method"], theirs["method"]);
        assert_eq!(t["df_diff"].as_f64(), theirs["df_diff"].as_f64());
        close(&t["chisq_diff"], &theirs["chisq_diff"], "chisq_diff");
        close(&t["pvalue"], &theirs["pvalue"], "pvalue");
    }
}

#[test]
fn wlsmv_on_ordered_items_gives_lavaans_scaled_shifted_differences() {
    let fx = case("wlsmv_chain");
    let paths = models(&fx, "wlsmv");
    // WLSMV is the default with ordered items.
    let out = run(&paths, &["--ordered-all", "--json"]);
    let json = common::stdout_json(&out);
    check_against(&json, &fx, &paths);
    for (k, t) in json["tests"].as_array().unwrap().iter().enumerate() {
        assert_eq!(t["method"], "satorra.2000");
        close(&t["scale"], &fx["tests"][k]["scale"], "scale");
    }
    // The text output names the method too.
    let out = run(&paths, &["--ordered-all"]);
    common::assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    for word in ["satorra.2000", "scale a", "shift b", "7.686"] {
        assert!(text.contains(word), "{word} not in {text}");
    }
}

#[test]
fn dwls_and_uls_take_the_standard_difference() {
    for (name, estimator) in [("dwls_chain", "DWLS"), ("uls_chain", "ULS")] {
        let fx = case(name);
        let paths = models(&fx, name);
        let out = run(
            &paths,
            &["--ordered-all", "--estimator", estimator, "--json"],
        );
        let json = common::stdout_json(&out);
        check_against(&json, &fx, &paths);
        assert_eq!(json["tests"][0]["method"], "standard");
        assert!(json["tests"][0].get("scale").is_none());
    }
}

#[test]
fn wlsmv_on_the_items_as_continuous() {
    let fx = case("wlsmv_continuous_chain");
    let paths = models(&fx, "continuous");
    let out = run(&paths, &["--estimator", "WLSMV", "--json"]);
    check_against(&common::stdout_json(&out), &fx, &paths);
}

#[test]
fn models_that_are_not_nested_are_refused_by_the_refit() {
    let nets = common::read_json("tests/fixtures/sem_compare_wls/net.json");
    let pair = nets
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["nested"] == false && p["meanstructure"] == false)
        .unwrap();
    let free = common::tmp_file(
        "sem-compare-net",
        "moved.lav",
        pair["free_syntax"].as_str().unwrap(),
    );
    let restricted = common::tmp_file(
        "sem-compare-net",
        "orth.lav",
        pair["restricted_syntax"].as_str().unwrap(),
    );
    let chisq = format!("χ² = {:.1}", pair["refit_chisq"].as_f64().unwrap());
    for extra in [
        &[][..],
        &["--estimator", "MLR"][..],
        &["--meanstructure"][..],
    ] {
        let out = run(&[free.clone(), restricted.clone()], extra);
        common::assert_fails_with(
            &out,
            "not nested",
            &[
                "moved.lav",
                "orth.lav",
                "not nested",
                chisq.as_str(),
                "net()",
            ],
        );
    }
    // A nested pair passes the same check.
    let nested = pairs_nested(&nets);
    let out = run(&nested, &["--json"]);
    assert_eq!(common::stdout_json(&out)["tests"][0]["method"], "standard");
}

fn pairs_nested(nets: &Value) -> Vec<String> {
    let pair = nets
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["nested"] == true)
        .unwrap();
    vec![
        common::tmp_file(
            "sem-compare-net",
            "free.lav",
            pair["free_syntax"].as_str().unwrap(),
        ),
        common::tmp_file(
            "sem-compare-net",
            "restricted.lav",
            pair["restricted_syntax"].as_str().unwrap(),
        ),
    ]
}

#[test]
fn ordered_items_in_groups_give_lavaans_scaled_shifted_difference() {
    // lrt_groups.json: lavTestLRT on two-group WLSMV fits; its metric →
    // metric_orth step shares group.equal, as one sem-compare call does.
    let fx = common::read_json("tests/fixtures/sem_compare_wls/lrt_groups.json");
    let (metric, orth) = (&fx["models"][1], &fx["models"][2]);
    assert_eq!(metric["group_equal"], orth["group_equal"]);
    let paths: Vec<String> = [metric, orth]
        .iter()
        .map(|m| {
            common::tmp_file(
                "sem-compare-groups-ordered",
                &format!("{}.lav", m["model"].as_str().unwrap()),
                m["syntax"].as_str().unwrap(),
            )
        })
        .collect();
    let d = format!("{}/tests/data/sem/ordinal_nested_groups.csv", common::ROOT);
    let equal = metric["group_equal"].as_str().unwrap();
    let mut args = vec!["sem-compare", "--data", d.as_str()];
    for p in &paths {
        args.extend(["--model", p.as_str()]);
    }
    args.extend(["--group", "grp", "--group-equal", equal, "--ordered-all"]);
    let json = common::stdout_json(&common::paraclinic(&[&args[..], &["--json"]].concat()));
    for (k, m) in [metric, orth].iter().enumerate() {
        assert_eq!(json["models"][k]["model"], paths[k].as_str());
        assert_eq!(json["models"][k]["df"].as_f64(), m["df"].as_f64());
        close(&json["models"][k]["chisq"], &m["chisq"], "chisq");
    }
    let (ours, theirs) = (&json["tests"][0], &fx["tests"][1]);
    assert_eq!(json["tests"].as_array().unwrap().len(), 1);
    assert_eq!(ours["method"], "satorra.2000");
    assert_eq!(ours["df_diff"].as_f64(), theirs["df_diff"].as_f64());
    for key in ["chisq_diff", "pvalue", "scale", "shift"] {
        close(&ours[key], &theirs[key], key);
    }
    // DWLS on the same groups takes the standard difference.
    let out = common::paraclinic(&[&args[..], &["--estimator", "DWLS", "--json"]].concat());
    assert_eq!(common::stdout_json(&out)["tests"][0]["method"], "standard");
}

#[test]
fn ordered_input_that_cannot_be_compared_is_refused_clearly() {
    let fx = case("wlsmv_chain");
    let paths = models(&fx, "refused");
    // The group column cannot be one of the model's items.
    let out = run(&paths, &["--ordered-all", "--group", "y1"]);
    common::assert_fails_with(&out, "group is an item", &["--group", "y1"]);
    // Some items ordered, the rest continuous, is compared (the values
    // against lavTestLRT: analysis/tests/sem_mixed_reference.rs).
    let out = run(&paths, &["--ordered", "y1,y2"]);
    common::assert_success(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("satorra.2000"));
}
