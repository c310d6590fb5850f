//! Stage 2 — sample statistics (lavaan's `lavSampleStats`): the sample
//! covariance matrix of the observed variables, the number of observations
//! and, for raw data, the listwise-complete records.
//!
//! Raw data are reduced to complete records (listwise deletion, lavaan's
//! default `missing = "listwise"`); the number dropped is kept and reported
//! as a warning of the fit. A covariance matrix read as input (divisor
//! N − 1) is rescaled to divisor N, as lavaan's `sample.cov.rescale`.
//!
//! Where a mean structure (`~1`) comes, the sample means go here beside the
//! covariances; multi-group models hold one [`SampleMoments`] per group.

use super::Likelihood;
use crate::error::{AnalysisError, Location, Result};
use nalgebra::{Cholesky, DMatrix, DVector};

/// Sample covariances of observed variables (divisor N, as lavaan's
/// normal likelihood), with the number of observations and, for raw data,
/// the complete rows (for the bootstrap).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleMoments {
    /// The variables, in the order of the rows and columns of `cov`.
    pub names: Vec<String>,
    /// Covariance matrix with divisor N.
    pub cov: DMatrix<f64>,
    /// Number of observations (complete records).
    pub nobs: usize,
    /// Where the moments came from (for error messages).
    pub source: String,
    /// Listwise-complete raw data (rows × names), when known.
    pub data: Option<DMatrix<f64>>,
    /// Records dropped by listwise deletion.
    pub dropped: usize,
    /// Sample means, in the order of `names` (raw data only).
    pub means: Option<Vec<f64>>,
}

impl SampleMoments {
    /// Moments of the given columns with listwise deletion of incomplete
    /// records (lavaan's `missing = "listwise"` default).
    ///
    /// ```
    /// use analysis::sem::SampleMoments;
    /// use analysis::Dataset;
    /// let data = Dataset::from_csv_str("survey.csv", "a,b\n1,2\n2,4\n3,5\n,1\n")?;
    /// let columns = vec!["a".to_string(), "b".to_string()];
    /// let s = SampleMoments::from_dataset(&data, &columns)?;
    /// assert_eq!((s.nobs, s.dropped), (3, 1));
    /// // Divisor N: var(a) = ((1−2)² + 0 + (3−2)²) / 3.
    /// assert!((s.cov[(0, 0)] - 2.0 / 3.0).abs() < 1e-12);
    /// # Ok::<(), analysis::AnalysisError>(())
    /// ```
    pub fn from_dataset(data: &crate::Dataset, columns: &[String]) -> Result<SampleMoments> {
        let (rows, dropped) = data.complete_rows(columns)?;
        let n = rows.len();
        let p = columns.len();
        let matrix = DMatrix::from_fn(n, p, |r, c| rows[r][c]);
        let mut s = SampleMoments::from_rows(&data.source, columns.to_vec(), matrix)?;
        s.dropped = dropped;
        Ok(s)
    }

