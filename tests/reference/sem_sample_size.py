"""Second reference for analysis::sample_size::sem: SciPy's non-central chi-square
(scipy.stats.ncx2, Boost's implementation), independent of R's pnchisq, on every
power case of sem_semtools.json (written by sem_sample_size.R) -- including the
large-noncentrality cases where R does not converge.

Same definitions as semTools' findRMSEApower:
  ncp0 = (n - 1) df rmsea0^2, ncp1 = (n - 1) df rmsea1^2;
  rmsea0 < rmsea1: c = ncx2.isf(alpha, df, ncp0), power = ncx2.sf(c, df, ncp1);
  rmsea0 > rmsea1: c = ncx2.ppf(alpha, df, ncp0), power = ncx2.cdf(c, df, ncp1).
(chi2 instead of ncx2 when a noncentrality is 0.)

Prints the largest relative difference from semTools over the cases where R
gave no warning. Output: tests/fixtures/sample_size/sem_scipy.json.
Run from the repository root, after sem_sample_size.R:
python3 tests/reference/sem_sample_size.py
"""

import json
import os

import scipy
from scipy.stats import chi2, ncx2

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIR = os.path.join(ROOT, "tests", "fixtures", "sample_size")


def dist(df, ncp):
    return chi2(df) if ncp == 0 else ncx2(df, ncp)


def power(df, r0, r1, alpha, n):
    ncp0 = (n - 1) * df * r0 * r0
    ncp1 = (n - 1) * df * r1 * r1
    if r0 < r1:
        c = dist(df, ncp0).isf(alpha)
        return float(dist(df, ncp1).sf(c))
    c = dist(df, ncp0).ppf(alpha)
    return float(dist(df, ncp1).cdf(c))


def main():
    src = json.load(open(os.path.join(DIR, "sem_semtools.json")))
    cases = []
    worst = 0.0
    for c in src["power_cases"]:
        p = power(c["df"], c["rmsea0"], c["rmsea1"], c["alpha"], c["n"])
        cases.append({k: c[k] for k in ("df", "rmsea0", "rmsea1", "alpha", "n")} | {"power": p})
        if not c["r_warnings"]:
            worst = max(worst, abs(p - c["power"]) / c["power"])
    out = {"tools": f"SciPy {scipy.__version__} stats.ncx2", "power_cases": cases}
    with open(os.path.join(DIR, "sem_scipy.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote sem_scipy.json: {len(cases)} power cases; "
          f"largest relative difference from semTools where R converged: {worst:.3g}")


if __name__ == "__main__":
    main()
