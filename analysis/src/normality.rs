//! Normality of each variable: one-sample Kolmogorov–Smirnov against a normal
//! distribution with the sample mean and standard deviation, its Lilliefors
//! correction, Shapiro–Wilk, and bias-corrected skewness and excess kurtosis.
//!
//! # Missing values
//! Each variable is analysed separately with its own missing values (empty
//! cells and `NA`) dropped; `n` is the number of values used.
//!
//! # Kolmogorov–Smirnov
//! With x₍₁₎ ≤ … ≤ x₍ₙ₎ and F the N(x̄, s²) CDF (s the sample standard
//! deviation with divisor n − 1, as SPSS does and as
//! `scipy.stats.kstest(x, 'norm', args=(x.mean(), x.std(ddof=1)))` does):
//! D⁺ = maxᵢ (i/n − F(x₍ᵢ₎)), D⁻ = maxᵢ (F(x₍ᵢ₎) − (i−1)/n), D = max(D⁺, D⁻).
//!
//! **p-value rule (SciPy's).** `scipy.stats.ks_1samp` with `method='auto'`
//! (SciPy 1.17) always selects `'exact'` for the two-sided one-sample test,
//! i.e. p = P(Dₙ ≥ D) from SciPy's `kstwo` distribution of Dₙ for the actual
//! n, whatever the size of n and whether or not there are ties. `kstwo`
//! itself chooses among exact algorithms (Ruben–Gambino closed forms, the
//! Durbin matrix of Marsaglia–Tsang–Wang, the Pomeranz recursion, 2 ×
//! Smirnov) and, for n > 140 in the central region, the Pelz–Good asymptotic
//! expansion, following Simard & L'Ecuyer (2011); see [`kolmogorov`]. We do
//! the same, so `ks_pvalue` equals SciPy's `kstest` p-value. The limiting
//! Kolmogorov p-value K̄(√n·D) (what SPSS's NPAR TESTS K-S and R's `ks.test`
//! report for n ≥ 100 or with ties) is given alongside as
//! `ks_pvalue_asymptotic`. (R's `ks.test` uses the exact distribution only for
//! n < 100 without ties; there it agrees with `ks_pvalue`.)
//!
//! **Ties.** The KS null distribution assumes a continuous F, under which ties
//! have probability zero. SciPy does nothing special about ties: it computes
//! D from the sorted values (which gives the correct supremum of |Fₙ − F|
//! also with ties) and refers it to the continuous-case distribution; we do
//! the same and report the number of tied observations (`ties` = n minus the
//! number of distinct values) with a note. With heavily tied data such as a
//! 5-point Likert item the test is then not exact: D is large by construction
//! (the ECDF is a step function with five steps) and the p-value mostly
//! reflects the discreteness, not non-normality of an underlying trait.
//!
//! **Estimated parameters.** Because x̄ and s are estimated from the same
//! data, the plain KS p-value is conservative (too large); the Lilliefors
//! p-value corrects this: it refers the same D to the null distribution of D
//! with estimated parameters, by statsmodels' table (see [`lilliefors`]).
//!
//! # Shapiro–Wilk
//! Royston's AS R94 for 3 ≤ n ≤ 5000 (see [`shapiro`]); outside that range
//! the variable reports `null` W and p with a `note`.
//!
//! # Skewness and kurtosis
//! G₁ and G₂ of [`crate::descriptive`] (SciPy `skew`/`kurtosis` with
//! `bias=False`); `null` with a note when n < 3 (skewness) or n < 4
//! (kurtosis).
//!
//! # What fails the whole analysis
//! A selected column with text in it (error naming file, line, column and
//! value; a column of labels must be left out with `--columns`), a column
//! with fewer than two values, or a constant column (no standard deviation,
//! so D and W are undefined): these are errors naming the column, not a row
//! of NaNs.

pub mod kolmogorov;
pub mod lilliefors;
mod shapiro;

pub use kolmogorov::{kolmogorov_sf, ks_exact_cdf, ks_exact_sf, smirnov_sf};

