#!/usr/bin/env python3
"""Reference values for `analysis::normality` from independent tools.

Datasets (tests/data/normality/*.csv) are generated once from a seeded NumPy
generator and then kept: rerunning this script does not rewrite an existing
dataset (delete it to regenerate). Fixtures (tests/fixtures/normality/*.json)
are recomputed every run from the committed CSVs with

* SciPy: ``kstest(x, 'norm', args=(mean, sd))`` with sd = ``std(ddof=1)``
  (method 'auto', i.e. SciPy's ``kstwo``), ``kstwobign.sf(D * sqrt(n))``,
  ``shapiro``, ``skew(bias=False)``, ``kurtosis(bias=False)``;
* statsmodels: ``lilliefors(x, dist='norm', pvalmethod='table')``;
* R (if ``Rscript`` is on the PATH): ``shapiro.test`` and ``ks.test``
  (exact for n < 100 without ties, asymptotic otherwise);
* grids of the distributions themselves: ``kstwo.sf(d, n)``,
  ``scipy.special.kolmogorov(z)`` and ``scipy.special.smirnov(n, d)``.

Missing values (empty cells, NA) are dropped per column.

    python3 tests/reference/normality.py     # from the repository root
"""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import scipy
import statsmodels
from scipy import special, stats
from statsmodels.stats.diagnostic import lilliefors

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "tests", "data", "normality")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "normality")


def write_if_missing(name, columns):
    """Writes columns of unequal length as a CSV padded with empty cells."""
    path = os.path.join(DATA, name)
    if os.path.exists(path):
        return
    df = pd.DataFrame({k: pd.Series(v) for k, v in columns.items()})
    df.to_csv(path, index=False, float_format="%.10g", na_rep="")


def make_datasets():
    os.makedirs(DATA, exist_ok=True)
    rng = np.random.default_rng(20240611)
    # Normal samples of many sizes (shorter columns padded with empty cells).
    write_if_missing(
        "normal.csv",
        {f"n{n}": rng.normal(50, 10, n) for n in [3, 4, 5, 10, 20, 50, 100, 385, 1000, 5000]},
    )
    # Skewed and heavy-tailed samples.
    write_if_missing(
        "skewed.csv",
        {
            "lognormal30": rng.lognormal(0, 0.8, 30),
            "exponential200": rng.exponential(2.0, 200),
            "chisq3_50": rng.chisquare(3, 50),
            "uniform100": rng.uniform(0, 1, 100),
            "t3_385": rng.standard_t(3, 385),
            "exponential2000": rng.exponential(1.0, 2000),
        },
    )
    # 5-point Likert items at the study's N = 385: heavy ties.
    def likert(p, n=385):
        return rng.choice([1, 2, 3, 4, 5], size=n, p=p)

    write_if_missing(
        "likert.csv",
        {
            "agree": likert([0.02, 0.05, 0.13, 0.45, 0.35]),
            "centred": likert([0.1, 0.2, 0.4, 0.2, 0.1]),
            "flat": likert([0.2, 0.2, 0.2, 0.2, 0.2]),
            "small_ties": likert([0.1, 0.2, 0.4, 0.2, 0.1], 12),
        },
    )
    # Missing values written as both empty cells and NA.
    path = os.path.join(DATA, "missing.csv")
    if not os.path.exists(path):
        x = rng.normal(0, 1, 40)
        y = rng.gamma(2.0, 1.0, 40)
        lines = ["x,y"]
        for i in range(40):
            xs = "NA" if i % 7 == 3 else f"{x[i]:.6f}"
            ys = "" if i % 5 == 1 else f"{y[i]:.6f}"
            lines.append(f"{xs},{ys}")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    # n > 5000: Shapiro–Wilk not applicable.
    write_if_missing("large.csv", {"n6000": rng.normal(0, 1, 6000)})
    # A constant column next to a normal one: an error naming the column.
    path = os.path.join(DATA, "constant.csv")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write("score,same\n")
            for v in rng.normal(10, 2, 15):
                f.write(f"{v:.4f},7\n")


def r_tests(path, columns):
    """R's shapiro.test and ks.test per column, or None without Rscript."""
    if shutil.which("Rscript") is None:
        return None
    script = r"""
args <- commandArgs(TRUE)
d <- read.csv(args[1], na.strings = c("", "NA"))
for (name in args[-1]) {
  x <- d[[name]]; x <- x[!is.na(x)]
  sw <- if (length(x) >= 3 && length(x) <= 5000) shapiro.test(x) else NULL
  ks <- suppressWarnings(ks.test(x, "pnorm", mean(x), sd(x)))
  cat(name, if (is.null(sw)) "NA" else sprintf("%.17g", sw$statistic),
      if (is.null(sw)) "NA" else sprintf("%.17g", sw$p.value),
      sprintf("%.17g", ks$statistic), sprintf("%.17g", ks$p.value),
      if (grepl("Exact", ks$method)) "exact" else "asymptotic", "\n")
}
"""
    out = subprocess.run(
        ["Rscript", "-e", script, path, *columns], capture_output=True, text=True, check=True
    ).stdout
    version = subprocess.run(
        ["Rscript", "-e", "cat(R.version.string)"], capture_output=True, text=True, check=True
    ).stdout
    result = {}
    for line in out.strip().splitlines():
        name, w, p, d, kp, method = line.split()
        num = lambda s: None if s == "NA" else float(s)
        result[name] = {
            "shapiro_w": num(w),
            "shapiro_pvalue": num(p),
            "ks_statistic": num(d),
            "ks_pvalue": num(kp),
            "ks_method": method,
        }
    return result, version


