//! Thresholds and polychoric correlations of ordered variables, and the
//! asymptotic covariance of both — the sample statistics behind the DWLS,
//! ULS and WLSMV estimators for ordinal indicators.
//!
//! Everything follows lavaan 0.6 (`lavCor(data, ordered = …)`,
//! `lavInspect(fit, "gamma")`, `lavInspect(fit, "wls.v")`), which is the
//! numerical reference (tests/reference/polychoric.R):
//!
//! - **Categories** are the values a variable takes in the data, in
//!   ascending order: a scale point nobody chose is not a category (1, 2, 4, 5
//!   give four categories and three thresholds), as lavaan's `ordered()`
//!   recoding does. Rows with a missing value in any of the variables are
//!   dropped (listwise deletion, lavaan's default for ordered data).
//! - **Thresholds** of each variable from its marginal proportions:
//!   τₖ = Φ⁻¹(P(x ≤ k)), the univariate maximum-likelihood estimates.
//! - **Polychoric correlations**, two-step (Olsson 1979): each ρ maximises
//!   the bivariate likelihood of its contingency table with both variables'
//!   thresholds held at their univariate values. Cell probabilities below
//!   √ε are floored at √ε and empty cells are left empty, except in a 2 × 2
//!   table with one empty cell, which gets ½ added to its diagonal (or
//!   off-diagonal) keeping the margins — lavaan's `zero.add = c(0.5, 0)`,
//!   `zero.keep.margins = TRUE`. ρ is bounded to [−0.999, 0.999], as in
//!   lavaan.
//! - **Asymptotic covariance** (Muthén 1984; lavaan's `muthen1984`): the
//!   sample statistics are ordered thresholds first (variable by variable),
//!   then the correlations in lavaan's order — (1,2), (1,3), …, (1,p),
//!   (2,3), … — and each case's influence on them is ψₙ = B⁻¹ sₙ, with sₙ the
//!   case's scores (univariate threshold scores, bivariate ρ scores) and B
//!   the block-triangular matrix of summed score products. Then
//!   NACOV = N Σₙ ψₙψₙᵀ (lavaan's `gamma`, divisor N) and the DWLS weights
//!   are 1 / diag(NACOV) (lavaan's `wls.v` diagonal).
//!
//! The influence matrix Ψ (N × q) is kept rather than NACOV itself: the
//! diagonal weights need only its column sums of squares, and the robust
//! standard errors and test need Γ only in products AᵀΓA = N (ΨA)ᵀ(ΨA),
//! which never form the q × q matrix (q = 3 315 for 78 five-point items).

use crate::bivariate_normal::{bivariate_normal_cdf, bivariate_normal_pdf, normal_cdf, normal_pdf};
use crate::data::Dataset;
use crate::error::{AnalysisError, Location, Result};
use crate::render::{Render, Table};
use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

/// Bounds of a polychoric correlation (lavaan's `lower`/`upper` for ρ).
const RHO_BOUND: f64 = 0.999;

/// Smallest cell probability used in a likelihood (lavaan floors at √ε).
fn probability_floor() -> f64 {
    f64::EPSILON.sqrt()
}

/// Ordered variables ready for thresholds and polychorics: each case's
/// category (0-based) per variable, after listwise deletion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderedData {
    /// Variable names, in the order given.
    pub names: Vec<String>,
    /// The values observed for each variable, ascending: category k is
    /// `categories[v][k]`.
    pub categories: Vec<Vec<f64>>,
    /// Cases kept (complete on every variable).
    pub n_cases: usize,
    /// Cases dropped for a missing value.
    pub n_dropped: usize,
    #[serde(skip)]
    codes: Vec<Vec<u32>>,
}

impl OrderedData {
    /// The named columns of a dataset as ordered variables.
    ///
    /// Errors: an unknown column, a value that is not a whole number, a
    /// column missing in every record, no record complete on all columns, a
    /// column with a single observed category.
    pub fn from_dataset(data: &Dataset, columns: &[String]) -> Result<OrderedData> {
        Self::from_dataset_at_least(data, columns, 2)
    }

