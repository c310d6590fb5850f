//! Stage 4 — maximum-likelihood estimation: the discrepancy, its gradient,
//! starting values and the optimiser (lavaan's `lav_model_estimate`).
//!
//! Discrepancy function (Jöreskog 1967; lavaan's ML):
//! `F(θ) = log|Σ(θ)| + tr(S Σ(θ)⁻¹) − log|S| − p`, where S has divisor N
//! (normal likelihood, lavaan's default) or N − 1 (Wishart likelihood, as
//! AMOS). lavaan reports `fmin = F/2`; `χ² = N·F` (normal) or `(N−1)·F`
//! (Wishart).
//!
//! Analytic gradient. With `T = (I − A)⁻¹`, `C = T Φ Tᵀ` (covariance of all
//! variables) and `W = Σ⁻¹ (Σ − S) Σ⁻¹`, `dF = tr(W dΣ)`. Every matrix
//! element `x` has a derivative of rank two, `∂Σ/∂x = u vᵀ + v uᵀ`, with
//! `u = F T eᵢ`, `v = F C eⱼ` for `A[i, j]`, `u = F T eᵢ`, `v = F T eⱼ` for
//! `Φ[i, j]` (i ≠ j) and `v = u/2` for `Φ[i, i]`; so `∂F/∂x = 2 vᵀ W u`.
//! Parameters that share a label sum over their elements.
//!
//! Optimisation: argmin's L-BFGS with the More–Thuente line search on `F`
//! with this gradient, then Fisher-scoring steps
//! `θ ← θ − (E[∂²F])⁻¹ ∇F` (with step halving) to polish, which converges
//! quadratically near the optimum. Convergence is declared when the largest
//! absolute gradient of `fmin = F/2` is below 1e-6 (lavaan's nlminb stops
//! on relative change of fmin; at our tolerance estimates agree to ~1e-7).
//!
//! Starting values (documented choice, close to lavaan's "simple" start):
//! observed residual variances `s_ii / 2`; loadings of a first-order factor
//! from the centroid one-factor solution of its indicators
//! (`aᵢ = Σⱼ s_ij / √(Σⱼₖ s_jk)`), scaled to the marker (`λᵢ = aᵢ / a_marker`,
//! factor variance `a_marker²`) or, under std.lv, `λᵢ = aᵢ`; higher-order
//! loadings 1; other latent variances 0.05 (lavaan's default); regressions
//! and covariances 0; user `start()` values override.

use super::information::{expected_information, Elements};
use super::model::Implied;
use super::partable::{Matrix, ParTable};
use super::syntax::Operator;
use crate::error::{AnalysisError, Result};
use argmin::core::{CostFunction, Executor, Gradient, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use nalgebra::{Cholesky, DMatrix, DVector, Dyn};

/// θ and the implied state there (`None`: not positive definite).
type CachedState = (Vec<f64>, Option<std::sync::Arc<Implied>>);

/// The ML problem: a table, the sample covariance in use, its log-det.
pub struct Problem<'a> {
    /// The model.
    pub table: &'a ParTable,
    /// The matrix elements of its free parameters.
    pub elements: Elements,
    /// The sample covariance in use.
    pub s: DMatrix<f64>,
    /// log |S|.
    pub log_det_s: f64,
    /// The sample means, with a mean structure.
    pub mean: Option<DVector<f64>>,
    /// The last implied state: argmin asks for the cost and the gradient at
    /// the same point separately.
    cache: std::sync::Mutex<Option<CachedState>>,
}

impl<'a> Problem<'a> {
    /// The problem of fitting `table` to `s`; `None` when S is not
    /// positive definite.
    pub fn new(table: &'a ParTable, s: DMatrix<f64>) -> Option<Problem<'a>> {
        let chol = Cholesky::new(s.clone())?;
        let log_det_s = 2.0
            * chol
                .l_dirty()
                .diagonal()
                .iter()
                .map(|d| d.ln())
                .sum::<f64>();
        Some(Problem {
            table,
            elements: Elements::free_of(table),
            s,
            log_det_s,
            mean: None,
            cache: std::sync::Mutex::new(None),
        })
    }

    /// The problem with a mean structure fitted to the sample means `ybar`.
    pub fn with_mean(mut self, ybar: Option<DVector<f64>>) -> Problem<'a> {
        self.mean = ybar;
        self
    }

