# Reference difference tests of least-squares fits (lavTestLRT's
# "satorra.2000" scaled-shifted difference for WLSMV, the plain difference
# for DWLS and ULS with the standard test) and semTools' net() nesting
# verdicts, for analysis/src/sem/compare.rs (issue 15, item 3).
#
#   Rscript tests/reference/sem_compare_wls.R        (from the repository root)
#
# Simulates (fixed seed) eight 5-point items on two correlated factors, with
# a residual correlation of y1 and y2 and a cross-loading of y8 that the
# models leave out (so that differences are not trivially 0). Writes
# tests/data/sem/ordinal_nested.csv and tests/fixtures/sem_compare_wls/
# {lrt,net}.json: per comparison the models (syntax, df, chisq) and
# lavTestLRT's table (Chisq diff, Df diff, Pr(>Chisq), the method of its
# heading, and the scale a and shift b of satorra.2000); per net() pair its
# verdict and the chi-square of the less restricted model refitted to the
# more restricted model's implied moments (what net() compares with 1e-4).
# lrt_groups.json: a two-group WLSMV chain (tests/data/sem/
# ordinal_nested_groups.csv), for multi-group least squares.
# Needs: r-cran-lavaan (0.6.14), r-cran-semtools, r-cran-jsonlite.
suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
  library(jsonlite)
})

fixture_dir <- "tests/fixtures/sem_compare_wls"
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

set.seed(20261215)
n <- 500
f1 <- rnorm(n)
f2 <- 0.45 * f1 + sqrt(1 - 0.45^2) * rnorm(n)
shared <- rnorm(n)
cut5 <- function(y) findInterval(y, c(-1.6, -0.8, 0.1, 0.9)) + 1
latent <- function(f, l) l * f + sqrt(1 - l^2) * rnorm(n)
d <- data.frame(
  y1 = cut5(0.70 * f1 + 0.3 * shared + sqrt(1 - 0.70^2 - 0.09) * rnorm(n)),
  y2 = cut5(0.65 * f1 + 0.3 * shared + sqrt(1 - 0.65^2 - 0.09) * rnorm(n)),
  y3 = cut5(latent(f1, 0.60)),
  y4 = cut5(latent(f1, 0.55)),
  y5 = cut5(latent(f2, 0.75)),
  y6 = cut5(latent(f2, 0.70)),
  y7 = cut5(latent(f2, 0.60)),
  y8 = cut5(0.5 * f2 + 0.2 * f1 + sqrt(1 - 0.25 - 0.04 - 2 * 0.1 * 0.45) * rnorm(n))
)
write.csv(d, "tests/data/sem/ordinal_nested.csv", row.names = FALSE)

models <- list(
  cov = "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8\ny1 ~~ y2",
  cfa = "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8",
  equal = "f1 =~ y1 + a*y2 + a*y3 + a*y4\nf2 =~ y5 + y6 + y7 + y8",
  sem = "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8\nf2 ~ f1",
  semfix = "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8\nf2 ~ 0.3*f1",
  orth = "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8\nf1 ~~ 0*f2",
  # y8 moved to f1: fewer df than orth and a lower chi-square, yet orth is
  # not a restricted version of it (the cheap checks pass; net() does not).
  moved = "f1 =~ y1 + y2 + y3 + y4 + y8\nf2 =~ y5 + y6 + y7\ny1 ~~ y2",
  # Two groups (tests/data/sem/groups2.csv, from sem_groups.R).
  g_two = "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6",
  g_orth = "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\nf1 ~~ 0*f2",
  g_moved = "f1 =~ x1 + x2 + x3 + x4\nf2 =~ x5 + x6\nx1 ~~ x2"
)
groups2 <- read.csv("tests/data/sem/groups2.csv")

# do.call keeps the model text in the call, which net()'s update() needs.
fit_as <- function(name, ordered = FALSE, data = d, ...) {
  do.call("cfa", c(list(model = models[[name]], data = data),
                   if (ordered) list(ordered = TRUE), list(...)))
}

lrt_case <- function(case, names, estimator, ordered = TRUE, ...) {
  fits <- lapply(names, fit_as, ordered = ordered, estimator = estimator, ...)
  tab <- do.call(lavTestLRT, c(unname(fits), list(model.names = names)))
  heading <- attr(tab, "heading")
  method <- if (grepl("satorra.2000", heading, fixed = TRUE)) "satorra.2000" else "standard"
  ord <- rownames(tab)
  scale <- attr(tab, "scale")
  shift <- attr(tab, "shift")
  tests <- lapply(seq_along(ord)[-1], function(i) list(
    from = ord[i - 1], to = ord[i],
    chisq_diff = tab[i, "Chisq diff"], df_diff = tab[i, "Df diff"],
    pvalue = tab[i, "Pr(>Chisq)"], method = method,
    scale = if (is.null(scale)) NA else scale[i],
    shift = if (is.null(shift)) NA else shift[i]))
  list(
    name = case, estimator = estimator, ordered = ordered,
    models = lapply(names, function(k) {
      f <- fits[[match(k, names)]]
      list(model = k, syntax = models[[k]],
           df = unname(fitMeasures(f, "df")), chisq = unname(fitMeasures(f, "chisq")))
    }),
    tests = tests)
}

