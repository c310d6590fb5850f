//! Sample size for estimating a proportion: Cochran, with the
//! finite-population correction, Yamane, Krejcie–Morgan, and the inverse
//! (margin of error for a given sample size).
//!
//! Formulas (p the expected proportion, q = 1 − p, e the margin of error,
//! N the population size):
//!
//! * Cochran (1977, *Sampling Techniques*, 3rd ed., eq. 4.2):
//!   `n0 = z² p q / e²`, z the two-sided standard-normal quantile at the
//!   confidence level c, `z = Φ⁻¹((1 + c) / 2)` (1.959963985 at c = 0.95), or
//!   a z given directly (texts and the study use the rounded 1.96, which gives
//!   n0 = 384.16 instead of 384.1459).
//! * Finite-population correction (Cochran 1977, eq. 4.3):
//!   `n = n0 / (1 + (n0 − 1) / N)`, computed as `n0 N / (n0 + (N − 1))`
//!   (the same number; `1 + (n0 − 1)` loses a tiny n0 entirely).
//! * Yamane (1967, *Statistics: An Introductory Analysis*): `n = N / (1 + N e²)`;
//!   it assumes 95 % confidence and p = 0.5 whatever is given.
//! * Krejcie & Morgan (1970, *Educational and Psychological Measurement* 30,
//!   607–610): `s = χ² N P (1 − P) / (d² (N − 1) + χ² P (1 − P))`, χ² the
//!   1-degree-of-freedom chi-square quantile at the confidence level (3.841 at
//!   95 %; here the exact 3.841458820694124), P the proportion, d the margin.
//!   That quantile is z² (a 1-df chi-square is a squared standard normal), so
//!   a z given directly is used here too.
//! * Margin of error for n respondents: `e = z √(p q / n)`, and with a finite
//!   population `e = z √(p q / n) · √((N − n) / (N − 1))` — the exact inverse
//!   of Cochran's corrected formula, since `n0 = n (N − 1) / (N − n)`.
//!
//! Quantiles come from `statrs`, not from a lookup table: z = √2 · erf⁻¹(c),
//! which keeps full precision for every c in (0, 1) (Φ⁻¹((1 + c)/2) loses
//! digits near c = 1, where (1 + c)/2 rounds, and statrs' chi-square inverse
//! is inaccurate for small c). Sizes are rounded
//! up ([`round_up`]), with a tolerance so that floating-point noise such as
//! 384.0000000001 stays 384.

pub mod sem;

use crate::error::{check_range, AnalysisError, Result};
use crate::render::{fmt_fixed, Render, Table};
use serde::Serialize;

/// Relative tolerance of [`round_up`]: a value no more than
/// `ROUND_UP_TOLERANCE · max(1, x)` above an integer counts as that integer.
/// 1e-9 is far above double-precision noise in these closed forms (≈ 1e-13
/// relative) and far below any real fraction of a respondent.
pub const ROUND_UP_TOLERANCE: f64 = 1e-9;

/// Rounds a sample size up to the next whole respondent: 384.16 → 385, but
/// 384.0000000001 (floating-point noise) → 384. See [`ROUND_UP_TOLERANCE`].
/// A sample has at least one respondent, so anything below 1 gives 1.
///
/// ```
/// use analysis::sample_size::round_up;
/// assert_eq!(round_up(384.16), 385);
/// assert_eq!(round_up(384.0000000001), 384);
/// ```
pub fn round_up(x: f64) -> u64 {
    let tolerance = ROUND_UP_TOLERANCE * x.abs().max(1.0);
    let nearest = x.round();
    let n = if (x - nearest).abs() <= tolerance {
        nearest
    } else {
        x.ceil()
    };
    n.max(1.0) as u64
}

/// The two-sided standard-normal quantile for a confidence level:
/// `z = Φ⁻¹((1 + c) / 2)`, computed as `√2 · erf⁻¹(c)` (P(|Z| ≤ z) = c).
///
/// ```
/// // SciPy: scipy.stats.norm.ppf(0.975) = 1.959963984540054 (tests/fixtures/sample_size/grid.json).
/// let z = analysis::sample_size::z_for_confidence(0.95).unwrap();
/// assert!((z - 1.959_963_984_540_054).abs() < 1e-12);
/// ```
pub fn z_for_confidence(confidence: f64) -> Result<f64> {
    check_range("confidence", confidence, 0.0, 1.0, true)?;
    Ok(std::f64::consts::SQRT_2 * statrs::function::erf::erf_inv(confidence))
}

