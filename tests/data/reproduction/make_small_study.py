"""Writes small_study.csv (40 respondents with the study's columns) and
missing_columns.csv (the same without marital_status and D3_I2): test data
for `paraclinic reproduce --data FILE.csv`. Not the study's data.

Items: a respondent's answer to an item of dimension d is
round(3 + 0.8*f + 0.6*d_effect + noise) clipped to 1..5, with f a respondent
factor and d_effect a per-respondent dimension factor, so that dimension
scores are correlated but not collinear. Seeded: rerunning gives the same files.
"""
import csv
import random

SIZES = [12, 7, 11, 8, 12, 6, 3, 2, 6, 11]
GROUPS = {
    "gender": ["Female", "Male"],
    "marital_status": ["Single", "Married"],
    "age": ["Less than 30 years old", "30 to 40 years old", "40 to 50 years old", "Above 50 years old"],
    "education_level": ["Associate degree", "Bachelor's degree", "Master's degree and above"],
    "work_experience": ["1 to 5 years", "6 to 10 years", "11 to 15 years", "Over 16 years"],
}

rng = random.Random(20240101)
items = [f"D{d + 1}_I{k + 1}" for d, n in enumerate(SIZES) for k in range(n)]
outcome = [f"CC_I{k + 1}" for k in range(2)]
header = list(GROUPS) + items + outcome
rows = []
for r in range(40):
    row = [rng.choice(g) for g in GROUPS.values()]
    f = rng.gauss(0, 1)
    for d, n in enumerate(SIZES):
        e = rng.gauss(0, 1)
        for _ in range(n):
            x = round(3 + 0.8 * f + 0.6 * e + rng.gauss(0, 0.8))
            row.append(str(min(5, max(1, x))))
    for _ in outcome:
        row.append(str(min(5, max(1, round(3 + 0.7 * f + rng.gauss(0, 0.8))))))
    rows.append(row)
# One missing answer (NA): that respondent's score of dimension 2 is missing.
rows[5][len(GROUPS) + SIZES[0]] = "NA"

with open("small_study.csv", "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)

drop = {header.index("marital_status"), header.index("D3_I2")}
with open("missing_columns.csv", "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    for row in [header] + rows:
        w.writerow([c for i, c in enumerate(row) if i not in drop])
