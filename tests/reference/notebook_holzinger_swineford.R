# The Holzinger–Swineford data and lavaan's reference fit of its three-factor
# CFA, for the worked SEM of notebook 06 (which builds df, Σ(θ), F_ML, χ²,
# CFI/TLI, RMSEA, SRMR and the standardized loadings by hand and asserts
# they agree with these numbers).
#
#   Rscript tests/reference/notebook_holzinger_swineford.R   (from the repository root)
#
# Writes notebooks/data/holzinger_swineford/:
#   holzinger_swineford_1939.csv  the 301 children's records (lavaan's copy)
#   lavaan_cfa_fit.csv            fitMeasures() of the CFA (measure,value)
#   lavaan_cfa_estimates.csv      parameterEstimates() + std.all
#   lavaan_cfa_implied_cov.csv    fitted(fit)$cov, the model-implied Σ(θ̂)
# Needs: r-cran-lavaan (0.6.x).
suppressPackageStartupMessages(library(lavaan))

out <- "notebooks/data/holzinger_swineford"
dir.create(out, recursive = TRUE, showWarnings = FALSE)

hs <- HolzingerSwineford1939
write.csv(hs, file.path(out, "holzinger_swineford_1939.csv"), row.names = FALSE, na = "")

model <- "
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
"
# lavaan's defaults: ML, normal likelihood (S with divisor N), first
# loading of each factor fixed to 1.
fit <- cfa(model, data = hs)

measures <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
              "cfi", "tli", "rmsea", "srmr", "logl", "unrestricted.logl", "ntotal")
fm <- fitMeasures(fit, measures)
write.csv(data.frame(measure = names(fm), value = sprintf("%.12g", as.numeric(fm))),
          file.path(out, "lavaan_cfa_fit.csv"), row.names = FALSE, quote = FALSE)

pe <- parameterEstimates(fit, standardized = TRUE)
est <- data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs,
                  est = sprintf("%.12g", pe$est), se = sprintf("%.12g", pe$se),
                  std_all = sprintf("%.12g", pe$std.all))
write.csv(est, file.path(out, "lavaan_cfa_estimates.csv"), row.names = FALSE, quote = FALSE)

implied <- fitted(fit)$cov
implied <- implied[paste0("x", 1:9), paste0("x", 1:9)]
write.csv(format(as.data.frame(unclass(implied)), digits = 12),
          file.path(out, "lavaan_cfa_implied_cov.csv"), quote = FALSE)
cat("lavaan", as.character(packageVersion("lavaan")), ": chisq", fm[["chisq"]], "df", fm[["df"]], "\n")