def column_reference(x):
    n = len(x)
    mean, sd = float(np.mean(x)), float(np.std(x, ddof=1))
    ks = stats.kstest(x, "norm", args=(mean, sd))
    d = float(ks.statistic)
    ref = {
        "n": n,
        "mean": mean,
        "sd": sd,
        "ties": int(n - len(np.unique(x))),
        "ks_statistic": d,
        "ks_pvalue": float(ks.pvalue),
        "ks_pvalue_asymptotic": float(stats.kstwobign.sf(d * np.sqrt(n))),
        "lilliefors_statistic": None,
        "lilliefors_pvalue": None,
        "shapiro_w": None,
        "shapiro_pvalue": None,
        "skewness": float(stats.skew(x, bias=False)) if n >= 3 else None,
        "kurtosis": float(stats.kurtosis(x, bias=False)) if n >= 4 else None,
    }
    if n >= 4:
        ld, lp = lilliefors(x, dist="norm", pvalmethod="table")
        ref["lilliefors_statistic"] = float(ld)
        ref["lilliefors_pvalue"] = float(lp)
    if 3 <= n <= 5000:
        sw = stats.shapiro(x)
        ref["shapiro_w"] = float(sw.statistic)
        ref["shapiro_pvalue"] = float(sw.pvalue)
    return ref


def dataset_fixture(name):
    path = os.path.join(DATA, name)
    df = pd.read_csv(path, na_values=["NA"], keep_default_na=False)
    columns = {}
    for col in df.columns:
        x = pd.to_numeric(df[col], errors="raise").dropna().to_numpy(dtype=float)
        if np.ptp(x) == 0:
            continue  # constant: an error in paraclinic, no reference values
        columns[col] = column_reference(x)
        columns[col]["n_missing"] = int(len(df) - len(x))
    r = r_tests(path, list(columns))
    fixture = {
        "dataset": f"tests/data/normality/{name}",
        "generated_by": "tests/reference/normality.py",
        "tools": {
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
            "numpy": np.__version__,
            "R": r[1] if r else None,
        },
        "variables": columns,
    }
    if r:
        for col, vals in r[0].items():
            columns[col]["r"] = vals
    return fixture


def distribution_grid():
    """kstwo.sf over (n, d) covering every branch of kolmogn, kolmogorov and smirnov."""
    kstwo = []
    for n in [1, 2, 3, 5, 10, 20, 50, 100, 140, 141, 200, 385, 1000, 5000, 20000]:
        for d in [0.003, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.95]:
            kstwo.append({"n": n, "d": d, "sf": float(stats.kstwo.sf(d, n)),
                          "cdf": float(stats.kstwo.cdf(d, n))})
    kolmogorov = [{"z": z, "sf": float(special.kolmogorov(z))}
                  for z in [0.05, 0.2, 0.4, 0.6, 0.8, 0.82, 0.83, 1.0, 1.2238478702170823,
                            1.3580986393225507, 1.6276236115189504, 2.0, 3.0, 5.0]]
    smirnov = [{"n": n, "d": d, "sf": float(special.smirnov(n, d))}
               for n in [1, 2, 5, 10, 50, 385, 2000]
               for d in [0.01, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9]]
    return {
        "generated_by": "tests/reference/normality.py",
        "tools": {"scipy": scipy.__version__},
        "kstwo": kstwo,
        "kolmogorov": kolmogorov,
        "smirnov": smirnov,
    }


def main():
    make_datasets()
    os.makedirs(FIXTURES, exist_ok=True)
    for name in ["normal.csv", "skewed.csv", "likert.csv", "missing.csv", "large.csv", "constant.csv"]:
        fixture = dataset_fixture(name)
        out = os.path.join(FIXTURES, name.replace(".csv", ".json"))
        with open(out, "w") as f:
            json.dump(fixture, f, indent=1)
            f.write("\n")
        print(f"wrote {os.path.relpath(out, ROOT)} ({len(fixture['variables'])} variables)")
    out = os.path.join(FIXTURES, "distributions.json")
    with open(out, "w") as f:
        json.dump(distribution_grid(), f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(out, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
