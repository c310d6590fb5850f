"""Second reference for analysis::sample_size::sem: SciPy's non-central chi-square
(scipy.stats.ncx2, Boost's implementation), independent of R's pnchisq, on the
same grid of power cases as sem_sample_size.R -- including the
large-noncentrality cases where R does not converge.

Same definitions as semTools' findRMSEApower:
  ncp0 = (n - 1) df rmsea0^2, ncp1 = (n - 1) df rmsea1^2;
  rmsea0 < rmsea1: c = ncx2.isf(alpha, df, ncp0), power = ncx2.sf(c, df, ncp1);
  rmsea0 > rmsea1: c = ncx2.ppf(alpha, df, ncp0), power = ncx2.cdf(c, df, ncp1).
(chi2 instead of ncx2 when a noncentrality is 0.)

When sem_semtools.json exists, prints the largest relative difference from
semTools over the cases where R gave no warning.
Output: tests/fixtures/sample_size/sem_scipy.json.
Run from the repository root: python3 tests/reference/sem_sample_size.py
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


# The grid of sem_sample_size.R, in the same order.
PAIRS = [(0.05, 0.08), (0.05, 0.10), (0.05, 0.06), (0.00, 0.05), (0.02, 0.06),
         (0.05, 0.01), (0.05, 0.00), (0.08, 0.05), (0.10, 0.06)]


def grid():
    for df in [1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 335, 500, 1000, 2000, 3000]:
        for r0, r1 in PAIRS:
            for n in [2, 5, 10, 30, 50, 100, 200, 385, 1000, 5000]:
                yield df, r0, r1, 0.05, n
    for df in [1, 10, 335, 3000]:
        for r0, r1 in PAIRS:
            for alpha in [0.01, 0.10]:
                for n in [50, 385, 1000]:
                    yield df, r0, r1, alpha, n
    for df in [335, 3000]:
        for n in [1e4, 1e5, 1e6, 3e6, 1e7]:
            for r0, r1 in [(0.05, 0.05001), (0.05, 0.0501), (0.05, 0.04999), (0.05, 0.051)]:
                yield df, r0, r1, 0.05, int(n)


def main():
    cases = []
    for df, r0, r1, alpha, n in grid():
        p = power(df, r0, r1, alpha, n)
        cases.append({"df": df, "rmsea0": r0, "rmsea1": r1, "alpha": alpha, "n": n, "power": p})
    worst = float("nan")
    semtools = os.path.join(DIR, "sem_semtools.json")
    if os.path.exists(semtools):
        worst = 0.0
        for c, r in zip(cases, json.load(open(semtools))["power_cases"]):
            assert (c["df"], c["rmsea0"], c["rmsea1"], c["alpha"], c["n"]) == (
                r["df"], r["rmsea0"], r["rmsea1"], r["alpha"], r["n"]), (c, r)
            if not r["r_warnings"]:
                worst = max(worst, abs(c["power"] - r["power"]) / r["power"])
    out = {"tools": f"SciPy {scipy.__version__} stats.ncx2", "power_cases": cases}
    with open(os.path.join(DIR, "sem_scipy.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote sem_scipy.json: {len(cases)} power cases; "
          f"largest relative difference from semTools where R converged: {worst:.3g}")


if __name__ == "__main__":
    main()