use crate::data::Dataset;
use crate::descriptive;
use crate::error::{AnalysisError, Location, Result};
use crate::render::{fmt_fixed, fmt_p, Render, Table};
use serde::Serialize;

/// Upper limit of Shapiro–Wilk's AS R94.
pub const SHAPIRO_MAX_N: usize = 5000;

/// One-sample two-sided Kolmogorov–Smirnov test against N(mean, sd²).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KsResult {
    /// Number of values tested.
    pub n: usize,
    /// D = max(D⁺, D⁻).
    pub statistic: f64,
    /// D⁺ = max over i of i/n − F(x₍ᵢ₎) (empirical CDF above the normal).
    pub d_plus: f64,
    /// D⁻ = max over i of F(x₍ᵢ₎) − (i − 1)/n (empirical CDF below the normal).
    pub d_minus: f64,
    /// P(Dₙ ≥ D) from the finite-n distribution (SciPy `kstwo`), SciPy's rule.
    pub pvalue: f64,
    /// K̄(√n·D), the limiting Kolmogorov distribution.
    pub pvalue_asymptotic: f64,
    /// The normal the data were compared with.
    pub mean: f64,
    /// Standard deviation of that normal.
    pub sd: f64,
    /// n minus the number of distinct values (0 without ties).
    pub ties: usize,
}

/// Lilliefors-corrected KS test for normality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lilliefors {
    /// Number of values tested.
    pub n: usize,
    /// The KS statistic against N(x̄, s²), the same D as [`ks_normal`].
    pub statistic: f64,
    /// Table p-value, clamped to [0.001, 0.99] as statsmodels does.
    pub pvalue: f64,
}

/// Shapiro–Wilk W and p (AS R94).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShapiroWilk {
    /// Number of values tested.
    pub n: usize,
    /// The W statistic (1 for a perfectly normal-looking sample).
    pub w: f64,
    /// P(W ≤ w) under normality (Royston's approximation).
    pub pvalue: f64,
}

fn unsuitable(message: impl Into<String>) -> AnalysisError {
    AnalysisError::unsuitable(Location::default(), message)
}

/// Checks the values are finite and not constant, and returns them sorted.
fn sorted_finite(x: &[f64], min_n: usize, method: &str) -> Result<Vec<f64>> {
    if let Some(bad) = x.iter().find(|v| !v.is_finite()) {
        return Err(AnalysisError::invalid_argument(
            "value",
            bad,
            "finite numbers (drop missing values before the test)",
        ));
    }
    if x.len() < min_n {
        return Err(unsuitable(format!(
            "{method} needs at least {min_n} values, found {}",
            x.len()
        )));
    }
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    if s[0] == s[s.len() - 1] {
        return Err(unsuitable(format!(
            "all {} values are equal ({}): the standard deviation is zero, so {method} is undefined",
            s.len(),
            s[0]
        )));
    }
    Ok(s)
}

/// Standard normal CDF Φ(z) = erfc(−z/√2)/2, with `libm`'s erfc (the musl
/// / FreeBSD implementation, accurate to about 1 ulp; statrs 0.19's erfc is
/// off by up to ~1e-10 relative, which would show in D).
fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// (D, D⁺, D⁻) of sorted data against N(mean, sd²).
fn ks_statistic(sorted: &[f64], mean: f64, sd: f64) -> (f64, f64, f64) {
    let n = sorted.len() as f64;
    let (mut d_plus, mut d_minus) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (i, x) in sorted.iter().enumerate() {
        let f = normal_cdf((x - mean) / sd);
        d_plus = d_plus.max((i as f64 + 1.0) / n - f);
        d_minus = d_minus.max(f - i as f64 / n);
    }
    (d_plus.max(d_minus), d_plus, d_minus)
}

fn count_ties(sorted: &[f64]) -> usize {
    sorted.windows(2).filter(|w| w[0] == w[1]).count()
}

