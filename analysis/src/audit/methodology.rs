//! Methodological claims: significance rules, inferences the stated evidence
//! cannot support, units, collinearity statements, and a normality result that
//! a simulation at the study's N and response scale makes implausible.

use super::finding::{fmt_number, Finding, Kind, Recomputed, Status};
use super::{sample_size, slug, AuditOptions};
use crate::claims::{Claims, PublishedPaths, TextFigure};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use statrs::distribution::{ContinuousCDF, Normal};

const EPS: f64 = 1e-9;

pub(super) fn check(claims: &Claims, options: &AuditOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(p) = &claims.paths {
        let crit = claims.figure("t_critical");
        if let Some(c) = crit {
            out.push(t_critical(c));
        }
        out.push(t_rule(p, crit));
        if let Some(rule) = claims.figure("path_significance_rule") {
            out.push(coefficient_rule(p, rule));
        }
        out.push(implied_se(p, claims));
    }
    if let Some(ks) = claims.figure("ks_significance") {
        out.push(ks_simulation(ks, claims, options));
    }
    for fig in &claims.figures {
        if let Some(f) = percent_unit(fig) {
            out.push(f);
        }
    }
    if let Some(f) = collinearity(claims) {
        out.push(f);
    }
    if let Some(p) = claims.figure("friedman_p") {
        if let Some(f) = friedman_inference(p, claims.friedman.as_ref()) {
            out.push(f);
        }
    }
    out
}

/// The significance level named in a quote ("at the 0.05 error level"): the
/// first number in (0, 0.5); 0.05 if none.
fn alpha_in(quote: &str) -> f64 {
    quote
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|s| s.trim_matches('.').parse::<f64>().ok())
        .find(|&a| a > 0.0 && a < 0.5)
        .unwrap_or(0.05)
}

/// The stated critical value against the two-sided normal quantile (AMOS's
/// critical ratios are referred to the normal distribution).
pub(super) fn t_critical(c: &TextFigure) -> Finding {
    let alpha = alpha_in(&c.quote);
    let z = Normal::standard().inverse_cdf(1.0 - alpha / 2.0);
    let (lo, hi) = c.value.interval();
    let ok = z >= lo - EPS && z <= hi + EPS;
    Finding::new("paths-t-critical", &c.source, "critical value of the path test").kind(Kind::Rounding)
        .published(&c.value.text)
        .recomputed(Recomputed::value(z))
        .holds(ok)
        .method("z_{1−α/2} of the standard normal, α from the text")
        .explanation(format!(
            "A two-sided test at α = {} rejects when |t| > z_(1−α/2) = {:.4}, which {} the printed {}{}",
            fmt_number(alpha),
            z,
            if ok { "rounds to" } else { "does not round to" },
            c.value.text,
            if ok {
                " (SEM critical ratios are referred to the normal distribution).".to_owned()
            } else {
                format!(
                    "; {} would be the critical value of a {} test.",
                    c.value.text,
                    if (c.value.value - Normal::standard().inverse_cdf(1.0 - alpha)).abs() < 0.01 {
                        "one-sided"
                    } else {
                        "different"
                    }
                )
            }
        ))
        .uses(&c.id)
}

fn confirms(result: &str) -> Option<bool> {
    let r = result.to_lowercase();
    if r.contains("not") || r.contains("reject") || r.contains("unsupported") {
        Some(false)
    } else if r.contains("confirm")
        || r.contains("support")
        || r.contains("significant")
        || r.contains("accept")
    {
        Some(true)
    } else {
        None
    }
}