/// The 1-df chi-square quantile at the confidence level (Krejcie & Morgan's
/// χ²; 3.841458820694124 at 0.95): the square of [`z_for_confidence`].
pub fn chi_square_1df(confidence: f64) -> Result<f64> {
    let z = z_for_confidence(confidence)?;
    Ok(z * z)
}

/// Cochran's `n0 = z² p (1 − p) / e²` (unrounded).
///
/// ```
/// // Hand computation, the study's figure: 1.96² · 0.5 · 0.5 / 0.05² = 384.16.
/// let n0 = analysis::sample_size::cochran_n0(1.96, 0.5, 0.05).unwrap();
/// assert!((n0 - 384.16).abs() < 1e-9);
/// ```
pub fn cochran_n0(z: f64, proportion: f64, margin: f64) -> Result<f64> {
    check_z(z)?;
    check_range("proportion", proportion, 0.0, 1.0, true)?;
    check_range("margin", margin, 0.0, 1.0, true)?;
    Ok(z * z * proportion * (1.0 - proportion) / (margin * margin))
}

/// Cochran's finite-population correction `n0 / (1 + (n0 − 1) / N)`.
///
/// ```
/// // Hand computation: 384.16 · 1000 / (384.16 + 999) = 277.7647…
/// let n = analysis::sample_size::finite_population_correction(384.16, 1000).unwrap();
/// assert!((n - 384.16 * 1000.0 / 1383.16).abs() < 1e-9);
/// ```
pub fn finite_population_correction(n0: f64, population: u64) -> Result<f64> {
    check_population(population)?;
    if !(n0.is_finite() && n0 > 0.0) {
        return Err(AnalysisError::invalid_argument(
            "n0",
            n0,
            "a positive number",
        ));
    }
    Ok(n0 * population as f64 / (n0 + (population - 1) as f64))
}

/// Yamane's `N / (1 + N e²)` (unrounded).
///
/// ```
/// // Hand computation: 1000 / (1 + 1000 · 0.05²) = 1000 / 3.5.
/// let n = analysis::sample_size::yamane(1000, 0.05).unwrap();
/// assert!((n - 1000.0 / 3.5).abs() < 1e-9);
/// ```
pub fn yamane(population: u64, margin: f64) -> Result<f64> {
    check_population(population)?;
    check_range("margin", margin, 0.0, 1.0, true)?;
    let n = population as f64;
    Ok(n / (1.0 + n * margin * margin))
}

/// Krejcie & Morgan's `χ² N P (1 − P) / (d² (N − 1) + χ² P (1 − P))`
/// (unrounded); `chi_square` is the 1-df quantile (see [`chi_square_1df`]).
///
/// ```
/// // Krejcie & Morgan's (1970) published table: N = 1000 needs 278.
/// let s = analysis::sample_size::krejcie_morgan(1000, 0.5, 0.05, 3.841).unwrap();
/// assert_eq!(s.round(), 278.0);
/// ```
pub fn krejcie_morgan(
    population: u64,
    proportion: f64,
    margin: f64,
    chi_square: f64,
) -> Result<f64> {
    check_population(population)?;
    check_range("proportion", proportion, 0.0, 1.0, true)?;
    check_range("margin", margin, 0.0, 1.0, true)?;
    if !(chi_square.is_finite() && chi_square > 0.0) {
        return Err(AnalysisError::invalid_argument(
            "chi-square",
            chi_square,
            "a positive number",
        ));
    }
    let n = population as f64;
    let pq = proportion * (1.0 - proportion);
    Ok(chi_square * n * pq / (margin * margin * (n - 1.0) + chi_square * pq))
}

/// Margin of error for `n` respondents, `z √(p q / n)`, times
/// `√((N − n) / (N − 1))` when a population is given (n ≤ N; a census,
/// n = N, has no sampling error; N = 1 then gives 0).
///
/// ```
/// // Hand computation: 1.96 · √(0.25 / 385) = 0.04994…
/// let e = analysis::sample_size::margin_of_error(1.96, 0.5, 385, None).unwrap();
/// assert!((e - 1.96 * (0.25f64 / 385.0).sqrt()).abs() < 1e-15);
/// ```
pub fn margin_of_error(z: f64, proportion: f64, n: u64, population: Option<u64>) -> Result<f64> {
    check_z(z)?;
    check_range("proportion", proportion, 0.0, 1.0, true)?;
    if n == 0 {
        return Err(AnalysisError::invalid_argument(
            "n",
            n,
            "a whole number of respondents ≥ 1",
        ));
    }
    let nf = n as f64;
    let srs = z * (proportion * (1.0 - proportion) / nf).sqrt();
    match population {
        None => Ok(srs),
        Some(big_n) => {
            check_population(big_n)?;
            if n > big_n {
                return Err(AnalysisError::invalid_argument(
                    "n",
                    n,
                    &format!("at most the population size {big_n}"),
                ));
            }
            if big_n == 1 {
                return Ok(0.0);
            }
            let big = big_n as f64;
            Ok(srs * ((big - nf) / (big - 1.0)).sqrt())
        }
    }
}

