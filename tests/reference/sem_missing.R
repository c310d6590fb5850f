# Reference fits for full-information ML with missing data in the SEM engine
# (analysis/src/sem/missing.rs), from lavaan 0.6 with missing = "ml" (issue 14,
# capability 4).
#
#   Rscript tests/reference/sem_missing.R        (from the repository root)
#
# Simulates normal data (fixed seed) — two correlated factors of four
# indicators each, a cross-loading of y5 on f1 that the models leave out (so
# that the fit is not perfect) and an observed outcome w of f2 — and deletes
# values two ways:
#
# - tests/data/sem/missing_mcar.csv: every value missing with probability
#   0.12 independently (MCAR), and three records missing on every variable,
#   which lavaan drops with a warning ("some cases are empty and will be
#   ignored");
# - tests/data/sem/missing_mar.csv: y1–y3 complete; y5–y8 missing more often
#   when y1 is high, w when y2 is high (MAR, logistic), y4 MCAR at 0.10.
#
# Per model a JSON fixture goes to tests/fixtures/sem_missing/<name>.json
# with lavaan's parameterEstimates (est, se, std.lv, std.all), every
# fitMeasures value (`.` written `_`), the number of cases used and of
# missing patterns, and the EM estimates of the unrestricted model
# (lavInspect(fit, "sampstat.h1")).
# Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem_missing"
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

set.seed(20261201)
n <- 300
f1 <- rnorm(n)
f2 <- 0.5 * f1 + sqrt(0.75) * rnorm(n)
ind <- function(mu, f, lambda, sd) mu + lambda * f + sd * rnorm(n)
full <- data.frame(
  y1 = ind(3.0, f1, 1.0, 0.6), y2 = ind(2.5, f1, 0.8, 0.7),
  y3 = ind(3.2, f1, 1.2, 0.8), y4 = ind(2.0, f1, 0.9, 0.6),
  y5 = 2.8 + 0.7 * f2 + 0.5 * f1 + 0.7 * rnorm(n), y6 = ind(3.1, f2, 1.1, 0.6),
  y7 = ind(2.6, f2, 0.9, 0.8), y8 = ind(3.0, f2, 1.0, 0.7)
)
full$w <- 1.5 + 0.6 * f2 + 0.8 * rnorm(n)
full <- round(full, 4)

mcar <- full
for (v in names(mcar)) mcar[[v]][runif(n) < 0.12] <- NA
mcar[c(17, 150, 288), ] <- NA

mar <- full
z1 <- as.numeric(scale(full$y1))
z2 <- as.numeric(scale(full$y2))
for (v in c("y5", "y6", "y7", "y8")) {
  mar[[v]][runif(n) < plogis(-2.2 + 1.2 * z1)] <- NA
}
mar$w[runif(n) < plogis(-1.8 + 1.0 * z2)] <- NA
mar$y4[runif(n) < 0.10] <- NA

datasets <- list(mcar = mcar, mar = mar)
paths <- list()
for (d in names(datasets)) {
  paths[[d]] <- file.path(data_dir, paste0("missing_", d, ".csv"))
  write.csv(datasets[[d]], paths[[d]], row.names = FALSE, na = "")
  cat(d, ": ", round(100 * mean(is.na(datasets[[d]])), 1), "% of values missing\n",
      sep = "")
}

cfa_model <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
"
# Constrained intercepts, a fixed intercept and a free latent mean.
means_model <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
  y1 ~ 3*1
  y2 ~ a*1
  y3 ~ a*1
  f1 ~ NA*1
"
sem_model <- "
  f1 =~ y1 + y2 + y3 + y4
  f2 =~ y5 + y6 + y7 + y8
  f2 ~ f1
  w ~ f2
"

fits <- list(
  list(name = "ml_cfa_mcar", model = cfa_model, data = "mcar", estimator = "ML"),
  list(name = "ml_cfa_mar", model = cfa_model, data = "mar", estimator = "ML"),
  list(name = "ml_means_mcar", model = means_model, data = "mcar", estimator = "ML"),
  list(name = "ml_sem_mar", model = sem_model, data = "mar", estimator = "ML"),
  list(name = "ml_sem_mcar", model = sem_model, data = "mcar", estimator = "ML"),
  list(name = "mlr_cfa_mar", model = cfa_model, data = "mar", estimator = "MLR"),
  list(name = "mlr_sem_mcar", model = sem_model, data = "mcar", estimator = "MLR")
)

num <- function(x) ifelse(is.finite(x), x, NA)

for (f in fits) {
  fit <- sem(f$model, data = datasets[[f$data]], estimator = f$estimator,
             missing = "ml")
  pe <- parameterEstimates(fit, standardized = TRUE)
  fm <- fitMeasures(fit)
  h1 <- lavInspect(fit, "sampstat.h1")
  out <- list(
    name = f$name,
    lavaan_version = as.character(packageVersion("lavaan")),
    model = f$model,
    data = paths[[f$data]],
    estimator = f$estimator,
    missing = "ml",
    information = lavInspect(fit, "options")$information[1],
    converged = lavInspect(fit, "converged"),
    nobs = lavInspect(fit, "nobs"),
    npatterns = fit@Data@Mp[[1]]$npatterns,
    observed = lavNames(fit),
    h1_cov = unname(as.matrix(h1$cov)),
    h1_mean = unname(as.numeric(h1$mean)),
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

# The benchmark's data (benches/sem_missing_vs_lavaan.rs): the study-sized
# questionnaire (78 five-point items, N = 385, tests/reference/sem.R) with
# 10 % of its values deleted at random (MCAR), so that nearly every case has
# its own missingness pattern.
set.seed(20261202)
q78 <- read.csv(file.path(data_dir, "questionnaire_78.csv"))
q78[matrix(runif(nrow(q78) * ncol(q78)) < 0.10, nrow(q78))] <- NA
write.csv(q78, file.path(data_dir, "questionnaire_78_missing.csv"), row.names = FALSE, na = "")
cat("questionnaire_78_missing:", round(100 * mean(is.na(q78)), 1), "% missing,",
    nrow(unique(is.na(q78))), "patterns\n")