/// KS test of `x` against a normal with given mean and standard deviation
/// (parameters fixed in advance, not estimated). See the module docs.
///
/// ```
/// // Hand computation: one value 1 against N(0, 1): D = Φ(1) = 0.8413447460685429
/// // and, with n = 1, p = 2(1 − D) = 0.3173105078629139 (SciPy kstest agrees).
/// let r = analysis::normality::ks_test_normal(&[1.0], 0.0, 1.0).unwrap();
/// assert!((r.statistic - 0.841_344_746_068_542_9).abs() < 1e-12);
/// assert!((r.pvalue - 0.317_310_507_862_913_9).abs() < 1e-12);
/// ```
pub fn ks_test_normal(x: &[f64], mean: f64, sd: f64) -> Result<KsResult> {
    if !mean.is_finite() {
        return Err(AnalysisError::invalid_argument(
            "mean",
            mean,
            "a finite number",
        ));
    }
    if !(sd.is_finite() && sd > 0.0) {
        return Err(AnalysisError::invalid_argument(
            "sd",
            sd,
            "a positive finite number",
        ));
    }
    if x.is_empty() {
        return Err(unsuitable(
            "the Kolmogorov–Smirnov test needs at least 1 value, found 0",
        ));
    }
    if let Some(bad) = x.iter().find(|v| !v.is_finite()) {
        return Err(AnalysisError::invalid_argument(
            "value",
            bad,
            "finite numbers",
        ));
    }
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (statistic, d_plus, d_minus) = ks_statistic(&sorted, mean, sd);
    let n = sorted.len();
    Ok(KsResult {
        n,
        statistic,
        d_plus,
        d_minus,
        pvalue: ks_exact_sf(n as u64, statistic),
        pvalue_asymptotic: kolmogorov_sf((n as f64).sqrt() * statistic),
        mean,
        sd,
        ties: count_ties(&sorted),
    })
}

/// KS test of `x` against N(x̄, s²), s with divisor n − 1 (n ≥ 2, not
/// constant). Equals `scipy.stats.kstest(x, 'norm', args=(x̄, s))`.
///
/// ```
/// // The n = 4 sample of tests/fixtures/normality/normal.json (variable n4, SciPy
/// // kstest against N(x̄, s²)): D = 0.20995933298044328, p = 0.9799932935157354.
/// let x = [32.10103156, 52.84452254, 46.78304394, 42.73949676];
/// let r = analysis::normality::ks_normal(&x).unwrap();
/// assert!((r.statistic - 0.209_959_332_980_443_28).abs() < 1e-9);
/// assert!((r.pvalue - 0.979_993_293_515_735_4).abs() < 1e-9);
/// ```
pub fn ks_normal(x: &[f64]) -> Result<KsResult> {
    let sorted = sorted_finite(x, 2, "the Kolmogorov–Smirnov test")?;
    let mean = descriptive::mean(&sorted).unwrap_or(0.0);
    let sd = descriptive::sd(&sorted).unwrap_or(0.0);
    if sd.is_nan() || sd <= 0.0 {
        return Err(unsuitable(
            "the standard deviation is zero, so the Kolmogorov–Smirnov test is undefined",
        ));
    }
    ks_test_normal(&sorted, mean, sd)
}

/// Lilliefors test (n ≥ 4, not constant): the KS statistic against
/// N(x̄, s²) with statsmodels' table p-value, as
/// `statsmodels.stats.diagnostic.lilliefors(x, dist='norm', pvalmethod='table')`.
///
/// ```
/// // The same n = 4 sample (statsmodels lilliefors, table method): p = 0.798808441536223.
/// let x = [32.10103156, 52.84452254, 46.78304394, 42.73949676];
/// let r = analysis::normality::lilliefors(&x).unwrap();
/// assert!((r.pvalue - 0.798_808_441_536_223).abs() < 1e-9);
/// ```
pub fn lilliefors(x: &[f64]) -> Result<Lilliefors> {
    let ks = ks_normal(x)?;
    let pvalue = lilliefors::table_pvalue(ks.statistic, ks.n).ok_or_else(|| {
        unsuitable(format!(
            "the Lilliefors test needs at least {} values, found {}",
            lilliefors::MIN_N,
            ks.n
        ))
    })?;
    Ok(Lilliefors {
        n: ks.n,
        statistic: ks.statistic,
        pvalue,
    })
}

