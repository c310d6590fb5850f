"""Independent reference values (SciPy) for the small examples the teaching
notebooks compute by hand: Cochran's n (01), a Kolmogorov–Smirnov statistic
on eight values (04), Friedman ranks and Kendall's W on a 5 × 4 table (07)
and Lawshe's CVR (08). Each notebook computes the value by hand, calls the
library, and asserts both agree with the value here.

    .venv/bin/python tests/reference/notebook_worked_examples.py   (from the repository root)

Writes notebooks/data/worked_examples/reference.csv (quantity,value,tool).
The examples' inputs are repeated in the notebooks' cells (notebooks/build.py).
"""
import csv
from pathlib import Path

import scipy
from scipy import stats

OUT = Path("notebooks/data/worked_examples/reference.csv")

# 01: Cochran with p = 0.5, e = 0.05.
z = stats.norm.ppf(0.975)
rows = [
    ("cochran_n0_z_1.96", 1.96**2 * 0.5 * 0.5 / 0.05**2, "Python float arithmetic"),
    ("z_0.975", z, "scipy.stats.norm.ppf"),
    ("cochran_n0_exact_z", z**2 * 0.25 / 0.05**2, "scipy.stats.norm.ppf"),
    ("cochran_n_population_2000", (z**2 * 0.25 / 0.05**2) / (1 + ((z**2 * 0.25 / 0.05**2) - 1) / 2000), "scipy.stats.norm.ppf"),
]

# 04: eight answers against a normal fixed in advance, N(3, 1).
KS_VALUES = [2.0, 3.0, 3.0, 4.0, 4.0, 4.0, 5.0, 3.0]
ks = stats.kstest(KS_VALUES, "norm", args=(3.0, 1.0), method="exact")
rows += [("ks_d", ks.statistic, "scipy.stats.kstest exact"), ("ks_p", ks.pvalue, "scipy.stats.kstest exact")]

# 07: five respondents rank four options (one tie in the third row).
FRIEDMAN = [[7, 5, 9, 6], [8, 6, 9, 7], [6, 6, 8, 5], [9, 7, 8, 6], [7, 4, 9, 5]]
fr = stats.friedmanchisquare(*zip(*FRIEDMAN))
n, k = len(FRIEDMAN), len(FRIEDMAN[0])
rows += [
    ("friedman_chi2", fr.statistic, "scipy.stats.friedmanchisquare (tie-corrected)"),
    ("friedman_p", fr.pvalue, "scipy.stats.friedmanchisquare (tie-corrected)"),
    ("kendall_w", fr.statistic / (n * (k - 1)), "scipy.stats.friedmanchisquare: chi2 / (n (k - 1))"),
]
for j, rank_sum in enumerate(stats.rankdata(FRIEDMAN, axis=1).sum(axis=0)):
    rows.append((f"friedman_rank_sum_{j + 1}", rank_sum, "scipy.stats.rankdata (mid-ranks)"))

# 08: Lawshe's CVR of 9 essential of 12, and the smallest significant count
# for a panel of 12 (one-tailed exact binomial, alpha = 0.05; Ayre & Scally 2014).
rows.append(("cvr_9_of_12", (9 - 6) / 6, "Python float arithmetic"))
critical = next(ne for ne in range(13) if stats.binom.sf(ne - 1, 12, 0.5) < 0.05)
rows += [
    ("critical_essential_12", critical, "scipy.stats.binom.sf"),
    ("critical_cvr_12", (critical - 6) / 6, "scipy.stats.binom.sf"),
]

OUT.parent.mkdir(parents=True, exist_ok=True)
with OUT.open("w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["quantity", "value", "tool"])
    for quantity, value, tool in rows:
        w.writerow([quantity, repr(float(value)), f"{tool} (SciPy {scipy.__version__})"])
print(f"wrote {OUT} ({len(rows)} values)")
