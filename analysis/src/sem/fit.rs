//! Fit measures with lavaan 0.6's definitions (`fitMeasures()`), as pure
//! closed-form functions of the test statistics, so that an audit can
//! recompute them from published figures.
//!
//! Notation: `X2`, `df` the model χ² and degrees of freedom; `X2b`, `dfb`
//! those of the baseline (independence) model; `N` the number of
//! observations; `p*` the number of sample moments.
//!
//! - CFI = 1 − max(X2 − df, 0) / max(X2 − df, X2b − dfb, 0) (1 if both 0).
//! - TLI = 1 − ((X2 − df)·dfb) / ((X2b − dfb)·df) (1 if df = 0).
//! - NFI = (X2b − X2) / X2b.
//! - RMSEA = √max(X2/(N·df) − 1/N, 0) with lavaan's N: the number of
//!   observations under the normal likelihood, N − 1 under the Wishart
//!   likelihood (the χ² multiplier). AMOS always uses N − 1 (with its
//!   Wishart χ²); semopy uses N − 1.
//! - RMSEA 90 % CI: the non-centrality λ at which the non-central χ²(df, λ)
//!   CDF at X2 is 0.95 (lower) and 0.05 (upper), as `√(λ/(N·df))`;
//!   p-close = P(χ²(df, N·df·0.05²) > X2).
//! - SRMR (Bentler): √ mean over the p(p+1)/2 lower-triangle elements of
//!   ((s_ij − σ̂_ij)/√(s_ii s_jj))² (means not modelled). AMOS's
//!   "standardized RMR" is the same; Mplus standardises each matrix by its
//!   own diagonal.
//! - GFI = 1 − tr((Σ̂⁻¹(S − Σ̂))²) / tr((Σ̂⁻¹S)²) (lavaan weights with the
//!   expected information at Σ̂, and zero weight for the moments of fixed
//!   exogenous covariates, whose block of S is then left out of the
//!   denominator); AGFI = 1 − (p(p+1)/2 / df)(1 − GFI);
//!   PGFI = (df / (p(p+1)/2))·GFI. AMOS uses Jöreskog–Sörbom's form with
//!   S⁻¹ weights, which differs slightly.
//! - logl = −N/2 (p log 2π + log|Σ̂| + tr(S Σ̂⁻¹)); unrestricted logl the
//!   same at Σ̂ = S; with fixed exogenous covariates (fixed.x) both are
//!   conditional on them (their marginal log-likelihood is subtracted), as
//!   lavaan; AIC = −2 logl + 2 npar; BIC = −2 logl + npar·log N. AMOS
//!   reports AIC as χ² + 2 npar (a constant shift; differences agree).
//!
//! The non-central χ² distribution is written here by hand (a Poisson
//! mixture of central χ², Johnson, Kotz & Balakrishnan 1995, ch. 29)
//! because statrs, the statistics crate we use, has no non-central χ².
//!
//! [`measures`] assembles them for a fitted model (stage 5 of
//! [`super::fit()`]); the closed forms below it are public so that the audit
//! can recompute indices from published figures. A robust (scaled) test
//! would add its scaled χ² and the indices built on it beside these.

use super::model::{trace_product, Implied};
use super::partable::ParTable;
use super::samplestats::MomentsInUse;
use nalgebra::{Cholesky, DMatrix};
use serde::Serialize;

use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

/// Upper tail of the central χ² distribution.
pub fn chisq_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        1.0
    } else {
        gamma_ur(df / 2.0, x / 2.0)
    }
}

/// Below this Poisson mean (half the non-centrality) the mixture is summed
/// term by term, one regularized incomplete gamma function per term (the
/// path checked against R's `pchisq` to 1e-10 in the tests below). Each such
/// function costs O(√a) iterations for a large shape a, so this path is
/// kept to means where a few thousand terms suffice.
const DIRECT_MAX_MEAN: f64 = 1e3;

