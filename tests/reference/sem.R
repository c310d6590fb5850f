# Reference fits for the SEM engine (analysis/src/sem), from lavaan 0.6.
#
#   Rscript tests/reference/sem.R        (from the repository root)
#
# Writes the datasets it uses to tests/data/sem/*.csv and, per model and
# variant, a JSON fixture to tests/fixtures/sem/<name>.json holding lavaan's
# parameterEstimates (est, se, z, pvalue, ci, std.lv, std.all), fitMeasures,
# R-squared, modification indices (mi, epc, sepc.all) and the composite
# reliability / AVE per factor computed from lavaan's std.all solution.
# Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem"
dir.create(data_dir, recursive = TRUE, showWarnings = FALSE)
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

write_data <- function(df, name) {
  path <- file.path(data_dir, paste0(name, ".csv"))
  write.csv(df, path, row.names = FALSE)
  path
}

# ---- datasets -------------------------------------------------------------

hs <- HolzingerSwineford1939[, paste0("x", 1:9)]
hs_path <- write_data(hs, "holzinger_swineford")
# The same data as a covariance matrix (divisor N - 1, as R's cov()).
write.csv(cov(hs), file.path(data_dir, "holzinger_swineford_cov.csv"))

pd <- PoliticalDemocracy
pd_path <- write_data(pd, "political_democracy")

# Own simulated data (fixed seed): two correlated factors of four indicators
# each, with a cross-loading of y5 on f1 that the "misfit" model leaves out,
# plus an observed covariate z that predicts f2 and an observed outcome w.
set.seed(20240501)
n <- 250
z <- rnorm(n)
f1 <- rnorm(n)
f2 <- 0.5 * f1 + 0.4 * z + rnorm(n, sd = 0.8)
ind <- function(f, lambda, sd) lambda * f + rnorm(n, sd = sd)
sim <- data.frame(
  y1 = ind(f1, 1.0, 0.6), y2 = ind(f1, 0.8, 0.7), y3 = ind(f1, 1.2, 0.8),
  y4 = ind(f1, 0.9, 0.6),
  y5 = 0.7 * f2 + 0.6 * f1 + rnorm(n, sd = 0.7), y6 = ind(f2, 1.1, 0.6),
  y7 = ind(f2, 0.9, 0.8), y8 = ind(f2, 1.0, 0.7),
  z = z
)
sim$w <- 0.5 * f2 + 0.3 * sim$z + rnorm(n, sd = 0.9)
sim <- round(sim, 4)
sim_path <- write_data(sim, "simulated")

# The benchmark questionnaire: 78 five-point Likert items on 10 correlated
# factors (8 factors of 8 items, 2 of 7), N = 385, as in the study.
set.seed(385)
n_b <- 385
sizes <- c(8, 8, 8, 8, 8, 8, 8, 8, 7, 7)
k <- length(sizes)
phi <- matrix(0.35, k, k)
diag(phi) <- 1
eta <- matrix(rnorm(n_b * k), n_b, k) %*% chol(phi)
items <- list()
bench_model <- character(0)
item <- 0
for (f in seq_len(k)) {
  names_f <- character(0)
  for (j in seq_len(sizes[f])) {
    item <- item + 1
    lambda <- runif(1, 0.55, 0.85)
    latent <- lambda * eta[, f] + rnorm(n_b, sd = sqrt(1 - lambda^2))
    # Five categories with uneven thresholds, as questionnaire answers.
    items[[sprintf("q%02d", item)]] <- as.integer(cut(latent,
      breaks = c(-Inf, -1.4, -0.5, 0.4, 1.2, Inf)))
    names_f <- c(names_f, sprintf("q%02d", item))
  }
  bench_model <- c(bench_model,
    sprintf("F%d =~ %s", f, paste(names_f, collapse = " + ")))
}
bench <- as.data.frame(items)
bench_path <- write_data(bench, "questionnaire_78")
writeLines(c("# 78 items on 10 correlated factors (benchmark model)", bench_model),
           file.path(data_dir, "questionnaire_78.lav"))

# ---- models ---------------------------------------------------------------

hs_model <- "
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
"
hs_second <- "
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
  g =~ visual + textual + speed
"
pd_model <- "
  # measurement model
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  # regressions
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  # residual correlations
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
"
pd_equal <- "
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a*y2 + b*y3 + c*y4
  dem65 =~ y5 + a*y6 + b*y7 + c*y8
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  y1 ~~ y5; y2 ~~ y4 + y6; y3 ~~ y7; y4 ~~ y8; y6 ~~ y8
"
# Fixed values, a freed first loading with the variance fixed instead,
# start values, an observed covariate (fixed.x) and an observed outcome.
sim_fixed <- "
  f1 =~ NA*y1 + y2 + start(1.1)*y3 + y4
  f1 ~~ 1*f1
  f2 =~ y5 + 1*y6 + y7 + 0.9*y8   # y5 is the marker (first), y6 and y8 fixed too
  f2 ~ z
  w ~ f2 + z
  y1 ~~ 0.35*y1
"
# Misfit: the cross-loading of y5 on f1 is left out.
sim_misfit <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
"
# Exogenous covariates named in ~~ statements: random, not fixed.x (lavaan
# warns and frees their variances); x5 stays a fixed covariate.
hs_exo_random <- "
  visual =~ x1 + x2 + x3
  visual ~ x4 + x5 + x6
  x4 ~~ x5
  x7 ~ visual + x6
