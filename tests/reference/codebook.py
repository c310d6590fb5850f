"""Reference counts for analysis::codebook.

Counts of dimensions, themes, sub-themes and repetition sums computed with
pandas groupby from the codebook data files (the paper's Table 2 as
transcribed in tests/data/codebook/table2.csv, and a small hand-made
codebook). Rows with empty sub-theme and repetitions (a theme declared
without sub-themes) count as a theme with no sub-themes; only whole-number
repetitions >= 1 enter the sums, as documented in the Rust module.

Output: tests/fixtures/codebook/<name>.json.
Run from the repository root: python3 tests/reference/codebook.py
"""

import json
import os

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data", "codebook")
OUT = os.path.join(ROOT, "tests", "fixtures", "codebook")


def counts(name):
    df = pd.read_csv(os.path.join(DATA, name + ".csv"), dtype=str, keep_default_na=False)
    df = df.apply(lambda s: s.str.strip())
    df["is_sub"] = (df["subtheme"] != "") | (df["repetitions"] != "")
    reps = pd.to_numeric(df["repetitions"].where(df["is_sub"], "0"))
    df["valid_reps"] = reps.where((reps >= 1) & (reps % 1 == 0), 0).astype(int)
    themes = (
        df.groupby(["dimension", "theme"], sort=False)
        .agg(row=("row", "first"), subthemes=("is_sub", "sum"), repetitions=("valid_reps", "sum"))
        .reset_index()
    )
    dims = (
        themes.groupby("dimension", sort=False)
        .agg(themes=("theme", "count"), subthemes=("subthemes", "sum"), repetitions=("repetitions", "sum"))
        .reset_index()
    )
    return {
        "dimensions": int(len(dims)),
        "themes": int(len(themes)),
        "subthemes": int(themes["subthemes"].sum()),
        "repetitions": int(themes["repetitions"].sum()),
        "per_dimension": [
            {k: (int(v) if k != "dimension" else v) for k, v in r.items()}
            for r in dims.to_dict("records")
        ],
        "per_theme": [
            {
                "dimension": r["dimension"],
                "row": int(r["row"]),
                "theme": r["theme"],
                "subthemes": int(r["subthemes"]),
                "repetitions": int(r["repetitions"]),
            }
            for r in themes.to_dict("records")
        ],
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in ["table2", "small"]:
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(
                {"meta": {"generator": "tests/reference/codebook.py", "tool": f"pandas {pd.__version__} groupby"}, "counts": counts(name)},
                f,
                indent=1,
                ensure_ascii=False,
            )
            f.write("\n")
    print("codebook fixtures written")


if __name__ == "__main__":
    main()