/// Every path's verdict must follow the stated rule |t| > critical value.
pub(super) fn t_rule(p: &PublishedPaths, crit: Option<&TextFigure>) -> Finding {
    let c = crit.map_or(1.96, |c| c.value.value);
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    for r in &p.rows {
        let significant = r.t.value.abs() > c;
        match confirms(&r.result) {
            Some(v) if v != significant => wrong.push(format!(
                "{}: t = {} is {} {} but the table says \"{}\"",
                r.variable,
                r.t.text,
                if significant { "above" } else { "not above" },
                fmt_number(c),
                r.result
            )),
            Some(_) => {}
            None => unknown.push(r.variable.clone()),
        }
    }
    let min_t = p
        .rows
        .iter()
        .map(|r| r.t.value.abs())
        .fold(f64::INFINITY, f64::min);
    let f = Finding::new(
        "paths-t-rule",
        &p.source,
        format!("t-values against the rule |t| > {}", fmt_number(c)),
    )
    .published(
        p.rows
            .iter()
            .map(|r| r.t.text.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    )
    .recomputed(Recomputed::value(min_t))
    .method("a path is significant when |t| exceeds the stated critical value");
    let f = match crit {
        Some(cf) => f.uses(&cf.id),
        None => f,
    };
    if !wrong.is_empty() {
        f.holds(false).explanation(format!("{}.", wrong.join("; ")))
    } else if !unknown.is_empty() {
        f.status(Status::Unverifiable).explanation(format!(
            "The verdicts of {} are not worded as confirmed or rejected.",
            unknown.join(", ")
        ))
    } else {
        f.holds(true).explanation(format!(
            "The smallest t is {}, above {}: every path the table confirms is significant by the stated rule.",
            fmt_number(min_t),
            fmt_number(c)
        ))
    }
}

/// "Since the coefficients were above 0.3, all the relationships were
/// significant": significance depends on t = β/SE, not on β's size.
pub(super) fn coefficient_rule(p: &PublishedPaths, rule: &TextFigure) -> Finding {
    let min_beta = p
        .rows
        .iter()
        .map(|r| r.beta.value.abs())
        .fold(f64::INFINITY, f64::min);
    let premise = min_beta > rule.value.value;
    Finding::new("paths-coefficient-rule", &rule.source, "significance inferred from the size of coefficients")
        .published(format!("coefficients {} {}", rule.comparison.as_deref().unwrap_or("above"), rule.value.text))
        .recomputed(Recomputed::value(min_beta))
        .holds(false)
        .method("significance is a property of t = β/SE (and N), not of |β|")
        .explanation(format!(
            "\"{}\" The size of a coefficient does not establish its significance: with a small sample or a large \
             standard error a coefficient of .5 can be non-significant, and with N in the hundreds a coefficient of \
             .1 can be significant. The smallest printed |β| is {}, {} {}; the conclusion that every path is \
             significant rests on the t-values instead (see paths-t-rule), not on this reason.",
            rule.quote,
            fmt_number(min_beta),
            if premise { "so the premise holds, but" } else { "so not even the premise holds, and" },
            "the inference does not follow"
        ))
        .uses(&rule.id)
}

/// SE = β/t for each path, over the rounding intervals; against the
/// large-sample SE (1 − β²)/√N of a single standardized coefficient.
pub(super) fn implied_se(p: &PublishedPaths, claims: &Claims) -> Finding {
    let mut sign = Vec::new();
    let mut rows = Vec::new();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for r in &p.rows {
        if r.beta.value * r.t.value < 0.0 {
            sign.push(format!(
                "{} (β = {}, t = {})",
                r.variable, r.beta.text, r.t.text
            ));
            continue;
        }
        let (b0, b1) = (r.beta.interval().0.abs(), r.beta.interval().1.abs());
        let (t0, t1) = (r.t.interval().0.abs(), r.t.interval().1.abs());
        if t0 <= 0.0 {
            continue;
        }
        let (s0, s1) = (b0.min(b1) / t1.max(t0), b0.max(b1) / t0.min(t1));
        lo = lo.min(s0);
        hi = hi.max(s1);
        rows.push((r.variable.clone(), r.beta.value, r.beta.value / r.t.value));
    }
    let f = Finding::new(
        "paths-implied-se",
        &p.source,
        "standard errors implied by β and t",
    )
    .kind(Kind::Rounding)
    .published(
        p.rows
            .iter()
            .map(|r| format!("{}/{}", r.beta.text, r.t.text))
            .collect::<Vec<_>>()
            .join(", "),
    )
    .method("SE = β/t; sign(β) = sign(t); benchmark (1 − β²)/√N");
    if !sign.is_empty() {
        return f
            .recomputed(Recomputed::None)
            .holds(false)
            .explanation(format!(
            "t = β/SE with SE > 0, so a coefficient and its t-value have the same sign; {} do not.",
            sign.join(", ")
        ));
    }
    let mut e = format!(
        "Each t-value is β/SE, so the table implies standard errors from {:.4} to {:.4} (over the rounding of β and t).",
        lo, hi
    );
    if let Some((n, _)) = sample_size(claims) {
        let bench = |b: f64| (1.0 - b * b) / n.value.sqrt();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1));
        if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
            e.push_str(&format!(
                " A single standardized coefficient of the same size at N = {} would have SE ≈ (1 − β²)/√N: {:.4} for \
                 β = {} ({}) against the implied {:.4}, and {:.4} for β = {} ({}) against {:.4}.",
                n.text,
                bench(first.1),
                fmt_number(first.1),
                first.0,
                first.2,
                bench(last.1),
                fmt_number(last.1),
                last.0,
                last.2
            ));
        }
    }
    e.push_str(
        " The signs agree. Standard errors in a latent-variable model depend on loadings and on the other paths, \
         which the paper does not report, so their size cannot be confirmed or refuted from the paper.",
    );
    f.recomputed(Recomputed::interval(lo, hi))
        .status(Status::Unverifiable)
        .explanation(e)
}