/// Shapiro–Wilk test by AS R94 for 3 ≤ n ≤ 5000 (not constant); equals
/// `scipy.stats.shapiro(x)`.
///
/// ```
/// // Hand computation for n = 3, where W and p have closed forms:
/// // x = (1, 2, 4): W = (a·x)² / Σ(x − x̄)² = 4.5 / (42/9) = 27/28, and
/// // p = 6/π (asin √W − asin √(3/4)) = 0.6368868450289689 (SciPy shapiro agrees).
/// let r = analysis::normality::shapiro_wilk(&[1.0, 2.0, 4.0]).unwrap();
/// assert!((r.w - 27.0 / 28.0).abs() < 1e-9);
/// let p = 6.0 / std::f64::consts::PI * ((27.0f64 / 28.0).sqrt().asin() - 0.75f64.sqrt().asin());
/// assert!((r.pvalue - p).abs() < 1e-6);
/// ```
pub fn shapiro_wilk(x: &[f64]) -> Result<ShapiroWilk> {
    let sorted = sorted_finite(x, 3, "the Shapiro–Wilk test")?;
    let n = sorted.len();
    if n > SHAPIRO_MAX_N {
        return Err(unsuitable(format!(
            "the Shapiro–Wilk test (Royston's AS R94) is defined for 3 to {SHAPIRO_MAX_N} values, found {n}"
        )));
    }
    // Centre on the median first to limit rounding (SciPy does the same),
    // then scale by a power of two (exact, so W is unchanged) to a largest
    // magnitude in [1, 2): AS R94's absolute zero-range test (1e-19) would
    // otherwise reject data measured in tiny units, although W does not
    // depend on the unit.
    let median = sorted[n / 2];
    let largest = sorted
        .iter()
        .map(|v| (v - median).abs())
        .fold(0.0, f64::max);
    let scale = if largest > 0.0 && largest.is_finite() {
        2f64.powi(-(largest.log2().floor() as i32))
    } else {
        1.0
    };
    let centred: Vec<f64> = sorted.iter().map(|v| (v - median) * scale).collect();
    match shapiro::swilk(&centred) {
        Ok(r) => Ok(ShapiroWilk {
            n,
            w: r.w,
            pvalue: r.p,
        }),
        Err(shapiro::SwilkFault::TooFew) => {
            Err(unsuitable("the Shapiro–Wilk test needs at least 3 values"))
        }
        Err(shapiro::SwilkFault::ZeroRange) => Err(unsuitable(
            "the values have (numerically) zero range, so the Shapiro–Wilk test is undefined",
        )),
    }
}

/// The normality results for one variable. Statistics that the data do not
/// allow (Shapiro–Wilk outside 3 ≤ n ≤ 5000, Lilliefors for n < 4, skewness
/// for n < 3, kurtosis for n < 4) are `null`, and `note` says why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariableNormality {
    /// The column name.
    pub name: String,
    /// Values used (missing dropped).
    pub n: usize,
    /// Missing cells skipped.
    pub n_missing: usize,
    /// Kolmogorov–Smirnov D against N(x̄, s²) ([`ks_normal`]).
    pub ks_statistic: f64,
    /// Its p-value from the finite-n distribution (SciPy's `kstest`).
    pub ks_pvalue: f64,
    /// Its p-value from the limiting Kolmogorov distribution (SPSS, older texts).
    pub ks_pvalue_asymptotic: f64,
    /// The Lilliefors-corrected p-value of D (estimated mean and sd), n ≥ 4.
    pub lilliefors_pvalue: Option<f64>,
    /// Shapiro–Wilk W, 3 ≤ n ≤ 5000.
    pub shapiro_w: Option<f64>,
    /// Shapiro–Wilk p-value.
    pub shapiro_pvalue: Option<f64>,
    /// Sample skewness G1 (adjusted Fisher–Pearson), n ≥ 3.
    pub skewness: Option<f64>,
    /// Sample excess kurtosis G2, n ≥ 4.
    pub kurtosis: Option<f64>,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1).
    pub sd: f64,
    /// n minus the number of distinct values (KS assumes none).
    pub ties: usize,
    /// Why a statistic is missing or to be read with care, if one is.
    pub note: Option<String>,
}

