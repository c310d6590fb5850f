//! Sample size for a structural equation model: the power of the RMSEA
//! tests of MacCallum, Browne & Sugawara (1996, *Psychological Methods* 1,
//! 130–149) for a model with `df` degrees of freedom, and the smallest
//! sample reaching a given power.
//!
//! Definitions, exactly as semTools 0.5 (`findRMSEApower`,
//! `findRMSEAsamplesize`), which the tests check case by case:
//!
//! * Non-centralities `λ₀ = (n − 1)·df·ε₀²` under the null RMSEA ε₀ and
//!   `λ₁ = (n − 1)·df·ε₁²` under the alternative ε₁ — with n − 1, the
//!   multiplier of the Wishart likelihood χ², not n.
//! * ε₀ < ε₁, the **test of close fit** (H0: RMSEA ≤ ε₀; the usual 0.05 vs
//!   0.08): reject when χ² exceeds the upper-α quantile `c` of χ²(df, λ₀);
//!   power = P(χ²(df, λ₁) > c).
//! * ε₀ > ε₁, the **test of not-close fit** (H0: RMSEA ≥ ε₀, e.g. 0.05 vs
//!   0.01): reject when χ² is below the lower-α quantile `c` of χ²(df, λ₀);
//!   power = P(χ²(df, λ₁) < c).
//! * Minimum n: the smallest whole n whose power is strictly above the
//!   target. semTools scans n = 5, 6, 7, … and answers "Sample Size <= 5"
//!   when n = 5 already suffices; here the search starts at n = 2 (the
//!   smallest n with a non-zero non-centrality), so such answers are 2 to 5.
//!   Power rises with n, so a bisection over whole numbers finds the same n
//!   as semTools' scan in a few dozen evaluations instead of thousands.
//!
//! The non-central χ² distribution is [`crate::sem::fit`]'s (exact Poisson
//! mixture, Sankaran's approximation beyond λ = 2e7, where R's `pnchisq`
//! stops converging); its quantile is found here by bracketing and false
//! position, since statrs has no non-central χ².

use crate::error::{check_range, fmt_number, AnalysisError, Location, Result};
use crate::render::{fmt_fixed, Render, Table};
use crate::sem::fit::{noncentral_chisq_cdf, noncentral_chisq_sf};
use serde::Serialize;

/// semTools' default null RMSEA ε₀ (the bound of close fit).
pub const DEFAULT_RMSEA0: f64 = 0.05;
/// semTools' default alternative RMSEA ε₁ (mediocre fit).
pub const DEFAULT_RMSEA1: f64 = 0.08;
/// semTools' default significance level.
pub const DEFAULT_ALPHA: f64 = 0.05;
/// semTools' default target power.
pub const DEFAULT_POWER: f64 = 0.80;

/// The largest model df accepted: p(p + 1)/2 moments of about 1 400
/// observed variables, beyond any questionnaire model.
pub const MAX_DF: u64 = 1_000_000;
/// The smallest n: n − 1 = 0 makes both non-centralities 0 (power = α).
pub const MIN_N: u64 = 2;
/// The largest n accepted or searched, as `sem --nobs`.
pub const MAX_N: u64 = 1_000_000_000;
/// The smallest α (and 1 − power): below 1e-6, the tail of the non-central
/// χ² series at large non-centrality loses its relative accuracy.
pub const MIN_TAIL: f64 = 1e-6;

/// Which RMSEA test the pair (ε₀, ε₁) describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RmseaTest {
    /// ε₀ < ε₁: H0 RMSEA ≤ ε₀, rejected for large χ².
    CloseFit,
    /// ε₀ > ε₁: H0 RMSEA ≥ ε₀, rejected for small χ².
    NotCloseFit,
}

impl RmseaTest {
    /// The test for a pair of RMSEA values (which must differ).
    pub fn for_pair(rmsea0: f64, rmsea1: f64) -> RmseaTest {
        if rmsea0 < rmsea1 {
            RmseaTest::CloseFit
        } else {
            RmseaTest::NotCloseFit
        }
    }

