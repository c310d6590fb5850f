//! The population model behind the synthetic questionnaire, its closed-form
//! moments, and the draw of Likert answers from it.
//!
//! Latent part: ten standardized dimensions ξ ~ N(0, Φ), Φ with one common
//! correlation ρ off the diagonal; the outcome ("contracting criteria")
//! η = γ'ξ + ζ with Var(ζ) = 1 − γ'Φγ, so Var(η) = 1.
//!
//! Measurement part: item i of factor f has the continuous response
//! yᵢ = mᵢ + λ·F_f + √(1 − λ²)·εᵢ, εᵢ ~ N(0, 1) independent, and the Likert
//! answer xᵢ = 1 + #{k : yᵢ > τₖ} for the cut points τ₁ < … < τ₄. The
//! shift mᵢ is the dimension's mean (zero for outcome items).
//!
//! Closed forms used to check the generator (and usable by anyone who wants
//! the population values):
//! - continuous responses: Corr(yᵢ, yⱼ) = λᵢλⱼ·Σ_{f(i) f(j)} (i ≠ j), where Σ
//!   is the latent covariance of (ξ, η): Φ, Φγ and 1;
//! - Likert answers: writing xᵢ = 1 + Σₖ 1{yᵢ > τₖ},
//!   Cov(xᵢ, xⱼ) = Σₖ Σₗ [Φ₂(aₖ, bₗ; r) − Φ(aₖ)Φ(bₗ)] with aₖ = τₖ − mᵢ,
//!   bₗ = τₗ − mⱼ and r = Corr(yᵢ, yⱼ), and by Plackett's identity
//!   Φ₂(a, b; r) − Φ(a)Φ(b) = ∫₀ʳ φ₂(a, b; t) dt (Plackett 1954,
//!   Biometrika 41:351), integrated over θ = asin t by Simpson's rule — no
//!   crate offers the bivariate normal, and the integrand is smooth for
//!   |r| ≤ 0.95²;
//!   Var(xᵢ) = Σₖ Σₗ [P(yᵢ > max(τₖ, τₗ)) − P(yᵢ > τₖ)P(yᵢ > τₗ)].

use analysis::error::{AnalysisError, Location, Result};
use nalgebra::{DMatrix, DVector};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::Serialize;
use statrs::function::erf::erfc;

/// Which level of the codebook becomes a questionnaire item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicators {
    /// One item per sub-theme (78 items, 2–12 per dimension): the default.
    SubThemes,
    /// One item per theme (26 items, 1–4 per dimension); Performance
    /// management and Marketing then have a single indicator each, which
    /// cannot identify a factor.
    Themes,
}

/// How Table 4's β become the structural paths of the population model.
///
/// Ten standardized β of .32–.51 cannot all be partial coefficients of one
/// model with positively correlated predictors: the implied
/// R² = β'Φβ = (1 − ρ)Σβ² + ρ(Σβ)² is 1.73 already at ρ = 0 and 6.25 at
/// ρ = 0.3 (Σβ = 4.10, Σβ² = 1.73). It is below one only for ρ < −0.048
/// (and ρ > −1/9 for Φ to be a correlation matrix), i.e. dimensions that all
/// correlate negatively — implausible for a questionnaire whose ten
/// dimensions the respondents were asked to endorse. Hence the choice.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PathTreatment {
    /// γ = s·β with s chosen so that γ'Φγ = `r_squared`: the paths keep the
    /// published ratios and ranking but not their size. The default
    /// (R² = 0.6).
    Rescaled { r_squared: f64 },
    /// γ = β exactly; an error when β'Φβ ≥ 1 (always, for ρ ≥ 0).
    AsPublished,
    /// β read as each dimension's standardized effect in a model of its own
    /// (one hypothesis, one predictor), i.e. Corr(ξⱼ, η) = βⱼ; the joint
    /// paths are then γ = Φ⁻¹β and R² = β'Φ⁻¹β (0.51 at ρ = 0.3; 1.72 at ρ = 0, an error). Some joint
    /// paths come out near zero or negative: that is what the reading implies.
    AsCorrelations,
}

/// One questionnaire item and where it comes from in the codebook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSpec {
    /// Column name: `D{d}_I{k}` for dimension d, `CC_I{k}` for the outcome.
    pub code: String,
    /// Index of the latent factor: 0..9 for the dimensions, 10 for the outcome.
    pub factor: usize,
    /// The dimension (or outcome) name.
    pub factor_name: String,
    /// Table 2 theme; empty for outcome items (the paper does not publish them).
    pub theme: String,
    /// Table 2 sub-theme when items are sub-themes.
    pub subtheme: Option<String>,
    /// Standardized loading λ.
    pub loading: f64,
    /// Mean shift mᵢ of the continuous response.
    pub mean_shift: f64,
}

