# Reference fits for ordered indicators (WLSMV, DWLS, ULS) and the
# least-squares estimators on continuous data (GLS, ULS, DWLS) in the SEM
# engine (analysis/src/sem/wls.rs), from lavaan 0.6 (issue 14, capability 3).
#
#   Rscript tests/reference/sem_ordinal.R        (from the repository root)
#
# Simulates ordinal data (fixed seed): three correlated factors, indicators
# y* = λ f + e cut at asymmetric thresholds into 5 points (skewed towards the
# top of the scale, as satisfaction items) and 7 points, and a cross-loading
# of o5 on f1 and a residual covariance of o2 and o3 that the models leave
# out, so that the scaled indices are neither 1 nor 0. Writes
# tests/data/sem/ordinal.csv. Continuous fits use tests/data/sem/skewed.csv
# (tests/reference/sem_robust.R). Per fit a JSON fixture goes to
# tests/fixtures/sem_ordinal/<name>.json with lavaan's parameterEstimates
# (est, se, std.lv, std.all) and every fitMeasures value (`.` written `_`).
# Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem_ordinal"
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

set.seed(20261201)
n <- 500
f1 <- rnorm(n)
f2 <- 0.5 * f1 + sqrt(0.75) * rnorm(n)
f3 <- 0.4 * f1 + 0.3 * f2 + sqrt(0.6) * rnorm(n)
e <- function() rnorm(n)
latent <- function(f, l) l * f + sqrt(1 - l^2) * e()
# Five points, skewed: most answers in 4 and 5.
cut5 <- function(y) findInterval(y, c(-1.8, -1.1, -0.3, 0.6)) + 1
# Seven points, mildly skewed the other way.
cut7 <- function(y) findInterval(y, c(-0.9, -0.3, 0.2, 0.7, 1.2, 1.8)) + 1
shared <- e()
ordinal <- data.frame(
  o1 = cut5(latent(f1, 0.75)),
  o2 = cut5(0.65 * f1 + 0.35 * shared + sqrt(1 - 0.65^2 - 0.35^2) * e()),
  o3 = cut5(0.70 * f1 + 0.35 * shared + sqrt(1 - 0.70^2 - 0.35^2) * e()),
  o4 = cut5(latent(f1, 0.60)),
  o5 = cut5(0.55 * f2 + 0.35 * f1 + sqrt(1 - 0.55^2 - 0.35^2 - 2 * 0.55 * 0.35 * 0.5) * e()),
  o6 = cut5(latent(f2, 0.80)),
  o7 = cut5(latent(f2, 0.70)),
  o8 = cut5(latent(f2, 0.65)),
  s1 = cut7(latent(f3, 0.80)),
  s2 = cut7(latent(f3, 0.70)),
  s3 = cut7(latent(f3, 0.75))
)
path <- file.path(data_dir, "ordinal.csv")
write.csv(ordinal, path, row.names = FALSE)
skewed_path <- file.path(data_dir, "skewed.csv")
skewed <- read.csv(skewed_path)

cfa5 <- "
  f1 =~ o1 + o2 + o3 + o4
  f2 =~ o5 + o6 + o7 + o8
"
cfa7 <- "
  f3 =~ s1 + s2 + s3
  f1 =~ o1 + o2 + o3 + o4
"
sem_model <- "
  f1 =~ o1 + o2 + o3 + o4
  f2 =~ o5 + o6 + o7 + o8
  f3 =~ s1 + s2 + s3
  f2 ~ f1
  f3 ~ f1 + f2
"
# Thresholds in the model syntax: equal first thresholds of o1 and o2 (a
# label), the rest free.
thresholds_model <- "
  f1 =~ o1 + o2 + o3 + o4
  o1 | a*t1 + t2 + t3 + t4
  o2 | a*t1
"
cont_cfa <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
"
cont_sem <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
  f2 ~ f1
  w ~ f2
"

fits <- list(
  list(name = "wlsmv_cfa5", model = cfa5, estimator = "WLSMV", ordered = TRUE),
  list(name = "wlsmv_cfa7", model = cfa7, estimator = "WLSMV", ordered = TRUE),
  list(name = "wlsmv_sem", model = sem_model, estimator = "WLSMV", ordered = TRUE),
  list(name = "wlsmv_thresholds", model = thresholds_model, estimator = "WLSMV", ordered = TRUE),
  list(name = "dwls_cfa5", model = cfa5, estimator = "DWLS", ordered = TRUE),
  list(name = "uls_sem", model = sem_model, estimator = "ULS", ordered = TRUE),
  list(name = "gls_cont_cfa", model = cont_cfa, estimator = "GLS", ordered = FALSE),
  list(name = "uls_cont_cfa", model = cont_cfa, estimator = "ULS", ordered = FALSE),
  list(name = "dwls_cont_sem", model = cont_sem, estimator = "DWLS", ordered = FALSE),
  list(name = "gls_cont_sem", model = cont_sem, estimator = "GLS", ordered = FALSE),
  list(name = "wlsmv_cont_cfa", model = cont_cfa, estimator = "WLSMV", ordered = FALSE),
  list(name = "uls_cont_means", model = cont_cfa, estimator = "ULS", ordered = FALSE,
       meanstructure = TRUE),
  list(name = "gls_cont_means", model = cont_cfa, estimator = "GLS", ordered = FALSE,
       meanstructure = TRUE)
)

num <- function(x) ifelse(is.finite(x), x, NA)

for (f in fits) {
  if (f$ordered) {
    d <- ordinal
    dpath <- path
    fit <- sem(f$model, data = d, estimator = f$estimator, ordered = TRUE)
  } else {
    d <- skewed
    dpath <- skewed_path
    fit <- sem(f$model, data = d, estimator = f$estimator,
               meanstructure = isTRUE(f$meanstructure))
  }
  opts <- lavInspect(fit, "options")
  pe <- parameterEstimates(fit, standardized = TRUE)
  fm <- fitMeasures(fit)
  out <- list(
    name = f$name,
    lavaan_version = as.character(packageVersion("lavaan")),
    model = f$model,
    data = dpath,
    estimator = f$estimator,
    ordered = f$ordered,
    meanstructure = isTRUE(f$meanstructure),
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
