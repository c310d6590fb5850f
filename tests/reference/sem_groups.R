# Reference fits for multi-group SEM, measurement invariance and nested-model
# comparison (analysis/src/sem/groups.rs, invariance.rs, compare.rs), from
# lavaan 0.6 and semTools (issue 15, capabilities 1-3).
#
#   Rscript tests/reference/sem_groups.R        (from the repository root)
#
# Simulates (fixed seed) two data sets with a group column: two correlated
# factors of three indicators each, mildly skewed (centred chi-square(4)
# factors and residuals, so MLM and MLR differ from ML), rows shuffled so that
# the groups appear in an order that is not alphabetical (lavaan numbers
# groups in order of first appearance). The loading of x2 is larger and the
# intercept of x5 higher in the second group (and the third): metric and
# scalar invariance fail. Written to tests/data/sem/groups2.csv and
# groups3.csv.
#
# Per data set and estimator (ML, MLM, MLR), the configural, metric, scalar
# and strict models (group.equal as semTools' measEq sequence) go to
# tests/fixtures/sem_groups/<data>_<estimator>_<level>.json with
# parameterEstimates (est, se, std.lv, std.all, group), every fitMeasures value (`.` written
# `_`), the chi-square per group (and its scaled version) and the group labels; the tests of each
# against the previous one (lavTestLRT: chi-square difference for ML,
# Satorra-Bentler 2001 scaled difference for MLM/MLR) with the differences of
# CFI and RMSEA (and their robust versions) go to
# <data>_<estimator>_invariance.json, checked against semTools' compareFit.
# Nested single-group comparisons (two-factor CFA against orthogonal factors
# and against equal loadings) go to compare_<estimator>.json; two defaults of
# lavaan's multi-group tables to groups2_ML_scalar_stdlv.json (std.lv with
# equal loadings: latent variances free from group 2 on) and
# groups2_ML_label.json (a label is one parameter in every group).
# Needs: r-cran-lavaan, r-cran-semtools, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem_groups"
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

set.seed(20261201)
skew <- function(n) (rchisq(n, 4) - 4) / sqrt(8)
simulate_group <- function(n, label, lambda2, nu5, fmean) {
  f1 <- fmean + skew(n)
  f2 <- 0.5 * fmean + 0.5 * (f1 - fmean) + 0.8 * skew(n)
  e <- function(sd) sd * skew(n)
  d <- data.frame(
    grp = label,
    x1 = 3.0 + 1.0 * f1 + e(0.6),
    x2 = 2.5 + lambda2 * f1 + e(0.7),
    x3 = 3.2 + 1.2 * f1 + e(0.8),
    # x4 loads on f1 a little too: the configural model leaves it out (misfit).
    x4 = 2.0 + 0.9 * f2 + 0.3 * f1 + e(0.6),
    x5 = nu5 + 1.1 * f2 + e(0.6),
    x6 = 2.6 + 0.9 * f2 + e(0.8)
  )
  d
}
shuffle <- function(d) d[sample(nrow(d)), ]
groups2 <- shuffle(rbind(
  simulate_group(220, "women", 0.8, 2.8, 0.0),
  simulate_group(180, "men", 1.3, 3.4, 0.3)
))
# Make sure the first row is a man: group 1 is "men", not "women".
groups2 <- rbind(groups2[groups2$grp == "men", ][1, ], groups2[-which(groups2$grp == "men")[1], ])
groups3 <- shuffle(rbind(
  simulate_group(200, "low", 0.8, 2.8, 0.0),
  simulate_group(170, "mid", 1.3, 3.4, 0.2),
  simulate_group(190, "high", 0.8, 2.8, 0.4)
))
groups3 <- rbind(groups3[groups3$grp == "mid", ][1, ], groups3[-which(groups3$grp == "mid")[1], ])
num_cols <- paste0("x", 1:6)
groups2[num_cols] <- round(groups2[num_cols], 4)
groups3[num_cols] <- round(groups3[num_cols], 4)
write.csv(groups2, file.path(data_dir, "groups2.csv"), row.names = FALSE)
write.csv(groups3, file.path(data_dir, "groups3.csv"), row.names = FALSE)

model <- "
  f1 =~ x1 + x2 + x3
  f2 =~ x4 + x5 + x6
