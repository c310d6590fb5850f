//! The studentized range distribution: `ptukey` and `qtukey`.
//!
//! statrs has no studentized range distribution, so it is written here by
//! hand. The integrals are those of Copenhaver & Holland (1988), as used by
//! R's `ptukey.c` and SciPy's `studentized_range`, but evaluated with our own
//! adaptive Gauss–Legendre quadrature (no code is taken from either).
//!
//! For `k` means and infinite degrees of freedom the range `Q` of `k`
//! independent standard normal variables has
//!
//! P(Q ≤ q) = k ∫ φ(z) [Φ(z + q) − Φ(z)]^{k−1} dz,
//!
//! and since k ∫ φ(z) [1 − Φ(z)]^{k−1} dz = 1 (the density of the minimum),
//!
//! P(Q > q) = k ∫ φ(z) (a^{k−1} − b^{k−1}) dz, a = 1 − Φ(z), b = Φ(z+q) − Φ(z),
//!
//! with a − b = d = 1 − Φ(z+q), so a^{m} − b^{m} = a^m (1 − (1 − d/a)^m),
//! evaluated as −a^m expm1(m log1p(−d/a)) in a number of operations that
//! does not depend on k. Computing each tail from its own integral keeps
//! small upper-tail probabilities (post-hoc p-values) accurate in relative
//! terms, where `1 − cdf` would lose them to cancellation.
//!
//! With `ν` degrees of freedom the range is divided by an independent
//! s = √(χ²_ν/ν), whose density is
//! g(s) = ν^{ν/2} / (Γ(ν/2) 2^{ν/2−1}) s^{ν−1} e^{−νs²/2}, and
//! P(Q_ν ≤ q) = ∫₀^∞ g(s) P(Q ≤ q s) ds (likewise for the upper tail).
//!
//! References: Copenhaver, M. D. & Holland, B. (1988). Computation of the
//! distribution of the maximum studentized range statistic with application
//! to multiple significance testing of simple effects. J. Statist. Comput.
//! Simul. 30, 1–15. Lund, R. E. & Lund, J. R. (1983), Algorithm AS 190.

use crate::error::{AnalysisError, Result};
use statrs::function::gamma::ln_gamma;
use std::sync::OnceLock;

/// Standard normal upper tail 1 − Φ(x), accurate far into both tails.
fn normal_sf(x: f64) -> f64 {
    // libm's erfc (a port of musl/FreeBSD) is accurate to about 1 ulp;
    // statrs' erfc has relative errors near 1e-10, too coarse for tails.
    0.5 * libm::erfc(x / std::f64::consts::SQRT_2)
}

/// Standard normal distribution function Φ(x).
fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

const GAUSS_POINTS: usize = 20;

/// Nodes and weights of the 20-point Gauss–Legendre rule on [−1, 1], found by
/// Newton's method on the Legendre polynomial (the classical construction).
fn gauss_legendre() -> &'static [(f64, f64)] {
    static RULE: OnceLock<Vec<(f64, f64)>> = OnceLock::new();
    RULE.get_or_init(|| {
        let n = GAUSS_POINTS;
        let mut rule = Vec::with_capacity(n);
        for i in 0..n {
            // Initial guess: Chebyshev-like approximation of the i-th root.
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
            let mut derivative = 1.0;
            for _ in 0..100 {
                // Recurrence (j+1) P_{j+1} = (2j+1) x P_j − j P_{j−1}.
                let (mut p0, mut p1) = (1.0, x);
                for j in 1..n {
                    let p2 = ((2 * j + 1) as f64 * x * p1 - j as f64 * p0) / (j + 1) as f64;
                    p0 = p1;
                    p1 = p2;
                }
                // p1 = P_n(x), p0 = P_{n−1}(x).
                derivative = n as f64 * (x * p1 - p0) / (x * x - 1.0);
                let step = p1 / derivative;
                x -= step;
                if step.abs() < 1e-16 {
                    break;
                }
            }
            let weight = 2.0 / ((1.0 - x * x) * derivative * derivative);
            rule.push((x, weight));
        }
        rule
    })
}

fn gauss_panel(f: &impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let half = 0.5 * (b - a);
    let mid = 0.5 * (a + b);
    half * gauss_legendre()
        .iter()
        .map(|&(x, w)| w * f(mid + half * x))
        .sum::<f64>()
}

