//! Thresholds, slopes and residual polychoric correlations of ordered
//! variables given observed covariates — the sample statistics lavaan 0.6
//! fits a model with ordered indicators and exogenous covariates to
//! (`conditional.x = TRUE`, its default for categorical data;
//! `lavInspect(fit, "sampstat")`'s `res.th`, `res.slopes`, `res.cov`).
//!
//! Each ordered variable y is y* = xᵀβ + ε, ε ~ N(0, 1), cut at thresholds
//! τ₁ < … < τ_{K−1}; its thresholds and slopes maximise the ordered-probit
//! likelihood P(y = k | x) = Φ(τ_k − xᵀβ) − Φ(τ_{k−1} − xᵀβ) (lavaan's
//! `lav_uvord` with `eXo`). Each pair's residual polychoric ρ then
//! maximises the bivariate likelihood of the pair, case by case given x,
//! with both variables' thresholds and slopes held at their univariate
//! values (lavaan's `lav_bvord` with `eXo`). Cases missing any of the
//! variables or covariates are dropped (listwise, as lavaan does).
//!
//! Written here because no maintained crate fits an ordered probit
//! regression, let alone the residual polychorics lavaan needs.

use crate::bivariate_normal::{bivariate_normal_cdf, bivariate_normal_pdf, normal_cdf, normal_pdf};
use crate::error::{AnalysisError, Location, Result};
use crate::polychoric::OrderedData;
use nalgebra::{DMatrix, DVector};

/// Bounds of a residual polychoric correlation (as lavaan's).
const RHO_BOUND: f64 = 0.999;

/// The conditional sample statistics of ordered variables given covariates.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionalPolychoric {
    /// The ordered variables, in the order given.
    pub names: Vec<String>,
    /// The covariates, in the order given.
    pub covariates: Vec<String>,
    /// Residual thresholds τ per ordered variable (lavaan's `res.th`).
    pub thresholds: Vec<Vec<f64>>,
    /// Slopes β per ordered variable, one per covariate (`res.slopes`).
    pub slopes: Vec<Vec<f64>>,
    /// Residual polychoric correlations, p × p, unit diagonal (`res.cov`).
    pub correlations: DMatrix<f64>,
    /// The observed categories per ordered variable.
    pub categories: Vec<Vec<f64>>,
    /// Cases used (complete on every variable and covariate).
    pub n_cases: usize,
    /// Cases dropped for a missing value.
    pub n_dropped: usize,
    /// lavaan's names of the sample statistics (`wls.obs` under
    /// conditional.x): `y|t1`, …, then `y~x` covariate by covariate, then
    /// `y~~z`.
    pub labels: Vec<String>,
    /// The sample statistics in that order.
    pub statistics: Vec<f64>,
    /// Ψ: each case's influence on each statistic (N × q); lavaan's
    /// `gamma` is N ΨᵀΨ.
    pub influence: DMatrix<f64>,
}

/// One ordered variable's probit regression, fitted.
struct Probit {
    /// Extended thresholds (−∞, τ₁, …, +∞).
    t: Vec<f64>,
    beta: Vec<f64>,
    /// Each case's influence on (τ, β): A₁₁⁻¹ sₙ (N × (K − 1 + covariates)).
    influence: DMatrix<f64>,
}