// ---------------------------------------------------------------- normality

/// The result of simulating K-S tests on Likert items.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LikertSimulation {
    /// Respondents per simulated sample.
    pub n: usize,
    /// Response points (categories 1..points).
    pub points: usize,
    /// Shift of the latent normal mean (0 = symmetric answers; larger = more agreement).
    pub shift: f64,
    /// Number of simulated samples.
    pub replications: usize,
    /// Share of samples whose K-S p-value exceeds `alpha`.
    pub share_p_above_alpha: f64,
    /// Significance level the p-values are compared with.
    pub alpha: f64,
    /// Median D over the samples.
    pub median_d: f64,
    /// Largest p-value seen.
    pub max_p: f64,
}

/// Simulates `replications` samples of n answers on a `points`-point item:
/// a latent standard normal shifted by `shift`, cut at the equally spaced
/// thresholds −2 + 4j/points (j = 1..points−1); each sample is tested with
/// the K-S test against the normal fitted to it, with the asymptotic
/// Kolmogorov p-value (the most lenient version: the Lilliefors correction,
/// which SPSS's Explore uses, gives smaller p-values). Seeded: the same seed
/// gives the same result. `None` for n < 2, points < 2 or no replications.
pub fn simulate_likert_ks(
    n: usize,
    points: usize,
    shift: f64,
    replications: usize,
    alpha: f64,
    seed: u64,
) -> Option<LikertSimulation> {
    if n < 2 || points < 2 || replications == 0 || !shift.is_finite() {
        return None;
    }
    let thresholds: Vec<f64> = (1..points)
        .map(|j| -2.0 + 4.0 * j as f64 / points as f64)
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ds = Vec::with_capacity(replications);
    let mut above = 0usize;
    let mut max_p: f64 = 0.0;
    let mut sample = vec![0.0; n];
    for _ in 0..replications {
        for v in sample.iter_mut() {
            let z: f64 = rng.sample::<f64, _>(StandardNormal) + shift;
            *v = 1.0 + thresholds.iter().filter(|&&t| z > t).count() as f64;
        }
        // A sample with one answer only has no fitted normal: D = 1 in effect.
        let (d, p) = match crate::normality::ks_normal(&sample) {
            Ok(ks) => (ks.statistic, ks.pvalue_asymptotic),
            Err(_) => (1.0, 0.0),
        };
        if p > alpha {
            above += 1;
        }
        max_p = max_p.max(p);
        ds.push(d);
    }
    ds.sort_by(f64::total_cmp);
    let median_d = if replications % 2 == 1 {
        ds[replications / 2]
    } else {
        0.5 * (ds[replications / 2 - 1] + ds[replications / 2])
    };
    Some(LikertSimulation {
        n,
        points,
        shift,
        replications,
        share_p_above_alpha: above as f64 / replications as f64,
        alpha,
        median_d,
        max_p,
    })
}

/// Latent shifts simulated: symmetric answers, moderate and strong agreement.
pub const LIKERT_SHIFTS: [f64; 3] = [0.0, 0.5, 1.0];