/// Up to this Poisson mean the mixture is summed from its mode outwards with
/// the recurrences P(a+1, y) = P(a, y) − yᵃe⁻ʸ/Γ(a+1) and w_{j+1} = w_j·μ/(j+1):
/// O(1) per term, about 2 × 9√μ terms before the weights fall below 1e-17
/// (60 000 at 1e7, about a millisecond). The recurrences lose relative
/// accuracy in a tail that is already below ~1e-11 in absolute terms.
const SERIES_MAX_MEAN: f64 = 1e7;

/// Hard bound on the terms summed on each side of the mode: far above the
/// ~9√μ that the 1e-17 weight cut needs at [`SERIES_MAX_MEAN`], so it never
/// decides a value, only guarantees that a sum ends.
const MAX_TERMS_PER_SIDE: usize = 200_000;

/// Poisson weights `e^{−μ} μ^j / j!` around the mode, with their `j`
/// (the direct path, μ ≤ [`DIRECT_MAX_MEAN`]).
fn poisson_terms(mu: f64) -> Vec<(f64, f64)> {
    if mu <= 0.0 {
        return vec![(0.0, 1.0)];
    }
    let mode = mu.floor();
    let log_w = |j: f64| -mu + j * mu.ln() - ln_gamma(j + 1.0);
    let mut out = Vec::new();
    let mut j = mode;
    loop {
        let w = log_w(j).exp();
        out.push((j, w));
        if (w < 1e-17 && j > mode + 5.0) || j > mode + 50.0 + 40.0 * mu.sqrt() {
            break;
        }
        j += 1.0;
    }
    let mut j = mode - 1.0;
    while j >= 0.0 {
        let w = log_w(j).exp();
        out.push((j, w));
        if w < 1e-17 && j < mode - 5.0 {
            break;
        }
        j -= 1.0;
    }
    out
}

/// Σ_j w_j P(df/2 + j, x/2) and Σ_j w_j Q(df/2 + j, x/2) summed from the
/// mode of the Poisson weights outwards with recurrences (see
/// [`SERIES_MAX_MEAN`]); bounded by [`MAX_TERMS_PER_SIDE`].
fn mixture_by_recurrence(x: f64, df: f64, mu: f64) -> (f64, f64) {
    let y = x / 2.0;
    let a0 = df / 2.0;
    let mode = mu.floor();
    let a = a0 + mode;
    let w_mode = (-mu + mode * mu.ln() - ln_gamma(mode + 1.0)).exp();
    // d(a) = yᵃ e⁻ʸ / Γ(a + 1): the step between P(a, y) and P(a + 1, y).
    let d_mode = (a * y.ln() - y - ln_gamma(a + 1.0)).exp();
    let (p_mode, q_mode) = (gamma_lr(a, y), gamma_ur(a, y));
    let (mut lower, mut upper) = (w_mode * p_mode, w_mode * q_mode);
    // Upwards: j = mode + 1, mode + 2, …
    let (mut w, mut p, mut q, mut d) = (w_mode, p_mode, q_mode, d_mode);
    let mut j = mode;
    for step in 0..MAX_TERMS_PER_SIDE {
        // P(a_j + 1) = P(a_j) − d(a_j); Q(a_j + 1) = Q(a_j) + d(a_j).
        p = (p - d).max(0.0);
        q = (q + d).min(1.0);
        d *= y / (a0 + j + 1.0);
        j += 1.0;
        w *= mu / j;
        lower += w * p;
        upper += w * q;
        if w < 1e-17 && step > 5 {
            break;
        }
    }
    // Downwards: j = mode − 1, …, 0.
    let (mut w, mut p, mut q, mut d) = (w_mode, p_mode, q_mode, d_mode);
    let mut j = mode;
    for step in 0..MAX_TERMS_PER_SIDE {
        if j < 1.0 {
            break;
        }
        // d(a_j − 1) = d(a_j) · a_j / y; P(a_j − 1) = P(a_j) + d(a_j − 1).
        d *= (a0 + j) / y;
        p = (p + d).min(1.0);
        q = (q - d).max(0.0);
        w *= j / mu;
        j -= 1.0;
        lower += w * p;
        upper += w * q;
        if w < 1e-17 && step > 5 {
            break;
        }
    }
    (lower.clamp(0.0, 1.0), upper.clamp(0.0, 1.0))
}

