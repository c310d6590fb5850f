//! Shapiro–Wilk W and its p-value by Royston's Algorithm AS R94 (Royston
//! 1995, "Remark AS R94: A remark on Algorithm AS 181: The W-test for
//! normality", Applied Statistics 44, 547–551), for 3 ≤ n ≤ 5000, without
//! censoring. Written by hand because no Rust crate implements it; this is a
//! line-by-line port of the AS R94 Fortran as SciPy translated it
//! (`scipy/stats/_ansari_swilk_statistics.pyx`, `swilk`), including its
//! helpers AS 111 (`ppnd`, normal quantiles for the coefficients) and AS 66
//! (`alnorm`, normal tail area), so that W and p agree with
//! `scipy.stats.shapiro`. R's `shapiro.test` runs the same algorithm but with
//! its exact `qnorm`/`pnorm` in place of AS 111/AS 66, which moves W in about
//! the seventh digit.
//!
//! Coefficients: mᵢ = Φ⁻¹((i − 3/8)/(n + 1/4)); for n > 5 the two extreme
//! coefficients come from Royston's polynomials in u = 1/√n,
//! a_n = c_n + 0.221157u − 0.147981u² − 2.071190u³ + 4.434685u⁴ − 2.706056u⁵,
//! a_{n−1} = c_{n−1} + 0.042981u − 0.293762u² − 1.752461u³ + 5.682633u⁴ − 3.582633u⁵,
//! the others are mᵢ/√ε with ε normalising Σaᵢ² = 1. W = (Σaᵢx₍ᵢ₎)²/Σ(xᵢ − x̄)².
//! p-value: n = 3 exact, p = 1 − (6/π) arccos √W; 4 ≤ n ≤ 11:
//! −ln(γ − ln(1 − W)) is normal with γ = −2.273 + 0.459n and mean and sd
//! cubic in n; n ≥ 12: ln(1 − W) is normal with mean and ln sd polynomial in
//! ln n (upper tail).

use std::f64::consts::PI;

/// W, p and, for n > 5000, a warning flag (p may be inaccurate there).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Swilk {
    pub w: f64,
    pub p: f64,
}

/// Why AS R94 could not be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SwilkFault {
    TooFew,
    ZeroRange,
}

/// AS R94 on sorted data `x` (ascending). The caller checks 3 ≤ n ≤ 5000.
pub(crate) fn swilk(x: &[f64]) -> Result<Swilk, SwilkFault> {
    let n = x.len();
    if n < 3 {
        return Err(SwilkFault::TooFew);
    }
    const C1: [f64; 6] = [0.0, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056];
    const C2: [f64; 6] = [0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633];
    const C3: [f64; 4] = [0.5440, -0.39978, 0.025054, -0.6714e-3];
    const C4: [f64; 4] = [1.3822, -0.77857, 0.062767, -0.20322e-2];
    const C5: [f64; 4] = [-1.5861, -0.31082, -0.083751, 0.38915e-2];
    const C6: [f64; 3] = [-0.4803, -0.082676, 0.30302e-2];
    const G: [f64; 2] = [-2.273, 0.459];
    const SMALL: f64 = 1e-19;

    let nn2 = n / 2;
    let an = n as f64;
    let mut a = vec![0.0; nn2];
    if n == 3 {
        a[0] = std::f64::consts::FRAC_1_SQRT_2;
    } else {
        let an25 = an + 0.25;
        let mut summ2 = 0.0;
        for (i, ai) in a.iter_mut().enumerate() {
            let m = ppnd((i as f64 + 1.0 - 0.375) / an25);
            *ai = m;
            summ2 += m * m;
        }
        summ2 *= 2.0;
        let ssumm2 = summ2.sqrt();
        let rsn = 1.0 / an.sqrt();
        let a1 = poly(&C1, rsn) - a[0] / ssumm2;
        let (i1, fac) = if n > 5 {
            let a2 = -a[1] / ssumm2 + poly(&C2, rsn);
            let fac = ((summ2 - 2.0 * a[0] * a[0] - 2.0 * a[1] * a[1])
                / (1.0 - 2.0 * a1 * a1 - 2.0 * a2 * a2))
                .sqrt();
            a[1] = a2;
            (2, fac)
        } else {
            (
                1,
                ((summ2 - 2.0 * a[0] * a[0]) / (1.0 - 2.0 * a1 * a1)).sqrt(),
            )
        };
        a[0] = a1;
        for ai in a.iter_mut().take(nn2).skip(i1) {
            *ai *= -1.0 / fac;
        }
    }

    let range = x[n - 1] - x[0];
    if range < SMALL {
        return Err(SwilkFault::ZeroRange);
    }
    // a is stored for the lower half with sign flipped (a[0] < 0 pairs with
    // x₍₁₎); the full antisymmetric vector is sign·a[min(i, n−1−i)].
    let coef = |i: usize| -> f64 {
        let j = n - 1 - i;
        if i == j {
            0.0
        } else if i < j {
            -a[i]
        } else {
            a[j]
        }
    };
    let mut sa = 0.0;
    let mut sx = 0.0;
    for (i, xi) in x.iter().enumerate() {
        sx += xi / range;
        sa += coef(i);
    }
    sa /= an;
    sx /= an;
    let (mut ssa, mut ssx, mut sax) = (0.0, 0.0, 0.0);
    for (i, xi) in x.iter().enumerate() {
        let asa = coef(i) - sa;
        let xsx = xi / range - sx;
        ssa += asa * asa;
        ssx += xsx * xsx;
        sax += asa * xsx;
    }
    let ssassx = (ssa * ssx).sqrt();
    let w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx);
    let w = 1.0 - w1;

    if n == 3 {
        // Exact; W ≥ 3/4 in theory, clamped as SciPy does (gh-18322).
        if w < 0.75 {
            return Ok(Swilk { w: 0.75, p: 0.0 });
        }
        let p = 1.0 - 6.0 / PI * w.sqrt().acos();
        return Ok(Swilk { w, p });
    }
    let mut y = w1.ln();
    let xx = an.ln();
    let (m, s) = if n <= 11 {
        let gamma = poly(&G, an);
        if y >= gamma {
            return Ok(Swilk { w, p: SMALL });
        }
        y = -(gamma - y).ln();
        (poly(&C3, an), poly(&C4, an).exp())
    } else {
        (poly(&C5, xx), poly(&C6, xx).exp())
    };
    Ok(Swilk {
        w,
        p: alnorm((y - m) / s, true),
    })
}

