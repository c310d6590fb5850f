#!/usr/bin/env bash
# Regenerates every reference fixture under tests/fixtures/ from independent
# tools: R (stats, lavaan) and Python (SciPy, statsmodels, scikit-posthocs,
# semopy). CI does not run this: the Rust tests read the committed output.
#
#   tests/reference/generate.sh            # all generators
#   tests/reference/generate.sh friedman   # only generators whose name contains "friedman"
#
# Needs: Debian packages r-base-core r-cran-lavaan r-cran-psych r-cran-semtools r-cran-jsonlite; Python packages in
# tests/reference/requirements.txt (installed into tests/reference/.venv).
# kernel_corpus.py runs the kernel corpus through evcxr_jupyter 0.22.0, which it
# installs under target/evcxr-jupyter with cargo when missing (a long compile).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
filter="${1:-}"
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install -q -r "$here/requirements.txt"
fi
cd "$root"
for script in "$here"/*.py "$here"/*.R; do
  [ -e "$script" ] || continue
  case "$(basename "$script")" in *_bench.R) continue ;; esac  # benches take arguments (scripts/bench-*)
  case "$(basename "$script")" in *"$filter"*) ;; *) continue ;; esac
  echo "== $(basename "$script")"
  case "$script" in
    *.py) "$here/.venv/bin/python" "$script" ;;
    *.R) Rscript "$script" ;;
  esac
done
