//! Nested-model comparison: the χ² difference test of lavaan's
//! `lavTestLRT` (lavaan 0.6 is the reference, `tests/reference/sem_groups.R`).
//!
//! Models are ordered by their degrees of freedom, fewest first (as
//! `lavTestLRT`), and each is tested against the one before it: the model
//! with more degrees of freedom (`to`, more restricted) against the one
//! with fewer (`from`). With ML the difference of the χ² is referred to
//! χ²(Δdf). With a robust estimator (MLM, MLR) the difference of the
//! unscaled χ² is divided by the Satorra–Bentler (2001) scaling factor
//! `c_d = (df₀·c₀ − df₁·c₁)/(df₀ − df₁)` (0: the restricted model, c the
//! models' scaling factors), lavaan's default `satorra.bentler.2001`.
//! With WLSMV (whose models carry the scaled-and-shifted test) it is
//! lavaan's `satorra.2000`: the scaled-and-shifted difference of
//! [`super::scaled_shifted_difference`], `a·Δχ² + b` on Δdf. DWLS, ULS and
//! GLS carry the standard test, so their difference is the plain one, as
//! lavaan's.
//!
//! Models that cannot be nested are refused: equal degrees of freedom,
//! different observed variables, groups or numbers of cases, different
//! estimators, or a restricted model that fits better than the model it
//! should restrict (χ² lower by more than rounding). These cheap necessary
//! conditions come first; then, when both models carry a
//! [`ComparedModel::refit`] (ML, MLM, MLR, with or without means and
//! groups), the sufficient check of semTools' `net()`
//! ([`super::nesting`]): the less restricted model must reproduce the
//! moments the other implies.
//!
//! ```
//! use analysis::sem::compare::{compare, ComparedModel};
//! let free = ComparedModel::new("free", 24.0, 8.0, vec!["x1".into(), "x2".into()], 300);
//! let restricted = ComparedModel::new("restricted", 30.0, 10.0, free.observed.clone(), 300);
//! let c = compare(vec![restricted, free])?;
//! assert_eq!(c.tests[0].from, "free");
//! assert_eq!((c.tests[0].chisq_diff, c.tests[0].df_diff), (6.0, 2.0));
//! // P(χ²₂ > 6) = e⁻³.
//! assert!((c.tests[0].pvalue - (-3.0f64).exp()).abs() < 1e-12);
//! # Ok::<(), analysis::AnalysisError>(())
//! ```

use super::fit::chisq_sf;
use super::groups::MultiGroupFit;
use super::nesting::{refit_chisq, Refit, NESTING_CRITERION};
use super::scaled_shifted_difference::scaled_shifted_difference;
use super::wls::TestPieces;
use super::{Estimator, FitMeasures, SemFit};
use crate::error::{AnalysisError, Result};
use serde::Serialize;

/// What a difference test needs of a fitted model, and the measures shown
/// beside it.
#[derive(Debug, Clone, Serialize)]
pub struct ComparedModel {
    /// Its name (e.g. the model file).
    pub model: String,
    /// Degrees of freedom.
    pub df: f64,
    /// The (unscaled) χ².
    pub chisq: f64,
    /// Free parameters.
    pub npar: Option<usize>,
    /// AIC.
    pub aic: Option<f64>,
    /// BIC.
    pub bic: Option<f64>,
    /// CFI.
    pub cfi: Option<f64>,
    /// RMSEA.
    pub rmsea: Option<f64>,
    /// The scaled χ² (MLM, MLR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chisq_scaled: Option<f64>,
    /// Its scaling factor c (MLM, MLR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chisq_scaling_factor: Option<f64>,
    /// The estimator.
    pub estimator: Estimator,
    /// What the scaled-shifted difference needs (least squares; not
    /// serialized).
    #[serde(skip)]
    pub test_pieces: Option<TestPieces>,
    /// What the nesting check refits (see [`super::nesting`]; `None`: only
    /// the necessary conditions are checked; not serialized).
    #[serde(skip)]
    pub refit: Option<Refit>,
    /// The observed variables (for the nesting checks; not serialized).
    #[serde(skip)]
    pub observed: Vec<String>,
    /// Cases per group (one entry without groups; not serialized).
    #[serde(skip)]
    pub nobs: Vec<usize>,
}

