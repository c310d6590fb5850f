# lavaan reference for step 6 of `paraclinic reproduce` (the study's SEM):
# the model study::reproduction::sem builds, fitted by lavaan 0.6 to
#  - the seeded synthetic reconstruction (default seed), written by
#    `paraclinic reproduce` to data/synthetic_contracting_seed20210101_n385.csv
#    and committed as tests/data/reproduction/ (items as indicators), and
#  - tests/data/reproduction/small_study.csv (40 respondents for 80 items: the
#    step falls back to the outcome score regressed on the dimension scores).
# Both with likelihood = "wishart", as AMOS (the study's software) reports.
#
#   Rscript tests/reference/reproduction_sem.R     (from the repository root)
#
# Writes tests/fixtures/reproduction/sem_synthetic.json and sem_small_study.json.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

# Table 2's sub-theme counts per dimension, in order (D1 ... D10).
items_per_dimension <- function(df) {
  sapply(1:10, function(d) sum(grepl(paste0("^D", d, "_I[0-9]+$"), names(df))))
}

item_model <- function(df) {
  k <- items_per_dimension(df)
  lines <- sapply(1:10, function(d) {
    paste0("D", d, " =~ ", paste0("D", d, "_I", 1:k[d], collapse = " + "))
  })
  cc <- grep("^CC_I[0-9]+$", names(df), value = TRUE)
  paste(c(lines,
          paste0("CC =~ ", paste(cc, collapse = " + ")),
          paste0("CC ~ ", paste0("D", 1:10, collapse = " + "))),
        collapse = "\n")
}

export <- function(fit, path) {
  fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "nfi", "rmsea",
                           "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "gfi", "agfi", "npar"))
  pe <- parameterEstimates(fit, standardized = TRUE)
  paths <- pe[pe$op == "~" & pe$lhs == "CC", c("rhs", "est", "se", "z", "pvalue", "std.all")]
  out <- list(
    tool = paste("lavaan", packageVersion("lavaan")),
    nobs = lavInspect(fit, "nobs"),
    fit = as.list(setNames(as.numeric(fm), gsub("\\.", "_", names(fm)))),
    r2_cc = unname(lavInspect(fit, "r2")["CC"]),
    paths = lapply(seq_len(nrow(paths)), function(i) as.list(paths[i, ]))
  )
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), path)
}

dir.create("tests/fixtures/reproduction", recursive = TRUE, showWarnings = FALSE)

syn <- read.csv("tests/data/reproduction/synthetic_contracting_seed20210101_n385.csv")
fit <- sem(item_model(syn), data = syn, likelihood = "wishart")
stopifnot(lavInspect(fit, "converged"))
export(fit, "tests/fixtures/reproduction/sem_synthetic.json")

small <- read.csv("tests/data/reproduction/small_study.csv")
k <- items_per_dimension(small)
scores <- as.data.frame(sapply(1:10, function(d) {
  rowMeans(small[, paste0("D", d, "_I", 1:k[d])])
}))
names(scores) <- paste0("D", 1:10)
scores$CC <- rowMeans(small[, grep("^CC_I[0-9]+$", names(small))])
scores <- scores[complete.cases(scores), ]
fit <- sem(paste0("CC ~ ", paste0("D", 1:10, collapse = " + ")), data = scores,
           likelihood = "wishart")
export(fit, "tests/fixtures/reproduction/sem_small_study.json")
