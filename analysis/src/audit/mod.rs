//! # Audit of a paper's published figures
//!
//! Checks whether the numbers a paper publishes hold together, as a careful
//! statistical reviewer would: arithmetic (counts, percentages, totals,
//! Cochran's formula), statistical identities among fit indices, constraints on
//! Friedman mean ranks, consistency of orders and figures across tables and
//! text, methodological claims the evidence cannot support, and which model
//! structures built from the reported codebook are compatible with the reported
//! fit. Input is a claims file ([`crate::claims::Claims`]); every check runs
//! only on the sections present, and says `unverifiable` with a reason where the
//! data do not allow a verdict.
//!
//! Rounding is handled as statcheck (Nuijten et al. 2016) and GRIM (Brown &
//! Heathers 2017) do: a published value is consistent when it lies inside the
//! interval its inputs allow at their printed precision
//! ([`crate::claims::Reported::interval`]); intervals are closed, so a value
//! on a rounding boundary is given the benefit of the doubt.
//!
//! Text figures are found by their `id` in the claims file. The ids the checks
//! read: `cochran_n0`, `cochran_z` (optional `cochran_p`, `cochran_e`),
//! `minimum_sample`, `distributed`, `collected_initially`, `analysable`,
//! `ks_significance`, `collinearity_threshold`, `max_correlation`,
//! `t_critical`, `friedman_p`, `path_significance_rule`, `text_<index>` (a fit
//! index repeated in the text, e.g. `text_agfi`); counts of codes, sub-themes,
//! themes and dimensions are recognised by their `quantity`. Figures no check
//! uses are listed as `unverifiable`.
//!
//! Missing values: a claims file has none; an absent section or figure skips
//! the checks that need it.

mod arithmetic;
mod consistency;
mod finding;
mod friedman;
mod identities;
mod methodology;
mod reconstruction;
mod sem_power;

pub use finding::{fmt_number, AuditReport, Finding, Kind, Recomputed, Severity, Status, Summary};
pub use identities::{df_interval_from_rmsea, implied_df_range, integer_df_range};
pub use methodology::{simulate_likert_ks, LikertSimulation, LIKERT_SHIFTS};
pub use reconstruction::{candidate_models, CandidateModel};
pub use sem_power::{minimum_samples, NOT_CLOSE_RMSEA1};

use crate::claims::{Claims, Reported};
use std::collections::HashSet;

/// Settings of the checks that involve choices the paper does not make.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditOptions {
    /// Seed of the Likert simulation (results are reproducible).
    pub seed: u64,
    /// Simulated samples per threshold scenario in the normality check.
    pub replications: usize,
    /// Response points of a questionnaire item (the paper does not state its
    /// scale; 5-point Likert items are assumed).
    pub likert_points: usize,
    /// Largest number of indicators of the outcome factor tried when
    /// reconstructing the model (the paper does not report it).
    pub max_outcome_indicators: usize,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            seed: 20_240_385,
            replications: 1000,
            likert_points: 5,
            max_outcome_indicators: 10,
        }
    }
}

/// Audits every section present in `claims`. Findings come in the order of
/// the checks (arithmetic, identities, Friedman, consistency, methodology,
/// SEM sample size, reconstruction), then the text figures no check used.
///
/// A table of 10 respondents in which 6 of 10 is printed as 65.0 %:
///
/// ```
/// use analysis::audit::{audit, AuditOptions, Status};
/// use analysis::claims::Claims;
///
/// let claims = Claims::from_json_str("example.json", r#"{
///   "format": "paraclinic-claims/1",
///   "study": {"id": "example", "title": "An example"},
///   "demographics": {"source": "Table 1", "n": "10", "variables": [
///     {"name": "Gender", "groups": [
///       {"group": "Female", "frequency": "4", "percent": "40.0"},
///       {"group": "Male", "frequency": "6", "percent": "65.0"}]}]}
/// }"#).unwrap();
/// let report = audit(&claims, &AuditOptions::default());
/// let female = report.get("table1-percent-gender-female").unwrap();
/// assert_eq!(female.status, Status::Consistent);
/// let male = report.get("table1-percent-gender-male").unwrap();
/// assert_eq!(male.status, Status::Inconsistent);
/// assert_eq!(male.recomputed.display(), "60");
/// assert!(report.summary().inconsistent >= 1);
/// ```
pub fn audit(claims: &Claims, options: &AuditOptions) -> AuditReport {
    // Each module's checks are mostly of one kind; a check of another kind
    // says so where it is made (`Finding::kind`), and keeps it here.
    let mut findings = Vec::new();
    findings.extend(of_kind(arithmetic::check(claims), Kind::Rounding));
    findings.extend(of_kind(identities::check(claims), Kind::Impossible));
    findings.extend(of_kind(friedman::check(claims), Kind::Impossible));
    findings.extend(of_kind(consistency::check(claims), Kind::Contradiction));
    findings.extend(of_kind(
        methodology::check(claims, options),
        Kind::Reasoning,
    ));
    findings.extend(sem_power::check(claims));
    findings.extend(of_kind(
        reconstruction::check(claims, options),
        Kind::Reconstruction,
    ));
    let used: HashSet<String> = findings.iter().flat_map(|f| f.figures.clone()).collect();
    for fig in &claims.figures {
        if !used.contains(&fig.id) {
            findings.push(
                Finding::new(
                    format!("figure-{}", slug(&fig.id)),
                    &fig.source,
                    &fig.quantity,
                )
                .published(&fig.value.text)
                .method("none applies")
                .explanation(format!(
                    "No other figure the paper publishes constrains \"{}\" ({}), so it \
                         can be neither confirmed nor contradicted from the paper alone.",
                    fig.quote, fig.value.text
                ))
                .uses(&fig.id),
            );
        }
    }
    for f in &mut findings {
        f.severity = Severity::of(f.kind, f.status);
    }
    AuditReport { findings }
}