    /// The checks of [`Self::from_dataset`] for any number of ordered
    /// columns (one ordered indicator among continuous ones has no
    /// polychoric pair but must still be whole numbers with two categories).
    pub fn check_dataset(data: &Dataset, columns: &[String]) -> Result<()> {
        Self::from_dataset_at_least(data, columns, 1).map(|_| ())
    }

    fn from_dataset_at_least(
        data: &Dataset,
        columns: &[String],
        at_least: usize,
    ) -> Result<OrderedData> {
        let selected = data.select(Some(columns))?;
        let mut values = Vec::with_capacity(selected.len());
        for name in &selected {
            let column = data.numeric_column(name)?;
            for (row, v) in column.iter().enumerate() {
                if let Some(v) = v {
                    if v.fract() != 0.0 {
                        let cell = &data.text_column(name)?[row];
                        return Err(AnalysisError::input(
                            Location::source(&data.source)
                                .with_line(data.line_of(row))
                                .with_column(name),
                            Some(cell),
                            "a whole number (an ordered variable's categories are integers), an empty cell or NA",
                        ));
                    }
                }
            }
            values.push(column);
        }
        Self::build(&data.source, selected, values, at_least)
    }

    /// Ordered variables from columns of values (`None` = missing), e.g. in
    /// a notebook. `source` names the data in error messages.
    ///
    /// ```
    /// use analysis::polychoric::OrderedData;
    /// let x = vec![Some(1.0), Some(2.0), Some(2.0), Some(3.0), None];
    /// let y = vec![Some(1.0), Some(1.0), Some(2.0), Some(2.0), Some(2.0)];
    /// let d = OrderedData::from_columns("example", vec![("x".into(), x), ("y".into(), y)]).unwrap();
    /// assert_eq!((d.n_cases, d.n_dropped), (4, 1));
    /// assert_eq!(d.categories[0], vec![1.0, 2.0, 3.0]);
    /// ```
    pub fn from_columns(
        source: &str,
        columns: Vec<(String, Vec<Option<f64>>)>,
    ) -> Result<OrderedData> {
        Self::from_columns_at_least(source, columns, 2)
    }

    /// [`Self::from_columns`] accepting as few as `at_least` variables (a
    /// single item regressed on covariates has thresholds and slopes but no
    /// polychoric).
    pub(crate) fn from_columns_at_least(
        source: &str,
        columns: Vec<(String, Vec<Option<f64>>)>,
        at_least: usize,
    ) -> Result<OrderedData> {
        let n = columns.first().map_or(0, |c| c.1.len());
        for (name, values) in &columns {
            if values.len() != n {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    format!(
                        "column has {} values but the first column has {n}",
                        values.len()
                    ),
                ));
            }
            if let Some((row, v)) = values.iter().enumerate().find_map(|(r, v)| {
                v.filter(|v| !v.is_finite() || v.fract() != 0.0)
                    .map(|v| (r, v))
            }) {
                return Err(AnalysisError::input(
                    Location::source(source).with_column(name),
                    Some(&v.to_string()),
                    format!(
                        "a whole number in every row (row {} is not; an ordered variable's categories are integers)",
                        row + 1
                    ),
                ));
            }
        }
        let (names, values) = columns.into_iter().unzip();
        Self::build(source, names, values, at_least)
    }

    fn build(
        source: &str,
        names: Vec<String>,
        values: Vec<Vec<Option<f64>>>,
        at_least: usize,
    ) -> Result<OrderedData> {
        if names.len() < at_least.max(1) {
            return Err(AnalysisError::invalid_argument(
                "number of ordered variables",
                names.len(),
                "at least 2 (a polychoric correlation needs a pair)",
            ));
        }
        let n = values[0].len();
        for (name, column) in names.iter().zip(&values) {
            if column.iter().all(Option::is_none) {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    format!("the column is missing in every one of the {n} records"),
                ));
            }
        }
        let complete: Vec<usize> = (0..n)
            .filter(|&r| values.iter().all(|c| c[r].is_some()))
            .collect();
        if complete.is_empty() {
            return Err(AnalysisError::unsuitable(
                Location::source(source),
                format!(
                    "no record has all of the {} ordered variables (listwise deletion leaves nothing)",
                    names.len()
                ),
            ));
        }
        let mut categories = Vec::with_capacity(names.len());
        let mut codes = Vec::with_capacity(names.len());
        for (name, column) in names.iter().zip(&values) {
            let mut seen: Vec<f64> = complete.iter().filter_map(|&r| column[r]).collect();
            seen.sort_by(f64::total_cmp);
            seen.dedup();
            if seen.len() < 2 {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    format!(
                        "an ordered variable needs at least 2 observed categories; every one of the {} complete records has the value {}",
                        complete.len(),
                        seen[0]
                    ),
                ));
            }
            let code: Vec<u32> = complete
                .iter()
                .filter_map(|&r| column[r])
                .map(|v| seen.partition_point(|&s| s < v) as u32)
                .collect();
            categories.push(seen);
            codes.push(code);
        }
        Ok(OrderedData {
            names,
            categories,
            n_cases: complete.len(),
            n_dropped: n - complete.len(),
            codes,
        })
    }

    /// Number of ordered variables.
    pub fn n_variables(&self) -> usize {
        self.names.len()
    }

    /// Each case's 0-based category of variable `v`.
    pub fn codes(&self, v: usize) -> &[u32] {
        &self.codes[v]
    }

    fn n_categories(&self, v: usize) -> usize {
        self.categories[v].len()
    }
}

