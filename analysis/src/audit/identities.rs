//! Statistical identities and ranges among the fit indices of a structural
//! equation model: χ², df, N, RMSEA, GFI, AGFI and CFI.
//!
//! The closed forms are written here for the audit (which works from printed
//! figures, not data); the SEM engine computes the same indices from a fitted
//! model.

use super::finding::{fmt_number, Finding, Kind, Recomputed, Status};
use super::sample_size;
use crate::claims::{Claims, PublishedFit};
use statrs::distribution::{ChiSquared, ContinuousCDF};

const EPS: f64 = 1e-9;

/// RMSEA = √(max(χ² − df, 0)/(df·n)) with `n` = N − 1 (AMOS, LISREL, lavaan
/// with `likelihood = "wishart"`) or N (lavaan's default); the SEM engine's
/// [`crate::sem::fit::rmsea`], defined here only where df > 0 and n > 0.
fn rmsea(chisq: f64, df: f64, n: f64) -> Option<f64> {
    (df > 0.0 && n > 0.0 && chisq.is_finite()).then(|| crate::sem::fit::rmsea(chisq, df, n))
}

/// The degrees of freedom compatible with χ² in `chisq` and RMSEA in `rmsea`
/// (both intervals, e.g. from rounding) for the multiplier `n` (N or N − 1).
///
/// For df < χ², RMSEA² = (χ²/df − 1)/n decreases in df, so the equation
/// RMSEA(df) = r is solved exactly at each end: df = χ²/(1 + n·r²). The lower
/// end uses the smallest χ² and largest RMSEA, the upper end the largest χ²
/// and smallest RMSEA; when the RMSEA interval reaches 0 any df ≥ χ² also
/// fits and the upper end is `f64::INFINITY`. `None` for invalid inputs.
pub fn df_interval_from_rmsea(chisq: (f64, f64), rmsea: (f64, f64), n: f64) -> Option<(f64, f64)> {
    if n.is_nan()
        || n <= 0.0
        || chisq.0 < 0.0
        || rmsea.1 < 0.0
        || !chisq.1.is_finite()
        || !rmsea.1.is_finite()
    {
        return None;
    }
    let lower = chisq.0 / (1.0 + n * rmsea.1 * rmsea.1);
    let upper = if rmsea.0 > 0.0 {
        chisq.1 / (1.0 + n * rmsea.0 * rmsea.0)
    } else {
        f64::INFINITY
    };
    Some((lower, upper))
}

/// The whole numbers ≥ 1 in a real interval, as (first, last); `None` if none.
pub fn integer_df_range(interval: (f64, f64)) -> Option<(u64, u64)> {
    let first = (interval.0 - EPS).ceil().max(1.0);
    let last = if interval.1.is_finite() {
        (interval.1 + EPS).floor()
    } else {
        f64::MAX
    };
    (first <= last).then_some((first as u64, last.min(1e15) as u64))
}

pub(super) fn check(claims: &Claims) -> Vec<Finding> {
    let Some(fit) = &claims.fit else {
        return Vec::new();
    };
    let mut out = vec![ranges(fit)];
    if let Some(f) = agfi_gfi(fit) {
        out.push(f);
    }
    let df = implied_df(fit, claims);
    if let Some(f) = df.finding.clone() {
        out.push(f);
    }
    if let Some(f) = chisq_test(fit, &df) {
        out.push(f);
    }
    if let Some(f) = cfi_baseline(fit, &df, claims) {
        out.push(f);
    }
    out
}

/// Ranges every index must respect: χ² ≥ 0, RMSEA ≥ 0, GFI, AGFI, CFI, NFI
/// ≤ 1, CFI and NFI ≥ 0, df ≥ 0.
pub(super) fn ranges(fit: &PublishedFit) -> Finding {
    let mut violations = Vec::new();
    let mut checked = Vec::new();
    for idx in &fit.indices {
        let (lo, hi) = idx.value.interval();
        let (min, max): (Option<f64>, Option<f64>) = match idx.name.as_str() {
            "chisq" | "rmsea" | "df" | "srmr" => (Some(0.0), None),
            "gfi" | "agfi" => (None, Some(1.0)),
            "cfi" | "nfi" | "pvalue" => (Some(0.0), Some(1.0)),
            _ => continue,
        };
        checked.push(format!("{} {}", idx.label, idx.value.text));
        if min.is_some_and(|m| hi < m - EPS) || max.is_some_and(|m| lo > m + EPS) {
            violations.push(format!(
                "{} = {} is outside [{}, {}]",
                idx.label,
                idx.value.text,
                min.map_or("−∞".into(), fmt_number),
                max.map_or("∞".into(), fmt_number)
            ));
        }
    }
    let ok = violations.is_empty();
    Finding::new("fit-ranges", &fit.source, "ranges of the fit indices")
        .published(checked.join(", "))
        .recomputed(Recomputed::value(violations.len() as f64))
        .holds(ok)
        .method("χ², RMSEA ≥ 0; GFI, AGFI ≤ 1; 0 ≤ CFI, NFI ≤ 1")
        .explanation(if ok {
            "Every printed index lies in its possible range.".to_owned()
        } else {
            format!(
                "{}: no model can produce such a value.",
                violations.join("; ")
            )
        })
}

