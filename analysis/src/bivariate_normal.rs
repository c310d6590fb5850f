//! The standard bivariate normal distribution: its CDF Φ₂(x, y; ρ) and
//! density φ₂(x, y; ρ), as the polychoric correlations need them.
//!
//! The CDF is Genz's algorithm (A. Genz, "Numerical computation of
//! rectangular bivariate and trivariate normal and t probabilities",
//! Statistics and Computing 14:251–260, 2004; his `BVND`/`bvnu` code):
//! Drezner & Wesolowsky's integral over the correlation with 6-, 12- or
//! 20-point Gauss–Legendre rules for |ρ| < 0.925 and their expansion about
//! ρ = ±1 above. It is accurate to about 1e-15 absolute and is the algorithm
//! R's `pbivnorm` (lavaan's bivariate CDF) and `mvtnorm` run. Written here
//! because no maintained Rust crate offers the bivariate normal CDF (statrs
//! has none; the `mvn`-style crates integrate by Monte Carlo).

use std::f64::consts::PI;

/// Standard normal CDF, from the correctly rounded-ish `libm::erfc` (statrs'
/// erfc is good to only ~1e-10, too coarse for Φ₂'s tails).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal density.
pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// Bivariate standard normal density φ₂(x, y; ρ) for |ρ| < 1; zero when
/// either argument is infinite.
pub fn bivariate_normal_pdf(x: f64, y: f64, rho: f64) -> f64 {
    if !x.is_finite() || !y.is_finite() {
        return 0.0;
    }
    let r = 1.0 - rho * rho;
    (-(x * x - 2.0 * rho * x * y + y * y) / (2.0 * r)).exp() / (2.0 * PI * r.sqrt())
}

/// Φ₂(x, y; ρ) = P(X ≤ x, Y ≤ y) for standard normals with correlation ρ
/// (|ρ| ≤ 1). Infinite limits are allowed.
///
/// ```
/// use analysis::bivariate_normal::bivariate_normal_cdf;
/// // P(X ≤ 0, Y ≤ 0) = 1/4 + asin(ρ)/(2π).
/// let p = bivariate_normal_cdf(0.0, 0.0, 0.5);
/// assert!((p - (0.25 + 0.5f64.asin() / (2.0 * std::f64::consts::PI))).abs() < 1e-15);
/// ```
pub fn bivariate_normal_cdf(x: f64, y: f64, rho: f64) -> f64 {
    upper_orthant(-x, -y, rho)
}

// Gauss–Legendre abscissae and weights on [-1, 1] (positive half), as in
// Genz's code: 6, 12 and 20 points.
const W6: [f64; 3] = [0.1713244923791705, 0.3607615730481384, 0.4679139345726904];
const X6: [f64; 3] = [0.9324695142031522, 0.6612093864662647, 0.238619186083197];
const W12: [f64; 6] = [
    0.04717533638651177,
    0.1069393259953183,
    0.1600783285433464,
    0.2031674267230659,
    0.2334925365383547,
    0.2491470458134029,
];
const X12: [f64; 6] = [
    0.9815606342467191,
    0.904117256370475,
    0.769902674194305,
    0.5873179542866171,
    0.3678314989981802,
    0.1252334085114692,
];
const W20: [f64; 10] = [
    0.01761400713915212,
    0.04060142980038694,
    0.06267204833410906,
    0.08327674157670475,
    0.1019301198172404,
    0.1181945319615184,
    0.1316886384491766,
    0.1420961093183821,
    0.1491729864726037,
    0.1527533871307259,
];
const X20: [f64; 10] = [
    0.9931285991850949,
    0.9639719272779138,
    0.912234428251326,
    0.8391169718222188,
    0.7463319064601508,
    0.636053680726515,
    0.5108670019508271,
    0.3737060887154196,
    0.2277858511416451,
    0.07652652113349733,
];