fn ks_simulation(ks: &TextFigure, claims: &Claims, options: &AuditOptions) -> Finding {
    let alpha = ks.value.value;
    let f = Finding::new("ks-normality-simulation", &ks.source, "K-S p > α for every variable, at the study's N and scale")
        // The paper never states its scale: the verdict holds under the assumed one.
        .kind(Kind::AssumptionDependent)
        .published(format!("p {} {}", if ks.comparison.as_deref() == Some("above") { ">" } else { "=" }, ks.value.text))
        .method(format!(
            "seeded simulation (seed {}): {}-point items from a cut latent normal, K-S against the fitted normal, \
             asymptotic Kolmogorov p",
            options.seed, options.likert_points
        ))
        .uses(&ks.id);
    let Some((n, n_source)) = sample_size(claims) else {
        return f.explanation("The paper gives no sample size, which the simulation needs.");
    };
    if n.value < 2.0 || !(0.0..1.0).contains(&alpha) {
        return f.explanation(
            "The sample size or the significance level is outside what the simulation can use.",
        );
    }
    let sims: Vec<LikertSimulation> = LIKERT_SHIFTS
        .iter()
        .enumerate()
        .filter_map(|(i, &s)| {
            simulate_likert_ks(
                n.value as usize,
                options.likert_points,
                s,
                options.replications,
                alpha,
                options.seed.wrapping_add(i as u64),
            )
        })
        .collect();
    if sims.is_empty() {
        return f.explanation(
            "No simulation was run (no replications or fewer than two response points requested).",
        );
    }
    let best = sims
        .iter()
        .map(|s| s.share_p_above_alpha)
        .fold(0.0, f64::max);
    let d_crit = 1.3581 / n.value.sqrt();
    let scenarios: Vec<String> = sims
        .iter()
        .map(|s| {
            format!(
                "latent shift {}: median D = {:.3}, largest p = {:.2e}, p > {} in {} of {} samples",
                fmt_number(s.shift),
                s.median_d,
                s.max_p,
                ks.value.text,
                (s.share_p_above_alpha * s.replications as f64).round(),
                s.replications
            )
        })
        .collect();
    let status = if best < 0.01 {
        Status::Inconsistent
    } else if best >= 0.05 {
        Status::Consistent
    } else {
        Status::Unverifiable
    };
    let verdict = match status {
        Status::Inconsistent => format!(
            "A K-S p above {} for even one such item is implausible, let alone for all variables. Answers on a \
             {}-point scale take {} values, so their empirical distribution is a staircase that no normal curve \
             follows within D ≈ {:.3}, the largest distance K-S tolerates at N = {}; at this N the test detects \
             discreteness. If the variables were sums of many items they would be closer to continuous, but the paper \
             does not say so, and parametric methods do not need a non-significant K-S test in any case.",
            ks.value.text, options.likert_points, options.likert_points, d_crit, n.text
        ),
        Status::Consistent => format!("At this N and scale a K-S p above {} is common, so the claim is plausible.", ks.value.text),
        _ => format!("A K-S p above {} is rare at this N and scale but not negligible.", ks.value.text),
    };
    f.recomputed(Recomputed::value(best)).status(status).explanation(format!(
        "The paper does not state its response scale; {}-point items are assumed. Simulating {} samples of N = {} \
         ({}) per scenario: {}. {}",
        options.likert_points,
        options.replications,
        n.text,
        n_source,
        scenarios.join("; "),
        verdict
    ))
}

/// A significance level written with a per cent sign ("above 0.05 %"): 0.05 %
/// is 0.0005, a hundred times smaller than the level meant.
pub(super) fn percent_unit(fig: &TextFigure) -> Option<Finding> {
    let q = fig.quantity.to_lowercase();
    if !(q.contains("significance level") || q.contains("p-value") || q.contains("p value")) {
        return None;
    }
    let text = &fig.value.text;
    let with_percent =
        fig.quote.contains(&format!("{text} %")) || fig.quote.contains(&format!("{text}%"));
    // Only a level written with a per cent sign is a finding; a plain one passes silently.
    if !with_percent {
        return None;
    }
    Some(
        Finding::new(format!("unit-{}", slug(&fig.id)), &fig.source, format!("unit of the {}", fig.quantity))
            // A slip in a printed figure's unit, not in the reasoning: medium, like a misprint.
            .kind(Kind::Rounding)
            .published(format!("{text} %"))
            .method("a probability written with % is divided by 100")
            .uses(&fig.id)
            .recomputed(Recomputed::value(fig.value.value / 100.0))
            .holds(false)
            .explanation(format!(
                "\"{}\" A significance level of {text} % is {}, not {text}: the per cent sign makes the stated \
                 threshold a hundred times smaller than the conventional {text} meant.",
                fig.quote,
                fmt_number(fig.value.value / 100.0)
            )),
    )
}