/// AGFI = 1 − (p*/df)(1 − GFI) (Jöreskog & Sörbom 1984), p* = p(p+1)/2
/// distinct variances and covariances (p(p+3)/2 with means). Since df = p* − q
/// with q ≥ 0 free parameters, p*/df ≥ 1 and so 1 − AGFI ≥ 1 − GFI: AGFI ≤ GFI
/// for every model, with equality only when q = 0 or GFI = 1.
pub(super) fn agfi_gfi(fit: &PublishedFit) -> Option<Finding> {
    let agfi = fit.get("agfi")?;
    let gfi = fit.get("gfi")?;
    let (alo, _) = agfi.interval();
    let (_, ghi) = gfi.interval();
    // Rounding is monotone: two values rounded to the same decimals by one
    // rule keep their order unless they print equal, so a printed AGFI above
    // the printed GFI means AGFI > GFI before rounding as well.
    let ok = if agfi.decimals == gfi.decimals {
        agfi.value <= gfi.value + EPS
    } else {
        alo <= ghi + EPS
    };
    let explanation = format!(
        "AGFI = 1 − (p*/df)(1 − GFI), where p* = p(p+1)/2 is the number of distinct variances and \
         covariances of the p observed variables and df = p* − q for q ≥ 0 free parameters. Hence p*/df ≥ 1 \
         and 1 − AGFI ≥ 1 − GFI: AGFI can never exceed GFI, whatever the model or sample. The printed GFI {} \
         stands for at most {}, so AGFI is at most {}; the printed AGFI {} stands for at least {}{}",
        gfi.text,
        fmt_number(ghi),
        fmt_number(ghi),
        agfi.text,
        fmt_number(alo),
        if ok {
            ", which this allows.".to_owned()
        } else {
            ". Both are printed to the same decimals, and rounding by one rule keeps the order of two values \
             unless they print equal, so AGFI exceeded GFI before rounding too. No model can have these two \
             values; at least one is misreported (the two may have been swapped)."
                .to_owned()
        }
    );
    Some(
        Finding::new("fit-agfi-gfi", &fit.source, "AGFI ≤ GFI")
            .published(format!("AGFI {}, GFI {}", agfi.text, gfi.text))
            .recomputed(Recomputed::value(ghi))
            .holds(ok)
            .method("AGFI = 1 − (p*/df)(1 − GFI) with df ≤ p* ⇒ AGFI ≤ GFI; rounding intervals")
            .explanation(explanation),
    )
}

/// The whole-number df a paper's fit section allows: the printed df, or the
/// range bracketed from χ², RMSEA and N under both RMSEA conventions (n = N
/// and N − 1). `None` without a fit section or when no df is compatible.
///
/// ```
/// use analysis::claims::Claims;
/// let claims = Claims::from_json_str("t.json", r#"{"format":"paraclinic-claims/1",
///   "study":{"id":"t","title":"t"},
///   "figures":[{"id":"analysable","quantity":"n","value":"385","source":"Methods","quote":"q"}],
///   "fit":{"source":"Table 3","indices":[{"name":"chisq","label":"χ2","value":"502.88"},
///                                        {"name":"rmsea","label":"RMSEA","value":".036"}]}}"#).unwrap();
/// assert_eq!(analysis::audit::implied_df_range(&claims), Some((333, 338)));
/// ```
pub fn implied_df_range(claims: &Claims) -> Option<(u64, u64)> {
    implied_df(claims.fit.as_ref()?, claims).range
}

