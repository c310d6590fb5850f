//! analysis::frequency against pandas value_counts and exact rational
//! arithmetic (tests/reference/frequency.py), and the paper's Table 1 checked
//! cell by cell against percentages worked out by hand.
//! Tolerance: 1e-9 (closed forms).

use analysis::frequency::FrequencyTable;
use analysis::{Dataset, Render};
use serde_json::Value;

const TOL: f64 = 1e-9;

fn root(rel: &str) -> String {
    format!("{}/../tests/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> Value {
    let path = root(&format!("fixtures/frequency/{name}"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// One variable of Table 1: name, (group, count) pairs, published percentages.
type Variable = (String, Vec<(String, u64)>, Vec<f64>);

/// The paper's Table 1, variable by variable.
fn table1() -> Vec<Variable> {
    let data = Dataset::from_path(root("data/frequency/table1.csv")).unwrap();
    let vars = data.text_column("variable").unwrap();
    let groups = data.text_column("group").unwrap();
    let counts = data.numeric_column("count").unwrap();
    let published = data.numeric_column("published_percent").unwrap();
    let mut out: Vec<Variable> = Vec::new();
    for r in 0..data.n_rows() {
        if out.last().is_none_or(|v| v.0 != vars[r]) {
            out.push((vars[r].clone(), Vec::new(), Vec::new()));
        }
        let last = out.last_mut().unwrap();
        last.1.push((groups[r].clone(), counts[r].unwrap() as u64));
        last.2.push(published[r].unwrap());
    }
    out
}

#[test]
fn counting_values_matches_pandas() {
    let fx = fixture("values.json");
    let data = Dataset::from_path(root("data/frequency/values.csv")).unwrap();
    for (column, expected) in fx["columns"].as_object().unwrap() {
        let t = FrequencyTable::from_column(&data, column).unwrap();
        assert_eq!(t.variable, *column);
        assert_eq!(t.total, expected["total"].as_u64().unwrap(), "{column}");
        assert_eq!(t.missing, expected["missing"].as_u64().unwrap(), "{column}");
        let cats = expected["categories"].as_array().unwrap();
        assert_eq!(t.categories.len(), cats.len(), "{column}");
        for (c, e) in t.categories.iter().zip(cats) {
            assert_eq!(c.group, e["group"].as_str().unwrap(), "{column}");
            assert_eq!(c.count, e["count"].as_u64().unwrap(), "{column}");
            let p = e["percent"].as_f64().unwrap();
            assert!(
                (c.percent - p).abs() < TOL,
                "{column} {}: {} vs {p}",
                c.group,
                c.percent
            );
        }
    }
}

#[test]
fn table1_comparison_matches_exact_arithmetic() {
    let fx = fixture("table1.json");
    let vars = fx["variables"].as_array().unwrap();
    let ours = table1();
    assert_eq!(vars.len(), ours.len());
    for ((name, groups, published), e) in ours.into_iter().zip(vars) {
        assert_eq!(name, e["variable"].as_str().unwrap());
        let t = FrequencyTable::from_counts(&name, groups).unwrap();
        assert_eq!(t.total, e["total"].as_u64().unwrap());
        let c = t.compare_published(&published, 1).unwrap();
        assert!((c.published_sum - e["published_sum"].as_f64().unwrap()).abs() < TOL);
        for (cell, ec) in c.cells.iter().zip(e["cells"].as_array().unwrap()) {
            let what = format!("{name} / {}", cell.group);
            assert_eq!(cell.group, ec["group"].as_str().unwrap());
            assert!(
                (cell.recomputed - ec["recomputed"].as_f64().unwrap()).abs() < TOL,
                "{what}"
            );
            assert!(
                (cell.difference - ec["difference"].as_f64().unwrap()).abs() < TOL,
                "{what}"
            );
            assert_eq!(
                cell.within_rounding,
                ec["within_rounding"].as_bool().unwrap(),
                "{what}"
            );
            assert_eq!(
                cell.grim_consistent,
                ec["grim_consistent"].as_bool().unwrap(),
                "{what}"
            );
            let expected_counts = ec["possible_counts"]
                .as_array()
                .map(|a| (a[0].as_u64().unwrap(), a[1].as_u64().unwrap()));
            assert_eq!(cell.possible_counts, expected_counts, "{what}");
        }
    }
}

/// Every cell of Table 1 against 100·k/385 worked out by long division.
/// All cells agree with their published percentage at one decimal except
/// "Master's degree and above": 143/385 = 37.142857…% prints as 37.1, the
/// paper prints 37.2 — and no whole count out of 385 gives 37.2 (143 → 37.14,
/// 144 → 37.40), so the cell is GRIM-inconsistent. (The printed education
/// percentages then sum to 100.0; the correctly rounded ones to 99.9.)
#[test]
fn table1_by_hand() {
    #[rustfmt::skip]
    let hand: [(&str, f64, bool); 15] = [
        ("Female", 48.831_168_831_168_83, true),            // 188/385
        ("Male", 51.168_831_168_831_17, true),              // 197/385
        ("Single", 24.675_324_675_324_68, true),            // 95/385
        ("Married", 75.324_675_324_675_32, true),           // 290/385
        ("Less than 30 years old", 16.623_376_623_376_62, true), // 64/385
        ("30 to 40 years old", 46.753_246_753_246_75, true),     // 180/385
        ("40 to 50 years old", 25.714_285_714_285_71, true),     // 99/385 = 180/7 %
        ("Above 50 years old", 10.909_090_909_090_91, true),     // 42/385 = 120/11 %
        ("Associate degree", 8.311_688_311_688_312, true),       // 32/385
        ("Bachelor's degree", 54.545_454_545_454_55, true),      // 210/385 = 600/11 %
        ("Master's degree and above", 37.142_857_142_857_14, false), // 143/385 = 260/7 %
        ("1 to 5 years", 12.467_532_467_532_47, true),     // 48/385
        ("6 to 10 years", 23.376_623_376_623_38, true),    // 90/385
        ("11 to 15 years", 37.922_077_922_077_92, true),   // 146/385
        ("Over 16 years", 26.233_766_233_766_23, true),    // 101/385
    ];
    let mut cells = Vec::new();
    for (name, groups, published) in table1() {
        let t = FrequencyTable::from_counts(&name, groups).unwrap();
        assert_eq!(t.total, 385, "{name}");
        let c = t.compare_published(&published, 1).unwrap();
        assert!((c.published_sum - 100.0).abs() < TOL, "{name}");
        assert_eq!(c.all_within_rounding, name != "Education level");
        cells.extend(c.cells);
    }
    assert_eq!(cells.len(), hand.len());
    for (cell, (group, percent, consistent)) in cells.iter().zip(hand) {
        assert_eq!(cell.group, group);
        assert!(
            (cell.recomputed - percent).abs() < TOL,
            "{group}: {}",
            cell.recomputed
        );
        assert!(
            (cell.difference - (cell.published - percent)).abs() < TOL,
            "{group}"
        );
        assert_eq!(cell.within_rounding, consistent, "{group}");
        assert_eq!(cell.grim_consistent, consistent, "{group}");
        if consistent {
            // N = 385 > 100 · 10: exactly one count rounds to each value.
            assert_eq!(
                cell.possible_counts,
                Some((cell.count, cell.count)),
                "{group}"
            );
            assert!(
                (cell.recomputed_rounded - cell.published).abs() < TOL,
                "{group}"
            );
        }
    }
    let master = &cells[10];
    assert!((master.difference - (37.2 - 260.0 / 7.0)).abs() < TOL); // +0.0571…
    assert!((master.recomputed_rounded - 37.1).abs() < TOL);
    assert_eq!(master.possible_counts, None);
}

#[test]
fn renders_text_html_and_json() {
    let t =
        FrequencyTable::from_counts("Gender", vec![("Female".into(), 188), ("Male".into(), 197)])
            .unwrap();
    let text = t.to_text();
    assert!(
        text.contains("Female") && text.contains("48.8") && text.contains("385"),
        "{text}"
    );
    let c = t.compare_published(&[48.8, 51.2], 1).unwrap();
    assert!(c.to_html().contains("<td>Female</td>"));
    let json: Value = serde_json::from_str(&c.to_json()).unwrap();
    assert_eq!(json["cells"][0]["within_rounding"], true);
    assert_eq!(json["total"], 385);
}
