# Reference values for `analysis::reliability` from R's psych::alpha (an
# implementation independent of pingouin's, see reliability.py).
#
# Reads tests/data/reliability/*.csv (written by reliability.py) and writes
# tests/fixtures/reliability/<dataset>_psych.json with, after listwise
# deletion (na.omit): raw_alpha, std.alpha, average_r, and per item mean, sd,
# raw.r (item-total r), r.drop (corrected item-total r) and alpha.drop
# raw_alpha (alpha if deleted; null when k = 2, where psych's value is not an
# alpha).
#
# Needs: Debian packages r-cran-psych r-cran-jsonlite.
# Run from the repository root: Rscript tests/reference/reliability.R
suppressMessages({
  library(psych)
  library(jsonlite)
})
data_dir <- "tests/data/reliability"
out_dir <- "tests/fixtures/reliability"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

for (name in c("likert", "small", "missing", "two_items", "reversed")) {
  d <- read.csv(file.path(data_dir, paste0(name, ".csv")), na.strings = c("NA", ""))
  complete <- na.omit(d)
  k <- ncol(complete)
  a <- psych::alpha(complete, check.keys = FALSE, warnings = FALSE)
  items <- lapply(seq_len(k), function(j) {
    list(
      name = colnames(complete)[j],
      mean = a$item.stats$mean[j],
      sd = a$item.stats$sd[j],
      item_total_r = a$item.stats$raw.r[j],
      corrected_item_total_r = a$item.stats$r.drop[j],
      alpha_if_deleted = if (k > 2) a$alpha.drop$raw_alpha[j] else NULL
    )
  })
  ref <- list(
    dataset = paste0(name, ".csv"),
    n = nrow(complete),
    k = k,
    alpha = a$total$raw_alpha,
    standardized_alpha = a$total$std.alpha,
    mean_inter_item_r = a$total$average_r,
    items = items,
    tools = paste("R", getRversion(), "psych", packageVersion("psych"), "alpha")
  )
  writeLines(
    toJSON(ref, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
    file.path(out_dir, paste0(name, "_psych.json"))
  )
  cat("wrote", name, "_psych\n")
}
