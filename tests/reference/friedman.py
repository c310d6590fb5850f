"""Reference values for the Friedman ranking module (analysis/src/friedman).

Independent tools only:
  * SciPy `friedmanchisquare` (tie-corrected chi-square and p),
  * pingouin `friedman` (Kendall's W corrected for ties, its F = W(n-1)/(1-W)),
  * scikit-posthocs `posthoc_nemenyi_friedman` / `posthoc_conover_friedman`
    (p_adjust=None),
  * SciPy `studentized_range` (cdf, sf, ppf) for the distribution and Demsar's
    critical difference, and SciPy `f.sf` for the Iman-Davenport p-value,
  * mpmath (80-digit quadrature) for small upper tails of the studentized
    range, which SciPy and R only give to ~1e-11 absolute.
R's friedman.test, ptukey and qtukey are in tests/reference/friedman.R.

The datasets in tests/data/friedman/ are written by this script from a seeded
generator the first time and read back afterwards (they are committed).
Run from the repository root: python3 tests/reference/friedman.py
"""

import json
import os

import numpy as np
import pandas as pd
import pingouin as pg
import scikit_posthocs as sp
from scipy import stats

DATA = "tests/data/friedman"
OUT = "tests/fixtures/friedman"


def write_if_absent(name, frame):
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        frame.to_csv(path, index=False, na_rep="")


def make_datasets():
    os.makedirs(DATA, exist_ok=True)
    rng = np.random.default_rng(20240611)
    # scikit-posthocs' docstring example: n = 6, k = 3, one tie.
    write_if_absent("docstring_example.csv", pd.DataFrame(
        [[31, 27, 24], [31, 28, 31], [45, 29, 46], [21, 18, 48], [42, 36, 46], [32, 17, 40]],
        columns=["a", "b", "c"]))
    # Small n with ties.
    write_if_absent("small_ties_n4.csv", pd.DataFrame(
        [[1, 2, 2, 4], [3, 3, 1, 2], [4, 2, 4, 1], [2, 1, 3, 3]],
        columns=["w", "x", "y", "z"]))
    write_if_absent("small_n3.csv", pd.DataFrame(
        [[5.1, 3.2, 4.4, 2.0, 1.0], [4.0, 3.9, 4.5, 1.5, 2.2], [6.2, 2.8, 3.3, 3.1, 0.4]],
        columns=["p1", "p2", "p3", "p4", "p5"]))
    write_if_absent("small_n5.csv", pd.DataFrame(
        rng.integers(1, 8, size=(5, 4)), columns=["A", "B", "C", "D"]))
    # n > 100, integer scores 1..20 with scattered ties and column effects.
    shift = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 2.5])
    big = np.clip(np.round(rng.normal(10, 4, size=(150, 6)) + shift), 1, 20).astype(int)
    write_if_absent("large_n150.csv", pd.DataFrame(big, columns=[f"c{i+1}" for i in range(6)]))
    # Missing values (empty cells and NA) to be dropped listwise.
    miss = rng.integers(1, 6, size=(20, 4)).astype(object)
    for r, c in [(2, 1), (5, 3), (11, 0), (11, 2), (17, 3)]:
        miss[r, c] = "NA" if r % 2 else ""
    write_if_absent("missing.csv", pd.DataFrame(miss, columns=["q1", "q2", "q3", "q4"]))
    # Likert 1..5 with heavy ties.
    lik = np.clip(np.round(rng.normal([3.0, 3.2, 3.4, 3.1, 3.6], 0.6, size=(60, 5))), 1, 5).astype(int)
    write_if_absent("likert_heavy_ties.csv", pd.DataFrame(lik, columns=["i1", "i2", "i3", "i4", "i5"]))
    # k = 10 like the study's factors (Likert item means, N = 385).
    names = ["Demographic", "Economic", "Culturalization", "Specialization", "Physical",
             "Personnel", "Performance", "Marketing", "Customer", "External"]
    centre = np.array([4.1, 3.8, 3.0, 2.95, 2.9, 3.3, 2.8, 3.3, 3.6, 4.0])
    items = np.clip(np.round(rng.normal(centre[None, :, None], 0.9, size=(385, 10, 3))), 1, 5)
    study = np.round(items.mean(axis=2), 4)
    write_if_absent("study_k10.csv", pd.DataFrame(study, columns=names))
    # Many conditions (issue 12: post-hoc tests for large k), from their own
    # generator so that the datasets above stay as they were. k = 50 with
    # integer scores 1..10 (ties within respondents); k = 200 continuous.
    many = np.random.default_rng(20261130)
    trend50 = np.linspace(0.0, 3.0, 50)
    k50 = np.clip(np.round(many.normal(5.0 + trend50, 2.0, size=(12, 50))), 1, 10).astype(int)
    write_if_absent("many_conditions_k50.csv",
                    pd.DataFrame(k50, columns=[f"m{i+1}" for i in range(50)]))
    k200 = np.round(many.normal(np.linspace(0.0, 2.0, 200), 1.0, size=(10, 200)), 4)
    write_if_absent("many_conditions_k200.csv",
                    pd.DataFrame(k200, columns=[f"t{i+1}" for i in range(200)]))
    # Perfect agreement: every respondent orders the conditions the same way (W = 1).
    write_if_absent("perfect_agreement.csv", pd.DataFrame(
        [[1, 2, 3, 4], [2, 5, 7, 9], [0.5, 1, 1.5, 2], [10, 20, 30, 40], [3, 4, 5, 6]],
        columns=["d", "c", "b", "a"]))


def matrix(frame):
    return [[float(v) for v in row] for row in frame.to_numpy()]