/// Thresholds and polychoric correlations (lavaan's `lavCor(…, ordered =)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Polychoric {
    /// The variables, in column order.
    pub names: Vec<String>,
    /// τ₁ < … < τ_{K−1} per variable.
    pub thresholds: Vec<Vec<f64>>,
    /// The p × p correlation matrix (unit diagonal), rows in `names` order.
    pub correlations: Vec<Vec<f64>>,
    /// Pairs (names) whose contingency table has an empty cell.
    pub empty_cell_pairs: Vec<(String, String)>,
    /// Cases (rows) used.
    pub n_cases: usize,
    /// Cases dropped for a missing value.
    pub n_dropped: usize,
}

/// Thresholds of one variable from its category counts.
fn thresholds_from_counts(counts: &[usize], n: usize) -> Vec<f64> {
    let mut cumulative = 0usize;
    counts[..counts.len() - 1]
        .iter()
        .map(|&c| {
            cumulative += c;
            normal_quantile(cumulative as f64 / n as f64)
        })
        .collect()
}

/// Φ⁻¹(p) for 0 < p < 1 (statrs' inverse erfc, accurate to ~1e-15).
fn normal_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}

/// Thresholds extended with −∞ and +∞: category k lies in (t[k], t[k+1]].
fn extended(thresholds: &[f64]) -> Vec<f64> {
    let mut t = Vec::with_capacity(thresholds.len() + 2);
    t.push(f64::NEG_INFINITY);
    t.extend_from_slice(thresholds);
    t.push(f64::INFINITY);
    t
}

/// One pair's contingency table with both variables' extended thresholds.
struct PairTable<'a> {
    t1: &'a [f64],
    t2: &'a [f64],
    /// Counts fitted, row-major K1 × K2 (f64: a 2 × 2 table may get ½ added).
    freq: Vec<f64>,
    /// The observed counts (the cases behind the score sums).
    observed: Vec<f64>,
}

