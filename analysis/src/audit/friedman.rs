//! Constraints that published Friedman mean ranks must satisfy, and the χ²
//! statistic they imply.
//!
//! With k conditions each respondent ranks 1..k, so every mean rank lies in
//! [1, k], they add up to k(k+1)/2, and — since the m conditions with the
//! smallest mean ranks received at best the ranks 1..m from every respondent —
//! the m smallest add up to at least m(m+1)/2 and the m largest to at most
//! m(2k − m + 1)/2 (a majorization constraint, as for tournament scores).
//!
//! The closed forms χ²_F(mean ranks) and W(χ²_F) are
//! [`crate::friedman::chi_square_from_mean_ranks`] and
//! [`crate::friedman::kendall_w_from_chi_square`].

use super::finding::{fmt_number, Finding, Kind, Recomputed, Status};
use super::sample_size;
use crate::claims::{Claims, PublishedFriedman};
use statrs::distribution::{ChiSquared, ContinuousCDF};

const EPS: f64 = 1e-9;

/// The computational form 12N/(k(k+1))·ΣR̄² − 3N(k+1).
fn computational_form(mean_ranks: &[f64], n: f64) -> f64 {
    let k = mean_ranks.len() as f64;
    12.0 * n / (k * (k + 1.0)) * mean_ranks.iter().map(|r| r * r).sum::<f64>() - 3.0 * n * (k + 1.0)
}

pub(super) fn check(claims: &Claims) -> Vec<Finding> {
    let Some(fr) = &claims.friedman else {
        return Vec::new();
    };
    if fr.rows.len() < 2 {
        return vec![
            Finding::new("friedman-mean-ranks", &fr.source, "Friedman mean ranks")
                .method("k ≥ 2 conditions")
                .explanation("A Friedman ranking needs at least two conditions."),
        ];
    }
    let sum_ok = sum_holds(fr);
    let mut out = vec![range(fr), sum(fr), partial_sums(fr)];
    if let Some(f) = chi_square(fr, claims, sum_ok) {
        out.push(f);
    }
    out
}

fn published_list(fr: &PublishedFriedman) -> String {
    fr.rows
        .iter()
        .map(|r| r.mean_rank.text.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn range(fr: &PublishedFriedman) -> Finding {
    let k = fr.rows.len() as f64;
    let outside: Vec<String> = fr
        .rows
        .iter()
        .filter(|r| {
            let (lo, hi) = r.mean_rank.interval();
            hi < 1.0 - EPS || lo > k + EPS
        })
        .map(|r| format!("{} ({})", r.dimension, r.mean_rank.text))
        .collect();
    let (min, max) = fr
        .rows
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
            (a.min(r.mean_rank.value), b.max(r.mean_rank.value))
        });
    Finding::new("friedman-mean-rank-range", &fr.source, format!("each mean rank in [1, {k}]"))
        .published(published_list(fr))
        .recomputed(Recomputed::interval(min, max))
        .holds(outside.is_empty())
        .method("1 ≤ R̄_j ≤ k")
        .explanation(if outside.is_empty() {
            format!(
                "With k = {k} conditions every mean rank must lie in [1, {k}]; the printed ones lie in [{}, {}].",
                fmt_number(min),
                fmt_number(max)
            )
        } else {
            format!(
                "With k = {k} conditions every mean rank must lie in [1, {k}]; {} do not.",
                outside.join(", ")
            )
        })
}

fn sum_interval(fr: &PublishedFriedman) -> (f64, f64) {
    fr.rows.iter().fold((0.0, 0.0), |(a, b), r| {
        let (lo, hi) = r.mean_rank.interval();
        (a + lo, b + hi)
    })
}

fn sum_holds(fr: &PublishedFriedman) -> bool {
    let k = fr.rows.len() as f64;
    let target = k * (k + 1.0) / 2.0;
    let (lo, hi) = sum_interval(fr);
    lo <= target + EPS && hi >= target - EPS
}