impl ConditionalPolychoric {
    /// Fits every ordered variable on the covariates, then every pair's
    /// residual polychoric.
    ///
    /// Errors: a covariate that does not vary (its slope is not
    /// identified), any error of [`OrderedData::from_columns`] (a
    /// non-integer or single-category ordered column), a probit fit that
    /// does not converge (a covariate separating the categories).
    ///
    /// ```
    /// use analysis::polychoric_covariates::ConditionalPolychoric;
    /// let x: Vec<f64> = (0..40).map(|i| (i % 7) as f64).collect();
    /// let y1: Vec<f64> = (0..40).map(|i| 1.0 + ((i * 5 + i % 7) % 3) as f64).collect();
    /// let y2: Vec<f64> = (0..40).map(|i| 1.0 + ((i * 3 + i % 7) % 2) as f64).collect();
    /// let fit = ConditionalPolychoric::estimate(
    ///     "example",
    ///     vec![("y1".into(), y1.into_iter().map(Some).collect()), ("y2".into(), y2.into_iter().map(Some).collect())],
    ///     vec![("x".into(), x.into_iter().map(Some).collect())],
    /// ).unwrap();
    /// assert_eq!(fit.thresholds[0].len(), 2);
    /// assert!(fit.correlations[(0, 1)].abs() < 1.0);
    /// ```
    pub fn estimate(
        source: &str,
        ordered: Vec<(String, Vec<Option<f64>>)>,
        covariates: Vec<(String, Vec<Option<f64>>)>,
    ) -> Result<ConditionalPolychoric> {
        let n_all = ordered.first().map_or(0, |c| c.1.len());
        let complete: Vec<bool> = (0..n_all)
            .map(|i| {
                ordered
                    .iter()
                    .chain(&covariates)
                    .all(|(_, v)| v.get(i).copied().flatten().is_some_and(f64::is_finite))
            })
            .collect();
        let keep = |v: &[Option<f64>]| -> Vec<Option<f64>> {
            v.iter()
                .zip(&complete)
                .filter(|(_, &c)| c)
                .map(|(x, _)| *x)
                .collect()
        };
        for (name, values) in &covariates {
            if values.len() != n_all {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    format!(
                        "covariate has {} values but the ordered columns have {n_all}",
                        values.len()
                    ),
                ));
            }
            if values.iter().all(Option::is_none) {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    "the covariate is missing in every record",
                ));
            }
        }
        let data = OrderedData::from_columns_at_least(
            source,
            ordered.iter().map(|(n, v)| (n.clone(), keep(v))).collect(),
            1,
        )?;
        let n = data.n_cases;
        let x: Vec<Vec<f64>> = covariates
            .iter()
            .map(|(_, v)| keep(v).into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
            .collect();
        for ((name, _), col) in covariates.iter().zip(&x) {
            let first = col[0];
            if col.iter().all(|&v| v == first) {
                return Err(AnalysisError::unsuitable(
                    Location::source(source).with_column(name),
                    format!(
                        "the covariate is {first} in every one of the {n} complete cases, so its slopes are not identified; leave it out"
                    ),
                ));
            }
        }
        let probits: Vec<Probit> = (0..data.n_variables())
            .map(|v| {
                fit_probit(
                    source,
                    &data.names[v],
                    data.codes(v),
                    data.categories[v].len(),
                    &x,
                )
            })
            .collect::<Result<_>>()?;
        let eta: Vec<Vec<f64>> = probits
            .iter()
            .map(|p| {
                (0..n)
                    .map(|i| x.iter().zip(&p.beta).map(|(c, b)| c[i] * b).sum())
                    .collect()
            })
            .collect();
        let p = data.n_variables();
        let q = x.len();
        let mut correlations = DMatrix::identity(p, p);
        let n_th: usize = probits.iter().map(|pr| pr.t.len() - 2).sum();
        let n_stat = n_th + p * q + p * (p - 1) / 2;
        let mut influence = DMatrix::zeros(n, n_stat);
        let mut labels = Vec::with_capacity(n_stat);
        let mut th_at = Vec::with_capacity(p);
        let mut at = 0;
        for (v, pr) in probits.iter().enumerate() {
            th_at.push(at);
            let m = pr.t.len() - 2;
            for k in 0..m {
                labels.push(format!("{}|t{}", data.names[v], k + 1));
                influence
                    .column_mut(at + k)
                    .copy_from(&pr.influence.column(k));
            }
            at += m;
        }
        for (j, (cname, _)) in covariates.iter().enumerate() {
            for (v, pr) in probits.iter().enumerate() {
                labels.push(format!("{}~{cname}", data.names[v]));
                let m = pr.t.len() - 2;
                influence
                    .column_mut(at)
                    .copy_from(&pr.influence.column(m + j));
                at += 1;
            }
        }
        for a in 0..p {
            for b in a + 1..p {
                let pair = Pair {
                    t1: &probits[a].t,
                    t2: &probits[b].t,
                    eta1: &eta[a],
                    eta2: &eta[b],
                    y1: data.codes(a),
                    y2: data.codes(b),
                };
                let rho = pair.fit();
                correlations[(a, b)] = rho;
                correlations[(b, a)] = rho;
                // ψ_ρ,n = (s_ρ,n − A₂₁ ψ_θ,n) / A₂₂ with lavaan's outer
                // products: A₂₁ = Σ s_ρ,n ∂ log Pₙ/∂θ over both variables'
                // (τ, β), A₂₂ = Σ s_ρ,n².
                let (scores, a21_1, a21_2) = pair.scores(rho, &x);
                let a22 = scores.norm_squared();
                let col = &scores - &probits[a].influence * &a21_1 - &probits[b].influence * &a21_2;
                influence.column_mut(at).copy_from(&(col / a22));
                labels.push(format!("{}~~{}", data.names[a], data.names[b]));
                at += 1;
            }
        }
        let mut statistics: Vec<f64> = probits
            .iter()
            .flat_map(|pr| pr.t[1..pr.t.len() - 1].to_vec())
            .collect();
        for j in 0..q {
            statistics.extend(probits.iter().map(|pr| pr.beta[j]));
        }
        for a in 0..p {
            for b in a + 1..p {
                statistics.push(correlations[(a, b)]);
            }
        }
        Ok(ConditionalPolychoric {
            names: data.names.clone(),
            covariates: covariates.into_iter().map(|(n, _)| n).collect(),
            thresholds: probits
                .iter()
                .map(|p| p.t[1..p.t.len() - 1].to_vec())
                .collect(),
            slopes: probits.into_iter().map(|p| p.beta).collect(),
            correlations,
            categories: data.categories.clone(),
            n_cases: n,
            n_dropped: n_all - n,
            labels,
            statistics,
            influence,
        })
    }
}

