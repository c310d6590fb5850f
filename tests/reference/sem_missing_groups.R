# Reference fits for full-information ML with missing data in groups, and
# more MLR fits with missing data (analysis/src/sem/missing.rs,
# missing_robust.rs, missing_groups.rs), from lavaan 0.6 with missing = "ml"
# (issue 14 item 4, issue 15 item 1).
#
#   Rscript tests/reference/sem_missing_groups.R    (from the repository root)
#
# Deletes values (fixed seed) from the multi-group data of
# tests/reference/sem_groups.R (skewed, with a non-invariant loading of x2
# and intercept of x5, and an omitted cross-loading of x4 so that the fit is
# not perfect):
#
# - tests/data/sem/groups2_mcar.csv: every value of x1-x6 missing with
#   probability 0.10 independently (MCAR), and two records missing on every
#   variable (lavaan drops them with a warning);
# - tests/data/sem/groups3_mar.csv: x1 complete; x4-x6 missing more often
#   when x1 is high (logistic), x2 MCAR at 0.08 (MAR).
#
# Fits (each to tests/fixtures/sem_missing/<name>.json, the fields of
# tests/reference/sem_missing.R plus the group column, `group_equal`, each
# estimate's group, the χ² per group and each group's EM moments):
# two- and three-group configural, metric (loadings) and scalar (loadings,
# intercepts) models by ML and MLR; the invariance sequence (configural to
# strict, lavTestLRT and the differences of CFI and RMSEA) to
# <data>_<estimator>_invariance.json; and single-group MLR fits of the
# structural model with MAR data and of the model with constrained means
# (tests/data/sem/missing_*.csv of sem_missing.R).
# Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem_missing"

set.seed(20261203)
num_cols <- paste0("x", 1:6)
g2 <- read.csv(file.path(data_dir, "groups2.csv"))
for (v in num_cols) g2[[v]][runif(nrow(g2)) < 0.10] <- NA
g2[c(40, 300), num_cols] <- NA
g3 <- read.csv(file.path(data_dir, "groups3.csv"))
z1 <- as.numeric(scale(g3$x1))
for (v in c("x4", "x5", "x6")) g3[[v]][runif(nrow(g3)) < plogis(-2.0 + 1.2 * z1)] <- NA
g3$x2[runif(nrow(g3)) < 0.08] <- NA
paths <- list(g2 = file.path(data_dir, "groups2_mcar.csv"),
              g3 = file.path(data_dir, "groups3_mar.csv"))
write.csv(g2, paths$g2, row.names = FALSE, na = "")
write.csv(g3, paths$g3, row.names = FALSE, na = "")

num <- function(x) ifelse(is.finite(x), x, NA)
group_model <- "
  f1 =~ x1 + x2 + x3
  f2 =~ x4 + x5 + x6
"
levels <- list(configural = "", metric = c("loadings"),
               scalar = c("loadings", "intercepts"),
               strict = c("loadings", "intercepts", "residuals"))

write_fit <- function(name, fit, model, data_path, estimator, group = NULL,
                      group_equal = character(0)) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$group)) pe$group <- 1L
  fm <- fitMeasures(fit)
  h1 <- lavInspect(fit, "sampstat.h1")
  if (!is.null(group)) {
    h1_cov <- lapply(h1, function(x) unname(as.matrix(x$cov)))
    h1_mean <- lapply(h1, function(x) unname(as.numeric(x$mean)))
  } else {
    h1_cov <- unname(as.matrix(h1$cov))
    h1_mean <- unname(as.numeric(h1$mean))
  }
  test <- lavInspect(fit, "test")
  out <- list(
    name = name,
    lavaan_version = as.character(packageVersion("lavaan")),
    model = model,
    data = data_path,
    estimator = estimator,
    missing = "ml",
    group = group,
    group_labels = lavInspect(fit, "group.label"),
    group_equal = as.list(group_equal),
    information = lavInspect(fit, "options")$information[1],
    converged = lavInspect(fit, "converged"),
    nobs = lavInspect(fit, "nobs"),
    npatterns = sapply(fit@Data@Mp, function(m) m$npatterns),
    observed = lavNames(fit),
    h1_cov = h1_cov,
    h1_mean = h1_mean,
    chisq_group = unname(test[[1]]$stat.group),
    estimates = lapply(seq_len(nrow(pe)), function(i) list(
      lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], group = pe$group[i],
      est = num(pe$est[i]), se = num(pe$se[i]), std_lv = num(pe$std.lv[i]),
      std_all = num(pe$std.all[i]))),
    fit = as.list(setNames(num(fm), gsub("\\.", "_", names(fm))))
  )
  out_path <- file.path(fixture_dir, paste0(name, ".json"))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", na = "null",
                    pretty = TRUE), out_path)
  cat("wrote", out_path, "\n")
}

