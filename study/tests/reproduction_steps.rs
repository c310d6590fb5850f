//! The steps of `study::reproduction` on the embedded claims, with values
//! checked against closed forms that need no code of ours (1.96²·0.25/0.05²,
//! 143/385, Table 2's counts) and, for the data steps, against the pandas /
//! SciPy / statsmodels fixture of tests/reference/reproduction.py.

use analysis::render::{Provenance, Render};
use serde_json::Value;
use study::published::contracting_model;
use study::reproduction::{
    self, codebook, correlation, demographics, normality, sample_size, Config, DataChoice,
    ProgressEvent, Status, Step, StudyData, Verdict,
};

const SMALL_STUDY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/data/reproduction/small_study.csv"
);
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/reproduction/small_study.json"
);

fn fixture() -> Value {
    serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap()
}

fn find<'a>(step: &'a dyn Step, quantity: &str) -> &'a reproduction::Comparison {
    step.comparisons()
        .iter()
        .find(|c| c.quantity == quantity)
        .unwrap_or_else(|| panic!("comparison {quantity}"))
}

#[test]
fn cochran_384_16_is_recomputed_and_384_is_flagged() {
    let s = sample_size::run(&contracting_model()).unwrap();
    // 1.96² · 0.5 · 0.5 / 0.05² = 384.16 exactly in decimal.
    assert!((s.with_published_z.n0 - 384.16).abs() < 1e-9);
    assert_eq!(s.with_published_z.n, 385);
    assert!((s.with_exact_z.n0 - 384.145_882_069_412_4).abs() < 1e-9);
    let n0 = find(&s, "Cochran n0 = z²pq/e²");
    assert_eq!(n0.published.as_ref().unwrap().text, "384.16");
    assert_eq!(
        n0.published.as_ref().unwrap().provenance,
        Provenance::Published
    );
    assert_eq!(n0.ours.as_ref().unwrap().provenance, Provenance::Recomputed);
    assert_eq!(n0.verdict, Verdict::Agrees);
    let min = find(&s, "minimum sample size (n0 rounded up)");
    assert_eq!(min.ours.as_ref().unwrap().value, 385.0);
    assert_eq!(min.verdict, Verdict::Differs);
    // Margin of error at n = 385 and 329: 1.96 · √(0.25 / n).
    let m385 = 1.96 * (0.25f64 / 385.0).sqrt();
    let m329 = 1.96 * (0.25f64 / 329.0).sqrt();
    assert!((s.margin_at_analysed.unwrap() - m385).abs() < 1e-12);
    assert!((s.margin_at_initial.unwrap() - m329).abs() < 1e-12);
    assert!(s.to_text().contains("384.1600"));
}

#[test]
fn the_sem_sample_size_stands_beside_cochran() {
    let s = sample_size::run(&contracting_model()).unwrap();
    // df recomputed from χ² 502.88, RMSEA .036, N 385 (the audit's fit-rmsea-df).
    assert_eq!(s.sem_df, Some((333, 338)));
    // semTools 0.5 findRMSEAsamplesize(0.05, 0.08 | 0.01, df, 0.8):
    // 62, 62 (close fit), 91, 90 (not-close fit), at df 333 and 338.
    let minimum: Vec<(u64, u64)> = s.sem_minimum_n.iter().map(|m| (m.df, m.n)).collect();
    assert_eq!(minimum, vec![(333, 62), (338, 62), (333, 91), (338, 90)]);
    let close = find(
        &s,
        "minimum N for the SEM, RMSEA test of close fit (0.05 vs 0.08)",
    );
    assert_eq!(close.ours.as_ref().unwrap().value, 62.0);
    let not_close = find(
        &s,
        "minimum N for the SEM, RMSEA test of not-close fit (0.05 vs 0.01)",
    );
    assert_eq!(not_close.ours.as_ref().unwrap().value, 91.0);
    assert_eq!(
        not_close.ours.as_ref().unwrap().provenance,
        Provenance::Recomputed
    );
    // At N = 385 both tests have power above 0.999999 (findRMSEApower).
    assert_eq!(s.sem_power_at_analysed.len(), 4);
    assert!(s
        .sem_power_at_analysed
        .iter()
        .all(|p| p.n == 385 && p.power > 0.999_999));
    assert_eq!(s.figures.len(), 2);
    assert!(s.figures[1].file.ends_with("01_sample_size_sem_power.svg"));
    assert!(s.to_text().contains("Sample size for the SEM: RMSEA power"));
}

