#!/usr/bin/env python3
"""Writes the hostile-input corpus: tests/hostile/inputs/* and the case list
tests/hostile/corpus.json that tests/cli_hostile.rs runs against the binary.

Cases are generated systematically: every hostile CSV file against every
command that reads CSV, every option of every command against a set of bad
and extreme values, and hand-written cases for models, covariance files,
claims files and the defects of issue 12. Run from the repository root:

    python3 tests/hostile/generate.py            # write inputs and cases
    python3 tests/hostile/generate.py --record   # also run target/release/paraclinic
                                                 # and store each case's exit code

`--record` is how the expected exit codes were first filled in; each was then
reviewed (a 0 must print a sane result, a 2 one clear message), and cases
whose exit code is known by construction carry it here (`exit=`), which
--record checks instead of overwriting. The committed corpus.json is what CI
reads; the fuzzers' findings are added to FUZZ_FINDINGS below.
"""
import json, os, random, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IN = "tests/hostile/inputs"
os.makedirs(os.path.join(ROOT, IN), exist_ok=True)

def w(name, data):
    path = os.path.join(ROOT, IN, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return f"{IN}/{name}"

rng = random.Random(12)
BOM = b"\xef\xbb\xbf"

def likert(rows, cols, names=None, seed=1):
    r = random.Random(seed)
    names = names or [f"q{i+1}" for i in range(cols)]
    lines = [",".join(names)]
    for _ in range(rows):
        base = r.randint(1, 5)
        lines.append(",".join(str(min(5, max(1, base + r.randint(-1, 1)))) for _ in names))
    return "\n".join(lines) + "\n"

# Every CSV-reading command gets the columns a, b, c where it can.
csv_files = {
    "empty.csv": b"",
    "newlines_only.csv": b"\n\n\n",
    "header_only.csv": "a,b,c\n",
    "ragged_short.csv": "a,b,c\n1,2,3\n4,5\n6,7,8\n",
    "ragged_long.csv": "a,b,c\n1,2,3\n4,5,6,7\n",
    "binary.csv": bytes(rng.randrange(256) for _ in range(4096)),
    "invalid_utf8.csv": b"a,b,c\n1,\xff\xfe,3\n2,3,4\n",
    "nul_bytes.csv": b"a,b,c\n1,\x002,3\n2,3,4\n",
    "bom.csv": BOM + likert(20, 3, ["a", "b", "c"]).encode(),
    "bom_only.csv": BOM,
    "bom_twice.csv": BOM + BOM + b"a,b,c\n1,2,3\n",
    "huge_numbers.csv": "a,b,c\n1e200,2,3\n2e200,3,4\n3,4,5\n4,5,1\n",
    "big_but_allowed.csv": "a,b,c\n" + "".join(f"{i}e99,{(i*7)%5+1}e98,{(i*3)%4+1}\n" for i in range(1, 11)),
    "overflow_literal.csv": "a,b,c\n1e400,2,3\n2,3,4\n3,4,5\n",
    "subnormal.csv": "a,b,c\n" + "".join(f"{i}e-310,{i%3}e-310,{i}\n" for i in range(1, 10)),
    "tiny_but_allowed.csv": "a,b,c\n" + "".join(f"{i}e-90,{(i*7)%5+1}e-90,{(i*3)%4+1}\n" for i in range(1, 11)),
    "nan_inf.csv": "a,b,c\nNaN,1,2\ninf,2,3\n-inf,3,4\n1,2,3\n",
    "nan_word.csv": "a,b,c\nnan,1,2\n2,3,4\n3,4,5\n",
    "decimal_comma.csv": "a;b;c\n1,5;2;3\n2,5;3;4\n",
    "semicolon.csv": likert(15, 3, ["a", "b", "c"]).replace(",", ";"),
    "tab.csv": likert(15, 3, ["a", "b", "c"]).replace(",", "\t"),
    "crlf.csv": likert(15, 3, ["a", "b", "c"]).replace("\n", "\r\n"),
    "cr_only.csv": likert(15, 3, ["a", "b", "c"]).replace("\n", "\r"),
    "long_cell.csv": "a,b,c\n" + "9" * 2_000_000 + ",1,2\n2,3,4\n3,4,5\n",
    "long_text_cell.csv": "a,b,c\n" + "x" * 200_000 + ",1,2\n2,3,4\n3,4,5\n",
    "long_header.csv": "a,b," + "c" * 100_000 + "\n1,2,3\n2,3,4\n",
    "duplicate_header.csv": "a,a,c\n1,2,3\n2,3,4\n",
    "empty_header_name.csv": "a,,c\n1,2,3\n2,3,4\n",
    "blank_header.csv": ",,\n1,2,3\n",
    "all_missing.csv": "a,b,c\nNA,NA,NA\n,,\nNA,,\n",
    "one_row.csv": "a,b,c\n1,2,3\n",
    "two_rows.csv": "a,b,c\n1,2,3\n2,1,3\n",
    "three_rows.csv": "a,b,c\n1,2,3\n2,1,3\n3,3,1\n",
    "constant.csv": "a,b,c\n" + "3,3,3\n" * 12,
    "one_constant_column.csv": "a,b,c\n" + "".join(f"{i%5+1},3,{(i*3)%5+1}\n" for i in range(12)),
    "quoted_newlines.csv": 'a,b,c\n"1\n2",3,4\n2,3,4\n3,4,5\n',
    "unterminated_quote.csv": 'a,b,c\n"1,2,3\n2,3,4\n',
    "control_chars.csv": "a,b\x01,c\n1,2,3\n2,3,4\n3,4,1\n",
    "text_values.csv": "a,b,c\nyes,no,maybe\nno,yes,yes\nyes,yes,no\n",
    "whitespace.csv": "a , b ,c\n 1 , 2 ,3\n 2, 3 ,4 \n3 ,4, 5\n4,1,2\n",
    "signed_values.csv": "a,b,c\n-0,+1,1e0\n2,-3,4\n+3,4,-5\n4,5,6\n",
    "hex_values.csv": "a,b,c\n0x10,2,3\n2,3,4\n",
    "wide.csv": ",".join(["a", "b", "c"] + [f"v{i}" for i in range(300)]) + "\n"
        + "".join(",".join(str((i * j) % 5 + 1) for j in range(303)) + "\n" for i in range(6)),
    "long.csv": "a,b,c\n" + "".join(f"{rng.randint(1,5)},{rng.randint(1,5)},{rng.randint(1,5)}\n" for _ in range(20000)),
    "valid_likert.csv": likert(30, 3, ["a", "b", "c"], seed=5),
    "ties_everywhere.csv": "a,b,c\n" + "2,2,2\n" * 10,
    "missing_mixed.csv": "a,b,c\n1,,3\nNA,2,3\n3,4,\n4,5,6\n5,1,2\n2,2,2\n3,5,1\n",
}
csv_paths = {name: w(name, data) for name, data in csv_files.items()}
csv_paths["nonexistent.csv"] = f"{IN}/does_not_exist.csv"
csv_paths["directory"] = IN
csv_paths["dev_null"] = "/dev/null"

cases = []

def case(name, args, exit=None, stderr=None, stdin=None, stdout=None):
    assert not any(c["name"] == name for c in cases), name
    c = {"name": name, "args": args, "expected_exit": exit}
    if stderr:
        c["stderr_contains"] = stderr
    if stdout:
        c["stdout_contains"] = stdout
    if stdin:
        c["stdin"] = stdin
    cases.append(c)

# 1. Every hostile CSV against every command that reads CSV.
csv_commands = {
    "frequencies": lambda f: ["frequencies", f, "--column", "a"],
    "normality": lambda f: ["normality", f, "--columns", "a,b,c"],
    "correlate": lambda f: ["correlate", f, "--columns", "a,b,c"],
    "reliability": lambda f: ["reliability", f, "--columns", "a,b,c"],
    "friedman": lambda f: ["friedman", f, "--columns", "a,b,c"],
    "delphi": lambda f: ["delphi", f],
}
for fname, path in csv_paths.items():
    for cmd, make in csv_commands.items():
        case(f"{cmd}/{fname}", make(path))
# The same files as data of the other file-reading commands.
for fname in ["empty.csv", "binary.csv", "invalid_utf8.csv", "ragged_short.csv", "bom.csv",
              "long_cell.csv", "huge_numbers.csv", "subnormal.csv", "nonexistent.csv", "directory"]:
    case(f"sem-data/{fname}", ["sem", "--model", f"{IN}/three_items.lav", "--data", csv_paths[fname]])
    case(f"reproduce-data/{fname}", ["reproduce", "--out", "{tmp}/out", "--data", csv_paths[fname]])

# 2. Options with bad and extreme values.
bad_floats = ["NaN", "inf", "-inf", "-Infinity", "-1e-400", "-1", "0", "1", "1e-300", "5e-324", "1e308", "1e309", "abc", "", "0x10", "1,5", "9" * 400]
for flag in ["--confidence", "--proportion", "--margin", "--z"]:
    for v in bad_floats:
        case(f"sample-size{flag}={v[:20]}", ["sample-size", flag, v])
for flag in ["--population", "--n"]:
    for v in ["-1", "0", "1", "1.5", "1e15", "1e16", "18446744073709551615", "18446744073709551616", "abc", "", "9" * 400]:
        case(f"sample-size{flag}={v[:20]}", ["sample-size", flag, v])
case("sample-size/defaults", ["sample-size"], exit=0)
case("sample-size/json", ["sample-size", "--json"], exit=0)
case("sample-size/margin-1e-15 (issue 12)", ["sample-size", "--margin", "1e-15"], exit=2, stderr="exceeds 1e15")
case("sample-size/z-1e308 (issue 12)", ["sample-size", "--z", "1e308"], exit=2, stderr="--z")
case("sample-size/z-40-margin-tiny", ["sample-size", "--z", "40", "--margin", "1e-7"], exit=2, stderr="exceeds 1e15")
case("sample-size/z-40-largest-ok", ["sample-size", "--z", "40", "--margin", "1e-6"], exit=0)
case("sample-size/largest", ["sample-size", "--margin", "1e-6", "--population", "1000000000000000"], exit=0)
case("sample-size/n-above-population", ["sample-size", "--n", "10", "--population", "5"], exit=2, stderr="--n")
case("sample-size/census", ["sample-size", "--n", "5", "--population", "5"], exit=0)
case("sample-size/population-1", ["sample-size", "--population", "1"], exit=0)
case("sample-size/confidence-near-1", ["sample-size", "--confidence", "0.9999999999999999"], exit=0)
case("sample-size/unknown-flag", ["sample-size", "--bogus"], exit=2)
# sample-size --sem (issue 15): every option against bad and extreme values.
for flag in ["--rmsea0", "--rmsea1", "--alpha", "--power"]:
    for v in bad_floats:
        case(f"sample-size-sem{flag}={v[:20]}", ["sample-size", "--sem", "--df", "10", flag, v])
for v in ["-1", "0", "1", "1.5", "1e6", "1e7", "18446744073709551616", "abc", "", "9" * 400]:
    case(f"sample-size-sem--df={v[:20]}", ["sample-size", "--sem", "--df", v])
for v in ["-1", "0", "1", "2", "1e9", "1e10", "abc"]:
    case(f"sample-size-sem--n={v[:20]}", ["sample-size", "--sem", "--df", "10", "--n", v])
case("sample-size-sem/defaults-need-df", ["sample-size", "--sem"], exit=2, stderr="--df")
case("sample-size-sem/df-335", ["sample-size", "--sem", "--df", "335", "--json"], exit=0, stdout='"n": 62,')
case("sample-size-sem/not-close-fit", ["sample-size", "--sem", "--df", "20", "--rmsea1", "0.01"], exit=0)
case("sample-size-sem/equal-rmsea", ["sample-size", "--sem", "--df", "10", "--rmsea0", "0.08"], exit=2, stderr="different from rmsea0")
case("sample-size-sem/power-below-alpha", ["sample-size", "--sem", "--df", "10", "--power", "0.04"], exit=2, stderr="above alpha")
case("sample-size-sem/too-close", ["sample-size", "--sem", "--df", "1", "--rmsea1", "0.0500001"], exit=2, stderr="too close")
case("sample-size-sem/largest-df-n", ["sample-size", "--sem", "--df", "1e6", "--n", "1e9", "--json"], exit=0)
case("sample-size-sem/huge-ncp", ["sample-size", "--sem", "--df", "3000", "--rmsea1", "0.05001", "--n", "1e7"], exit=0)
case("sample-size-sem/power-and-n", ["sample-size", "--sem", "--df", "10", "--power", "0.8", "--n", "100"], exit=2)
case("sample-size-sem/with-margin", ["sample-size", "--sem", "--df", "10", "--margin", "0.1"], exit=2)
case("sample-size-sem/df-without-sem", ["sample-size", "--df", "10"], exit=2)

F = csv_paths["valid_likert.csv"]
for v in ["NaN", "-1", "2", "1e-300", "inf", "abc", "0", "1"]:
    case(f"correlate/--threshold={v}", ["correlate", F, "--threshold", v])
for v in ["kendall", "", "PEARSON"]:
    case(f"correlate/--method={v}", ["correlate", F, "--method", v], exit=2)
for v in ["none", ""]:
    case(f"correlate/--missing={v}", ["correlate", F, "--missing", v], exit=2)
case("correlate/spearman-pairwise", ["correlate", csv_paths["missing_mixed.csv"], "--method", "spearman", "--missing", "pairwise"])
case("correlate/subnormal-message (issue 12)", ["correlate", csv_paths["subnormal.csv"]], exit=2, stderr="subnormal.csv, line 2")

column_lists = {"dup": "a,a", "empty": "", "commas": ",,,", "unknown": "a,zz", "spaces": " a , b ", "long": "a," + "z" * 100_000,
                "bom": "\ufeffa,b", "one": "a", "all": "a,b,c"}
for cmd in ["normality", "correlate", "reliability", "friedman"]:
    for label, v in column_lists.items():
        case(f"{cmd}/--columns={label}", [cmd, F, "--columns", v])
case("reliability/--columns-a,a (issue 12)", ["reliability", F, "--columns", "a,a"], exit=2, stderr="listed twice")
for v in ["", "zz", "z" * 100_000, "\ufeffa"]:
    case(f"frequencies/--column={v[:12]}", ["frequencies", F, "--column", v])

for v in ["0", "1", "-0.05", "NaN", "1e-300", "1e-9", "0.5", "0.999", "inf", "abc"]:
    case(f"friedman/--alpha={v}", ["friedman", F, "--alpha", v])
case("friedman/alpha-1e-300 (issue 12)", ["friedman", F, "--alpha", "1e-300"], exit=2, stderr="--alpha")

D1 = "tests/data/delphi/round1.csv"
D2 = "tests/data/delphi/round2.csv"
delphi_opts = {
    "--scale-min": ["5", "NaN", "-1e308", "1e308", "abc"],
    "--scale-max": ["1", "NaN", "1e308", "inf", "-5"],
    "--agreement-threshold": ["-0.1", "1.5", "NaN", "0", "1"],
    "--agree-min": ["0", "6", "1e308", "NaN", "-1"],
    "--max-iqr": ["-1", "NaN", "inf", "1e308", "0"],
    "--stability-cv": ["-1", "NaN", "inf", "0"],
    "--alpha": ["0", "1", "1e-300", "NaN", "0.5"],
}
for flag, values in delphi_opts.items():
    for v in values:
        case(f"delphi{flag}={v}", ["delphi", D1, D2, "--id-column", "expert", flag, v])
case("delphi/id-column-missing", ["delphi", D1, D2, "--id-column", "nobody"], exit=2)
case("delphi/id-column-ok", ["delphi", D1, D2, "--id-column", "expert"], exit=0)
case("delphi/rounds-mismatch", ["delphi", D1, F, "--id-column", "expert"], exit=2)
case("delphi/same-round-twice", ["delphi", D1, D1, "--id-column", "expert"], exit=0)
case("delphi/text-id-without-id-column", ["delphi", D1, D1], exit=2, stderr="column \"expert\"")
case("delphi/309-digit-bound (issue 12)", ["delphi", D1, "--id-column", "expert", "--agree-min", "6", "--scale-max", "1e308"], exit=0)
case("delphi/309-digit-bound-message (issue 12)", ["delphi", D1, "--id-column", "expert", "--agree-min", "-1", "--scale-max", "1e308"], exit=2, stderr="from 1 to 1e308")
case("delphi/max-iqr-negative (issue 12)", ["delphi", D1, "--id-column", "expert", "--max-iqr", "-1"], exit=2, stderr="a finite number ≥ 0")

# 3. SEM: models, covariance files, options.
HS = "tests/data/sem/holzinger_swineford.csv"
HSC = "tests/data/sem/holzinger_swineford_cov.csv"
models = {
    "three_items.lav": "f =~ a + b + c\n",
    "hs.lav": "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n",
    "cycle2.lav": "f =~ g\ng =~ f\n",
    "cycle3.lav": "f =~ g\ng =~ h\nh =~ f\n",
    "only_latent_cov.lav": "f =~ g\nf ~~ g\n",
    "single_indicator.lav": "f =~ x1\n",
    "just_identified.lav": "f =~ x1 + x2 + x3\n",
    "two_labels.lav": "f =~ x1 + a*b*1*x2 + x3\n",
    "two_fixed.lav": "f =~ x1 + 1*2*x2 + x3\n",
    "fixed_and_na.lav": "f =~ x1 + 1*NA*x2 + x3\n",
    "two_starts.lav": "f =~ x1 + start(1)*start(2)*x2 + x3\n",
    "label_and_start.lav": "f =~ x1 + start(0.8)*a*x2 + x3\n",
    "empty.lav": "",
    "comments_only.lav": "# nothing\n  # here\n",
    "unknown_variable.lav": "f =~ x1 + x2 + nope\n",
    "intercept.lav": "x1 ~ 1\n",
    "formative.lav": "f <~ x1 + x2\n",
    "defined.lav": "f =~ x1 + a*x2 + x3\nd := a*2\n",
    "unbalanced.lav": "f =~ x1 + start(0.5*x2 + x3\n",
    "dangling_plus.lav": "f =~ x1 + x2 +\n",
    "no_rhs.lav": "f =~\n",
    "self_loop.lav": "x1 ~ x1\n",
    "self_indicator.lav": "f =~ f + x1 + x2\n",
    "duplicate.lav": "f =~ x1 + x2 + x3\nf =~ x2\n",
    "huge_fixed.lav": "f =~ x1 + 1e308*x2 + x3\n",
    "overflow_fixed.lav": "f =~ x1 + 1e400*x2 + x3\n",
    "nan_fixed.lav": "f =~ x1 + NaN*x2 + x3\n",
    "negative_variance_start.lav": "f =~ x1 + x2 + x3\nx1 ~~ start(-5)*x1\nf ~~ start(-1)*f\n",
    "fixed_negative_variance.lav": "f =~ x1 + x2 + x3\nf ~~ -1*f\n",
    "zero_loadings.lav": "f =~ 0*x1 + 0*x2 + 0*x3\n",
    "not_identified.lav": "f =~ NA*x1 + x2 + x3\n",
    "latent_is_column.lav": "x1 =~ x2 + x3 + x4\n",
    "long_name.lav": "f =~ " + "x" * 100_000 + " + x2 + x3\n",
    "bom.lav": "\ufefff =~ x1 + x2 + x3\n",
    "control_chars.lav": "f =~ x1 + x\x01 + x3\n",
    "many_factors.lav": "".join(f"f{i} =~ x1 + x2 + x3\n" for i in range(40)),
    "deep_regressions.lav": "".join(f"x{i+1} ~ x{i}\n" for i in range(1, 9)),
    "multigroup.lav": "f =~ x1 + c(a, b)*x2 + x3\n",
    "efa.lav": "efa(\"e\")*f1 =~ x1 + x2 + x3\n",
    "semicolons.lav": "f =~ x1 + x2 + x3; g =~ x4 + x5 + x6",
    "operators_only.lav": "=~ ~ ~~ + *\n",
    "star_only.lav": "f =~ *x1\n",
    "regression_on_latent_cycle.lav": "f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6\nf ~ g\ng ~ f\n",
}
model_paths = {name: w(name, text) for name, text in models.items()}
model_paths["binary.lav"] = w("binary.lav", bytes(rng.randrange(256) for _ in range(2048)))
model_paths["invalid_utf8.lav"] = w("invalid_utf8.lav", b"f =~ x1 + \xff + x3\n")
for name, path in model_paths.items():
    case(f"sem-model/{name}/data", ["sem", "--model", path, "--data", HS])
for name in ["cycle2.lav", "cycle3.lav", "single_indicator.lav", "just_identified.lav", "hs.lav", "two_labels.lav",
             "negative_variance_start.lav", "empty.lav", "bom.lav"]:
    case(f"sem-model/{name}/cov", ["sem", "--model", model_paths[name], "--cov", HSC, "--nobs", "301"])
case("sem/cycle-panic (issue 12)", ["sem", "--model", model_paths["cycle2.lav"], "--data", HS], exit=2, stderr="observed variable")
case("sem/two-labels (issue 12)", ["sem", "--model", model_paths["two_labels.lav"], "--data", HS], exit=2, stderr="line 1, column")
case("sem/single-indicator-cfi (issue 12)", ["sem", "--model", model_paths["single_indicator.lav"], "--data", HS, "--json"], exit=0, stdout='"cfi": 1.0,')
case("sem/start-values-named (issue 12)", ["sem", "--model", model_paths["fixed_negative_variance.lav"], "--data", HS], exit=2, stderr="f ~~ f")

for v in ["-1", "0", "1", "2", "3", "1.5", "1e8", "1e9", "1e10", "1e15", "18446744073709551615", "18446744073709551616", "abc", "", "NaN", "9" * 400]:
    case(f"sem/--nobs={v[:20]}", ["sem", "--model", model_paths["hs.lav"], "--cov", HSC, "--nobs", v])
for v in ["1e8", "1e9"]:
    # χ² = 8192 with df 0 before issue 12: N times the optimiser's rounding.
    case(f"sem/just-identified-nobs={v}", ["sem", "--model", model_paths["just_identified.lav"], "--cov", HSC, "--nobs", v, "--json"], exit=0, stdout='"chisq": 0.0,')
# The RMSEA interval at N = 1e9 took minutes and GBs before issue 12.
case("sem/rmsea-ci-nobs-1e9 (issue 12)", ["sem", "--model", model_paths["hs.lav"], "--cov", HSC, "--nobs", "1000000000", "--json"], exit=0, stdout='"rmsea_ci_lower": 0.1086')
case("sample-size/margin-tiny-ok", ["sample-size", "--margin", "1e-6", "--json"], exit=0, stdout='"n": 960364705174,')
for v in ["-1", "0", "1", "1e6", "abc", "100001"]:
    case(f"sem/--bootstrap={v}", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--bootstrap", v])
case("sem/bootstrap-with-cov", ["sem", "--model", model_paths["hs.lav"], "--cov", HSC, "--nobs", "301", "--bootstrap", "10"], exit=2)
for v in ["-1", "abc", "18446744073709551616", "1.5"]:
    case(f"sem/--seed={v}", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--seed", v], exit=2)
case("sem/--likelihood=bad", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--likelihood", "bayes"], exit=2)
for v in ["WLSM", "ULSMV", "bayes", ""]:
    case(f"sem/--estimator={v}", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--estimator", v], exit=2)
# Least squares on continuous data (issue 14 item 3).
for v in ["WLSMV", "DWLS", "ULS", "GLS"]:
    case(f"sem/--estimator={v}-continuous", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--estimator", v, "--json"], exit=0, stdout='"chisq"')
case("sem/gls-with-cov", ["sem", "--model", model_paths["hs.lav"], "--cov", HSC, "--nobs", "301", "--estimator", "GLS"], exit=0)
case("sem/dwls-with-cov", ["sem", "--model", model_paths["hs.lav"], "--cov", HSC, "--nobs", "301", "--estimator", "DWLS"], exit=2, stderr="raw data")
case("sem/wlsmv-bootstrap", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--estimator", "WLSMV", "--bootstrap", "10"], exit=2)
case("sem/uls-wishart", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--estimator", "ULS", "--likelihood", "wishart"], exit=2)
# Ordered indicators: bad columns and options, each with a message that
# names the file, column, value and what was expected.
ord_ok = likert(80, 4, ["a", "b", "c", "d"], seed=7)
ord_rows = [l.split(",") for l in ord_ok.strip().split("\n")]
def ord_with(column, values):
    rows = [r[:] for r in ord_rows]
    for i, r in enumerate(rows[1:]):
        r[column] = values(i)
    return "\n".join(",".join(r) for r in rows) + "\n"
ord_paths = {
    "ok": w("ord_ok.csv", ord_ok),
    "one_category": w("ord_one_category.csv", ord_with(2, lambda i: "3")),
    "non_integer": w("ord_non_integer.csv", ord_with(1, lambda i: "2.5" if i == 17 else ord_rows[i + 1][1])),
    "all_missing": w("ord_all_missing.csv", ord_with(3, lambda i: "NA")),
    "constant_d": w("ord_constant_d.csv", ord_with(3, lambda i: "4.5")),
    "two_categories": w("ord_two_categories.csv", ord_with(0, lambda i: "1" if int(ord_rows[i + 1][0]) <= 3 else "2")),
    "covariate_constant": w("ord_covariate_constant.csv", ord_with(0, lambda i: "3")),
    "covariate_some_missing": w("ord_covariate_some_missing.csv", ord_with(0, lambda i: "NA" if i % 9 == 4 else ord_rows[i + 1][0])),
    "covariate_all_missing": w("ord_covariate_all_missing.csv", ord_with(0, lambda i: "NA")),
}
ord_models = {
    "cfa": w("ord_cfa.lav", "f =~ a + b + c + d\n"),
    "t9": w("ord_t9.lav", "f =~ a + b + c + d\na | t9\n"),
    "t0": w("ord_t0.lav", "f =~ a + b + c + d\na | t0\n"),
    "tname": w("ord_tname.lav", "f =~ a + b + c + d\na | x1\n"),
    "t_twice": w("ord_t_twice.lav", "f =~ a + b + c + d\na | t1 + t1\n"),
    "t_fixed": w("ord_t_fixed.lav", "f =~ a + b + c + d\na | -1*t1\n"),
    "intercept": w("ord_intercept.lav", "f =~ a + b + c + d\na ~ 1\n"),
    "resvar": w("ord_resvar.lav", "f =~ a + b + c + d\na ~~ a\n"),
    "three": w("ord_three.lav", "f =~ b + c + d\n"),
    "predictor": w("ord_predictor.lav", "f =~ b + c + d\nf ~ a\n"),
    "latent_mean": w("ord_latent_mean.lav", "f =~ a + b + c + d\nf ~ NA*1\n"),
}
def ordered(name, model, data, flags, **kw):
    case(f"sem-ordered/{name}", ["sem", "--model", ord_models[model], "--data", ord_paths[data]] + flags, **kw)
ordered("ok", "cfa", "ok", ["--ordered-all", "--json"], exit=0, stdout='"chisq_scaled"')
ordered("ok-list", "cfa", "ok", ["--ordered", "a,b,c,d"], exit=0)
for est in ["DWLS", "ULS", "wlsmv"]:
    ordered(f"ok-{est}", "cfa", "ok", ["--ordered-all", "--estimator", est], exit=0)
ordered("ok-meanstructure", "cfa", "ok", ["--ordered-all", "--meanstructure"], exit=0)
ordered("ok-two-categories", "cfa", "two_categories", ["--ordered-all", "--json"], exit=0, stdout='"converged": true')
ordered("ok-fixed-threshold", "t_fixed", "ok", ["--ordered-all"], exit=0)
ordered("one-category", "cfa", "one_category", ["--ordered-all"], exit=2, stderr="at least 2 observed categories")
ordered("non-integer", "cfa", "non_integer", ["--ordered-all"], exit=2, stderr="2.5")
ordered("all-missing", "cfa", "all_missing", ["--ordered-all"], exit=2, stderr="missing in every")
ordered("too-many-thresholds", "t9", "ok", ["--ordered-all"], exit=2, stderr="a | t9")
ordered("threshold-t0", "t0", "ok", ["--ordered-all"], exit=2, stderr="a | t0")
ordered("threshold-name", "tname", "ok", ["--ordered-all"], exit=2, stderr="a | x1")
ordered("threshold-twice", "t_twice", "ok", ["--ordered-all"], exit=2, stderr="once")
ordered("threshold-not-ordered", "t9", "ok", [], exit=2, stderr="--ordered")
ordered("gls", "cfa", "ok", ["--ordered-all", "--estimator", "GLS"], exit=2, stderr="continuous")
ordered("mlm", "cfa", "ok", ["--ordered-all", "--estimator", "MLM"], exit=2, stderr="continuous")
ordered("ml", "cfa", "ok", ["--ordered-all", "--estimator", "ML"], exit=2, stderr="continuous")
ordered("wishart", "cfa", "ok", ["--ordered-all", "--likelihood", "wishart"], exit=2)
ordered("modindices", "cfa", "ok", ["--ordered-all", "--modindices"], exit=2)
ordered("bootstrap", "cfa", "ok", ["--ordered-all", "--bootstrap", "10"], exit=2)
ordered("free-intercept", "intercept", "ok", ["--ordered-all"], exit=2, stderr="fixed at 0")
ordered("free-residual-variance", "resvar", "ok", ["--ordered-all"], exit=2, stderr="delta parameterization")
ordered("ordered-predictor", "predictor", "ok", ["--ordered-all"], exit=2, stderr="predicts")
ordered("free-latent-mean", "latent_mean", "ok", ["--ordered-all"], exit=2, stderr="latent means")
# Some ordered, the rest continuous (lavaan's ordered = c("a", "b")).
ordered("some-ordered", "cfa", "ok", ["--ordered", "a,b", "--json"], exit=0, stdout='"chisq_scaled"')
ordered("one-ordered", "cfa", "ok", ["--ordered", "a"], exit=0)
ordered("mixed-dwls", "cfa", "ok", ["--ordered", "a,b", "--estimator", "DWLS"], exit=0)
ordered("mixed-not-in-model", "three", "ok", ["--ordered", "a,b"], exit=2, stderr="observed variable of the model (b, c, d)")
ordered("mixed-constant-continuous", "cfa", "constant_d", ["--ordered", "a,b,c"], exit=2, stderr="constant")
# Ordered items on an observed numeric covariate (lavaan's conditional.x).
ordered("covariate", "predictor", "ok", ["--ordered", "b,c,d", "--json"], exit=0, stdout='"chisq_scaled"')
ordered("covariate-constant", "predictor", "covariate_constant", ["--ordered", "b,c,d"], exit=2, stderr="the column is constant")
ordered("covariate-some-missing", "predictor", "covariate_some_missing", ["--ordered", "b,c,d", "--json"], exit=0, stdout='"converged": true')
ordered("covariate-all-missing", "predictor", "covariate_all_missing", ["--ordered", "b,c,d"], exit=2, stderr="0 complete observation")
ordered("covariate-with-continuous-indicator", "predictor", "ok", ["--ordered", "b,c"], exit=2, stderr="continuous indicators (d) together with observed covariates")
ordered("mixed-threshold-on-continuous", "t9", "ok", ["--ordered", "b,c"], exit=2, stderr="declare a ordered")
ordered("mixed-gls", "cfa", "ok", ["--ordered", "a,b", "--estimator", "GLS"], exit=2, stderr="continuous")
ordered("mixed-ordered-predictor", "predictor", "ok", ["--ordered", "a"], exit=2, stderr="predicts")
ordered("mixed-one-category", "cfa", "one_category", ["--ordered", "c"], exit=2, stderr="at least 2 observed categories")
ordered("unknown-column", "cfa", "ok", ["--ordered", "a,b,c,zz"], exit=2, stderr="zz")
ordered("empty-name", "cfa", "ok", ["--ordered", "a,,b"], exit=2, stderr="none empty")
ordered("twice", "cfa", "ok", ["--ordered", "a,b,a"], exit=2, stderr="each column once")
ordered("both-flags", "cfa", "ok", ["--ordered", "a", "--ordered-all"], exit=2)
case("sem-ordered/with-cov", ["sem", "--model", ord_models["cfa"], "--cov", HSC, "--nobs", "301", "--ordered-all"], exit=2, stderr="raw data")
case("sem/mlm-with-cov", ["sem", "--model", model_paths["hs.lav"], "--cov", HSC, "--nobs", "301", "--estimator", "MLM"], exit=2)
case("sem/mlr-wishart", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--estimator", "MLR", "--likelihood", "wishart"], exit=2)
case("sem/mlr-bootstrap", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--estimator", "MLR", "--bootstrap", "10"], exit=2)
case("sem/mlm-modindices", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--estimator", "MLM", "--modindices"], exit=2)
case("sem/meanstructure-with-cov", ["sem", "--model", model_paths["hs.lav"], "--cov", HSC, "--nobs", "301", "--meanstructure"], exit=2)
case("sem/meanstructure-wishart", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--meanstructure", "--likelihood", "wishart"], exit=2)
case("sem/mlr-meanstructure-ok", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--estimator", "mlr", "--meanstructure", "--json"], exit=0, stdout='"chisq_scaled"')
case("sem/no-input", ["sem", "--model", model_paths["hs.lav"]], exit=2)

# --missing ml (issue 14 item 4): incomplete data that full-information ML
# must take or refuse with a clear message.
hs_lines = open(os.path.join(ROOT, HS)).read().splitlines()
def hs_with(name, edit):
    """HS data with edit(row index, cells) applied to each data row."""
    out = [hs_lines[0]]
    for i, line in enumerate(hs_lines[1:]):
        cells = line.split(",")
        edit(i, cells)
        out.append(",".join(cells))
    return w(name, "\n".join(out) + "\n")
def blank(cols, rows):
    def edit(i, cells):
        if rows(i):
            for c in cols:
                cells[c] = ""
    return edit
fiml = ["--missing", "ml"]
x3_gone = hs_with("fiml_x3_all_missing.csv", blank([2], lambda i: True))
empty_rows = hs_with("fiml_empty_rows.csv", blank(range(9), lambda i: i in (4, 40, 200)))
one_per_pattern = hs_with("fiml_one_case_per_pattern.csv", blank([0], lambda i: i == 7))
x1_once = hs_with("fiml_x1_observed_once.csv", blank([0], lambda i: i > 0))
never_together = hs_with("fiml_never_together.csv", lambda i, c: c.__setitem__(0 if i % 2 else 1, ""))
one_case = hs_with("fiml_one_case.csv", blank(range(9), lambda i: i > 0))
text_cell = hs_with("fiml_text_cell.csv", lambda i, c: c.__setitem__(4, "n/a?") if i == 9 else None)
fixed_x = w("fiml_fixed_x.lav", "f =~ x1 + x2 + x3\nf ~ x4\n")
case("sem-missing/variable-missing-everywhere", ["sem", "--model", model_paths["hs.lav"], "--data", x3_gone] + fiml, exit=2, stderr="missing for every case")
case("sem-missing/empty-cases-left-out", ["sem", "--model", model_paths["hs.lav"], "--data", empty_rows, "--json"] + fiml, exit=0, stderr="3 case(s) with no value", stdout='"empty_cases": 3')
case("sem-missing/empty-cases-listwise", ["sem", "--model", model_paths["hs.lav"], "--data", empty_rows], exit=0, stderr="listwise deletion")
case("sem-missing/a-pattern-of-one-case", ["sem", "--model", model_paths["hs.lav"], "--data", one_per_pattern, "--json"] + fiml, exit=0, stdout='"npatterns": 2')
case("sem-missing/complete-data", ["sem", "--model", model_paths["hs.lav"], "--data", HS] + fiml, exit=0, stdout="Number of missing patterns  1")
case("sem-missing/variable-observed-once", ["sem", "--model", model_paths["hs.lav"], "--data", x1_once] + fiml, exit=2, stderr="observed in only 1 case")
# lavaan fits it too (same χ² = 71.384 on 24 df) and warns of 0% coverage.
case("sem-missing/pair-never-observed-together", ["sem", "--model", model_paths["hs.lav"], "--data", never_together] + fiml, exit=0, stderr="never observed together (0% coverage): x1–x2", stdout="71.384")
# With MLR the scaled test needs the unrestricted model's information, which
# a zero-coverage pair makes singular: the fit stands, the scaled test is null.
case("sem-missing/pair-never-observed-together-mlr", ["sem", "--model", model_paths["hs.lav"], "--data", never_together, "--estimator", "MLR", "--json"] + fiml, exit=0, stderr="0% coverage", stdout='"chisq_scaled": null')
case("sem-missing/one-case", ["sem", "--model", model_paths["hs.lav"], "--data", one_case] + fiml, exit=2, stderr="at least 2")
case("sem-missing/text-cell", ["sem", "--model", model_paths["hs.lav"], "--data", text_cell] + fiml, exit=2, stderr="line 11")
case("sem-missing/with-cov", ["sem", "--model", model_paths["hs.lav"], "--cov", HSC, "--nobs", "301"] + fiml, exit=2, stderr="raw data")
case("sem-missing/mlr", ["sem", "--model", model_paths["hs.lav"], "--data", empty_rows, "--estimator", "MLR"] + fiml, exit=0, stdout="Yuan-Bentler correction (Mplus variant)")
case("sem-missing/mlm", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--estimator", "MLM"] + fiml, exit=2, stderr="MLM with --missing ml is not allowed")
case("sem-missing/wlsmv", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--estimator", "WLSMV"] + fiml, exit=2, stderr="WLSMV with --missing ml is not supported")
case("sem-missing/wishart", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--likelihood", "wishart"] + fiml, exit=2, stderr="normal likelihood")
case("sem-missing/bootstrap", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--bootstrap", "10"] + fiml, exit=2, stderr="bootstrap")
case("sem-missing/modindices", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--modindices"] + fiml, exit=2, stderr="modification indices")
case("sem-missing/fixed-covariate", ["sem", "--model", fixed_x, "--data", HS] + fiml, exit=2, stderr="fixed exogenous covariates (x4)")
case("sem-missing/group-is-a-model-variable", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--group", "x1"] + fiml, exit=2, stderr="--group")
# --missing ml with --group (issue 15 item 1): each group's data must carry
# its own likelihood, so what is fine overall can be hostile within a group.
G2 = "tests/data/sem/groups2_mcar.csv"
g2_lines = open(os.path.join(ROOT, G2)).read().splitlines()
def g2_with(name, edit):
    """groups2_mcar with edit(row index, cells) applied to each data row (cells[0] is the group)."""
    out = [g2_lines[0]]
    for i, line in enumerate(g2_lines[1:]):
        cells = line.split(",")
        edit(i, cells)
        out.append(",".join(cells))
    return w(name, "\n".join(out) + "\n")
def in_group(label, cols):
    def edit(i, cells):
        if cells[0] == f'"{label}"':
            for c in cols:
                cells[c] = ""
    return edit
g2_model = w("fiml_groups.lav", "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\n")
x3_gone_in_men = g2_with("fiml_groups_x3_missing_in_one_group.csv", in_group("men", [3]))
men_empty = g2_with("fiml_groups_one_group_all_empty.csv", in_group("men", range(1, 7)))
men_seen = []
def one_man(i, cells):
    if cells[0] == '"men"':
        men_seen.append(i)
        if len(men_seen) > 1:
            for c in range(1, 7):
                cells[c] = ""
men_once = g2_with("fiml_groups_one_case_in_a_group.csv", one_man)
group_blank = g2_with("fiml_groups_blank_group.csv", lambda i, c: c.__setitem__(0, "") if i == 5 else None)
one_group = g2_with("fiml_groups_one_value.csv", lambda i, c: c.__setitem__(0, '"men"'))
gm = ["sem", "--model", g2_model, "--group", "grp"] + fiml
case("sem-missing-groups/ok-mlr", gm + ["--data", G2, "--estimator", "MLR", "--group-equal", "loadings,intercepts", "--json"], exit=0, stdout='"chisq_scaling_factor"')
case("sem-missing-groups/empty-records-left-out", gm + ["--data", G2], exit=0, stderr="2 case(s) with no value")
case("sem-missing-groups/variable-missing-in-one-group", gm + ["--data", x3_gone_in_men], exit=2, stderr="group grp = men")
case("sem-missing-groups/group-all-empty", gm + ["--data", men_empty], exit=2, stderr="0 case(s) with at least one observed value")
case("sem-missing-groups/one-case-in-a-group", gm + ["--data", men_once], exit=2, stderr="1 case(s) with at least one observed value")
case("sem-missing-groups/blank-group-value", gm + ["--data", group_blank], exit=2, stderr="line 7")
case("sem-missing-groups/one-group", gm + ["--data", one_group], exit=2, stderr="at least two groups")
case("sem-missing-groups/mlm", gm + ["--data", G2, "--estimator", "MLM"], exit=2, stderr="MLM with --missing ml is not allowed")
case("sem-missing-groups/unknown-group-column", ["sem", "--model", g2_model, "--group", "sex", "--data", G2] + fiml, exit=2, stderr="sex")
inv = ["invariance", "--model", g2_model, "--group", "grp", "--data"]
case("invariance-missing/ok-mlr", inv + [G2, "--estimator", "MLR", "--json"] + fiml, exit=0, stdout='"strict"')
case("invariance-missing/variable-missing-in-one-group", inv + [x3_gone_in_men] + fiml, exit=2, stderr="missing for every case")
case("invariance-missing/listwise-default", inv + [G2], exit=0, stdout="scalar")
for v in ["pairwise", "", "fiml"]:
    case(f"invariance-missing/--missing={v}", inv + [G2, "--missing", v], exit=2, stderr="listwise or ml")
for v in ["pairwise", "ML", "", "fiml"]:
    case(f"sem-missing/--missing={v}", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--missing", v], exit=2, stderr="listwise or ml")
case("sem/cov-without-nobs", ["sem", "--model", model_paths["hs.lav"], "--cov", HSC], exit=2)
case("sem/data-and-cov", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--cov", HSC, "--nobs", "301"], exit=2)
case("sem/model-missing", ["sem", "--model", f"{IN}/nope.lav", "--data", HS], exit=2)
case("sem/model-is-directory", ["sem", "--model", IN, "--data", HS], exit=2)
case("sem/modindices-wishart", ["sem", "--model", model_paths["hs.lav"], "--data", HS, "--modindices", "--likelihood", "wishart"], exit=0)

hs_cov_lines = open(os.path.join(ROOT, HSC)).read().splitlines()
covs = {
    "cov_not_square.csv": "\n".join(hs_cov_lines[:5]) + "\n",
    "cov_asymmetric.csv": "x1,x2,x3\n1,0.5,0.2\n0.1,1,0.3\n0.2,0.3,1\n",
    "cov_not_pd.csv": "x1,x2,x3\n1,2,0\n2,1,0\n0,0,1\n",
    "cov_negative_variance.csv": "x1,x2,x3\n-1,0,0\n0,1,0\n0,0,1\n",
    "cov_zero.csv": "x1,x2,x3\n0,0,0\n0,0,0\n0,0,0\n",
    "cov_na.csv": "x1,x2,x3\n1,NA,0\nNA,1,0\n0,0,1\n",
    "cov_text.csv": "x1,x2,x3\n1,a,0\na,1,0\n0,0,1\n",
    "cov_huge.csv": "x1,x2,x3\n1e99,0,0\n0,1e99,0\n0,0,1e-99\n",
    "cov_overflow.csv": "x1,x2,x3\n1e300,0,0\n0,1,0\n0,0,1\n",
    "cov_wrong_rownames.csv": '"",x1,x2,x3\n"x3",1,0,0\n"x2",0,1,0\n"x1",0,0,1\n',
    "cov_rownames_only.csv": '"",x1\n"x1"\n',
    "cov_bom.csv": "\ufeff" + "\n".join(hs_cov_lines) + "\n",
    "cov_empty.csv": "",
    "cov_header_only.csv": "x1,x2,x3\n",
    "cov_binary.csv": bytes(rng.randrange(256) for _ in range(1024)),
    "cov_leading_comma.csv": ",x1,x2,x3\nx1,1,0.5,0.4\nx2,0.5,1,0.3\nx3,0.4,0.3,1\n",
    "cov_identity.csv": "x1,x2,x3\n1,0,0\n0,1,0\n0,0,1\n",
    "cov_nearly_singular.csv": "x1,x2,x3\n1,0.9999999999,0.5\n0.9999999999,1,0.5\n0.5,0.5,1\n",
    "cov_subnormal.csv": "x1,x2,x3\n1e-310,0,0\n0,1,0\n0,0,1\n",
    "cov_long_cell.csv": "x1,x2,x3\n" + "1" * 100_000 + ",0,0\n0,1,0\n0,0,1\n",
}
cov_paths = {name: w(name, data) for name, data in covs.items()}
for name, path in cov_paths.items():
    case(f"sem-cov/{name}", ["sem", "--model", model_paths["just_identified.lav"], "--cov", path, "--nobs", "100"])

# 4. reproduce: options checked before the pipeline runs.
open_file = w("not_a_directory.txt", "a file\n")
case("reproduce/out-is-file (issue 12)", ["reproduce", "--out", open_file], exit=2, stderr="--out")
case("reproduce/out-dev-null (issue 12)", ["reproduce", "--out", "/dev/null"], exit=2, stderr="--out")
case("reproduce/out-under-file", ["reproduce", "--out", f"{open_file}/sub"], exit=2, stderr="not a directory")
case("reproduce/out-empty", ["reproduce", "--out", ""], exit=2)
for v in ["-1", "abc", "18446744073709551616", "1.5", ""]:
    case(f"reproduce/--seed={v}", ["reproduce", "--out", "{tmp}/out", "--seed", v], exit=2)
case("reproduce/seed-with-csv", ["reproduce", "--out", "{tmp}/out", "--data", "tests/data/reproduction/small_study.csv", "--seed", "3"], exit=2)
case("reproduce/missing-columns", ["reproduce", "--out", "{tmp}/out", "--data", "tests/data/reproduction/missing_columns.csv"], exit=2)
case("reproduce/unknown-flag", ["reproduce", "--frobnicate"], exit=2)

# 5. audit: claims files and options.
small = json.load(open(os.path.join(ROOT, "tests/data/audit/small_claims.json")))
def mutated(path, value):
    c = json.loads(json.dumps(small))
    obj = c
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = value
    return json.dumps(c)
claims = {
    "claims_empty.json": "",
    "claims_not_json.json": "this is not json",
    "claims_array.json": "[]",
    "claims_object.json": "{}",
    "claims_wrong_format.json": json.dumps(dict(small, format="paraclinic-claims/9")),
    "claims_truncated.json": json.dumps(small)[:500],
    "claims_deep.json": "[" * 100_000 + "]" * 100_000,
    "claims_huge_number.json": mutated(["demographics", "n"], "1e308"),
    "claims_negative_n.json": mutated(["demographics", "n"], "-5"),
    "claims_zero_n.json": mutated(["demographics", "n"], "0"),
    "claims_nan.json": mutated(["fit", "indices", 0, "value"], "NaN"),
    "claims_inf.json": mutated(["fit", "indices", 0, "value"], "inf"),
    "claims_number_type.json": mutated(["fit", "indices", 0, "value"], 1e308),
    "claims_long_string.json": mutated(["study", "title"], "t" * 200_000),
    "claims_percent_1e400.json": mutated(["demographics", "variables", 0, "groups", 0, "percent"], "1e400"),
    "claims_frequency_huge.json": mutated(["demographics", "variables", 0, "groups", 0, "frequency"], "18446744073709551615"),
    "claims_rank_negative.json": mutated(["friedman", "rows", 0, "rank"], -1),
    "claims_mean_rank_huge.json": mutated(["friedman", "rows", 0, "mean_rank"], "1e300"),
    "claims_beta_huge.json": mutated(["paths", "rows", 0, "beta"], "1e300"),
    "claims_t_nan.json": mutated(["paths", "rows", 0, "t"], "nan"),
    "claims_rmsea_negative.json": mutated(["fit", "indices", 4, "value"], "-0.5"),
    "claims_empty_codebook.json": mutated(["codebook", "entries"], []),
    "claims_empty_friedman.json": mutated(["friedman", "rows"], []),
    "claims_repetitions_huge.json": mutated(["codebook", "entries", 0, "subthemes", 0, "repetitions"], "99999999999999999999"),
    "claims_bom.json": "\ufeff" + json.dumps(small),
    "claims_binary.json": bytes(rng.randrange(256) for _ in range(1024)),
    "claims_malformed.json": open(os.path.join(ROOT, "tests/data/audit/malformed_claims.json")).read(),
    "claims_ok.json": json.dumps(small),
}
claims_paths = {name: w(name, data) for name, data in claims.items()}
for name, path in claims_paths.items():
    case(f"audit/{name}", ["audit", "--claims", path, "--replications", "50"])
case("audit/claims-missing", ["audit", "--claims", f"{IN}/nope.json"], exit=2)
case("audit/claims-directory", ["audit", "--claims", IN], exit=2)
for v in ["-1", "1e6", "100001", "abc", "1.5", ""]:
    case(f"audit/--replications={v}", ["audit", "--replications", v], exit=2, stderr="--replications")
case("audit/replications-0", ["audit", "--replications", "0"], exit=0)
for v in ["-1", "abc", "18446744073709551616"]:
    case(f"audit/--seed={v}", ["audit", "--seed", v], exit=2, stderr="--seed")
case("audit/default-json", ["audit", "--json", "--replications", "50"], exit=0)

# Groups, invariance and nested comparisons (issue 15).
G2 = "tests/data/sem/groups2.csv"
grp_lav = w("groups.lav", "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\n")
grp_orth = w("groups_orthogonal.lav", "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\nf1 ~~ 0*f2\n")
grp_other = w("groups_other_vars.lav", "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5\n")
grp_same_df = w("groups_same_df.lav", "f1 =~ x1 + x2 + x3 + x4\nf2 =~ x5 + x6\n")
head = "grp,x1,x2,x3,x4,x5,x6\n"
row = lambda g, k: g + "," + ",".join(f"{((k * 7 + j * 3) % 11) / 2 + j:.1f}" for j in range(6)) + "\n"
one_group = w("groups_one_value.csv", head + "".join(row("a", k) for k in range(30)))
small_group = w("groups_small.csv", head + "".join(row("a" if k % 10 else "b", k) for k in range(40)))
missing_group = w("groups_missing_value.csv", head + "".join(row("" if k == 5 else "ab"[k % 2], k) for k in range(40)))
case("sem-group/ok", ["sem", "--model", grp_lav, "--data", G2, "--group", "grp", "--group-equal", "loadings,intercepts", "--json"], exit=0, stdout='"chisq_group"')
case("sem-group/mlr", ["sem", "--model", grp_lav, "--data", G2, "--group", "grp", "--estimator", "MLR"], exit=0)
case("sem-group/unknown-word", ["sem", "--model", grp_lav, "--data", G2, "--group", "grp", "--group-equal", "loadings,slopes"], exit=2, stderr="lv.covariances")
case("sem-group/empty-words", ["sem", "--model", grp_lav, "--data", G2, "--group", "grp", "--group-equal", ",,"], exit=0)
case("sem-group/equal-without-group", ["sem", "--model", grp_lav, "--data", G2, "--group-equal", "loadings"], exit=2)
case("sem-group/unknown-column", ["sem", "--model", grp_lav, "--data", G2, "--group", "sex"], exit=2, stderr="sex")
case("sem-group/group-is-a-variable", ["sem", "--model", grp_lav, "--data", G2, "--group", "x1"], exit=2, stderr="--group")
case("sem-group/one-value", ["sem", "--model", grp_lav, "--data", one_group, "--group", "grp"], exit=2, stderr="at least two groups")
case("sem-group/small-group", ["sem", "--model", grp_lav, "--data", small_group, "--group", "grp"], exit=2, stderr="more cases than variables")
case("sem-group/missing-value", ["sem", "--model", grp_lav, "--data", missing_group, "--group", "grp"], exit=2, stderr="line 7")
case("sem-group/with-cov", ["sem", "--model", grp_lav, "--cov", HSC, "--nobs", "301", "--group", "grp"], exit=2)
case("sem-group/wishart", ["sem", "--model", grp_lav, "--data", G2, "--group", "grp", "--likelihood", "wishart"], exit=2, stderr="normal likelihood")
case("sem-group/bootstrap", ["sem", "--model", grp_lav, "--data", G2, "--group", "grp", "--bootstrap", "10"], exit=2, stderr="--bootstrap")
case("sem-group/modindices", ["sem", "--model", grp_lav, "--data", G2, "--group", "grp", "--modindices"], exit=2, stderr="modification indices")
# Least squares on continuous items in groups (fitted since the groupsls
# branch; groups2.csv has a Heywood case under DWLS, still fitted).
G2LS = "tests/data/sem/groups2_ls.csv"
case("sem-group/wlsmv", ["sem", "--model", grp_lav, "--data", G2, "--group", "grp", "--estimator", "WLSMV"], exit=0)
case("sem-group/wlsmv-continuous", ["sem", "--model", grp_lav, "--data", G2LS, "--group", "grp", "--estimator", "WLSMV", "--json"], exit=0, stdout='"chisq_scaled"')
case("sem-group/gls-continuous", ["sem", "--model", grp_lav, "--data", G2LS, "--group", "grp", "--estimator", "GLS"], exit=0, stdout="Estimator GLS")
case("sem-group/uls-loadings", ["sem", "--model", grp_lav, "--data", G2LS, "--group", "grp", "--estimator", "ULS", "--group-equal", "loadings"], exit=0)
case("invariance/dwls-continuous", ["invariance", "--model", grp_lav, "--data", G2LS, "--group", "grp", "--estimator", "DWLS", "--json"], exit=0, stdout='"tests"')
# Ordered indicators in groups (issue 15 item 1 with issue 14's estimators).
G2O = "tests/data/sem/groups2_ordinal.csv"
ord_lav = w("groups_ordinal.lav", "f1 =~ o1 + o2 + o3 + o4\nf2 =~ o5 + o6 + o7 + o8\n")
with open(os.path.join(ROOT, G2O)) as f:
    ord_head, *ord_rows = f.read().splitlines()
def ord_file(name, edit, keep=lambda r: True):
    rows = [edit(r.split(",")) for r in ord_rows if keep(r.split(","))]
    return w(name, ord_head + "\n" + "".join(",".join(r) + "\n" for r in rows))
def recode(group, col, old, new):
    def edit(r):
        if r[0].strip('"') == group and r[col] == old:
            r[col] = new
        return r
    return edit
def constant(group, col, value):
    def edit(r):
        if r[0].strip('"') == group:
            r[col] = value
        return r
    return edit
ord_empty = ord_file("groups_ordinal_empty_category.csv", recode("men", 1, "1", "2"))
ord_constant = ord_file("groups_ordinal_constant_in_group.csv", constant("men", 1, "3"))
men_seen = []
def few_men(r):
    if r[0].strip('"') == "men":
        men_seen.append(r)
        return len(men_seen) <= 6
    return True
ord_small = ord_file("groups_ordinal_small_group.csv", lambda r: r, few_men)
ord_args = ["sem", "--model", ord_lav, "--group", "grp", "--ordered-all"]
case("sem-group-ordinal/ok", ord_args + ["--data", G2O, "--group-equal", "thresholds,loadings", "--json"], exit=0, stdout='"chisq_scaled_group"')
case("sem-group-ordinal/dwls", ord_args + ["--data", G2O, "--estimator", "DWLS"], exit=0)
case("sem-group-ordinal/uls-intercepts", ord_args + ["--data", G2O, "--estimator", "ULS", "--group-equal", "intercepts"], exit=0)
case("sem-group-ordinal/gls", ord_args + ["--data", G2O, "--estimator", "GLS"], exit=2, stderr="GLS is for continuous data")
case("sem-group-ordinal/mlr", ord_args + ["--data", G2O, "--estimator", "MLR"], exit=2, stderr="continuous data")
case("sem-group-ordinal/unknown-ordered", ["sem", "--model", ord_lav, "--group", "grp", "--data", G2O, "--ordered", "o1,o9"], exit=2, stderr="o9")
# Some items ordered, the rest continuous, in groups (lavaan's group= with
# ordered= some items): fitted; lavaan 0.6.14's values from
# tests/fixtures/sem_groups_mixed and lavTestLRT (sem_groups_mixed.R's data).
case("sem-group-ordinal/some-ordered", ["sem", "--model", ord_lav, "--group", "grp", "--data", G2O, "--ordered", "o1,o2", "--json"], exit=0, stdout='"chisq_scaled"')
G2M = "tests/data/sem/groups2_mixed.csv"
mix_lav = w("groups_mixed.lav", "f1 =~ o1 + o2 + o3\nf2 =~ c1 + c2 + c3\n")
mix_orth = w("groups_mixed_orth.lav", "f1 =~ o1 + o2 + o3\nf2 =~ c1 + c2 + c3\nf1 ~~ 0*f2\n")
mix_args = ["sem", "--model", mix_lav, "--group", "grp", "--data", G2M, "--ordered", "o1,o2,o3"]
case("sem-group-mixed/scalar", mix_args + ["--group-equal", "thresholds,loadings,intercepts"], exit=0, stdout="44.10")
case("sem-group-mixed/dwls", mix_args + ["--estimator", "DWLS"], exit=0)
case("sem-group-mixed/gls", mix_args + ["--estimator", "GLS"], exit=2, stderr="GLS is for continuous data")
case("sem-group-mixed/unknown-ordered", ["sem", "--model", mix_lav, "--group", "grp", "--data", G2M, "--ordered", "o1,o9"], exit=2, stderr="o9")
case("sem-group-mixed/continuous-as-ordered", ["sem", "--model", mix_lav, "--group", "grp", "--data", G2M, "--ordered", "o1,c1"], exit=2, stderr="whole number")
case("invariance-mixed/ok", ["invariance", "--model", mix_lav, "--data", G2M, "--group", "grp", "--ordered", "o1,o2,o3"], exit=0, stdout="48.861")
case("sem-compare/mixed-groups", ["sem-compare", "--data", G2M, "--model", mix_lav, "--model", mix_orth, "--group", "grp", "--ordered", "o1,o2,o3"], exit=0, stdout="101.712")
case("sem-group-mixed/empty-category", ["sem", "--model", ord_lav, "--group", "grp", "--data", ord_empty, "--ordered", "o1,o2"], exit=2, stderr='no answer 1 in group 1 ("men")')
case("sem-group-mixed/ordered-constant-in-group", ["sem", "--model", ord_lav, "--group", "grp", "--data", ord_constant, "--ordered", "o1,o2"], exit=2, stderr="group grp = men")
case("sem-group-mixed/continuous-constant-in-group", ["sem", "--model", ord_lav, "--group", "grp", "--data", ord_constant, "--ordered", "o2,o3"], exit=2, stderr="constant")
case("sem-group-mixed/small-group", ["sem", "--model", ord_lav, "--group", "grp", "--data", ord_small, "--ordered", "o1,o2"], exit=2, stderr="more cases than variables")
case("sem-group-ordinal/empty-category", ord_args + ["--data", ord_empty], exit=2, stderr='no answer 1 in group 1 ("men")')
case("sem-group-ordinal/constant-in-group", ord_args + ["--data", ord_constant], exit=2, stderr="group grp = men")
case("sem-group-ordinal/small-group", ord_args + ["--data", ord_small], exit=2, stderr="more cases than variables")
case("invariance-ordinal/ok", ["invariance", "--model", ord_lav, "--data", G2O, "--group", "grp", "--ordered-all", "--json"], exit=0, stdout='"satorra.2000"')
case("invariance-ordinal/empty-category", ["invariance", "--model", ord_lav, "--data", ord_empty, "--group", "grp", "--ordered-all"], exit=2, stderr='no answer 1 in group 1 ("men")')
case("invariance/ok", ["invariance", "--model", grp_lav, "--data", G2, "--group", "grp", "--estimator", "MLM", "--json"], exit=0, stdout='"delta_cfi"')
case("invariance/one-value", ["invariance", "--model", grp_lav, "--data", one_group, "--group", "grp"], exit=2, stderr="at least two groups")
case("invariance/small-group", ["invariance", "--model", grp_lav, "--data", small_group, "--group", "grp"], exit=2, stderr="more cases than variables")
case("invariance/no-group", ["invariance", "--model", grp_lav, "--data", G2], exit=2)
case("invariance/bad-estimator", ["invariance", "--model", grp_lav, "--data", G2, "--group", "grp", "--estimator", "XYZ"], exit=2)
case("sem-compare/ok", ["sem-compare", "--data", G2, "--model", grp_lav, "--model", grp_orth, "--json"], exit=0, stdout='"method": "standard"')
case("sem-compare/mlr", ["sem-compare", "--data", G2, "--model", grp_orth, "--model", grp_lav, "--estimator", "MLR"], exit=0, stdout="satorra.bentler.2001")
case("sem-compare/groups", ["sem-compare", "--data", G2, "--model", grp_lav, "--model", grp_orth, "--group", "grp"], exit=0)
case("sem-compare/one-model", ["sem-compare", "--data", G2, "--model", grp_lav], exit=2, stderr="at least two models")
case("sem-compare/same-model", ["sem-compare", "--data", G2, "--model", grp_lav, "--model", grp_lav], exit=2, stderr="not nested")
case("sem-compare/equal-df", ["sem-compare", "--data", G2, "--model", grp_lav, "--model", grp_same_df], exit=2, stderr="degrees of freedom")
case("sem-compare/other-variables", ["sem-compare", "--data", G2, "--model", grp_lav, "--model", grp_other], exit=2, stderr="different observed variables")
# Least squares and the nesting refit (issue 15 item 3): 5-point items.
ON = "tests/data/sem/ordinal_nested.csv"
on_two = "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8\n"
on_cov = w("nested_cov.lav", on_two + "y1 ~~ y2\n")
on_cfa = w("nested_cfa.lav", on_two)
on_equal = w("nested_equal.lav", "f1 =~ y1 + a*y2 + a*y3 + a*y4\nf2 =~ y5 + y6 + y7 + y8\n")
on_orth = w("nested_orthogonal.lav", on_two + "f1 ~~ 0*f2\n")
on_moved = w("nested_moved.lav", "f1 =~ y1 + y2 + y3 + y4 + y8\nf2 =~ y5 + y6 + y7\ny1 ~~ y2\n")
grp_moved = w("groups_moved.lav", "f1 =~ x1 + x2 + x3 + x4\nf2 =~ x5 + x6\nx1 ~~ x2\n")
case("sem-compare/wlsmv", ["sem-compare", "--data", ON, "--model", on_equal, "--model", on_cfa, "--model", on_cov, "--ordered-all", "--json"], exit=0, stdout='"method": "satorra.2000"')
case("sem-compare/wlsmv-continuous", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--estimator", "WLSMV"], exit=0, stdout="satorra.2000")
case("sem-compare/dwls", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--ordered-all", "--estimator", "DWLS", "--json"], exit=0, stdout='"method": "standard"')
case("sem-compare/uls", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--ordered-all", "--estimator", "ULS"], exit=0, stdout="standard")
case("sem-compare/gls", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--estimator", "GLS"], exit=0, stdout="standard")
case("sem-compare/not-nested-refit", ["sem-compare", "--data", ON, "--model", on_orth, "--model", on_moved], exit=2, stderr="net()")
case("sem-compare/not-nested-refit-mlm", ["sem-compare", "--data", ON, "--model", on_orth, "--model", on_moved, "--estimator", "MLM"], exit=2, stderr="not nested")
case("sem-compare/not-nested-refit-means", ["sem-compare", "--data", ON, "--model", on_orth, "--model", on_moved, "--meanstructure"], exit=2, stderr="not nested")
case("sem-compare/not-nested-refit-groups", ["sem-compare", "--data", G2, "--model", grp_orth, "--model", grp_moved, "--group", "grp"], exit=2, stderr="not nested")
case("sem-compare/not-nested-refit-ordered", ["sem-compare", "--data", ON, "--model", on_orth, "--model", on_moved, "--ordered-all"], exit=2, stderr="not nested")
case("sem-compare/not-nested-refit-dwls", ["sem-compare", "--data", ON, "--model", on_orth, "--model", on_moved, "--estimator", "DWLS"], exit=2, stderr="not nested")
case("sem-compare/not-nested-cheap-first", ["sem-compare", "--data", ON, "--model", on_equal, "--model", on_moved, "--ordered-all"], exit=2, stderr="lower χ²")
case("sem-compare/ordered-group-is-item", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--ordered-all", "--group", "y1"], exit=2, stderr="--group")
# Ordered items in groups are compared (satorra.2000 from the groups' pieces).
ord_orth = w("groups_ordinal_orth.lav", "f1 =~ o1 + o2 + o3 + o4\nf2 =~ o5 + o6 + o7 + o8\nf1 ~~ 0*f2\n")
case("sem-compare/ordered-groups", ["sem-compare", "--data", G2O, "--model", ord_lav, "--model", ord_orth, "--group", "grp", "--group-equal", "thresholds,loadings", "--ordered-all", "--json"], exit=0, stdout='"method": "satorra.2000"')
case("sem-compare/ordered-groups-empty-category", ["sem-compare", "--data", ord_empty, "--model", ord_lav, "--model", ord_orth, "--group", "grp", "--ordered-all"], exit=2, stderr='no answer 1 in group 1 ("men")')
case("sem-compare/ordered-groups-some-ordered", ["sem-compare", "--data", G2O, "--model", ord_lav, "--model", ord_orth, "--group", "grp", "--ordered", "o1,o2"], exit=0, stdout="satorra.2000")
# Some ordered, the rest continuous: lavaan's Δχ² 13.458 (satorra.2000).
case("sem-compare/ordered-some", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--ordered", "y1,y2"], exit=0, stdout="13.458")
case("sem-compare/one-ordered", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--ordered", "y1"], exit=0, stdout="satorra.2000")
case("sem-compare/ordered-unknown", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--ordered", "zz"], exit=2, stderr="zz")
case("sem-compare/ordered-empty-name", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--ordered", "y1,,y2"], exit=2, stderr="--ordered")
case("sem-compare/ordered-continuous-data", ["sem-compare", "--data", G2, "--model", grp_lav, "--model", grp_orth, "--ordered-all"], exit=2, stderr="whole number")
case("sem-compare/ordered-both-flags", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--ordered", "y1", "--ordered-all"], exit=2)
case("sem-compare/bad-estimator", ["sem-compare", "--data", ON, "--model", on_cfa, "--model", on_cov, "--estimator", "WLSMVX"], exit=2, stderr="WLSMVX")

# 6. The program itself.
case("no-arguments", [], exit=2)
case("unknown-command", ["frobnicate"], exit=2)
case("help", ["--help"], exit=0)
case("version", ["--version"], exit=0)
for cmd in ["sample-size", "frequencies", "normality", "correlate", "reliability", "friedman", "delphi", "sem", "invariance", "sem-compare", "reproduce", "audit"]:
    case(f"{cmd}/--help", [cmd, "--help"], exit=0)

# Words a success may print although they look like a non-finite result:
# the data's own category labels (a frequency table lists the text "NaN" as
# a category), and the infinite VIF of an exactly singular correlation
# matrix, which the table prints as "inf" and explains below it (JSON null).
ALLOWED = {
    "frequencies/nan_inf.csv": ["NaN", "inf", "-inf"],
    "frequencies/nan_word.csv": ["nan"],
    "correlate/three_rows.csv": ["inf"],
    "correlate/whitespace.csv": ["inf"],
}
for c in cases:
    if c["name"] in ALLOWED:
        c["stdout_may_contain"] = ALLOWED[c["name"]]

# Inputs the fuzzers found (see the README's "Hostile input" section).
FUZZ_FINDINGS = []
for name, args, code in FUZZ_FINDINGS:
    case(name, args, exit=code)

def record(binary):
    """Runs each case and fills in (or checks) its exit code."""
    import tempfile
    bad = 0
    for c in cases:
        tmp = tempfile.mkdtemp(prefix="hostile-")
        args = [a.replace("{tmp}", tmp) for a in c["args"]]
        try:
            p = subprocess.run([binary] + args, cwd=ROOT, capture_output=True, timeout=60)
            code = p.returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
        err = p.stderr.decode(errors="replace") if code != "timeout" else ""
        if c["expected_exit"] is None:
            c["expected_exit"] = code
        elif c["expected_exit"] != code:
            bad += 1
            print(f"MISMATCH {c['name']}: expected {c['expected_exit']}, got {code}: {err[:300]}")
        if code not in (0, 2):
            bad += 1
            print(f"BAD EXIT {c['name']}: {code}: {err[:300]}")
    return bad

if __name__ == "__main__":
    if "--record" in sys.argv:
        binary = os.environ.get("PARACLINIC_BIN", os.path.join(ROOT, "target/release/paraclinic"))
        if record(binary):
            sys.exit(1)
    else:
        missing = [c["name"] for c in cases if c["expected_exit"] is None]
        old = {}
        path = os.path.join(ROOT, "tests/hostile/corpus.json")
        if os.path.exists(path):
            old = {c["name"]: c["expected_exit"] for c in json.load(open(path))["cases"]}
        for c in cases:
            if c["expected_exit"] is None:
                c["expected_exit"] = old.get(c["name"])
        missing = [c["name"] for c in cases if c["expected_exit"] is None]
        if missing:
            sys.exit(f"no expected exit code for {len(missing)} cases (run with --record): {missing[:5]}")
    with open(os.path.join(ROOT, "tests/hostile/corpus.json"), "w") as f:
        json.dump({"format": "paraclinic-hostile/1", "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    from collections import Counter
    commands = {"sample-size", "frequencies", "normality", "correlate", "reliability", "friedman",
                "delphi", "sem", "invariance", "sem-compare", "reproduce", "audit"}
    per = Counter(c["args"][0] if c["args"] and c["args"][0] in commands else "(program)" for c in cases)
    print(len(cases), "cases:", dict(per))