impl ComparedModel {
    /// A model known only by its χ² and df (ML).
    pub fn new(model: &str, chisq: f64, df: f64, observed: Vec<String>, nobs: usize) -> Self {
        ComparedModel {
            model: model.to_owned(),
            df,
            chisq,
            npar: None,
            aic: None,
            bic: None,
            cfi: None,
            rmsea: None,
            chisq_scaled: None,
            chisq_scaling_factor: None,
            estimator: Estimator::ML,
            test_pieces: None,
            refit: None,
            observed,
            nobs: vec![nobs],
        }
    }

    fn with_measures(model: &str, f: &FitMeasures, estimator: Estimator) -> Self {
        let robust = f.robust.as_ref();
        ComparedModel {
            model: model.to_owned(),
            df: f.df,
            chisq: f.chisq,
            npar: Some(f.npar),
            aic: Some(f.aic),
            bic: Some(f.bic),
            cfi: Some(f.cfi),
            rmsea: Some(f.rmsea),
            chisq_scaled: robust.and_then(|r| r.chisq_scaled),
            chisq_scaling_factor: robust.and_then(|r| r.chisq_scaling_factor),
            estimator,
            test_pieces: None,
            refit: None,
            observed: Vec::new(),
            nobs: Vec::new(),
        }
    }

    /// A fitted one-group model.
    pub fn of_fit(model: &str, fit: &SemFit) -> Self {
        ComparedModel {
            observed: fit.table.observed.clone(),
            nobs: vec![fit.nobs],
            test_pieces: fit.test_pieces.clone(),
            ..ComparedModel::with_measures(model, &fit.fit, fit.estimator)
        }
    }

    /// A fitted multi-group model.
    pub fn of_groups(model: &str, fit: &MultiGroupFit) -> Self {
        ComparedModel {
            observed: fit
                .tables
                .first()
                .map(|t| t.observed.clone())
                .unwrap_or_default(),
            nobs: fit.nobs.clone(),
            test_pieces: fit.test_pieces.clone(),
            ..ComparedModel::with_measures(model, &fit.fit, fit.estimator)
        }
    }
}

/// One χ² difference test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DifferenceTest {
    /// The less restricted model (fewer df).
    pub from: String,
    /// The more restricted model.
    pub to: String,
    /// The (scaled) χ² difference.
    pub chisq_diff: f64,
    /// The difference of the degrees of freedom.
    pub df_diff: f64,
    /// P(χ²(Δdf) > difference).
    pub pvalue: f64,
    /// lavaan's name of the method: `standard`, `satorra.bentler.2001` or
    /// `satorra.2000`.
    pub method: &'static str,
    /// The scale a of `satorra.2000` (lavaan's `attr(, "scale")`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// The shift b of `satorra.2000` (lavaan's `attr(, "shift")`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shift: Option<f64>,
}

/// The models (fewest df first) and the test of each against the previous.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The models, ordered by df.
    pub models: Vec<ComparedModel>,
    /// One test per consecutive pair.
    pub tests: Vec<DifferenceTest>,
}

/// Largest amount by which a restricted model's χ² may fall below the
/// χ² of the model it restricts and still be taken as nested: the
/// optimiser's rounding (χ² is N·F with F accurate to ~1e-10 relative).
const NESTING_SLACK: f64 = 1e-6;