/// Normality of every selected variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NormalityReport {
    /// One entry per variable, in column order.
    pub variables: Vec<VariableNormality>,
}

/// Gives an error from a single-variable test the location of the column.
fn at_column(e: AnalysisError, source: &str, column: &str) -> AnalysisError {
    match e {
        AnalysisError::Unsuitable { message, .. } => {
            AnalysisError::unsuitable(Location::source(source).with_column(column), message)
        }
        other => other,
    }
}

/// All tests for one variable given its non-missing values. Errors for a
/// constant variable or fewer than two values; per-test limits give `null`
/// and a note instead.
///
/// ```
/// // The n = 5 sample of tests/fixtures/normality/normal.json (variable n5):
/// // skewness −1.2496929492995772, excess kurtosis 1.3157503027399189 (SciPy),
/// // Lilliefors p 0.528452930202797 (statsmodels).
/// use analysis::normality::variable_normality;
/// let x = [50.98537275, 30.48526152, 48.41587114, 42.68715135, 54.09695358];
/// let v = variable_normality("n5", &x, 0).unwrap();
/// assert!((v.skewness.unwrap() + 1.249_692_949_299_577_2).abs() < 1e-9);
/// assert!((v.kurtosis.unwrap() - 1.315_750_302_739_918_9).abs() < 1e-9);
/// assert!((v.lilliefors_pvalue.unwrap() - 0.528_452_930_202_797).abs() < 1e-9);
/// ```
pub fn variable_normality(
    name: &str,
    values: &[f64],
    n_missing: usize,
) -> Result<VariableNormality> {
    let ks = ks_normal(values)?;
    let n = ks.n;
    let mut notes = Vec::new();
    let lilliefors_pvalue = match lilliefors::table_pvalue(ks.statistic, n) {
        Some(p) => Some(p),
        None => {
            notes.push(format!(
                "Lilliefors needs n ≥ {} (table starts there)",
                lilliefors::MIN_N
            ));
            None
        }
    };
    let (shapiro_w, shapiro_pvalue) = if (3..=SHAPIRO_MAX_N).contains(&n) {
        let sw = shapiro_wilk(values)?;
        (Some(sw.w), Some(sw.pvalue))
    } else {
        notes.push(format!(
            "Shapiro–Wilk (AS R94) is defined for 3 ≤ n ≤ {SHAPIRO_MAX_N}, n = {n}"
        ));
        (None, None)
    };
    let skewness = descriptive::skewness(values);
    if skewness.is_none() {
        notes.push("skewness needs n ≥ 3".to_owned());
    }
    let kurtosis = descriptive::excess_kurtosis(values);
    if kurtosis.is_none() {
        notes.push("kurtosis needs n ≥ 4".to_owned());
    }
    if ks.ties > 0 {
        notes.push(format!(
            "{} tied observations: the KS p-values assume a continuous distribution and are not exact with ties",
            ks.ties
        ));
    }
    Ok(VariableNormality {
        name: name.to_owned(),
        n,
        n_missing,
        ks_statistic: ks.statistic,
        ks_pvalue: ks.pvalue,
        ks_pvalue_asymptotic: ks.pvalue_asymptotic,
        lilliefors_pvalue,
        shapiro_w,
        shapiro_pvalue,
        skewness,
        kurtosis,
        mean: ks.mean,
        sd: ks.sd,
        ties: ks.ties,
        note: if notes.is_empty() {
            None
        } else {
            Some(notes.join("; "))
        },
    })
}

