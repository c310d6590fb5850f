//! The one rendering of an SEM fit: text / HTML tables laid out like
//! lavaan's `summary(fit, fit.measures = TRUE, standardized = TRUE, rsquare
//! = TRUE)`, and the compact tables a paper prints ([`compact_fit_table`],
//! [`paths_table`]), which the study's reproduction uses. JSON comes from
//! `Serialize` on [`SemFit`]. With `amos_columns` the estimate tables use
//! AMOS's column names (Estimate, S.E., C.R., P, Standardized).
//!
//! A value that does not exist (the SE of a fixed parameter, an NA) shows
//! as [`MISSING`] everywhere, which the tables count as numeric, so number
//! columns stay right-aligned.
//!
//! ```
//! use analysis::sem::{self, ModelSpec, Options, SampleMoments};
//! use analysis::Render;
//! let cov = nalgebra::DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.4, 0.5, 1.0, 0.3, 0.4, 0.3, 1.0]);
//! let names = ["x1", "x2", "x3"].map(String::from).to_vec();
//! let sample = SampleMoments::from_covariance("example", cov, names, 100)?;
//! let fit = sem::fit(&ModelSpec::parse("f =~ x1 + x2 + x3")?, &sample, &Options::default())?;
//! let text = fit.to_text();
//! // The marker loading is fixed: no SE, z or p.
//! assert!(text.contains("f =~    x1     1.000        —        —        —"), "{text}");
//! let table = sem::output::compact_fit_table("Fit", fit.nobs, fit.npar, fit.converged, &fit.fit);
//! assert_eq!(table.rows[2], ["χ²", "0.00"]);
//! # Ok::<(), analysis::AnalysisError>(())
//! ```

use super::{Estimator, FitMeasures, Operator, Parameter, SemFit};
use crate::render::{fmt_fixed, fmt_p, Render, Table};

/// How a value that does not exist shows in every SEM table.
pub const MISSING: &str = "—";

fn num(x: f64) -> String {
    fmt_fixed(x, 3)
}

fn opt(x: Option<f64>) -> String {
    or_missing(x, num)
}

/// `x` formatted, or [`MISSING`].
pub fn or_missing(x: Option<f64>, format: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| MISSING.to_owned(), format)
}

/// The fit measures a paper reports, one per row with the number in the
/// second column: N, free parameters, χ² (2 decimals), df, p (4 decimals),
/// CFI, TLI, NFI, GFI, AGFI, RMSEA with its 90 % interval, SRMR (3
/// decimals). Whether the optimiser converged is the first note.
pub fn compact_fit_table(
    title: &str,
    nobs: usize,
    npar: usize,
    converged: bool,
    f: &FitMeasures,
) -> Table {
    let mut t = Table::new(title, &["measure", "value"]);
    let rows: [(&str, String); 14] = [
        ("N", nobs.to_string()),
        ("free parameters", npar.to_string()),
        ("χ²", fmt_fixed(f.chisq, 2)),
        ("df", fmt_fixed(f.df, 0)),
        ("p", or_missing(f.pvalue, fmt_p)),
        ("CFI", fmt_fixed(f.cfi, 3)),
        ("TLI", fmt_fixed(f.tli, 3)),
        ("NFI", fmt_fixed(f.nfi, 3)),
        ("GFI", fmt_fixed(f.gfi, 3)),
        ("AGFI", fmt_fixed(f.agfi, 3)),
        ("RMSEA", fmt_fixed(f.rmsea, 3)),
        ("RMSEA 90 % CI lower", fmt_fixed(f.rmsea_ci_lower, 3)),
        ("RMSEA 90 % CI upper", fmt_fixed(f.rmsea_ci_upper, 3)),
        ("SRMR", fmt_fixed(f.srmr, 3)),
    ];
    for (k, v) in rows {
        t.row(vec![k.to_owned(), v]);
    }
    t.note(if converged {
        "The optimiser converged."
    } else {
        "The optimiser did NOT converge: the values are those of its last iterate."
    });
    t
}