/// Sankaran's (1963, Biometrika 50, 199–204) normal approximation of the
/// non-central χ²(df, ncp) distribution at x: a Wilson–Hilferty-type power
/// transform whose error falls like 1/ncp, used beyond
/// [`SERIES_MAX_MEAN`] (ncp > 2e7), where it agrees with the series to
/// better than 1e-8 (see the tests) and the series would take ever longer.
/// Returns the standard-normal deviate of x.
fn sankaran_z(x: f64, df: f64, ncp: f64) -> f64 {
    let (k, l) = (df, ncp);
    let h = 1.0 - 2.0 / 3.0 * (k + l) * (k + 3.0 * l) / ((k + 2.0 * l) * (k + 2.0 * l));
    let p = (k + 2.0 * l) / ((k + l) * (k + l));
    let m = (h - 1.0) * (1.0 - 3.0 * h);
    let num = (x / (k + l)).powf(h) - (1.0 + h * p * (h - 1.0 - 0.5 * (2.0 - h) * m * p));
    let den = h * (2.0 * p).sqrt() * (1.0 + 0.5 * m * p);
    num / den
}

/// Standard normal lower tail Φ(z), via erfc for accuracy in both tails.
fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// CDF of the non-central χ²(df, ncp) distribution at x, in bounded time
/// and memory for every ncp (see `DIRECT_MAX_MEAN`, `SERIES_MAX_MEAN`).
pub fn noncentral_chisq_cdf(x: f64, df: f64, ncp: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let mu = ncp / 2.0;
    if mu <= DIRECT_MAX_MEAN {
        let s: f64 = poisson_terms(mu)
            .iter()
            .map(|&(j, w)| w * gamma_lr(df / 2.0 + j, x / 2.0))
            .sum();
        s.clamp(0.0, 1.0)
    } else if mu <= SERIES_MAX_MEAN {
        mixture_by_recurrence(x, df, mu).0
    } else {
        normal_cdf(sankaran_z(x, df, ncp))
    }
}

/// Upper tail of the non-central χ²(df, ncp) distribution at x (computed
/// directly, so that tiny tail probabilities keep their relative accuracy
/// on the direct path).
pub fn noncentral_chisq_sf(x: f64, df: f64, ncp: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let mu = ncp / 2.0;
    if mu <= DIRECT_MAX_MEAN {
        let s: f64 = poisson_terms(mu)
            .iter()
            .map(|&(j, w)| w * gamma_ur(df / 2.0 + j, x / 2.0))
            .sum();
        s.clamp(0.0, 1.0)
    } else if mu <= SERIES_MAX_MEAN {
        mixture_by_recurrence(x, df, mu).1
    } else {
        normal_cdf(-sankaran_z(x, df, ncp))
    }
}

/// Root of a decreasing function on [lo, hi] with f(lo) > 0 > f(hi)
/// (Illinois false position, then bisection as a guard).
fn root(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let (mut flo, mut fhi) = (f(lo), f(hi));
    let mut side = 0;
    for _ in 0..200 {
        let mut x = (lo * fhi - hi * flo) / (fhi - flo);
        if !x.is_finite() || x <= lo || x >= hi {
            x = 0.5 * (lo + hi);
        }
        let fx = f(x);
        if fx == 0.0 || (hi - lo) <= 1e-12 * hi.abs().max(1.0) {
            return x;
        }
        if fx > 0.0 {
            lo = x;
            flo = fx;
            if side == 1 {
                fhi /= 2.0;
            }
            side = 1;
        } else {
            hi = x;
            fhi = fx;
            if side == -1 {
                flo /= 2.0;
            }
            side = -1;
        }
    }
    0.5 * (lo + hi)
}