#[test]
fn table1_cell_37_2_is_flagged_and_the_rest_agree() {
    let s = demographics::run(&contracting_model(), None).unwrap();
    let cell = find(&s, "Education level: Master's degree and above (%)");
    assert_eq!(cell.verdict, Verdict::Differs);
    assert!((cell.ours.as_ref().unwrap().value - 100.0 * 143.0 / 385.0).abs() < 1e-12);
    assert_eq!(cell.ours.as_ref().unwrap().text, "37.143");
    assert!(cell.note.contains("GRIM"), "{}", cell.note);
    let differs: Vec<&str> = s
        .comparisons
        .iter()
        .filter(|c| c.verdict == Verdict::Differs)
        .map(|c| c.quantity.as_str())
        .collect();
    assert_eq!(differs, ["Education level: Master's degree and above (%)"]);
    // 15 percentages and 5 totals, each total 385.
    assert_eq!(s.comparisons.len(), 20);
    for c in s
        .comparisons
        .iter()
        .filter(|c| c.quantity.ends_with("total of the counts"))
    {
        assert_eq!(c.ours.as_ref().unwrap().value, 385.0);
    }
    assert!(
        s.notice[0].contains("143 / 385 = 37.14 %"),
        "{}",
        s.notice[0]
    );
    assert!(s.from_data.is_empty());
}

#[test]
fn codebook_counts_10_26_78() {
    let s = codebook::run(&contracting_model()).unwrap();
    assert_eq!(
        (
            s.counts.dimensions,
            s.counts.themes,
            s.counts.subthemes,
            s.counts.repetitions
        ),
        (10, 26, 78, 462)
    );
    assert!(s.issues.is_empty());
    let agrees = s
        .comparisons
        .iter()
        .filter(|c| c.verdict == Verdict::Agrees)
        .count();
    assert_eq!(agrees, 8);
    let primary = s
        .comparisons
        .iter()
        .find(|c| c.published.as_ref().is_some_and(|p| p.text == "176"))
        .unwrap();
    assert_eq!(primary.verdict, Verdict::NotComparable);
    assert_eq!(primary.ours.as_ref().unwrap().value, 462.0);
    let html = s.section(3).blocks.len();
    assert!(html >= 3);
}