    /// The name used in text output.
    pub fn label(self) -> &'static str {
        match self {
            RmseaTest::CloseFit => "test of close fit",
            RmseaTest::NotCloseFit => "test of not-close fit",
        }
    }
}

/// The design of an RMSEA test: model df, null and alternative RMSEA, α.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmseaDesign {
    /// Degrees of freedom of the model (1 to [`MAX_DF`]).
    pub df: u64,
    /// RMSEA under the null hypothesis, ε₀ (0 to 1).
    pub rmsea0: f64,
    /// RMSEA under the alternative, ε₁ (0 to 1, not ε₀).
    pub rmsea1: f64,
    /// Significance level ([`MIN_TAIL`] to below 1).
    pub alpha: f64,
}

impl Default for RmseaDesign {
    /// semTools' defaults for the test of close fit: ε₀ = 0.05, ε₁ = 0.08,
    /// α = 0.05 (df has no default; 1 here).
    fn default() -> Self {
        RmseaDesign {
            df: 1,
            rmsea0: DEFAULT_RMSEA0,
            rmsea1: DEFAULT_RMSEA1,
            alpha: DEFAULT_ALPHA,
        }
    }
}

impl RmseaDesign {
    /// Fails with `InvalidArgument` naming the first parameter out of its
    /// domain.
    pub fn check(&self) -> Result<()> {
        if !(1..=MAX_DF).contains(&self.df) {
            return Err(AnalysisError::invalid_argument(
                "df",
                self.df,
                "a whole number of model degrees of freedom from 1 to 1e6",
            ));
        }
        check_range("rmsea0", self.rmsea0, 0.0, 1.0, false)?;
        check_range("rmsea1", self.rmsea1, 0.0, 1.0, false)?;
        if self.rmsea0 == self.rmsea1 {
            return Err(AnalysisError::invalid_argument(
                "rmsea1",
                fmt_number(self.rmsea1),
                "an RMSEA different from rmsea0 (larger for the test of close fit, smaller for not-close fit)",
            ));
        }
        if !(self.alpha.is_finite() && self.alpha >= MIN_TAIL && self.alpha < 1.0) {
            return Err(AnalysisError::invalid_argument(
                "alpha",
                fmt_number(self.alpha),
                "a significance level from 1e-6 to below 1",
            ));
        }
        Ok(())
    }

    /// Which test (ε₀, ε₁) describes.
    pub fn test(&self) -> RmseaTest {
        RmseaTest::for_pair(self.rmsea0, self.rmsea1)
    }

    /// The non-centrality (n − 1)·df·ε² of the model χ² when the
    /// population RMSEA is ε.
    pub fn noncentrality(&self, n: u64, rmsea: f64) -> f64 {
        (n as f64 - 1.0) * self.df as f64 * rmsea * rmsea
    }

    /// The critical value of the model χ² at n: the upper-α quantile of
    /// χ²(df, λ₀) for the test of close fit, the lower-α quantile for
    /// not-close fit.
    pub fn critical_chisq(&self, n: u64) -> Result<f64> {
        self.check()?;
        check_n(n)?;
        Ok(self.critical_unchecked(n))
    }

    fn critical_unchecked(&self, n: u64) -> f64 {
        let df = self.df as f64;
        let ncp0 = self.noncentrality(n, self.rmsea0);
        match self.test() {
            RmseaTest::CloseFit => {
                noncentral_quantile(df, ncp0, |x| self.alpha - noncentral_chisq_sf(x, df, ncp0))
            }
            RmseaTest::NotCloseFit => {
                noncentral_quantile(df, ncp0, |x| noncentral_chisq_cdf(x, df, ncp0) - self.alpha)
            }
        }
    }

    fn power_unchecked(&self, n: u64) -> f64 {
        let df = self.df as f64;
        let c = self.critical_unchecked(n);
        let ncp1 = self.noncentrality(n, self.rmsea1);
        match self.test() {
            RmseaTest::CloseFit => noncentral_chisq_sf(c, df, ncp1),
            RmseaTest::NotCloseFit => noncentral_chisq_cdf(c, df, ncp1),
        }
    }

