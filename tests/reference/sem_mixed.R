# Reference fits for ordered and continuous indicators in one model
# (lavaan's ordered = c("a", "b"): thresholds, means and variances,
# Pearson, polyserial and polychoric correlations, WLSMV/DWLS/ULS) for the
# SEM engine (analysis/src/sem/wls.rs, wls_mixed.rs;
# analysis/src/polyserial.rs), from lavaan 0.6 (issue 14, capability 3).
#
#   Rscript tests/reference/sem_mixed.R        (from the repository root)
#
# Simulates (fixed seed) two correlated factors measured by 5-point items
# (o1–o5, cut at asymmetric thresholds) and continuous indicators (c1–c3
# right-skewed: exp(0.45·y*) rescaled; c4 normal on another scale), with a
# cross-loading of o5 on f1 and a residual covariance of c2 and c3 that the
# models leave out, so that the scaled indices are neither 1 nor 0. Writes
# tests/data/sem/mixed.csv and, per fit, tests/fixtures/sem_mixed/<name>.json
# (parameterEstimates est, se, std.lv, std.all; every fitMeasures value,
# `.` written `_`), plus lavCor's polyserial/polychoric/Pearson matrix and
# lavInspect(fit, "gamma") and "wls.obs" for a small model
# (sample_statistics.json).
# Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem_mixed"
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

set.seed(20261130)
n <- 400
f1 <- rnorm(n)
f2 <- 0.5 * f1 + sqrt(0.75) * rnorm(n)
e <- function() rnorm(n)
cut5 <- function(y) findInterval(y, c(-1.6, -0.8, 0.1, 0.9)) + 1
skew <- function(y) {
  x <- exp(0.45 * y)
  round((x - mean(x)) / sd(x) * 1.2 + 4, 4)
}
shared <- e()
mixed <- data.frame(
  o1 = cut5(0.75 * f1 + sqrt(1 - 0.75^2) * e()),
  o2 = cut5(0.65 * f1 + sqrt(1 - 0.65^2) * e()),
  o3 = cut5(0.70 * f1 + sqrt(1 - 0.70^2) * e()),
  c1 = skew(0.6 * f1 + sqrt(1 - 0.36) * e()),
  c2 = skew(0.7 * f2 + 0.35 * shared + sqrt(1 - 0.49 - 0.1225) * e()),
  c3 = skew(0.65 * f2 + 0.35 * shared + sqrt(1 - 0.4225 - 0.1225) * e()),
  c4 = round(2 * (0.6 * f2 + sqrt(1 - 0.36) * e()) + 10, 4),
  o4 = cut5(0.7 * f2 + sqrt(1 - 0.49) * e()),
  o5 = cut5(0.5 * f2 + 0.3 * f1 + sqrt(1 - 0.25 - 0.09 - 0.15) * e())
)
path <- file.path(data_dir, "mixed.csv")
write.csv(mixed, path, row.names = FALSE)
ordered <- c("o1", "o2", "o3", "o4", "o5")

cfa <- "
  f1 =~ o1 + o2 + o3 + c1
  f2 =~ c2 + c3 + c4 + o4 + o5
"
sem_model <- "
  f1 =~ o1 + o2 + o3 + c1
  f2 =~ c2 + c3 + c4 + o4 + o5
  f2 ~ f1
"
# One ordered indicator among continuous ones, a label across both kinds.
one_ordered <- "
  f2 =~ c2 + a*c3 + a*c4 + o4
"
# A continuous predictor of a factor of ordered items, made random by its
# variance statement (so lavaan does not condition on it: conditional.x is
# FALSE).
random_covariate <- "
  f1 =~ o1 + o2 + o3
  f1 ~ c1
  c1 ~~ c1
"