"
levels <- list(
  configural = "",
  metric = c("loadings"),
  scalar = c("loadings", "intercepts"),
  strict = c("loadings", "intercepts", "residuals")
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
lrt_of <- function(a, b) {
  # lavTestLRT's default: chi-square difference for ML, Satorra-Bentler 2001
  # for the scaled tests of MLM and MLR.
  t <- lavTestLRT(a, b)
  list(chisq_diff = num(t[2, "Chisq diff"]), df_diff = t[2, "Df diff"],
       pvalue = num(t[2, "Pr(>Chisq)"]))
}

for (d in list(list(name = "groups2", data = groups2),
               list(name = "groups3", data = groups3))) {
  for (estimator in c("ML", "MLM", "MLR")) {
    fits <- list()
    for (level in names(levels)) {
      fit <- cfa(model, data = d$data, group = "grp", estimator = estimator,
                 group.equal = levels[[level]])
      fits[[level]] <- fit
      tests_of_fit <- lavInspect(fit, "test")
      test <- tests_of_fit[[1]]
      out <- list(
        name = paste(d$name, estimator, level, sep = "_"),
        lavaan_version = as.character(packageVersion("lavaan")),
        model = model,
        data = file.path(data_dir, paste0(d$name, ".csv")),
        group = "grp",
        group_equal = as.list(setdiff(levels[[level]], "")),
        estimator = estimator,
        converged = lavInspect(fit, "converged"),
        group_labels = lavInspect(fit, "group.label"),
        nobs = unlist(lavInspect(fit, "nobs")),
        chisq_group = unname(test$stat.group),
        # The scaled statistic per group (MLM, MLR), as summary() shows it.
        chisq_scaled_group = if (length(tests_of_fit) > 1)
          unname(tests_of_fit[[2]]$stat.group) else NULL,
        estimates = estimates_of(fit),
        fit = fit_of(fit)
      )
      write_json_file(out, out$name)
    }
    tests <- list()
    robust <- estimator != "ML"
    for (k in 2:length(fits)) {
      a <- fits[[k - 1]]
      b <- fits[[k]]
      t <- lrt_of(b, a)
      fa <- fitMeasures(a)
      fb <- fitMeasures(b)
      t$from <- names(fits)[k - 1]
      t$to <- names(fits)[k]
      t$delta_cfi <- unname(fb["cfi"] - fa["cfi"])
      t$delta_rmsea <- unname(fb["rmsea"] - fa["rmsea"])
      if (robust) {
        t$delta_cfi_robust <- unname(fb["cfi.robust"] - fa["cfi.robust"])
        t$delta_rmsea_robust <- unname(fb["rmsea.robust"] - fa["rmsea.robust"])
      }
      tests[[k - 1]] <- t
    }
    # semTools' compareFit runs the same lavTestLRT sequence; its fit.diff
    # holds the differences of the indices it shows.
    cf <- compareFit(fits$configural, fits$metric, fits$scalar, fits$strict)
    nested <- cf@nested
    out <- list(
      name = paste(d$name, estimator, "invariance", sep = "_"),
      data = file.path(data_dir, paste0(d$name, ".csv")),
      estimator = estimator,
      tests = tests,
      semtools_compare_fit = list(
        chisq_diff = unname(nested[["Chisq diff"]][-1]),
        df_diff = unname(nested[["Df diff"]][-1]),
        pvalue = unname(nested[["Pr(>Chisq)"]][-1]))
    )
    write_json_file(out, out$name)
  }
}

# std.lv with equal loadings: lavaan frees the latent variances from group 2
# on (and the latent means with equal intercepts).
fit <- cfa(model, data = groups2, group = "grp", std.lv = TRUE,
           group.equal = c("loadings", "intercepts"))
write_json_file(list(
  name = "groups2_ML_scalar_stdlv", model = model,
  data = file.path(data_dir, "groups2.csv"), group = "grp",
  group_equal = list("loadings", "intercepts"), std_lv = TRUE, estimator = "ML",
  group_labels = lavInspect(fit, "group.label"),
  nobs = unlist(lavInspect(fit, "nobs")),
  chisq_group = unname(lavInspect(fit, "test")[[1]]$stat.group),
  chisq_scaled_group = NULL,
  estimates = estimates_of(fit), fit = fit_of(fit)), "groups2_ML_scalar_stdlv")

# A label in a multi-group model is one parameter in every group (lavaan).
labelled <- "
  f1 =~ x1 + a*x2 + x3
  f2 =~ x4 + x5 + x6
"
fit <- cfa(labelled, data = groups2, group = "grp")
write_json_file(list(
  name = "groups2_ML_label", model = labelled,
  data = file.path(data_dir, "groups2.csv"), group = "grp",
  group_equal = list(), estimator = "ML",
  group_labels = lavInspect(fit, "group.label"),
  nobs = unlist(lavInspect(fit, "nobs")),
  chisq_group = unname(lavInspect(fit, "test")[[1]]$stat.group),
  chisq_scaled_group = NULL,
  estimates = estimates_of(fit), fit = fit_of(fit)), "groups2_ML_label")

# Nested single-group models on groups2's items (groups ignored).
orthogonal <- paste(model, "  f1 ~~ 0*f2\n")
equal_loadings <- "
  f1 =~ x1 + a*x2 + a*x3
  f2 =~ x4 + b*x5 + b*x6
"
for (estimator in c("ML", "MLM", "MLR")) {
  full <- cfa(model, data = groups2, estimator = estimator)
  fits <- list(two_factor = full,
               orthogonal = cfa(orthogonal, data = groups2, estimator = estimator),
               equal_loadings = cfa(equal_loadings, data = groups2, estimator = estimator))
  tests <- lapply(c("orthogonal", "equal_loadings"), function(m) {
    t <- lrt_of(fits[[m]], full)
    # As lavTestLRT orders them: from the model with fewer df to the
    # restricted one.
    t$from <- "two_factor"
    t$to <- m
    t
  })
  out <- list(
    name = paste0("compare_", estimator),
    data = file.path(data_dir, "groups2.csv"),
    estimator = estimator,
    models = list(two_factor = model, orthogonal = orthogonal,
                  equal_loadings = equal_loadings),
    fits = lapply(fits, fit_of),
    tests = tests
  )
  write_json_file(out, out$name)
}