/// Comparative fit index.
pub fn cfi(chisq: f64, df: f64, baseline_chisq: f64, baseline_df: f64) -> f64 {
    let t1 = (chisq - df).max(0.0);
    let t2 = (chisq - df).max(baseline_chisq - baseline_df).max(0.0);
    if t1 == 0.0 && t2 == 0.0 {
        1.0
    } else {
        1.0 - t1 / t2
    }
}

/// Tucker–Lewis index.
pub fn tli(chisq: f64, df: f64, baseline_chisq: f64, baseline_df: f64) -> f64 {
    let t1 = (chisq - df) * baseline_df;
    let t2 = (baseline_chisq - baseline_df) * df;
    if df > 0.0 && t2.abs() > 0.0 {
        1.0 - t1 / t2
    } else {
        1.0
    }
}

/// Bentler–Bonett normed fit index.
pub fn nfi(chisq: f64, baseline_chisq: f64) -> f64 {
    (baseline_chisq - chisq) / baseline_chisq
}

/// RMSEA with the χ² multiplier `n` (N or N − 1).
pub fn rmsea(chisq: f64, df: f64, n: f64) -> f64 {
    if df > 0.0 {
        ((chisq / n) / df - 1.0 / n).max(0.0).sqrt()
    } else {
        0.0
    }
}

/// RMSEA confidence interval at `level` (lavaan: 0.90).
pub fn rmsea_ci(chisq: f64, df: f64, n: f64, level: f64) -> (f64, f64) {
    if df < 1.0 {
        return (0.0, 0.0);
    }
    let upper_p = 1.0 - (1.0 - level) / 2.0;
    let lower_p = (1.0 - level) / 2.0;
    let cdf = |l: f64| noncentral_chisq_cdf(chisq, df, l);
    let lower = if cdf(0.0) < upper_p {
        0.0
    } else {
        let l = root(|l| cdf(l) - upper_p, 0.0, chisq);
        (l / (n * df)).sqrt()
    };
    let top = n.max(4.0 * chisq);
    let upper = if cdf(top) > lower_p || cdf(0.0) < lower_p {
        0.0
    } else {
        let l = root(|l| cdf(l) - lower_p, 0.0, top);
        (l / (n * df)).sqrt()
    };
    (lower, upper)
}

/// p-value of the test of close fit, H0: RMSEA ≤ `h0` (lavaan: 0.05).
pub fn rmsea_pvalue(chisq: f64, df: f64, n: f64, h0: f64) -> Option<f64> {
    (df > 0.0).then(|| noncentral_chisq_sf(chisq, df, n * df * h0 * h0))
}

/// Adjusted GFI.
pub fn agfi(gfi: f64, n_moments: f64, df: f64) -> f64 {
    if df > 0.0 {
        1.0 - (n_moments / df) * (1.0 - gfi)
    } else {
        1.0
    }
}

/// Parsimony GFI.
pub fn pgfi(gfi: f64, n_moments: f64, df: f64) -> f64 {
    (df / n_moments) * gfi
}

/// Akaike information criterion.
pub fn aic(logl: f64, npar: f64) -> f64 {
    -2.0 * logl + 2.0 * npar
}

/// Bayesian information criterion.
pub fn bic(logl: f64, npar: f64, n: f64) -> f64 {
    -2.0 * logl + npar * n.ln()
}