fn refine(f: &impl Fn(f64) -> f64, a: f64, b: f64, whole: f64, tol: f64, depth: u32) -> f64 {
    let mid = 0.5 * (a + b);
    let left = gauss_panel(f, a, mid);
    let right = gauss_panel(f, mid, b);
    if depth == 0 || (left + right - whole).abs() <= tol {
        left + right
    } else {
        refine(f, a, mid, left, tol, depth - 1) + refine(f, mid, b, right, tol, depth - 1)
    }
}

/// Adaptive Gauss–Legendre quadrature of a smooth non-negative integrand over
/// [a, b]: the interval is cut in `panels` pieces and each piece is halved
/// until its two halves agree with the whole to the relative tolerance.
fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64, panels: usize, rel_tol: f64) -> f64 {
    let width = (b - a) / panels as f64;
    let coarse: Vec<(f64, f64, f64)> = (0..panels)
        .map(|i| {
            let lo = a + width * i as f64;
            let hi = if i + 1 == panels { b } else { lo + width };
            (lo, hi, gauss_panel(&f, lo, hi))
        })
        .collect();
    let total: f64 = coarse.iter().map(|c| c.2).sum();
    let tol = (rel_tol * total.abs()).max(f64::MIN_POSITIVE) / panels as f64;
    coarse
        .iter()
        .map(|&(lo, hi, whole)| refine(&f, lo, hi, whole, tol, 12))
        .sum()
}

const REL_TOL: f64 = 1e-13;

/// Φ(z+q) − Φ(z) for q ≥ 0, from whichever tail avoids cancellation.
fn normal_interval(z: f64, q: f64) -> f64 {
    if z + 0.5 * q < 0.0 {
        normal_cdf(z + q) - normal_cdf(z)
    } else {
        normal_sf(z) - normal_sf(z + q)
    }
}

/// P(Q ≤ q) for infinite degrees of freedom.
fn cdf_infinite(q: f64, k: f64) -> f64 {
    if q <= 0.0 {
        return 0.0;
    }
    let m = k - 1.0;
    let integrand = |z: f64| k * normal_pdf(z) * normal_interval(z, q).powf(m);
    integrate(integrand, -10.0, 10.0, 4, REL_TOL).clamp(0.0, 1.0)
}

