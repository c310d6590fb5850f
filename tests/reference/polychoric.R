# Reference values for the sample statistics of ordinal and robust SEM
# (analysis/src/bivariate_normal.rs, polychoric.rs, adf_gamma.rs), from
# lavaan 0.6 and pbivnorm.
#
#   Rscript tests/reference/polychoric.R        (from the repository root)
#
# Writes the simulated datasets to tests/data/polychoric/*.csv and, per
# dataset, a JSON fixture to tests/fixtures/polychoric/<name>.json:
# - ordinal data: lavaan's thresholds and polychoric correlations
#   (lavCor(…, ordered = all, estimator = "WLSMV", output = "fit")), the
#   sample statistics' names in lavaan's order (wls.obs), NACOV
#   (lavInspect(fit, "gamma")) and the DWLS weights (diag of wls.v);
# - continuous data: lavInspect(fit, "gamma") of MLM fits with and without a
#   mean structure (the ADF Γ);
# - bivariate normal CDF: pbivnorm (Genz's algorithm) on a grid, and the same
#   points by adaptive quadrature of Plackett's identity
#   Φ₂(x, y; ρ) = Φ(x)Φ(y) + ∫₀^ρ φ₂(x, y; r) dr as an independent check.
# Needs: r-cran-lavaan, r-cran-jsonlite, r-cran-pbivnorm (a lavaan dependency).
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
  library(pbivnorm)
})

data_dir <- "tests/data/polychoric"
fixture_dir <- "tests/fixtures/polychoric"
dir.create(data_dir, recursive = TRUE, showWarnings = FALSE)
dir.create(fixture_dir, recursive = TRUE, showWarnings = FALSE)

write_fixture <- function(x, name) {
  path <- file.path(fixture_dir, paste0(name, ".json"))
  write(toJSON(x, digits = NA, auto_unbox = TRUE, pretty = FALSE, dataframe = "columns"), path)
  cat("wrote", path, "\n")
}

# Latent normals: two correlated factors, loadings .5–.8, plus a skewed
# (chi-square) component in some items so that the ordinal margins are
# lopsided and the polychorics are not all alike.
latent <- function(n, p, seed) {
  set.seed(seed)
  f1 <- rnorm(n)
  f2 <- 0.4 * f1 + sqrt(1 - 0.16) * rnorm(n)
  lambda <- seq(0.8, 0.5, length.out = p)
  sapply(seq_len(p), function(i) {
    f <- if (i <= p / 2) f1 else f2
    lambda[i] * f + sqrt(1 - lambda[i]^2) * rnorm(n)
  })
}
cut_at <- function(y, th) as.integer(cut(y, c(-Inf, th, Inf)))

# ---- ordinal data ------------------------------------------------------------

ordinal_fixture <- function(d, name, note) {
  write.csv(d, file.path(data_dir, paste0(name, ".csv")), row.names = FALSE)
  fit <- lavCor(d, ordered = names(d), estimator = "WLSMV", output = "fit")
  ss <- lavInspect(fit, "sampstat")
  gamma <- lavInspect(fit, "gamma")
  wls_v <- lavInspect(fit, "wls.v")
  cor <- unclass(ss$cov)
  write_fixture(list(
    lavaan = as.character(packageVersion("lavaan")),
    note = note,
    data = paste0("tests/data/polychoric/", name, ".csv"),
    n_records = nrow(d),
    n = lavInspect(fit, "nobs"),
    names = names(d),
    labels = rownames(gamma),
    wls_obs = unname(lavInspect(fit, "wls.obs")),
    thresholds = lapply(names(d), function(v) I(unname(ss$th[startsWith(names(ss$th), paste0(v, "|"))]))),
    correlations = unname(lapply(seq_len(nrow(cor)), function(i) unname(cor[i, ])) ),
    nacov = unname(lapply(seq_len(nrow(gamma)), function(i) unname(gamma[i, ]))),
    dwls_weights = unname(diag(wls_v))
  ), name)
}

# 5-point items, N = 500, lopsided thresholds (agreement-skewed answers).
y <- latent(500, 6, 501)
th5 <- list(c(-1.8, -1.0, -0.2, 0.9), c(-1.5, -0.6, 0.3, 1.2), c(-2.0, -1.2, -0.4, 0.5),
            c(-1.0, -0.3, 0.4, 1.5), c(-1.6, -0.9, 0.1, 1.1), c(-2.2, -1.4, -0.5, 0.6))
