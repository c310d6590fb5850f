# Reference fits for multi-group models with ordered indicators
# (analysis/src/sem/groups_wls.rs) from lavaan 0.6 (issue 15 item 1 with the
# estimators of issue 14 item 3: WLSMV, DWLS, ULS; delta parameterization).
#
#   Rscript tests/reference/sem_groups_ordinal.R   (from the repository root)
#
# Simulates (fixed seed) two data sets with a group column and eight ordered
# items, o1–o4 five-point and o5–o8 four-point, on two correlated factors:
# the loading of o2 is larger in the second group, the thresholds of o3 are
# shifted in the second group, the latent means differ, and o5 loads a little
# on f1 too (the models leave it out: misfit). Groups appear in an order that
# is not alphabetical (lavaan numbers groups in order of first appearance).
# Written to tests/data/sem/groups2_ordinal.csv and groups3_ordinal.csv.
#
# Fits with lavaan's group.equal = none, thresholds, thresholds+loadings and
# thresholds+loadings+intercepts (WLSMV on both data sets; DWLS and ULS at
# thresholds+loadings on the two-group data), plus loadings alone (the
# metric step of the ordered invariance sequence), and two std.lv fits. Each goes to
# tests/fixtures/sem_groups_ordinal/<data>_<estimator>_<level>.json with
# parameterEstimates (est, se, std.lv, std.all, group), every fitMeasures
# value (`.` written `_`), the chi-square per group and the group labels.
# Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem_groups_ordinal"
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

set.seed(20261130)
simulate_group <- function(n, label, lambda2, shift3, fmean) {
  f1 <- rnorm(n, fmean)
  f2 <- 0.5 * fmean + 0.5 * (f1 - fmean) + sqrt(0.75) * rnorm(n)
  latent <- function(f, l) l * f + sqrt(1 - l^2) * rnorm(n)
  cut5 <- function(y, shift = 0) findInterval(y, c(-1.5, -0.7, 0.1, 0.9) + shift) + 1
  cut4 <- function(y) findInterval(y, c(-1.0, 0.0, 0.9)) + 1
  data.frame(
    grp = label,
    o1 = cut5(latent(f1, 0.75)),
    o2 = cut5(lambda2 * f1 + 0.8 * rnorm(n)),
    o3 = cut5(latent(f1, 0.70), shift3),
    o4 = cut5(latent(f1, 0.60)),
    o5 = cut4(0.55 * f2 + 0.30 * f1 + 0.6 * rnorm(n)),
    o6 = cut4(latent(f2, 0.80)),
    o7 = cut4(latent(f2, 0.70)),
    o8 = cut4(latent(f2, 0.65))
  )
}
shuffle <- function(d) d[sample(nrow(d)), ]
first_is <- function(d, label) {
  rbind(d[d$grp == label, ][1, ], d[-which(d$grp == label)[1], ])
}
groups2 <- first_is(shuffle(rbind(
  simulate_group(260, "women", 0.6, 0.0, 0.0),
  simulate_group(230, "men", 0.9, 0.5, 0.3)
)), "men")
groups3 <- first_is(shuffle(rbind(
  simulate_group(240, "low", 0.6, 0.0, 0.0),
  simulate_group(220, "mid", 0.9, 0.5, 0.2),
  simulate_group(250, "high", 0.6, 0.0, 0.4)
)), "mid")
write.csv(groups2, file.path(data_dir, "groups2_ordinal.csv"), row.names = FALSE)
write.csv(groups3, file.path(data_dir, "groups3_ordinal.csv"), row.names = FALSE)

model <- "
  f1 =~ o1 + o2 + o3 + o4
  f2 =~ o5 + o6 + o7 + o8
"
ordered <- paste0("o", 1:8)
levels <- list(
  none = "",
  loadings = c("loadings"),
  thresholds = c("thresholds"),
  thresholds_loadings = c("thresholds", "loadings"),
  thresholds_loadings_intercepts = c("thresholds", "loadings", "intercepts")
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
write_fit <- function(d, estimator, level, std_lv = FALSE) {
  fit <- cfa(model, data = d$data, group = "grp", ordered = ordered,
             estimator = estimator, group.equal = levels[[level]],
             std.lv = std_lv)
  tests_of_fit <- lavInspect(fit, "test")
  out <- list(
    name = paste0(paste(d$name, estimator, level, sep = "_"),
                  if (std_lv) "_stdlv" else ""),
    lavaan_version = as.character(packageVersion("lavaan")),
    model = model,
    data = file.path(data_dir, paste0(d$name, ".csv")),
    group = "grp",
    group_equal = as.list(setdiff(levels[[level]], "")),
    estimator = estimator,
    std_lv = std_lv,
    ordered = ordered,
    converged = lavInspect(fit, "converged"),
    group_labels = lavInspect(fit, "group.label"),
    nobs = unlist(lavInspect(fit, "nobs")),
    chisq_group = unname(tests_of_fit[[1]]$stat.group),
    chisq_scaled_group = if (length(tests_of_fit) > 1)
      unname(tests_of_fit[[2]]$stat.group) else NULL,
    estimates = estimates_of(fit),
    fit = fit_of(fit)
  )
  write_json_file(out, out$name)
}

data_sets <- list(list(name = "groups2_ordinal", data = groups2),
                  list(name = "groups3_ordinal", data = groups3))
for (d in data_sets) {
  for (level in names(levels)) write_fit(d, "WLSMV", level)
}
for (estimator in c("DWLS", "ULS")) {
  write_fit(data_sets[[1]], estimator, "thresholds_loadings")
}
# std.lv: latent variances fixed at 1 in group 1, free from group 2 on when
# the loadings are equal.
write_fit(data_sets[[2]], "WLSMV", "thresholds_loadings", std_lv = TRUE)
write_fit(data_sets[[2]], "WLSMV", "loadings", std_lv = TRUE)

# The ordered invariance sequence (configural, metric = loadings, scalar =
# thresholds + loadings + intercepts) tested by lavTestLRT: WLSMV's default
# method there is satorra.2000 (scaled and shifted).
for (d in data_sets) {
  fits <- lapply(c(configural = "none", metric = "loadings",
                   scalar = "thresholds_loadings_intercepts"), function(level)
    cfa(model, data = d$data, group = "grp", ordered = ordered,
        estimator = "WLSMV", group.equal = levels[[level]]))
  tests <- list()
  for (k in 2:length(fits)) {
    t <- lavTestLRT(fits[[k]], fits[[k - 1]])
    tests[[k - 1]] <- list(
      from = names(fits)[k - 1], to = names(fits)[k],
      chisq_diff = num(t[2, "Chisq diff"]), df_diff = t[2, "Df diff"],
      pvalue = num(t[2, "Pr(>Chisq)"]),
      delta_cfi = unname(fitMeasures(fits[[k]], "cfi") - fitMeasures(fits[[k - 1]], "cfi")),
      delta_rmsea = unname(fitMeasures(fits[[k]], "rmsea") - fitMeasures(fits[[k - 1]], "rmsea")))
  }
  write_json_file(list(name = paste(d$name, "WLSMV_invariance", sep = "_"),
                       data = file.path(data_dir, paste0(d$name, ".csv")),
                       estimator = "WLSMV", tests = tests),
                  paste(d$name, "WLSMV_invariance", sep = "_"))
}
