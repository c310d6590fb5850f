# lavaan reference for the invariance part of step 6 of `paraclinic reproduce`:
# the study's item-level model (as tests/reference/reproduction_sem.R builds it)
# fitted to the committed synthetic reconstruction across Table 1's gender
# groups at the four levels semTools users run (configural; metric = equal
# loadings; scalar = + intercepts; strict = + residuals), lavaan's defaults for
# groups (normal likelihood, ML), and lavTestLRT between consecutive levels.
#
#   Rscript tests/reference/reproduction_invariance.R   (from the repository root)
#
# Writes tests/fixtures/reproduction/invariance_synthetic.json.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})
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
syn <- read.csv("tests/data/reproduction/synthetic_contracting_seed20210101_n385.csv")
model <- item_model(syn)
levels <- list(configural = "", metric = "loadings",
               scalar = c("loadings", "intercepts"),
               strict = c("loadings", "intercepts", "residuals"))
fits <- lapply(levels, function(eq) sem(model, data = syn, group = "gender", group.equal = eq))
for (f in fits) stopifnot(lavInspect(f, "converged"))
measures <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "npar")
models <- lapply(names(fits), function(n) {
  fm <- fitMeasures(fits[[n]], measures)
  list(name = n, fit = as.list(setNames(as.numeric(fm), names(fm))))
})
tests <- lapply(2:length(fits), function(i) {
  lrt <- lavTestLRT(fits[[i - 1]], fits[[i]])
  a <- fitMeasures(fits[[i - 1]], c("cfi", "rmsea"))
  b <- fitMeasures(fits[[i]], c("cfi", "rmsea"))
  list(from = names(fits)[i - 1], to = names(fits)[i],
       chisq_diff = lrt[2, "Chisq diff"], df_diff = lrt[2, "Df diff"],
       pvalue = lrt[2, "Pr(>Chisq)"],
       delta_cfi = unname(b["cfi"] - a["cfi"]), delta_rmsea = unname(b["rmsea"] - a["rmsea"]))
})
out <- list(tool = paste("lavaan", packageVersion("lavaan")),
            group_labels = lavInspect(fits$configural, "group.label"),
            nobs = unlist(lavInspect(fits$configural, "nobs")),
            models = models, tests = tests)
dir.create("tests/fixtures/reproduction", recursive = TRUE, showWarnings = FALSE)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/fixtures/reproduction/invariance_synthetic.json")
