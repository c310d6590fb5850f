"""Reference values for analysis::sample_size.

Independent of the Rust code: quantiles from SciPy (norm.ppf, chi2.ppf) and
the closed forms written out from the sources:

* Cochran (1977) eq. 4.2: n0 = z^2 p q / e^2, z = norm.ppf((1 + c) / 2)
  or given directly (norm.isf((1 - c) / 2), the same quantile without the
  rounding of (1 + c) / 2 near c = 1); eq. 4.3: n = n0 / (1 + (n0 - 1) / N),
  evaluated as n0 N / (n0 + (N - 1)) so that a tiny n0 is not lost.
* Yamane (1967): n = N / (1 + N e^2).
* Krejcie & Morgan (1970): s = X2 N P (1 - P) / (d^2 (N - 1) + X2 P (1 - P)),
  X2 = chi2.ppf(c, 1), or z^2 when z is given directly (a 1-df chi-square is
  a squared standard normal, so both corrections use the same level).
* Margin of error for n: e = z sqrt(p q / n) [* sqrt((N - n) / (N - 1))].

Rounding up follows the documented contract: a value within 1e-9 * max(1, x)
of a whole number counts as that number, otherwise ceil; at least 1.

Inputs: tests/data/sample_size/grid.csv (a grid over confidence, proportion,
margin, population, z given or not, n for the inverse) and
tests/data/sample_size/krejcie_morgan_1970.csv (the published table, an
independent check: Krejcie & Morgan rounded to the nearest whole number with
X2 = 3.841).

Output: tests/fixtures/sample_size/grid.json, krejcie_morgan_1970.json.
Run from the repository root: python3 tests/reference/sample_size.py
"""

import csv
import json
import math
import os

import scipy
from scipy.stats import chi2, norm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data", "sample_size")
OUT = os.path.join(ROOT, "tests", "fixtures", "sample_size")
TOL = 1e-9


def round_up(x):
    nearest = round(x)
    if abs(x - nearest) <= TOL * max(1.0, abs(x)):
        return max(1, int(nearest))
    return max(1, int(math.ceil(x)))


def case(row):
    c = float(row["confidence"])
    p = float(row["proportion"])
    e = float(row["margin"])
    z_given = row["z"] != ""
    z = float(row["z"]) if z_given else float(norm.isf((1.0 - c) / 2.0))
    big_n = int(row["population"]) if row["population"] != "" else None
    n_given = int(row["n"]) if row["n"] != "" else None
    q = 1.0 - p
    n0 = z * z * p * q / (e * e)
    out = {
        "input": {
            "confidence": c,
            "z": z if z_given else None,
            "proportion": p,
            "margin": e,
            "population": big_n,
            "n": n_given,
        },
        "z": z,
        "z_source": "given" if z_given else "confidence",
        "n0": n0,
        "n": round_up(n0),
        "fpc_n": None,
        "yamane_n": None,
        "krejcie_morgan_n": None,
        "yamane_n_ceil": None,
        "krejcie_morgan_n_ceil": None,
        "chi_square": None,
        "margin_for_n": None,
    }
    if big_n is not None:
        fpc = n0 * big_n / (n0 + (big_n - 1))
        yam = big_n / (1.0 + big_n * e * e)
        x2 = z * z if z_given else float(chi2.ppf(c, 1))
        km = x2 * big_n * p * q / (e * e * (big_n - 1) + x2 * p * q)
        out.update(
            fpc_n=fpc,
            n=round_up(fpc),
            yamane_n=yam,
            yamane_n_ceil=round_up(yam),
            krejcie_morgan_n=km,
            krejcie_morgan_n_ceil=round_up(km),
            chi_square=x2,
        )
    if n_given is not None:
        moe = z * math.sqrt(p * q / n_given)
        if big_n is not None:
            moe = 0.0 if big_n == 1 else moe * math.sqrt((big_n - n_given) / (big_n - 1))
        out["margin_for_n"] = moe
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(DATA, "grid.csv"), newline="") as f:
        cases = [case(r) for r in csv.DictReader(f)]
    meta = {
        "generator": "tests/reference/sample_size.py",
        "tool": f"SciPy {scipy.__version__} (norm.ppf, chi2.ppf) + closed forms",
        "tolerance": "1e-9 relative",
    }
    with open(os.path.join(OUT, "grid.json"), "w") as f:
        json.dump({"meta": meta, "cases": cases}, f, indent=1)
        f.write("\n")

    x2_exact = float(chi2.ppf(0.95, 1))
    rows = []
    with open(os.path.join(DATA, "krejcie_morgan_1970.csv"), newline="") as f:
        for r in csv.DictReader(f):
            big_n = int(r["population"])
            km = x2_exact * big_n * 0.25 / (0.0025 * (big_n - 1) + x2_exact * 0.25)
            km_3841 = 3.841 * big_n * 0.25 / (0.0025 * (big_n - 1) + 3.841 * 0.25)
            rows.append(
                {
                    "population": big_n,
                    "published": int(r["sample"]),
                    "krejcie_morgan_n": km,
                    "krejcie_morgan_n_chi2_3841": km_3841,
                }
            )
    with open(os.path.join(OUT, "krejcie_morgan_1970.json"), "w") as f:
        json.dump(
            {
                "meta": dict(meta, chi_square=x2_exact, proportion=0.5, margin=0.05, confidence=0.95),
                "rows": rows,
            },
            f,
            indent=1,
        )
        f.write("\n")
    print(f"{len(cases)} grid cases, {len(rows)} Krejcie-Morgan rows")


if __name__ == "__main__":
    main()