    /// The implied state at θ, reusing the last one when θ is unchanged.
    pub fn implied(&self, theta: &[f64]) -> Option<std::sync::Arc<Implied>> {
        if let Ok(cache) = self.cache.lock() {
            if let Some((t, imp)) = cache.as_ref() {
                if t.as_slice() == theta {
                    return imp.clone();
                }
            }
        }
        let imp = Implied::at(self.table, theta).map(std::sync::Arc::new);
        if let Ok(mut cache) = self.cache.lock() {
            *cache = Some((theta.to_vec(), imp.clone()));
        }
        imp
    }

    /// F at θ; `None` where Σ(θ) is not positive definite.
    pub fn objective(&self, theta: &[f64]) -> Option<f64> {
        self.implied(theta)
            .map(|i| i.discrepancy(&self.s, self.log_det_s, self.mean.as_ref()))
    }

    /// `∂F/∂θ` at an implied state.
    ///
    /// With a mean structure and `d = ȳ − μ`, the mean term adds `−d dᵀ` to
    /// `S` in `W` and `−2 dᵀ Σ⁻¹ ∂μ/∂x` to each element.
    pub fn gradient_at(&self, imp: &Implied) -> Vec<f64> {
        let p = self.table.p();
        let residual = match &self.mean {
            Some(y) => {
                let d = y - &imp.mean;
                Some((&imp.sigma_inv * &d, d))
            }
            None => None,
        };
        let mut e_s = &imp.sigma - &self.s;
        if let Some((_, d)) = &residual {
            e_s -= d * d.transpose();
        }
        let w = &imp.sigma_inv * e_s * &imp.sigma_inv;
        let (u, v) = self.elements.uv(imp, p);
        let wu = &w * &u;
        let mean_part = residual
            .as_ref()
            .map(|(pd, _)| self.elements.mean_jacobian(imp, p).tr_mul(pd) * -2.0);
        let mut g = vec![0.0; self.table.n_free];
        for (e, el) in self.elements.list.iter().enumerate() {
            let mut d = 2.0 * v.column(e).dot(&wu.column(e));
            if let Some(m) = &mean_part {
                d += m[e];
            }
            if let Some(k) = el.theta {
                g[k] += d;
            }
        }
        g
    }
}

/// What the optimiser minimises: a discrepancy of the free parameters θ
/// with its gradient and unit expected information — one group
/// ([`Problem`]) or several ([`super::groups`]), which sum their groups'
/// discrepancies weighted by their shares of the cases.
pub trait Objective: Sync {
    /// The number of free parameters (the length of θ).
    fn n_free(&self) -> usize;
    /// F at θ; `None` where an implied covariance matrix is not positive
    /// definite.
    fn objective(&self, theta: &[f64]) -> Option<f64>;
    /// `∂F/∂θ` at θ (`None` as for [`Objective::objective`]).
    fn gradient(&self, theta: &[f64]) -> Option<Vec<f64>>;
    /// The unit expected information at θ (`E[∂²F]/2`).
    fn information(&self, theta: &[f64]) -> Option<DMatrix<f64>>;
    /// The parameter tables, one per group (for messages and start values).
    fn tables(&self) -> Vec<&ParTable>;
}

impl Objective for Problem<'_> {
    fn n_free(&self) -> usize {
        self.table.n_free
    }
    fn objective(&self, theta: &[f64]) -> Option<f64> {
        Problem::objective(self, theta)
    }
    fn gradient(&self, theta: &[f64]) -> Option<Vec<f64>> {
        self.implied(theta).map(|imp| self.gradient_at(&imp))
    }
    fn information(&self, theta: &[f64]) -> Option<DMatrix<f64>> {
        self.implied(theta)
            .map(|imp| expected_information(self.table, &self.elements, &imp))
    }
    fn tables(&self) -> Vec<&ParTable> {
        vec![self.table]
    }
}

/// argmin's view of an [`Objective`] (it wants an owned problem).
struct Lbfgs<'o, O: ?Sized>(&'o O);

impl<O: Objective + ?Sized> CostFunction for Lbfgs<'_, O> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, theta: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.0.objective(theta).unwrap_or(1e10))
    }
}

impl<O: Objective + ?Sized> Gradient for Lbfgs<'_, O> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, theta: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        Ok(self
            .0
            .gradient(theta)
            .unwrap_or_else(|| vec![0.0; theta.len()]))
    }
}