#[test]
fn data_steps_match_pandas_scipy_and_statsmodels() {
    let claims = contracting_model();
    let data = StudyData::from_csv(SMALL_STUDY, &claims).unwrap();
    assert_eq!(data.provenance, Provenance::UserData);
    assert_eq!(data.layout.outcome.items, ["CC_I1", "CC_I2"]);
    let want = fixture();

    let scores = data.dimension_scores().unwrap();
    let wanted_row: Vec<Option<f64>> = want["scores_of_respondent_6"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::as_f64)
        .collect();
    for (d, name) in scores.names().iter().enumerate() {
        let got = scores.numeric_column(name).unwrap()[5];
        match (got, wanted_row[d]) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-12, "{name}"),
            (None, None) => {}
            other => panic!("{name}: {other:?}"),
        }
    }

    let n = normality::run(&claims, &data).unwrap();
    assert_eq!(n.provenance, Provenance::UserData);
    for (g, w) in n
        .dimensions
        .variables
        .iter()
        .zip(want["normality"].as_array().unwrap())
    {
        let wp = w["ks_pvalue"].as_f64().unwrap();
        assert!((g.ks_pvalue - wp).abs() <= 1e-4 * wp, "{}", g.name);
        let ws = w["ks_statistic"].as_f64().unwrap();
        assert!((g.ks_statistic - ws).abs() <= 1e-9 * ws, "{}", g.name);
    }
    let all_above = want["normality"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["ks_pvalue"].as_f64().unwrap() > 0.05)
        .count();
    assert_eq!(n.dimensions_ks_above, all_above);
    assert_eq!(n.items.variables.len(), 78);

    let c = correlation::run(&claims, &data).unwrap();
    let w = want["max_abs_r"].as_f64().unwrap();
    assert!((c.max_abs_r - w).abs() < 1e-12);
    assert_eq!(c.max_pair.0, want["max_pair"][0].as_str().unwrap());
    let wv = want["max_vif"].as_f64().unwrap();
    assert!((c.max_vif.unwrap() - wv).abs() <= 1e-9 * wv);
    let max_r = find(&c, "largest |r| between dimension scores");
    assert_eq!(max_r.verdict, Verdict::Agrees);

    // With user data the Table 1 counts are compared, not illustrated.
    let d = demographics::run(&claims, Some(&data)).unwrap();
    let female = find(&d, "Gender: Female (n in the data)");
    let wf = want["demographics"]["gender"]["Female"].as_f64().unwrap();
    assert_eq!(female.ours.as_ref().unwrap().value, wf);
    assert_eq!(
        female.ours.as_ref().unwrap().provenance,
        Provenance::UserData
    );
    assert_eq!(female.verdict, Verdict::Differs);
}

#[test]
fn synthetic_comparisons_are_only_illustrations() {
    // Data labelled synthetic: a verdict against the paper is never claimed.
    let claims = contracting_model();
    let user = StudyData::from_csv(SMALL_STUDY, &claims).unwrap();
    let synthetic = StudyData {
        provenance: Provenance::SyntheticEstimate,
        label: "SYNTHETIC test data".into(),
        ..user
    };
    let c = correlation::run(&claims, &synthetic).unwrap();
    assert!(c
        .comparisons
        .iter()
        .filter(|c| c.published.is_some() && c.ours.is_some())
        .all(|c| c.verdict == Verdict::Illustrative));
    let n = normality::run(&claims, &synthetic).unwrap();
    assert!(n
        .comparisons
        .iter()
        .all(|c| c.verdict == Verdict::Illustrative
            && c.ours.as_ref().unwrap().provenance == Provenance::SyntheticEstimate));
}

#[test]
fn run_reports_progress_and_is_deterministic() {
    let claims = contracting_model();
    let data = StudyData::from_csv(SMALL_STUDY, &claims).unwrap();
    let config = Config {
        data: DataChoice::Given(Box::new(data)),
        ..Config::default()
    };
    let mut events = Vec::new();
    let r = reproduction::run(&config, &mut |p| {
        if let ProgressEvent::Finished { status, .. } = &p.event {
            events.push((p.number, p.id, *status));
        }
    })
    .unwrap();
    let numbers: Vec<usize> = events.iter().map(|e| e.0).collect();
    assert_eq!(numbers, (0..=9).collect::<Vec<_>>());
    assert_eq!(events[4], (4, "normality", Status::Done));
    assert_eq!(events[5], (5, "correlation", Status::Done));
    assert!(r.failures().is_empty());
    let again = reproduction::run(&config, &mut |_| {}).unwrap();
    assert_eq!(r.to_json(), again.to_json());
    assert_eq!(r.report_html(), again.report_html());
    let json: Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["steps"].as_array().unwrap().len(), 9);
    assert_eq!(json["data"]["source"], "small_study.csv");
}

