//! The sample size an SEM needs, set beside the one a paper justified.
//!
//! Cochran's formula sizes the estimate of a proportion; a study that goes on
//! to fit a structural equation model needs a sample for that model. The
//! usual answer (MacCallum, Browne & Sugawara 1996) is the power of the RMSEA
//! tests at the model's df, computed here by [`crate::sample_size::sem`] for
//! every df the published fit allows (printed, or bracketed from χ², RMSEA
//! and N by [`super::identities`]).

use super::finding::{fmt_number, Finding, Kind, Recomputed};
use super::identities::{implied_df, ImpliedDf};
use super::sample_size;
use crate::claims::Claims;
use crate::sample_size::sem::{
    sem_sample_size, RmseaDesign, SemSampleSize, SemSampleSizeInput, SemSolve, DEFAULT_ALPHA,
    DEFAULT_POWER, DEFAULT_RMSEA0, DEFAULT_RMSEA1,
};

/// The alternative RMSEA of the test of not-close fit (MacCallum et al.'s
/// 0.05 against 0.01).
pub const NOT_CLOSE_RMSEA1: f64 = 0.01;

/// The minimum N of both RMSEA tests (close fit 0.05 vs 0.08, not-close fit
/// 0.05 vs 0.01; α = 0.05, power 0.80) at the smallest and largest df in
/// `df` (power falls with df, so the ends bound every df between).
pub fn minimum_samples(df: (u64, u64)) -> crate::error::Result<Vec<SemSampleSize>> {
    let mut out = Vec::new();
    let ends = if df.0 == df.1 {
        vec![df.0]
    } else {
        vec![df.0, df.1]
    };
    for rmsea1 in [DEFAULT_RMSEA1, NOT_CLOSE_RMSEA1] {
        for &d in &ends {
            out.push(sem_sample_size(&SemSampleSizeInput {
                design: RmseaDesign {
                    df: d,
                    rmsea0: DEFAULT_RMSEA0,
                    rmsea1,
                    alpha: DEFAULT_ALPHA,
                },
                solve: SemSolve::MinimumN {
                    power: DEFAULT_POWER,
                },
            })?);
        }
    }
    Ok(out)
}

pub(super) fn check(claims: &Claims) -> Option<Finding> {
    let fit = claims.fit.as_ref()?;
    let (n, n_source) = sample_size(claims)?;
    let ImpliedDf { range, printed, .. } = implied_df(fit, claims);
    let f = Finding::new(
        "sem-sample-size",
        &fit.source,
        "sample size for the SEM (RMSEA power), beside Cochran's",
    )
    .kind(Kind::Reasoning)
    .published(format!("N = {} ({n_source})", n.text))
    .method(
        "minimum N with power 0.80 at α = 0.05 for the RMSEA tests of close fit (0.05 vs 0.08) and not-close \
         fit (0.05 vs 0.01), MacCallum, Browne & Sugawara (1996), as semTools' findRMSEAsamplesize",
    );
    let f = match claims.figure("cochran_n0") {
        Some(c) => f.uses(&c.id),
        None => f,
    };
    let Some(df) = range else {
        return Some(f.explanation(
            "The published fit does not determine the model's degrees of freedom (see fit-rmsea-df), which the \
             RMSEA power analysis needs.",
        ));
    };
    let answers = match minimum_samples(df) {
        Ok(a) => a,
        Err(e) => return Some(f.explanation(format!("The power analysis failed: {e}."))),
    };
    let lo = answers.iter().map(|a| a.n).min().unwrap_or(0);
    let hi = answers.iter().map(|a| a.n).max().unwrap_or(0);
    let close: Vec<String> = answers
        .iter()
        .filter(|a| a.rmsea1 > a.rmsea0)
        .map(|a| format!("{} at df {}", a.n, a.df))
        .collect();
    let not_close: Vec<String> = answers
        .iter()
        .filter(|a| a.rmsea1 < a.rmsea0)
        .map(|a| format!("{} at df {}", a.n, a.df))
        .collect();
    let df_text = if df.0 == df.1 {
        format!("df = {}", df.0)
    } else {
        format!("df {}–{}", df.0, df.1)
    };
    let df_source = if printed {
        "as printed"
    } else {
        "the df that the printed χ², RMSEA and N allow, see fit-rmsea-df"
    };
    let enough = n.value >= hi as f64;
    let verdict = if enough {
        format!(
            "The {} responses exceed both, so the sample suffices for the RMSEA tests of this model — although \
             Cochran's formula, which the paper used, sizes the estimate of a proportion, not a model.",
            n.text
        )
    } else {
        format!(
            "The {} responses fall short of {hi}: the model's RMSEA tests lack power at this N, whatever \
             Cochran's formula for a proportion says.",
            n.text
        )
    };
    Some(
        f.recomputed(Recomputed::interval(lo as f64, hi as f64))
            .holds(enough)
            .explanation(format!(
                "At {df_text} ({df_source}), 80 % power at α = {} needs N ≥ {} for the test of close fit and \
                 N ≥ {} for the test of not-close fit. {verdict} RMSEA power speaks only to the test of fit; \
                 the precision of single paths is another matter.",
                fmt_number(DEFAULT_ALPHA),
                close.join(" and "),
                not_close.join(" and "),
            )),
    )
}

#[cfg(test)]
mod tests {
    use super::super::finding::Status;
    use super::*;

    fn claims(n: &str, fit: &str) -> Claims {
        Claims::from_json_str(
            "t.json",
            &format!(
                r#"{{"format":"paraclinic-claims/1","study":{{"id":"t","title":"t"}},
                "figures":[{{"id":"analysable","quantity":"n","value":"{n}","source":"Methods","quote":"q"}}],
                "fit":{{"source":"Table 3","indices":[{fit}]}}}}"#
            ),
        )
        .unwrap()
    }

    #[test]
    fn minimum_n_matches_semtools_at_the_ends_of_the_df_range() {
        // semTools 0.5: findRMSEAsamplesize(0.05, 0.08, 333, .8) = 62,
        // findRMSEAsamplesize(0.05, 0.01, 333, .8) = 91, (…, 338, .8) = 90.
        let a = minimum_samples((333, 338)).unwrap();
        let got: Vec<(u64, f64, u64)> = a.iter().map(|s| (s.df, s.rmsea1, s.n)).collect();
        assert_eq!(
            got,
            vec![
                (333, 0.08, 62),
                (338, 0.08, 62),
                (333, 0.01, 91),
                (338, 0.01, 90)
            ]
        );
    }

    #[test]
    fn verdict_follows_n_against_the_larger_minimum() {
        let fit = r#"{"name":"chisq","label":"χ2","value":"40.2"},{"name":"df","label":"df","value":"20"}"#;
        // df = 20: close fit needs 434, not-close fit 474 (semTools 0.5).
        let big = check(&claims("500", fit)).unwrap();
        assert_eq!(big.status, Status::Consistent);
        assert_eq!(big.recomputed.display(), "[434, 474]");
        let small = check(&claims("450", fit)).unwrap();
        assert_eq!(small.status, Status::Inconsistent);
        assert!(small.explanation.contains("fall short of 474"));
    }

    #[test]
    fn no_df_no_verdict() {
        let fit = r#"{"name":"chisq","label":"χ2","value":"40.2"}"#;
        let f = check(&claims("500", fit)).unwrap();
        assert_eq!(f.status, Status::Unverifiable);
    }
}