/// The χ² difference test of `restricted` (more df) against `free`.
///
/// ```
/// use analysis::sem::compare::{difference_test, ComparedModel};
/// use analysis::sem::Estimator;
/// let vars = vec!["a".to_string(), "b".to_string()];
/// let mut free = ComparedModel::new("free", 20.0, 10.0, vars.clone(), 200);
/// let mut restricted = ComparedModel::new("restricted", 30.0, 12.0, vars, 200);
/// for (m, c) in [(&mut free, 1.2), (&mut restricted, 1.25)] {
///     m.estimator = Estimator::MLM;
///     m.chisq_scaling_factor = Some(c);
/// }
/// let t = difference_test(&free, &restricted)?;
/// // c_d = (12·1.25 − 10·1.2) / 2 = 1.5; T = 10 / 1.5.
/// assert!((t.chisq_diff - 10.0 / 1.5).abs() < 1e-12);
/// assert_eq!(t.method, "satorra.bentler.2001");
/// # Ok::<(), analysis::AnalysisError>(())
/// ```
pub fn difference_test(free: &ComparedModel, restricted: &ComparedModel) -> Result<DifferenceTest> {
    check_nested(free, restricted)?;
    let df_diff = restricted.df - free.df;
    let raw = restricted.chisq - free.chisq;
    let mut scale_shift = None;
    let (chisq_diff, method) = match restricted.estimator {
        // These carry the standard test: lavTestLRT takes the plain
        // difference.
        Estimator::ML | Estimator::GLS | Estimator::DWLS | Estimator::ULS => (raw, "standard"),
        Estimator::WLSMV => {
            fn pieces(m: &ComparedModel) -> Result<&TestPieces> {
                m.test_pieces.as_ref().ok_or_else(|| {
                    AnalysisError::computation(format!(
                        "the scaled-shifted difference needs the least-squares pieces (Δ, W, Γ) of {}, which its fit did not keep",
                        m.model
                    ))
                })
            }
            let d = scaled_shifted_difference(pieces(free)?, pieces(restricted)?, raw, df_diff)
                .map_err(|e| {
                    AnalysisError::computation(format!(
                        "the WLSMV difference test of {} against {}: {e}",
                        restricted.model, free.model
                    ))
                })?;
            scale_shift = Some((d.scale, d.shift));
            (d.statistic, "satorra.2000")
        }
        Estimator::MLM | Estimator::MLR => {
            let (Some(c1), Some(c0)) = (
                free.chisq_scaling_factor
                    .or((free.df == 0.0).then_some(1.0)),
                restricted.chisq_scaling_factor,
            ) else {
                return Err(AnalysisError::computation(format!(
                    "the scaled difference test needs both models' scaling factors; {} or {} has none (no degrees of freedom or a negative trace)",
                    free.model, restricted.model
                )));
            };
            let cd = (restricted.df * c0 - free.df * c1) / df_diff;
            if !(cd.is_finite() && cd > 0.0) {
                return Err(AnalysisError::computation(format!(
                    "the Satorra–Bentler (2001) scaling factor of the difference between {} and {} is {cd:.4} (not positive): the scaled difference cannot be computed; compare the models with ML or check that they are nested",
                    free.model, restricted.model
                )));
            }
            (raw / cd, "satorra.bentler.2001")
        }
    };
    Ok(DifferenceTest {
        from: free.model.clone(),
        to: restricted.model.clone(),
        chisq_diff,
        df_diff,
        pvalue: chisq_sf(chisq_diff.max(0.0), df_diff),
        method,
        scale: scale_shift.map(|(a, _)| a),
        shift: scale_shift.map(|(_, b)| b),
    })
}

fn not_nested(a: &ComparedModel, b: &ComparedModel, why: String) -> AnalysisError {
    AnalysisError::unsuitable(
        crate::error::Location::source(&b.model),
        format!(
            "{} and {} are not nested models: {why}; a χ² difference test compares a model with a restricted version of itself fitted to the same data",
            a.model, b.model
        ),
    )
}