/// The ordered-probit fit of one variable: Newton's method on (τ, β) from
/// the marginal thresholds and β = 0, halving steps that lower the
/// log-likelihood (which is concave in (τ, β)).
fn fit_probit(source: &str, name: &str, y: &[u32], k: usize, x: &[Vec<f64>]) -> Result<Probit> {
    let n = y.len();
    let m = k - 1;
    let q = x.len();
    let mut counts = vec![0usize; k];
    for &c in y {
        counts[c as usize] += 1;
    }
    let mut theta = DVector::zeros(m + q);
    let mut cum = 0;
    for j in 0..m {
        cum += counts[j];
        theta[j] = -std::f64::consts::SQRT_2
            * statrs::function::erf::erfc_inv(2.0 * cum as f64 / n as f64);
    }
    // (log-likelihood, gradient, Hessian) at θ; None where the thresholds
    // are out of order.
    let evaluate =
        |theta: &DVector<f64>, derivatives: bool| -> Option<(f64, DVector<f64>, DMatrix<f64>)> {
            if (1..m).any(|j| theta[j] <= theta[j - 1]) {
                return None;
            }
            let mut ll = 0.0;
            let mut g = DVector::zeros(m + q);
            let mut h = DMatrix::zeros(m + q, m + q);
            let mut e1 = DVector::zeros(m + q);
            let mut e0 = DVector::zeros(m + q);
            for i in 0..n {
                let c = y[i] as usize;
                let eta: f64 = (0..q).map(|j| x[j][i] * theta[m + j]).sum();
                let upper = if c < m { theta[c] - eta } else { f64::INFINITY };
                let lower = if c > 0 {
                    theta[c - 1] - eta
                } else {
                    f64::NEG_INFINITY
                };
                let pr = normal_cdf(upper) - normal_cdf(lower);
                if pr <= 0.0 {
                    return None;
                }
                ll += pr.ln();
                if !derivatives {
                    continue;
                }
                let a = if c < m { normal_pdf(upper) } else { 0.0 };
                let b = if c > 0 { normal_pdf(lower) } else { 0.0 };
                e1.fill(0.0);
                e0.fill(0.0);
                if c < m {
                    e1[c] = 1.0;
                }
                if c > 0 {
                    e0[c - 1] = 1.0;
                }
                for j in 0..q {
                    e1[m + j] = -x[j][i];
                    e0[m + j] = -x[j][i];
                }
                let gp = &e1 * a - &e0 * b;
                let za = if c < m { upper * a } else { 0.0 };
                let zb = if c > 0 { lower * b } else { 0.0 };
                g += &gp / pr;
                h += (&e1 * e1.transpose()) * (-za / pr) + (&e0 * e0.transpose()) * (zb / pr)
                    - (&gp * gp.transpose()) / (pr * pr);
            }
            Some((ll, g, h))
        };
    let here = || Location::source(source).with_column(name);
    let (mut ll, mut g, mut h) = evaluate(&theta, true).ok_or_else(|| {
        AnalysisError::computation(format!(
            "the probit regression of {name} has no valid start"
        ))
    })?;
    for _ in 0..100 {
        let step = (-h.clone()).cholesky().map(|c| c.solve(&g)).ok_or_else(|| {
            AnalysisError::unsuitable(
                here(),
                "the probit regression of this ordered variable on the covariates has a singular information matrix (collinear covariates?)",
            )
        })?;
        let mut scale = 1.0;
        let mut moved = false;
        for _ in 0..40 {
            let trial = &theta + &step * scale;
            if let Some((l, _, _)) = evaluate(&trial, false) {
                if l >= ll - 1e-12 {
                    theta = trial;
                    moved = true;
                    break;
                }
            }
            scale *= 0.5;
        }
        let (l, gg, hh) = evaluate(&theta, true).expect("accepted point is valid");
        let done =
            !moved || gg.amax() < 1e-10 * (n as f64).max(1.0) || (l - ll).abs() < 1e-14 * l.abs();
        (ll, g, h) = (l, gg, hh);
        if done {
            break;
        }
    }
    let converged = g.amax() < 1e-5 * n as f64; // false for a NaN gradient
    if !converged || theta.iter().any(|v| !v.is_finite()) {
        return Err(AnalysisError::unsuitable(
            here(),
            "the probit regression of this ordered variable on the covariates did not converge (a covariate may separate its categories)",
        ));
    }
    let mut t = Vec::with_capacity(k + 1);
    t.push(f64::NEG_INFINITY);
    t.extend(theta.iter().take(m));
    t.push(f64::INFINITY);
    let beta: Vec<f64> = theta.iter().skip(m).copied().collect();
    // Each case's score.
    let mut scores = DMatrix::zeros(n, m + q);
    for i in 0..n {
        let c = y[i] as usize;
        let eta: f64 = (0..q).map(|j| x[j][i] * beta[j]).sum();
        let (upper, lower) = (t[c + 1] - eta, t[c] - eta);
        let pr = normal_cdf(upper) - normal_cdf(lower);
        let a = if c < m { normal_pdf(upper) } else { 0.0 };
        let b = if c > 0 { normal_pdf(lower) } else { 0.0 };
        if c < m {
            scores[(i, c)] += a / pr;
        }
        if c > 0 {
            scores[(i, c - 1)] -= b / pr;
        }
        for j in 0..q {
            scores[(i, m + j)] = -x[j][i] * (a - b) / pr;
        }
    }
    // lavaan's muthen1984 uses the outer product of the scores (A₁₁) as
    // the information, not the Hessian: ψₙ = A₁₁⁻¹ sₙ.
    let a11_inv = scores.tr_mul(&scores).try_inverse().ok_or_else(|| {
        AnalysisError::unsuitable(
            here(),
            "the probit regression of this ordered variable on the covariates has a singular information matrix",
        )
    })?;
    let influence = scores * a11_inv;
    Ok(Probit { t, beta, influence })
}