lrt <- list(
  lrt_case("wlsmv_chain", c("cov", "cfa", "equal"), "WLSMV"),
  lrt_case("wlsmv_fixed_path", c("sem", "semfix"), "WLSMV"),
  lrt_case("wlsmv_orthogonal", c("cfa", "orth"), "WLSMV"),
  lrt_case("dwls_chain", c("cov", "cfa", "equal"), "DWLS"),
  lrt_case("uls_chain", c("cov", "cfa", "equal"), "ULS"),
  # The items as continuous: WLSMV's weights from Browne's ADF Gamma.
  lrt_case("wlsmv_continuous_chain", c("cov", "cfa", "equal"), "WLSMV", ordered = FALSE)
)
writeLines(toJSON(lrt, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE),
           file.path(fixture_dir, "lrt.json"))

# net(): x.within.y refits the less restricted model to the more restricted
# model's implied moments with the same N and estimator; nested when that
# chi-square is below crit = 1e-4.
net_pair <- function(restricted, free, estimator, ...) {
  fx <- fit_as(restricted, estimator = estimator, ...)
  fy <- fit_as(free, estimator = estimator, ...)
  verdict <- net(fx, fy)@test[2, 1]
  implied <- lavInspect(fx, "implied")
  if (lavInspect(fx, "ngroups") == 1) implied <- list(implied)
  mu <- lapply(implied, function(g) g$mean)
  refit <- do.call("cfa", c(list(model = models[[free]],
    sample.cov = lapply(implied, function(g) g$cov),
    sample.mean = if (length(mu[[1]])) mu else NULL,
    sample.nobs = lavInspect(fx, "nobs"), estimator = estimator),
    list(...)[names(list(...)) != "data"]))
  args <- list(...)
  list(restricted = restricted, free = free, estimator = estimator,
       group = if (is.null(args$group)) NA else args$group,
       meanstructure = lavInspect(fx, "options")$meanstructure,
       restricted_syntax = models[[restricted]], free_syntax = models[[free]],
       nested = unname(verdict), refit_chisq = unname(fitMeasures(refit, "chisq")))
}
nets <- list(
  net_pair("equal", "cfa", "ML"),
  net_pair("orth", "cov", "ML"),
  net_pair("orth", "moved", "ML"),
  net_pair("equal", "cfa", "ML", meanstructure = TRUE),
  net_pair("orth", "moved", "ML", meanstructure = TRUE),
  net_pair("g_orth", "g_two", "ML", data = groups2, group = "grp"),
  net_pair("g_orth", "g_moved", "ML", data = groups2, group = "grp")
)
writeLines(toJSON(nets, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE),
           file.path(fixture_dir, "net.json"))

# Two groups of 5-point items (the second with a larger loading of y3): the
# multi-group WLSMV chain configural → equal thresholds and loadings → also
# orthogonal factors, for when groups are fitted by least squares (lavaan's
# satorra.2000 pools the groups' U·Gamma with weights n_g/N). Writes
# tests/data/sem/ordinal_nested_groups.csv and lrt_groups.json.
set.seed(20261216)
simulate_group <- function(n, l3) {
  f1 <- rnorm(n)
  f2 <- 0.45 * f1 + sqrt(1 - 0.45^2) * rnorm(n)
  lat <- function(f, l) l * f + sqrt(1 - l^2) * rnorm(n)
  data.frame(
    y1 = cut5(lat(f1, 0.70)), y2 = cut5(lat(f1, 0.65)),
    y3 = cut5(lat(f1, l3)), y4 = cut5(lat(f1, 0.55)),
    y5 = cut5(lat(f2, 0.75)), y6 = cut5(lat(f2, 0.70)),
    y7 = cut5(lat(f2, 0.60)), y8 = cut5(lat(f2, 0.50)))
}
dg <- rbind(cbind(grp = "a", simulate_group(400, 0.45)),
            cbind(grp = "b", simulate_group(350, 0.75)))
write.csv(dg, "tests/data/sem/ordinal_nested_groups.csv", row.names = FALSE)
group_fits <- list(
  configural = cfa(models$cfa, dg, ordered = TRUE, group = "grp", estimator = "WLSMV"),
  metric = cfa(models$cfa, dg, ordered = TRUE, group = "grp", estimator = "WLSMV",
               group.equal = c("thresholds", "loadings")),
  metric_orth = cfa(models$orth, dg, ordered = TRUE, group = "grp", estimator = "WLSMV",
                    group.equal = c("thresholds", "loadings")))
tab <- lavTestLRT(group_fits$configural, group_fits$metric, group_fits$metric_orth,
                  model.names = names(group_fits))
lrt_groups <- list(
  name = "wlsmv_groups_chain", estimator = "WLSMV", group = "grp",
  models = lapply(names(group_fits), function(k) list(
    model = k, df = unname(fitMeasures(group_fits[[k]], "df")),
    chisq = unname(fitMeasures(group_fits[[k]], "chisq")),
    group_equal = if (k == "configural") "" else "thresholds,loadings",
    syntax = if (k == "metric_orth") models$orth else models$cfa)),
  tests = lapply(2:3, function(i) list(
    from = rownames(tab)[i - 1], to = rownames(tab)[i],
    chisq_diff = tab[i, "Chisq diff"], df_diff = tab[i, "Df diff"],
    pvalue = tab[i, "Pr(>Chisq)"], method = "satorra.2000",
    scale = attr(tab, "scale")[i], shift = attr(tab, "shift")[i])))
writeLines(toJSON(lrt_groups, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE),
           file.path(fixture_dir, "lrt_groups.json"))