"
# A badly fitting model on which L-BFGS stops early (its line search meets
# a non-descent direction) and Fisher scoring converges only linearly.
hs_slow_convergence <- "
  f =~ x1 + x2 + x3 + x4
  f ~ x7 + x9
  x5 ~ f
"
# One label on a loading and a residual covariance (their starting values
# differ in kind).
hs_shared_label <- "
  visual =~ x1 + a*x2 + x3
  textual =~ x4 + x5 + x6
  x2 ~~ a*x3
"

fits <- list(
  list(name = "hs_cfa", model = hs_model, data = hs, path = hs_path, fun = cfa),
  list(name = "hs_cfa_wishart", model = hs_model, data = hs, path = hs_path, fun = cfa,
       likelihood = "wishart"),
  list(name = "hs_cfa_stdlv", model = hs_model, data = hs, path = hs_path, fun = cfa,
       std.lv = TRUE),
  list(name = "hs_second_order", model = hs_second, data = hs, path = hs_path, fun = cfa),
  list(name = "poldem_sem", model = pd_model, data = pd, path = pd_path, fun = sem),
  list(name = "poldem_sem_wishart", model = pd_model, data = pd, path = pd_path, fun = sem,
       likelihood = "wishart"),
  list(name = "poldem_equal", model = pd_equal, data = pd, path = pd_path, fun = sem),
  list(name = "poldem_equal_stdlv", model = pd_equal, data = pd, path = pd_path, fun = sem,
       std.lv = TRUE),
  list(name = "sim_fixed", model = sim_fixed, data = sim, path = sim_path, fun = sem),
  list(name = "sim_misfit", model = sim_misfit, data = sim, path = sim_path, fun = cfa),
  list(name = "hs_exo_random", model = hs_exo_random, data = hs, path = hs_path, fun = sem),
  list(name = "hs_slow_convergence", model = hs_slow_convergence, data = hs, path = hs_path,
       fun = sem),
  list(name = "hs_shared_label", model = hs_shared_label, data = hs, path = hs_path, fun = cfa),
  list(name = "questionnaire_78", model = paste(bench_model, collapse = "\n"),
       data = bench, path = bench_path, fun = cfa)
)

fit_names <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq",
  "baseline.df", "baseline.pvalue", "cfi", "tli", "nfi", "logl",
  "unrestricted.logl", "aic", "bic", "ntotal", "rmsea", "rmsea.ci.lower",
  "rmsea.ci.upper", "rmsea.pvalue", "srmr", "gfi", "agfi", "pgfi")

num <- function(x) { x <- as.numeric(x); x[!is.finite(x)] <- NA; x }

for (f in fits) {
  likelihood <- if (is.null(f$likelihood)) "normal" else f$likelihood
  std_lv <- isTRUE(f$std.lv)
  fit <- f$fun(f$model, data = f$data, likelihood = likelihood, std.lv = std_lv)
  pe <- parameterEstimates(fit, standardized = TRUE)
  fm <- fitMeasures(fit, fit_names)
  r2 <- inspect(fit, "r2")
  mi <- modindices(fit)
  std <- standardizedSolution(fit)
  # Composite reliability and AVE per first-order factor from lavaan's
  # std.all loadings and standardized residual variances.
  lv <- lavNames(fit, "lv")
  ov <- lavNames(fit, "ov")
  reliability <- list()
  for (factor in lv) {
    rows <- std[std$lhs == factor & std$op == "=~" & std$rhs %in% ov, ]
    if (nrow(rows) == 0) next
    lambda <- rows$est.std
    theta <- sapply(rows$rhs, function(v)
      std$est.std[std$lhs == v & std$op == "~~" & std$rhs == v])
    cr <- sum(lambda)^2 / (sum(lambda)^2 + sum(theta))
    ave <- sum(lambda^2) / length(lambda)
    reliability[[factor]] <- list(cr = cr, ave = ave)
  }
  out <- list(
    name = f$name,
    lavaan_version = as.character(packageVersion("lavaan")),
    model = f$model,
    data = f$path,
    likelihood = likelihood,
    std_lv = std_lv,
    converged = lavInspect(fit, "converged"),
    nobs = lavInspect(fit, "nobs"),
    estimates = lapply(seq_len(nrow(pe)), function(i) list(
      lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], label = pe$label[i],
      est = num(pe$est[i]), se = num(pe$se[i]), z = num(pe$z[i]),
      pvalue = num(pe$pvalue[i]), ci_lower = num(pe$ci.lower[i]),
      ci_upper = num(pe$ci.upper[i]), std_lv = num(pe$std.lv[i]),
      std_all = num(pe$std.all[i]))),
    fit = as.list(setNames(num(fm), gsub("\\.", "_", names(fm)))),
    r2 = as.list(setNames(num(r2), names(r2))),
    modindices = lapply(seq_len(nrow(mi)), function(i) list(
      lhs = mi$lhs[i], op = mi$op[i], rhs = mi$rhs[i], mi = num(mi$mi[i]),
      epc = num(mi$epc[i]), sepc_all = num(mi$sepc.all[i]))),
    reliability = reliability
  )
  path <- file.path(fixture_dir, paste0(f$name, ".json"))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null",
                    pretty = TRUE), path)
  cat("wrote", path, "\n")
}
