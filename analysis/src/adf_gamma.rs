//! Γ, the asymptotic covariance of the sample covariances (and means) of
//! continuous data without assuming normality — Browne's (1984)
//! asymptotically distribution-free estimate, which the robust ML
//! estimators (MLM's Satorra–Bentler scaling and robust SEs) need.
//!
//! As lavaan 0.6 computes it (`lav_samplestats_Gamma`, shown by
//! `lavInspect(fit, "gamma")` for `estimator = "MLM"`; the numerical
//! reference in tests/reference/polychoric.R):
//! each case contributes zₙ = vech((yₙ − ȳ)(yₙ − ȳ)ᵀ) — centred at the
//! sample mean — preceded by yₙ itself when there is a mean structure; then
//! Γ = (1/N) Σₙ (zₙ − z̄)(zₙ − z̄)ᵀ with divisor N (lavaan's default
//! `gamma.n.minus.one = FALSE`). vech runs down the columns of the lower
//! triangle: (1,1), (2,1), …, (p,1), (2,2), …, which is lavaan's order
//! `x1~~x1`, `x1~~x2`, ….
//!
//! The centred case contributions are kept (as [`AdfGamma::deviations`]):
//! Γ enters the robust statistics only in products AᵀΓA = (1/N)(ZA)ᵀ(ZA).

use crate::data::Dataset;
use crate::error::{AnalysisError, Location, Result};
use nalgebra::DMatrix;

/// The ADF Γ and what it is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct AdfGamma {
    /// lavaan's names of the statistics: `x~1` (means, if any), then `x~~y`.
    pub labels: Vec<String>,
    /// Cases used (complete on every variable).
    pub n_cases: usize,
    /// Cases dropped for a missing value (listwise deletion).
    pub n_dropped: usize,
    /// zₙ − z̄ for each case (N × q).
    pub deviations: DMatrix<f64>,
}

impl AdfGamma {
    /// The q × q matrix Γ (lavaan's `gamma`, divisor N).
    pub fn gamma(&self) -> DMatrix<f64> {
        crate::polychoric::symmetric_cross_product(&self.deviations) / self.n_cases as f64
    }
}

/// Γ of the named columns of a dataset (listwise deletion); with
/// `meanstructure` the means come first.
///
/// ```
/// use analysis::{adf_gamma::adf_gamma, Dataset};
/// let data = Dataset::from_csv_str("d.csv", "x,y\n1,2\n2,1\n4,5\n5,3\n").unwrap();
/// let g = adf_gamma(&data, &["x".into(), "y".into()], false).unwrap();
/// assert_eq!(g.labels, ["x~~x", "x~~y", "y~~y"]);
/// // Γ's first entry is the variance of (x − x̄)² with divisor N:
/// // squares 4, 1, 1, 4 → mean 2.5, variance 2.25.
/// assert!((g.gamma()[(0, 0)] - 2.25).abs() < 1e-12);
/// ```
pub fn adf_gamma(data: &Dataset, columns: &[String], meanstructure: bool) -> Result<AdfGamma> {
    let selected = data.select(Some(columns))?;
    if selected.is_empty() {
        return Err(AnalysisError::invalid_argument(
            "columns",
            "none",
            "at least one column",
        ));
    }
    for name in &selected {
        if data.numeric_column(name)?.iter().all(Option::is_none) {
            return Err(AnalysisError::unsuitable(
                Location::source(&data.source).with_column(name),
                format!(
                    "the column is missing in every one of the {} records",
                    data.n_rows()
                ),
            ));
        }
    }
    let (rows, dropped) = data.complete_rows(&selected)?;
    if rows.len() < 2 {
        return Err(AnalysisError::unsuitable(
            Location::source(&data.source),
            format!(
                "Γ needs at least 2 records complete on all of the {} columns, found {}",
                selected.len(),
                rows.len()
            ),
        ));
    }
    Ok(from_rows(&selected, &rows, dropped, meanstructure))
}

/// Γ of complete rows (one value per name), with the means first when
/// `meanstructure`.
pub(crate) fn from_rows(
    names: &[String],
    rows: &[Vec<f64>],
    dropped: usize,
    meanstructure: bool,
) -> AdfGamma {
    let p = names.len();
    let n = rows.len();
    let mean: Vec<f64> = (0..p)
        .map(|v| rows.iter().map(|r| r[v]).sum::<f64>() / n as f64)
        .collect();
    let mut labels = Vec::new();
    if meanstructure {
        labels.extend(names.iter().map(|v| format!("{v}~1")));
    }
    // vech order: down the columns of the lower triangle.
    let mut vech = Vec::with_capacity(p * (p + 1) / 2);
    for col in 0..p {
        for row in col..p {
            vech.push((row, col));
            labels.push(format!("{}~~{}", names[col], names[row]));
        }
    }
    let q = labels.len();
    let offset = if meanstructure { p } else { 0 };
    let mut z = DMatrix::zeros(n, q);
    for (c, row) in rows.iter().enumerate() {
        let centred: Vec<f64> = row.iter().zip(&mean).map(|(y, m)| y - m).collect();
        if meanstructure {
            for v in 0..p {
                z[(c, v)] = row[v];
            }
        }
        for (k, &(a, b)) in vech.iter().enumerate() {
            z[(c, offset + k)] = centred[a] * centred[b];
        }
    }
    for mut column in z.column_iter_mut() {
        let m = column.sum() / n as f64;
        column.add_scalar_mut(-m);
    }
    AdfGamma {
        labels,
        n_cases: n,
        n_dropped: dropped,
        deviations: z,
    }
}
