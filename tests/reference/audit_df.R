# Reference degrees of freedom for the audit's model reconstruction (lavaan).
#
# The audit counts free parameters in closed form from a codebook; here lavaan
# counts them for the same structures on the small codebook of
# tests/data/audit/small_claims.json (dimensions A: themes a1 = x1..x3,
# a2 = x4..x5; B: b1 = x6..x8; C: c1 = x9..x10, c2 = x11..x12; outcome Y with
# y1..y3). Data are simulated from a population model only so that the fits
# converge; df does not depend on the data.
#
# Run: Rscript tests/reference/audit_df.R   (or tests/reference/generate.sh audit)
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })

pop <- '
a1 =~ 0.7*x1 + 0.7*x2 + 0.7*x3
a2 =~ 0.7*x4 + 0.7*x5
b1 =~ 0.7*x6 + 0.7*x7 + 0.7*x8
c1 =~ 0.7*x9 + 0.7*x10
c2 =~ 0.7*x11 + 0.7*x12
A =~ 0.8*a1 + 0.8*a2
B =~ 0.8*b1
C =~ 0.8*c1 + 0.8*c2
A ~~ 0.3*B + 0.3*C
B ~~ 0.3*C
Y =~ 0.7*y1 + 0.7*y2 + 0.7*y3
Y ~ 0.3*A + 0.3*B + 0.3*C
'
d <- simulateData(pop, sample.nobs = 1000, seed = 385)
d$t_a1 <- rowMeans(d[, c("x1", "x2", "x3")]); d$t_a2 <- rowMeans(d[, c("x4", "x5")])
d$t_b1 <- rowMeans(d[, c("x6", "x7", "x8")])
d$t_c1 <- rowMeans(d[, c("x9", "x10")]); d$t_c2 <- rowMeans(d[, c("x11", "x12")])
d$s_A <- rowMeans(d[, paste0("x", 1:5)]); d$s_B <- rowMeans(d[, paste0("x", 6:8)])
d$s_C <- rowMeans(d[, paste0("x", 9:12)])

sub <- 'A =~ x1 + x2 + x3 + x4 + x5
B =~ x6 + x7 + x8
C =~ x9 + x10 + x11 + x12
'
themes <- 'A =~ t_a1 + t_a2
B =~ t_b1
t_b1 ~~ 0*t_b1
C =~ t_c1 + t_c2
'
hier <- 'a1 =~ x1 + x2 + x3
a2 =~ x4 + x5
b1 =~ x6 + x7 + x8
c1 =~ x9 + x10
c2 =~ x11 + x12
A =~ a1 + a2
B =~ b1
b1 ~~ 0*b1
C =~ c1 + c2
'
y3 <- 'Y =~ y1 + y2 + y3
Y ~ A + B + C
'
models <- list(
  "subthemes-cfa-correlated" = function() cfa(sub, d),
  "subthemes-cfa-uncorrelated" = function() cfa(sub, d, orthogonal = TRUE),
  "subthemes-second-order" = function() cfa(paste0(sub, "G =~ A + B + C\n"), d),
  "themes-cfa-correlated" = function() cfa(themes, d),
  "subthemes-structural-correlated-k3" = function() sem(paste0(sub, y3), d),
  "subthemes-structural-uncorrelated-k3" = function() sem(paste0(sub, y3), d, orthogonal = TRUE),
  "subthemes-structural-correlated-k1" = function() sem(paste0(sub, "y1 ~ A + B + C\n"), d),
  "themes-structural-correlated-k2" = function() sem(paste0(themes, "Y =~ y1 + y2\nY ~ A + B + C\n"), d),
  "hierarchy-correlated" = function() cfa(hier, d),
  "scores-path-k3" = function() sem("Y =~ y1 + y2 + y3\nY ~ s_A + s_B + s_C\n", d, fixed.x = FALSE)
)
out <- lapply(names(models), function(id) {
  fit <- suppressWarnings(models[[id]]())
  fm <- fitMeasures(fit, c("npar", "df"))
  list(id = id, npar = unname(fm[["npar"]]), df = unname(fm[["df"]]))
})
dest <- "tests/fixtures/audit/model_df.json"
write(toJSON(list(lavaan = as.character(packageVersion("lavaan")), models = out), auto_unbox = TRUE, pretty = TRUE), dest)
cat("wrote", dest, "\n")
