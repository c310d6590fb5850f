//! Sample statistics of a least-squares fit whose observed variables are
//! partly ordered and partly continuous (lavaan's `ordered = c("a", "b")`):
//! thresholds and minus-means, the continuous variances, and the
//! covariances with Pearson, polyserial and polychoric correlations inside
//! ([`crate::polyserial::MixedMoments`]). The model side is
//! [`super::wls`]'s delta parameterization, in which a continuous
//! indicator keeps its intercept and residual variance as parameters.

use super::partable::ParTable;
use super::robust::Estimator;
use super::samplestats::SampleMoments;
use super::wls::{Statistics, Weight};
use crate::error::{AnalysisError, Location, Result};
use crate::polyserial::MixedMoments;
use nalgebra::DVector;

/// The statistics of the model's observed variables, `ordered` naming the
/// ordered ones, and the observed categories per observed variable (empty
/// for a continuous one) for the threshold rows.
pub(super) fn statistics(
    table: &ParTable,
    sample: &SampleMoments,
    ordered: &[String],
    estimator: Estimator,
) -> Result<(Statistics, Vec<Vec<f64>>)> {
    let here = || Location::source(&sample.source);
    // (Observed covariates never reach here: [`super::wls_covariates`]
    // fits them, or refuses them beside continuous indicators.)
    let data = sample
        .data
        .as_ref()
        .ok_or_else(|| AnalysisError::computation("ordered data need raw data"))?;
    let idx = sample.indices_of(&table.observed)?;
    let columns: Vec<(String, Vec<f64>)> = table
        .observed
        .iter()
        .zip(&idx)
        .map(|(name, &c)| (name.clone(), data.column(c).iter().copied().collect()))
        .collect();
    let mask: Vec<bool> = table.observed.iter().map(|o| ordered.contains(o)).collect();
    let moments = MixedMoments::estimate(&sample.source, columns, &mask)?;
    let n = moments.n_cases as f64;
    let q = moments.statistics.len();
    let influence = &moments.influence * n.sqrt();
    let weight = match estimator {
        Estimator::ULS => DVector::from_element(q, 1.0),
        _ => {
            let mut w = DVector::zeros(q);
            for (c, col) in influence.column_iter().enumerate() {
                let d = col.norm_squared();
                if !(d > 0.0 && d.is_finite()) {
                    return Err(AnalysisError::unsuitable(
                        here(),
                        format!(
                            "the asymptotic variance of {} is {d}, so it has no DWLS weight",
                            moments.labels[c]
                        ),
                    ));
                }
                w[c] = 1.0 / d;
            }
            w
        }
    };
    let mut threshold_offset = Vec::with_capacity(mask.len());
    let mut at = 0;
    for (v, &o) in mask.iter().enumerate() {
        threshold_offset.push(at);
        at += if o { moments.thresholds[v].len() } else { 1 };
    }
    let n_variances = mask.iter().filter(|&&o| !o).count();
    let categories = moments.categories.clone();
    Ok((
        Statistics {
            s: DVector::from_vec(moments.statistics),
            weight: Weight::Diagonal(weight),
            influence: Some(influence),
            threshold_offset,
            n_first: at,
            n_variances,
            ordered_mask: mask,
            matrix: moments.covariances,
            mean: None,
            covariates: Vec::new(),
        },
        categories,
    ))
}