/// Normal log-likelihood of N observations with covariance `S` (divisor
/// as used in the fit) under Σ, means saturated: given log|Σ| and tr(SΣ⁻¹).
pub fn loglik(n: f64, p: f64, log_det_sigma: f64, trace_s_sigma_inv: f64) -> f64 {
    -n / 2.0 * (p * (2.0 * std::f64::consts::PI).ln() + log_det_sigma + trace_s_sigma_inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noncentral_reduces_to_central() {
        // P(χ²₃ > 7.814728) = 0.05.
        assert!((noncentral_chisq_sf(7.814727903251178, 3.0, 0.0) - 0.05).abs() < 1e-12);
        assert!((noncentral_chisq_cdf(7.814727903251178, 3.0, 0.0) - 0.95).abs() < 1e-12);
    }

    #[test]
    fn noncentral_matches_r_pchisq() {
        // R: pchisq(10, 4, ncp = 3); pchisq(50, 10, ncp = 20, lower.tail = FALSE);
        // pchisq(204.66494079, 37, ncp = 23.125, lower.tail = FALSE).
        assert!((noncentral_chisq_cdf(10.0, 4.0, 3.0) - 0.783763181682).abs() < 1e-10);
        let sf = noncentral_chisq_sf(50.0, 10.0, 20.0);
        assert!((sf - 0.0355928225646).abs() < 1e-10, "{sf}");
        let tiny = noncentral_chisq_sf(204.66494079, 37.0, 23.125);
        assert!((tiny / 4.51803287019e-14 - 1.0).abs() < 1e-6, "{tiny}");
    }

    #[test]
    fn noncentral_by_recurrence_matches_r_pchisq() {
        // R 4.2: pchisq(c(3000, 3100, 2900), 24, ncp = 3000);
        // pchisq(c(2.6e4, 2.62e4), 24, ncp = 2.6e4) and its upper tail.
        for (x, df, ncp, want) in [
            (3000.0, 24.0, 3000.0, 0.416844821129038),
            (3100.0, 24.0, 3000.0, 0.757140305159099),
            (2900.0, 24.0, 3000.0, 0.128740521017171),
            (2.6e4, 24.0, 2.6e4, 0.471571368315039),
            (2.62e4, 24.0, 2.6e4, 0.708085970157106),
        ] {
            let got = noncentral_chisq_cdf(x, df, ncp);
            assert!((got - want).abs() < 1e-9, "{x} {df} {ncp}: {got} vs {want}");
            let sf = noncentral_chisq_sf(x, df, ncp);
            assert!((sf - (1.0 - want)).abs() < 1e-9, "sf {x}: {sf}");
        }
        // At the boundary of the direct path both ways agree.
        let mu = DIRECT_MAX_MEAN * 1.000001;
        for x in [1800.0, 2000.0, 2100.0, 2300.0] {
            let direct: f64 = poisson_terms(mu)
                .iter()
                .map(|&(j, w)| w * gamma_lr(20.0 + j, x / 2.0))
                .sum();
            let rec = mixture_by_recurrence(x, 40.0, mu).0;
            assert!((direct - rec).abs() < 1e-11, "{x}: {direct} vs {rec}");
        }
    }

    #[test]
    fn sankaran_agrees_with_the_series_where_they_meet() {
        // At the switch (μ = 1e7, ncp = 2e7), over the body of the
        // distribution (sd ≈ √(2·(df + 2 ncp)) ≈ 8944).
        let (df, ncp) = (40.0, 2.0 * SERIES_MAX_MEAN);
        let sd = (2.0 * (df + 2.0 * ncp)).sqrt();
        let mut worst = 0.0f64;
        for k in -60..=60 {
            let x = df + ncp + f64::from(k) * 0.1 * sd;
            let series = mixture_by_recurrence(x, df, ncp / 2.0).0;
            let approx = normal_cdf(sankaran_z(x, df, ncp));
            worst = worst.max((series - approx).abs());
        }
        // 1.5e-8 in practice: far inside the 1e-6 asked of the CI.
        assert!(worst < 5e-8, "{worst}");
    }

    #[test]
    fn noncentral_takes_bounded_time_for_any_ncp() {
        // The old series summed ~40√μ terms of a gamma function each: minutes
        // and gigabytes at ncp = 1e15. Every path is now bounded.
        let clock = std::time::Instant::now();
        for ncp in [1e5, 1e8, 1e15, 3.6e19] {
            for x in [0.5 * ncp, ncp, 2.0 * ncp] {
                let p = noncentral_chisq_cdf(x, 24.0, ncp);
                let q = noncentral_chisq_sf(x, 24.0, ncp);
                assert!((0.0..=1.0).contains(&p) && (0.0..=1.0).contains(&q));
                assert!((p + q - 1.0).abs() < 1e-9, "{ncp} {x}: {p} + {q}");
            }
        }
        let (chisq, n) = (2.834e14, 1e15);
        let (lo, hi) = rmsea_ci(chisq, 24.0, n, 0.90);
        let point = rmsea(chisq, 24.0, n);
        assert!(
            lo < point && point < hi && hi - lo < 1e-6,
            "{lo} {point} {hi}"
        );
        assert!(clock.elapsed().as_secs_f64() < 5.0, "{:?}", clock.elapsed());
    }

    #[test]
    fn closed_forms() {
        assert_eq!(cfi(10.0, 12.0, 500.0, 15.0), 1.0);
        assert!((rmsea(85.306, 24.0, 301.0) - 0.09212).abs() < 1e-4);
        assert!((nfi(50.0, 500.0) - 0.9).abs() < 1e-15);
    }
}

fn no_value(x: &f64) -> bool {
    x.is_nan()
}

/// Fit measures; names as lavaan's `fitMeasures()` with `.` → `_`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitMeasures {
    /// Model χ² (N·F or (N − 1)·F).
    pub chisq: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// p-value of χ² (`None` when df = 0).
    pub pvalue: Option<f64>,
    /// χ² of the baseline (independence) model.
    pub baseline_chisq: f64,
    /// Its degrees of freedom.
    pub baseline_df: f64,
    /// Comparative fit index.
    pub cfi: f64,
    /// Tucker–Lewis index.
    pub tli: f64,
    /// Bentler–Bonett normed fit index.
    pub nfi: f64,
    /// Root mean square error of approximation.
    pub rmsea: f64,
    /// Lower end of its 90 % interval.
    pub rmsea_ci_lower: f64,
    /// Upper end of its 90 % interval.
    pub rmsea_ci_upper: f64,
    /// p-value of H0: RMSEA ≤ 0.05.
    pub rmsea_pvalue: Option<f64>,
    /// Standardized root mean square residual (Bentler).
    pub srmr: f64,
    /// Goodness-of-fit index.
    pub gfi: f64,
    /// Adjusted GFI.
    pub agfi: f64,
    /// Akaike information criterion (NaN and left out of JSON for the
    /// least-squares estimators, which have no likelihood; as lavaan).
    #[serde(skip_serializing_if = "no_value")]
    pub aic: f64,
    /// Bayesian information criterion.
    #[serde(skip_serializing_if = "no_value")]
    pub bic: f64,
    /// Sample-size adjusted BIC (N replaced by (N + 2)/24), given with
    /// missing data (`--missing ml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bic2: Option<f64>,
    /// Log-likelihood of the model (H0).
    #[serde(skip_serializing_if = "no_value")]
    pub logl: f64,
    /// Log-likelihood of the unrestricted model (H1).
    #[serde(skip_serializing_if = "no_value")]
    pub unrestricted_logl: f64,
    /// p-value of the baseline χ².
    pub baseline_pvalue: Option<f64>,
    /// Parsimony GFI.
    pub pgfi: f64,
    /// F/2 at the optimum (lavaan's fmin).
    pub fmin: f64,
    /// Number of free parameters.
    pub npar: usize,
    /// Number of observations.
    pub ntotal: usize,
    /// SRMR without the mean residuals (lavaan's `srmr_bentler_nomean`),
    /// given with a mean structure, where `srmr` includes them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srmr_bentler_nomean: Option<f64>,
    /// The scaled test and the scaled and robust indices of a robust
    /// estimator (MLM, MLR), keys as lavaan's.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub robust: Option<super::robust::RobustFit>,
    /// The measures lavaan adds with missing data (`--missing ml`): the
    /// FIML-corrected robust indices and the MLR scaling factors.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub fiml: Option<super::missing_robust::FimlMeasures>,
}

