# Reference fits for multi-group models whose items are partly ordered and
# partly continuous (analysis/src/sem/groups_wls.rs with sem/wls_mixed.rs)
# from lavaan 0.6.14: cfa(..., group = "grp", ordered = c("o1", "o2", "o3")),
# delta parameterization, WLSMV, DWLS and ULS (issue 15 item 1).
#
#   Rscript tests/reference/sem_groups_mixed.R   (from the repository root)
#
# Simulates (fixed seed) two groups (N 250 and 240) with three five-point
# items o1–o3 on f1 and three continuous items c1–c3 on f2 (correlated
# factors); the second group has a larger loading of o2, shifted thresholds
# of o3, a larger intercept of c2 and different latent means. Groups appear
# in an order that is not alphabetical. Written to
# tests/data/sem/groups2_mixed.csv.
#
# Fits with group.equal = none, loadings, thresholds+loadings,
# loadings+intercepts (which lavaan takes to include the thresholds) and
# thresholds+loadings+intercepts (WLSMV), the last by DWLS and ULS too, and
# equal loadings with std.lv. Each goes to
# tests/fixtures/sem_groups_mixed/<data>_<estimator>_<level>.json as in
# sem_groups_ordinal.R; lavTestLRT's satorra.2000 tests of the invariance
# sequence (configural, metric, scalar) and of orthogonal factors against
# the configural model go to groups2_mixed_WLSMV_invariance.json.
# Needs: r-cran-lavaan, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- "tests/data/sem"
fixture_dir <- "tests/fixtures/sem_groups_mixed"
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

set.seed(20261131)
simulate_group <- function(n, label, lambda2, shift3, intercept2, fmean) {
  f1 <- rnorm(n, fmean)
  f2 <- 0.5 * fmean + 0.5 * (f1 - fmean) + sqrt(0.75) * rnorm(n)
  latent <- function(f, l) l * f + sqrt(1 - l^2) * rnorm(n)
  cut5 <- function(y, shift = 0) findInterval(y, c(-1.5, -0.7, 0.1, 0.9) + shift) + 1
  data.frame(
    grp = label,
    o1 = cut5(latent(f1, 0.75)),
    o2 = cut5(lambda2 * f1 + 0.8 * rnorm(n)),
    o3 = cut5(latent(f1, 0.70), shift3),
    c1 = round(10 + 2.0 * f2 + 1.2 * rnorm(n), 3),
    c2 = round(intercept2 + 1.5 * f2 + 1.0 * rnorm(n), 3),
    c3 = round(5 + 1.0 * f2 + 0.8 * rnorm(n) + 0.3 * f1, 3)
  )
}
shuffle <- function(d) d[sample(nrow(d)), ]
first_is <- function(d, label) {
  rbind(d[d$grp == label, ][1, ], d[-which(d$grp == label)[1], ])
}
groups2 <- first_is(shuffle(rbind(
  simulate_group(250, "women", 0.6, 0.0, 8, 0.0),
  simulate_group(240, "men", 0.9, 0.5, 8.6, 0.3)
)), "men")
write.csv(groups2, file.path(data_dir, "groups2_mixed.csv"), row.names = FALSE)

model <- "
  f1 =~ o1 + o2 + o3
  f2 =~ c1 + c2 + c3
"
ordered <- c("o1", "o2", "o3")
levels <- list(
  none = "",
  loadings = c("loadings"),
  thresholds_loadings = c("thresholds", "loadings"),
  loadings_intercepts = c("loadings", "intercepts"),
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

d <- list(name = "groups2_mixed", data = groups2)
for (level in names(levels)) write_fit(d, "WLSMV", level)
for (estimator in c("DWLS", "ULS")) write_fit(d, estimator, "thresholds_loadings_intercepts")
# std.lv: latent variances fixed at 1 in group 1, free from group 2 on when
# the loadings are equal.
write_fit(d, "WLSMV", "loadings", std_lv = TRUE)

# The invariance sequence (configural, metric = loadings, scalar =
# thresholds + loadings + intercepts) tested by lavTestLRT (satorra.2000 for
# WLSMV), and a nested pair (orthogonal factors) at no equality.
fits <- lapply(c(configural = "none", metric = "loadings",
                 scalar = "thresholds_loadings_intercepts"), function(level)
  cfa(model, data = groups2, group = "grp", ordered = ordered,
      estimator = "WLSMV", group.equal = levels[[level]]))
lrt_row <- function(t, from, to, extra = list()) c(list(
  from = from, to = to,
  chisq_diff = num(t[2, "Chisq diff"]), df_diff = t[2, "Df diff"],
  pvalue = num(t[2, "Pr(>Chisq)"]),
  scale = unname(attr(t, "scale")[2]), shift = unname(attr(t, "shift")[2])), extra)
tests <- list()
for (k in 2:length(fits)) {
  tests[[k - 1]] <- lrt_row(lavTestLRT(fits[[k]], fits[[k - 1]]),
                            names(fits)[k - 1], names(fits)[k])
}
orthogonal_model <- paste(model, "f1 ~~ 0*f2\n")
orthogonal <- cfa(orthogonal_model, data = groups2, group = "grp",
                  ordered = ordered, estimator = "WLSMV")
write_json_file(list(
  name = "groups2_mixed_WLSMV_invariance",
  data = file.path(data_dir, "groups2_mixed.csv"),
  estimator = "WLSMV", tests = tests,
  orthogonal_model = orthogonal_model,
  orthogonal = lrt_row(lavTestLRT(fits[[1]], orthogonal), "model", "orthogonal",
                       list(chisq = unname(fitMeasures(orthogonal, "chisq")),
                            df = unname(fitMeasures(orthogonal, "df"))))),
  "groups2_mixed_WLSMV_invariance")
