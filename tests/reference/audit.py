"""Reference values for the audit's closed forms and tests (SciPy).

Reads tests/data/audit/ks_samples.json and writes
tests/fixtures/audit/scipy_reference.json:
- Kolmogorov limiting distribution: scipy.stats.kstwobign.sf on a grid;
- one-sample K-S against the normal fitted to each sample (mean, SD with
  ddof=1), asymptotic p: scipy.stats.kstest(x, "norm", args=(m, s), method="asymp");
- chi-square upper tails (fit test at df 333..338; Friedman df 9);
- the two-sided normal critical value at alpha = .05;
- the df interval that RMSEA implies, solved numerically with brentq
  (independent of the closed form the audit uses).

Run: python3 tests/reference/audit.py   (or tests/reference/generate.sh audit)
"""
import json
import math
import pathlib

import numpy as np
from scipy import optimize, stats

root = pathlib.Path(__file__).resolve().parents[2]
samples = json.loads((root / "tests/data/audit/ks_samples.json").read_text())

out = {}
grid = [0.05, 0.2, 0.5, 0.8, 0.99, 1.0, 1.01, 1.2, 1.3581, 1.6, 2.0, 3.0]
out["kolmogorov_sf"] = [{"x": x, "sf": float(stats.kstwobign.sf(x))} for x in grid]

ks = {}
for name, values in samples.items():
    x = np.asarray(values, dtype=float)
    m, s = float(x.mean()), float(x.std(ddof=1))
    res = stats.kstest(x, "norm", args=(m, s), method="asymp")
    ks[name] = {"n": len(x), "mean": m, "sd": s, "d": float(res.statistic), "p": float(res.pvalue)}
out["ks_fitted_normal"] = ks

out["chi2_sf"] = [
    {"x": 502.88, "df": df, "sf": float(stats.chi2.sf(502.88, df))} for df in range(333, 339)
] + [
    {"x": x, "df": 9, "sf": float(stats.chi2.sf(x, 9))} for x in (5.0, 21.67, 72.0)
]
# What the audit's fit-chisq-test reports for the paper: p at the ends of the
# rounding interval of chi2 = 502.88 and of the df range 333..338.
out["chi2_fit_test_interval"] = {
    "lower": float(stats.chi2.sf(502.885, 333)),
    "upper": float(stats.chi2.sf(502.875, 338)),
}
out["normal_critical_0975"] = float(stats.norm.ppf(0.975))


def df_bounds(chisq, r_lo, r_hi, n):
    """Solve RMSEA(df) = r at both ends with brentq."""
    f = lambda df, r: math.sqrt(max(chisq - df, 0.0) / (df * n)) - r
    lo = optimize.brentq(f, 1e-6, chisq - 1e-9, args=(r_hi,), xtol=1e-13, rtol=1e-15)
    hi = optimize.brentq(f, 1e-6, chisq - 1e-9, args=(r_lo,), xtol=1e-13, rtol=1e-15)
    return lo, hi


out["rmsea_df_interval"] = []
for chisq, r_lo, r_hi, n in [(502.88, 0.0355, 0.0365, 384), (502.88, 0.0355, 0.0365, 385), (80.0, 0.0905, 0.0915, 200)]:
    lo, hi = df_bounds(chisq, r_lo, r_hi, n)
    out["rmsea_df_interval"].append({"chisq": chisq, "rmsea_lo": r_lo, "rmsea_hi": r_hi, "n": n, "df_lo": lo, "df_hi": hi})

dest = root / "tests/fixtures/audit/scipy_reference.json"
dest.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {dest}")