/// P(X > h, Y > k) (Genz's `bvnu`).
fn upper_orthant(h: f64, k: f64, r: f64) -> f64 {
    if h == f64::INFINITY || k == f64::INFINITY {
        return 0.0;
    }
    if h == f64::NEG_INFINITY {
        return if k == f64::NEG_INFINITY {
            1.0
        } else {
            normal_cdf(-k)
        };
    }
    if k == f64::NEG_INFINITY {
        return normal_cdf(-h);
    }
    if r == 0.0 {
        return normal_cdf(-h) * normal_cdf(-k);
    }
    let two_pi = 2.0 * PI;
    let (w, x): (&[f64], &[f64]) = if r.abs() < 0.3 {
        (&W6, &X6)
    } else if r.abs() < 0.75 {
        (&W12, &X12)
    } else {
        (&W20, &X20)
    };
    // The rule on [0, 2] is the nodes 1 ∓ x with the weights repeated.
    let nodes = || {
        w.iter()
            .zip(x)
            .flat_map(|(&wi, &xi)| [(wi, 1.0 - xi), (wi, 1.0 + xi)])
    };
    let mut hk = h * k;
    let mut bvn = 0.0;
    if r.abs() < 0.925 {
        let hs = (h * h + k * k) / 2.0;
        let asr = r.asin() / 2.0;
        for (wi, xi) in nodes() {
            let sn = (asr * xi).sin();
            bvn += wi * ((sn * hk - hs) / (1.0 - sn * sn)).exp();
        }
        bvn * asr / two_pi + normal_cdf(-h) * normal_cdf(-k)
    } else {
        let mut k = k;
        if r < 0.0 {
            k = -k;
            hk = -hk;
        }
        if r.abs() < 1.0 {
            let a_s = 1.0 - r * r;
            let mut a = a_s.sqrt();
            let bs = (h - k) * (h - k);
            let c = (4.0 - hk) / 8.0;
            let d = (12.0 - hk) / 80.0;
            let asr = -(bs / a_s + hk) / 2.0;
            if asr > -100.0 {
                bvn = a
                    * asr.exp()
                    * (1.0 - c * (bs - a_s) * (1.0 - d * bs) / 3.0 + c * d * a_s * a_s);
            }
            if hk > -100.0 {
                let b = bs.sqrt();
                let sp = two_pi.sqrt() * normal_cdf(-b / a);
                bvn -= (-hk / 2.0).exp() * sp * b * (1.0 - c * bs * (1.0 - d * bs) / 3.0);
            }
            a /= 2.0;
            let mut sum = 0.0;
            for (wi, xi) in nodes() {
                let xs = (a * xi) * (a * xi);
                let asr = -(bs / xs + hk) / 2.0;
                if asr > -100.0 {
                    let sp = 1.0 + c * xs * (1.0 + 5.0 * d * xs);
                    let rs = (1.0 - xs).sqrt();
                    let ep = (-(hk / 2.0) * xs / ((1.0 + rs) * (1.0 + rs))).exp() / rs;
                    sum += wi * asr.exp() * (sp - ep);
                }
            }
            bvn = (a * sum - bvn) / two_pi;
        }
        if r > 0.0 {
            bvn += normal_cdf(-h.max(k));
        } else if h >= k {
            bvn = -bvn;
        } else {
            let l = if h < 0.0 {
                normal_cdf(k) - normal_cdf(h)
            } else {
                normal_cdf(-h) - normal_cdf(-k)
            };
            bvn = l - bvn;
        }
        bvn.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        // Independence, the orthant at zero, and ρ = ±1.
        let p = bivariate_normal_cdf(0.3, -1.2, 0.0);
        assert!((p - normal_cdf(0.3) * normal_cdf(-1.2)).abs() < 1e-16);
        for r in [-0.99, -0.9, -0.5, -0.1, 0.1, 0.5, 0.8, 0.95, 0.999] {
            let want = 0.25 + f64::asin(r) / (2.0 * PI);
            assert!(
                (bivariate_normal_cdf(0.0, 0.0, r) - want).abs() < 1e-15,
                "{r}"
            );
        }
        assert!((bivariate_normal_cdf(0.4, 1.1, 1.0) - normal_cdf(0.4)).abs() < 1e-16);
        let p = bivariate_normal_cdf(0.4, 1.1, -1.0);
        assert!((p - (normal_cdf(0.4) - normal_cdf(-1.1))).abs() < 1e-16);
        assert_eq!(bivariate_normal_cdf(f64::NEG_INFINITY, 1.0, 0.5), 0.0);
        assert!((bivariate_normal_cdf(f64::INFINITY, 1.0, 0.5) - normal_cdf(1.0)).abs() < 1e-16);
    }
}
