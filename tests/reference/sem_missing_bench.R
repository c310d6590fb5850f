# lavaan side of the FIML benchmark (benches/sem_missing_vs_lavaan.rs,
# scripts/bench-sem): fits the model with missing = "ml" and prints the same
# outputs paraclinic prints — estimates with SEs, standardized solution, R²,
# all fit measures — and reports lavaan's own phase timings on stderr.
#
#   Rscript tests/reference/sem_missing_bench.R MODEL.lav DATA.csv [ESTIMATOR]
#
# ESTIMATOR is ML (the default) or MLR.
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(args[1]), collapse = "\n")
data <- read.csv(args[2])
estimator <- if (length(args) >= 3) args[3] else "ML"
fit <- cfa(model, data = data, missing = "ml", estimator = estimator)
print(summary(fit, fit.measures = TRUE, standardized = TRUE, rsquare = TRUE))
timing <- lavInspect(fit, "timing")
keep <- vapply(timing, is.numeric, logical(1))
message(paste(sprintf("lavaan timing: %9.1f ms  %s", 1000 * unlist(timing[keep]), names(timing)[keep]),
              collapse = "\n"))