/// The df the figures allow, whether printed or implied by χ², RMSEA and N.
#[derive(Debug, Clone)]
pub(super) struct ImpliedDf {
    /// Whole-number df compatible with the printed figures (both RMSEA conventions).
    pub range: Option<(u64, u64)>,
    /// True when the paper prints df itself.
    pub printed: bool,
    pub finding: Option<Finding>,
}

/// The df interval from RMSEA (when df is not printed), or RMSEA recomputed
/// from a printed df (statcheck-style).
pub(super) fn implied_df(fit: &PublishedFit, claims: &Claims) -> ImpliedDf {
    let none = ImpliedDf {
        range: None,
        printed: false,
        finding: None,
    };
    let (Some(chisq), Some(r)) = (fit.get("chisq"), fit.get("rmsea")) else {
        return match fit.get("df") {
            Some(df) => ImpliedDf {
                range: Some((df.value as u64, df.value as u64)),
                printed: true,
                finding: None,
            },
            None => none,
        };
    };
    let Some((n, n_source)) = sample_size(claims) else {
        return ImpliedDf {
            finding: Some(
                Finding::new("fit-rmsea-df", &fit.source, "df implied by χ², RMSEA and N")
                    .kind(Kind::Rounding)
                    .published(format!("χ² {}, RMSEA {}", chisq.text, r.text))
                    .method("RMSEA = √(max(χ² − df, 0)/(df·(N − 1)))")
                    .explanation("The paper gives no sample size, which RMSEA needs."),
            ),
            ..none
        };
    };
    let conventions = [(n.value - 1.0, "N − 1"), (n.value, "N")];
    if let Some(df) = fit.get("df") {
        // Recompute RMSEA from printed χ², df and N under both conventions.
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for (m, _) in conventions {
            for c in [chisq.interval().0, chisq.interval().1] {
                if let Some(v) = rmsea(c, df.value, m) {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
        let (plo, phi) = r.interval();
        let ok = lo.is_finite() && plo <= hi + EPS && phi >= lo - EPS;
        let f = Finding::new("fit-rmsea", &fit.source, "RMSEA from χ², df and N").kind(Kind::Rounding)
            .published(&r.text)
            .recomputed(Recomputed::interval(lo, hi))
            .holds(ok)
            .method("RMSEA = √(max(χ² − df, 0)/(df·n)), n = N − 1 or N, over the rounding of χ²")
            .explanation(format!(
                "With χ² = {}, df = {} and N = {} ({}), RMSEA lies in [{:.4}, {:.4}] (n = N − 1 as AMOS, or N \
                 as lavaan); the printed {} is {} it.",
                chisq.text,
                df.text,
                n.text,
                n_source,
                lo,
                hi,
                r.text,
                if ok { "inside" } else { "outside" }
            ));
        return ImpliedDf {
            range: Some((df.value as u64, df.value as u64)),
            printed: true,
            finding: Some(f),
        };
    }
    let mut parts = Vec::new();
    let mut union: Option<(u64, u64)> = None;
    for (m, label) in conventions {
        match df_interval_from_rmsea(chisq.interval(), r.interval(), m) {
            Some(iv) => {
                let ints = integer_df_range(iv);
                parts.push(format!(
                    "with n = {label} = {}: df in ({}, {}]{}",
                    fmt_number(m),
                    fmt_real(iv.0),
                    fmt_real(iv.1),
                    match ints {
                        Some((a, b)) => format!(", i.e. {a}–{b}"),
                        None => ", which holds no whole number".into(),
                    }
                ));
                if let Some((a, b)) = ints {
                    union = Some(union.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
                }
            }
            None => parts.push(format!("with n = {label}: no solution")),
        }
    }
    let explanation = match union {
        Some((a, b)) => format!(
            "The paper prints neither df nor p. RMSEA = √(max(χ² − df, 0)/(df·n)) decreases in df, so solving it \
             at the ends of the printed RMSEA's rounding interval [{}, {}] (and of χ²'s) brackets df exactly: {}. \
             The reported fit is therefore that of a model with {a} to {b} degrees of freedom; N = {} is taken from {}.",
            fmt_number(r.interval().0),
            fmt_number(r.interval().1),
            parts.join("; "),
            n.text,
            n_source
        ),
        None => format!(
            "No whole number of degrees of freedom gives RMSEA {} with χ² = {} and N = {}: {}. The three \
             figures cannot come from one model.",
            r.text,
            chisq.text,
            n.text,
            parts.join("; ")
        ),
    };
    let f = Finding::new("fit-rmsea-df", &fit.source, "df implied by χ², RMSEA and N")
        .kind(Kind::Rounding)
        .published(format!(
            "χ² {}, RMSEA {}, N {} (df not printed)",
            chisq.text, r.text, n.text
        ))
        .recomputed(match union {
            Some((a, b)) => Recomputed::interval(a as f64, b as f64),
            None => Recomputed::None,
        })
        .holds(union.is_some())
        .method("df = χ²/(1 + n·RMSEA²) at both ends of the rounding intervals, n = N − 1 and N")
        .explanation(explanation);
    ImpliedDf {
        range: union,
        printed: false,
        finding: Some(f),
    }
}

fn fmt_real(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "∞".into()
    }
}

/// The χ² test of exact fit at the df the figures allow; compared with a
/// printed p when there is one.
fn chisq_test(fit: &PublishedFit, df: &ImpliedDf) -> Option<Finding> {
    let chisq = fit.get("chisq")?;
    let (a, b) = df.range?;
    if b.saturating_sub(a) > 100_000 {
        return None;
    }
    let sf = |d: u64, x: f64| ChiSquared::new(d as f64).ok().map(|c| c.sf(x));
    let (clo, chi) = chisq.interval();
    // p falls with χ² and rises with df.
    let p_lo = sf(a, chi)?;
    let p_hi = sf(b, clo)?;
    let ratio = (chisq.value / b as f64, chisq.value / a as f64);
    let df_text = if a == b {
        a.to_string()
    } else {
        format!("{a}–{b}")
    };
    let base = format!(
        "At df = {df_text}, χ² = {} gives χ²/df = {:.3}–{:.3} and an exact-fit test p between {:.3e} and {:.3e}.",
        chisq.text, ratio.0, ratio.1, p_lo, p_hi
    );
    let f = Finding::new("fit-chisq-test", &fit.source, "χ² test of exact fit")
        .kind(Kind::Rounding)
        .recomputed(Recomputed::interval(p_lo, p_hi))
        .method("p = P(χ²_df > χ²) (upper tail of the χ² distribution)");
    Some(match fit.get("pvalue") {
        Some(p) => {
            let (plo, phi) = p.interval();
            let ok = plo <= p_hi + EPS && phi >= p_lo - EPS;
            f.published(&p.text).holds(ok).explanation(format!(
                "{base} The printed p = {} is {} this.",
                p.text,
                if ok { "consistent with" } else { "outside" }
            ))
        }
        None => f
            .published(format!("χ² {} (no df or p printed)", chisq.text))
            .status(Status::Unverifiable)
            .explanation(format!(
                "{base} {}The paper prints neither df nor p, so the χ² test it reports cannot be checked; \
                 {}",
                if df.printed { "" } else { "The df is only known from RMSEA (see fit-rmsea-df). " },
                if p_hi < 0.05 {
                    "the model's exact fit is rejected (p < .05), which the paper does not say when it calls \
                     the fit very good; χ²/df below 2 is the usual, weaker, rule of thumb."
                } else {
                    "the exact fit is not rejected at .05."
                }
            )),
    })
}

/// The baseline (independence-model) χ² that CFI implies: CFI = 1 − d/d_b with
/// d = max(χ² − df, 0) and d_b = χ²_b − df_b (Bentler 1990), so
/// d_b = d/(1 − CFI). For p observed variables df_b = p(p − 1)/2 and the
/// baseline RMSEA √(d_b/(df_b·(N − 1))) says how correlated the variables are;
/// below .158 incremental indices such as CFI are uninformative (Kenny,
/// Kaniskan & McCoach 2015).
fn cfi_baseline(fit: &PublishedFit, df: &ImpliedDf, claims: &Claims) -> Option<Finding> {
    let cfi = fit.get("cfi")?;
    let chisq = fit.get("chisq")?;
    let (a, b) = df.range?;
    let (clo, chi) = cfi.interval();
    if chi >= 1.0 {
        return None;
    }
    let d_lo = (chisq.interval().0 - b as f64).max(0.0);
    let d_hi = (chisq.interval().1 - a as f64).max(0.0);
    let db_lo = d_lo / (1.0 - clo);
    let db_hi = d_hi / (1.0 - chi.min(1.0 - 1e-12));
    let mut explanation = format!(
        "CFI = 1 − (χ² − df)/(χ²_b − df_b), so CFI {} with χ² − df in [{}, {}] implies a baseline noncentrality \
         χ²_b − df_b in [{:.1}, {:.1}]. The paper does not print the baseline χ².",
        cfi.text,
        fmt_number(d_lo),
        fmt_number(d_hi),
        db_lo.min(db_hi),
        db_lo.max(db_hi)
    );
    let n = sample_size(claims).map(|(n, _)| n.value);
    if let (Some(cb), Some(n)) = (&claims.codebook, n) {
        let sub: usize = cb.entries.iter().map(|e| e.subthemes.len()).sum();
        for (p, what) in [(sub, "sub-themes"), (cb.entries.len(), "themes")] {
            // p = 0 (an empty codebook) has no baseline: p − 1 would wrap.
            let dfb = (p * p.saturating_sub(1) / 2) as f64;
            if dfb <= 0.0 {
                continue;
            }
            let r_lo = (db_lo.min(db_hi) / (dfb * (n - 1.0))).sqrt();
            let r_hi = (db_lo.max(db_hi) / (dfb * (n - 1.0))).sqrt();
            explanation.push_str(&format!(
                " With the {p} {what} as observed variables (df_b = {}), the baseline χ² would be {:.0}–{:.0} and \
                 the baseline RMSEA {:.3}–{:.3}{}.",
                fmt_number(dfb),
                db_lo.min(db_hi) + dfb,
                db_lo.max(db_hi) + dfb,
                r_lo,
                r_hi,
                if r_hi < 0.05 {
                    ": the variables would be nearly uncorrelated, hard to square with factors that explain them, \
                     and the baseline RMSEA is below .158, where CFI carries little information"
                } else if r_hi < 0.158 {
                    ": below .158, where CFI carries little information"
                } else {
                    ""
                }
            ));
        }
    }
    Some(
        Finding::new(
            "fit-cfi-baseline",
            &fit.source,
            "baseline χ² implied by CFI",
        )
        .kind(Kind::Rounding)
        .published(format!("CFI {}", cfi.text))
        .recomputed(Recomputed::interval(db_lo, db_hi))
        .status(Status::Unverifiable)
        .method(
            "χ²_b − df_b = (χ² − df)/(1 − CFI); baseline RMSEA = √((χ²_b − df_b)/(df_b·(N − 1)))",
        )
        .explanation(explanation),
    )
}

#[cfg(test)]
mod tests {
    use super::super::claims_with;
    use super::*;

    fn fit(indices: &[(&str, &str)], n: &str) -> Claims {
        let idx: Vec<String> = indices
            .iter()
            .map(|(k, v)| format!(r#"{{"name":"{k}","label":"{k}","value":"{v}"}}"#))
            .collect();
        claims_with(&format!(
            r#""fit":{{"source":"Table 3","indices":[{}]}},"figures":[{{"id":"analysable","quantity":"n","value":"{n}","source":"Methods","quote":"q"}}]"#,
            idx.join(",")
        ))
    }

    #[test]
    fn rmsea_closed_form() {
        // √((150 − 100)/(100·199)) = √(50/19900)
        assert!((rmsea(150.0, 100.0, 199.0).unwrap() - (50.0f64 / 19900.0).sqrt()).abs() < 1e-12);
        assert_eq!(rmsea(80.0, 100.0, 199.0), Some(0.0));
        assert!(rmsea(80.0, 0.0, 199.0).is_none());
    }

    #[test]
    fn df_interval_solves_rmsea_at_both_ends() {
        let (lo, hi) = df_interval_from_rmsea((502.88, 502.88), (0.0355, 0.0365), 384.0).unwrap();
        assert!((lo - 502.88 / (1.0 + 384.0 * 0.0365 * 0.0365)).abs() < 1e-9);
        assert!((hi - 502.88 / (1.0 + 384.0 * 0.0355 * 0.0355)).abs() < 1e-9);
        // The ends reproduce the RMSEA bounds.
        assert!((rmsea(502.88, lo, 384.0).unwrap() - 0.0365).abs() < 1e-12);
        assert!((rmsea(502.88, hi, 384.0).unwrap() - 0.0355).abs() < 1e-12);
        assert_eq!(integer_df_range((lo, hi)), Some((333, 338)));
        assert_eq!(integer_df_range((10.2, 10.8)), None);
        let (_, up) = df_interval_from_rmsea((50.0, 50.0), (0.0, 0.0005), 99.0).unwrap();
        assert!(up.is_infinite());
    }

    #[test]
    fn agfi_above_gfi_is_impossible_and_below_passes() {
        let c = fit(&[("agfi", ".93"), ("gfi", ".92")], "385");
        let f = agfi_gfi(c.fit.as_ref().unwrap()).unwrap();
        assert_eq!(f.status, Status::Inconsistent);
        assert_eq!(f.recomputed, Recomputed::Value(0.925));
        let c = fit(&[("agfi", ".90"), ("gfi", ".92")], "385");
        assert_eq!(
            agfi_gfi(c.fit.as_ref().unwrap()).unwrap().status,
            Status::Consistent
        );
        // Equal after rounding is possible (AGFI .925 ≤ GFI .925 at the boundary).
        let c = fit(&[("agfi", ".92"), ("gfi", ".92")], "385");
        assert_eq!(
            agfi_gfi(c.fit.as_ref().unwrap()).unwrap().status,
            Status::Consistent
        );
    }

    #[test]
    fn implied_df_both_ways() {
        let c = fit(&[("chisq", "502.88"), ("rmsea", ".036")], "385");
        let d = implied_df(c.fit.as_ref().unwrap(), &c);
        assert_eq!(d.range, Some((333, 338)));
        assert_eq!(d.finding.unwrap().status, Status::Consistent);
        // RMSEA .5 with χ² 10 and N 100 needs df < 1: impossible.
        let c = fit(&[("chisq", "10.0"), ("rmsea", ".500")], "100");
        let d = implied_df(c.fit.as_ref().unwrap(), &c);
        assert_eq!(d.range, None);
        assert_eq!(d.finding.unwrap().status, Status::Inconsistent);
    }

    #[test]
    fn printed_df_recomputes_rmsea_both_ways() {
        // χ² 150, df 100, N 200: RMSEA = √(50/(100·199)) = .0501 (N − 1) or .0500 (N).
        let c = fit(
            &[("chisq", "150.00"), ("df", "100"), ("rmsea", ".050")],
            "200",
        );
        let d = implied_df(c.fit.as_ref().unwrap(), &c);
        assert_eq!(d.finding.unwrap().status, Status::Consistent);
        let c = fit(
            &[("chisq", "150.00"), ("df", "100"), ("rmsea", ".060")],
            "200",
        );
        let d = implied_df(c.fit.as_ref().unwrap(), &c);
        assert_eq!(d.finding.unwrap().status, Status::Inconsistent);
    }

    #[test]
    fn ranges_both_ways() {
        let c = fit(&[("cfi", ".92"), ("rmsea", ".036"), ("gfi", ".92")], "385");
        assert_eq!(ranges(c.fit.as_ref().unwrap()).status, Status::Consistent);
        let c = fit(&[("cfi", "1.20"), ("rmsea", ".036")], "385");
        assert_eq!(ranges(c.fit.as_ref().unwrap()).status, Status::Inconsistent);
    }

    #[test]
    fn chisq_test_against_a_printed_p_both_ways() {
        // χ² 150 on df 100: p = 0.000878 (scipy.stats.chi2.sf(150, 100)).
        let c = fit(
            &[("chisq", "150.00"), ("df", "100"), ("pvalue", ".001")],
            "200",
        );
        let d = implied_df(c.fit.as_ref().unwrap(), &c);
        let f = chisq_test(c.fit.as_ref().unwrap(), &d).unwrap();
        assert_eq!(f.status, Status::Consistent, "{}", f.explanation);
        let c = fit(
            &[("chisq", "150.00"), ("df", "100"), ("pvalue", ".05")],
            "200",
        );
        let d = implied_df(c.fit.as_ref().unwrap(), &c);
        assert_eq!(
            chisq_test(c.fit.as_ref().unwrap(), &d).unwrap().status,
            Status::Inconsistent
        );
    }

    #[test]
    fn cfi_baseline_noncentrality() {
        let c = fit(&[("chisq", "150.00"), ("df", "100"), ("cfi", ".90")], "200");
        let d = implied_df(c.fit.as_ref().unwrap(), &c);
        let f = cfi_baseline(c.fit.as_ref().unwrap(), &d, &c).unwrap();
        // d ∈ [49.995, 50.005], 1 − CFI ∈ [.095, .105]
        match f.recomputed {
            Recomputed::Interval { lower, upper } => {
                assert!((lower - 49.995 / 0.105).abs() < 1e-6, "{lower}");
                assert!((upper - 50.005 / 0.095).abs() < 1e-6, "{upper}");
            }
            r => panic!("{r:?}"),
        }
        assert_eq!(f.status, Status::Unverifiable);
    }
}
