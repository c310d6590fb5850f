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

use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

/// Upper tail of the central χ² distribution.
pub fn chisq_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        1.0
    } else {
        gamma_ur(df / 2.0, x / 2.0)
    }
}

/// Poisson weights `e^{−μ} μ^j / j!` around the mode, with their `j`.
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

/// CDF of the non-central χ²(df, ncp) distribution at x.
pub fn noncentral_chisq_cdf(x: f64, df: f64, ncp: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let s: f64 = poisson_terms(ncp / 2.0)
        .iter()
        .map(|&(j, w)| w * gamma_lr(df / 2.0 + j, x / 2.0))
        .sum();
    s.clamp(0.0, 1.0)
}

/// Upper tail of the non-central χ²(df, ncp) distribution at x (computed
/// directly, so that tiny tail probabilities keep their relative accuracy).
pub fn noncentral_chisq_sf(x: f64, df: f64, ncp: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let s: f64 = poisson_terms(ncp / 2.0)
        .iter()
        .map(|&(j, w)| w * gamma_ur(df / 2.0 + j, x / 2.0))
        .sum();
    s.clamp(0.0, 1.0)
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

pub fn cfi(chisq: f64, df: f64, baseline_chisq: f64, baseline_df: f64) -> f64 {
    let t1 = (chisq - df).max(0.0);
    let t2 = (chisq - df).max(baseline_chisq - baseline_df).max(0.0);
    if t1 == 0.0 && t2 == 0.0 {
        1.0
    } else {
        1.0 - t1 / t2
    }
}

pub fn tli(chisq: f64, df: f64, baseline_chisq: f64, baseline_df: f64) -> f64 {
    let t1 = (chisq - df) * baseline_df;
    let t2 = (baseline_chisq - baseline_df) * df;
    if df > 0.0 && t2.abs() > 0.0 {
        1.0 - t1 / t2
    } else {
        1.0
    }
}

pub fn nfi(chisq: f64, baseline_chisq: f64) -> f64 {
    (baseline_chisq - chisq) / baseline_chisq
}

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

pub fn agfi(gfi: f64, n_moments: f64, df: f64) -> f64 {
    if df > 0.0 {
        1.0 - (n_moments / df) * (1.0 - gfi)
    } else {
        1.0
    }
}

pub fn pgfi(gfi: f64, n_moments: f64, df: f64) -> f64 {
    (df / n_moments) * gfi
}

pub fn aic(logl: f64, npar: f64) -> f64 {
    -2.0 * logl + 2.0 * npar
}

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
    fn closed_forms() {
        assert_eq!(cfi(10.0, 12.0, 500.0, 15.0), 1.0);
        assert!((rmsea(85.306, 24.0, 301.0) - 0.09212).abs() < 1e-4);
        assert!((nfi(50.0, 500.0) - 0.9).abs() < 1e-15);
    }
}
