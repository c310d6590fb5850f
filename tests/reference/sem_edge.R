# Edge cases of the SEM fit measures (issue 12), from lavaan 0.6:
#
#   Rscript tests/reference/sem_edge.R        (from the repository root)
#
# Writes tests/fixtures/sem/edge_cases.json: fit measures of models whose χ²
# is zero up to rounding (a single-indicator factor, a just-identified
# factor), and the RMSEA interval at a large N given as a covariance matrix
# (where the old non-central χ² series took minutes), each with lavaan's
# values. NA (R) is null (JSON). Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

hs <- read.csv("tests/data/sem/holzinger_swineford.csv")
measures <- c("chisq", "df", "cfi", "tli", "nfi", "rmsea", "rmsea.ci.lower",
              "rmsea.ci.upper", "baseline.chisq", "baseline.df")
num <- function(x) { x <- as.numeric(x); x[!is.finite(x)] <- NA; x }
one <- function(name, model, data = NULL, cov = NULL, nobs = NULL) {
  fit <- if (is.null(cov)) sem(model, data = data) else
    sem(model, sample.cov = cov, sample.nobs = nobs)
  fm <- fitMeasures(fit, measures)
  list(name = name, model = model,
       data = if (is.null(cov)) "tests/data/sem/holzinger_swineford.csv" else NULL,
       cov = if (is.null(cov)) NULL else "tests/data/sem/holzinger_swineford_cov.csv",
       nobs = nobs,
       fit = setNames(as.list(num(fm)), gsub(".", "_", measures, fixed = TRUE)))
}
hs_cov <- cov(hs)
cases <- list(
  one("single_indicator", "f =~ x1", data = hs),
  one("single_indicator_beside_a_factor", "f =~ x1\ng =~ x2 + x3 + x4", data = hs),
  one("just_identified", "f =~ x1 + x2 + x3", data = hs),
  one("hs_cfa_n100000",
      "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
      cov = hs_cov, nobs = 100000)
)
out <- list(lavaan = as.character(packageVersion("lavaan")), cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE),
           "tests/fixtures/sem/edge_cases.json")