fits <- list(
  list(name = "wlsmv_cfa", model = cfa, estimator = "WLSMV", ordered = ordered),
  list(name = "wlsmv_sem", model = sem_model, estimator = "WLSMV", ordered = ordered),
  list(name = "dwls_cfa", model = cfa, estimator = "DWLS", ordered = ordered),
  list(name = "uls_sem", model = sem_model, estimator = "ULS", ordered = ordered),
  list(name = "wlsmv_random_covariate", model = random_covariate, estimator = "WLSMV",
       ordered = c("o1", "o2", "o3")),
  list(name = "wlsmv_one_ordered", model = one_ordered, estimator = "WLSMV",
       ordered = c("o4"))
)

num <- function(x) ifelse(is.finite(x), x, NA)

for (f in fits) {
  fit <- sem(f$model, data = mixed, estimator = f$estimator, ordered = f$ordered)
  opts <- lavInspect(fit, "options")
  pe <- parameterEstimates(fit, standardized = TRUE)
  fm <- fitMeasures(fit)
  out <- list(
    name = f$name,
    lavaan_version = as.character(packageVersion("lavaan")),
    model = f$model,
    data = path,
    estimator = f$estimator,
    ordered = f$ordered,
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

# Sample statistics: lavCor's correlations of all nine variables, and for a
# small model (two ordered, two continuous) the wls.obs vector and Γ.
all_cor <- lavCor(mixed, ordered = ordered, output = "cor")
small_vars <- c("o1", "c1", "o2", "c2")
small <- cfa("f =~ o1 + c1 + o2 + c2", data = mixed, ordered = c("o1", "o2"),
             estimator = "WLSMV")
wls_obs <- lavInspect(small, "wls.obs")
gamma <- lavInspect(small, "gamma")
out <- list(
  lavaan_version = as.character(packageVersion("lavaan")),
  data = path,
  ordered = ordered,
  names = colnames(all_cor),
  correlations = unname(lapply(seq_len(nrow(all_cor)), function(i) unname(all_cor[i, ]))),
  small_variables = small_vars,
  small_ordered = c("o1", "o2"),
  small_labels = names(wls_obs),
  small_wls_obs = unname(wls_obs),
  small_gamma = unname(lapply(seq_len(nrow(gamma)), function(i) unname(gamma[i, ])))
)
out_path <- file.path(fixture_dir, "sample_statistics.json")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
cat("wrote", out_path, "\n")

# Difference tests of mixed fits (lavTestLRT's satorra.2000 for WLSMV): the
# CFA with the planted residual covariance of c2 and c3, the CFA, and the
# CFA with orthogonal factors.
lrt_models <- list(
  free = paste(cfa, "c2 ~~ c3\n"),
  cfa = cfa,
  orthogonal = paste(cfa, "f1 ~~ 0*f2\n")
)
lrt_fits <- lapply(lrt_models, function(m)
  sem(m, data = mixed, estimator = "WLSMV", ordered = ordered))
tab <- do.call(lavTestLRT, c(unname(lrt_fits), list(model.names = names(lrt_models))))
ord <- rownames(tab)
scale <- attr(tab, "scale")
shift <- attr(tab, "shift")
out <- list(
  lavaan_version = as.character(packageVersion("lavaan")),
  data = path,
  ordered = ordered,
  method = if (grepl("satorra.2000", attr(tab, "heading"), fixed = TRUE)) "satorra.2000" else "standard",
  models = lapply(names(lrt_models), function(n) list(
    model = n, syntax = lrt_models[[n]],
    chisq = fitMeasures(lrt_fits[[n]], "chisq")[[1]],
    df = fitMeasures(lrt_fits[[n]], "df")[[1]])),
  tests = lapply(seq_along(ord)[-1], function(i) list(
    from = ord[i - 1], to = ord[i],
    chisq_diff = tab[i, "Chisq diff"], df_diff = tab[i, "Df diff"],
    pvalue = tab[i, "Pr(>Chisq)"], scale = scale[i], shift = shift[i]))
)
out_path <- file.path(fixture_dir, "lrt.json")
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_path)
cat("wrote", out_path, "\n")