impl PairTable<'_> {
    fn k1(&self) -> usize {
        self.t1.len() - 1
    }
    fn k2(&self) -> usize {
        self.t2.len() - 1
    }

    /// Cell probabilities π_ab(ρ), floored at √ε.
    fn probabilities(&self, rho: f64) -> Vec<f64> {
        let (k1, k2) = (self.k1(), self.k2());
        // Φ₂ on the grid of extended thresholds.
        let mut grid = vec![0.0; (k1 + 1) * (k2 + 1)];
        for a in 0..=k1 {
            for b in 0..=k2 {
                grid[a * (k2 + 1) + b] = bivariate_normal_cdf(self.t1[a], self.t2[b], rho);
            }
        }
        let floor = probability_floor();
        let mut pi = Vec::with_capacity(k1 * k2);
        for a in 0..k1 {
            for b in 0..k2 {
                let g = |i: usize, j: usize| grid[i * (k2 + 1) + j];
                let p = g(a + 1, b + 1) - g(a, b + 1) - g(a + 1, b) + g(a, b);
                pi.push(p.max(floor));
            }
        }
        pi
    }

    /// dπ_ab/dρ and d²π_ab/dρ²: φ₂ and its ρ-derivative at the cell's corners.
    fn probability_derivatives(&self, rho: f64) -> (Vec<f64>, Vec<f64>) {
        let (k1, k2) = (self.k1(), self.k2());
        let r = 1.0 - rho * rho;
        let corner = |u: f64, v: f64| -> (f64, f64) {
            let d = bivariate_normal_pdf(u, v, rho);
            if d == 0.0 {
                return (0.0, 0.0);
            }
            // ∂φ₂/∂ρ = φ₂ · g(u, v; ρ) (lavaan's `guv`).
            let g = (u * v * r - rho * (u * u - 2.0 * rho * u * v + v * v) + rho * r) / (r * r);
            (d, d * g)
        };
        let mut first = Vec::with_capacity(k1 * k2);
        let mut second = Vec::with_capacity(k1 * k2);
        for a in 0..k1 {
            for b in 0..k2 {
                let (d1, g1) = corner(self.t1[a + 1], self.t2[b + 1]);
                let (d2, g2) = corner(self.t1[a], self.t2[b + 1]);
                let (d3, g3) = corner(self.t1[a + 1], self.t2[b]);
                let (d4, g4) = corner(self.t1[a], self.t2[b]);
                first.push(d1 - d2 - d3 + d4);
                second.push(g1 - g2 - g3 + g4);
            }
        }
        (first, second)
    }

    /// Gradient and Hessian of the log-likelihood in ρ.
    fn derivatives(&self, rho: f64) -> (f64, f64) {
        let pi = self.probabilities(rho);
        let (d1, d2) = self.probability_derivatives(rho);
        let floor = probability_floor();
        let mut grad = 0.0;
        let mut hess = 0.0;
        for c in 0..pi.len() {
            // Cells at the floor are left out, as lavaan does.
            if self.freq[c] == 0.0 || pi[c] <= floor {
                continue;
            }
            grad += self.freq[c] * d1[c] / pi[c];
            hess += self.freq[c] * (d2[c] / pi[c] - d1[c] * d1[c] / (pi[c] * pi[c]));
        }
        (grad, hess)
    }

    /// The maximum-likelihood ρ in [−0.999, 0.999]: Newton's method from
    /// ρ = 0, safeguarded by bisection of the bracket that the gradient's
    /// signs so far leave (the bounds are not evaluated first: there, cells
    /// at the probability floor drop out of the gradient and its sign lies).
    fn fit(&self) -> f64 {
        let (mut lo, mut hi) = (-RHO_BOUND, RHO_BOUND);
        let mut rho = 0.0;
        for _ in 0..200 {
            let (g, h) = self.derivatives(rho);
            if g == 0.0 {
                break;
            }
            if g > 0.0 {
                lo = rho;
            } else {
                hi = rho;
            }
            let newton = rho - g / h;
            let next = if h < 0.0 && newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
            let step = (next - rho).abs();
            rho = next;
            if step < 1e-14 || hi - lo < 1e-14 {
                break;
            }
        }
        rho
    }
}

/// Per-variable univariate quantities shared by all pairs.
struct Univariate {
    /// Extended thresholds (−∞, τ₁, …, +∞).
    t: Vec<f64>,
    counts: Vec<usize>,
}

fn univariate(data: &OrderedData) -> Vec<Univariate> {
    (0..data.n_variables())
        .map(|v| {
            let mut counts = vec![0usize; data.n_categories(v)];
            for &c in data.codes(v) {
                counts[c as usize] += 1;
            }
            Univariate {
                t: extended(&thresholds_from_counts(&counts, data.n_cases)),
                counts,
            }
        })
        .collect()
}

/// Pairs (i, j), i < j, in lavaan's order of the correlations.
fn pairs(p: usize) -> Vec<(usize, usize)> {
    (0..p)
        .flat_map(|i| (i + 1..p).map(move |j| (i, j)))
        .collect()
}

