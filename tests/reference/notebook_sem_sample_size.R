# semTools' and R's values for notebook 01's worked SEM sample size (RMSEA
# power, MacCallum, Browne & Sugawara 1996) at the df the study's printed fit
# allows (333–338). Writes notebooks/data/worked_examples/semtools.csv
# (quantity,value,tool), read by the notebook's cells, which assert that the
# hand computation, analysis::sample_size::sem and these values agree.
#
#   Rscript tests/reference/notebook_sem_sample_size.R
suppressPackageStartupMessages(library(semTools))
tool <- function(f) sprintf("%s (semTools %s, R %s)", f, packageVersion("semTools"), getRversion())
rows <- list()
add <- function(q, v, t) rows[[length(rows) + 1]] <<- data.frame(quantity = q, value = format(v, digits = 17), tool = t)
for (df in c(333, 338)) {
  add(sprintf("min_n_close_df%d", df), findRMSEAsamplesize(0.05, 0.08, df, power = 0.8), tool("findRMSEAsamplesize"))
  add(sprintf("min_n_notclose_df%d", df), findRMSEAsamplesize(0.05, 0.01, df, power = 0.8), tool("findRMSEAsamplesize"))
  add(sprintf("power_close_df%d_n385", df), findRMSEApower(0.05, 0.08, df, 385), tool("findRMSEApower"))
  add(sprintf("power_notclose_df%d_n385", df), findRMSEApower(0.05, 0.01, df, 385), tool("findRMSEApower"))
}
# The pieces of one power by hand: close fit at df 333, n = 62.
n <- 62; df <- 333
ncp0 <- (n - 1) * df * 0.05^2
ncp1 <- (n - 1) * df * 0.08^2
crit <- qchisq(0.95, df, ncp = ncp0)
add("hand_ncp0", ncp0, "(n - 1) df rmsea0^2")
add("hand_ncp1", ncp1, "(n - 1) df rmsea1^2")
add("hand_critical", crit, sprintf("qchisq(0.95, df, ncp) (R %s)", getRversion()))
add("hand_power", pchisq(crit, df, ncp = ncp1, lower.tail = FALSE), sprintf("pchisq(upper) (R %s)", getRversion()))
add("power_close_df333_n62", findRMSEApower(0.05, 0.08, 333, 62), tool("findRMSEApower"))
out <- do.call(rbind, rows)
write.csv(out, "notebooks/data/worked_examples/semtools.csv", row.names = FALSE, quote = FALSE)
