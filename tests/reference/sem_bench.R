# lavaan side of the SEM benchmark (benches/sem_vs_lavaan.rs, scripts/bench-sem):
# fits the model to the data with the same outputs paraclinic prints —
# estimates with SEs, standardized solution, R², all fit measures — and
# reports lavaan's own phase timings on stderr.
#
#   Rscript tests/reference/sem_bench.R MODEL.lav DATA.csv [WLSMV]
#
# With WLSMV every observed variable is ordered (lavaan's ordered = TRUE),
# as `paraclinic sem --ordered-all`; the key fit measures follow on stdout
# in `name value` lines for comparison.
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(args[1]), collapse = "\n")
data <- read.csv(args[2])
if (length(args) >= 3 && args[3] == "WLSMV") {
  fit <- cfa(model, data = data, ordered = TRUE, estimator = "WLSMV")
} else {
  fit <- cfa(model, data = data)
}
print(summary(fit, fit.measures = TRUE, standardized = TRUE, rsquare = TRUE))
if (length(args) >= 3) {
  fm <- fitMeasures(fit, c("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled",
                           "tli.scaled", "rmsea.scaled", "cfi.robust", "rmsea.robust", "srmr"))
  cat(sprintf("fit %s %.10g\n", names(fm), fm), sep = "")
}
timing <- lavInspect(fit, "timing")
keep <- vapply(timing, is.numeric, logical(1))
message(paste(sprintf("lavaan timing: %9.1f ms  %s", 1000 * unlist(timing[keep]), names(timing)[keep]),
              collapse = "\n"))