    /// Power of the RMSEA test with `n` observations (semTools'
    /// `findRMSEApower`).
    ///
    /// ```
    /// use analysis::sample_size::sem::RmseaDesign;
    /// // Close fit (0.05 vs 0.08), df = 100, n = 132 (the minimum n for
    /// // power 0.80): semTools' findRMSEApower(0.05, 0.08, 100, 132) = 0.802202724954.
    /// let design = RmseaDesign { df: 100, ..RmseaDesign::default() };
    /// let power = design.power(132).unwrap();
    /// assert!((power - 0.802202724954).abs() < 1e-9, "{power}");
    /// ```
    pub fn power(&self, n: u64) -> Result<f64> {
        self.check()?;
        check_n(n)?;
        Ok(self.power_unchecked(n))
    }

    /// The smallest n whose power is strictly above `power` (semTools'
    /// `findRMSEAsamplesize`, searched from n = 2, see the module notes).
    /// Fails when `power` is not above α and below 1, or when even
    /// n = [`MAX_N`] does not reach it (ε₀ and ε₁ too close).
    ///
    /// ```
    /// use analysis::sample_size::sem::RmseaDesign;
    /// // semTools: findRMSEAsamplesize(0.05, 0.08, df = 335, power = 0.8) = 62
    /// // (tests/fixtures/sample_size/sem_semtools.json).
    /// let design = RmseaDesign { df: 335, ..RmseaDesign::default() };
    /// assert_eq!(design.minimum_n(0.80).unwrap(), 62);
    /// ```
    pub fn minimum_n(&self, power: f64) -> Result<u64> {
        self.check()?;
        if !(power.is_finite() && power > self.alpha && power <= 1.0 - MIN_TAIL) {
            return Err(AnalysisError::invalid_argument(
                "power",
                fmt_number(power),
                &format!(
                    "a power above alpha = {} and at most 0.999999 (a test has power α when the alternative is the null)",
                    fmt_number(self.alpha)
                ),
            ));
        }
        let reaches = |n: u64| self.power_unchecked(n) > power;
        if reaches(MIN_N) {
            return Ok(MIN_N);
        }
        // Power rises with n: double until the target is passed, then bisect
        // between the last n below it and the first above it.
        let (mut below, mut above) = (MIN_N, MIN_N * 2);
        while !reaches(above) {
            if above == MAX_N {
                return Err(AnalysisError::unsuitable(
                    Location::default(),
                    format!(
                        "the power of the {} at df = {} does not exceed {} even at n = 1e9: RMSEA {} and {} are too close to tell apart",
                        self.test().label(),
                        self.df,
                        fmt_number(power),
                        fmt_number(self.rmsea0),
                        fmt_number(self.rmsea1)
                    ),
                ));
            }
            below = above;
            above = (above * 2).min(MAX_N);
        }
        while above - below > 1 {
            let mid = below + (above - below) / 2;
            if reaches(mid) {
                above = mid;
            } else {
                below = mid;
            }
        }
        Ok(above)
    }
}

fn check_n(n: u64) -> Result<()> {
    if (MIN_N..=MAX_N).contains(&n) {
        Ok(())
    } else {
        Err(AnalysisError::invalid_argument(
            "n",
            n,
            "a whole number of observations from 2 to 1e9 (with n = 1 both non-centralities are 0)",
        ))
    }
}