/// The largest sample size computed: results are whole numbers held in
/// f64 (and u64), exact up to 2^53 ≈ 9.007e15.
pub const MAX_SAMPLE_SIZE: f64 = 1e15;

/// The largest z accepted: Φ(−38.5) is already below the smallest double,
/// so no confidence level corresponds to a larger z.
pub const MAX_Z: f64 = 40.0;

fn check_z(z: f64) -> Result<()> {
    if z.is_finite() && z > 0.0 && z <= MAX_Z {
        Ok(())
    } else {
        Err(AnalysisError::invalid_argument(
            "z",
            crate::error::fmt_number(z),
            "a positive number at most 40 (a larger z corresponds to no confidence level a double can hold)",
        ))
    }
}

fn check_population(population: u64) -> Result<()> {
    if population >= 1 {
        Ok(())
    } else {
        Err(AnalysisError::invalid_argument(
            "population",
            population,
            "a whole number ≥ 1",
        ))
    }
}

/// Where z came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZSource {
    /// The standard-normal quantile at the confidence level (statrs).
    Confidence,
    /// Given directly by the caller (e.g. the rounded 1.96).
    Given,
}

/// What to compute. `Default` is the study's setting: 95 % confidence,
/// p = 0.5, e = 0.05, z from the confidence level, no population.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleSizeInput {
    /// Confidence level c, strictly between 0 and 1.
    pub confidence: f64,
    /// z given directly; `None` takes it from `confidence`.
    pub z: Option<f64>,
    /// Expected proportion p, strictly between 0 and 1.
    pub proportion: f64,
    /// Margin of error e, strictly between 0 and 1.
    pub margin: f64,
    /// Population size N, for the correction, Yamane and Krejcie–Morgan.
    pub population: Option<u64>,
    /// A sample size whose margin of error is wanted (the inverse problem).
    pub n: Option<u64>,
}

impl Default for SampleSizeInput {
    fn default() -> Self {
        SampleSizeInput {
            confidence: 0.95,
            z: None,
            proportion: 0.5,
            margin: 0.05,
            population: None,
            n: None,
        }
    }
}

/// Every sample-size figure for one input. Sizes named `*_n` are
/// unrounded; `n` is the size to use, rounded up: `ceil(fpc_n)` when a
/// population is given, else `ceil(n0)`. Fields that do not apply are null
/// in JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleSize {
    /// Confidence level c.
    pub confidence: f64,
    /// The z used.
    pub z: f64,
    /// Whether z came from the confidence or was given.
    pub z_source: ZSource,
    /// Expected proportion p.
    pub proportion: f64,
    /// Margin of error e.
    pub margin: f64,
    /// Cochran's n0 = z²pq/e², unrounded.
    pub n0: f64,
    /// The size to use, rounded up (corrected when a population is given).
    pub n: u64,
    /// Population size N, if given.
    pub population: Option<u64>,
    /// n0 with the finite-population correction, unrounded.
    pub fpc_n: Option<f64>,
    /// Yamane's N/(1 + Ne²), unrounded.
    pub yamane_n: Option<f64>,
    /// Krejcie & Morgan's size, unrounded.
    pub krejcie_morgan_n: Option<f64>,
    /// The margin of error for `n_given` respondents.
    pub margin_for_n: Option<f64>,
    /// `yamane_n` rounded up.
    pub yamane_n_ceil: Option<u64>,
    /// `krejcie_morgan_n` rounded up (Krejcie & Morgan's table entry).
    pub krejcie_morgan_n_ceil: Option<u64>,
    /// The chi-square used by Krejcie–Morgan: the 1-df quantile at the
    /// confidence, z² (also when z is given directly).
    pub chi_square: Option<f64>,
    /// The sample size whose margin of error is `margin_for_n`.
    pub n_given: Option<u64>,
}