/// Relative size below which a model χ² is rounding noise: F at the optimum
/// is a difference of log-determinants and traces of size ~p, accurate to
/// ~1e-13 relative, and the optimiser stops at a gradient of ~1e-8, so a
/// perfectly fitting model (a just-identified one, a single-indicator
/// factor) ends with F of 1e-16 to 1e-12 instead of 0 — which N multiplies
/// (χ² = 8192 with df 0 at N = 1e15) and which CFI then reads as misfit
/// (CFI 0 where lavaan reports 1).
pub const CHISQ_ZERO_TOLERANCE: f64 = 1e-8;

/// The model χ², with values below [`CHISQ_ZERO_TOLERANCE`] ·
/// max(1, baseline χ²) taken as the exact 0 they stand for.
pub fn chisq_within_rounding(chisq: f64, baseline_chisq: f64) -> f64 {
    if chisq < CHISQ_ZERO_TOLERANCE * baseline_chisq.max(1.0) {
        0.0
    } else {
        chisq
    }
}

/// Stage 5: all fit measures at the estimates (definitions above), from the
/// table, the moments in use (S, χ² multiplier), the implied moments, the
/// discrepancy F at the optimum and N.
pub fn measures(
    table: &ParTable,
    moments: &MomentsInUse,
    imp: &Implied,
    f: f64,
    n: usize,
) -> FitMeasures {
    let s = &moments.s;
    let n_mult = moments.n_mult;
    let p = table.p();
    let pf = p as f64;
    let nf = n as f64;
    let npar = table.n_free;
    let df = (table.n_moments() - npar) as f64;
    // With a mean structure: the mean residuals d = ȳ − μ̂ and Σ̂⁻¹d.
    let mean_residual = moments.mean.as_ref().map(|y| {
        let d = y - &imp.mean;
        let pd = &imp.sigma_inv * &d;
        (d, pd)
    });
    let raw_chisq = (n_mult * f).max(0.0);
    // Baseline: independence model, with the block of fixed exogenous
    // covariates kept at its sample values.
    let exo: Vec<usize> = table
        .exogenous_observed
        .iter()
        .filter_map(|x| table.observed.iter().position(|o| o == x))
        .collect();
    let mut sigma_b = DMatrix::from_diagonal(&s.diagonal());
    for &i in &exo {
        for &j in &exo {
            sigma_b[(i, j)] = s[(i, j)];
        }
    }
    let log_det = |m: &DMatrix<f64>| {
        Cholesky::new(m.clone()).map_or(f64::NAN, |c| {
            2.0 * c.l_dirty().diagonal().iter().map(|d| d.ln()).sum::<f64>()
        })
    };
    let log_det_s = log_det(s);
    let baseline_chisq = n_mult * (log_det(&sigma_b) - log_det_s);
    let chisq = chisq_within_rounding(raw_chisq, baseline_chisq);
    let nx = exo.len();
    // The baseline has free variances and, with a mean structure, free means.
    let baseline_free = if table.meanstructure {
        2 * (p - nx)
    } else {
        p - nx
    };
    let baseline_df = (table.n_moments() - baseline_free) as f64;
    let tr_s_sigma_inv = trace_product(s, &imp.sigma_inv);
    // With fixed exogenous covariates lavaan reports the likelihood
    // conditional on them: their marginal log-likelihood is subtracted.
    let logl_x = if nx > 0 {
        let sxx = DMatrix::from_fn(nx, nx, |i, j| s[(exo[i], exo[j])]);
        loglik(nf, nx as f64, log_det(&sxx), nx as f64)
    } else {
        0.0
    };
    let mean_term = mean_residual.as_ref().map_or(0.0, |(d, pd)| d.dot(pd));
    let logl = loglik(nf, pf, imp.log_det, tr_s_sigma_inv + mean_term) - logl_x;
    let unrestricted_logl = loglik(nf, pf, log_det_s, pf) - logl_x;
    // lavaan's RMSEA uses the χ² multiplier: N (normal), N − 1 (Wishart).
    let (rmsea_ci_lower, rmsea_ci_upper) = rmsea_ci(chisq, df, n_mult, 0.90);
    // GFI with the expected-information weight at Σ̂.
    let e = s - &imp.sigma;
    let pe = &imp.sigma_inv * &e;
    // lavaan gives the moments of fixed exogenous covariates zero weight.
    let mut s_weighted = s.clone();
    for &i in &exo {
        for &j in &exo {
            s_weighted[(i, j)] = 0.0;
        }
    }
    let ps = &imp.sigma_inv * &s_weighted;
    // lavaan's GFI is 1 − eᵀWe / sᵀWs over its sample statistics (means,
    // then vech S) with the normal-theory weight W: ½ tr((Σ̂⁻¹E)²) for the
    // covariances, dᵀΣ̂⁻¹d for the means (the ½ cancels without means).
    let gfi = match (&mean_residual, &moments.mean) {
        (Some((d, pd)), Some(y)) => {
            let mut y_weighted = y.clone();
            for &i in &exo {
                y_weighted[i] = 0.0;
            }
            let num = 0.5 * trace_product(&pe, &pe) + d.dot(pd);
            let den =
                0.5 * trace_product(&ps, &ps) + (&imp.sigma_inv * &y_weighted).dot(&y_weighted);
            1.0 - num / den
        }
        _ => 1.0 - trace_product(&pe, &pe) / trace_product(&ps, &ps),
    };
    let nel_cov = (p * (p + 1) / 2) as f64;
    let nel = if table.meanstructure {
        nel_cov + pf
    } else {
        nel_cov
    };
    // SRMR (Bentler): residuals scaled by the observed standard deviations.
    let mut ss = 0.0;
    for i in 0..p {
        for j in 0..=i {
            let r = e[(i, j)] / (s[(i, i)] * s[(j, j)]).sqrt();
            ss += r * r;
        }
    }
    let srmr_cov = (ss / nel_cov).sqrt();
    // With a mean structure lavaan's srmr also averages the mean residuals
    // scaled by the observed standard deviations.
    let (srmr, srmr_bentler_nomean) = match &mean_residual {
        Some((d, _)) => {
            let ss_mean: f64 = (0..p).map(|i| d[i] * d[i] / s[(i, i)]).sum();
            (((ss + ss_mean) / (nel_cov + pf)).sqrt(), Some(srmr_cov))
        }
        None => (srmr_cov, None),
    };
    FitMeasures {
        chisq,
        df,
        pvalue: (df > 0.0).then(|| chisq_sf(chisq, df)),
        baseline_chisq,
        baseline_df,
        cfi: cfi(chisq, df, baseline_chisq, baseline_df),
        tli: tli(chisq, df, baseline_chisq, baseline_df),
        nfi: nfi(chisq, baseline_chisq),
        rmsea: rmsea(chisq, df, n_mult),
        rmsea_ci_lower,
        rmsea_ci_upper,
        rmsea_pvalue: rmsea_pvalue(chisq, df, n_mult, 0.05),
        srmr,
        gfi,
        agfi: agfi(gfi, nel, df),
        aic: aic(logl, npar as f64),
        bic: bic(logl, npar as f64, nf),
        bic2: None,
        logl,
        unrestricted_logl,
        baseline_pvalue: (baseline_df > 0.0).then(|| chisq_sf(baseline_chisq, baseline_df)),
        pgfi: pgfi(gfi, nel, df),
        fmin: f / 2.0,
        npar,
        ntotal: n,
        srmr_bentler_nomean,
        robust: None,
        fiml: None,
    }
}