fn pair_table<'a>(
    data: &OrderedData,
    uni: &'a [Univariate],
    i: usize,
    j: usize,
) -> Result<PairTable<'a>> {
    let (k1, k2) = (data.n_categories(i), data.n_categories(j));
    let mut freq = vec![0.0; k1 * k2];
    for (&a, &b) in data.codes(i).iter().zip(data.codes(j)) {
        freq[a as usize * k2 + b as usize] += 1.0;
    }
    let observed = freq.clone();
    if k1 == 2 && k2 == 2 {
        let zeros: Vec<usize> = (0..4).filter(|&c| freq[c] == 0.0).collect();
        match zeros.len() {
            2 => {
                return Err(AnalysisError::unsuitable(
                    Location::source(format!("{} × {}", data.names[i], data.names[j])),
                    "their 2 × 2 table has two empty cells, so the two binary variables are \
                     perfectly (anti-)associated and the tetrachoric correlation is ±1",
                ))
            }
            // One empty cell: ½ added to it keeping the margins (lavaan's
            // zero.add = 0.5, zero.keep.margins).
            1 => {
                let sign = if zeros[0] == 0 || zeros[0] == 3 {
                    1.0
                } else {
                    -1.0
                };
                freq[0] += 0.5 * sign;
                freq[3] += 0.5 * sign;
                freq[1] -= 0.5 * sign;
                freq[2] -= 0.5 * sign;
            }
            _ => {}
        }
    }
    Ok(PairTable {
        t1: &uni[i].t,
        t2: &uni[j].t,
        freq,
        observed,
    })
}

/// Thresholds and polychoric correlations of the ordered variables.
///
/// ```
/// use analysis::polychoric::{polychoric, OrderedData};
/// let x: Vec<Option<f64>> = [1, 1, 2, 2, 3, 3, 1, 2, 3, 3].iter().map(|&v| Some(v as f64)).collect();
/// let y: Vec<Option<f64>> = [1, 2, 2, 2, 3, 3, 1, 1, 2, 3].iter().map(|&v| Some(v as f64)).collect();
/// let d = OrderedData::from_columns("example", vec![("x".into(), x), ("y".into(), y)]).unwrap();
/// let r = polychoric(&d).unwrap();
/// // x: 3 of 10 answers in category 1, so τ₁ = Φ⁻¹(0.3).
/// assert!((r.thresholds[0][0] - (-0.5244005127080407)).abs() < 1e-12);
/// assert!(r.correlations[0][1] > 0.7 && r.correlations[0][1] < 1.0);
/// ```
pub fn polychoric(data: &OrderedData) -> Result<Polychoric> {
    let uni = univariate(data);
    let p = data.n_variables();
    let pair_list = pairs(p);
    let fitted: Vec<(f64, bool)> = pair_list
        .par_iter()
        .map(|&(i, j)| {
            let table = pair_table(data, &uni, i, j)?;
            let empty = table.freq.contains(&0.0);
            Ok((table.fit(), empty))
        })
        .collect::<Result<_>>()?;
    let mut correlations = vec![vec![0.0; p]; p];
    for (v, row) in correlations.iter_mut().enumerate() {
        row[v] = 1.0;
    }
    let mut empty_cell_pairs = Vec::new();
    for (&(i, j), &(rho, empty)) in pair_list.iter().zip(&fitted) {
        correlations[i][j] = rho;
        correlations[j][i] = rho;
        if empty {
            empty_cell_pairs.push((data.names[i].clone(), data.names[j].clone()));
        }
    }
    Ok(Polychoric {
        names: data.names.clone(),
        thresholds: uni.iter().map(|u| u.t[1..u.t.len() - 1].to_vec()).collect(),
        correlations,
        empty_cell_pairs,
        n_cases: data.n_cases,
        n_dropped: data.n_dropped,
    })
}

/// The asymptotic covariance of thresholds and polychoric correlations.
#[derive(Debug, Clone, PartialEq)]
pub struct OrdinalAsymptotics {
    /// lavaan's names of the sample statistics: `x|t1`, …, then `x~~y`.
    pub labels: Vec<String>,
    /// The sample statistics in that order (lavaan's `wls.obs`).
    pub statistics: Vec<f64>,
    /// Ψ: each case's influence on each statistic (N × q); NACOV = N ΨᵀΨ.
    pub influence: DMatrix<f64>,
}