/// The collinearity statement: a bound on the correlations against the stated
/// threshold of high collinearity.
pub(super) fn collinearity(claims: &Claims) -> Option<Finding> {
    let max = claims.figure("max_correlation")?;
    let threshold = claims.figure("collinearity_threshold");
    let f = Finding::new(
        "collinearity",
        &max.source,
        "correlations below the collinearity threshold",
    )
    .published(format!(
        "all r {} {}",
        if max.comparison.as_deref() == Some("below") {
            "<"
        } else {
            "≤"
        },
        max.value.text
    ))
    .recomputed(Recomputed::value(max.value.value))
    .method("stated bound ≤ stated threshold; pairwise r cannot reveal multicollinearity (VIF)")
    .uses(&max.id);
    let Some(t) = threshold else {
        return Some(f.explanation(
            "The correlations are not published, and pairwise correlations below a bound do not rule out \
             multicollinearity among three or more variables (variance inflation factors do).",
        ));
    };
    let f = f.uses(&t.id);
    if max.value.value > t.value.value + EPS {
        return Some(f.holds(false).explanation(format!(
            "The paper calls correlations above {} high collinearity but only states that all are below {}, which \
             allows correlations between {} and {}: the stated bound does not support \"no collinearity\".",
            t.value.text, max.value.text, t.value.text, max.value.text
        )));
    }
    Some(f.status(Status::Unverifiable).explanation(format!(
        "The paper defines high collinearity as r above {} and reports all correlations below {}; the bound is \
         stricter than the threshold, so the two sentences agree, although they use different cut-offs. The \
         correlation matrix is not published, so the bound cannot be checked, and pairwise correlations below a \
         bound do not rule out multicollinearity among three or more variables (variance inflation factors or \
         tolerance would).",
        t.value.text, max.value.text
    )))
}

/// An omnibus Friedman test says the conditions do not all have the same
/// distribution; it does not make a particular order "significant" (that needs
/// post-hoc pairwise comparisons), and p < .01 is a significance level, not a
/// confidence level.
pub(super) fn friedman_inference(
    p: &TextFigure,
    table: Option<&crate::claims::PublishedFriedman>,
) -> Option<Finding> {
    let q = p.quote.to_lowercase();
    let claims_order = q.contains("ranking") && q.contains("significant");
    let confidence = q.contains("confidence");
    let f = Finding::new(
        "friedman-ranking-inference",
        &p.source,
        "what a significant Friedman test shows",
    )
    .published(format!("p < {}", p.value.text))
    .method("an omnibus test rejects equal distributions; orders need post-hoc pairwise tests")
    .uses(&p.id);
    if !claims_order {
        return Some(f.holds(true).explanation(format!(
            "\"{}\" The statement does not go beyond what the omnibus test shows.",
            p.quote
        )));
    }
    Some(f.holds(false).explanation(format!(
        "\"{}\" A significant Friedman test shows only that the {} do not all have the same distribution of ranks; \
         it does not establish the order of the factors, which would need post-hoc pairwise comparisons (e.g. \
         Nemenyi or Conover) that the paper does not report{}.{}",
        p.quote,
        "conditions",
        closest_pair(table).map_or(String::new(), |(a, b)| format!(
            "; the closest mean ranks, {a} and {b}, could hardly be told apart"
        )),
        if confidence {
            " \"Significant at the 99 % confidence level\" also mixes a significance level (α = .01) with a confidence \
             level, which belongs to intervals."
        } else {
            ""
        }
    )))
}

/// The two closest mean ranks of a Friedman table, as printed.
fn closest_pair(table: Option<&crate::claims::PublishedFriedman>) -> Option<(String, String)> {
    let mut rows: Vec<&crate::claims::MeanRankRow> = table?.rows.iter().collect();
    rows.sort_by(|a, b| a.mean_rank.value.total_cmp(&b.mean_rank.value));
    rows.windows(2)
        .min_by(|a, b| {
            (a[1].mean_rank.value - a[0].mean_rank.value)
                .total_cmp(&(b[1].mean_rank.value - b[0].mean_rank.value))
        })
        .map(|w| (w[0].mean_rank.text.clone(), w[1].mean_rank.text.clone()))
}

