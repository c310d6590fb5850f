"""Reference values for `analysis::correlation` from SciPy, NumPy and statsmodels.

Reads the committed datasets in tests/data/correlation/ (writing them first,
from a fixed seed, only if one is missing) and writes one JSON fixture per
dataset and option set to tests/fixtures/correlation/.

- r and p, Pearson: scipy.stats.pearsonr (r cross-checked with numpy.corrcoef).
- r and p, Spearman: scipy.stats.spearmanr (t approximation; R's cor.test
  would use an exact test for small n without ties).
- Pairwise deletion: each pair is passed to SciPy with its own complete records.
- VIF: statsmodels variance_inflation_factor on add_constant(complete cases);
  tolerance = 1/VIF.

Run from the repository root: python3 tests/reference/correlation.py
"""

import json
import os
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.outliers_influence import variance_inflation_factor
from statsmodels.tools.tools import add_constant

DATA = "tests/data/correlation"
OUT = "tests/fixtures/correlation"


def write_datasets():
    os.makedirs(DATA, exist_ok=True)
    rng = np.random.default_rng(20240611)

    def save(name, df):
        path = os.path.join(DATA, name)
        if not os.path.exists(path):
            df.to_csv(path, index=False, na_rep="NA")

    # Likert items (1..5) with many ties, n = 30.
    base = rng.normal(size=30)
    likert = {}
    for j, w in enumerate([0.9, 0.7, 0.4, 0.0]):
        z = w * base + np.sqrt(1 - w * w) * rng.normal(size=30)
        likert[f"q{j + 1}"] = np.clip(np.round(3 + 1.2 * z), 1, 5).astype(int)
    save("ties.csv", pd.DataFrame(likert))

    # n = 4.
    save(
        "small.csv",
        pd.DataFrame({"x": [1.5, 2.0, 3.5, 4.0], "y": [2.1, 1.9, 3.7, 4.4], "z": [9.0, 4.0, 6.0, 1.0]}),
    )

    # n = 150, five continuous variables with moderate correlations.
    f = rng.normal(size=150)
    large = {
        "health": 50 + 10 * (0.6 * f + 0.8 * rng.normal(size=150)),
        "access": 3 + (0.5 * f + 0.87 * rng.normal(size=150)),
        "cost": 100 + 20 * (-0.3 * f + 0.95 * rng.normal(size=150)),
        "trust": 2 + 0.5 * rng.normal(size=150),
        "age": np.round(rng.uniform(20, 70, size=150)),
    }
    save("large.csv", pd.DataFrame(large).round(4))

    # n = 40 with missing values (NA and empty cells).
    m = rng.normal(size=40)
    miss = pd.DataFrame(
        {
            "a": np.round(m + 0.5 * rng.normal(size=40), 3),
            "b": np.round(0.7 * m + rng.normal(size=40), 3),
            "c": np.round(-0.5 * m + rng.normal(size=40), 3),
            "d": np.round(rng.normal(size=40), 3),
        }
    ).astype(object)
    for col, rows in {"a": [3, 17], "b": [5, 6, 30], "c": [0, 17, 22], "d": [11]}.items():
        for r in rows:
            miss.loc[r, col] = np.nan
    path = os.path.join(DATA, "missing.csv")
    if not os.path.exists(path):
        text = miss.to_csv(index=False, na_rep="NA")
        # Make one missing cell an empty field rather than NA.
        lines = text.splitlines()
        lines[1 + 11] = lines[1 + 11].replace("NA", "")
        with open(path, "w") as fh:
            fh.write("\n".join(lines) + "\n")

    # Near-collinear: x4 = x1 + x2 + small noise, n = 60.
    x1 = rng.normal(size=60)
    x2 = rng.normal(size=60)
    x3 = rng.normal(size=60)
    near = pd.DataFrame(
        {"x1": x1, "x2": x2, "x3": x3, "x4": x1 + x2 + 0.05 * rng.normal(size=60), "x5": 0.9 * x3 + 0.3 * rng.normal(size=60)}
    ).round(5)
    save("near_collinear.csv", near)

    # Exact dependency c = a + b (integers), d unrelated; n = 12.
    a = rng.integers(1, 10, size=12)
    b = rng.integers(1, 10, size=12)
    save("singular.csv", pd.DataFrame({"a": a, "b": b, "c": a + b, "d": rng.integers(1, 10, size=12)}))

    # r = -1 exactly between x and y.
    x = np.arange(1, 9)
    save("perfect.csv", pd.DataFrame({"x": x, "y": 3 - 2 * x, "w": [4, 1, 3, 8, 2, 7, 5, 6]}))

    # A constant column: an error is expected.
    save("constant.csv", pd.DataFrame({"a": [1, 2, 3, 4, 5], "k": [7, 7, 7, 7, 7], "b": [2, 1, 4, 3, 5]}))


