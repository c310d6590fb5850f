"""The reference side of the `friedman` and `correlate` benchmark
(benches/stats_vs_scipy.rs, run by scripts/bench-stats): one command per
process, timed from outside as a whole, like `paraclinic`.

  python stats_bench.py friedman FILE.csv
      pandas.read_csv; scipy.stats.friedmanchisquare; scikit-posthocs
      posthoc_nemenyi_friedman and posthoc_conover_friedman (p_adjust=None);
      Demsar's critical difference from scipy.stats.studentized_range.ppf.
  python stats_bench.py correlate FILE.csv
      pandas.read_csv; numpy.corrcoef (Pearson); two-sided p-values of every
      pair from Student's t with n - 2 df (scipy.stats.t.sf, vectorised, as
      scipy.stats.pearsonr computes them); VIF = diagonal of
      numpy.linalg.inv of the correlation matrix.

Both print a one-line summary, not the matrices (paraclinic prints all of
them as JSON, so the comparison is in the reference's favour).
"""

import sys

import numpy as np
import pandas as pd
from scipy import stats


def friedman(path):
    import scikit_posthocs as sp

    values = pd.read_csv(path).dropna().to_numpy(dtype=float)
    n, k = values.shape
    chi2, p = stats.friedmanchisquare(*[values[:, j] for j in range(k)])
    nemenyi = sp.posthoc_nemenyi_friedman(values)
    conover = sp.posthoc_conover_friedman(values)
    q_alpha = stats.studentized_range.ppf(0.95, k, np.inf) / np.sqrt(2.0)
    cd = q_alpha * np.sqrt(k * (k + 1) / (6.0 * n))
    print(f"n={n} k={k} chi2={chi2:.6g} p={p:.3g} cd={cd:.6g} "
          f"min_nemenyi={nemenyi.to_numpy().min():.3g} "
          f"min_conover={conover.to_numpy().min():.3g}")


def correlate(path):
    values = pd.read_csv(path).dropna().to_numpy(dtype=float)
    n, k = values.shape
    r = np.corrcoef(values, rowvar=False)
    upper = np.triu_indices(k, 1)
    ru = np.clip(r[upper], -1.0, 1.0)
    df = n - 2
    with np.errstate(divide="ignore"):
        t = np.abs(ru) * np.sqrt(df / ((1.0 - np.abs(ru)) * (1.0 + np.abs(ru))))
    p = np.zeros((k, k))
    p[upper] = 2.0 * stats.t.sf(t, df)
    p = p + p.T
    vif = np.diag(np.linalg.inv(r))
    print(f"n={n} k={k} max_offdiag_r={np.abs(ru).max():.6g} "
          f"min_p={p[upper].min():.3g} max_vif={vif.max():.6g}")


if __name__ == "__main__":
    {"friedman": friedman, "correlate": correlate}[sys.argv[1]](sys.argv[2])
