"""Reference values for the Delphi consensus module (analysis/src/delphi.rs).

Independent tools only: numpy (median, percentile with the default 'linear'
method = R type 7, mean, std with ddof=1), SciPy (binom.sf for the Ayre &
Scally 2014 critical CVR, friedmanchisquare, wilcoxon with the normal
approximation) and pingouin (Kendall's W corrected for ties).

Datasets in tests/data/delphi/ are written from a seeded generator the first
time and read back afterwards (they are committed). Rounds: one CSV per round,
rows = experts, an `expert` id column, the other columns items rated 1..5.
Run from the repository root: python3 tests/reference/delphi.py
"""

import json
import os

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

DATA = "tests/data/delphi"
OUT = "tests/fixtures/delphi"
SCALE_MAX = 5
AGREE_MIN = SCALE_MAX - 1  # top-two box
THRESHOLD = 0.75
MAX_IQR = 1.0
CV_BOUND = 0.15
ALPHA = 0.05


def write_if_absent(name, frame):
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        frame.to_csv(path, index=False, na_rep="")


def make_datasets():
    os.makedirs(DATA, exist_ok=True)
    rng = np.random.default_rng(7031)
    items = [f"item{i + 1}" for i in range(8)]
    centre = np.array([4.4, 4.1, 3.2, 3.9, 2.6, 4.6, 3.5, 3.0])
    experts = [f"E{i + 1:02d}" for i in range(15)]
    r1 = np.clip(np.round(rng.normal(centre, 0.9, size=(15, 8))), 1, 5)
    # Round 2 moves ratings towards the round-1 median (feedback effect).
    med = np.median(r1, axis=0)
    r2 = np.clip(np.round(r1 + 0.6 * (med - r1) + rng.normal(0, 0.4, size=r1.shape)), 1, 5)
    r3 = np.clip(np.round(r2 + 0.5 * (np.median(r2, axis=0) - r2)), 1, 5)
    f1 = pd.DataFrame(r1.astype(int), columns=items)
    f1.insert(0, "expert", experts)
    f1 = f1.astype(object)
    f1.loc[3, "item5"] = ""       # missing rating
    f1.loc[9, "item2"] = "NA"
    f2 = pd.DataFrame(r2.astype(int), columns=items)
    f2.insert(0, "expert", experts)
    f2 = f2.drop(index=6).sample(frac=1.0, random_state=3)  # one drop-out, rows reordered
    f3 = pd.DataFrame(r3.astype(int), columns=items)
    f3.insert(0, "expert", experts)
    f3 = f3.drop(index=[6, 11])
    write_if_absent("round1.csv", f1)
    write_if_absent("round2.csv", f2)
    write_if_absent("round3.csv", f3)
    # A small panel (N = 4: no CVR can be significant) without an id column.
    write_if_absent("small_panel.csv", pd.DataFrame(
        [[5, 4, 2], [4, 4, 3], [5, 3, 3], [4, 5, 1]], columns=["a", "b", "c"]))


def read(name):
    return pd.read_csv(os.path.join(DATA, name), na_values=["NA", ""], keep_default_na=True)


def critical_cvr(n):
    for ne in range(0, n + 1):
        if stats.binom.sf(ne - 1, n, 0.5) < ALPHA:
            return (ne - n / 2) / (n / 2), ne
    return None, None


def item_summary(values):
    x = values[~np.isnan(values)]
    n = len(x)
    q1, q3 = np.percentile(x, [25, 75])
    mean = float(np.mean(x))
    sd = float(np.std(x, ddof=1)) if n > 1 else None
    agree = int(np.sum(x >= AGREE_MIN))
    agreement = agree / n
    iqr = float(q3 - q1)
    crit, _ = critical_cvr(n)
    return {
        "n": n,
        "median": float(np.median(x)),
        "iqr": iqr,
        "mean": mean,
        "sd": sd,
        "cv": sd / mean if sd is not None else None,
        "agreement": agreement,
        "consensus": bool(agreement >= THRESHOLD and iqr <= MAX_IQR),
        "cvr": (agree - n / 2) / (n / 2),
        "cvr_critical": crit,
    }


def round_reference(number, frame, items):
    complete = frame[items].dropna().to_numpy(dtype=float)
    chi2, p = stats.friedmanchisquare(*[complete[:, j] for j in range(complete.shape[1])])
    w = float(pg.friedman(pd.DataFrame(complete, columns=items), method="chisq")["W"].iloc[0])
    return {
        "round": number,
        "n_experts": int(len(frame)),
        "kendall_w": w,
        "chi_square": float(chi2),
        "df": len(items) - 1,
        "pvalue": float(p),
        "items": [dict(item=i, **item_summary(frame[i].to_numpy(dtype=float))) for i in items],
    }


def stability(a_no, a, b_no, b, items, id_col):
    out = []
    merged = a.merge(b, on=id_col, suffixes=("_a", "_b"))
    for i in items:
        sa = item_summary(a[i].to_numpy(dtype=float))
        sb = item_summary(b[i].to_numpy(dtype=float))
        pair = merged[[f"{i}_a", f"{i}_b"]].dropna().to_numpy(dtype=float)
        d = pair[:, 1] - pair[:, 0]
        entry = {"item": i, "from_round": a_no, "to_round": b_no,
                 "cv_change": sb["cv"] - sa["cv"], "n_pairs": int(len(pair))}
        if np.any(d != 0):
            res = stats.wilcoxon(pair[:, 1], pair[:, 0], zero_method="wilcox",
                                 correction=False, method="approx")
            entry["wilcoxon_statistic"] = float(res.statistic)
            entry["pvalue"] = float(res.pvalue)
            changed = res.pvalue < ALPHA
        else:
            entry["wilcoxon_statistic"] = None
            entry["pvalue"] = None
            changed = False
        entry["stable"] = bool(abs(entry["cv_change"]) <= CV_BOUND and not changed)
        out.append(entry)
    return out


def main():
    make_datasets()
    os.makedirs(OUT, exist_ok=True)
    names = ["round1.csv", "round2.csv", "round3.csv"]
    frames = [read(n) for n in names]
    items = [c for c in frames[0].columns if c != "expert"]
    rounds = [round_reference(r + 1, f, items) for r, f in enumerate(frames)]
    stab = []
    for r in range(len(frames) - 1):
        stab += stability(r + 1, frames[r], r + 2, frames[r + 1], items, "expert")
    small = read("small_panel.csv")
    small_round = round_reference(1, small, list(small.columns))
    cvr_table = [{"n": n, "cvr_critical": critical_cvr(n)[0], "ne_critical": critical_cvr(n)[1]}
                 for n in range(1, 41)]
    with open(os.path.join(OUT, "delphi_scipy.json"), "w") as f:
        json.dump({"tools": {"numpy": np.__version__, "scipy": __import__("scipy").__version__,
                             "pingouin": pg.__version__},
                   "options": {"scale_max": SCALE_MAX, "agree_min": AGREE_MIN,
                               "agreement_threshold": THRESHOLD, "max_iqr": MAX_IQR,
                               "cv_bound": CV_BOUND, "alpha": ALPHA},
                   "rounds": rounds, "stability": stab,
                   "small_panel": small_round, "cvr_critical": cvr_table}, f, indent=1)


if __name__ == "__main__":
    main()