pub(super) fn sum(fr: &PublishedFriedman) -> Finding {
    let k = fr.rows.len();
    let kf = k as f64;
    let target = kf * (kf + 1.0) / 2.0;
    let (lo, hi) = sum_interval(fr);
    let printed: f64 = fr.rows.iter().map(|r| r.mean_rank.value).sum();
    let ok = sum_holds(fr);
    let explanation = if ok {
        format!(
            "Each respondent gives the ranks 1..{k}, which add up to {}, so the mean ranks must too; the printed \
             ones add up to {} (within rounding: [{}, {}]).",
            fmt_number(target),
            fmt_number(printed),
            fmt_number(lo),
            fmt_number(hi)
        )
    } else {
        // Which number of conditions would the sum fit? k(k+1)/2 = S.
        let k_real = ((1.0 + 8.0 * printed).sqrt() - 1.0) / 2.0;
        let fits: Vec<usize> = (1..=1000usize)
            .filter(|&m| {
                let t = (m * (m + 1)) as f64 / 2.0;
                t >= lo - EPS && t <= hi + EPS
            })
            .collect();
        let max = fr
            .rows
            .iter()
            .map(|r| r.mean_rank.value)
            .fold(f64::NEG_INFINITY, f64::max);
        let min = fr
            .rows
            .iter()
            .map(|r| r.mean_rank.value)
            .fold(f64::INFINITY, f64::min);
        let mut e = format!(
            "Each respondent gives the ranks 1..{k}, which add up to {}, so {k} mean ranks must add up to {} too. \
             The printed ones add up to {} ([{}, {}] within rounding), {:.0} % of that. ",
            fmt_number(target),
            fmt_number(target),
            fmt_number(printed),
            fmt_number(lo),
            fmt_number(hi),
            100.0 * printed / target
        );
        e.push_str(&match fits.as_slice() {
            [] => format!(
                "k(k+1)/2 = {} would need k = {:.2}, not a whole number, so they are not the mean ranks of any \
                 number of conditions either.",
                fmt_number(printed),
                k_real
            ),
            [m, ..] => format!("The sum would fit k = {m} conditions, not the {k} listed."),
        });
        if max <= 5.0 && min >= 1.0 && k > 5 {
            e.push_str(&format!(
                " All lie between {} and {}, as means of answers on a 1–5 scale would: the column may hold mean \
                 ratings, not Friedman mean ranks.",
                fmt_number(min),
                fmt_number(max)
            ));
        }
        e
    };
    Finding::new(
        "friedman-mean-rank-sum",
        &fr.source,
        format!("sum of mean ranks = k(k+1)/2 = {}", fmt_number(target)),
    )
    .published(published_list(fr))
    .recomputed(Recomputed::interval(lo, hi))
    .holds(ok)
    .method("Σ R̄_j = k(k+1)/2 over the rounding intervals")
    .explanation(explanation)
}

/// The m smallest mean ranks add up to at least 1 + … + m, the m largest to
/// at most k + … + (k − m + 1), for every m.
pub(super) fn partial_sums(fr: &PublishedFriedman) -> Finding {
    let k = fr.rows.len();
    let mut rows: Vec<&crate::claims::MeanRankRow> = fr.rows.iter().collect();
    rows.sort_by(|a, b| a.mean_rank.value.total_cmp(&b.mean_rank.value));
    let mut violation: Option<(String, f64, f64)> = None;
    let (mut low_sum, mut high_sum) = (0.0, 0.0);
    for m in 1..k {
        low_sum += rows[m - 1].mean_rank.interval().1;
        high_sum += rows[k - m].mean_rank.interval().0;
        let need_low = (m * (m + 1)) as f64 / 2.0;
        let need_high = (m * (2 * k - m + 1)) as f64 / 2.0;
        if low_sum < need_low - EPS {
            let names: Vec<&str> = rows[..m]
                .iter()
                .map(|r| r.mean_rank.text.as_str())
                .collect();
            violation = Some((
                format!(
                    "the {m} smallest mean ranks ({}) add up to at most {}, but {m} conditions take at least the ranks \
                     1..{m} from every respondent, which add up to {}",
                    names.join(" + "),
                    fmt_number(low_sum),
                    fmt_number(need_low)
                ),
                low_sum,
                need_low,
            ));
            break;
        }
        if high_sum > need_high + EPS {
            let names: Vec<&str> = rows[k - m..]
                .iter()
                .map(|r| r.mean_rank.text.as_str())
                .collect();
            violation = Some((
                format!(
                    "the {m} largest mean ranks ({}) add up to at least {}, more than the {} that the ranks \
                     {k}..{} allow",
                    names.join(" + "),
                    fmt_number(high_sum),
                    fmt_number(need_high),
                    k - m + 1
                ),
                high_sum,
                need_high,
            ));
            break;
        }
    }
    let f = Finding::new(
        "friedman-mean-rank-partial-sums",
        &fr.source,
        "partial sums of the ordered mean ranks",
    )
    .published(published_list(fr))
    .method("Σ of the m smallest ≥ m(m+1)/2 and Σ of the m largest ≤ m(2k−m+1)/2, for m = 1..k−1");
    match violation {
        Some((text, got, _)) => f.recomputed(Recomputed::value(got)).holds(false).explanation(format!(
            "Sorted, {text}. No set of rankings can produce these mean ranks."
        )),
        None => f.holds(true).explanation(format!(
            "For every m = 1..{}, the m smallest mean ranks add up to at least m(m+1)/2 and the m largest to at \
             most m(2k−m+1)/2, as rankings of {k} conditions require.",
            k - 1
        )),
    }
}

