# Reference values for `analysis::sample_size::sem` (RMSEA-based power and
# minimum sample size for an SEM, MacCallum, Browne & Sugawara 1996) from
# semTools' findRMSEApower and findRMSEAsamplesize, which define:
#
#   ncp0 = (n - 1) df rmsea0^2,  ncpA = (n - 1) df rmseaA^2   (n - 1, not n)
#   rmsea0 < rmseaA (test of close fit):
#     c = qchisq(alpha, df, ncp0, lower.tail = FALSE); power = P(X2(df, ncpA) > c)
#   rmsea0 > rmseaA (test of not-close fit):
#     c = qchisq(1 - alpha, df, ncp0, lower.tail = FALSE); power = P(X2(df, ncpA) < c)
#   minimum n: the first n of 5, 6, 7, ... whose power is strictly above the
#   target (it scans n = 5:500, then blocks of 500); "Sample Size <= 5" when
#   n = 5 already exceeds it.
#
# R's pnchisq does not converge for large noncentralities (it warns "not
# converged in 100000 iter." and returns wrong values, e.g. a power of 7e-7
# for df = 3000, n = 1e5, rmsea 0.05 vs 0.05001). Every case records the
# warnings R gave while computing it; the Rust test compares only cases
# without warnings here, and sem_sample_size.py checks every power case
# (these included) against SciPy's ncx2 (Boost), an independent
# implementation.
#
# Output: tests/fixtures/sample_size/sem_semtools.json.
# Needs: Debian packages r-cran-semtools r-cran-jsonlite.
# Run from the repository root: Rscript tests/reference/sem_sample_size.R
suppressMessages({
  library(semTools)
  library(jsonlite)
})
out_dir <- "tests/fixtures/sample_size"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# Runs expr, returning its value and the distinct warnings it raised.
with_warnings <- function(expr) {
  msgs <- character(0)
  value <- withCallingHandlers(expr, warning = function(w) {
    msgs <<- c(msgs, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  list(value = value, warnings = unique(msgs))
}

pairs <- list(
  c(0.05, 0.08), c(0.05, 0.10), c(0.05, 0.06), c(0.00, 0.05), c(0.02, 0.06),
  c(0.05, 0.01), c(0.05, 0.00), c(0.08, 0.05), c(0.10, 0.06)
)

power_cases <- list()
add_power <- function(df, r0, r1, alpha, n) {
  r <- with_warnings(findRMSEApower(r0, r1, df, n, alpha))
  power_cases[[length(power_cases) + 1]] <<- list(
    df = df, rmsea0 = r0, rmsea1 = r1, alpha = alpha, n = n,
    power = r$value, r_warnings = I(r$warnings)
  )
}
for (df in c(1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 335, 500, 1000, 2000, 3000)) {
  for (p in pairs) {
    for (n in c(2, 5, 10, 30, 50, 100, 200, 385, 1000, 5000)) add_power(df, p[1], p[2], 0.05, n)
  }
}
for (df in c(1, 10, 335, 3000)) {
  for (p in pairs) {
    for (alpha in c(0.01, 0.10)) {
      for (n in c(50, 385, 1000)) add_power(df, p[1], p[2], alpha, n)
    }
  }
}
# Large df * n: noncentralities from 1e5 to 1e10, where R's pnchisq fails
# (its warnings are recorded) and SciPy is the reference.
for (df in c(335, 3000)) {
  for (n in c(1e4, 1e5, 1e6, 3e6, 1e7)) {
    for (p in list(c(0.05, 0.05001), c(0.05, 0.0501), c(0.05, 0.04999), c(0.05, 0.051))) {
      add_power(df, p[1], p[2], 0.05, n)
    }
  }
}

size_cases <- list()
add_size <- function(df, r0, r1, alpha, power) {
  r <- with_warnings(findRMSEAsamplesize(r0, r1, df, power, alpha))
  v <- r$value
  size_cases[[length(size_cases) + 1]] <<- list(
    df = df, rmsea0 = r0, rmsea1 = r1, alpha = alpha, power = power,
    n = if (is.character(v)) NULL else v,
    semtools_answer = as.character(v),
    r_warnings = I(r$warnings)
  )
}
for (df in c(1, 2, 3, 5, 10, 20, 50, 100, 200, 335, 500, 1000, 3000)) {
  for (p in list(c(0.05, 0.08), c(0.05, 0.10), c(0.00, 0.05), c(0.05, 0.01), c(0.08, 0.05), c(0.05, 0.07))) {
    for (power in c(0.80, 0.90)) add_size(df, p[1], p[2], 0.05, power)
  }
}
for (df in c(2, 20, 335)) {
  for (p in list(c(0.05, 0.08), c(0.05, 0.01))) {
    for (alpha in c(0.01, 0.10)) {
      for (power in c(0.50, 0.80, 0.95)) add_size(df, p[1], p[2], alpha, power)
    }
  }
}
# Targets at or below the power at n = 5 ("Sample Size <= 5").
add_size(3000, 0.05, 0.10, 0.05, 0.80)
add_size(100, 0.05, 0.08, 0.05, 0.06)

ref <- list(
  tools = paste("R", getRversion(), "semTools", packageVersion("semTools"),
                "findRMSEApower findRMSEAsamplesize"),
  power_cases = power_cases,
  size_cases = size_cases
)
writeLines(
  toJSON(ref, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
  file.path(out_dir, "sem_semtools.json")
)
cat("wrote sem_semtools.json:", length(power_cases), "power cases,",
    length(size_cases), "size cases\n")