/// Everything needed to redraw or check the synthetic questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PopulationModel {
    /// The ten dimensions, in Table 2 order.
    pub dimensions: Vec<String>,
    /// Table 4's outcome ("Contracting criteria").
    pub outcome: String,
    pub indicators: Indicators,
    /// Dimension items first (by dimension), then the outcome items.
    pub items: Vec<ItemSpec>,
    /// The common correlation ρ of the dimensions.
    pub factor_correlation: f64,
    /// Φ (10 × 10).
    pub factor_correlations: Vec<Vec<f64>>,
    /// Table 4's β, by dimension.
    pub published_beta: Vec<f64>,
    /// The R² the published β would imply as joint paths: β'Φβ.
    pub published_beta_r_squared: f64,
    pub path_treatment: PathTreatment,
    /// The structural paths γ used.
    pub structural_paths: Vec<f64>,
    /// γ / β when rescaled, 1 otherwise.
    pub path_scale: f64,
    /// Corr(ξⱼ, η) = (Φγ)ⱼ: the latent correlation of each dimension with the outcome.
    pub outcome_correlations: Vec<f64>,
    /// γ'Φγ.
    pub r_squared: f64,
    /// Var(ζ) = 1 − R².
    pub residual_variance: f64,
    /// Mean shift of each dimension's items (from Table 5's ranks).
    pub dimension_means: Vec<f64>,
    /// Cut points τ₁ < … < τ₄ of the 5-point scale.
    pub thresholds: [f64; 4],
}