impl OrdinalAsymptotics {
    /// N times the asymptotic covariance matrix of the statistics (q × q):
    /// lavaan's `lavInspect(fit, "gamma")` for ordered data.
    pub fn nacov(&self) -> DMatrix<f64> {
        let n = self.influence.nrows() as f64;
        symmetric_cross_product(&self.influence) * n
    }

    /// AᵀΓA for Γ = NACOV and a q × k matrix A, as N (ΨA)ᵀ(ΨA) without
    /// forming Γ: the form in which the robust standard errors and the
    /// mean-and-variance adjusted test use it.
    pub fn nacov_quadratic_form(&self, a: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        if a.nrows() != self.influence.ncols() {
            return Err(AnalysisError::invalid_argument(
                "matrix A",
                format!("{} × {}", a.nrows(), a.ncols()),
                &format!("{} rows, one per sample statistic", self.influence.ncols()),
            ));
        }
        let n = self.influence.nrows() as f64;
        Ok(symmetric_cross_product(&(&self.influence * a)) * n)
    }

    /// The diagonal of [`Self::nacov`], without forming the matrix.
    pub fn nacov_diagonal(&self) -> Vec<f64> {
        let n = self.influence.nrows() as f64;
        self.influence
            .column_iter()
            .map(|c| n * c.norm_squared())
            .collect()
    }

    /// DWLS weights 1 / diag(NACOV) (lavaan's `wls.v` diagonal).
    pub fn dwls_weights(&self) -> Result<Vec<f64>> {
        self.nacov_diagonal()
            .into_iter()
            .zip(&self.labels)
            .map(|(d, label)| {
                if d > 0.0 && d.is_finite() {
                    Ok(1.0 / d)
                } else {
                    Err(AnalysisError::computation(format!(
                        "the asymptotic variance of {label} is {d}, so it has no DWLS weight"
                    )))
                }
            })
            .collect()
    }
}

impl Polychoric {
    /// Labels of the sample statistics in lavaan's order.
    pub fn labels(&self) -> Vec<String> {
        let mut labels = Vec::new();
        for (name, t) in self.names.iter().zip(&self.thresholds) {
            labels.extend((1..=t.len()).map(|k| format!("{name}|t{k}")));
        }
        for (i, j) in pairs(self.names.len()) {
            labels.push(format!("{}~~{}", self.names[i], self.names[j]));
        }
        labels
    }

    /// The asymptotic covariance of the thresholds and correlations
    /// (Muthén 1984), from the same data they were estimated on.
    pub fn asymptotics(&self, data: &OrderedData) -> Result<OrdinalAsymptotics> {
        if data.names != self.names || data.n_cases != self.n_cases {
            return Err(AnalysisError::invalid_argument(
                "data",
                format!("{} variables, {} cases", data.n_variables(), data.n_cases),
                "the ordered data the polychoric correlations were estimated from",
            ));
        }
        let p = data.n_variables();
        let n = data.n_cases;
        let uni = univariate(data);
        // Offsets of each variable's thresholds among the statistics.
        let mut offset = Vec::with_capacity(p + 1);
        offset.push(0usize);
        for u in &uni {
            offset.push(offset.last().unwrap_or(&0) + u.counts.len() - 1);
        }
        let n_th = offset[p];
        let pair_list = pairs(p);
        let q = n_th + pair_list.len();

        // Univariate threshold scores by category and h = A11⁻¹ s per category.
        let threshold_scores: Vec<Vec<Vec<f64>>> =
            uni.iter().map(category_threshold_scores).collect();
        let influence_th: Vec<Vec<Vec<f64>>> = uni
            .iter()
            .zip(&threshold_scores)
            .zip(&data.names)
            .map(|((u, s), name)| threshold_influence(u, s, name))
            .collect::<Result<_>>()?;

        // Columns of Ψ: thresholds, then one per pair (built in parallel).
        let mut columns: Vec<Vec<f64>> = Vec::with_capacity(q);
        for (v, by_category) in influence_th.iter().enumerate() {
            let codes = data.codes(v);
            columns.extend(
                (0..by_category[0].len())
                    .map(|k| codes.iter().map(|&c| by_category[c as usize][k]).collect()),
            );
        }
        let rho_columns: Vec<Vec<f64>> = pair_list
            .par_iter()
            .map(|&(i, j)| {
                let table = pair_table(data, &uni, i, j)?;
                let by_cell = pair_influence(
                    &table,
                    self.correlations[i][j],
                    &influence_th[i],
                    &influence_th[j],
                )
                .map_err(|message| {
                    AnalysisError::computation(format!(
                        "asymptotic covariance of the polychoric correlation of {} and {}: {message}",
                        data.names[i], data.names[j]
                    ))
                })?;
                let k2 = table.k2();
                Ok(data
                    .codes(i)
                    .iter()
                    .zip(data.codes(j))
                    .map(|(&a, &b)| by_cell[a as usize * k2 + b as usize])
                    .collect())
            })
            .collect::<Result<_>>()?;
        columns.extend(rho_columns);
        let influence = DMatrix::from_fn(n, q, |r, c| columns[c][r]);

        let mut statistics: Vec<f64> = self.thresholds.iter().flatten().copied().collect();
        statistics.extend(pair_list.iter().map(|&(i, j)| self.correlations[i][j]));
        Ok(OrdinalAsymptotics {
            labels: self.labels(),
            statistics,
            influence,
        })
    }
}