#[cfg(test)]
mod tests {
    use super::super::claims_with;
    use super::*;

    fn fig(id: &str, quantity: &str, value: &str, cmp: Option<&str>, quote: &str) -> TextFigure {
        let c = cmp.map_or(String::new(), |c| format!(r#","comparison":"{c}""#));
        let claims = claims_with(&format!(
            r#""figures":[{{"id":"{id}","quantity":"{quantity}","value":"{value}"{c},"source":"Results","quote":"{quote}"}}]"#
        ));
        claims.figures[0].clone()
    }

    fn paths(rows: &[(&str, &str, &str)]) -> PublishedPaths {
        let r: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, (b, t, res))| {
                format!(r#"{{"hypothesis":{},"variable":"V{i}","beta":"{b}","t":"{t}","rank":{},"result":"{res}"}}"#, i + 1, i + 1)
            })
            .collect();
        claims_with(&format!(
            r#""paths":{{"source":"Table 4","outcome":"Y","rows":[{}]}}"#,
            r.join(",")
        ))
        .paths
        .unwrap()
    }

    #[test]
    fn t_rule_both_ways() {
        let crit = fig(
            "t_critical",
            "critical t",
            "1.96",
            None,
            "at the 0.05 error level",
        );
        let ok = paths(&[(".51", "14.23", "Confirmed"), (".10", "1.20", "Rejected")]);
        assert_eq!(t_rule(&ok, Some(&crit)).status, Status::Consistent);
        let bad = paths(&[(".51", "14.23", "Confirmed"), (".10", "1.20", "Confirmed")]);
        let f = t_rule(&bad, Some(&crit));
        assert_eq!(f.status, Status::Inconsistent);
        assert_eq!(f.recomputed, Recomputed::Value(1.2));
    }

    #[test]
    fn critical_value_against_the_normal_quantile() {
        assert!((alpha_in("at the 0.05 error level") - 0.05).abs() < 1e-12);
        let f = t_critical(&fig(
            "t_critical",
            "critical t",
            "1.96",
            None,
            "at the 0.05 error level",
        ));
        assert_eq!(f.status, Status::Consistent);
        let f = t_critical(&fig(
            "t_critical",
            "critical t",
            "1.65",
            None,
            "at the 0.05 error level",
        ));
        assert_eq!(f.status, Status::Inconsistent);
        assert!(f.explanation.contains("one-sided"), "{}", f.explanation);
    }

    #[test]
    fn coefficient_size_is_never_evidence_of_significance() {
        let rule = fig(
            "path_significance_rule",
            "coefficient threshold",
            "0.3",
            Some("above"),
            "Since the coefficients were above 0.3",
        );
        let p = paths(&[(".51", "14.23", "Confirmed"), (".32", "4.27", "Confirmed")]);
        let f = coefficient_rule(&p, &rule);
        assert_eq!(f.status, Status::Inconsistent);
        assert!(f.explanation.contains("premise holds"));
        // Without such a rule in the claims, no finding is made (the check passes).
        let c = claims_with(r#""paths":{"source":"Table 4","outcome":"Y","rows":[]}"#);
        assert!(check(&c, &AuditOptions::default())
            .iter()
            .all(|f| f.id != "paths-coefficient-rule"));
    }

    #[test]
    fn implied_se_flags_sign_mismatch_only() {
        let c = claims_with("");
        let p = paths(&[(".51", "14.23", "Confirmed"), (".32", "4.27", "Confirmed")]);
        let f = implied_se(&p, &c);
        assert_eq!(f.status, Status::Unverifiable);
        match f.recomputed {
            Recomputed::Interval { lower, upper } => {
                assert!((lower - 0.505 / 14.235).abs() < 1e-12);
                assert!((upper - 0.325 / 4.265).abs() < 1e-12);
            }
            r => panic!("{r:?}"),
        }
        let p = paths(&[("-.51", "14.23", "Confirmed")]);
        assert_eq!(implied_se(&p, &c).status, Status::Inconsistent);
    }

    #[test]
    fn simulation_is_seeded_and_separates_large_from_small_samples() {
        let a = simulate_likert_ks(385, 5, 0.5, 200, 0.05, 7).unwrap();
        let b = simulate_likert_ks(385, 5, 0.5, 200, 0.05, 7).unwrap();
        assert_eq!(a, b);
        assert!(a.share_p_above_alpha < 0.01, "{a:?}");
        let small = simulate_likert_ks(20, 5, 0.0, 200, 0.05, 7).unwrap();
        assert!(small.share_p_above_alpha > 0.5, "{small:?}");
        assert!(simulate_likert_ks(385, 1, 0.0, 10, 0.05, 7).is_none());
    }

    fn ks_claims(n: &str) -> Claims {
        claims_with(&format!(
            r#""figures":[{{"id":"analysable","quantity":"n","value":"{n}","source":"Methods","quote":"q"}},
               {{"id":"ks_significance","quantity":"Kolmogorov-Smirnov significance level","value":"0.05","comparison":"above","source":"Results","quote":"above 0.05 %"}}]"#
        ))
    }

    #[test]
    fn ks_claim_is_implausible_at_385_and_plausible_at_20() {
        let opts = AuditOptions {
            replications: 200,
            ..AuditOptions::default()
        };
        let c = ks_claims("385");
        let f = ks_simulation(c.figure("ks_significance").unwrap(), &c, &opts);
        assert_eq!(f.status, Status::Inconsistent, "{}", f.explanation);
        let c = ks_claims("20");
        let f = ks_simulation(c.figure("ks_significance").unwrap(), &c, &opts);
        assert_eq!(f.status, Status::Consistent, "{}", f.explanation);
        let none = AuditOptions {
            replications: 0,
            ..opts
        };
        let f = ks_simulation(c.figure("ks_significance").unwrap(), &c, &none);
        assert_eq!(f.status, Status::Unverifiable);
    }

    #[test]
    fn percent_sign_on_a_significance_level_is_flagged() {
        let f = percent_unit(&fig(
            "ks",
            "Kolmogorov-Smirnov significance level",
            "0.05",
            Some("above"),
            "was above 0.05 %, indicating",
        ))
        .unwrap();
        assert_eq!(f.status, Status::Inconsistent);
        assert_eq!(f.recomputed, Recomputed::Value(0.0005));
        assert!(percent_unit(&fig(
            "ks",
            "Kolmogorov-Smirnov significance level",
            "0.05",
            Some("above"),
            "was above 0.05, indicating"
        ))
        .is_none());
        assert!(percent_unit(&fig("n", "experts", "11", None, "11 %")).is_none());
    }

    #[test]
    fn collinearity_bound_against_threshold() {
        let make = |bound: &str| {
            claims_with(&format!(
                r#""figures":[{{"id":"collinearity_threshold","quantity":"t","value":"0.9","source":"Results","quote":"q"}},
                   {{"id":"max_correlation","quantity":"m","value":"{bound}","comparison":"below","source":"Results","quote":"q"}}]"#
            ))
        };
        assert_eq!(
            collinearity(&make("0.8")).unwrap().status,
            Status::Unverifiable
        );
        assert_eq!(
            collinearity(&make("0.95")).unwrap().status,
            Status::Inconsistent
        );
    }

    #[test]
    fn friedman_inference_both_ways() {
        let bad = fig("friedman_p", "p", "0.01", Some("below"), "suggested that the ranking of the factors was significant at the 99 % confidence level");
        let table = claims_with(
            r#""friedman":{"source":"Table 5","rows":[{"dimension":"A","mean_rank":"2.44","rank":1},{"dimension":"B","mean_rank":"2.45","rank":2},{"dimension":"C","mean_rank":"1.10","rank":3}]}"#,
        );
        let f = friedman_inference(&bad, table.friedman.as_ref()).unwrap();
        assert!(f.explanation.contains("2.44 and 2.45"), "{}", f.explanation);
        assert_eq!(f.status, Status::Inconsistent);
        assert!(f.explanation.contains("confidence level"));
        let ok = fig(
            "friedman_p",
            "p",
            "0.01",
            Some("below"),
            "the factors' ratings differed (p < 0.01)",
        );
        assert_eq!(
            friedman_inference(&ok, None).unwrap().status,
            Status::Consistent
        );
    }
}