def vif_table(complete):
    """statsmodels VIF on a design with a constant; None where infinite."""
    X = add_constant(complete.to_numpy(dtype=float), has_constant="add")
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j, name in enumerate(complete.columns):
            v = float(variance_inflation_factor(X, j + 1))
            out.append({"name": name, "vif": v if np.isfinite(v) else None})
    return out


def reference(name, method, missing, columns=None):
    df = pd.read_csv(os.path.join(DATA, name), na_values=["NA", ""], keep_default_na=False)
    if columns is not None:
        df = df[columns]
    cols = list(df.columns)
    complete = df.dropna()
    k = len(cols)
    r = [[1.0] * k for _ in range(k)]
    p = [[0.0] * k for _ in range(k)]
    npairs = [[0] * k for _ in range(k)]
    for i in range(k):
        npairs[i][i] = int(df[cols[i]].notna().sum())
        for j in range(i + 1, k):
            sub = complete if missing == "listwise" else df[[cols[i], cols[j]]].dropna()
            x = sub[cols[i]].to_numpy(dtype=float)
            y = sub[cols[j]].to_numpy(dtype=float)
            if method == "pearson":
                res = stats.pearsonr(x, y)
                assert abs(res.statistic - np.corrcoef(x, y)[0, 1]) < 1e-12
            else:
                res = stats.spearmanr(x, y)
            r[i][j] = r[j][i] = float(res.statistic)
            p[i][j] = p[j][i] = float(res.pvalue)
            npairs[i][j] = npairs[j][i] = len(sub)
    return {
        "dataset": name,
        "columns": columns,
        "method": method,
        "missing": missing,
        "n": len(complete),
        "variables": cols,
        "r": r,
        "pvalues": p,
        "n_pairs": npairs,
        "vif": vif_table(complete),
        "tools": "scipy %s pearsonr/spearmanr, numpy %s corrcoef, statsmodels variance_inflation_factor"
        % (__import__("scipy").__version__, np.__version__),
    }


def main():
    write_datasets()
    os.makedirs(OUT, exist_ok=True)
    cases = [
        ("ties.csv", "pearson", "listwise", None),
        ("ties.csv", "spearman", "listwise", None),
        ("small.csv", "pearson", "listwise", None),
        ("small.csv", "spearman", "listwise", None),
        ("large.csv", "pearson", "listwise", None),
        ("large.csv", "spearman", "listwise", None),
        ("large.csv", "pearson", "listwise", ["cost", "health", "access"]),
        ("missing.csv", "pearson", "listwise", None),
        ("missing.csv", "pearson", "pairwise", None),
        ("missing.csv", "spearman", "pairwise", None),
        ("near_collinear.csv", "pearson", "listwise", None),
        ("near_collinear.csv", "spearman", "listwise", None),
        ("singular.csv", "pearson", "listwise", None),
        ("perfect.csv", "pearson", "listwise", None),
        ("perfect.csv", "spearman", "listwise", None),
    ]
    for name, method, missing, columns in cases:
        ref = reference(name, method, missing, columns)
        stem = name[:-4] + "_" + method + "_" + missing + ("_cols" if columns else "")
        with open(os.path.join(OUT, stem + ".json"), "w") as fh:
            json.dump(ref, fh, indent=1)
            fh.write("\n")
        print("wrote", stem)


if __name__ == "__main__":
    main()