#[test]
fn a_failing_step_is_recorded_and_the_others_run() {
    // A constant dimension (every answer 3 in D8, two items) cannot be tested
    // for normality; the pipeline records that and goes on.
    let text = std::fs::read_to_string(SMALL_STUDY).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let constant: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.starts_with("D8_"))
        .map(|(i, _)| i)
        .collect();
    let mut csv = header.join(",") + "\n";
    for line in lines {
        let cells: Vec<String> = line
            .split(',')
            .enumerate()
            .map(|(i, c)| {
                if constant.contains(&i) {
                    "3".into()
                } else {
                    c.to_owned()
                }
            })
            .collect();
        csv.push_str(&(cells.join(",") + "\n"));
    }
    let claims = contracting_model();
    let dataset = analysis::Dataset::from_csv_str("constant.csv", &csv).unwrap();
    let data = StudyData::from_dataset(dataset, &claims, Provenance::UserData, "test").unwrap();
    let config = Config {
        data: DataChoice::Given(Box::new(data)),
        ..Config::default()
    };
    let r = reproduction::run(&config, &mut |_| {}).unwrap();
    let failures = r.failures();
    assert_eq!(failures.len(), 3, "{failures:?}");
    assert_eq!((failures[0].number, failures[0].id), (4, "normality"));
    assert!(
        failures[0].source.to_string().contains("Marketing"),
        "{}",
        failures[0]
    );
    // 40 respondents for 80 items: the SEM falls back to dimension scores,
    // where the constant one is named by its dimension.
    assert_eq!((failures[2].number, failures[2].id), (6, "sem"));
    assert!(
        failures[2].source.to_string().contains("Marketing"),
        "{}",
        failures[2]
    );
    // The typed error says which step and keeps the library's error.
    assert_eq!(
        failures[0].summary(),
        format!("FAILED: {}", failures[0].source)
    );
    assert!(failures[0]
        .to_string()
        .starts_with("step 4 (normality) failed: "));
    let normality = r.outcome("normality").unwrap();
    assert_eq!(normality.status(), Status::Failed);
    assert_eq!(normality.error(), Some(failures[0]));
    assert_eq!(r.outcome("codebook").unwrap().status(), Status::Done);
    assert!(r
        .outcome("codebook")
        .unwrap()
        .done::<reproduction::codebook::CodebookStep>()
        .is_some());
}

#[test]
fn table5_is_checked_without_data() {
    let claims = contracting_model();
    let (comparisons, notice) =
        reproduction::friedman::table5_checks(claims.friedman.as_ref().unwrap());
    let find = |q: &str| comparisons.iter().find(|c| c.quantity == q).unwrap();
    let sum = find("sum of the mean ranks");
    // 4.14 + 3.81 + 1.89 + 1.81 + 1.66 + 2.45 + 1.47 + 2.44 + 3.28 + 3.98
    assert!((sum.ours.as_ref().unwrap().value - 26.93).abs() < 1e-9);
    assert_eq!(sum.verdict, Verdict::Differs);
    // Marketing (2.44) is ranked 5 and Personnel (2.45) 6: swapped.
    let marketing = find("rank of Marketing");
    assert_eq!(marketing.published.as_ref().unwrap().value, 5.0);
    assert_eq!(marketing.ours.as_ref().unwrap().value, 6.0);
    assert_eq!(marketing.verdict, Verdict::Differs);
    let differs = comparisons
        .iter()
        .filter(|c| c.verdict == Verdict::Differs)
        .count();
    assert_eq!(differs, 3);
    assert!(notice.iter().any(|n| n.contains("sum to 26.93")));
}

#[test]
fn a_step_renders_for_a_notebook_with_badges_and_figures() {
    let s = sample_size::run(&contracting_model()).unwrap();
    let html = s.to_html();
    assert!(html.contains("384.16 <span class=\"prov prov-published\">published</span>"));
    assert!(html.contains("<figure><svg"));
    assert!(!html.contains("<?xml"));
    let text = s.to_text();
    assert!(text.contains("Sample size (Cochran; RMSEA power for the SEM): published vs ours"));
    assert!(text.contains("recomputed from published figures"));
    assert!(text.contains("What to notice"));
}
