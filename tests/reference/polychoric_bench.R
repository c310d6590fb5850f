# lavaan side of the ordinal sample-statistics benchmark
# (scripts/bench-polychoric): thresholds, polychoric correlations, NACOV
# (gamma) and the DWLS weights (wls.v) of every column of a CSV of ordered
# items, as lavCor(…, estimator = "WLSMV", output = "fit") computes them,
# with the unrestricted model's SEs and test switched off (they are not
# sample statistics). Prints the digest polychoric_timing prints, and
# lavaan's own phase timings on stderr.
#
#   Rscript tests/reference/polychoric_bench.R DATA.csv
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1L) {
  # tests/reference/generate.sh runs every script here without arguments:
  # this one is a benchmark, not a generator.
  message("usage: Rscript tests/reference/polychoric_bench.R DATA.csv (nothing to generate)")
  quit(status = 0)
}
d <- read.csv(args[1])
fit <- lavCor(d, ordered = names(d), estimator = "WLSMV", se = "none", test = "none",
              output = "fit")
ss <- lavInspect(fit, "sampstat")
gamma <- lavInspect(fit, "gamma")
w <- diag(lavInspect(fit, "wls.v"))
p <- ncol(d)
cor <- unclass(ss$cov)
cat(sprintf("variables %d, N %d, thresholds %d, correlations %d\n", p, lavInspect(fit, "nobs"),
            length(ss$th), p * (p - 1) / 2))
cat(sprintf("sum of thresholds %.6f\n", sum(ss$th)))
cat(sprintf("sum of correlations %.6f\n", sum(cor[lower.tri(cor)])))
cat(sprintf("NACOV %d x %d, trace %.6f\n", nrow(gamma), ncol(gamma), sum(diag(gamma))))
cat(sprintf("sum of DWLS weights %.6f\n", sum(w)))
timing <- lavInspect(fit, "timing")
keep <- vapply(timing, is.numeric, logical(1))
message(paste(sprintf("lavaan timing: %9.1f ms  %s", 1000 * unlist(timing[keep]), names(timing)[keep]),
              collapse = "\n"))
