//! Step 9 — audit of the published figures ([`analysis::audit`]): every check
//! of arithmetic, fit identities, Friedman constraints, cross-table
//! consistency, methodology and model reconstruction, as a comparison of the
//! published figure with what the other published figures imply.

use super::common::{impl_step_render, step_fields, Comparison, ProvTable, Step, Value, Verdict};
use analysis::audit::{audit, fmt_number, AuditOptions, AuditReport, Recomputed, Status};
use analysis::claims::{Claims, Reported};
use analysis::error::Result;
use analysis::render::Provenance;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditStep {
    pub id: &'static str,
    pub title: &'static str,
    pub report: AuditReport,
    pub comparisons: Vec<Comparison>,
    pub notice: Vec<String>,
}

/// Audits the claims with the audit's default options.
pub fn run(claims: &Claims) -> Result<AuditStep> {
    let report = audit(claims, &AuditOptions::default());
    let r = Provenance::Recomputed;
    let comparisons = report
        .findings
        .iter()
        .map(|f| {
            let published = Reported::parse(&f.published).map(|p| Value::published(&p));
            let ours = match f.recomputed {
                Recomputed::Value(v) => Some(Value::with_text(v, fmt_number(v), r)),
                Recomputed::Interval { lower, upper } => Some(Value {
                    value: (lower + upper) / 2.0,
                    text: format!("[{}, {}]", fmt_number(lower), fmt_number(upper)),
                    provenance: r,
                    bound: None,
                    interval: Some([lower, upper]),
                }),
                Recomputed::None => None,
            };
            let verdict = match f.status {
                Status::Consistent => Verdict::Agrees,
                Status::Inconsistent => Verdict::Differs,
                Status::Unverifiable if ours.is_none() => Verdict::PublishedOnly,
                Status::Unverifiable => Verdict::NotComparable,
            };
            let note = if published.is_none() && !f.published.is_empty() {
                format!("published: {}. {}", f.published, f.explanation)
            } else {
                f.explanation.clone()
            };
            Comparison::new(&f.quantity, &f.source, published, ours, verdict).with_note(note)
        })
        .collect::<Vec<_>>();
    let inconsistent = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Inconsistent)
        .count();
    let notice = vec![
        // The ranked summary first: what matters, by severity (issue 16).
        report.summary_paragraph(),
        format!(
            "{} of {} checks find a published figure inconsistent with the paper's other figures.",
            inconsistent,
            report.findings.len()
        ),
        "An inconsistency means the printed numbers cannot all be right as printed; it does not say which one is wrong.".to_owned(),
    ];
    Ok(AuditStep {
        id: super::AUDIT.id,
        title: super::AUDIT.title,
        report,
        comparisons,
        notice,
    })
}

impl Step for AuditStep {
    step_fields!(id, title, comparisons, notice);
    fn provenance(&self) -> Provenance {
        Provenance::Recomputed
    }
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        Vec::new()
    }
    fn summary(&self) -> String {
        let count = |s: Status| {
            self.report
                .findings
                .iter()
                .filter(|f| f.status == s)
                .count()
        };
        format!(
            "{} checks: {} consistent, {} inconsistent, {} unverifiable",
            self.report.findings.len(),
            count(Status::Consistent),
            count(Status::Inconsistent),
            count(Status::Unverifiable)
        )
    }
}

impl_step_render!(AuditStep);
