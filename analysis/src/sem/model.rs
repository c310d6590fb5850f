//! Stage 3 — the model: RAM matrices from the parameter table and the
//! moments they imply (lavaan's `lav_model_implied`).
//!
//! Parameterisation (RAM, McArdle & McDonald 1984): all observed and latent
//! variables in one vector `v = A v + u`, `Cov(u) = Φ`, so that
//! `Σ = F (I − A)⁻¹ Φ (I − A)⁻ᵀ Fᵀ` where `F` selects the observed
//! variables. Loadings (`f =~ x`: `A[x, f]`) and regressions (`y ~ x`:
//! `A[y, x]`) live in `A`; (residual) variances and covariances in `Φ`.
//! This is equivalent to lavaan's LISREL form with phantom latents but needs
//! none. A mean structure (`~1`) adds the vector `m` of intercepts and
//! latent means (`v = A v + m + u`), with implied means
//! `μ = F (I − A)⁻¹ m` beside Σ in [`Implied`].

use super::partable::{Matrix, ParTable};
use nalgebra::{Cholesky, DMatrix, DVector};

/// RAM matrices `A` and `Φ` of a table at θ (fixed parameters at their
/// values).
pub fn ram_matrices(table: &ParTable, theta: &[f64]) -> (DMatrix<f64>, DMatrix<f64>) {
    let m = table.m();
    let mut a = DMatrix::zeros(m, m);
    let mut phi = DMatrix::zeros(m, m);
    for p in &table.params {
        let v = p.free.map_or(p.value, |k| theta[k]);
        match p.matrix {
            Matrix::A => a[(p.row, p.col)] = v,
            Matrix::Phi => {
                phi[(p.row, p.col)] = v;
                phi[(p.col, p.row)] = v;
            }
            Matrix::Mean | Matrix::Threshold | Matrix::Scale => {}
        }
    }
    (a, phi)
}

/// The vector `m` of intercepts and latent means at θ (zero without a
/// mean structure).
pub fn mean_vector(table: &ParTable, theta: &[f64]) -> DVector<f64> {
    let mut m = DVector::zeros(table.m());
    for p in table.params.iter().filter(|p| p.matrix == Matrix::Mean) {
        m[p.row] = p.free.map_or(p.value, |k| theta[k]);
    }
    m
}

/// The model-implied moments at θ.
pub struct Implied {
    /// `(I − A)⁻¹`, m × m.
    pub t: DMatrix<f64>,
    /// Covariance of all variables, `T Φ Tᵀ`.
    pub c: DMatrix<f64>,
    /// Implied covariance of the observed variables.
    pub sigma: DMatrix<f64>,
    /// Σ⁻¹.
    pub sigma_inv: DMatrix<f64>,
    /// log |Σ|.
    pub log_det: f64,
    /// Φ at θ.
    pub phi: DMatrix<f64>,
    /// Means of all variables, `T m` (zero without a mean structure).
    pub nu: DVector<f64>,
    /// Implied means of the observed variables (the first p of `nu`).
    pub mean: DVector<f64>,
}

impl Implied {
    /// `None` when `I − A` is singular or Σ is not positive definite.
    pub fn at(table: &ParTable, theta: &[f64]) -> Option<Implied> {
        let (a, phi) = ram_matrices(table, theta);
        let p = table.p();
        let t = inverse_i_minus(&a)?;
        let c = &t * &phi * t.transpose();
        let sigma = c.view((0, 0), (p, p)).into_owned();
        let (sigma_inv, log_det) = spd_inverse(&sigma)?;
        let nu = if table.meanstructure {
            &t * mean_vector(table, theta)
        } else {
            DVector::zeros(table.m())
        };
        let mean = nu.rows(0, p).into_owned();
        Some(Implied {
            t,
            c,
            sigma,
            sigma_inv,
            log_det,
            phi,
            nu,
            mean,
        })
    }

    /// `F = log|Σ| + tr(SΣ⁻¹) − log|S| − p`, plus `(ȳ − μ)ᵀ Σ⁻¹ (ȳ − μ)`
    /// with a mean structure (`ybar` the sample means).
    pub fn discrepancy(
        &self,
        s: &DMatrix<f64>,
        log_det_s: f64,
        ybar: Option<&DVector<f64>>,
    ) -> f64 {
        let p = s.nrows();
        let f = self.log_det + trace_product(s, &self.sigma_inv) - log_det_s - p as f64;
        match ybar {
            Some(y) => {
                let d = y - &self.mean;
                f + (&self.sigma_inv * &d).dot(&d)
            }
            None => f,
        }
    }
}

/// `(I − A)⁻¹`. For recursive models `A` is nilpotent and the Neumann
/// series `I + A + A² + …` ends after as many terms as the longest path;
/// the powers are formed with the (few) non-zero entries of `A`. Models
/// with feedback loops fall back to an LU inverse.
pub fn inverse_i_minus(a: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let m = a.nrows();
    let nonzero: Vec<(usize, usize, f64)> = (0..m)
        .flat_map(|j| (0..m).map(move |i| (i, j)))
        .filter(|&(i, j)| a[(i, j)] != 0.0)
        .map(|(i, j)| (i, j, a[(i, j)]))
        .collect();
    let mut t: DMatrix<f64> = DMatrix::identity(m, m);
    let mut power: DMatrix<f64> = DMatrix::identity(m, m);
    for _ in 0..m {
        // next = A · power, using the non-zeros of A.
        let mut next: DMatrix<f64> = DMatrix::zeros(m, m);
        for &(i, j, v) in &nonzero {
            for col in 0..m {
                let x = power[(j, col)];
                if x != 0.0 {
                    next[(i, col)] += v * x;
                }
            }
        }
        if next.iter().all(|&x| x == 0.0) {
            return t.iter().all(|x| x.is_finite()).then_some(t);
        }
        t += &next;
        power = next;
    }
    (DMatrix::identity(m, m) - a).try_inverse()
}

/// Inverse and log-determinant of a symmetric positive definite matrix via
/// its Cholesky factor `L`: `L⁻¹` by forward substitution (p³/6
/// multiply-adds), then `Σ⁻¹ = L⁻ᵀ L⁻¹` with a matrix product.
pub fn spd_inverse(sigma: &DMatrix<f64>) -> Option<(DMatrix<f64>, f64)> {
    let p = sigma.nrows();
    let chol = Cholesky::new(sigma.clone())?;
    let l = chol.l();
    let log_det = 2.0 * l.diagonal().iter().map(|d| d.ln()).sum::<f64>();
    // Row-major copy of L for contiguous inner loops.
    let lt = l.transpose();
    let mut x = DMatrix::<f64>::zeros(p, p); // X = L⁻¹, column-major
    for j in 0..p {
        x[(j, j)] = 1.0 / lt[(j, j)];
        for i in j + 1..p {
            let row = lt.column(i); // row i of L
            let col = x.column(j);
            let mut sum = 0.0;
            for k in j..i {
                sum += row[k] * col[k];
            }
            x[(i, j)] = -sum / lt[(i, i)];
        }
    }
    let inv = x.tr_mul(&x);
    (log_det.is_finite() && inv.iter().all(|v| v.is_finite())).then_some((inv, log_det))
}

/// tr(X Y) for symmetric Y without forming the product.
pub fn trace_product(x: &DMatrix<f64>, y: &DMatrix<f64>) -> f64 {
    x.iter().zip(y.transpose().iter()).map(|(a, b)| a * b).sum()
}