/// Normality of the selected columns (all columns if `columns` is `None`),
/// each with its own missing values dropped. Fails on an unknown column (the
/// message lists the known ones), text in a selected column (file, line,
/// column, value), and a constant column or one with fewer than two values.
///
/// ```
/// // The n = 3 sample of tests/fixtures/normality/normal.json (variable n3, SciPy):
/// // Shapiro–Wilk W = 0.9978026860418835, KS p = 0.9995174062999008; Lilliefors
/// // and kurtosis need more values and are null.
/// use analysis::{normality::normality, Dataset};
/// let data = Dataset::from_csv_str("n3.csv", "n3\n47.88810879\n44.82266529\n51.49595837\n").unwrap();
/// let report = normality(&data, None).unwrap();
/// let v = &report.variables[0];
/// assert!((v.shapiro_w.unwrap() - 0.997_802_686_041_883_5).abs() < 1e-9);
/// assert!((v.ks_pvalue - 0.999_517_406_299_900_8).abs() < 1e-9);
/// assert_eq!((v.lilliefors_pvalue, v.kurtosis), (None, None));
/// ```
pub fn normality(data: &Dataset, columns: Option<&[String]>) -> Result<NormalityReport> {
    let names = data.select(columns)?;
    if names.is_empty() {
        return Err(AnalysisError::invalid_argument(
            "columns",
            "(none)",
            "at least one column",
        ));
    }
    let mut variables = Vec::with_capacity(names.len());
    for name in &names {
        let column = data.numeric_column(name).map_err(|e| match e {
            AnalysisError::Input(mut problem) if columns.is_none() => {
                problem.detail = Some(
                    "normality analyses every column unless --columns selects the numeric ones"
                        .to_owned(),
                );
                AnalysisError::Input(problem)
            }
            other => other,
        })?;
        let values: Vec<f64> = column.iter().flatten().copied().collect();
        let n_missing = column.len() - values.len();
        let v = variable_normality(name, &values, n_missing)
            .map_err(|e| at_column(e, &data.source, name))?;
        variables.push(v);
    }
    Ok(NormalityReport { variables })
}

/// A Lilliefors p-value, showing when it sits at a bound of the table.
fn fmt_lilliefors_p(p: f64) -> String {
    if p <= lilliefors::P_MIN + 1e-12 {
        format!("≤ {}", lilliefors::P_MIN)
    } else if p >= lilliefors::P_MAX - 1e-12 {
        format!("≥ {}", lilliefors::P_MAX)
    } else {
        fmt_p(p)
    }
}

fn opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "—".to_owned(), f)
}

