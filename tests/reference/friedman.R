# Reference values from R for the Friedman module: stats::friedman.test on
# every dataset in tests/data/friedman/ (listwise deletion with na.omit), and
# stats::ptukey / qtukey (Copenhaver & Holland 1988) on a grid of points.
# Run from the repository root: Rscript tests/reference/friedman.R
library(jsonlite)

data_dir <- "tests/data/friedman"
out_dir <- "tests/fixtures/friedman"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

files <- sort(list.files(data_dir, pattern = "\\.csv$"))
files <- files[files != "all_tied.csv"]
datasets <- lapply(files, function(f) {
  raw <- read.csv(file.path(data_dir, f), na.strings = c("", "NA"), check.names = FALSE)
  complete <- na.omit(as.matrix(raw))
  ft <- friedman.test(complete)
  list(dataset = f, n = nrow(complete), k = ncol(complete),
       statistic = unname(ft$statistic), df = unname(ft$parameter),
       pvalue = ft$p.value)
})

grid <- list()
for (k in c(2, 3, 5, 10, 20)) {
  for (q in c(0.25, 0.5, 1, 2, 3, 4, 5, 6, 8)) {
    grid[[length(grid) + 1]] <- list(q = q, k = k, df = NULL,
      cdf = ptukey(q, k, Inf), sf = ptukey(q, k, Inf, lower.tail = FALSE))
  }
}
for (k in c(3, 10)) {
  for (df in c(5, 20, 120)) {
    for (q in c(1, 3, 5)) {
      grid[[length(grid) + 1]] <- list(q = q, k = k, df = df,
        cdf = ptukey(q, k, df), sf = ptukey(q, k, df, lower.tail = FALSE))
    }
  }
}
# Many means: Nemenyi with k conditions uses the range of k means, df = Inf.
for (k in c(50, 200, 1000)) {
  for (q in c(2, 4, 5, 6, 7, 8, 10)) {
    grid[[length(grid) + 1]] <- list(q = q, k = k, df = NULL,
      cdf = ptukey(q, k, Inf), sf = ptukey(q, k, Inf, lower.tail = FALSE))
  }
}
quantiles <- list()
for (k in c(2:10, 20, 50, 200, 1000)) {
  for (p in c(0.9, 0.95, 0.99)) {
    quantiles[[length(quantiles) + 1]] <- list(p = p, k = k, df = NULL, q = qtukey(p, k, Inf))
  }
}
quantiles[[length(quantiles) + 1]] <- list(p = 0.95, k = 3, df = 10, q = qtukey(0.95, 3, 10))
quantiles[[length(quantiles) + 1]] <- list(p = 0.95, k = 10, df = 30, q = qtukey(0.95, 10, 30))

write(toJSON(list(tool = R.version.string, datasets = datasets),
             auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
      file.path(out_dir, "r_friedman_test.json"))
write(toJSON(list(tool = R.version.string, distribution = grid, quantiles = quantiles),
             auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
      file.path(out_dir, "studentized_range_r.json"))