/// Selected parameters with a label each (first column, headed
/// `label_header`): estimate, SE (3 decimals), t = est/SE (AMOS's C.R., 2
/// decimals), p (4 decimals) and β = std.all (3 decimals).
pub fn paths_table<'a>(
    title: &str,
    label_header: &str,
    rows: impl IntoIterator<Item = (String, &'a Parameter)>,
) -> Table {
    let mut t = Table::new(
        title,
        &[
            label_header,
            "estimate",
            "SE",
            "t (C.R.)",
            "p",
            "β (std.all)",
        ],
    );
    for (label, q) in rows {
        t.row(vec![
            label,
            fmt_fixed(q.value, 3),
            or_missing(q.se, num),
            or_missing(q.z(), |z| fmt_fixed(z, 2)),
            or_missing(q.pvalue(), fmt_p),
            or_missing(q.std_all, num),
        ]);
    }
    t
}

fn kv(title: &str, rows: &[(&str, String)]) -> Table {
    let mut t = Table::new(title, &[]);
    for (k, v) in rows {
        t.row(vec![format!("  {k}"), v.clone()]);
    }
    t
}

/// A block with lavaan's "Standard" and "Scaled" columns (robust estimators);
/// an empty cell where lavaan prints nothing.
fn kv2(title: &str, rows: &[(&str, String, String)]) -> Table {
    let mut t = Table::new(title, &["", "Standard", "Scaled"]);
    for (k, v, w) in rows {
        t.row(vec![format!("  {k}"), v.clone(), w.clone()]);
    }
    t
}