/// Outcome of the optimisation.
#[derive(Debug, Clone)]
pub struct Optimum {
    /// The estimates θ̂ (the last iterate when not converged).
    pub theta: Vec<f64>,
    /// F at the optimum.
    pub f: f64,
    /// Whether the gradient fell below [`GRADIENT_TOLERANCE`].
    pub converged: bool,
    /// L-BFGS iterations used.
    pub lbfgs_iterations: u64,
    /// Fisher-scoring iterations used.
    pub scoring_iterations: usize,
    /// Largest absolute gradient of fmin = F/2 at the end.
    pub max_gradient: f64,
}

/// Largest |∂fmin/∂θ| accepted as converged.
pub const GRADIENT_TOLERANCE: f64 = 1e-6;

/// Starting values (see the module documentation); intercepts start at the
/// sample means `ybar` (lavaan's start), latent means at 0.
pub fn starting_values(
    table: &ParTable,
    s: &DMatrix<f64>,
    ybar: Option<&DVector<f64>>,
) -> Vec<f64> {
    let p = table.p();
    let mut theta = vec![0.0; table.n_free];
    let mut assigned = vec![false; table.n_free];
    // Centroid loadings of first-order factors.
    let mut loading_start = std::collections::HashMap::new();
    let mut variance_start = std::collections::HashMap::new();
    for lv in &table.latent {
        let inds: Vec<usize> = table
            .params
            .iter()
            .filter(|q| q.op == Operator::MeasuredBy && &q.lhs == lv && q.row < p)
            .map(|q| q.row)
            .collect();
        if inds.len() < 2 {
            continue;
        }
        let total: f64 = inds
            .iter()
            .flat_map(|&i| inds.iter().map(move |&j| (i, j)))
            .map(|(i, j)| s[(i, j)])
            .sum();
        if total <= 0.0 {
            continue;
        }
        let a: Vec<f64> = inds
            .iter()
            .map(|&i| inds.iter().map(|&j| s[(i, j)]).sum::<f64>() / total.sqrt())
            .collect();
        // The scale: the first fixed non-zero loading, else unit variance.
        let marker = table.params.iter().find(|q| {
            q.op == Operator::MeasuredBy && &q.lhs == lv && q.free.is_none() && q.value != 0.0
        });
        let marker = marker.and_then(|mk| Some((mk, inds.iter().position(|&i| i == mk.row)?)));
        let (scale, var) = match marker {
            Some((mk, k)) => {
                let am = a[k] / mk.value;
                if am.abs() > 1e-8 {
                    (am, am * am)
                } else {
                    (1.0, 0.05)
                }
            }
            _ => (1.0, 1.0),
        };
        for (k, &i) in inds.iter().enumerate() {
            loading_start.insert((lv.clone(), i), a[k] / scale);
        }
        variance_start.insert(lv.clone(), var);
    }
    for q in &table.params {
        let Some(k) = q.free else { continue };
        if assigned[k] {
            continue;
        }
        assigned[k] = true;
        theta[k] = if let Some(v) = q.start {
            v
        } else {
            match (q.op, q.matrix) {
                (Operator::MeasuredBy, _) => {
                    if q.row < p {
                        *loading_start.get(&(q.lhs.clone(), q.row)).unwrap_or(&1.0)
                    } else {
                        1.0
                    }
                }
                (Operator::Intercept, _) => match ybar {
                    Some(y) if q.row < p => y[q.row],
                    _ => 0.0,
                },
                (Operator::Covariance, Matrix::Phi) if q.row == q.col => {
                    if q.row < p {
                        0.5 * s[(q.row, q.row)]
                    } else {
                        *variance_start.get(&q.lhs).unwrap_or(&0.05)
                    }
                }
                _ => 0.0,
            }
        };
    }
    theta
}