def friedman_reference(name):
    raw = pd.read_csv(os.path.join(DATA, name), keep_default_na=True, na_values=["NA", ""])
    complete = raw.dropna()
    values = complete.to_numpy(dtype=float)
    n, k = values.shape
    chi2, p = stats.friedmanchisquare(*[values[:, j] for j in range(k)])
    ranks = stats.rankdata(values, axis=1)
    out = {
        "dataset": name,
        "columns": list(raw.columns),
        "n": int(n),
        "k": int(k),
        "dropped": int(len(raw) - n),
        "statistic": float(chi2),
        "pvalue": float(p),
        "mean_ranks": [float(v) for v in ranks.mean(axis=0)],
    }
    wide = pd.DataFrame(values, columns=raw.columns)
    pgw = pg.friedman(wide.copy(), method="chisq")
    w = float(pgw["W"].iloc[0])
    out["kendall_w"] = w
    out["pingouin_q"] = float(pgw["Q"].iloc[0])
    if w < 1 - 1e-12:
        pgf = pg.friedman(wide.copy(), method="f")
        f = float(pgf["F"].iloc[0])
        out["iman_davenport"] = {
            "statistic": f,
            "df1": k - 1,
            "df2": (k - 1) * (n - 1),
            "pvalue": float(stats.f.sf(f, k - 1, (k - 1) * (n - 1))),
        }
        out["conover"] = matrix(sp.posthoc_conover_friedman(values))
    else:
        out["iman_davenport"] = None
        out["conover"] = None
    out["nemenyi"] = matrix(sp.posthoc_nemenyi_friedman(values))
    q_alpha = float(stats.studentized_range.ppf(0.95, k, np.inf)) / np.sqrt(2.0)
    out["critical_difference"] = {
        "alpha": 0.05,
        "q_alpha": q_alpha,
        "cd": q_alpha * float(np.sqrt(k * (k + 1) / (6.0 * n))),
    }
    return out


def tukey_reference():
    sr = stats.studentized_range
    points = []
    for k in [2, 3, 5, 10, 20]:
        for q in [0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0]:
            points.append({"q": q, "k": k, "df": None,
                           "cdf": float(sr.cdf(q, k, np.inf)), "sf": float(sr.sf(q, k, np.inf))})
    for k in [3, 10]:
        for df in [5, 20, 120]:
            for q in [1.0, 3.0, 5.0]:
                points.append({"q": q, "k": k, "df": df,
                               "cdf": float(sr.cdf(q, k, df)), "sf": float(sr.sf(q, k, df))})
    # Many means (Nemenyi with k conditions uses k means, df = inf).
    for k in [50, 200, 1000]:
        for q in [2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0]:
            points.append({"q": q, "k": k, "df": None,
                           "cdf": float(sr.cdf(q, k, np.inf)), "sf": float(sr.sf(q, k, np.inf))})
    quantiles = []
    for k in [2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 50, 200, 1000]:
        for p in [0.9, 0.95, 0.99]:
            quantiles.append({"p": p, "k": k, "df": None, "q": float(sr.ppf(p, k, np.inf))})
    for k, df in [(3, 10), (10, 30)]:
        quantiles.append({"p": 0.95, "k": k, "df": df, "q": float(sr.ppf(0.95, k, df))})
    return {"tool": "scipy.stats.studentized_range " + __import__("scipy").__version__,
            "distribution": points, "quantiles": quantiles}


def tail_reference():
    """Upper tails P(Q > q) for df = inf to 30 significant digits with mpmath:
    P(Q > q) = k * integral of phi(z) (a^m - b^m) dz, a = 1 - Phi(z),
    b = Phi(z + q) - Phi(z), m = k - 1 (Copenhaver & Holland 1988), with
    80-digit arithmetic so the difference a^m - b^m keeps its digits. SciPy
    and R take the upper tail as 1 - cdf, good to ~1e-11 absolute only;
    this checks small Nemenyi p-values in relative terms."""
    import mpmath as mp

    mp.mp.dps = 80
    points = []
    for k in [3, 10, 50, 200, 1000]:
        for q in [4.0, 7.0, 10.0, 14.0]:
            m = k - 1
            phi = lambda z: mp.exp(-z * z / 2) / mp.sqrt(2 * mp.pi)
            sf = lambda z: mp.erfc(z / mp.sqrt(2)) / 2

            def integrand(z):
                a = sf(z)
                b = a - sf(z + q)
                return k * phi(z) * (a ** m - b ** m)

            lo = -q / 2 - 12
            # Split where the mass is: near the minimum of k normals and near -q/2.
            breaks = sorted({lo, -q / 2 - 4, -q / 2, -6.0, -4.0, -2.0, 0.0, 4.0, 12.0})
            value = mp.quad(integrand, breaks)
            points.append({"q": q, "k": k, "df": None, "sf": float(value)})
    return {"tool": "mpmath " + mp.__version__ + " (80 digits, tanh-sinh)", "distribution": points}


def main():
    make_datasets()
    os.makedirs(OUT, exist_ok=True)
    names = sorted(f for f in os.listdir(DATA) if f.endswith(".csv") and f != "all_tied.csv")
    results = [friedman_reference(n) for n in names]
    with open(os.path.join(OUT, "scipy_posthocs.json"), "w") as f:
        json.dump({"tools": {"scipy": __import__("scipy").__version__,
                             "scikit_posthocs": sp.__version__,
                             "pingouin": pg.__version__},
                   "datasets": results}, f, indent=1)
    with open(os.path.join(OUT, "studentized_range_scipy.json"), "w") as f:
        json.dump(tukey_reference(), f, indent=1)
    with open(os.path.join(OUT, "studentized_range_mpmath.json"), "w") as f:
        json.dump(tail_reference(), f, indent=1)


if __name__ == "__main__":
    main()
