# Reference fits for mean structures and robust ML (MLM, MLR) in the SEM
# engine (analysis/src/sem/robust.rs), from lavaan 0.6 (issue 14, capabilities
# 1 and 2).
#
#   Rscript tests/reference/sem_robust.R        (from the repository root)
#
# Simulates skewed continuous data (fixed seed) — two correlated factors of
# four indicators each, factors from centred χ²(1) draws (skewness 2.8) and
# residuals from lognormal ones (skewness 2.9), non-zero means, and a
# cross-loading of y5 on f1 that the models leave out so that the scaled and
# robust indices are neither 1 nor 0 — and writes it to
# tests/data/sem/skewed.csv. Per model and estimator a JSON fixture goes to
# tests/fixtures/sem_robust/<name>.json with lavaan's parameterEstimates
# (est, se, std.lv, std.all) and every fitMeasures value (`.` written `_`).
# Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem_robust"
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

set.seed(20261130)
n <- 300
skew <- function() (rchisq(n, 1) - 1) / sqrt(2)
# Lognormal, centred and scaled to unit variance (heavy right tail).
expo <- function() {
  s2 <- 0.64
  (exp(rnorm(n, sd = sqrt(s2))) - exp(s2 / 2)) / sqrt((exp(s2) - 1) * exp(s2))
}
f1 <- skew()
f2 <- 0.5 * f1 + 0.8 * skew()
ind <- function(mu, f, lambda, sd) mu + lambda * f + sd * expo()
skewed <- data.frame(
  y1 = ind(3.0, f1, 1.0, 0.6), y2 = ind(2.5, f1, 0.8, 0.7),
  y3 = ind(3.2, f1, 1.2, 0.8), y4 = ind(2.0, f1, 0.9, 0.6),
  y5 = 2.8 + 0.7 * f2 + 0.5 * f1 + 0.7 * expo(), y6 = ind(3.1, f2, 1.1, 0.6),
  y7 = ind(2.6, f2, 0.9, 0.8), y8 = ind(3.0, f2, 1.0, 0.7)
)
skewed$w <- 1.5 + 0.6 * f2 + 0.8 * expo()
skewed <- round(skewed, 4)
path <- file.path(data_dir, "skewed.csv")
write.csv(skewed, path, row.names = FALSE)

cfa_model <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
"
# A mean structure that is not saturated: equal intercepts of y2 and y3, the
# intercept of y1 fixed at 3 and the mean of f1 free (so mean residuals and
# the mean part of SRMR are not zero).
means_model <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
  y1 ~ 3*1
  y2 ~ a*1
  y3 ~ a*1
  f1 ~ NA*1
"
# A structural part with an observed outcome.
sem_model <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
  f2 ~ f1
  w ~ f2
"

# An observed covariate (w, fixed.x) with a mean structure: its mean and
# variance stay at their sample values.
fixed_x_model <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
  f2 ~ f1 + w
"

fits <- list(
  list(name = "ml_meanstructure_fixed_x", model = fixed_x_model, estimator = "ML",
       meanstructure = TRUE),
  list(name = "ml_meanstructure", model = cfa_model, estimator = "ML", meanstructure = TRUE),
  list(name = "ml_means", model = means_model, estimator = "ML", meanstructure = FALSE),
  list(name = "mlm_cfa", model = cfa_model, estimator = "MLM", meanstructure = FALSE),
  list(name = "mlm_means", model = means_model, estimator = "MLM", meanstructure = FALSE),
  list(name = "mlm_sem_meanstructure", model = sem_model, estimator = "MLM", meanstructure = TRUE),
  list(name = "mlr_cfa", model = cfa_model, estimator = "MLR", meanstructure = FALSE),
  list(name = "mlr_means", model = means_model, estimator = "MLR", meanstructure = FALSE),
  list(name = "mlr_sem", model = sem_model, estimator = "MLR", meanstructure = FALSE)
)

num <- function(x) ifelse(is.finite(x), x, NA)

for (f in fits) {
  fit <- sem(f$model, data = skewed, estimator = f$estimator,
             meanstructure = f$meanstructure)
  pe <- parameterEstimates(fit, standardized = TRUE)
  fm <- fitMeasures(fit)
  out <- list(
    name = f$name,
    lavaan_version = as.character(packageVersion("lavaan")),
    model = f$model,
    data = path,
    estimator = f$estimator,
    meanstructure = f$meanstructure,
    converged = lavInspect(fit, "converged"),
    nobs = lavInspect(fit, "nobs"),
    estimates = lapply(seq_len(nrow(pe)), function(i) list(
      lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i],
      est = num(pe$est[i]), se = num(pe$se[i]), std_lv = num(pe$std.lv[i]),
      std_all = num(pe$std.all[i]))),
    fit = as.list(setNames(num(fm), gsub("\\.", "_", names(fm))))
  )
  out_path <- file.path(fixture_dir, paste0(f$name, ".json"))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null",
                    pretty = TRUE), out_path)
  cat("wrote", out_path, "\n")
}