/// One pair of ordered variables, case by case given the covariates.
struct Pair<'a> {
    t1: &'a [f64],
    t2: &'a [f64],
    eta1: &'a [f64],
    eta2: &'a [f64],
    y1: &'a [u32],
    y2: &'a [u32],
}

impl Pair<'_> {
    /// Gradient and Hessian of the log-likelihood in ρ.
    fn derivatives(&self, rho: f64) -> (f64, f64) {
        let r = 1.0 - rho * rho;
        let floor = f64::EPSILON.sqrt();
        let corner = |u: f64, v: f64| -> (f64, f64, f64) {
            if !u.is_finite() || !v.is_finite() {
                // Φ₂ at ±∞ reduces to Φ of the other (or 0/1); no density.
                let cdf = if u == f64::NEG_INFINITY || v == f64::NEG_INFINITY {
                    0.0
                } else if u == f64::INFINITY && v == f64::INFINITY {
                    1.0
                } else if u == f64::INFINITY {
                    normal_cdf(v)
                } else {
                    normal_cdf(u)
                };
                return (cdf, 0.0, 0.0);
            }
            let d = bivariate_normal_pdf(u, v, rho);
            let gg = (u * v * r - rho * (u * u - 2.0 * rho * u * v + v * v) + rho * r) / (r * r);
            (bivariate_normal_cdf(u, v, rho), d, d * gg)
        };
        let (mut grad, mut hess) = (0.0, 0.0);
        for i in 0..self.y1.len() {
            let (a, b) = (self.y1[i] as usize, self.y2[i] as usize);
            let (u1, u0) = (self.t1[a + 1] - self.eta1[i], self.t1[a] - self.eta1[i]);
            let (v1, v0) = (self.t2[b + 1] - self.eta2[i], self.t2[b] - self.eta2[i]);
            let c11 = corner(u1, v1);
            let c01 = corner(u0, v1);
            let c10 = corner(u1, v0);
            let c00 = corner(u0, v0);
            let p = (c11.0 - c01.0 - c10.0 + c00.0).max(floor);
            let d1 = c11.1 - c01.1 - c10.1 + c00.1;
            let d2 = c11.2 - c01.2 - c10.2 + c00.2;
            grad += d1 / p;
            hess += d2 / p - d1 * d1 / (p * p);
        }
        (grad, hess)
    }

    /// At ρ: each case's score for ρ (N), and the sums of that score times
    /// each case's bivariate score for each variable's (τ, β) (lavaan's
    /// A₂₁ rows).
    fn scores(&self, rho: f64, x: &[Vec<f64>]) -> (DVector<f64>, DVector<f64>, DVector<f64>) {
        let r = 1.0 - rho * rho;
        let sr = r.sqrt();
        let floor = f64::EPSILON.sqrt();
        let (m1, m2, q) = (self.t1.len() - 2, self.t2.len() - 2, x.len());
        let n = self.y1.len();
        let mut s = DVector::zeros(n);
        let mut a1 = DVector::zeros(m1 + q);
        let mut a2 = DVector::zeros(m2 + q);
        // Φ₂ and its derivative in the first argument (Φ₂ is symmetric, so
        // swapping the arguments gives the second).
        let cdf = |u: f64, v: f64| -> f64 {
            if u == f64::NEG_INFINITY || v == f64::NEG_INFINITY {
                0.0
            } else if u == f64::INFINITY {
                normal_cdf(v)
            } else if v == f64::INFINITY {
                normal_cdf(u)
            } else {
                bivariate_normal_cdf(u, v, rho)
            }
        };
        let dcdf = |u: f64, v: f64| -> f64 {
            if !u.is_finite() || v == f64::NEG_INFINITY {
                0.0
            } else if v == f64::INFINITY {
                normal_pdf(u)
            } else {
                normal_pdf(u) * normal_cdf((v - rho * u) / sr)
            }
        };
        let pdf = |u: f64, v: f64| -> f64 {
            if u.is_finite() && v.is_finite() {
                bivariate_normal_pdf(u, v, rho)
            } else {
                0.0
            }
        };
        for i in 0..n {
            let (a, b) = (self.y1[i] as usize, self.y2[i] as usize);
            let (u1, u0) = (self.t1[a + 1] - self.eta1[i], self.t1[a] - self.eta1[i]);
            let (v1, v0) = (self.t2[b + 1] - self.eta2[i], self.t2[b] - self.eta2[i]);
            let p = (cdf(u1, v1) - cdf(u0, v1) - cdf(u1, v0) + cdf(u0, v0)).max(floor);
            let d = pdf(u1, v1) - pdf(u0, v1) - pdf(u1, v0) + pdf(u0, v0);
            let sr_i = d / p;
            s[i] = sr_i;
            // ∂ log P/∂u1, ∂u0, ∂v1, ∂v0.
            let du1 = (dcdf(u1, v1) - dcdf(u1, v0)) / p;
            let du0 = -(dcdf(u0, v1) - dcdf(u0, v0)) / p;
            let dv1 = (dcdf(v1, u1) - dcdf(v1, u0)) / p;
            let dv0 = -(dcdf(v0, u1) - dcdf(v0, u0)) / p;
            if a < m1 {
                a1[a] += sr_i * du1;
            }
            if a > 0 {
                a1[a - 1] += sr_i * du0;
            }
            if b < m2 {
                a2[b] += sr_i * dv1;
            }
            if b > 0 {
                a2[b - 1] += sr_i * dv0;
            }
            for j in 0..q {
                a1[m1 + j] -= sr_i * x[j][i] * (du1 + du0);
                a2[m2 + j] -= sr_i * x[j][i] * (dv1 + dv0);
            }
        }
        (s, a1, a2)
    }

    /// The maximum-likelihood ρ in [−0.999, 0.999]: Newton's method from
    /// ρ = 0 safeguarded by bisection, as for the marginal polychorics.
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
