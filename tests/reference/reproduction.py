#!/usr/bin/env python3
"""Reference values for `paraclinic reproduce --data FILE.csv` (the
data-dependent steps of `study::reproduction`) from pandas and SciPy.

Dataset: tests/data/reproduction/small_study.csv (made by
tests/data/reproduction/make_small_study.py; not the study's data).
Fixture: tests/fixtures/reproduction/small_study.json with

* dimension scores: the mean of each dimension's items D{d}_I{k} (Table 2
  sizes), missing when any item is missing (pandas ``mean(skipna=False)``);
* normality per dimension score (missing dropped): SciPy
  ``kstest(x, 'norm', args=(x.mean(), x.std(ddof=1)))`` statistic and
  p-value, statsmodels ``lilliefors(x, pvalmethod='table')`` p-value;
* Pearson correlations of the scores with listwise deletion (pandas
  ``dropna().corr()``), the largest off-diagonal |r|, and the VIFs
  (statsmodels ``variance_inflation_factor`` with a constant);
* Table 1 counts of the demographic columns (pandas ``value_counts``).

    python3 tests/reference/reproduction.py     # from the repository root
"""

import json
import os

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.diagnostic import lilliefors
from statsmodels.stats.outliers_influence import variance_inflation_factor
from statsmodels.tools import add_constant

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data", "reproduction", "small_study.csv")
OUT = os.path.join(ROOT, "tests", "fixtures", "reproduction", "small_study.json")

DIMENSIONS = [
    ("Demographic factors", 12),
    ("Economic factors", 7),
    ("Culturalization", 11),
    ("Specialization", 8),
    ("Physical factors", 12),
    ("Personnel literacy and experience", 6),
    ("Performance management", 3),
    ("Marketing", 2),
    ("Customer satisfaction", 6),
    ("External factors", 11),
]

df = pd.read_csv(DATA, keep_default_na=False, na_values=["", "NA"])
scores = pd.DataFrame(
    {
        name: df[[f"D{d + 1}_I{k + 1}" for k in range(n)]].mean(axis=1, skipna=False)
        for d, (name, n) in enumerate(DIMENSIONS)
    }
)

normality = []
for name in scores.columns:
    x = scores[name].dropna().to_numpy()
    ks = stats.kstest(x, "norm", args=(x.mean(), x.std(ddof=1)))
    _, lp = lilliefors(x, dist="norm", pvalmethod="table")
    normality.append(
        {
            "name": name,
            "n": int(len(x)),
            "mean": float(x.mean()),
            "ks_statistic": float(ks.statistic),
            "ks_pvalue": float(ks.pvalue),
            "lilliefors_pvalue": float(lp),
        }
    )

complete = scores.dropna()
r = complete.corr(method="pearson").to_numpy()
k = r.shape[0]
off = [(abs(r[i, j]), i, j) for i in range(k) for j in range(i + 1, k)]
best = max(off)
design = add_constant(complete.to_numpy())
vif = [float(variance_inflation_factor(design, j + 1)) for j in range(k)]

demographics = {
    col: {str(g): int(c) for g, c in df[col].value_counts().sort_index().items()}
    for col in ["gender", "marital_status", "age", "education_level", "work_experience"]
}

fixture = {
    "source": "tests/data/reproduction/small_study.csv",
    "tools": f"pandas {pd.__version__}, scipy {__import__('scipy').__version__}, statsmodels {__import__('statsmodels').__version__}",
    "respondents": int(len(df)),
    "complete_cases": int(len(complete)),
    "dimensions": list(scores.columns),
    "scores_of_respondent_6": [None if np.isnan(v) else float(v) for v in scores.iloc[5]],
    "normality": normality,
    "r": r.tolist(),
    "max_abs_r": float(best[0]),
    "max_pair": [scores.columns[best[1]], scores.columns[best[2]]],
    "vif": vif,
    "max_vif": max(vif),
    "demographics": demographics,
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as fh:
    json.dump(fixture, fh, indent=1)
    fh.write("\n")
print(f"wrote {OUT}")