/// The fit blocks of a robust fit, laid out as lavaan's `summary()`.
fn robust_blocks(f: &FitMeasures, r: &super::RobustFit, estimator: super::Estimator) -> Vec<Table> {
    let correction = match estimator {
        super::Estimator::MLR => "Yuan-Bentler correction (Mplus variant)",
        super::Estimator::WLSMV => {
            "scaled and shifted (simple second-order correction, lavaan's WLSMV)"
        }
        _ => "Satorra-Bentler correction",
    };
    // Cells lavaan leaves empty show as MISSING, so that the number
    // columns stay right-aligned.
    let blank = || MISSING.to_owned();
    let mut test = kv2(
        "Model Test User Model",
        &[
            ("Test Statistic", num(f.chisq), opt(r.chisq_scaled)),
            (
                "Degrees of freedom",
                format!("{}", f.df),
                format!("{}", r.df_scaled),
            ),
            ("P-value (Chi-square)", opt(f.pvalue), opt(r.pvalue_scaled)),
            (
                "Scaling correction factor",
                blank(),
                opt(r.chisq_scaling_factor),
            ),
        ],
    );
    if estimator == super::Estimator::WLSMV {
        // The shift b of `a·χ² + b`, from the statistic and a = 1/c.
        let shift = r
            .chisq_scaled
            .zip(r.chisq_scaling_factor)
            .map(|(x, c)| x - f.chisq / c);
        test.row(vec!["  Shift parameter".into(), blank(), opt(shift)]);
    }
    test.note(format!("Scaled: {correction}."));
    let mut blocks = vec![
        test,
        kv2(
            "Model Test Baseline Model",
            &[
                (
                    "Test statistic",
                    num(f.baseline_chisq),
                    opt(r.baseline_chisq_scaled),
                ),
                (
                    "Degrees of freedom",
                    format!("{}", f.baseline_df),
                    format!("{}", r.baseline_df_scaled),
                ),
                (
                    "P-value",
                    opt(f.baseline_pvalue),
                    opt(r.baseline_pvalue_scaled),
                ),
                (
                    "Scaling correction factor",
                    blank(),
                    opt(r.baseline_chisq_scaling_factor),
                ),
            ],
        ),
        kv2(
            "User Model versus Baseline Model",
            &[
                ("Comparative Fit Index (CFI)", num(f.cfi), opt(r.cfi_scaled)),
                ("Tucker-Lewis Index (TLI)", num(f.tli), opt(r.tli_scaled)),
                ("Bentler-Bonett Normed Fit Index (NFI)", num(f.nfi), blank()),
                (
                    "Robust Comparative Fit Index (CFI)",
                    blank(),
                    opt(r.cfi_robust),
                ),
                (
                    "Robust Tucker-Lewis Index (TLI)",
                    blank(),
                    opt(r.tli_robust),
                ),
            ],
        ),
    ];
    // Least squares have no likelihood (lavaan prints no such block).
    if !f.logl.is_nan() {
        blocks.push(kv2(
            "Loglikelihood and Information Criteria",
            &[
                ("Loglikelihood user model (H0)", num(f.logl), num(f.logl)),
                (
                    "Loglikelihood unrestricted model (H1)",
                    num(f.unrestricted_logl),
                    num(f.unrestricted_logl),
                ),
                ("Akaike (AIC)", num(f.aic), num(f.aic)),
                ("Bayesian (BIC)", num(f.bic), num(f.bic)),
            ],
        ));
    }
    blocks.push(kv2(
        "Root Mean Square Error of Approximation",
        &[
            ("RMSEA", num(f.rmsea), opt(r.rmsea_scaled)),
            (
                "90 Percent confidence interval - lower",
                num(f.rmsea_ci_lower),
                opt(r.rmsea_ci_lower_scaled),
            ),
            (
                "90 Percent confidence interval - upper",
                num(f.rmsea_ci_upper),
                opt(r.rmsea_ci_upper_scaled),
            ),
            (
                "P-value H_0: RMSEA <= 0.050",
                opt(f.rmsea_pvalue),
                opt(r.rmsea_pvalue_scaled),
            ),
            ("Robust RMSEA", blank(), opt(r.rmsea_robust)),
            (
                "90 Percent confidence interval - lower",
                blank(),
                opt(r.rmsea_ci_lower_robust),
            ),
            (
                "90 Percent confidence interval - upper",
                blank(),
                opt(r.rmsea_ci_upper_robust),
            ),
            (
                "P-value H_0: Robust RMSEA <= 0.050",
                blank(),
                opt(r.rmsea_pvalue_robust),
            ),
        ],
    ));
    blocks
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
            _ if self.missing.is_some() => {
                "normal, casewise over each case's observed values (full information), χ² = 2 (logl H1 − logl H0)"
            }
            super::Likelihood::Normal => "normal (S with divisor N, χ² = N·F)",
            super::Likelihood::Wishart => "wishart (S with divisor N − 1, χ² = (N − 1)·F)",
        };
        let least_squares = self.estimator.is_least_squares();
        let converged = if self.converged { "yes" } else { "no" };
        let mut header = vec![("Estimator", self.estimator.as_str().to_owned())];
        if least_squares {
            header.push(("Discrepancy", "(s − σ)ᵀ W (s − σ), χ² = (N − 1)·F".into()));
        } else {
            header.push(("Likelihood", likelihood.into()));
        }
        header.push(("Optimization method", self.optimizer.method.clone()));
        header.push((
            "Converged",
            if least_squares {
                format!(
                    "{converged} ({} Gauss-Newton iterations, max |gradient| {:.1e})",
                    self.optimizer.scoring_iterations, self.optimizer.max_abs_gradient
                )
            } else {
                format!(
                    "{converged} ({} L-BFGS + {} {} iterations, max |gradient| {:.1e})",
                    self.optimizer.lbfgs_iterations,
                    self.optimizer.scoring_iterations,
                    if self.missing.is_some() {
                        "Newton"
                    } else {
                        "scoring"
                    },
                    self.optimizer.max_abs_gradient
                )
            },
        ));
        header.push(("Number of model parameters", self.npar.to_string()));
        header.push(("Number of observations", self.nobs.to_string()));
        if let Some(m) = &self.missing {
            header.push(("Number of missing patterns", m.npatterns.to_string()));
            header.push((
                "Standard errors",
                if self.estimator == Estimator::MLR {
                    "robust (Huber–White: observed information, casewise scores of the incomplete data), as lavaan's MLR with missing = \"ml\"".into()
                } else {
                    "observed information (Hessian), as lavaan's missing = \"ml\"".into()
                },
            ));
            header.push((
                "Missing data",
                format!(
                    "full-information ML; {:.1} % of values missing, {} empty case(s) left out",
                    100.0 * m.missing_fraction,
                    m.empty_cases
                ),
            ));
        }
        out.push(kv(
            if least_squares {
                "Structural equation model (least squares)"
            } else {
                "Structural equation model (maximum likelihood)"
            },
            &header,
        ));
        if let Some(r) = &f.robust {
            out.extend(robust_blocks(f, r, self.estimator));
        } else {
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
            if !f.logl.is_nan() {
                let mut information = vec![
                    ("Loglikelihood user model (H0)", num(f.logl)),
                    (
                        "Loglikelihood unrestricted model (H1)",
                        num(f.unrestricted_logl),
                    ),
                    ("Akaike (AIC)", num(f.aic)),
                    ("Bayesian (BIC)", num(f.bic)),
                ];
                if let Some(bic2) = f.bic2 {
                    information.push(("Sample-size adjusted Bayesian (SABIC)", num(bic2)));
                }
                out.push(kv("Loglikelihood and Information Criteria", &information));
            }
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
        }
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
            ("Latent Variables", Operator::MeasuredBy, None),
            ("Regressions", Operator::RegressedOn, None),
            ("Covariances", Operator::Covariance, Some(false)),
            ("Intercepts", Operator::Intercept, Some(true)),
            ("Thresholds", Operator::Threshold, None),
            ("Variances", Operator::Covariance, Some(true)),
            ("Scales y*", Operator::ScaleFactor, None),
        ];
        for (title, op, diag) in sections {
            let rows: Vec<_> = self
                .table
                .params
                .iter()
                .filter(|e| {
                    e.op == op
                        && (op == Operator::Intercept || diag.is_none_or(|d| (e.lhs == e.rhs) == d))
                })
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
                let mut rhs = if op == Operator::Intercept {
                    // lavaan's dot: the intercept of an endogenous variable.
                    let endogenous = self.table.params.iter().any(|q| {
                        (q.op == Operator::MeasuredBy && q.rhs == e.lhs)
                            || (q.op == Operator::RegressedOn && q.lhs == e.lhs)
                    });
                    if endogenous {
                        format!(".{}", e.lhs)
                    } else {
                        e.lhs.clone()
                    }
                } else if diag == Some(true) {
                    e.rhs.clone()
                } else {
                    format!("  {}", e.rhs)
                };
                if let Some(l) = &e.label {
                    rhs.push_str(&format!(" ({l})"));
                }
                let (se, z, p) = if e.free.is_some() {
                    (opt(e.se), opt(e.z()), opt(e.pvalue()))
                } else {
                    (MISSING.into(), MISSING.into(), MISSING.into())
                };
                t.row(vec![
                    first,
                    rhs,
                    num(e.value),
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
            for e in self.table.params.iter().filter(|e| e.free.is_some()) {
                t.row(vec![
                    format!("{} {} {}", e.lhs, e.op, e.rhs),
                    num(e.value),
                    opt(e.boot.map(|b| b.se)),
                    opt(e.boot.map(|b| b.ci_lower)),
                    opt(e.boot.map(|b| b.ci_upper)),
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
                    m.op.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sem::{self, ModelSpec, Operator, Options, SampleMoments};

    fn one_factor() -> SemFit {
        let cov =
            nalgebra::DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.4, 0.5, 1.0, 0.3, 0.4, 0.3, 1.0]);
        let names = ["x1", "x2", "x3"].map(String::from).to_vec();
        let sample = SampleMoments::from_covariance("example", cov, names, 100).unwrap();
        let spec = ModelSpec::parse("f =~ x1 + x2 + x3").unwrap();
        sem::fit(&spec, &sample, &Options::default()).unwrap()
    }

    #[test]
    fn missing_values_show_one_dash_and_numbers_stay_right_aligned() {
        let fit = one_factor();
        let marker = fit.table.find("f", Operator::MeasuredBy, "x1").unwrap();
        let free = fit.table.find("f", Operator::MeasuredBy, "x2").unwrap();
        let t = paths_table(
            "Paths",
            "path",
            [("marker".to_owned(), marker), ("x2".to_owned(), free)],
        );
        // The marker is fixed: SE 0, no z and no p.
        assert_eq!(t.rows[0][3..5], [MISSING, MISSING]);
        // Right-aligned: each dash ends where the number below it ends.
        let text = t.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[3..],
            [
                "marker     1.000  0.000         —       —        0.816",
                "x2         0.750  0.225      3.33  0.0009        0.612"
            ],
            "{text}"
        );
    }

    #[test]
    fn the_compact_fit_table_says_whether_the_fit_converged() {
        let fit = one_factor();
        let t = compact_fit_table("Fit", fit.nobs, fit.npar, true, &fit.fit);
        assert_eq!(t.rows[0], ["N", "100"]);
        // Just identified: df 0, so no p-value.
        assert_eq!(t.rows[4], ["p", MISSING]);
        assert_eq!(t.notes, ["The optimiser converged."]);
        let t = compact_fit_table("Fit", fit.nobs, fit.npar, false, &fit.fit);
        assert!(t.notes[0].starts_with("The optimiser did NOT converge"));
    }
}