/// c₀ + c₁x + … + c_k x^k (AS 181 `poly`).
fn poly(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, ci| acc * x + ci)
}

/// Normal tail area (AS 66, Hill 1973, with the 2001 extension of the upper
/// cutoff to 38), as used by AS R94.
fn alnorm(x: f64, upper: bool) -> f64 {
    const LTONE: f64 = 7.0;
    const UTZERO: f64 = 38.0;
    const CON: f64 = 1.28;
    let (a1, a2, a3, a4, a5, a6, a7) = (
        0.398942280444,
        0.399903438504,
        5.75885480458,
        29.8213557808,
        2.62433121679,
        48.6959930692,
        5.92885724438,
    );
    let (b1, b2, b3, b4, b5, b6) = (
        0.398942280385,
        3.8052e-8,
        1.00000615302,
        3.98064794e-4,
        1.98615381364,
        0.151679116635,
    );
    let (b7, b8, b9, b10, b11, b12) = (
        5.29330324926,
        4.8385912808,
        15.1508972451,
        0.742380924027,
        30.789933034,
        3.99019417011,
    );
    let mut up = upper;
    let mut z = x;
    // Written so that a NaN takes this branch too, as in AS 66.
    if z.is_nan() || z <= 0.0 {
        up = false;
        z = -z;
    }
    if !(z <= LTONE || (up && z <= UTZERO)) {
        return if up { 0.0 } else { 1.0 };
    }
    let y = 0.5 * z * z;
    let temp = if z <= CON {
        0.5 - z * (a1 - a2 * y / (y + a3 - a4 / (y + a5 + a6 / (y + a7))))
    } else {
        b1 * (-y).exp()
            / (z - b2
                + b3 / (z + b4 + b5 / (z - b6 + b7 / (z + b8 - b9 / (z + b10 + b11 / (z + b12))))))
    };
    if up {
        temp
    } else {
        1.0 - temp
    }
}

/// Normal quantile (AS 111, Beasley & Springer 1977), accurate to about
/// 1e-7, as used by AS R94 for the expected normal order statistics.
fn ppnd(p: f64) -> f64 {
    const SPLIT: f64 = 0.42;
    const A: [f64; 4] = [
        2.50662823884,
        -18.61500062529,
        41.39119773534,
        -25.44106049637,
    ];
    const B: [f64; 4] = [
        -8.47351093090,
        23.08336743743,
        -21.06224101826,
        3.13082909833,
    ];
    const C: [f64; 4] = [-2.78718931138, -2.29796479134, 4.85014127135, 2.32121276858];
    const D: [f64; 2] = [3.54388924762, 1.63706781897];
    let q = p - 0.5;
    if q.abs() <= SPLIT {
        let r = q * q;
        let num = q * (((A[3] * r + A[2]) * r + A[1]) * r + A[0]);
        let den = (((B[3] * r + B[2]) * r + B[1]) * r + B[0]) * r + 1.0;
        return num / den;
    }
    let mut r = if q > 0.0 { 1.0 - p } else { p };
    if r > 0.0 {
        r = (-r.ln()).sqrt();
    } else {
        return 0.0;
    }
    let num = ((C[3] * r + C[2]) * r + C[1]) * r + C[0];
    let den = (D[1] * r + D[0]) * r + 1.0;
    if q < 0.0 {
        -num / den
    } else {
        num / den
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_match_the_normal_distribution() {
        assert!((ppnd(0.975) - 1.959_963_984_540_054).abs() < 1e-6);
        assert_eq!(ppnd(0.5), 0.0);
        assert!((alnorm(1.959_963_984_540_054, true) - 0.025).abs() < 1e-9);
        assert!((alnorm(-1.0, true) - 0.841_344_746_068_543).abs() < 1e-9);
    }

    #[test]
    fn three_points_give_the_exact_distribution() {
        // Equally spaced: W = 1, p = 1. (0, 1, 3): scipy.stats.shapiro gives
        // W = 0.9642857142857142 (= 27/28), p = 0.6368868450289689.
        let r = swilk(&[1.0, 2.0, 3.0]).unwrap();
        assert!((r.w - 1.0).abs() < 1e-12 && (r.p - 1.0).abs() < 1e-9);
        let r = swilk(&[0.0, 1.0, 3.0]).unwrap();
        assert!((r.w - 0.964_285_714_285_714_3).abs() < 1e-12);
        assert!((r.p - 0.636_886_845_028_968_9).abs() < 1e-12);
        assert_eq!(swilk(&[2.0, 2.0, 2.0]), Err(SwilkFault::ZeroRange));
    }
}
