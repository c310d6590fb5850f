# Reference fits for multi-group least squares on CONTINUOUS indicators
# (issue 15 item 1: DWLS, ULS, GLS and WLSMV with group =), lavaan 0.6.14.
#
#   Rscript tests/reference/sem_groups_ls.R   (from the repository root)
#
# Simulates (fixed seed) continuous two- and three-group data on two
# correlated factors, mildly skewed (so WLSMV's robust pieces differ from
# the normal ones), with a non-invariant loading (x2) and intercept (x5)
# and a small cross-loading of x4 that the model leaves out (misfit); groups
# appear in an order that is not alphabetical. Written to
# tests/data/sem/groups2_ls.csv and groups3_ls.csv. (groups2.csv of
# sem_groups.R is too skewed for least squares: DWLS gives x4 negative
# residual variances there.) Fits the two-factor model
# with group.equal none, loadings and loadings+intercepts by each estimator.
# lavaan's statistics per group are the means and vech(S) (S divided by n_g − 1,
# as for one group); its weights per estimator: DWLS and WLSMV the inverse diagonal of the
# group's Γ (NACOV from the raw data, divisor n_g), ULS the identity, GLS the normal-
# theory inverse built from S. Each fit goes to
# tests/fixtures/sem_groups_ls/<data>_<estimator>_<level>.json with
# lavaan's statistics and diagonal weights per group (wls_obs, wls_v_diag),
# parameterEstimates (est, se, std.lv, std.all, group), every fitMeasures
# value (`.` written `_`), the chi-square per group and the group labels.
# Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem_groups_ls"
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

set.seed(20261202)
skew <- function(n) 0.8 * rnorm(n) + 0.6 * (rchisq(n, 8) - 8) / 4
simulate_group <- function(n, label, lambda2, nu5, fmean) {
  f1 <- fmean + skew(n)
  f2 <- 0.5 * fmean + 0.5 * (f1 - fmean) + 0.85 * skew(n)
  e <- function(sd) sd * skew(n)
  data.frame(
    grp = label,
    x1 = 3.0 + 1.0 * f1 + e(0.6),
    x2 = 2.5 + lambda2 * f1 + e(0.7),
    x3 = 3.2 + 1.2 * f1 + e(0.8),
    x4 = 2.0 + 1.0 * f2 + 0.15 * f1 + e(0.5),
    x5 = nu5 + 1.1 * f2 + e(0.6),
    x6 = 2.6 + 0.9 * f2 + e(0.7)
  )
}
first_is <- function(d, label) {
  d <- d[sample(nrow(d)), ]
  rbind(d[d$grp == label, ][1, ], d[-which(d$grp == label)[1], ])
}
groups2 <- first_is(rbind(
  simulate_group(240, "women", 0.8, 2.8, 0.0),
  simulate_group(200, "men", 1.3, 3.4, 0.3)
), "men")
groups3 <- first_is(rbind(
  simulate_group(210, "low", 0.8, 2.8, 0.0),
  simulate_group(190, "mid", 1.3, 3.4, 0.2),
  simulate_group(230, "high", 0.8, 2.8, 0.4)
), "mid")
num_cols <- paste0("x", 1:6)
groups2[num_cols] <- round(groups2[num_cols], 4)
groups3[num_cols] <- round(groups3[num_cols], 4)
write.csv(groups2, file.path(data_dir, "groups2_ls.csv"), row.names = FALSE)
write.csv(groups3, file.path(data_dir, "groups3_ls.csv"), row.names = FALSE)

model <- "
  f1 =~ x1 + x2 + x3
  f2 =~ x4 + x5 + x6
"
levels <- list(
  none = "",
  loadings = c("loadings"),
  loadings_intercepts = c("loadings", "intercepts")
)

num <- function(x) ifelse(is.finite(x), x, NA)
write_json_file <- function(out, name) {
  path <- file.path(fixture_dir, paste0(name, ".json"))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null",
                    pretty = TRUE), path)
  cat("wrote", path, "\n")
}
estimates_of <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  lapply(seq_len(nrow(pe)), function(i) list(
    lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], group = pe$group[i],
    est = num(pe$est[i]), se = num(pe$se[i]), std_lv = num(pe$std.lv[i]),
    std_all = num(pe$std.all[i])))
}
fit_of <- function(fit) {
  fm <- fitMeasures(fit)
  as.list(setNames(num(fm), gsub("\\.", "_", names(fm))))
}
write_fit <- function(name, estimator, level) {
  path <- file.path(data_dir, paste0(name, ".csv"))
  d <- read.csv(path)
  fit <- cfa(model, data = d, group = "grp", estimator = estimator,
             group.equal = levels[[level]])
  tests_of_fit <- lavInspect(fit, "test")
  out <- list(
    name = paste(name, estimator, level, sep = "_"),
    lavaan_version = as.character(packageVersion("lavaan")),
    model = model,
    data = path,
    group = "grp",
    group_equal = as.list(setdiff(levels[[level]], "")),
    estimator = estimator,
    converged = lavInspect(fit, "converged"),
    group_labels = lavInspect(fit, "group.label"),
    nobs = unlist(lavInspect(fit, "nobs")),
    chisq_group = unname(tests_of_fit[[1]]$stat.group),
    chisq_scaled_group = if (length(tests_of_fit) > 1)
      unname(tests_of_fit[[2]]$stat.group) else NULL,
    # The statistics per group (means then vech(S)) and, but for GLS, the
    # diagonal weights: what a fit's intermediate steps can be checked on.
    wls_obs = unname(lapply(lavInspect(fit, "wls.obs"), as.numeric)),
    wls_v_diag = if (estimator != "GLS")
      unname(lapply(lavInspect(fit, "wls.v"), function(v) as.numeric(diag(v)))) else NULL,
    estimates = estimates_of(fit),
    fit = fit_of(fit)
  )
  write_json_file(out, out$name)
}

for (name in c("groups2_ls", "groups3_ls")) {
  for (estimator in c("WLSMV", "DWLS", "ULS", "GLS")) {
    for (level in names(levels)) write_fit(name, estimator, level)
  }
}

# The invariance sequence's difference tests on continuous items (configural
# → metric → scalar), as lavTestLRT computes them: satorra.2000 (scaled and
# shifted) for WLSMV, the plain difference for DWLS, ULS and GLS.
lrt_rows <- list()
for (name in c("groups2_ls", "groups3_ls")) {
  d <- read.csv(file.path(data_dir, paste0(name, ".csv")))
  for (estimator in c("WLSMV", "DWLS", "ULS", "GLS")) {
    fits <- lapply(levels, function(eq) cfa(model, data = d, group = "grp",
                                            estimator = estimator, group.equal = eq))
    for (k in 2:length(fits)) {
      t <- lavTestLRT(fits[[k - 1]], fits[[k]])
      lrt_rows[[length(lrt_rows) + 1]] <- list(
        data = name, estimator = estimator,
        from = names(levels)[k - 1], to = names(levels)[k],
        chisq_diff = num(t[2, "Chisq diff"]), df_diff = num(t[2, "Df diff"]),
        pvalue = num(t[2, "Pr(>Chisq)"]), method = attr(t, "method"))
    }
  }
}
write_json_file(lrt_rows, "lrt")