/// The χ²_F the mean ranks imply at the study's N, against the printed
/// significance.
fn chi_square(fr: &PublishedFriedman, claims: &Claims, sum_ok: bool) -> Option<Finding> {
    let k = fr.rows.len();
    let kf = k as f64;
    let (n, n_source) = sample_size(claims)?;
    let n = n.value;
    let c = (kf + 1.0) / 2.0;
    // The deviation form is separable, so its range over the rounding box is
    // the sum of each term's range.
    let (mut lo, mut hi) = (0.0, 0.0);
    for r in &fr.rows {
        let (a, b) = r.mean_rank.interval();
        let sq = |x: f64| (x - c) * (x - c);
        hi += sq(a).max(sq(b));
        lo += if a <= c && c <= b {
            0.0
        } else {
            sq(a).min(sq(b))
        };
    }
    let scale = 12.0 * n / (kf * (kf + 1.0));
    let (chi_lo, chi_hi) = (scale * lo, scale * hi);
    let values: Vec<f64> = fr.rows.iter().map(|r| r.mean_rank.value).collect();
    if !(n >= 1.0 && n.fract() == 0.0) {
        return None;
    }
    let chi = crate::friedman::chi_square_from_mean_ranks(&values, n as usize);
    let comp = computational_form(&values, n);
    let w = crate::friedman::kendall_w_from_chi_square(chi, n as usize, k).ok()?;
    let max_chi = n * (kf - 1.0);
    let dist = ChiSquared::new(kf - 1.0).ok()?;
    let (p_lo, p_hi) = (dist.sf(chi_hi), dist.sf(chi_lo));
    let claim = claims.figure("friedman_p");
    let mut f = Finding::new(
        "friedman-chi-square",
        &fr.source,
        format!(
            "Friedman χ² (df = {}) implied by the mean ranks, N = {}",
            k - 1,
            fmt_number(n)
        ),
    )
    .kind(Kind::Rounding)
    .published(claim.map_or("not printed".to_owned(), |p| {
        format!(
            "p {} {}",
            if p.comparison.as_deref() == Some("below") {
                "<"
            } else {
                "="
            },
            p.value.text
        )
    }))
    .recomputed(Recomputed::interval(chi_lo, chi_hi))
    .method("χ²_F = 12N/(k(k+1))·Σ(R̄_j − (k+1)/2)², p from χ² with k − 1 df; W = χ²_F/(N(k−1))");
    if let Some(p) = claim {
        f = f.uses(&p.id);
    }
    if !sum_ok {
        return Some(f.status(Status::Unverifiable).explanation(format!(
            "With N = {} ({n_source}) and k = {k}, the deviation form 12N/(k(k+1))·Σ(R̄ − {})² gives χ² = {:.1}, \
             while the algebraically equal form 12N/(k(k+1))·ΣR̄² − 3N(k+1) gives {:.1}: the two agree only when \
             the mean ranks add up to k(k+1)/2, which these do not. The first exceeds the largest possible value \
             N(k − 1) = {} (Kendall's W = {:.3} > 1), the second is negative; no χ² and hence no p-value follows \
             from these mean ranks, so the printed significance cannot be checked.",
            fmt_number(n),
            fmt_number(c),
            chi,
            comp,
            fmt_number(max_chi),
            w
        )));
    }
    let base = format!(
        "With N = {} ({n_source}) and k = {k}, the mean ranks give χ²_F in [{:.2}, {:.2}] (Kendall's W ≈ {:.3}), \
         p in [{:.3e}, {:.3e}].",
        fmt_number(n),
        chi_lo,
        chi_hi,
        w,
        p_lo,
        p_hi
    );
    if chi_lo > max_chi + EPS {
        return Some(f.holds(false).explanation(format!(
            "{base} That exceeds the largest possible χ²_F = N(k − 1) = {}: these mean ranks cannot come from {} \
             rankings.",
            fmt_number(max_chi),
            fmt_number(n)
        )));
    }
    Some(match claim {
        Some(p) => {
            let threshold = p.value.value;
            let below = p.comparison.as_deref() == Some("below");
            let (status, verdict) = if below {
                if p_hi < threshold {
                    (Status::Consistent, format!("so p < {} holds", p.value.text))
                } else if p_lo >= threshold {
                    (
                        Status::Inconsistent,
                        format!("so p < {} cannot hold", p.value.text),
                    )
                } else {
                    (
                        Status::Unverifiable,
                        "which straddles the printed bound".to_owned(),
                    )
                }
            } else {
                let (a, b) = p.value.interval();
                if a <= p_hi && b >= p_lo {
                    (
                        Status::Consistent,
                        format!("which allows p = {}", p.value.text),
                    )
                } else {
                    (
                        Status::Inconsistent,
                        format!("which excludes p = {}", p.value.text),
                    )
                }
            };
            f.status(status).explanation(format!(
                "{base} The paper prints p {} {}, {verdict}.",
                if below { "<" } else { "=" },
                p.value.text
            ))
        }
        None => f
            .status(Status::Unverifiable)
            .explanation(format!("{base} The paper prints no p-value to compare.")),
    })
}

