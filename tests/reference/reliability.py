"""Reference values for `analysis::reliability` from pingouin (and pandas/SciPy
for the quantities pingouin does not compute).

Reads the committed datasets in tests/data/reliability/ (writing them first,
from a fixed seed, only if one is missing) and writes
tests/fixtures/reliability/<dataset>_pingouin.json. A second, independent
reference from R's psych::alpha is written by tests/reference/reliability.R.

- alpha: pingouin.cronbach_alpha(nan_policy="listwise").
- standardized alpha: pingouin.cronbach_alpha on the z-scored items (alpha of
  standardized items equals k*rbar/(1+(k-1)*rbar)).
- alpha if item deleted: pingouin.cronbach_alpha on the other items.
- item-total and corrected item-total r: scipy.stats.pearsonr of the item
  with the row sum of all items / of the other items; mean and sd (ddof=1)
  from pandas.

Run from the repository root: python3 tests/reference/reliability.py
"""

import json
import os

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

DATA = "tests/data/reliability"
OUT = "tests/fixtures/reliability"


def write_datasets():
    os.makedirs(DATA, exist_ok=True)
    rng = np.random.default_rng(385)

    def save(name, df):
        path = os.path.join(DATA, name)
        if not os.path.exists(path):
            df.to_csv(path, index=False, na_rep="NA")

    def likert(factor, loading, n):
        z = loading * factor + np.sqrt(1 - loading**2) * rng.normal(size=n)
        return np.clip(np.round(3 + 1.1 * z), 1, 5).astype(int)

    # Two dimensions of three Likert items, n = 200 (many ties).
    n = 200
    f1, f2 = rng.normal(size=n), rng.normal(size=n)
    cols = {}
    for i, l in enumerate([0.8, 0.7, 0.6]):
        cols[f"access_{i + 1}"] = likert(f1, l, n)
    for i, l in enumerate([0.75, 0.5, 0.3]):
        cols[f"trust_{i + 1}"] = likert(f2, l, n)
    save("likert.csv", pd.DataFrame(cols))

    # n = 5, three items.
    save("small.csv", pd.DataFrame({"i1": [2, 4, 3, 5, 1], "i2": [3, 4, 2, 5, 2], "i3": [1, 5, 3, 4, 3]}))

    # n = 30 with missing values, four items, one of them weakly related.
    n = 30
    f = rng.normal(size=n)
    miss = pd.DataFrame(
        {"m1": likert(f, 0.8, n), "m2": likert(f, 0.7, n), "m3": likert(f, 0.6, n), "m4": likert(f, 0.1, n)}
    ).astype(object)
    for col, rows in {"m1": [2], "m2": [7, 19], "m3": [19, 25], "m4": [0]}.items():
        for r in rows:
            miss.loc[r, col] = np.nan
    save("missing.csv", miss)

    # k = 2: alpha if deleted is undefined.
    n = 20
    f = rng.normal(size=n)
    save("two_items.csv", pd.DataFrame({"p": likert(f, 0.8, n), "q": likert(f, 0.8, n)}))

    # A reverse-keyed item: alpha is low (can be negative).
    n = 25
    f = rng.normal(size=n)
    a, b = likert(f, 0.8, n), likert(f, 0.7, n)
    save("reversed.csv", pd.DataFrame({"a": a, "b": b, "c": 6 - likert(f, 0.9, n)}))

    # Errors expected: the total is constant; one item is constant.
    save("zero_total.csv", pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [5, 4, 3, 2, 1]}))
    save("constant_item.csv", pd.DataFrame({"a": [1, 2, 3, 4], "k": [3, 3, 3, 3], "b": [2, 1, 4, 4]}))


def reference(name):
    df = pd.read_csv(os.path.join(DATA, name), na_values=["NA", ""], keep_default_na=False)
    n_all = len(df)
    alpha, _ = pg.cronbach_alpha(df, nan_policy="listwise")
    complete = df.dropna().astype(float)
    k = complete.shape[1]
    z = (complete - complete.mean()) / complete.std(ddof=1)
    std_alpha, _ = pg.cronbach_alpha(z, nan_policy="listwise")
    total = complete.sum(axis=1)
    items = []
    for c in complete.columns:
        rest = total - complete[c]
        others = complete.drop(columns=[c])
        items.append(
            {
                "name": c,
                "mean": float(complete[c].mean()),
                "sd": float(complete[c].std(ddof=1)),
                "item_total_r": float(stats.pearsonr(complete[c], total).statistic),
                "corrected_item_total_r": float(stats.pearsonr(complete[c], rest).statistic),
                "alpha_if_deleted": float(pg.cronbach_alpha(others)[0]) if k > 2 else None,
            }
        )
    return {
        "dataset": name,
        "n": len(complete),
        "rows_dropped": n_all - len(complete),
        "k": k,
        "alpha": float(alpha),
        "standardized_alpha": float(std_alpha),
        "items": items,
        "tools": "pingouin %s cronbach_alpha; scipy %s pearsonr; pandas %s"
        % (pg.__version__, stats.__name__ and __import__("scipy").__version__, pd.__version__),
    }


def main():
    write_datasets()
    os.makedirs(OUT, exist_ok=True)
    for name in ["likert.csv", "small.csv", "missing.csv", "two_items.csv", "reversed.csv"]:
        ref = reference(name)
        # Per-dimension alphas of likert.csv, for cronbach_alpha_by_group.
        if name == "likert.csv":
            df = pd.read_csv(os.path.join(DATA, name))
            ref["groups"] = [
                {
                    "group": g,
                    "items": [c for c in df.columns if c.startswith(g + "_")],
                    "alpha": float(pg.cronbach_alpha(df[[c for c in df.columns if c.startswith(g + "_")]])[0]),
                }
                for g in ["access", "trust"]
            ]
        stem = name[:-4] + "_pingouin"
        with open(os.path.join(OUT, stem + ".json"), "w") as fh:
            json.dump(ref, fh, indent=1)
            fh.write("\n")
        print("wrote", stem)


if __name__ == "__main__":
    main()
