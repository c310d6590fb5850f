//! Descriptive statistics shared by the methods.

/// Arithmetic mean; `None` for an empty slice. The plain sum is corrected
/// by the mean of the residuals (a second pass): with a large offset, such
/// as 10⁸ + N(0, 1), the plain mean is off by several units in the last
/// place and every centred moment inherits that error.
///
/// ```
/// // Hand computation: (1 + 2 + 3 + 4) / 4 = 2.5.
/// assert_eq!(analysis::descriptive::mean(&[1.0, 2.0, 3.0, 4.0]), Some(2.5));
/// assert_eq!(analysis::descriptive::mean(&[]), None);
/// ```
pub fn mean(x: &[f64]) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    Some(m + x.iter().map(|v| v - m).sum::<f64>() / n)
}

/// Sample variance with divisor n − 1 (two-pass for accuracy); `None` if n < 2.
///
/// ```
/// // Hand computation: squared deviations from 2.5 sum to 5; 5 / (4 − 1).
/// let v = analysis::descriptive::variance(&[1.0, 2.0, 3.0, 4.0]).unwrap();
/// assert!((v - 5.0 / 3.0).abs() < 1e-15);
/// ```
pub fn variance(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let m = mean(x)?;
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    Some(ss / (x.len() - 1) as f64)
}

/// Sample standard deviation (divisor n − 1).
///
/// ```
/// // Hand computation: √(5/3) (see `variance`).
/// let s = analysis::descriptive::sd(&[1.0, 2.0, 3.0, 4.0]).unwrap();
/// assert!((s - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
/// ```
pub fn sd(x: &[f64]) -> Option<f64> {
    variance(x).map(f64::sqrt)
}

/// Central moments m2, m3, m4 with divisor n.
fn central_moments(x: &[f64]) -> Option<(f64, f64, f64)> {
    let m = mean(x)?;
    let n = x.len() as f64;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for v in x {
        let d = v - m;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    Some((m2 / n, m3 / n, m4 / n))
}

/// Bias-corrected sample skewness G1 = g1·√(n(n−1))/(n−2), g1 = m3/m2^{3/2}
/// (Joanes & Gill 1998, type 2; SPSS, SAS and SciPy `skew(bias=False)`).
/// `None` when n < 3 or the values are constant.
///
/// ```
/// // SciPy 1.17: scipy.stats.skew([1, 2, 4], bias=False) = 0.9352195295828235.
/// let g1 = analysis::descriptive::skewness(&[1.0, 2.0, 4.0]).unwrap();
/// assert!((g1 - 0.935_219_529_582_823_5).abs() < 1e-12);
/// ```
pub fn skewness(x: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    if x.len() < 3 {
        return None;
    }
    let (m2, m3, _) = central_moments(x)?;
    if m2 <= 0.0 {
        return None;
    }
    let g1 = m3 / m2.powf(1.5);
    Some(g1 * (n * (n - 1.0)).sqrt() / (n - 2.0))
}

/// Bias-corrected excess kurtosis G2 = ((n+1)g2 + 6)(n−1)/((n−2)(n−3)),
/// g2 = m4/m2² − 3 (Joanes & Gill 1998, type 2; SPSS, SAS and SciPy
/// `kurtosis(bias=False)`). `None` when n < 4 or the values are constant.
///
/// ```
/// // SciPy 1.17: scipy.stats.kurtosis([1, 2, 3, 4, 10], bias=False) = 3.152.
/// let g2 = analysis::descriptive::excess_kurtosis(&[1.0, 2.0, 3.0, 4.0, 10.0]).unwrap();
/// assert!((g2 - 3.152).abs() < 1e-12);
/// ```
pub fn excess_kurtosis(x: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    if x.len() < 4 {
        return None;
    }
    let (m2, _, m4) = central_moments(x)?;
    if m2 <= 0.0 {
        return None;
    }
    let g2 = m4 / (m2 * m2) - 3.0;
    Some(((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_of_a_small_sample() {
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&x), Some(5.0));
        assert!((variance(&x).unwrap() - 32.0 / 7.0).abs() < 1e-12);
        assert_eq!(variance(&[1.0]), None);
        assert_eq!(skewness(&[3.0, 3.0, 3.0]), None);
    }
}