    /// Moments of a data matrix (rows are observations).
    pub fn from_rows(
        source: &str,
        names: Vec<String>,
        data: DMatrix<f64>,
    ) -> Result<SampleMoments> {
        let n = data.nrows();
        if n < 2 {
            return Err(AnalysisError::unsuitable(
                Location::source(source),
                format!("{n} complete observation(s): at least 2 are needed"),
            ));
        }
        let cov = covariance_of(&data);
        for (j, name) in names.iter().enumerate() {
            if cov[(j, j)] <= 0.0 {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    "the column is constant: it has no variance to model",
                ));
            }
        }
        let means = data.row_mean().iter().copied().collect();
        Ok(SampleMoments {
            names,
            cov,
            nobs: n,
            source: source.to_owned(),
            data: Some(data),
            dropped: 0,
            means: Some(means),
        })
    }

    /// Reads a covariance matrix (divisor N − 1) from CSV text: a header of
    /// names, optionally a first column of row names (as R's
    /// `write.csv(cov(x))`); `source` names it in messages.
    ///
    /// ```
    /// use analysis::sem::SampleMoments;
    /// let text = "\"\",x,y\n\"x\",2,1\n\"y\",1,3\n";
    /// let s = SampleMoments::from_covariance_csv("cov.csv", text, 11)?;
    /// assert_eq!(s.names, ["x", "y"]);
    /// // Rescaled from divisor N − 1 to N: 2 · 10/11.
    /// assert!((s.cov[(0, 0)] - 20.0 / 11.0).abs() < 1e-12);
    /// # Ok::<(), analysis::AnalysisError>(())
    /// ```
    pub fn from_covariance_csv(source: &str, text: &str, nobs: usize) -> Result<SampleMoments> {
        // R's write.csv leaves the header cell above the row names empty.
        let text = if let Some(rest) = text.strip_prefix("\"\",") {
            format!("row,{rest}")
        } else if text.starts_with(',') {
            format!("row{text}")
        } else {
            text.to_owned()
        };
        let data = crate::Dataset::from_csv_str(source, &text)?;
        let mut names: Vec<String> = data.names().to_vec();
        let first = names[0].clone();
        let first_is_label = data
            .text_column(&first)?
            .iter()
            // A missing value is a wrong cell of a matrix, not a row name.
            .any(|c| !crate::data::is_missing(c) && c.trim().parse::<f64>().is_err());
        if first_is_label {
            let labels = data.text_column(&first)?.to_vec();
            names.remove(0);
            if labels.len() != names.len() || labels.iter().zip(&names).any(|(a, b)| a.trim() != b)
            {
                return Err(AnalysisError::input(
                    Location::source(source).with_column(&first),
                    Some(&labels.join(",")),
                    format!("row names equal to the column names {}", names.join(",")),
                ));
            }
        }
        if names.is_empty() {
            return Err(AnalysisError::input(
                Location::source(source).with_line(1),
                None,
                "a header naming at least one variable besides the row names",
            ));
        }
        if data.n_rows() != names.len() {
            return Err(AnalysisError::input(
                Location::source(source),
                Some(&format!("{} rows", data.n_rows())),
                format!("{} rows, one per variable of the header", names.len()),
            ));
        }
        let p = names.len();
        let mut m = DMatrix::zeros(p, p);
        for (j, name) in names.iter().enumerate() {
            let col = data.numeric_column(name)?;
            for (i, v) in col.iter().enumerate() {
                m[(i, j)] = v.ok_or_else(|| {
                    AnalysisError::input(
                        Location::source(source)
                            .with_line(data.line_of(i))
                            .with_column(name),
                        Some(""),
                        "a number (a covariance matrix has no missing values)",
                    )
                })?;
            }
        }
        SampleMoments::from_covariance(source, m, names, nobs)
    }

    /// Moments from a covariance matrix computed with divisor N − 1 (as R's
    /// `cov()`, SPSS or AMOS input); like lavaan's `sample.cov.rescale`, it
    /// is rescaled by (N − 1)/N to the maximum-likelihood divisor N.
    /// `source` names the matrix in error messages (e.g. its file).
    pub fn from_covariance(
        source: &str,
        cov: DMatrix<f64>,
        names: Vec<String>,
        nobs: usize,
    ) -> Result<SampleMoments> {
        if cov.nrows() != cov.ncols() || cov.nrows() != names.len() {
            return Err(AnalysisError::unsuitable(
                Location::source(source),
                format!(
                    "a {}×{} matrix for {} names: expected a square matrix with one row per name",
                    cov.nrows(),
                    cov.ncols(),
                    names.len()
                ),
            ));
        }
        if nobs < 2 {
            return Err(AnalysisError::invalid_argument("nobs", nobs, "at least 2"));
        }
        for i in 0..cov.nrows() {
            for j in 0..i {
                let (a, b) = (cov[(i, j)], cov[(j, i)]);
                if (a - b).abs() > 1e-8 * (1.0 + a.abs().max(b.abs())) {
                    return Err(AnalysisError::unsuitable(
                        Location::source(source).with_column(&names[j]),
                        format!(
                            "the matrix is not symmetric: [{}, {}] = {a} but [{}, {}] = {b}",
                            names[i], names[j], names[j], names[i]
                        ),
                    ));
                }
            }
            if cov[(i, i)].is_nan() || cov[(i, i)] <= 0.0 {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(&names[i]),
                    format!("variance {} is not positive", cov[(i, i)]),
                ));
            }
        }
        let scale = (nobs as f64 - 1.0) / nobs as f64;
        Ok(SampleMoments {
            names,
            cov: cov.map(|v| v * scale),
            nobs,
            source: source.to_owned(),
            data: None,
            dropped: 0,
            means: None,
        })
    }

    /// The positions of `names` among the variables; a name the sample does
    /// not have is an error that names it and lists those it has.
    pub fn indices_of(&self, names: &[String]) -> Result<Vec<usize>> {
        names
            .iter()
            .map(|n| {
                self.names.iter().position(|m| m == n).ok_or_else(|| {
                    AnalysisError::input(
                        Location::source(&self.source),
                        Some(n),
                        format!("a variable of the data ({})", self.names.join(", ")),
                    )
                })
            })
            .collect()
    }

    /// The covariance submatrix of `names` (in that order).
    pub fn select(&self, names: &[String]) -> Result<DMatrix<f64>> {
        let idx = self.indices_of(names)?;
        Ok(DMatrix::from_fn(idx.len(), idx.len(), |i, j| {
            self.cov[(idx[i], idx[j])]
        }))
    }

    /// The moments the fit uses for `names` under a likelihood: S (divisor N
    /// or N − 1) and the χ² multiplier (N or N − 1), after checking that S
    /// is positive definite.
    /// With `meanstructure` the sample means of `names` come too; they need
    /// raw data and the normal likelihood.
    pub fn in_use(
        &self,
        names: &[String],
        likelihood: Likelihood,
        meanstructure: bool,
    ) -> Result<MomentsInUse> {
        let (s, n_mult) = scaled_for(&self.select(names)?, self.nobs, likelihood);
        check_positive_definite(&s, names, &self.source)?;
        let mean = if meanstructure {
            let Some(means) = &self.means else {
                return Err(AnalysisError::unsuitable(
                    Location::source(&self.source),
                    "a mean structure (intercepts, ~ 1 or --meanstructure) needs the sample means: give raw data, not a covariance matrix",
                ));
            };
            if likelihood == Likelihood::Wishart {
                return Err(AnalysisError::unsuitable(
                    Location::source(&self.source),
                    "a mean structure (intercepts, ~ 1 or --meanstructure) is fitted with the normal likelihood only, not the Wishart likelihood",
                ));
            }
            let idx = self.indices_of(names)?;
            Some(DVector::from_iterator(
                idx.len(),
                idx.iter().map(|&i| means[i]),
            ))
        } else {
            None
        };
        Ok(MomentsInUse { s, n_mult, mean })
    }
}