impl Render for NormalityReport {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "Normality",
            &[
                "Variable",
                "n",
                "KS D",
                "KS p",
                "KS p (asympt.)",
                "Lilliefors p",
                "Shapiro–Wilk W",
                "SW p",
                "Skewness",
                "Kurtosis",
            ],
        );
        for v in &self.variables {
            t.row(vec![
                v.name.clone(),
                v.n.to_string(),
                fmt_fixed(v.ks_statistic, 4),
                fmt_p(v.ks_pvalue),
                fmt_p(v.ks_pvalue_asymptotic),
                opt(v.lilliefors_pvalue, fmt_lilliefors_p),
                opt(v.shapiro_w, |w| fmt_fixed(w, 4)),
                opt(v.shapiro_pvalue, fmt_p),
                opt(v.skewness, |s| fmt_fixed(s, 3)),
                opt(v.kurtosis, |k| fmt_fixed(k, 3)),
            ]);
        }
        t.note(
            "KS against N(mean, sd) with sd of divisor n−1; p from the finite-n distribution of D \
             (SciPy kstwo), asympt. from the limiting Kolmogorov distribution. Lilliefors p: statsmodels table, clamped to [0.001, 0.99]. \
             Shapiro–Wilk: Royston AS R94. Skewness G1, excess kurtosis G2 (bias-corrected).",
        );
        for v in &self.variables {
            if let Some(n) = &v.note {
                t.note(format!("{}: {n}", v.name));
            }
            if v.n_missing > 0 {
                t.note(format!(
                    "{}: {} missing values dropped",
                    v.name, v.n_missing
                ));
            }
        }
        vec![t]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapiro_wilk_does_not_depend_on_the_unit() {
        let x = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.6, 5.3];
        let reference = shapiro_wilk(&x).unwrap();
        for unit in [1e-20, 1e-12, 3.7, 1e15] {
            let scaled: Vec<f64> = x.iter().map(|v| v * unit).collect();
            let sw = shapiro_wilk(&scaled).unwrap();
            assert!((sw.w - reference.w).abs() < 1e-12, "{unit}: {sw:?}");
            assert!(
                (sw.pvalue - reference.pvalue).abs() < 1e-10,
                "{unit}: {sw:?}"
            );
        }
    }

    #[test]
    fn ks_statistic_of_a_small_sample_by_hand() {
        // x = (−1, 0, 1) against N(0, 1): F = (0.158655, 0.5, 0.841345);
        // D⁺ = max(1/3 − 0.158655, 2/3 − 0.5, 1 − 0.841345) = 0.174678,
        // D⁻ = max(0.158655, 0.5 − 1/3, 0.841345 − 2/3) = 0.174678.
        let r = ks_test_normal(&[1.0, -1.0, 0.0], 0.0, 1.0).unwrap();
        let phi_m1 = 0.158_655_253_931_457_05;
        assert!((r.d_plus - (1.0 / 3.0 - phi_m1)).abs() < 1e-15);
        assert!((r.statistic - (1.0 / 3.0 - phi_m1)).abs() < 1e-15);
        assert_eq!(r.ties, 0);
    }

    #[test]
    fn constant_and_too_short_inputs_are_errors_not_nan() {
        let e = ks_normal(&[3.0, 3.0, 3.0]).unwrap_err();
        assert!(e.to_string().contains("standard deviation is zero"), "{e}");
        assert!(shapiro_wilk(&[1.0, 2.0]).is_err());
        assert!(lilliefors(&[1.0, 2.0, 4.0]).is_err());
        assert!(ks_normal(&[1.0]).is_err());
        assert!(ks_normal(&[1.0, f64::NAN]).is_err());
        let big: Vec<f64> = (0..5001).map(|i| (i as f64).sin()).collect();
        let e = shapiro_wilk(&big).unwrap_err();
        assert!(e.to_string().contains("5000"), "{e}");
    }

    #[test]
    fn report_names_the_constant_column() {
        let d = Dataset::from_csv_str("t.csv", "a,b\n1,2\n2,2\n4,2\n").unwrap();
        let e = normality(&d, None).unwrap_err();
        assert!(e.to_string().contains("column \"b\""), "{e}");
    }

    #[test]
    fn short_variable_reports_nulls_with_a_note() {
        let d = Dataset::from_csv_str("t.csv", "a\n1\n2\nNA\n").unwrap();
        let r = normality(&d, None).unwrap();
        let v = &r.variables[0];
        assert_eq!((v.n, v.n_missing), (2, 1));
        assert_eq!(v.shapiro_w, None);
        assert_eq!(v.lilliefors_pvalue, None);
        assert!(v.note.as_deref().unwrap().contains("Shapiro–Wilk"));
        let json = r.to_json();
        assert!(json.contains("\"shapiro_w\": null"), "{json}");
    }

    #[test]
    fn text_shows_lilliefors_p_at_the_table_bounds() {
        assert_eq!(fmt_lilliefors_p(1.0 - 99.9 / 100.0), "≤ 0.001");
        assert_eq!(fmt_lilliefors_p(0.99), "≥ 0.99");
        assert_eq!(fmt_lilliefors_p(0.0432), "0.0432");
        let d = Dataset::from_csv_str("t.csv", "x\n1\n2\n2\n3\n5\n8\n").unwrap();
        let text = normality(&d, None).unwrap().to_text();
        assert!(
            text.contains("KS p (asympt.)") && text.contains("x: 1 tied observations"),
            "{text}"
        );
    }
}