d5 <- as.data.frame(sapply(1:6, function(i) cut_at(y[, i] + 0.3 * (y[, i]^2 - 1), th5[[i]])))
names(d5) <- paste0("l5_", 1:6)
ordinal_fixture(d5, "ordinal_5point",
  "6 five-point items, N = 500, cut from skewed latent responses")

# 7-point items, N = 400.
y <- latent(400, 5, 702)
th7 <- c(-1.7, -1.1, -0.5, 0.0, 0.6, 1.3)
d7 <- as.data.frame(sapply(1:5, function(i) cut_at(y[, i] - 0.25 * (y[, i]^2 - 1), th7 + 0.1 * i)))
names(d7) <- paste0("l7_", 1:5)
ordinal_fixture(d7, "ordinal_7point",
  "5 seven-point items, N = 400, cut from skewed latent responses")

# Mixed: a binary, a 3-point, a 5-point item whose middle category nobody
# chose (values 1, 2, 4, 5: lavaan keeps four categories), a 7-point item
# with sparse extremes (empty cells in its tables), N = 250, and a few
# missing values (listwise deletion).
y <- latent(250, 4, 250)
dm <- data.frame(
  bin = cut_at(y[, 1], 0.3),
  three = cut_at(y[, 2], c(-0.7, 0.6)),
  gap = cut_at(y[, 3], c(-1.1, -0.3, 0.3, 1.0)),
  seven = cut_at(y[, 4], c(-2.3, -1.4, -0.6, 0.2, 1.0, 2.0))
)
dm$gap[dm$gap == 3L] <- 2L          # empty the middle category, keeping the labels 1, 2, 4, 5
stopifnot(!any(dm$gap == 3L))
dm$three[c(5, 17)] <- NA
dm$seven[c(17, 99, 200)] <- NA
ordinal_fixture(dm, "ordinal_mixed",
  "binary, 3-point, 5-point with an empty middle category, sparse 7-point; N = 250 with 4 incomplete records")

# Two binary items whose 2 × 2 table has one empty cell (lavaan adds ½ to
# the diagonal keeping the margins) and a 3-point item, N = 120.
y <- latent(120, 3, 120)
db <- data.frame(b1 = cut_at(y[, 1], 0.9), b2 = cut_at(y[, 2], -0.2), t3 = cut_at(y[, 3], c(-0.5, 0.7)))
db$b2[db$b1 == 2L & db$b2 == 1L] <- 2L
stopifnot(sum(db$b1 == 2L & db$b2 == 1L) == 0L, sum(db$b1 == 2L) > 5L)
ordinal_fixture(db, "ordinal_binary_empty_cell",
  "two binary items with one empty cell in their 2 x 2 table and a 3-point item, N = 120")

# The benchmark questionnaire (78 five-point items, N = 385; written by
# sem.R): thresholds and all 3 003 polychorics at the study's size. Its NACOV
# (3 315 × 3 315) is too large to commit and takes lavaan minutes; the
# benchmark (scripts/bench-polychoric) compares its trace and the DWLS
# weights' sum instead.
dq <- read.csv("tests/data/sem/questionnaire_78.csv")
fit <- lavCor(dq, ordered = names(dq), se = "none", test = "none", output = "fit")
ss <- lavInspect(fit, "sampstat")
cq <- unclass(ss$cov)
write_fixture(list(
  lavaan = as.character(packageVersion("lavaan")),
  note = "thresholds and polychoric correlations of the 78-item benchmark questionnaire",
  data = "tests/data/sem/questionnaire_78.csv",
  n = lavInspect(fit, "nobs"),
  names = names(dq),
  thresholds = lapply(names(dq), function(v) I(unname(ss$th[startsWith(names(ss$th), paste0(v, "|"))]))),
  correlations = unname(lapply(seq_len(nrow(cq)), function(i) unname(cq[i, ])))
), "questionnaire_78")

# ---- continuous data: the ADF Gamma ---------------------------------------------