/// The root of `g`, increasing in x, for a quantile of χ²(df, ncp):
/// bracketed around the mean by steps of the standard deviation, then
/// narrowed by false position (Illinois) with a bisection guard to a
/// relative width of 1e-14.
fn noncentral_quantile(df: f64, ncp: f64, g: impl Fn(f64) -> f64) -> f64 {
    let mean = df + ncp;
    let sd = (2.0 * (df + 2.0 * ncp)).sqrt();
    let mut step = sd;
    let mut hi = mean + step;
    let mut g_hi = g(hi);
    while g_hi < 0.0 {
        step *= 2.0;
        hi = mean + step;
        g_hi = g(hi);
    }
    let mut step = sd;
    let mut lo = (mean - step).max(0.0);
    let mut g_lo = g(lo);
    while g_lo > 0.0 && lo > 0.0 {
        step *= 2.0;
        lo = (mean - step).max(0.0);
        g_lo = g(lo);
    }
    if g_lo >= 0.0 {
        // The whole lower tail is above the target: the quantile is 0.
        return lo;
    }
    let mut side = 0;
    for _ in 0..300 {
        if hi - lo <= 1e-14 * hi {
            break;
        }
        let mut x = (lo * g_hi - hi * g_lo) / (g_hi - g_lo);
        if !(x > lo && x < hi) {
            x = 0.5 * (lo + hi);
        }
        let gx = g(x);
        if gx == 0.0 {
            return x;
        }
        if gx < 0.0 {
            lo = x;
            g_lo = gx;
            if side == -1 {
                g_hi /= 2.0;
            }
            side = -1;
        } else {
            hi = x;
            g_hi = gx;
            if side == 1 {
                g_lo /= 2.0;
            }
            side = 1;
        }
    }
    0.5 * (lo + hi)
}

/// What to solve for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SemSolve {
    /// The power at this n.
    Power {
        /// Number of observations.
        n: u64,
    },
    /// The smallest n whose power exceeds this target.
    MinimumN {
        /// Target power (above α, below 1).
        power: f64,
    },
}

/// One SEM sample-size question: a design and what to solve for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SemSampleSizeInput {
    /// df, ε₀, ε₁, α.
    pub design: RmseaDesign,
    /// Power at a given n, or the minimum n for a power.
    pub solve: SemSolve,
}

/// Which quantity [`sem_sample_size`] solved for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SolvedFor {
    /// The power at a given n.
    Power,
    /// The minimum n for a target power.
    N,
}

/// The answer. The first six fields are the JSON contract of
/// `paraclinic sample-size --sem --json`: `n` is the given n or the
/// minimum n found, `power` the power computed at the given n or the target
/// power asked for (the power reached at the minimum n is
/// `achieved_power`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SemSampleSize {
    /// Model degrees of freedom.
    pub df: u64,
    /// Null RMSEA ε₀.
    pub rmsea0: f64,
    /// Alternative RMSEA ε₁.
    pub rmsea1: f64,
    /// Significance level.
    pub alpha: f64,
    /// Sample size (given, or the minimum found).
    pub n: u64,
    /// Power (computed at the given n, or the target).
    pub power: f64,
    /// `"power"` when the power was computed for a given n, `"n"` when the
    /// minimum n was searched.
    pub solved_for: SolvedFor,
    /// Close or not-close fit.
    pub test: RmseaTest,
    /// Power at `n` (equal to `power` when solving for power).
    pub achieved_power: f64,
    /// Power at n − 1 when solving for n (at most the target; null for
    /// n = 2 or when solving for power).
    pub power_at_n_minus_1: Option<f64>,
    /// The critical χ² at `n`.
    pub critical_chisq: f64,
    /// λ₀ = (n − 1)·df·ε₀².
    pub ncp0: f64,
    /// λ₁ = (n − 1)·df·ε₁².
    pub ncp1: f64,
    /// The method and its reference.
    pub method: &'static str,
}

impl SemSampleSize {
    /// The design (df, ε₀, ε₁, α) this answer is for, to ask another
    /// question of it (e.g. the power at another n).
    ///
    /// ```
    /// use analysis::sample_size::sem::{sem_sample_size, RmseaDesign, SemSampleSizeInput, SemSolve};
    /// let design = RmseaDesign { df: 20, rmsea0: 0.05, rmsea1: 0.08, alpha: 0.05 };
    /// let r = sem_sample_size(&SemSampleSizeInput { design, solve: SemSolve::Power { n: 200 } }).unwrap();
    /// assert_eq!(r.design(), design);
    /// ```
    pub fn design(&self) -> RmseaDesign {
        RmseaDesign {
            df: self.df,
            rmsea0: self.rmsea0,
            rmsea1: self.rmsea1,
            alpha: self.alpha,
        }
    }
}