for (d in list(list(name = "groups2_mcar", data = g2, path = paths$g2),
               list(name = "groups3_mar", data = g3, path = paths$g3))) {
  for (estimator in c("ML", "MLR")) {
    fits <- list()
    for (level in names(levels)) {
      fit <- cfa(group_model, data = d$data, group = "grp", estimator = estimator,
                 missing = "ml", group.equal = levels[[level]])
      fits[[level]] <- fit
      if (level != "strict") {
        write_fit(paste0(d$name, "_", tolower(estimator), "_", level), fit, group_model,
                  d$path, estimator, group = "grp", group_equal = setdiff(levels[[level]], ""))
      }
    }
    # The invariance sequence (paraclinic invariance --missing ml): each
    # level against the previous one by lavTestLRT (χ² difference for ML,
    # Satorra-Bentler 2001 for MLR) and the differences of CFI and RMSEA
    # (and of their robust, FIML-corrected versions).
    tests <- list()
    for (k in 2:length(fits)) {
      a <- fits[[k - 1]]
      b <- fits[[k]]
      lrt <- lavTestLRT(b, a)
      fa <- fitMeasures(a)
      fb <- fitMeasures(b)
      tests[[k - 1]] <- list(
        from = names(fits)[k - 1], to = names(fits)[k],
        chisq_diff = num(lrt[2, "Chisq diff"]), df_diff = lrt[2, "Df diff"],
        pvalue = num(lrt[2, "Pr(>Chisq)"]),
        delta_cfi = unname(fb["cfi"] - fa["cfi"]),
        delta_rmsea = unname(fb["rmsea"] - fa["rmsea"]),
        delta_cfi_robust = unname(fb["cfi.robust"] - fa["cfi.robust"]),
        delta_rmsea_robust = unname(fb["rmsea.robust"] - fa["rmsea.robust"]))
    }
    name <- paste0(d$name, "_", tolower(estimator), "_invariance")
    writeLines(toJSON(list(name = name, data = d$path, estimator = estimator,
                           model = group_model, tests = tests),
                      auto_unbox = TRUE, digits = NA, null = "null", na = "null",
                      pretty = TRUE),
               file.path(fixture_dir, paste0(name, ".json")))
    cat("wrote", name, "\n")
  }
}

# Single-group MLR beside the committed mlr_cfa_mar and mlr_sem_mcar: the
# structural model (with misfit) under MAR, and constrained means under MCAR.
sem_model <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
  f2 ~ f1
  w ~ f2
"
means_model <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
  y1 ~ 3*1
  y2 ~ a*1
  y3 ~ a*1
  f1 ~ NA*1
"
mar <- read.csv(file.path(data_dir, "missing_mar.csv"))
mcar <- read.csv(file.path(data_dir, "missing_mcar.csv"))
write_fit("mlr_sem_mar", sem(sem_model, data = mar, estimator = "MLR", missing = "ml"),
          sem_model, file.path(data_dir, "missing_mar.csv"), "MLR")
write_fit("mlr_means_mcar", sem(means_model, data = mcar, estimator = "MLR", missing = "ml"),
          means_model, file.path(data_dir, "missing_mcar.csv"), "MLR")