/// Solves `M x = b` for a symmetric positive definite `M`.
fn spd_solve(m: &DMatrix<f64>, b: &[f64]) -> Option<Vec<f64>> {
    let chol = Cholesky::<f64, Dyn>::new(m.clone())?;
    let x = chol.solve(&DVector::from_column_slice(b));
    x.iter()
        .all(|v| v.is_finite())
        .then(|| x.iter().copied().collect())
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

/// The statements whose values the user set (fixed values and start()
/// modifiers), which are what makes starting values inadmissible: named so
/// that the message points at a line of the model.
fn user_values(tables: &[&ParTable]) -> String {
    let set: Vec<String> = tables
        .iter()
        .flat_map(|t| t.params.iter())
        .filter(|q| q.user && !q.exo && (q.free.is_none() || q.start.is_some()))
        .map(|q| {
            let how = if q.free.is_none() {
                "fixed at"
            } else {
                "start"
            };
            format!(
                "{} {} {} ({how} {})",
                q.lhs,
                q.op.as_str(),
                q.rhs,
                crate::error::fmt_number(q.start.unwrap_or(q.value))
            )
        })
        .collect();
    if set.is_empty() {
        "the model (no fixed values or start() modifiers were given)".to_owned()
    } else {
        let shown = set.len().min(6);
        let more = if set.len() > shown {
            format!(" and {} more", set.len() - shown)
        } else {
            String::new()
        };
        format!(
            "the fixed values and start() modifiers: {}{more}",
            set[..shown].join(", ")
        )
    }
}

/// Iteration limits of the optimiser (lavaan's `control = list(iter.max)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// L-BFGS iterations per run.
    pub lbfgs_iterations: u64,
    /// Fisher-scoring steps per run.
    pub scoring_iterations: usize,
    /// Runs of L-BFGS followed by Fisher scoring.
    pub rounds: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            lbfgs_iterations: 2000,
            scoring_iterations: 100,
            rounds: OPTIMISATION_ROUNDS,
        }
    }
}

/// Minimises F from `start` within the default [`Limits`].
pub fn optimise(problem: &(impl Objective + ?Sized), start: Vec<f64>) -> Result<Optimum> {
    optimise_within(problem, start, Limits::default())
}

/// Minimises F from `start` within `limits`.
pub fn optimise_within(
    problem: &(impl Objective + ?Sized),
    start: Vec<f64>,
    limits: Limits,
) -> Result<Optimum> {
    if problem.n_free() == 0 {
        let f = problem.objective(&start).ok_or_else(|| {
            AnalysisError::computation(format!(
                "the fixed model implies a covariance matrix that is not positive definite; check {}",
                user_values(&problem.tables())
            ))
        })?;
        return Ok(Optimum {
            theta: start,
            f,
            converged: true,
            lbfgs_iterations: 0,
            scoring_iterations: 0,
            max_gradient: 0.0,
        });
    }
    let start = if problem.objective(&start).is_some() {
        start
    } else {
        // A label shared by a covariance and a loading or regression gets the
        // first one's start, which can make Φ indefinite: start such shared
        // parameters at 0, lavaan's start for covariances.
        let mut zeroed = start.clone();
        for q in problem.tables().iter().flat_map(|t| t.params.iter()) {
            if let Some(k) = q.free {
                if q.matrix == Matrix::Phi && q.row != q.col && q.start.is_none() {
                    zeroed[k] = 0.0;
                }
            }
        }
        if problem.objective(&zeroed).is_none() {
            return Err(AnalysisError::computation(format!(
                "the starting values imply a covariance matrix that is not positive definite; check {}",
                user_values(&problem.tables())
            )));
        }
        zeroed
    };
    // If scoring alone does not converge: L-BFGS, then Fisher scoring to
    // polish. L-BFGS can stop early (its
    // line search rejects a direction that is not a descent direction once
    // its curvature memory is stale) and, on a badly fitting model, scoring
    // converges only linearly (the expected information is far from the
    // Hessian), so the pair is repeated from where it stopped: each L-BFGS
    // run starts with a fresh memory.
    let mut theta = start;
    let mut lbfgs_iterations = 0;
    let mut scoring_iterations = 0;
    let mut f = f64::INFINITY;
    let mut max_gradient = f64::INFINITY;
    // Fisher scoring first: from lavaan-style starts it converges in about
    // ten steps on questionnaire CFAs (78 indicators: 11 steps, against 108
    // L-BFGS iterations for the same optimum), and each step costs a few
    // objective evaluations. When it stalls (a badly fitting model, where
    // the expected information is far from the Hessian) the L-BFGS +
    // scoring rounds below go on from where it stopped.
    let scored = fisher_scoring(
        problem,
        theta.clone(),
        limits.scoring_iterations.min(FIRST_SCORING_STEPS),
    );
    scoring_iterations += scored.iterations;
    if scored.f.is_finite() {
        if scored.max_gradient < GRADIENT_TOLERANCE {
            return Ok(Optimum {
                theta: scored.theta,
                f: scored.f,
                converged: true,
                lbfgs_iterations,
                scoring_iterations,
                max_gradient: scored.max_gradient,
            });
        }
        theta = scored.theta;
    }
    for _ in 0..limits.rounds {
        let (next, iterations) = run_lbfgs(problem, theta, limits.lbfgs_iterations);
        theta = next;
        lbfgs_iterations += iterations;
        let scored = fisher_scoring(problem, theta, limits.scoring_iterations);
        theta = scored.theta;
        f = scored.f;
        scoring_iterations += scored.iterations;
        max_gradient = scored.max_gradient;
        if max_gradient < GRADIENT_TOLERANCE || !f.is_finite() {
            break;
        }
    }
    let converged = f.is_finite() && max_gradient < GRADIENT_TOLERANCE;
    Ok(Optimum {
        theta,
        f,
        converged,
        lbfgs_iterations,
        scoring_iterations,
        max_gradient,
    })
}

