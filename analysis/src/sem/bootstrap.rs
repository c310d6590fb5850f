//! Nonparametric bootstrap of the estimates (lavaan's `se = "bootstrap"`,
//! percentile intervals as `boot.ci.type = "perc"`).
//!
//! Each replicate resamples the complete records with replacement and
//! refits from the original estimates. Replicate `b` draws from its own
//! ChaCha8 stream (`seed`, stream `b`), so results do not depend on the
//! number of threads (rayon). Replicates that fail (non-positive-definite
//! resampled covariance, non-convergence) are dropped and counted, as lavaan
//! does. SE = standard deviation of the replicates (divisor B − 1); the
//! percentile interval uses R's default quantile (type 7).

use super::estimate::{optimise, Problem};
use super::samplestats::{covariance_of, scaled_for, SampleMoments};
use super::{Options, SemFit, SemWarning};
use crate::error::{AnalysisError, Location, Result};
use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Called with (replicates done, total) as the bootstrap progresses.
pub type Progress = dyn Fn(usize, usize) + Sync + Send;

/// How to bootstrap.
#[derive(Clone)]
pub struct BootstrapOptions {
    /// Number of replicates B.
    pub replicates: usize,
    /// Seed of the ChaCha8 streams.
    pub seed: u64,
    /// Level of the percentile intervals (0.95).
    pub level: f64,
    /// Called as replicates finish.
    pub progress: Option<std::sync::Arc<Progress>>,
}

impl std::fmt::Debug for BootstrapOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BootstrapOptions")
            .field("replicates", &self.replicates)
            .field("seed", &self.seed)
            .field("level", &self.level)
            .finish()
    }
}

/// What a bootstrap did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapSummary {
    /// Replicates drawn.
    pub replicates: usize,
    /// Replicates that converged.
    pub successful: usize,
    /// Replicates dropped.
    pub failed: usize,
    /// The seed.
    pub seed: u64,
    /// Level of the intervals.
    pub level: f64,
}

/// The bootstrap result of one parameter (columns of the parameter table).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BootstrapEstimate {
    /// Standard deviation of the replicates (0 for a fixed parameter).
    pub se: f64,
    /// Lower percentile bound.
    pub ci_lower: f64,
    /// Upper percentile bound.
    pub ci_upper: f64,
}

/// R's quantile type 7 of sorted values.
fn quantile7(sorted: &[f64], prob: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * prob;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Bootstraps a fit: writes each parameter's [`BootstrapEstimate`] into
/// its table and the summary (and a warning about dropped replicates) into
/// the fit. Needs raw data.
pub fn run(
    result: &mut SemFit,
    sample: &SampleMoments,
    options: &Options,
    b: &BootstrapOptions,
) -> Result<()> {
    let data = sample.data.as_ref().ok_or_else(|| {
        AnalysisError::unsuitable(
            Location::source(&sample.source),
            "the bootstrap needs raw data (--data), not a covariance matrix",
        )
    })?;
    if b.replicates < 2 {
        return Err(AnalysisError::invalid_argument(
            "bootstrap",
            b.replicates,
            "at least 2 replicates",
        ));
    }
    crate::error::check_range("bootstrap level", b.level, 0.0, 1.0, true)?;
    let table = &result.table;
    let cols = sample.indices_of(&table.observed)?;
    let data = DMatrix::from_fn(data.nrows(), cols.len(), |r, c| data[(r, cols[c])]);
    let n = data.nrows();
    let theta_hat = table.theta();
    let done = AtomicUsize::new(0);
    let replicates: Vec<Option<Vec<f64>>> = (0..b.replicates)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(b.seed);
            rng.set_stream(r as u64);
            let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            let resampled = DMatrix::from_fn(n, data.ncols(), |i, j| data[(rows[i], j)]);
            let (s, _) = scaled_for(&covariance_of(&resampled), n, options.likelihood);
            let ybar = table
                .meanstructure
                .then(|| resampled.row_mean().transpose());
            let mut t = table.clone();
            t.set_fixed_x(&s, ybar.as_ref().map(|m| m.as_slice()));
            let out = Problem::new(&t, s)
                .map(|prob| prob.with_mean(ybar))
                .and_then(|prob| optimise(&prob, theta_hat.clone()).ok())
                .filter(|o| o.converged)
                .map(|o| o.theta);
            let k = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = &b.progress {
                p(k, b.replicates);
            }
            out
        })
        .collect();
    let ok: Vec<&Vec<f64>> = replicates.iter().flatten().collect();
    if ok.len() < 2 {
        return Err(AnalysisError::computation(format!(
            "only {} of {} bootstrap replicates converged",
            ok.len(),
            b.replicates
        )));
    }
    let alpha = (1.0 - b.level) / 2.0;
    for p in result.table.params.iter_mut() {
        p.boot = Some(match p.free {
            None => BootstrapEstimate {
                se: 0.0,
                ci_lower: p.value,
                ci_upper: p.value,
            },
            Some(k) => {
                let mut v: Vec<f64> = ok.iter().map(|t| t[k]).collect();
                let mean = v.iter().sum::<f64>() / v.len() as f64;
                let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
                v.sort_by(f64::total_cmp);
                BootstrapEstimate {
                    se: var.sqrt(),
                    ci_lower: quantile7(&v, alpha),
                    ci_upper: quantile7(&v, 1.0 - alpha),
                }
            }
        });
    }
    result.bootstrap = Some(BootstrapSummary {
        replicates: b.replicates,
        successful: ok.len(),
        failed: b.replicates - ok.len(),
        seed: b.seed,
        level: b.level,
    });
    if ok.len() < b.replicates {
        result.warnings.push(SemWarning::BootstrapFailures {
            failed: b.replicates - ok.len(),
            replicates: b.replicates,
        });
    }
    Ok(())
}