#[cfg(test)]
mod tests {
    use super::super::claims_with;
    use super::*;

    fn friedman(ranks: &[&str], p: Option<&str>) -> Claims {
        let rows: Vec<String> = ranks
            .iter()
            .enumerate()
            .map(|(i, r)| {
                format!(
                    r#"{{"dimension":"D{i}","mean_rank":"{r}","rank":{}}}"#,
                    i + 1
                )
            })
            .collect();
        let pfig = p.map_or(String::new(), |p| {
            format!(r#",{{"id":"friedman_p","quantity":"p","value":"{p}","comparison":"below","source":"Results","quote":"q"}}"#)
        });
        claims_with(&format!(
            r#""friedman":{{"source":"Table 5","rows":[{}]}},"figures":[{{"id":"analysable","quantity":"n","value":"100","source":"Methods","quote":"q"}}{pfig}]"#,
            rows.join(",")
        ))
    }

    #[test]
    fn closed_forms() {
        // Perfect agreement with k = 3 (mean ranks 1, 2, 3): χ² = N(k − 1), W = 1.
        assert!((computational_form(&[1.0, 2.0, 3.0], 10.0) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn valid_mean_ranks_pass_every_constraint() {
        let c = friedman(&["3.10", "2.00", "0.90"], None);
        let f = check(&c);
        assert_eq!(f[0].status, Status::Inconsistent); // 0.90 < 1
        let c = friedman(&["2.60", "2.00", "1.40"], Some("0.01"));
        let f = check(&c);
        assert!(
            f[..3].iter().all(|f| f.status == Status::Consistent),
            "{f:#?}"
        );
        // χ² = 12·100/12·((1.1)² + 0 + (0.6)²)... = 100·(0.36+0+0.36) = 72 → p ≈ 2e-16 < .01.
        assert_eq!(f[3].status, Status::Consistent, "{}", f[3].explanation);
    }

    #[test]
    fn a_significance_the_mean_ranks_do_not_support_is_flagged() {
        // Nearly equal mean ranks: χ² = 100·(0.0025·2) = 0.5, p ≈ .78.
        let c = friedman(&["2.05", "2.00", "1.95"], Some("0.01"));
        let f = check(&c);
        assert_eq!(f[3].status, Status::Inconsistent, "{}", f[3].explanation);
    }

    #[test]
    fn sums_and_partial_sums_flag_impossible_mean_ranks() {
        let c = friedman(
            &[
                "4.14", "3.81", "1.89", "1.81", "1.66", "2.45", "1.47", "2.44", "3.28", "3.98",
            ],
            Some("0.01"),
        );
        let f = check(&c);
        assert_eq!(f[0].status, Status::Consistent);
        assert_eq!(f[1].status, Status::Inconsistent);
        match f[1].recomputed {
            Recomputed::Interval { lower, upper } => {
                assert!((lower - 26.88).abs() < 1e-9 && (upper - 26.98).abs() < 1e-9)
            }
            r => panic!("{r:?}"),
        }
        assert!(
            f[1].explanation.contains("k = 6.86"),
            "{}",
            f[1].explanation
        );
        assert_eq!(f[2].status, Status::Inconsistent);
        assert!(
            f[2].explanation.contains("3 smallest"),
            "{}",
            f[2].explanation
        );
        assert_eq!(f[3].status, Status::Unverifiable);
        // A sum that is right with a partial sum that is wrong: (1.2 + 1.3) < 3 for k = 4.
        let c = friedman(&["1.20", "1.30", "3.70", "3.80"], None);
        let f = check(&c);
        assert_eq!(f[1].status, Status::Consistent);
        assert_eq!(f[2].status, Status::Inconsistent, "{}", f[2].explanation);
    }
}