/// P(Q > q) for infinite degrees of freedom (see the module documentation).
fn sf_infinite(q: f64, k: f64, m: usize) -> f64 {
    if q <= 0.0 {
        return 1.0;
    }
    let m = m as f64;
    let integrand = |z: f64| {
        // a = 1 − Φ(z) and ln a, from whichever of Φ(z), 1 − Φ(z) is small:
        // a is near 1 for z ≪ 0, where a^m for large m is most of the
        // integrand.
        let (a, ln_a) = if z < 0.0 {
            let c = normal_cdf(z);
            (1.0 - c, (-c).ln_1p())
        } else {
            let a = normal_sf(z);
            (a, a.ln())
        };
        if a == 0.0 {
            return 0.0;
        }
        // a − b = 1 − Φ(z + q) = d ≤ a, so a^m − b^m = a^m (1 − (1 − d/a)^m).
        // Through ln1p and expm1 this keeps the relative accuracy of
        // Σ_{i<m} a^i b^{m−1−i} when b ≈ a, at a cost that does not grow with
        // k (summing that series took m steps per point: minutes for
        // k = 1000).
        let d = normal_sf(z + q);
        let difference = -(m * (-(d / a).min(1.0)).ln_1p()).exp_m1();
        k * (m * ln_a - 0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt() * difference
    };
    // The mass lies where both φ(z) and φ(z + q) matter (around z = −q/2)
    // and, for small q, where φ(z) does.
    integrate(integrand, -0.5 * q - 10.0, 10.0, 4, REL_TOL).clamp(0.0, 1.0)
}

/// ln g(s), the log density of s = √(χ²_ν/ν).
fn ln_scale_density(s: f64, df: f64) -> f64 {
    0.5 * df * df.ln() - ln_gamma(0.5 * df) - (0.5 * df - 1.0) * std::f64::consts::LN_2
        + (df - 1.0) * s.ln()
        - 0.5 * df * s * s
}

fn check_parameters(k: usize, df: f64) -> Result<()> {
    if k < 2 {
        return Err(AnalysisError::invalid_argument(
            "number of means k",
            k,
            "at least 2",
        ));
    }
    if df.is_nan() || df < 1.0 {
        return Err(AnalysisError::invalid_argument(
            "degrees of freedom",
            df,
            "a number ≥ 1 or infinity",
        ));
    }
    Ok(())
}

/// Integrates a tail probability of the infinite-df range over the
/// distribution of the scale s for finite `df`.
fn mix_over_scale(tail: impl Fn(f64) -> f64, df: f64) -> f64 {
    // g(s) is concentrated around s = 1 with spread 1/√(2ν); ±30/√ν leaves
    // out less than e^{−400} of it, and s < 0 is impossible.
    let spread = 30.0 / df.sqrt();
    let lo = (1.0 - spread).max(0.0);
    let hi = 1.0 + spread;
    let integrand = |s: f64| {
        if s <= 0.0 {
            0.0
        } else {
            ln_scale_density(s, df).exp() * tail(s)
        }
    };
    integrate(integrand, lo, hi, 6, 1e-11).clamp(0.0, 1.0)
}

/// P(Q ≤ q): distribution function of the studentized range of `k` means
/// with `df` degrees of freedom (`f64::INFINITY` allowed), as R's
/// `ptukey(q, k, df)` and SciPy's `studentized_range.cdf(q, k, df)`.
///
/// ```
/// // R 4.2: ptukey(3, 2, Inf) = 0.966105146475311
/// // (tests/fixtures/friedman/studentized_range_r.json); SciPy 1.17:
/// // studentized_range.cdf(3, 3, 20) = 0.8892432021469359.
/// use analysis::friedman::studentized_range::ptukey;
/// assert!((ptukey(3.0, 2, f64::INFINITY).unwrap() - 0.966_105_146_475_311).abs() < 1e-10);
/// assert!((ptukey(3.0, 3, 20.0).unwrap() - 0.889_243_202_146_935_9).abs() < 1e-9);
/// ```
pub fn ptukey(q: f64, k: usize, df: f64) -> Result<f64> {
    check_parameters(k, df)?;
    if q.is_nan() {
        return Err(AnalysisError::invalid_argument("q", q, "a number"));
    }
    if q <= 0.0 {
        return Ok(0.0);
    }
    if q == f64::INFINITY {
        return Ok(1.0);
    }
    let upper = ptukey_upper(q, k, df)?;
    if upper < 0.5 {
        return Ok(1.0 - upper);
    }
    let kf = k as f64;
    Ok(if df.is_infinite() {
        cdf_infinite(q, kf)
    } else {
        mix_over_scale(|s| cdf_infinite(q * s, kf), df)
    })
}

/// P(Q > q): the upper tail, accurate in relative terms for small
/// probabilities (R's `ptukey(q, k, df, lower.tail = FALSE)`, SciPy's
/// `studentized_range.sf`).
///
/// ```
/// // R 4.2: ptukey(3, 2, Inf, lower.tail = FALSE) = 0.0338948535246892
/// // (tests/fixtures/friedman/studentized_range_r.json).
/// use analysis::friedman::studentized_range::ptukey_upper;
/// assert!((ptukey_upper(3.0, 2, f64::INFINITY).unwrap() - 0.033_894_853_524_689_2).abs() < 1e-12);
/// ```
pub fn ptukey_upper(q: f64, k: usize, df: f64) -> Result<f64> {
    check_parameters(k, df)?;
    if q.is_nan() {
        return Err(AnalysisError::invalid_argument("q", q, "a number"));
    }
    if q <= 0.0 {
        return Ok(1.0);
    }
    if q == f64::INFINITY {
        return Ok(0.0);
    }
    let kf = k as f64;
    Ok(if df.is_infinite() {
        sf_infinite(q, kf, k - 1)
    } else {
        mix_over_scale(|s| sf_infinite(q * s, kf, k - 1), df)
    })
}

/// The quantile: the q with P(Q ≤ q) = p, as R's `qtukey(p, k, df)` and
/// SciPy's `studentized_range.ppf`. Solved by bracketing and the Illinois
/// (regula falsi) method on whichever tail is smaller, to a relative
/// accuracy of about 1e-12 in q.
///
/// ```
/// // √2 times Demšar's q_α for k = 3 (scipy_posthocs.json: q_α = 2.343700586378409);
/// // SciPy 1.17: studentized_range.ppf(0.95, 3, inf) = 3.314493155398122.
/// use analysis::friedman::studentized_range::qtukey;
/// let q = qtukey(0.95, 3, f64::INFINITY).unwrap();
/// assert!((q - 3.314_493_155_398_122).abs() < 1e-9);
/// ```
pub fn qtukey(p: f64, k: usize, df: f64) -> Result<f64> {
    check_parameters(k, df)?;
    if !(p > 0.0 && p < 1.0) {
        return Err(AnalysisError::invalid_argument(
            "probability p",
            p,
            "a number strictly between 0 and 1",
        ));
    }
    // g(q) is increasing in q and crosses zero at the quantile.
    let use_upper = p > 0.5;
    let target = if use_upper { 1.0 - p } else { p };
    let g = |q: f64| -> Result<f64> {
        Ok(if use_upper {
            target - ptukey_upper(q, k, df)?
        } else {
            ptukey(q, k, df)? - target
        })
    };
    // Finite-df evaluations are costly: start the bracket at the cheap
    // infinite-df quantile, which is close to (and usually below) it.
    let (start, growth) = if df.is_infinite() {
        (1.0, 2.0)
    } else {
        (qtukey(p, k, f64::INFINITY)?, 1.25)
    };
    let (mut lo, mut hi) = (0.0_f64, start);
    let mut g_lo = if use_upper { target - 1.0 } else { -target };
    let mut g_hi = g(hi)?;
    let mut expansions = 0;
    while g_hi < 0.0 {
        lo = hi;
        g_lo = g_hi;
        hi *= growth;
        g_hi = g(hi)?;
        expansions += 1;
        if expansions > 60 {
            return Err(AnalysisError::computation(
                "qtukey: could not bracket the quantile",
            ));
        }
    }
    let mut side = 0i8;
    for _ in 0..200 {
        let mid = (lo * g_hi - hi * g_lo) / (g_hi - g_lo);
        let mid = if mid.is_finite() && mid > lo && mid < hi {
            mid
        } else {
            0.5 * (lo + hi)
        };
        let g_mid = g(mid)?;
        if g_mid == 0.0 || (hi - lo) <= 1e-13 * hi {
            return Ok(mid);
        }
        if g_mid < 0.0 {
            lo = mid;
            g_lo = g_mid;
            if side == -1 {
                g_hi *= 0.5;
            }
            side = -1;
        } else {
            hi = mid;
            g_hi = g_mid;
            if side == 1 {
                g_lo *= 0.5;
            }
            side = 1;
        }
        if (hi - lo) <= 1e-13 * hi {
            return Ok(0.5 * (lo + hi));
        }
    }
    Ok(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_rule_integrates_polynomials_exactly() {
        // ∫_{-1}^{1} x^38 dx = 2/39; a 20-point rule is exact to degree 39.
        let s: f64 = gauss_legendre().iter().map(|&(x, w)| w * x.powi(38)).sum();
        assert!((s - 2.0 / 39.0).abs() < 1e-14, "{s}");
        let total: f64 = gauss_legendre().iter().map(|&(_, w)| w).sum();
        assert!((total - 2.0).abs() < 1e-14);
    }

    #[test]
    fn two_means_reduce_to_a_normal_difference() {
        // For k = 2 and df = ∞, Q = |X1 − X2| ~ √2 |N(0,1)|, so
        // P(Q > q) = 2 (1 − Φ(q/√2)).
        for &q in &[0.1, 1.0, 2.5, 5.0, 12.0] {
            let exact = 2.0 * normal_sf(q / std::f64::consts::SQRT_2);
            let got = ptukey_upper(q, 2, f64::INFINITY).unwrap();
            assert!(
                (got - exact).abs() <= 1e-12 * exact,
                "{q}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn two_means_finite_df_reduce_to_student_t() {
        // For k = 2, Q/√2 = |T_ν|, so P(Q > q) = 2 P(T_ν > q/√2).
        use statrs::distribution::{ContinuousCDF, StudentsT};
        for &df in &[3.0, 10.0, 60.0] {
            let t = StudentsT::new(0.0, 1.0, df).unwrap();
            for &q in &[0.5, 2.0, 4.0] {
                let exact = 2.0 * t.sf(q / std::f64::consts::SQRT_2);
                let got = ptukey_upper(q, 2, df).unwrap();
                assert!((got - exact).abs() <= 1e-9, "{df} {q}: {got} vs {exact}");
            }
        }
    }

    #[test]
    fn quantile_inverts_the_distribution() {
        let q = qtukey(0.95, 10, f64::INFINITY).unwrap();
        let p = ptukey(q, 10, f64::INFINITY).unwrap();
        assert!((p - 0.95).abs() < 1e-12);
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(ptukey(1.0, 1, 10.0).is_err());
        assert!(ptukey(1.0, 3, 0.5).is_err());
        assert!(ptukey(f64::NAN, 3, 10.0).is_err());
        assert!(qtukey(1.0, 3, 10.0).is_err());
    }
}