/// XᵀX for a tall X (N × q), in parallel column blocks of the upper
/// triangle only. nalgebra's `tr_mul` takes one dot product per entry
/// (3.7 s at q = 3 315, N = 385 here); its blocked GEMM on an explicit
/// transpose takes 0.85 s on one core; half the products on both cores less.
pub fn symmetric_cross_product(x: &DMatrix<f64>) -> DMatrix<f64> {
    const BLOCK: usize = 256;
    let q = x.ncols();
    let xt = x.transpose();
    let starts: Vec<usize> = (0..q).step_by(BLOCK).collect();
    let blocks: Vec<(usize, DMatrix<f64>)> = starts
        .par_iter()
        .map(|&c0| {
            let c1 = (c0 + BLOCK).min(q);
            // Rows 0..c1 of the columns c0..c1: the upper triangle's block.
            (c0, xt.rows(0, c1) * x.columns(c0, c1 - c0))
        })
        .collect();
    let mut out = DMatrix::zeros(q, q);
    for (c0, block) in blocks {
        for c in 0..block.ncols() {
            for r in 0..=(c0 + c) {
                let v = block[(r, c)];
                out[(r, c0 + c)] = v;
                out[(c0 + c, r)] = v;
            }
        }
    }
    out
}

/// ∂ log P(x = c)/∂τₖ for each category c (rows) and threshold k: a case in
/// category c has φ(τ_c)/π_c on its upper threshold and −φ(τ_{c−1})/π_c on
/// its lower one.
fn category_threshold_scores(u: &Univariate) -> Vec<Vec<f64>> {
    let k = u.counts.len();
    (0..k)
        .map(|c| {
            let pi = normal_cdf(u.t[c + 1]) - normal_cdf(u.t[c]);
            let mut s = vec![0.0; k - 1];
            if c < k - 1 {
                s[c] = normal_pdf(u.t[c + 1]) / pi;
            }
            if c > 0 {
                s[c - 1] = -normal_pdf(u.t[c]) / pi;
            }
            s
        })
        .collect()
}

/// A11⁻¹ s per category, A11 = Σₙ sₙsₙᵀ (the variable's own block).
fn threshold_influence(u: &Univariate, scores: &[Vec<f64>], name: &str) -> Result<Vec<Vec<f64>>> {
    let m = u.counts.len() - 1;
    let mut a11 = DMatrix::zeros(m, m);
    for (s, &count) in scores.iter().zip(&u.counts) {
        for r in 0..m {
            for c in 0..m {
                a11[(r, c)] += count as f64 * s[r] * s[c];
            }
        }
    }
    let chol = a11.cholesky().ok_or_else(|| {
        AnalysisError::computation(format!(
            "the threshold information of {name} is not positive definite"
        ))
    })?;
    Ok(scores
        .iter()
        .map(|s| {
            let h = chol.solve(&nalgebra::DVector::from_column_slice(s));
            h.iter().copied().collect()
        })
        .collect())
}