/// Standard normal CDF.
pub(crate) fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Φ₂(a, b; r) − Φ(a)Φ(b) = ∫₀ʳ φ₂(a, b; t) dt (Plackett's identity). With
/// t = sin θ the integrand loses its 1/√(1 − t²) factor and becomes
/// exp(−(a² − 2ab·sin θ + b²) / (2cos²θ)) / (2π) on [0, asin r], smooth for
/// |r| < 1; composite Simpson's rule with 256 panels (error far below 1e-12
/// for |r| ≤ 0.95).
pub fn bivariate_normal_excess(a: f64, b: f64, r: f64) -> f64 {
    if r == 0.0 {
        return 0.0;
    }
    const PANELS: usize = 256;
    let f = |theta: f64| {
        let (s, c) = theta.sin_cos();
        (-(a * a - 2.0 * a * b * s + b * b) / (2.0 * c * c)).exp()
    };
    let end = r.clamp(-1.0, 1.0).asin();
    let h = end / PANELS as f64;
    let mut sum = f(0.0) + f(end);
    for k in 1..PANELS {
        let w = if k % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(k as f64 * h);
    }
    sum * h / 3.0 / (2.0 * std::f64::consts::PI)
}

/// Mean and variance of x = 1 + #{k : y > τₖ} for y ~ N(m, 1).
pub fn likert_item_moments(thresholds: &[f64; 4], m: f64) -> (f64, f64) {
    let p = thresholds.map(|t| 1.0 - norm_cdf(t - m));
    let mean = 1.0 + p.iter().sum::<f64>();
    let mut var = 0.0;
    for k in 0..4 {
        for l in 0..4 {
            // Thresholds increase, so the later cut point is the larger one.
            var += p[k.max(l)] - p[k] * p[l];
        }
    }
    (mean, var)
}

/// Covariance of the Likert answers of y₁ ~ N(m₁, 1) and y₂ ~ N(m₂, 1) with
/// Corr(y₁, y₂) = r, cut at the same thresholds.
pub fn likert_covariance(thresholds: &[f64; 4], m1: f64, m2: f64, r: f64) -> f64 {
    let mut cov = 0.0;
    for tk in thresholds {
        for tl in thresholds {
            cov += bivariate_normal_excess(tk - m1, tl - m2, r);
        }
    }
    cov
}

impl PopulationModel {
    /// Number of latent factors: the dimensions and the outcome.
    pub fn n_factors(&self) -> usize {
        self.dimensions.len() + 1
    }

    /// Covariance (= correlation) matrix of (ξ₁ … ξ₁₀, η).
    pub fn latent_correlations(&self) -> Vec<Vec<f64>> {
        let k = self.n_factors();
        (0..k)
            .map(|f| (0..k).map(|g| self.latent_correlation(f, g)).collect())
            .collect()
    }

    /// One entry of [`Self::latent_correlations`]; factor index p is the outcome.
    pub fn latent_correlation(&self, f: usize, g: usize) -> f64 {
        let p = self.dimensions.len();
        match (f == p, g == p) {
            (true, true) => 1.0,
            (true, false) => self.outcome_correlations[g],
            (false, true) => self.outcome_correlations[f],
            (false, false) => self.factor_correlations[f][g],
        }
    }

    /// Population correlation of the continuous responses of items i and j.
    pub fn continuous_correlation(&self, i: usize, j: usize) -> f64 {
        if i == j {
            return 1.0;
        }
        let (a, b) = (&self.items[i], &self.items[j]);
        a.loading * b.loading * self.latent_correlation(a.factor, b.factor)
    }

    /// Population mean and variance of item i's Likert answer.
    pub fn likert_moments(&self, i: usize) -> (f64, f64) {
        likert_item_moments(&self.thresholds, self.items[i].mean_shift)
    }

    /// Population Pearson correlation of the Likert answers of items i and j.
    pub fn likert_correlation(&self, i: usize, j: usize) -> f64 {
        if i == j {
            return 1.0;
        }
        let (mi, mj) = (self.items[i].mean_shift, self.items[j].mean_shift);
        let cov = likert_covariance(&self.thresholds, mi, mj, self.continuous_correlation(i, j));
        let (_, vi) = self.likert_moments(i);
        let (_, vj) = self.likert_moments(j);
        cov / (vi * vj).sqrt()
    }

    /// The full implied correlation matrix of the Likert items.
    pub fn likert_correlation_matrix(&self) -> Vec<Vec<f64>> {
        let m = self.items.len();
        (0..m)
            .map(|i| (0..m).map(|j| self.likert_correlation(i, j)).collect())
            .collect()
    }

    /// Draws one respondent's Likert answers (item order of `items`).
    ///
    /// Order of draws, fixed so that a seed gives the same data on every
    /// platform: ten standard normals for ξ (through the Cholesky factor of
    /// Φ), one for ζ, then one per item.
    pub(crate) fn draw_respondent<R: Rng>(&self, chol: &DMatrix<f64>, rng: &mut R) -> Vec<u8> {
        let p = self.dimensions.len();
        let z = DVector::from_iterator(p, (0..p).map(|_| rng.sample::<f64, _>(StandardNormal)));
        let xi = chol * z;
        let zeta: f64 = rng.sample::<f64, _>(StandardNormal) * self.residual_variance.sqrt();
        let eta: f64 = self
            .structural_paths
            .iter()
            .zip(xi.iter())
            .map(|(g, x)| g * x)
            .sum::<f64>()
            + zeta;
        self.items
            .iter()
            .map(|item| {
                let factor = if item.factor < p {
                    xi[item.factor]
                } else {
                    eta
                };
                let e: f64 = rng.sample(StandardNormal);
                let y = item.mean_shift
                    + item.loading * factor
                    + (1.0 - item.loading * item.loading).sqrt() * e;
                1 + self.thresholds.iter().filter(|&&t| y > t).count() as u8
            })
            .collect()
    }

    /// Lower Cholesky factor of Φ.
    pub(crate) fn cholesky(&self) -> Result<DMatrix<f64>> {
        let p = self.dimensions.len();
        let phi = DMatrix::from_fn(p, p, |i, j| self.factor_correlations[i][j]);
        phi.cholesky().map(|c| c.l()).ok_or_else(|| {
            AnalysisError::unsuitable(
                Location::source("synthetic population model"),
                "the factor correlation matrix is not positive definite",
            )
        })
    }
}

/// Inputs to [`build_model`], already matched by dimension.
pub(crate) struct ModelInputs {
    pub dimensions: Vec<String>,
    pub outcome: String,
    /// (dimension index, theme, sub-theme) per dimension item.
    pub item_sources: Vec<(usize, String, Option<String>)>,
    pub beta: Vec<f64>,
    pub dimension_means: Vec<f64>,
    pub indicators: Indicators,
    pub loading: f64,
    pub factor_correlation: f64,
    pub outcome_items: usize,
    pub path_treatment: PathTreatment,
    pub thresholds: [f64; 4],
}

pub(crate) fn build_model(inp: ModelInputs) -> Result<PopulationModel> {
    let p = inp.dimensions.len();
    let rho = inp.factor_correlation;
    let phi = DMatrix::from_fn(p, p, |i, j| if i == j { 1.0 } else { rho });
    let beta = DVector::from_vec(inp.beta.clone());
    let published_r2 = (beta.transpose() * &phi * &beta)[(0, 0)];
    let chol = phi.clone().cholesky().ok_or_else(|| {
        AnalysisError::invalid_argument(
            "factor_correlation",
            rho,
            &format!(
                "a correlation above {:.4} so that Φ is positive definite",
                -1.0 / (p as f64 - 1.0)
            ),
        )
    })?;
    let (gamma, scale) = match inp.path_treatment {
        PathTreatment::Rescaled { r_squared } => {
            analysis::error::check_range("r_squared", r_squared, 0.0, 1.0, true)?;
            let s = (r_squared / published_r2).sqrt();
            (&beta * s, s)
        }
        PathTreatment::AsPublished => {
            if published_r2 >= 1.0 {
                return Err(AnalysisError::unsuitable(
                    Location::source("Table 4"),
                    format!(
                        "the published β taken as joint standardized paths imply R² = β'Φβ = {published_r2:.3} with factor correlation {rho}; \
                         a variance explained above 1 is impossible, so use the rescaled or the as-correlations treatment"
                    ),
                ));
            }
            (beta.clone(), 1.0)
        }
        PathTreatment::AsCorrelations => (chol.solve(&beta), 1.0),
    };
    let phi_gamma = &phi * &gamma;
    let r2 = gamma.dot(&phi_gamma);
    if r2 >= 1.0 || !r2.is_finite() {
        return Err(AnalysisError::unsuitable(
            Location::source("Table 4"),
            format!("the structural paths imply R² = {r2:.3}, not below 1, with factor correlation {rho}"),
        ));
    }
    let mut items: Vec<ItemSpec> = Vec::new();
    let mut per_dim = vec![0usize; p];
    for (d, theme, sub) in inp.item_sources {
        per_dim[d] += 1;
        items.push(ItemSpec {
            code: format!("D{}_I{}", d + 1, per_dim[d]),
            factor: d,
            factor_name: inp.dimensions[d].clone(),
            theme,
            subtheme: sub,
            loading: inp.loading,
            mean_shift: inp.dimension_means[d],
        });
    }
    for k in 1..=inp.outcome_items {
        items.push(ItemSpec {
            code: format!("CC_I{k}"),
            factor: p,
            factor_name: inp.outcome.clone(),
            theme: String::new(),
            subtheme: None,
            loading: inp.loading,
            mean_shift: 0.0,
        });
    }
    Ok(PopulationModel {
        dimensions: inp.dimensions,
        outcome: inp.outcome,
        indicators: inp.indicators,
        items,
        factor_correlation: rho,
        factor_correlations: (0..p)
            .map(|i| (0..p).map(|j| phi[(i, j)]).collect())
            .collect(),
        published_beta: inp.beta,
        published_beta_r_squared: published_r2,
        path_treatment: inp.path_treatment,
        structural_paths: gamma.iter().copied().collect(),
        path_scale: scale,
        outcome_correlations: phi_gamma.iter().copied().collect(),
        r_squared: r2,
        residual_variance: 1.0 - r2,
        dimension_means: inp.dimension_means,
        thresholds: inp.thresholds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plackett_integral_matches_known_orthant_probability() {
        // P(X > 0, Y > 0) = 1/4 + asin(r)/(2π) (Sheppard), so the excess at
        // a = b = 0 is asin(r)/(2π).
        for r in [-0.6, 0.2, 0.49, 0.81] {
            let want = f64::asin(r) / (2.0 * std::f64::consts::PI);
            assert!(
                (bivariate_normal_excess(0.0, 0.0, r) - want).abs() < 1e-12,
                "r = {r}"
            );
        }
        assert_eq!(bivariate_normal_excess(1.0, -0.5, 0.0), 0.0);
    }

    #[test]
    fn normal_cdf_reference_points() {
        // statrs' erfc is accurate to about 1e-12 here (SciPy gives 0.975 to
        // the last bit), ample for moments checked at 1e-9.
        let got = norm_cdf(1.959963984540054);
        assert!((got - 0.975).abs() < 2e-12, "{got}");
        assert!((norm_cdf(0.0) - 0.5).abs() < 1e-15);
    }
}