/// Power at a given n or the minimum n for a power, with everything needed
/// to check it (critical value, non-centralities).
///
/// ```
/// use analysis::sample_size::sem::{sem_sample_size, RmseaDesign, SemSampleSizeInput, SemSolve};
/// // The test of not-close fit (0.05 vs 0.01) at df = 20: semTools'
/// // findRMSEAsamplesize(0.05, 0.01, 20, power = 0.8) = 474.
/// let input = SemSampleSizeInput {
///     design: RmseaDesign { df: 20, rmsea0: 0.05, rmsea1: 0.01, alpha: 0.05 },
///     solve: SemSolve::MinimumN { power: 0.80 },
/// };
/// let r = sem_sample_size(&input).unwrap();
/// assert_eq!(r.n, 474);
/// assert!(r.achieved_power > 0.80 && r.power_at_n_minus_1.unwrap() <= 0.80);
/// ```
pub fn sem_sample_size(input: &SemSampleSizeInput) -> Result<SemSampleSize> {
    let d = input.design;
    d.check()?;
    let (n, power, solved_for) = match input.solve {
        SemSolve::Power { n } => (n, d.power(n)?, SolvedFor::Power),
        SemSolve::MinimumN { power } => (d.minimum_n(power)?, power, SolvedFor::N),
    };
    let achieved_power = d.power_unchecked(n);
    let power_at_n_minus_1 = match input.solve {
        SemSolve::MinimumN { .. } if n > MIN_N => Some(d.power_unchecked(n - 1)),
        _ => None,
    };
    Ok(SemSampleSize {
        df: d.df,
        // + 0.0 turns a −0 given as an RMSEA (−1e-400 parses to it) into 0.
        rmsea0: d.rmsea0 + 0.0,
        rmsea1: d.rmsea1 + 0.0,
        alpha: d.alpha,
        n,
        power,
        solved_for,
        test: d.test(),
        achieved_power,
        power_at_n_minus_1,
        critical_chisq: d.critical_unchecked(n),
        ncp0: d.noncentrality(n, d.rmsea0),
        ncp1: d.noncentrality(n, d.rmsea1),
        method: "RMSEA power, MacCallum, Browne & Sugawara (1996); n − 1 in the non-centrality as semTools",
    })
}

