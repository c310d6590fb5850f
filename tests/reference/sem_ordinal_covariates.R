# Reference fits for ordered indicators with observed exogenous covariates
# (lavaan's default for categorical data, conditional.x = TRUE: probit
# regressions of each item on the covariates, residual polychorics, the
# model's implied res.th / res.slopes / res.cov) for the SEM engine
# (analysis/src/sem/wls_covariates.rs), from lavaan 0.6 (issue 14,
# capability 3).
#
#   Rscript tests/reference/sem_ordinal_covariates.R   (from the repository root)
#
# Simulates (fixed seed) one factor measured by six 5-point items (y1–y6,
# asymmetric cuts), a continuous covariate `age` and a 0/1 covariate
# `female` acting on the factor, and a direct effect of `female` on y3 that
# the MIMIC model leaves out, plus a cross-item residual correlation of y5
# and y6 that every model leaves out, so that the scaled indices are
# neither 1 nor 0. Writes tests/data/sem/ordinal_covariates.csv and, per
# fit, tests/fixtures/sem_ordinal_covariates/<name>.json (parameterEstimates
# est, se, std.lv, std.all; every fitMeasures value, `.` written `_`), plus
# for the MIMIC model lavInspect's sampstat (res.th, res.slopes, res.cov),
# wls.obs and gamma (sample_statistics.json), and what lavaan does with an
# ordered predictor (ordered_predictor.json).
# Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem_ordinal_covariates"
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

set.seed(20261201)
n <- 500
age <- round(rnorm(n, 45, 12), 1)
female <- rbinom(n, 1, 0.45)
f <- 0.03 * (age - 45) + 0.5 * female + rnorm(n)
f <- f / sd(f)
e <- function() rnorm(n)
cut5 <- function(y) findInterval(y, c(-1.5, -0.6, 0.2, 1.0)) + 1
shared <- e()
items <- data.frame(
  y1 = cut5(0.75 * f + sqrt(1 - 0.75^2) * e()),
  y2 = cut5(0.70 * f + sqrt(1 - 0.70^2) * e()),
  y3 = cut5(0.65 * f + 0.45 * female + sqrt(1 - 0.65^2) * e()),
  y4 = cut5(0.60 * f + sqrt(1 - 0.60^2) * e()),
  y5 = cut5(0.65 * f + 0.35 * shared + sqrt(1 - 0.4225 - 0.1225) * e()),
  y6 = cut5(0.60 * f + 0.35 * shared + sqrt(1 - 0.36 - 0.1225) * e()),
  age = age,
  female = female
)
path <- file.path(data_dir, "ordinal_covariates.csv")
write.csv(items, path, row.names = FALSE)
ordered <- c("y1", "y2", "y3", "y4", "y5", "y6")

mimic <- "
  f =~ y1 + y2 + y3 + y4 + y5 + y6
  f ~ age + female
"
direct <- "
  f =~ y1 + y2 + y3 + y4 + y5 + y6
  f ~ age + female
  y3 ~ female
"
# A single ordered outcome on one covariate, no latent variable.
regression <- "
  y1 ~ age + female
"

fits <- list(
  list(name = "wlsmv_mimic", model = mimic, estimator = "WLSMV"),
  list(name = "wlsmv_direct", model = direct, estimator = "WLSMV"),
  list(name = "dwls_mimic", model = mimic, estimator = "DWLS"),
  list(name = "uls_direct", model = direct, estimator = "ULS"),
  list(name = "wlsmv_regression", model = regression, estimator = "WLSMV")
)

num <- function(x) ifelse(is.finite(x), x, NA)
mat_rows <- function(m) unname(lapply(seq_len(nrow(m)), function(i) unname(m[i, ])))

for (f in fits) {
  fit <- sem(f$model, data = items, estimator = f$estimator, ordered = ordered[ordered %in% lavNames(lavaanify(f$model), "ov")])
  opts <- lavInspect(fit, "options")
  pe <- parameterEstimates(fit, standardized = TRUE)
  fm <- fitMeasures(fit)
  out <- list(
    name = f$name,
    lavaan_version = as.character(packageVersion("lavaan")),
    model = f$model,
    data = path,
    estimator = f$estimator,
    ordered = ordered[ordered %in% lavNames(fit, "ov")],
    conditional_x = opts$conditional.x,
    se = opts$se,
    test = opts$test,
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

# Sample statistics of the MIMIC model: residual thresholds, slopes,
# residual polychorics, the WLS vector and its Γ (N times the NACOV).
fit <- sem(mimic, data = items, estimator = "WLSMV", ordered = ordered)
ss <- lavInspect(fit, "sampstat")
wls_obs <- lavInspect(fit, "wls.obs")
gamma <- lavInspect(fit, "gamma")
out <- list(
  lavaan_version = as.character(packageVersion("lavaan")),
  data = path,
  ordered = ordered,
  covariates = c("age", "female"),
  res_th_labels = names(ss$res.th),
  res_th = unname(as.numeric(ss$res.th)),
  res_slopes = mat_rows(ss$res.slopes),
  res_cov = mat_rows(ss$res.cov),
  cov_x = mat_rows(ss$cov.x),
  mean_x = unname(as.numeric(ss$mean.x)),
  wls_labels = names(wls_obs),
  wls_obs = unname(wls_obs),
  gamma = mat_rows(gamma)
)
out_path <- file.path(fixture_dir, "sample_statistics.json")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
cat("wrote", out_path, "\n")

# An ordered predictor: what lavaan 0.6 does with `y1 ~ y2` when both are
# declared ordered (y2 exogenous).
res <- tryCatch({
  fit <- sem("y1 ~ y2 + age", data = items, estimator = "WLSMV", ordered = c("y1", "y2"))
  list(accepted = TRUE, conditional_x = lavInspect(fit, "options")$conditional.x,
       estimates = parameterEstimates(fit)[, c("lhs", "op", "rhs", "est", "se")])
}, error = function(e) list(accepted = FALSE, message = conditionMessage(e)))
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(fixture_dir, "ordered_predictor.json"))
cat("wrote", file.path(fixture_dir, "ordered_predictor.json"), "\n")