/// Computes all sample-size figures for `input`; fails with
/// `InvalidArgument` naming the parameter when one is out of its domain.
///
/// ```
/// use analysis::sample_size::{sample_size, SampleSizeInput};
/// // The study's setting (95 %, p = 0.5, e = 0.05): n0 = z² / 4 / 0.05² with
/// // z = 1.959963984540054 (SciPy, tests/fixtures/sample_size/grid.json).
/// let r = sample_size(&SampleSizeInput::default()).unwrap();
/// assert!((r.n0 - 384.145_882_069_412_4).abs() < 1e-9);
/// assert_eq!(r.n, 385);
/// ```
pub fn sample_size(input: &SampleSizeInput) -> Result<SampleSize> {
    check_range("confidence", input.confidence, 0.0, 1.0, true)?;
    check_range("proportion", input.proportion, 0.0, 1.0, true)?;
    check_range("margin", input.margin, 0.0, 1.0, true)?;
    let (z, z_source) = match input.z {
        Some(z) => {
            check_z(z)?;
            (z, ZSource::Given)
        }
        None => (z_for_confidence(input.confidence)?, ZSource::Confidence),
    };
    let n0 = cochran_n0(z, input.proportion, input.margin)?;
    if n0.is_nan() || n0 > MAX_SAMPLE_SIZE {
        return Err(AnalysisError::unsuitable(
            crate::error::Location::default(),
            format!(
                "Cochran's n0 = z²pq/e² {} {}, the largest sample size computed here (whole numbers above 2^53 ≈ 9e15 are not exact in floating point): the margin e = {} is too small{}",
                if n0.is_finite() {
                    format!("= {} exceeds", crate::error::fmt_number(n0))
                } else {
                    "overflows double precision, far beyond".to_owned()
                },
                crate::error::fmt_number(MAX_SAMPLE_SIZE),
                crate::error::fmt_number(input.margin),
                if input.z.is_some() { " or z too large" } else { "" }
            ),
        ));
    }
    let mut result = SampleSize {
        confidence: input.confidence,
        z,
        z_source,
        proportion: input.proportion,
        margin: input.margin,
        n0,
        n: round_up(n0),
        population: input.population,
        fpc_n: None,
        yamane_n: None,
        krejcie_morgan_n: None,
        margin_for_n: None,
        yamane_n_ceil: None,
        krejcie_morgan_n_ceil: None,
        chi_square: None,
        n_given: input.n,
    };
    if let Some(population) = input.population {
        let fpc = finite_population_correction(n0, population)?;
        let yam = yamane(population, input.margin)?;
        // z² is the 1-df chi-square quantile at the confidence, or the
        // given z's counterpart, so both corrections use the same level.
        let chi2 = z * z;
        let km = krejcie_morgan(population, input.proportion, input.margin, chi2)?;
        result.fpc_n = Some(fpc);
        result.n = round_up(fpc);
        result.yamane_n = Some(yam);
        result.yamane_n_ceil = Some(round_up(yam));
        result.krejcie_morgan_n = Some(km);
        result.krejcie_morgan_n_ceil = Some(round_up(km));
        result.chi_square = Some(chi2);
    }
    if let Some(n) = input.n {
        result.margin_for_n = Some(margin_of_error(z, input.proportion, n, input.population)?);
    }
    Ok(result)
}