/// Gives `kind` to the findings whose check did not name its own.
fn of_kind(findings: Vec<Finding>, kind: Kind) -> impl Iterator<Item = Finding> {
    findings.into_iter().map(move |f| {
        if f.kind == Kind::Unchecked {
            f.kind(kind)
        } else {
            f
        }
    })
}

/// The sample size the claims report: Table 1's N, else the `analysable`
/// figure, else `n`. Returns the value and where it is printed.
pub(crate) fn sample_size(claims: &Claims) -> Option<(Reported, String)> {
    if let Some(d) = &claims.demographics {
        return Some((d.n.clone(), d.source.clone()));
    }
    ["analysable", "n"].iter().find_map(|id| {
        claims
            .figure(id)
            .map(|f| (f.value.clone(), f.source.clone()))
    })
}

/// Lower-case ASCII identifier with dashes: "Master's degree and above" →
/// "masters-degree-and-above".
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if c != '\'' && c != '’' {
            dash = true;
        }
    }
    out
}

/// Names compared without case and surrounding space.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// A printed number, for building constructed claims in tests.
#[cfg(test)]
pub(crate) fn rep(text: &str) -> Reported {
    Reported::parse(text).expect("test number")
}

/// Claims with only the given JSON sections (a fragment such as
/// `"fit": {...}`), for constructed tests.
#[cfg(test)]
pub(crate) fn claims_with(sections: &str) -> Claims {
    let sep = if sections.trim().is_empty() { "" } else { "," };
    let json = format!(
        r#"{{"format":"paraclinic-claims/1","study":{{"id":"t","title":"test"}}{sep}{sections}}}"#
    );
    Claims::from_json_str("test.json", &json).expect("test claims")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_stable_identifiers() {
        assert_eq!(
            slug("Master's degree and above"),
            "masters-degree-and-above"
        );
        assert_eq!(slug("  30 to 40 years old"), "30-to-40-years-old");
    }

    #[test]
    fn uncovered_figures_are_listed_as_unverifiable() {
        let c = claims_with(
            r#""figures":[{"id":"experts","quantity":"experts interviewed","value":"11","source":"Methods","quote":"11 experts"}]"#,
        );
        let r = audit(&c, &AuditOptions::default());
        let f = r.get("figure-experts").unwrap();
        assert_eq!(
            (f.status, f.source.as_str()),
            (Status::Unverifiable, "Methods")
        );
        // A claims file with nothing in it gives no findings at all.
        assert!(audit(&claims_with(""), &AuditOptions::default())
            .findings
            .is_empty());
    }

    #[test]
    fn sample_size_prefers_table_1() {
        let c = claims_with(
            r#""figures":[{"id":"analysable","quantity":"n","value":"380","source":"Methods","quote":"q"}]"#,
        );
        assert_eq!(sample_size(&c).unwrap().0.value, 380.0);
        let with_table_1 = claims_with(
            r#""demographics":{"source":"Table 1","n":"385","variables":[]},"figures":[{"id":"analysable","quantity":"n","value":"380","source":"Methods","quote":"q"}]"#,
        );
        let (n, source) = sample_size(&with_table_1).unwrap();
        assert_eq!((n.value, source.as_str()), (385.0, "Table 1"));
    }
}