fn check_nested(free: &ComparedModel, restricted: &ComparedModel) -> Result<()> {
    if free.estimator != restricted.estimator {
        return Err(not_nested(
            free,
            restricted,
            format!(
                "they were fitted with different estimators ({} and {})",
                free.estimator.as_str(),
                restricted.estimator.as_str()
            ),
        ));
    }
    if free.df == restricted.df {
        return Err(not_nested(
            free,
            restricted,
            format!("both have {} degrees of freedom", free.df),
        ));
    }
    let mut a = free.observed.clone();
    let mut b = restricted.observed.clone();
    a.sort();
    b.sort();
    if a != b {
        let only = |x: &[String], y: &[String]| {
            x.iter()
                .filter(|v| !y.contains(v))
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(not_nested(
            free,
            restricted,
            format!(
                "they model different observed variables (only in {}: {}; only in {}: {})",
                free.model,
                or_none(only(&a, &b)),
                restricted.model,
                or_none(only(&b, &a))
            ),
        ));
    }
    if free.nobs != restricted.nobs {
        return Err(not_nested(
            free,
            restricted,
            format!(
                "they were fitted to different cases (N per group {:?} and {:?})",
                free.nobs, restricted.nobs
            ),
        ));
    }
    let slack = NESTING_SLACK * free.chisq.abs().max(1.0);
    if restricted.chisq < free.chisq - slack {
        return Err(not_nested(
            free,
            restricted,
            format!(
                "{} has more degrees of freedom ({}) but a lower χ² ({:.4} < {:.4}), so it cannot be a restricted version of {}",
                restricted.model, restricted.df, restricted.chisq, free.chisq, free.model
            ),
        ));
    }
    // The sufficient check last (it fits a model again): semTools' net().
    if let (Some(f), Some(r)) = (&free.refit, &restricted.refit) {
        if let Some(chisq) = refit_chisq(f, r) {
            if chisq >= NESTING_CRITERION {
                return Err(not_nested(
                    free,
                    restricted,
                    format!(
                        "{} fitted to the moments that {} implies has χ² = {chisq:.4} (nested models reproduce them: χ² < {NESTING_CRITERION:e}, semTools' net() criterion), so {} can describe data that {} cannot",
                        free.model, restricted.model, restricted.model, free.model
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn or_none(s: String) -> String {
    if s.is_empty() {
        "none".to_owned()
    } else {
        s
    }
}

/// Orders the models by df (fewest first) and tests each against the
/// previous one (lavTestLRT); at least two models.
pub fn compare(mut models: Vec<ComparedModel>) -> Result<Comparison> {
    if models.len() < 2 {
        return Err(AnalysisError::invalid_argument(
            "model",
            format!("{} model(s)", models.len()),
            "at least two models to compare",
        ));
    }
    models.sort_by(|a, b| a.df.total_cmp(&b.df));
    let tests = models
        .windows(2)
        .map(|w| difference_test(&w[0], &w[1]))
        .collect::<Result<_>>()?;
    Ok(Comparison { models, tests })
}

impl crate::Render for Comparison {
    /// The models (fewest df first) and the difference tests.
    fn tables(&self) -> Vec<crate::render::Table> {
        use crate::render::{fmt_fixed, fmt_p, Table};
        let opt = |x: Option<f64>| super::output::or_missing(x, |v| fmt_fixed(v, 3));
        let mut models = Table::new(
            "Models",
            &[
                "model",
                "df",
                "χ²",
                "χ² scaled",
                "scaling factor",
                "AIC",
                "BIC",
                "CFI",
                "RMSEA",
            ],
        );
        for m in &self.models {
            models.row(vec![
                m.model.clone(),
                fmt_fixed(m.df, 0),
                fmt_fixed(m.chisq, 3),
                opt(m.chisq_scaled),
                opt(m.chisq_scaling_factor),
                opt(m.aic),
                opt(m.bic),
                opt(m.cfi),
                opt(m.rmsea),
            ]);
        }
        // satorra.2000's scale and shift, as lavTestLRT's attributes.
        let shifted = self.tests.iter().any(|t| t.scale.is_some());
        let mut header = vec!["from", "to", "Δχ²", "Δdf", "p", "method"];
        if shifted {
            header.extend(["scale a", "shift b"]);
        }
        let mut tests = Table::new("χ² difference tests (lavTestLRT)", &header);
        for t in &self.tests {
            let mut row = vec![
                t.from.clone(),
                t.to.clone(),
                fmt_fixed(t.chisq_diff, 3),
                fmt_fixed(t.df_diff, 0),
                fmt_p(t.pvalue),
                t.method.to_owned(),
            ];
            if shifted {
                row.extend([
                    super::output::or_missing(t.scale, |v| fmt_fixed(v, 4)),
                    super::output::or_missing(t.shift, |v| fmt_fixed(v, 4)),
                ]);
            }
            tests.row(row);
        }
        vec![models, tests]
    }
}