set.seed(303)
n <- 300
f <- rnorm(n)
e <- matrix(rchisq(n * 5, df = 3) - 3, n, 5) / sqrt(6)
dc <- as.data.frame(sapply(1:5, function(i) 10 + 2 * (0.7 * f + 0.7 * e[, i]) + i))
dc$c5 <- exp(dc$V5 / 6)
dc <- round(dc[, 1:5], 6)
names(dc) <- paste0("c", 1:5)
write.csv(dc, file.path(data_dir, "continuous_skewed.csv"), row.names = FALSE)
model <- "f =~ c1 + c2 + c3 + c4 + c5"
gamma_of <- function(meanstructure) {
  fit <- cfa(model, data = dc, estimator = "MLM", meanstructure = meanstructure)
  g <- lavInspect(fit, "gamma")
  list(labels = rownames(g), gamma = unname(lapply(seq_len(nrow(g)), function(i) unname(g[i, ]))))
}
write_fixture(list(
  lavaan = as.character(packageVersion("lavaan")),
  note = "5 skewed continuous variables (chi-square errors, one exponentiated), N = 300",
  data = "tests/data/polychoric/continuous_skewed.csv",
  n = n,
  names = names(dc),
  covariance_only = gamma_of(FALSE),
  with_means = gamma_of(TRUE)
), "continuous_gamma")

# ---- casewise scores and first-order information (MLR) --------------------------

rows_of <- function(m) unname(lapply(seq_len(nrow(m)), function(i) unname(m[i, ])))
first_order <- function(mu, sigma, meanstructure) {
  j <- lavaan:::lav_mvnorm_information_firstorder(Y = as.matrix(dc), Mu = mu, Sigma = sigma,
                                                    meanstructure = meanstructure)
  list(mean = unname(mu), covariance = rows_of(sigma), meanstructure = meanstructure,
       information = rows_of(j))
}
fit_mlr <- cfa(model, data = dc, estimator = "MLR", meanstructure = TRUE)
implied <- fitted(fit_mlr)
sample_cov <- cov(dc) * (n - 1) / n
write_fixture(list(
  lavaan = as.character(packageVersion("lavaan")),
  note = paste("lav_mvnorm_information_firstorder on continuous_skewed.csv at the sample moments",
               "(divisor N) and at the moments implied by an MLR one-factor fit"),
  data = "tests/data/polychoric/continuous_skewed.csv",
  names = names(dc),
  cases = list(
    sample_with_means = first_order(colMeans(dc), sample_cov, TRUE),
    sample_covariances_only = first_order(colMeans(dc), sample_cov, FALSE),
    implied_with_means = first_order(implied$mean, unclass(implied$cov), TRUE)
  )
), "mvnorm_first_order")

# ---- the bivariate normal CDF ---------------------------------------------------

grid <- expand.grid(x = c(-7, -3.5, -1.3, -0.2, 0, 0.4, 1.1, 2.6, 5),
                    y = c(-4, -0.9, 0, 0.35, 1.7, 3.2),
                    rho = c(-0.999, -0.95, -0.8, -0.5, -0.2, 0.1, 0.29, 0.31, 0.6, 0.74, 0.76, 0.9, 0.924, 0.926, 0.97, 0.9999))
grid$pbivnorm <- pbivnorm(grid$x, grid$y, grid$rho)
grid$quadrature <- mapply(function(x, y, rho) {
  dens <- function(r) exp(-(x^2 - 2 * r * x * y + y^2) / (2 * (1 - r^2))) / (2 * pi * sqrt(1 - r^2))
  # Split at 0.99 so that the peak near ρ = ±1 is resolved.
  ends <- sort(unique(c(0, sign(rho) * pmin(abs(rho), 0.99), rho)))
  total <- 0
  for (k in seq_len(length(ends) - 1L)) {
    total <- total + integrate(dens, ends[k], ends[k + 1], rel.tol = 2e-14, abs.tol = 0,
                               subdivisions = 1000L)$value
  }
  pnorm(x) * pnorm(y) + sign(rho) * abs(total)
}, grid$x, grid$y, grid$rho)
write_fixture(list(
  pbivnorm = as.character(packageVersion("pbivnorm")),
  points = grid
), "bivariate_normal")