/// Each cell's influence on ρ: (s_ρ − A21 A11⁻¹ s_th) / A22, where s_ρ and
/// the bivariate threshold scores are those of a case in that cell.
fn pair_influence(
    table: &PairTable,
    rho: f64,
    h1: &[Vec<f64>],
    h2: &[Vec<f64>],
) -> std::result::Result<Vec<f64>, String> {
    let (k1, k2) = (table.k1(), table.k2());
    let lik = table.probabilities(rho);
    let (dpi, _) = table.probability_derivatives(rho);
    let r = (1.0 - rho * rho).sqrt();
    // ∂ log π_ab/∂τ of variable 1: the upper threshold gets
    // φ(u)·[Φ((v_hi − ρu)/R) − Φ((v_lo − ρu)/R)]/π at u = its upper limit.
    let edge = |u: f64, lo: f64, hi: f64| -> f64 {
        if !u.is_finite() {
            return 0.0;
        }
        normal_pdf(u) * (normal_cdf((hi - rho * u) / r) - normal_cdf((lo - rho * u) / r))
    };
    let cells = k1 * k2;
    let mut s_rho = vec![0.0; cells];
    let mut a21_1 = vec![0.0; k1 - 1];
    let mut a21_2 = vec![0.0; k2 - 1];
    let mut a22 = 0.0;
    let mut th1 = vec![vec![0.0; k1 - 1]; cells];
    let mut th2 = vec![vec![0.0; k2 - 1]; cells];
    for a in 0..k1 {
        for b in 0..k2 {
            let c = a * k2 + b;
            s_rho[c] = dpi[c] / lik[c];
            if a < k1 - 1 {
                th1[c][a] = edge(table.t1[a + 1], table.t2[b], table.t2[b + 1]) / lik[c];
            }
            if a > 0 {
                th1[c][a - 1] = -edge(table.t1[a], table.t2[b], table.t2[b + 1]) / lik[c];
            }
            if b < k2 - 1 {
                th2[c][b] = edge(table.t2[b + 1], table.t1[a], table.t1[a + 1]) / lik[c];
            }
            if b > 0 {
                th2[c][b - 1] = -edge(table.t2[b], table.t1[a], table.t1[a + 1]) / lik[c];
            }
            // lavaan sums over cases: the zero-added ½ of a 2 × 2 table
            // changes only the fit, so the sums use the observed counts.
            let f = table.observed[c];
            a22 += f * s_rho[c] * s_rho[c];
            for (acc, t) in a21_1.iter_mut().zip(&th1[c]) {
                *acc += f * s_rho[c] * t;
            }
            for (acc, t) in a21_2.iter_mut().zip(&th2[c]) {
                *acc += f * s_rho[c] * t;
            }
        }
    }
    if !(a22 > 0.0 && a22.is_finite()) {
        return Err(format!("the information about ρ is {a22}"));
    }
    let dot = |x: &[f64], y: &[f64]| x.iter().zip(y).map(|(a, b)| a * b).sum::<f64>();
    let mut out = Vec::with_capacity(cells);
    for h1a in h1 {
        for h2b in h2 {
            let c = out.len();
            out.push((s_rho[c] - dot(&a21_1, h1a) - dot(&a21_2, h2b)) / a22);
        }
    }
    Ok(out)
}

impl Render for Polychoric {
    fn tables(&self) -> Vec<Table> {
        let mut th = Table::new(
            format!(
                "Thresholds (n = {} complete records, {} dropped)",
                self.n_cases, self.n_dropped
            ),
            &["variable", "threshold", "estimate"],
        );
        for (name, t) in self.names.iter().zip(&self.thresholds) {
            for (k, v) in t.iter().enumerate() {
                th.row(vec![name.clone(), format!("t{}", k + 1), format!("{v:.3}")]);
            }
        }
        let mut header: Vec<&str> = vec![""];
        header.extend(self.names.iter().map(String::as_str));
        let mut cor = Table::new("Polychoric correlations (two-step)", &header);
        for (name, row) in self.names.iter().zip(&self.correlations) {
            let mut cells = vec![name.clone()];
            cells.extend(row.iter().map(|r| format!("{r:.3}")));
            cor.row(cells);
        }
        if !self.empty_cell_pairs.is_empty() {
            cor.note(format!(
                "{} pair(s) have an empty cell in their contingency table",
                self.empty_cell_pairs.len()
            ));
        }
        vec![th, cor]
    }
}
