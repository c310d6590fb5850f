//! The rest of lavaan's `fitMeasures` that are closed forms of χ², df, N
//! and npar (lavaan 0.6.14's `lav_fit_cfi.R`, `lav_fit_rmsea.R`,
//! `lav_fit_other.R`): the incremental indices NNFI, RFI, IFI, RNI and
//! PNFI (with their scaled versions when a scaled test exists), the
//! not-close-fit RMSEA test, Hoelter's critical N, McDonald's MFI and the
//! ECVI. Given with missing data (`--missing ml`, where lavaan's JSON
//! comparison asked for them); the other fits keep today's keys.

use super::fit::{noncentral_chisq_sf, tli, FitMeasures};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The measures; keys as lavaan's with `.` → `_`, left out when NA.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MoreMeasures {
    /// Non-normed fit index (= TLI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nnfi: Option<f64>,
    /// Bollen's relative fit index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfi: Option<f64>,
    /// Parsimony normed fit index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pnfi: Option<f64>,
    /// Bollen's incremental fit index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ifi: Option<f64>,
    /// Relative noncentrality index (CFI without truncation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rni: Option<f64>,
    /// NNFI from the scaled χ².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nnfi_scaled: Option<f64>,
    /// RFI from the scaled χ².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfi_scaled: Option<f64>,
    /// NFI from the scaled χ².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nfi_scaled: Option<f64>,
    /// PNFI from the scaled χ².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pnfi_scaled: Option<f64>,
    /// IFI from the scaled χ².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ifi_scaled: Option<f64>,
    /// RNI from the scaled χ².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rni_scaled: Option<f64>,
    /// Level of the RMSEA intervals (0.90).
    pub rmsea_ci_level: f64,
    /// RMSEA of the close-fit test (0.05).
    pub rmsea_close_h0: f64,
    /// p-value of H0: RMSEA ≥ 0.08 (not-close fit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rmsea_notclose_pvalue: Option<f64>,
    /// RMSEA of the not-close-fit test (0.08).
    pub rmsea_notclose_h0: f64,
    /// Not-close-fit p-value of the scaled RMSEA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rmsea_notclose_pvalue_scaled: Option<f64>,
    /// SRMR (Bentler's, lavaan's `srmr_bentler`: the same as `srmr`).
    pub srmr_bentler: f64,
    /// Hoelter's critical N at α = 0.05.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cn_05: Option<f64>,
    /// Hoelter's critical N at α = 0.01.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cn_01: Option<f64>,
    /// McDonald's fit index exp(−½(χ² − df)/N).
    pub mfi: f64,
    /// Expected cross-validation index χ²/N + 2·npar/N.
    pub ecvi: f64,
}

fn rfi(x2: f64, df: f64, x2b: f64, dfb: f64) -> Option<f64> {
    if df > dfb {
        None
    } else if df > 0.0 && dfb > 0.0 {
        let (t1, t2) = (x2b / dfb - x2 / df, x2b / dfb);
        Some(if t1 < 0.0 || t2 < 0.0 { 1.0 } else { t1 / t2 })
    } else {
        Some(1.0)
    }
}

fn nfi(x2: f64, df: f64, x2b: f64, dfb: f64) -> Option<f64> {
    if df > dfb || x2b.abs() < 1.5e-8 {
        None
    } else if df > 0.0 {
        Some((x2b - x2) / x2b)
    } else {
        Some(1.0)
    }
}

fn pnfi(x2: f64, df: f64, x2b: f64, dfb: f64) -> Option<f64> {
    (dfb > 0.0 && x2b > 0.0).then(|| (df / dfb) * (x2b - x2) / x2b)
}

fn ifi(x2: f64, df: f64, x2b: f64) -> Option<f64> {
    let (t1, t2) = (x2b - x2, x2b - df);
    if t2 < 0.0 {
        Some(1.0)
    } else if t2.abs() < 1.5e-8 {
        None
    } else {
        Some(t1 / t2)
    }
}

fn rni(x2: f64, df: f64, x2b: f64, dfb: f64) -> Option<f64> {
    let t2 = x2b - dfb;
    (t2.abs() >= 1.5e-8).then(|| 1.0 - (x2 - df) / t2)
}

/// Hoelter's critical N: the N at which χ² would be significant at α.
fn critical_n(x2: f64, df: f64, n: f64, alpha: f64) -> Option<f64> {
    if df <= 0.0 || x2 <= 0.0 {
        return None;
    }
    let q = ChiSquared::new(df).ok()?.inverse_cdf(1.0 - alpha);
    Some(q / (x2 / n) + 1.0)
}

/// The measures of `fit` (its χ², baseline, df, npar, N and, if any, its
/// scaled test) in a model of `groups` groups.
pub fn of(fit: &FitMeasures, groups: usize) -> MoreMeasures {
    let (x2, df, x2b, dfb) = (fit.chisq, fit.df, fit.baseline_chisq, fit.baseline_df);
    let n = fit.ntotal as f64;
    let g = groups as f64;
    let notclose = |x: f64, d: f64| {
        (d > 0.0).then(|| 1.0 - noncentral_chisq_sf(x, d, n * d * 0.08 * 0.08 / g))
    };
    let scaled = fit.robust.as_ref().and_then(|r| {
        Some((
            r.chisq_scaled?,
            r.baseline_chisq_scaled?,
            r.chisq_scaling_factor?,
        ))
    });
    MoreMeasures {
        nnfi: Some(tli(x2, df, x2b, dfb)),
        rfi: rfi(x2, df, x2b, dfb),
        pnfi: pnfi(x2, df, x2b, dfb),
        ifi: ifi(x2, df, x2b),
        rni: rni(x2, df, x2b, dfb),
        nnfi_scaled: scaled.map(|(xs, xbs, _)| tli(xs, df, xbs, dfb)),
        rfi_scaled: scaled.and_then(|(xs, xbs, _)| rfi(xs, df, xbs, dfb)),
        nfi_scaled: scaled.and_then(|(xs, xbs, _)| nfi(xs, df, xbs, dfb)),
        pnfi_scaled: scaled.and_then(|(xs, xbs, _)| pnfi(xs, df, xbs, dfb)),
        ifi_scaled: scaled.and_then(|(xs, xbs, _)| ifi(xs, df, xbs)),
        rni_scaled: scaled.and_then(|(xs, xbs, _)| rni(xs, df, xbs, dfb)),
        rmsea_ci_level: 0.90,
        rmsea_close_h0: 0.05,
        rmsea_notclose_pvalue: notclose(x2, df),
        rmsea_notclose_h0: 0.08,
        // The scaled RMSEA's test: χ² on tr(UΓ) = c·df degrees of freedom.
        rmsea_notclose_pvalue_scaled: scaled.and_then(|(_, _, c)| notclose(x2, c * df)),
        srmr_bentler: fit.srmr,
        cn_05: critical_n(x2, df, n, 0.05),
        cn_01: critical_n(x2, df, n, 0.01),
        mfi: (-0.5 * (x2 - df) / n).exp(),
        ecvi: x2 / n + 2.0 * fit.npar as f64 / n,
    }
}
