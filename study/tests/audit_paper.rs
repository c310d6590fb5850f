//! The default audit of the embedded first paper: the verdicts on its key
//! figures, and that every section is audited only where present; its fit
//! test against SciPy (`tests/reference/audit.py`, fixture
//! `tests/fixtures/audit/scipy_reference.json`).

use analysis::audit::{audit, AuditOptions, Kind, Recomputed, Severity, Status};
use analysis::Render;
use serde_json::Value;
use study::published::{contracting_model, strategic_purchasing};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../tests/fixtures/audit/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json")
}

fn f(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

fn close_rel(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
}

fn options() -> AuditOptions {
    AuditOptions {
        replications: 200,
        ..AuditOptions::default()
    }
}

#[test]
fn key_findings_of_the_first_paper() {
    let r = audit(&contracting_model(), &options());
    let expect = [
        (
            "table1-percent-education-level-masters-degree-and-above",
            Status::Inconsistent,
        ),
        ("table1-percent-gender-female", Status::Consistent),
        ("table1-total-education-level", Status::Consistent),
        ("table1-percent-total-education-level", Status::Consistent),
        ("table1-bands-work-experience", Status::Inconsistent),
        ("table1-bands-age", Status::Unverifiable),
        ("codebook-model-subthemes", Status::Inconsistent),
        ("codebook-initial-codes", Status::Consistent),
        ("codebook-main-themes", Status::Consistent),
        ("codebook-factors", Status::Consistent),
        ("codebook-primary-codes", Status::Unverifiable),
        ("cochran-n0", Status::Consistent),
        ("cochran-minimum-sample", Status::Inconsistent),
        ("sample-analysable-vs-table1", Status::Consistent),
        ("fit-ranges", Status::Consistent),
        ("fit-agfi-gfi", Status::Inconsistent),
        ("fit-rmsea-df", Status::Consistent),
        ("fit-chisq-test", Status::Unverifiable),
        ("fit-cfi-baseline", Status::Unverifiable),
        ("friedman-mean-rank-range", Status::Consistent),
        ("friedman-mean-rank-sum", Status::Inconsistent),
        ("friedman-mean-rank-partial-sums", Status::Inconsistent),
        ("friedman-chi-square", Status::Unverifiable),
        ("table5-rank-order", Status::Inconsistent),
        ("table4-rank-order", Status::Consistent),
        ("table4-vs-table5-ranks", Status::Consistent),
        ("abstract-vs-table5-ranks", Status::Consistent),
        ("abstract-vs-table5-mean-ranks", Status::Inconsistent),
        ("fit-text-agfi", Status::Consistent),
        ("paths-t-rule", Status::Consistent),
        ("paths-t-critical", Status::Consistent),
        ("paths-coefficient-rule", Status::Inconsistent),
        ("paths-implied-se", Status::Unverifiable),
        ("ks-normality-simulation", Status::Inconsistent),
        ("unit-ks-significance", Status::Inconsistent),
        ("collinearity", Status::Unverifiable),
        ("friedman-ranking-inference", Status::Inconsistent),
        ("reconstruction-summary", Status::Unverifiable),
        ("figure-offices", Status::Unverifiable),
    ];
    for (id, status) in expect {
        let f = r.get(id).unwrap_or_else(|| panic!("missing finding {id}"));
        assert_eq!(f.status, status, "{id}: {}", f.explanation);
    }
    // Kinds and severities: impossibilities and unsupported inferences are
    // high; the simulation under an assumed scale and misprints are medium;
    // the audit's own reconstruction is low.
    let expect_kind = [
        ("fit-agfi-gfi", Kind::Impossible, Severity::High),
        ("friedman-mean-rank-sum", Kind::Impossible, Severity::High),
        (
            "table1-bands-work-experience",
            Kind::Impossible,
            Severity::High,
        ),
        ("paths-coefficient-rule", Kind::Reasoning, Severity::High),
        (
            "friedman-ranking-inference",
            Kind::Reasoning,
            Severity::High,
        ),
        (
            "table1-percent-education-level-masters-degree-and-above",
            Kind::Rounding,
            Severity::Medium,
        ),
        ("cochran-minimum-sample", Kind::Rounding, Severity::Medium),
        ("unit-ks-significance", Kind::Rounding, Severity::Medium),
        (
            "codebook-model-subthemes",
            Kind::Contradiction,
            Severity::Medium,
        ),
        ("table5-rank-order", Kind::Contradiction, Severity::Medium),
        (
            "ks-normality-simulation",
            Kind::AssumptionDependent,
            Severity::Medium,
        ),
        (
            "reconstruction-summary",
            Kind::Reconstruction,
            Severity::Low,
        ),
        ("fit-rmsea-df", Kind::Rounding, Severity::None),
        ("fit-chisq-test", Kind::Rounding, Severity::Low),
        ("figure-offices", Kind::Unchecked, Severity::Low),
    ];
    for (id, kind, severity) in expect_kind {
        let f = r.get(id).unwrap();
        assert_eq!((f.kind, f.severity), (kind, severity), "{id}");
    }
    // Key recomputed values.
    assert_eq!(
        r.get("fit-rmsea-df").unwrap().recomputed,
        Recomputed::interval(333.0, 338.0)
    );
    assert_eq!(
        r.get("cochran-minimum-sample").unwrap().recomputed,
        Recomputed::Value(385.0)
    );
    assert_eq!(
        r.get("table5-rank-order").unwrap().recomputed,
        Recomputed::Value(2.0)
    );
    assert_eq!(
        r.get("codebook-primary-codes").unwrap().recomputed,
        Recomputed::Value(462.0)
    );
    // The twelve candidate structures (57 models) are one finding that lists them.
    let rec = r.get("reconstruction-summary").unwrap();
    assert_eq!(rec.recomputed, Recomputed::Value(0.0));
    for candidate in [
        "Candidates (12): ",
        "themes-cfa-correlated — 26 themes on 10 correlated dimension factors: p = 26, p(p+1)/2 = 351, q = 95, df = 256; none in range",
        "subthemes-cfa-correlated — 78 sub-themes on 10 correlated dimension factors: p = 78, p(p+1)/2 = 3081, q = 201, df = 2880; none in range",
        "k = 3: 324, k = 4: 352",
    ] {
        assert!(rec.explanation.contains(candidate), "{candidate}: {}", rec.explanation);
    }
    assert_eq!(
        r.findings
            .iter()
            .filter(|f| f.id.starts_with("reconstruction-"))
            .count(),
        1
    );
    assert_eq!(
        r.get("ks-normality-simulation").unwrap().recomputed,
        Recomputed::Value(0.0)
    );
    // Every finding has a source, a method and an explanation; ids are unique.
    let mut ids = std::collections::HashSet::new();
    for f in &r.findings {
        assert!(ids.insert(f.id.clone()), "duplicate id {}", f.id);
        assert!(
            !f.source.is_empty() && !f.method.is_empty() && !f.explanation.is_empty(),
            "{f:?}"
        );
    }
    // Every published text figure is covered by some finding.
    let s = r.summary();
    assert_eq!(
        s.consistent + s.inconsistent + s.unverifiable,
        r.findings.len()
    );
}

#[test]
fn report_renders_grouped_text_html_and_json() {
    let r = audit(&contracting_model(), &options());
    let text = r.to_text();
    for group in [
        "Audit — Abstract",
        "Audit — Methods",
        "Audit — Results",
        "Audit — Table 1",
        "Audit — Table 5",
        "Audit summary",
    ] {
        assert!(text.contains(group), "{group}");
    }
    assert!(text.starts_with(&r.summary_paragraph()));
    assert!(
        text.contains(
            "13 inconsistent, 10 unverifiable. By severity: 6 high, 7 medium, 10 low. \
             What matters most: Work experience: category bands (Table 1, impossible"
        ) && text.contains("AGFI ≤ GFI (Table 3, impossible: fit-agfi-gfi)"),
        "{text}"
    );
    let html = r.to_html();
    assert!(html.contains("AGFI can never exceed GFI"));
    assert!(html.contains("<p class=\"audit-summary\">"));
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(
        json.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["findings"]
    );
    assert_eq!(json["findings"].as_array().unwrap().len(), r.findings.len());
}

#[test]
fn the_delphi_paper_is_audited_only_where_it_has_figures() {
    let r = audit(&strategic_purchasing(), &options());
    assert_eq!(r.get("codebook-themes").unwrap().status, Status::Consistent);
    assert_eq!(
        r.get("codebook-subthemes").unwrap().status,
        Status::Unverifiable
    );
    assert_eq!(r.get("figure-year").unwrap().status, Status::Unverifiable);
    assert!(r
        .findings
        .iter()
        .all(|f| !f.id.starts_with("fit-") && !f.id.starts_with("friedman-")));
}

#[test]
fn the_simulation_is_reproducible() {
    let a = audit(&contracting_model(), &options());
    let b = audit(&contracting_model(), &options());
    assert_eq!(a, b);
}

#[test]
fn paper_fit_test_and_critical_value_match_scipy() {
    let r = fixture("scipy_reference.json");
    let report = audit(
        &contracting_model(),
        &AuditOptions {
            replications: 10,
            ..AuditOptions::default()
        },
    );
    match report.get("fit-chisq-test").unwrap().recomputed {
        Recomputed::Interval { lower, upper } => {
            assert!(
                close_rel(lower, f(&r["chi2_fit_test_interval"]["lower"]), 1e-4),
                "{lower}"
            );
            assert!(
                close_rel(upper, f(&r["chi2_fit_test_interval"]["upper"]), 1e-4),
                "{upper}"
            );
        }
        other => panic!("{other:?}"),
    }
    match report.get("paths-t-critical").unwrap().recomputed {
        Recomputed::Value(z) => assert!((z - f(&r["normal_critical_0975"])).abs() < 1e-9, "{z}"),
        other => panic!("{other:?}"),
    }
}