/// Fisher-scoring steps tried before L-BFGS: enough for a well-fitting
/// model to converge, few enough that a stalling one wastes little.
const FIRST_SCORING_STEPS: usize = 30;

/// How many times L-BFGS followed by Fisher scoring is run at most.
const OPTIMISATION_ROUNDS: usize = 5;

/// L-BFGS (More–Thuente line search) from `start`; returns the best point
/// with a positive-definite Σ (or `start`) and the iterations used.
fn run_lbfgs(
    problem: &(impl Objective + ?Sized),
    start: Vec<f64>,
    max_iterations: u64,
) -> (Vec<f64>, u64) {
    let linesearch = MoreThuenteLineSearch::new();
    let Ok(solver) = LBFGS::new(linesearch, 10)
        .with_tolerance_grad(1e-7)
        .and_then(|s| s.with_tolerance_cost(1e-15))
    else {
        return (start, 0);
    };
    let run = Executor::new(Lbfgs(problem), solver)
        .configure(|state| state.param(start.clone()).max_iters(max_iterations))
        .run();
    match run {
        Ok(res) => {
            let iterations = res.state.get_iter();
            match res.state.get_best_param() {
                Some(best) if problem.objective(best).is_some() => (best.clone(), iterations),
                _ => (start, iterations),
            }
        }
        Err(_) => (start, 0),
    }
}

struct Scored {
    theta: Vec<f64>,
    f: f64,
    iterations: usize,
    max_gradient: f64,
}

/// Fisher-scoring steps `θ ← θ − α (E[∂²F])⁻¹ ∇F` with step halving, at most
/// `max_steps` (100 by default), from `theta`; stops at a gradient below
/// 1e-10 or when no step lowers F.
fn fisher_scoring(
    problem: &(impl Objective + ?Sized),
    mut theta: Vec<f64>,
    max_steps: usize,
) -> Scored {
    let mut f = problem.objective(&theta).unwrap_or(f64::INFINITY);
    let mut iterations = 0;
    for _ in 0..max_steps {
        let (Some(g), Some(info)) = (problem.gradient(&theta), problem.information(&theta)) else {
            break;
        };
        if 0.5 * max_abs(&g) < 1e-10 {
            break;
        }
        // E[∂²F] = 2 · (unit information).
        let Some(step) = spd_solve(&(info * 2.0), &g) else {
            break;
        };
        let mut alpha = 1.0;
        let mut improved = false;
        for _ in 0..30 {
            let trial: Vec<f64> = theta
                .iter()
                .zip(&step)
                .map(|(t, d)| t - alpha * d)
                .collect();
            if let Some(ft) = problem.objective(&trial) {
                if ft <= f + 1e-13 * f.abs().max(1.0) {
                    theta = trial;
                    f = ft;
                    improved = true;
                    break;
                }
            }
            alpha *= 0.5;
        }
        iterations += 1;
        if !improved || max_abs(&step) * alpha < 1e-13 {
            break;
        }
    }
    let max_gradient = problem
        .gradient(&theta)
        .map_or(f64::INFINITY, |g| 0.5 * max_abs(&g));
    Scored {
        theta,
        f,
        iterations,
        max_gradient,
    }
}