/// The sample covariance a fit works with and its χ² multiplier.
#[derive(Debug, Clone, PartialEq)]
pub struct MomentsInUse {
    /// S with divisor N (normal likelihood) or N − 1 (Wishart).
    pub s: DMatrix<f64>,
    /// N (normal) or N − 1 (Wishart): χ² = n_mult · F.
    pub n_mult: f64,
    /// The sample means, with a mean structure.
    pub mean: Option<DVector<f64>>,
}

/// The sample covariance in use and the χ² multiplier for a likelihood,
/// from S with divisor N.
pub(crate) fn scaled_for(
    s_n: &DMatrix<f64>,
    n: usize,
    likelihood: Likelihood,
) -> (DMatrix<f64>, f64) {
    let nf = n as f64;
    match likelihood {
        Likelihood::Normal => (s_n.clone(), nf),
        Likelihood::Wishart => (s_n * (nf / (nf - 1.0)), nf - 1.0),
    }
}

/// Checks that S is positive definite; names the variables of the most
/// nearly dependent combination otherwise.
fn check_positive_definite(s: &DMatrix<f64>, names: &[String], source: &str) -> Result<()> {
    if Cholesky::new(s.clone()).is_some() {
        let eig = nalgebra::SymmetricEigen::new(s.clone());
        let max = eig.eigenvalues.max();
        if eig.eigenvalues.min() > 1e-12 * max {
            return Ok(());
        }
    }
    let eig = nalgebra::SymmetricEigen::new(s.clone());
    let k = eig.eigenvalues.imin();
    let v = eig.eigenvectors.column(k);
    let top = v.amax();
    let involved: Vec<&str> = (0..names.len())
        .filter(|&i| v[i].abs() > 0.2 * top)
        .map(|i| names[i].as_str())
        .collect();
    Err(AnalysisError::unsuitable(
        Location::source(source),
        format!(
            "the sample covariance matrix of the model's observed variables is not positive definite (smallest eigenvalue {:.3e}); the variables {} are (nearly) linearly dependent",
            eig.eigenvalues[k],
            involved.join(", ")
        ),
    ))
}

/// Covariance matrix with divisor N of the columns of `data`.
pub fn covariance_of(data: &DMatrix<f64>) -> DMatrix<f64> {
    let n = data.nrows() as f64;
    let means = data.row_mean();
    let mut centered = data.clone();
    for mut row in centered.row_iter_mut() {
        row -= &means;
    }
    (centered.transpose() * &centered) / n
}