impl Render for SampleSize {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new("Sample size", &["quantity", "value"]);
        let z_origin = match self.z_source {
            ZSource::Confidence => format!(
                "z = {} (standard-normal quantile at confidence {})",
                fmt_fixed(self.z, 9),
                self.confidence
            ),
            ZSource::Given => format!("z = {} (given directly)", self.z),
        };
        t.row(vec!["confidence".into(), self.confidence.to_string()]);
        t.row(vec!["z".into(), fmt_fixed(self.z, 9)]);
        t.row(vec!["proportion p".into(), self.proportion.to_string()]);
        t.row(vec!["margin of error e".into(), self.margin.to_string()]);
        t.row(vec!["Cochran n0 = z²pq/e²".into(), fmt_fixed(self.n0, 4)]);
        if let Some(population) = self.population {
            t.row(vec!["population N".into(), population.to_string()]);
            if let Some(fpc) = self.fpc_n {
                t.row(vec!["corrected n0/(1+(n0−1)/N)".into(), fmt_fixed(fpc, 4)]);
            }
        }
        t.row(vec!["n (rounded up)".into(), self.n.to_string()]);
        if let (Some(y), Some(yc)) = (self.yamane_n, self.yamane_n_ceil) {
            t.row(vec!["Yamane N/(1+Ne²)".into(), fmt_fixed(y, 4)]);
            t.row(vec!["Yamane (rounded up)".into(), yc.to_string()]);
        }
        if let (Some(k), Some(kc)) = (self.krejcie_morgan_n, self.krejcie_morgan_n_ceil) {
            t.row(vec!["Krejcie–Morgan".into(), fmt_fixed(k, 4)]);
            t.row(vec!["Krejcie–Morgan (rounded up)".into(), kc.to_string()]);
        }
        if let (Some(n), Some(m)) = (self.n_given, self.margin_for_n) {
            t.row(vec![
                format!("margin of error for n = {n}"),
                fmt_fixed(m, 6),
            ]);
        }
        t.note(z_origin);
        if self.z_source == ZSource::Confidence {
            // The study (and most textbooks) print n0 with the rounded z = 1.96.
            let rounded_z = (self.z * 100.0).round() / 100.0;
            if let Ok(n0_rounded_z) = cochran_n0(rounded_z, self.proportion, self.margin) {
                t.note(format!(
                    "With z rounded to {rounded_z} (as printed in most texts), n0 = {}.",
                    fmt_fixed(n0_rounded_z, 4)
                ));
            }
        }
        if let Some(chi2) = self.chi_square {
            let level = match self.z_source {
                ZSource::Confidence => format!("at confidence {}", self.confidence),
                ZSource::Given => "= z² for the given z".to_owned(),
            };
            t.note(format!(
                "Krejcie–Morgan uses χ²(1) = {} {level}; Yamane assumes 95 % and p = 0.5.",
                fmt_fixed(chi2, 6),
            ));
        }
        t.note(format!(
            "Sizes are rounded up; values within {ROUND_UP_TOLERANCE:e}·n of a whole number count as that number."
        ));
        vec![t]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_up_ignores_floating_noise_but_not_real_fractions() {
        assert_eq!(round_up(384.0000000001), 384);
        assert_eq!(round_up(383.9999999999), 384);
        assert_eq!(round_up(384.16), 385);
        assert_eq!(round_up(384.1459), 385);
        assert_eq!(round_up(384.001), 385);
        assert_eq!(round_up(0.2), 1);
    }

    #[test]
    fn the_study_settings_give_384_16_with_z_1_96() {
        let n0 = cochran_n0(1.96, 0.5, 0.05).unwrap();
        // 1.96² · 0.25 / 0.0025 = 3.8416 · 100
        assert!((n0 - 384.16).abs() < 1e-9);
        let r = sample_size(&SampleSizeInput::default()).unwrap();
        assert_eq!(r.z_source, ZSource::Confidence);
        assert!((r.z - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((r.n0 - 384.145_882_069_412_4).abs() < 1e-9);
        assert_eq!(r.n, 385);
        assert!(r.fpc_n.is_none() && r.yamane_n.is_none() && r.margin_for_n.is_none());
    }

    #[test]
    fn chi_square_is_z_squared() {
        for c in [0.8, 0.9, 0.95, 0.99, 0.999] {
            let z = z_for_confidence(c).unwrap();
            let chi2 = chi_square_1df(c).unwrap();
            assert!(
                (chi2 - z * z).abs() < 1e-10 * chi2,
                "{c}: {chi2} vs {}",
                z * z
            );
        }
    }

    #[test]
    fn margin_of_error_inverts_cochran() {
        let z = 1.96;
        let n0 = cochran_n0(z, 0.3, 0.04).unwrap();
        let e = margin_of_error(z, 0.3, 1, None).unwrap() / n0.sqrt();
        assert!((e - 0.04).abs() < 1e-12);
        // Finite population: e for the corrected n equals the target margin.
        let fpc = finite_population_correction(n0, 2000).unwrap();
        let big = 2000.0;
        let e_fpc = z * (0.3 * 0.7 / fpc).sqrt() * ((big - fpc) / (big - 1.0)).sqrt();
        assert!((e_fpc - 0.04).abs() < 1e-12);
        assert_eq!(margin_of_error(z, 0.5, 10, Some(10)).unwrap(), 0.0);
        assert!(margin_of_error(z, 0.5, 11, Some(10)).is_err());
    }

    #[test]
    fn out_of_domain_parameters_are_named() {
        let bad = |f: fn(&mut SampleSizeInput), name: &str| {
            let mut input = SampleSizeInput::default();
            f(&mut input);
            let e = sample_size(&input).unwrap_err().to_string();
            assert!(e.contains(name), "{e}");
        };
        bad(|i| i.confidence = 1.0, "confidence");
        bad(|i| i.proportion = 0.0, "proportion");
        bad(|i| i.margin = f64::NAN, "margin");
        bad(|i| i.z = Some(-1.0), "z");
        bad(|i| i.population = Some(0), "population");
        bad(|i| i.n = Some(0), "invalid n");
    }
}
