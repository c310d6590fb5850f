"""Reference values for analysis::frequency.

* Counting (FrequencyTable::from_values): pandas value_counts(normalize=...)
  over tests/data/frequency/values.csv, with exactly "" and "NA" as missing
  (keep_default_na=False so pandas' longer NA list does not apply).
* Published percentages (compare_published): the paper's Table 1
  (tests/data/frequency/table1.csv) checked in EXACT rational arithmetic
  (fractions.Fraction, published values parsed as decimals): the recomputed
  percentage 100 k / N, the difference, whether |difference| <= 1/2 10^-d,
  and the whole counts k in 0..N with |100 k / N - published| <= 1/2 10^-d
  (GRIM). The Rust code works in floating point with a 1e-9 slack, so exact
  arithmetic here is an independent check of its edge handling.

Output: tests/fixtures/frequency/values.json, table1.json.
Run from the repository root: python3 tests/reference/frequency.py
"""

import csv
import json
import math
import os
from fractions import Fraction

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data", "frequency")
OUT = os.path.join(ROOT, "tests", "fixtures", "frequency")
DECIMALS = 1


def counted_columns():
    df = pd.read_csv(
        os.path.join(DATA, "values.csv"), dtype=str, keep_default_na=False
    )
    out = {}
    for col in df.columns:
        s = df[col].str.strip()
        missing = s.isin(["", "NA"])
        valid = s[~missing]
        counts = valid.value_counts(sort=False)
        percents = valid.value_counts(sort=False, normalize=True) * 100.0
        # First-appearance order, as the Rust code keeps it.
        order = list(dict.fromkeys(valid.tolist()))
        out[col] = {
            "total": int(len(valid)),
            "missing": int(missing.sum()),
            "categories": [
                {"group": g, "count": int(counts[g]), "percent": float(percents[g])}
                for g in order
            ],
        }
    return out


def table1():
    by_var = {}
    with open(os.path.join(DATA, "table1.csv"), newline="") as f:
        for r in csv.DictReader(f):
            by_var.setdefault(r["variable"], []).append(r)
    half = Fraction(1, 2 * 10**DECIMALS)
    out = []
    for var, rows in by_var.items():
        n = sum(int(r["count"]) for r in rows)
        cells = []
        for r in rows:
            k = int(r["count"])
            published = Fraction(r["published_percent"])  # exact decimal
            recomputed = Fraction(100 * k, n)
            diff = published - recomputed
            lo = max(0, math.ceil(n * (published - half) / 100))
            hi = min(n, math.floor(n * (published + half) / 100))
            cells.append(
                {
                    "group": r["group"],
                    "count": k,
                    "recomputed": float(recomputed),
                    "published": float(published),
                    "difference": float(diff),
                    "within_rounding": abs(diff) <= half,
                    "grim_consistent": lo <= hi,
                    "possible_counts": [lo, hi] if lo <= hi else None,
                }
            )
        out.append(
            {
                "variable": var,
                "total": n,
                "published_sum": float(sum(Fraction(r["published_percent"]) for r in rows)),
                "cells": cells,
            }
        )
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {
        "generator": "tests/reference/frequency.py",
        "tool": f"pandas {pd.__version__} value_counts; fractions.Fraction (exact)",
        "tolerance": "1e-9",
    }
    with open(os.path.join(OUT, "values.json"), "w") as f:
        json.dump({"meta": meta, "columns": counted_columns()}, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "table1.json"), "w") as f:
        json.dump({"meta": dict(meta, decimals=DECIMALS), "variables": table1()}, f, indent=1)
        f.write("\n")
    print("frequency fixtures written")


if __name__ == "__main__":
    main()