impl Render for SemSampleSize {
    fn tables(&self) -> Vec<Table> {
        let (h0, reject) = match self.test {
            RmseaTest::CloseFit => ("RMSEA ≤", "above"),
            RmseaTest::NotCloseFit => ("RMSEA ≥", "below"),
        };
        let title = match self.solved_for {
            SolvedFor::N => format!(
                "Minimum sample size for an SEM: {} (MacCallum, Browne & Sugawara 1996)",
                self.test.label()
            ),
            SolvedFor::Power => format!(
                "Power of an SEM's {} (MacCallum, Browne & Sugawara 1996)",
                self.test.label()
            ),
        };
        let mut t = Table::new(title, &["quantity", "value"]);
        t.row(vec!["model df".into(), self.df.to_string()]);
        t.row(vec![
            "H0".into(),
            format!("{h0} {}", fmt_number(self.rmsea0)),
        ]);
        t.row(vec!["alternative RMSEA".into(), fmt_number(self.rmsea1)]);
        t.row(vec!["alpha".into(), fmt_number(self.alpha)]);
        match self.solved_for {
            SolvedFor::N => {
                t.row(vec!["target power".into(), fmt_number(self.power)]);
                t.row(vec!["minimum n".into(), self.n.to_string()]);
                t.row(vec![
                    format!("power at n = {}", self.n),
                    fmt_fixed(self.achieved_power, 6),
                ]);
                if let Some(p) = self.power_at_n_minus_1 {
                    t.row(vec![
                        format!("power at n = {}", self.n - 1),
                        fmt_fixed(p, 6),
                    ]);
                }
            }
            SolvedFor::Power => {
                t.row(vec!["n".into(), self.n.to_string()]);
                t.row(vec!["power".into(), fmt_fixed(self.power, 6)]);
            }
        }
        t.row(vec![
            "critical χ²".into(),
            fmt_fixed(self.critical_chisq, 4),
        ]);
        t.row(vec![
            "noncentrality λ0 = (n−1)·df·ε0²".into(),
            fmt_fixed(self.ncp0, 4),
        ]);
        t.row(vec![
            "noncentrality λ1 = (n−1)·df·ε1²".into(),
            fmt_fixed(self.ncp1, 4),
        ]);
        t.note(format!(
            "The model χ² is compared with the critical value and H0 rejected when it is {reject} it; power is the chance of that when the population RMSEA is {}.",
            fmt_number(self.rmsea1)
        ));
        if self.solved_for == SolvedFor::N {
            t.note("The minimum n is the smallest whole n whose power is above the target, searched from n = 2 (semTools searches from 5 and reports \"Sample Size <= 5\" below).");
        }
        t.note("Computed from the df and RMSEA values given (planning assumptions), not from data; n − 1 multiplies the non-centrality, as in semTools' findRMSEApower.");
        vec![t]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_and_not_close_fit_follow_the_order_of_the_pair() {
        assert_eq!(RmseaTest::for_pair(0.05, 0.08), RmseaTest::CloseFit);
        assert_eq!(RmseaTest::for_pair(0.05, 0.01), RmseaTest::NotCloseFit);
    }

    #[test]
    fn the_critical_value_of_a_central_chi_square_is_its_quantile() {
        // ε₀ = 0: the close-fit critical value is the central χ² quantile,
        // qchisq(0.95, 3) = 7.814727903251178 (R).
        let d = RmseaDesign {
            df: 3,
            rmsea0: 0.0,
            rmsea1: 0.05,
            alpha: 0.05,
        };
        let c = d.critical_chisq(100).unwrap();
        assert!((c - 7.814_727_903_251_178).abs() < 1e-10, "{c}");
    }

    #[test]
    fn power_is_alpha_when_the_alternative_nears_the_null() {
        let d = RmseaDesign {
            df: 10,
            rmsea0: 0.05,
            rmsea1: 0.050_000_001,
            alpha: 0.05,
        };
        let p = d.power(200).unwrap();
        assert!((p - 0.05).abs() < 1e-6, "{p}");
    }

    #[test]
    fn power_rises_with_n_as_the_bisection_assumes() {
        // semTools scans n upwards; bisecting gives the same first n only if
        // power does not fall as n grows. Close and not-close fit, small and
        // large df, n = 2 … 400 (semTools' own scan shows the same).
        for (df, rmsea0, rmsea1) in [
            (1, 0.05, 0.08),
            (20, 0.0, 0.05),
            (335, 0.08, 0.05),
            (3000, 0.05, 0.01),
        ] {
            let d = RmseaDesign {
                df,
                rmsea0,
                rmsea1,
                alpha: 0.05,
            };
            let mut previous = d.power(2).unwrap();
            for n in 3..=400 {
                let p = d.power(n).unwrap();
                assert!(p >= previous - 1e-12, "df {df}, n {n}: {p} < {previous}");
                previous = p;
            }
        }
    }

    #[test]
    fn bad_parameters_are_named() {
        let err = |d: RmseaDesign| d.power(100).unwrap_err().to_string();
        let base = RmseaDesign {
            df: 10,
            ..RmseaDesign::default()
        };
        assert!(err(RmseaDesign { df: 0, ..base }).contains("invalid df"));
        assert!(err(RmseaDesign {
            rmsea0: -0.01,
            ..base
        })
        .contains("invalid rmsea0"));
        assert!(err(RmseaDesign {
            rmsea1: 0.05,
            ..base
        })
        .contains("different from rmsea0"));
        assert!(err(RmseaDesign {
            alpha: f64::NAN,
            ..base
        })
        .contains("invalid alpha"));
        assert!(base.power(1).unwrap_err().to_string().contains("invalid n"));
        for p in [0.05, 0.01, 1.0, f64::NAN] {
            let e = base.minimum_n(p).unwrap_err().to_string();
            assert!(e.contains("invalid power"), "{e}");
        }
        let close = RmseaDesign {
            df: 1,
            rmsea0: 0.05,
            rmsea1: 0.050_000_1,
            alpha: 0.05,
        };
        let e = close.minimum_n(0.8).unwrap_err().to_string();
        assert!(e.contains("too close"), "{e}");
    }
}
