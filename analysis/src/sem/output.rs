//! Text / HTML tables laid out like lavaan's `summary(fit, fit.measures =
//! TRUE, standardized = TRUE, rsquare = TRUE)`; JSON comes from `Serialize`
//! on [`SemFit`]. With `amos_columns` the estimate tables use AMOS's column
//! names (Estimate, S.E., C.R., P, Standardized).

use super::SemFit;
use crate::render::{fmt_fixed, Render, Table};

fn num(x: f64) -> String {
    fmt_fixed(x, 3)
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), num)
}

fn kv(title: &str, rows: &[(&str, String)]) -> Table {
    let mut t = Table::new(title, &[]);
    for (k, v) in rows {
        t.row(vec![format!("  {k}"), v.clone()]);
    }
    t
}

impl Render for SemFit {
    fn tables(&self) -> Vec<Table> {
        let f = &self.fit;
        let mut out = Vec::new();
        if !self.warnings.is_empty() {
            let mut t = Table::new("Warnings", &[]);
            for w in &self.warnings {
                t.row(vec![format!("  WARNING: {w}")]);
            }
            out.push(t);
        }
        let likelihood = match self.likelihood {
            super::Likelihood::Normal => "normal (S with divisor N, χ² = N·F)",
            super::Likelihood::Wishart => "wishart (S with divisor N − 1, χ² = (N − 1)·F)",
        };
        out.push(kv(
            "Structural equation model (maximum likelihood)",
            &[
                ("Estimator", "ML".into()),
                ("Likelihood", likelihood.into()),
                ("Optimization method", self.optimizer.method.clone()),
                (
                    "Converged",
                    format!(
                        "{} ({} L-BFGS + {} scoring iterations, max |gradient| {:.1e})",
                        if self.converged { "yes" } else { "no" },
                        self.optimizer.lbfgs_iterations,
                        self.optimizer.scoring_iterations,
                        self.optimizer.max_abs_gradient
                    ),
                ),
                ("Number of model parameters", self.npar.to_string()),
                ("Number of observations", self.nobs.to_string()),
            ],
        ));
        out.push(kv(
            "Model Test User Model",
            &[
                ("Test statistic", num(f.chisq)),
                ("Degrees of freedom", format!("{}", f.df)),
                ("P-value (Chi-square)", opt(f.pvalue)),
            ],
        ));
        out.push(kv(
            "Model Test Baseline Model",
            &[
                ("Test statistic", num(f.baseline_chisq)),
                ("Degrees of freedom", format!("{}", f.baseline_df)),
                ("P-value", opt(f.baseline_pvalue)),
            ],
        ));
        out.push(kv(
            "User Model versus Baseline Model",
            &[
                ("Comparative Fit Index (CFI)", num(f.cfi)),
                ("Tucker-Lewis Index (TLI)", num(f.tli)),
                ("Bentler-Bonett Normed Fit Index (NFI)", num(f.nfi)),
            ],
        ));
        out.push(kv(
            "Loglikelihood and Information Criteria",
            &[
                ("Loglikelihood user model (H0)", num(f.logl)),
                (
                    "Loglikelihood unrestricted model (H1)",
                    num(f.unrestricted_logl),
                ),
                ("Akaike (AIC)", num(f.aic)),
                ("Bayesian (BIC)", num(f.bic)),
            ],
        ));
        out.push(kv(
            "Root Mean Square Error of Approximation",
            &[
                ("RMSEA", num(f.rmsea)),
                (
                    "90 Percent confidence interval - lower",
                    num(f.rmsea_ci_lower),
                ),
                (
                    "90 Percent confidence interval - upper",
                    num(f.rmsea_ci_upper),
                ),
                ("P-value H_0: RMSEA <= 0.050", opt(f.rmsea_pvalue)),
            ],
        ));
        out.push(kv(
            "Standardized Root Mean Square Residual and Goodness of Fit",
            &[
                ("SRMR", num(f.srmr)),
                ("GFI", num(f.gfi)),
                ("AGFI", num(f.agfi)),
                ("PGFI", num(f.pgfi)),
            ],
        ));
        // Parameter estimates by section.
        let header: &[&str] = if self.amos_columns {
            &[
                "",
                "",
                "Estimate",
                "S.E.",
                "C.R.",
                "P",
                "Std.lv",
                "Standardized",
            ]
        } else {
            &[
                "", "", "Estimate", "Std.Err", "z-value", "P(>|z|)", "Std.lv", "Std.all",
            ]
        };
        let sections = [
            ("Latent Variables", "=~", None),
            ("Regressions", "~", None),
            ("Covariances", "~~", Some(false)),
            ("Variances", "~~", Some(true)),
        ];
        for (title, op, diag) in sections {
            let rows: Vec<_> = self
                .estimates
                .iter()
                .filter(|e| e.op == op && diag.is_none_or(|d| (e.lhs == e.rhs) == d))
                .collect();
            if rows.is_empty() {
                continue;
            }
            let mut t = Table::new(format!("Parameter Estimates: {title}"), header);
            let mut last = String::new();
            for e in rows {
                let group = if diag == Some(true) {
                    String::new()
                } else {
                    format!("{} {}", e.lhs, e.op)
                };
                let first = if group != last {
                    group.clone()
                } else {
                    String::new()
                };
                last = group;
                let mut rhs = if diag == Some(true) {
                    e.rhs.clone()
                } else {
                    format!("  {}", e.rhs)
                };
                if let Some(l) = &e.label {
                    rhs.push_str(&format!(" ({l})"));
                }
                let (se, z, p) = if e.free {
                    (num(e.se), opt(e.z), opt(e.pvalue))
                } else {
                    ("—".into(), "—".into(), "—".into())
                };
                t.row(vec![
                    first,
                    rhs,
                    num(e.est),
                    se,
                    z,
                    p,
                    opt(e.std_lv),
                    opt(e.std_all),
                ]);
            }
            out.push(t);
        }
        if !self.r2.is_empty() {
            let mut t = Table::new("R-Square", &["", "R2"]);
            for r in &self.r2 {
                t.row(vec![format!("  {}", r.variable), opt(r.r2)]);
            }
            out.push(t);
        }
        if !self.reliability.is_empty() {
            let mut t = Table::new(
                "Composite reliability and average variance extracted",
                &["Factor", "Indicators", "CR", "AVE"],
            );
            for r in &self.reliability {
                t.row(vec![
                    r.factor.clone(),
                    r.indicators.to_string(),
                    num(r.cr),
                    num(r.ave),
                ]);
            }
            t.note("CR = (Σλ)² / ((Σλ)² + Σθ), AVE = Σλ²/k from the std.all solution.");
            out.push(t);
        }
        if let Some(b) = &self.bootstrap {
            let pct = format!("{}", b.level * 100.0);
            let lo = format!("{pct}% lower");
            let hi = format!("{pct}% upper");
            let mut t = Table::new(
                format!(
                    "Bootstrap ({} of {} replicates, seed {})",
                    b.successful, b.replicates, b.seed
                ),
                &[
                    "Parameter",
                    "Estimate",
                    "Boot S.E.",
                    lo.as_str(),
                    hi.as_str(),
                ],
            );
            for e in self.estimates.iter().filter(|e| e.free) {
                t.row(vec![
                    format!("{} {} {}", e.lhs, e.op, e.rhs),
                    num(e.est),
                    opt(e.boot_se),
                    opt(e.boot_ci_lower),
                    opt(e.boot_ci_upper),
                ]);
            }
            t.note("Percentile intervals; S.E. is the standard deviation of the replicates.");
            out.push(t);
        }
        if let Some(mi) = &self.modindices {
            let mut sorted: Vec<_> = mi.iter().filter(|m| m.mi >= 3.84).collect();
            sorted.sort_by(|a, b| b.mi.total_cmp(&a.mi));
            let mut t = Table::new(
                "Modification Indices (MI ≥ 3.84)",
                &["lhs", "op", "rhs", "mi", "epc", "sepc.all"],
            );
            for m in sorted {
                t.row(vec![
                    m.lhs.clone(),
                    m.op.clone(),
                    m.rhs.clone(),
                    num(m.mi),
                    num(m.epc),
                    opt(m.sepc_all),
                ]);
            }
            if t.rows.is_empty() {
                t.note("No modification index reaches 3.84.");
            }
            out.push(t);
        }
        out
    }
}
