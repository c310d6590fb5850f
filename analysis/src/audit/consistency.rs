//! Consistency across the paper: printed ranks against the values they rank,
//! ranks between tables, the abstract's order against the tables, and figures
//! repeated in the text against the tables.

use super::finding::{Finding, Recomputed, Status};
use super::{same_name, slug};
use crate::claims::{Claims, Reported};

const EPS: f64 = 1e-9;

pub(super) fn check(claims: &Claims) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(fr) = &claims.friedman {
        let items: Vec<Ranked> = fr
            .rows
            .iter()
            .map(|r| Ranked {
                name: &r.dimension,
                value: &r.mean_rank,
                printed_rank: r.rank,
            })
            .collect();
        out.push(rank_order(
            "table5-rank-order",
            &fr.source,
            "printed ranks against the mean ranks",
            "mean rank",
            &items,
        ));
    }
    if let Some(p) = &claims.paths {
        let items: Vec<Ranked> = p
            .rows
            .iter()
            .map(|r| Ranked {
                name: &r.variable,
                value: &r.beta,
                printed_rank: r.rank,
            })
            .collect();
        out.push(rank_order(
            "table4-rank-order",
            &p.source,
            "printed ranks against the path coefficients β",
            "β",
            &items,
        ));
    }
    if let (Some(p), Some(fr)) = (&claims.paths, &claims.friedman) {
        out.push(tables_agree(p, fr));
    }
    if let (Some(a), Some(fr)) = (&claims.abstract_ranking, &claims.friedman) {
        out.extend(abstract_order(a, fr));
    }
    out.extend(text_fit(claims));
    out
}

/// One ranked item: its name, the value it is ranked by, its printed rank.
pub(super) struct Ranked<'a> {
    pub name: &'a str,
    pub value: &'a Reported,
    pub printed_rank: u32,
}

/// True when `a` is certainly larger than `b` before rounding. Rounding to the
/// same decimals by one rule is monotone, so distinct printed values keep
/// their order; at different precisions the rounding intervals must not meet.
fn certainly_greater(a: &Reported, b: &Reported) -> bool {
    if a.decimals == b.decimals {
        a.value > b.value + EPS * a.value.abs().max(1.0)
    } else {
        a.interval().0 > b.interval().1 + EPS
    }
}

/// The ranks each item can take given the printed values (rank 1 = largest
/// when `descending`): [1 + #certainly above, k − #certainly below].
pub(super) fn possible_ranks(values: &[&Reported], descending: bool) -> Vec<(u32, u32)> {
    let k = values.len() as u32;
    (0..values.len())
        .map(|i| {
            let mut above = 0;
            let mut below = 0;
            for j in 0..values.len() {
                if i == j {
                    continue;
                }
                let (gt, lt) = (
                    certainly_greater(values[j], values[i]),
                    certainly_greater(values[i], values[j]),
                );
                let (a, b) = if descending { (gt, lt) } else { (lt, gt) };
                above += a as u32;
                below += b as u32;
            }
            (1 + above, k - below)
        })
        .collect()
}

/// Printed ranks must follow the values they rank.
pub(super) fn rank_order(
    id: &str,
    source: &str,
    quantity: &str,
    value_name: &str,
    items: &[Ranked],
) -> Finding {
    let values: Vec<&Reported> = items.iter().map(|i| i.value).collect();
    let misses = |desc: bool| -> Vec<usize> {
        let pr = possible_ranks(&values, desc);
        (0..items.len())
            .filter(|&i| items[i].printed_rank < pr[i].0 || items[i].printed_rank > pr[i].1)
            .collect()
    };
    let (desc_miss, asc_miss) = (misses(true), misses(false));
    let descending = desc_miss.len() <= asc_miss.len();
    let missed = if descending { desc_miss } else { asc_miss };
    let ranges = possible_ranks(&values, descending);
    let printed: Vec<String> = items
        .iter()
        .map(|i| format!("{} {} (#{})", i.name, i.value.text, i.printed_rank))
        .collect();
    let mut explanation = format!(
        "Rank 1 goes to the {} {value_name}; a printed value's rank is fixed unless it ties with another once rounded.",
        if descending { "largest" } else { "smallest" }
    );
    if missed.is_empty() {
        explanation.push_str(" Every printed rank follows the printed values.");
    } else {
        for &i in &missed {
            let it = &items[i];
            let (a, b) = ranges[i];
            let outranking: Vec<String> = (0..items.len())
                .filter(|&j| {
                    j != i && {
                        let above = if descending {
                            certainly_greater(values[j], values[i])
                        } else {
                            certainly_greater(values[i], values[j])
                        };
                        above && items[j].printed_rank > it.printed_rank
                    }
                })
                .map(|j| {
                    format!(
                        "{} ({}, ranked {})",
                        items[j].name, items[j].value.text, items[j].printed_rank
                    )
                })
                .collect();
            explanation.push_str(&format!(
                " {} ({} {}) is ranked {}, but by its {value_name} it is {}{}.",
                it.name,
                value_name,
                it.value.text,
                it.printed_rank,
                if a == b {
                    format!("{a}th")
                } else {
                    format!("{a}th to {b}th")
                },
                if outranking.is_empty() {
                    String::new()
                } else {
                    format!(", below {}", outranking.join(", "))
                }
            ));
        }
    }
    Finding::new(id, source, quantity)
        .published(printed.join("; "))
        .recomputed(Recomputed::value(missed.len() as f64))
        .holds(missed.is_empty())
        .method(format!("ranks implied by the printed {value_name} (ties at the printed precision allow either rank)"))
        .explanation(explanation.replace("1th", "1st").replace("2th", "2nd").replace("3th", "3rd").replace("11st", "11th").replace("12nd", "12th").replace("13rd", "13th"))
}

fn tables_agree(
    p: &crate::claims::PublishedPaths,
    fr: &crate::claims::PublishedFriedman,
) -> Finding {
    let mut differ = Vec::new();
    let mut unmatched = Vec::new();
    for row in &fr.rows {
        match p
            .rows
            .iter()
            .find(|r| same_name(&r.variable, &row.dimension))
        {
            Some(r) if r.rank != row.rank => differ.push(format!(
                "{}: {} ranks it {}, {} ranks it {}",
                row.dimension, p.source, r.rank, fr.source, row.rank
            )),
            Some(_) => {}
            None => unmatched.push(row.dimension.clone()),
        }
    }
    let published: Vec<String> = fr
        .rows
        .iter()
        .map(|r| format!("{} #{}", r.dimension, r.rank))
        .collect();
    let f = Finding::new(
        "table4-vs-table5-ranks",
        &fr.source,
        format!("ranks in {} against {}", fr.source, p.source),
    )
    .published(published.join("; "))
    .recomputed(Recomputed::value(differ.len() as f64))
    .method("same rank for the same dimension in both tables");
    if !unmatched.is_empty() {
        return f.status(Status::Unverifiable).explanation(format!(
            "{} does not list {}, so the two rankings cannot be compared.",
            p.source,
            unmatched.join(", ")
        ));
    }
    if differ.is_empty() {
        // Identical printed ranks from two different methods; Table 5's own
        // values may still order differently (see table5-rank-order).
        f.holds(true).explanation(format!(
            "The paper presents one ranking of the dimensions, by path coefficient in {} and by Friedman mean rank in {}; \
             the printed ranks agree for every dimension. Whether the ranks follow {}'s own mean ranks is a separate \
             finding (table5-rank-order).",
            p.source, fr.source, fr.source
        ))
    } else {
        f.holds(false).explanation(format!(
            "The paper presents one ranking of the dimensions, but {}.",
            differ.join("; ")
        ))
    }
}

/// The abstract's order against Table 5's printed ranks and against its mean ranks.
fn abstract_order(
    a: &crate::claims::StatedOrder,
    fr: &crate::claims::PublishedFriedman,
) -> Vec<Finding> {
    let rows: Vec<Option<&crate::claims::MeanRankRow>> = a
        .order
        .iter()
        .map(|name| fr.rows.iter().find(|r| same_name(&r.dimension, name)))
        .collect();
    let missing: Vec<&str> = a
        .order
        .iter()
        .zip(&rows)
        .filter(|(_, r)| r.is_none())
        .map(|(n, _)| n.as_str())
        .collect();
    let published = a
        .order
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}. {n}", i + 1))
        .collect::<Vec<_>>()
        .join("; ");
    let base = |id: &str, q: &str| Finding::new(id, &a.source, q).published(&published);
    if !missing.is_empty() || a.order.len() != fr.rows.len() {
        let why = format!(
            "The abstract's order names {} item(s) and {} lists {}; {} cannot be matched, so the orders cannot be compared.",
            a.order.len(),
            fr.source,
            fr.rows.len(),
            if missing.is_empty() { "not all".to_owned() } else { missing.join(", ") }
        );
        return vec![
            base(
                "abstract-vs-table5-ranks",
                "order in the abstract against the printed ranks",
            )
            .method("position = printed rank")
            .explanation(why.clone()),
            base(
                "abstract-vs-table5-mean-ranks",
                "order in the abstract against the mean ranks",
            )
            .method("position within the ranks the mean ranks allow")
            .explanation(why),
        ];
    }
    let rows: Vec<&crate::claims::MeanRankRow> = rows.into_iter().flatten().collect();
    // Printed ranks.
    let off: Vec<String> = rows
        .iter()
        .enumerate()
        .filter(|(i, r)| r.rank as usize != i + 1)
        .map(|(i, r)| {
            format!(
                "{} is {}th in the abstract but ranked {} in {}",
                r.dimension,
                i + 1,
                r.rank,
                fr.source
            )
        })
        .collect();
    let printed = base(
        "abstract-vs-table5-ranks",
        format!(
            "order in the abstract against the ranks printed in {}",
            fr.source
        )
        .as_str(),
    )
    .recomputed(Recomputed::value(off.len() as f64))
    .holds(off.is_empty())
    .method("position in the abstract = printed rank")
    .explanation(if off.is_empty() {
        format!(
            "The abstract lists the dimensions in the order of the ranks printed in {}.",
            fr.source
        )
    } else {
        format!("{}.", off.join("; "))
    });
    // Mean ranks (descending: the abstract lists the greatest impact first).
    let values: Vec<&Reported> = rows.iter().map(|r| &r.mean_rank).collect();
    let ranges = possible_ranks(&values, true);
    let off: Vec<String> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let pos = *i as u32 + 1;
            pos < ranges[*i].0 || pos > ranges[*i].1
        })
        .map(|(i, r)| {
            format!(
                "{} (mean rank {}) is {} in the abstract but {} by mean rank",
                r.dimension,
                r.mean_rank.text,
                ordinal(i as u32 + 1),
                if ranges[i].0 == ranges[i].1 {
                    ordinal(ranges[i].0)
                } else {
                    format!("{}–{}", ordinal(ranges[i].0), ordinal(ranges[i].1))
                }
            )
        })
        .collect();
    let by_mean = base("abstract-vs-table5-mean-ranks", format!("order in the abstract against the mean ranks of {}", fr.source).as_str())
        .recomputed(Recomputed::value(off.len() as f64))
        .holds(off.is_empty())
        .method("position in the abstract within the ranks the printed mean ranks allow (largest first)")
        .explanation(if off.is_empty() {
            format!("The abstract attributes its order to the Friedman test, and it follows the mean ranks of {}.", fr.source)
        } else {
            format!(
                "The abstract attributes its order to the Friedman test, but it does not follow the test's mean ranks in {}: {}.",
                fr.source,
                off.join("; ")
            )
        });
    vec![printed, by_mean]
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Fit indices repeated in the text (`text_<name>`) against the table.
fn text_fit(claims: &Claims) -> Vec<Finding> {
    let Some(fit) = &claims.fit else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for fig in &claims.figures {
        let Some(name) = fig.id.strip_prefix("text_") else {
            continue;
        };
        let Some(idx) = fit.indices.iter().find(|i| i.name == name) else {
            continue;
        };
        let (a, b) = fig.value.interval();
        let (c, d) = idx.value.interval();
        let ok = a <= d + EPS && c <= b + EPS;
        out.push(
            Finding::new(
                format!("fit-text-{}", slug(name)),
                &fig.source,
                format!("{} in the text against {}", idx.label, fit.source),
            )
            .published(&fig.value.text)
            .recomputed(Recomputed::value(idx.value.value))
            .holds(ok)
            .method("the same value at the printed precisions")
            .explanation(if ok {
                format!(
                    "The text's {} {} matches {}'s {}.",
                    idx.label, fig.value.text, fit.source, idx.value.text
                )
            } else {
                format!(
                    "The text gives {} = {} but {} prints {}: one of them is wrong.",
                    idx.label, fig.value.text, fit.source, idx.value.text
                )
            })
            .uses(&fig.id),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{claims_with, rep};
    use super::*;

    #[test]
    fn possible_ranks_respect_rounding_ties() {
        let v = [rep("2.45"), rep("2.44"), rep("2.44"), rep("2.50")];
        let refs: Vec<&Reported> = v.iter().collect();
        assert_eq!(
            possible_ranks(&refs, true),
            vec![(2, 2), (3, 4), (3, 4), (1, 1)]
        );
        // Different precisions: 2.4 may be anything in [2.35, 2.45] — it may exceed 2.44.
        let v = [rep("2.4"), rep("2.44")];
        let refs: Vec<&Reported> = v.iter().collect();
        assert_eq!(possible_ranks(&refs, true), vec![(1, 2), (1, 2)]);
    }

    fn ranked(values: &[&str], ranks: &[u32]) -> Finding {
        let reps: Vec<Reported> = values.iter().map(|v| rep(v)).collect();
        let names: Vec<String> = (0..values.len()).map(|i| format!("D{i}")).collect();
        let items: Vec<Ranked> = (0..values.len())
            .map(|i| Ranked {
                name: &names[i],
                value: &reps[i],
                printed_rank: ranks[i],
            })
            .collect();
        rank_order("x", "Table 5", "q", "mean rank", &items)
    }

    #[test]
    fn rank_order_both_ways() {
        let f = ranked(&["4.14", "2.45", "2.44", "1.47"], &[1, 2, 3, 4]);
        assert_eq!(f.status, Status::Consistent);
        let f = ranked(&["4.14", "2.45", "2.44", "1.47"], &[1, 3, 2, 4]);
        assert_eq!(f.status, Status::Inconsistent);
        assert_eq!(f.recomputed, Recomputed::Value(2.0));
        assert!(
            f.explanation
                .contains("D1 (mean rank 2.45) is ranked 3, but by its mean rank it is 2nd"),
            "{}",
            f.explanation
        );
        // Ascending rankings are recognised.
        assert_eq!(
            ranked(&["1.0", "2.0", "3.0"], &[1, 2, 3]).status,
            Status::Consistent
        );
        // Equal printed values may take either rank.
        assert_eq!(
            ranked(&["2.44", "2.44"], &[2, 1]).status,
            Status::Consistent
        );
    }

    fn paper_like(abstract_order: &str, t4_ranks: [u32; 3], t5: [(&str, u32); 3]) -> Claims {
        let names = ["A", "B", "C"];
        let t4: Vec<String> = (0..3)
            .map(|i| format!(r#"{{"hypothesis":{},"variable":"{}","beta":".{}","t":"5.0","rank":{},"result":"Confirmed"}}"#, i + 1, names[i], 5 - i, t4_ranks[i]))
            .collect();
        let t5: Vec<String> = (0..3)
            .map(|i| {
                format!(
                    r#"{{"dimension":"{}","mean_rank":"{}","rank":{}}}"#,
                    names[i], t5[i].0, t5[i].1
                )
            })
            .collect();
        claims_with(&format!(
            r#""abstract_ranking":{{"source":"Abstract","quote":"q","order":[{abstract_order}]}},
               "paths":{{"source":"Table 4","outcome":"Y","rows":[{}]}},
               "friedman":{{"source":"Table 5","rows":[{}]}}"#,
            t4.join(","),
            t5.join(",")
        ))
    }

    #[test]
    fn orders_across_tables_and_abstract_both_ways() {
        let good = paper_like(
            r#""A","B","C""#,
            [1, 2, 3],
            [("2.50", 1), ("2.00", 2), ("1.50", 3)],
        );
        let f = check(&good);
        assert!(f.iter().all(|f| f.status == Status::Consistent), "{f:#?}");
        // Table 5 prints B above A although its mean rank is lower; the abstract follows the printed ranks.
        let bad = paper_like(
            r#""B","A","C""#,
            [1, 2, 3],
            [("2.50", 2), ("2.00", 1), ("1.50", 3)],
        );
        let f = check(&bad);
        let status = |id: &str| f.iter().find(|x| x.id == id).unwrap().status;
        assert_eq!(status("table5-rank-order"), Status::Inconsistent);
        assert_eq!(status("table4-rank-order"), Status::Consistent);
        assert_eq!(status("table4-vs-table5-ranks"), Status::Inconsistent);
        assert_eq!(status("abstract-vs-table5-ranks"), Status::Consistent);
        assert_eq!(
            status("abstract-vs-table5-mean-ranks"),
            Status::Inconsistent
        );
        // An abstract naming something the table lacks cannot be compared.
        let odd = paper_like(
            r#""A","B","Z""#,
            [1, 2, 3],
            [("2.50", 1), ("2.00", 2), ("1.50", 3)],
        );
        let f = check(&odd);
        assert_eq!(
            f.iter()
                .find(|x| x.id == "abstract-vs-table5-ranks")
                .unwrap()
                .status,
            Status::Unverifiable
        );
    }

    #[test]
    fn text_fit_against_table_both_ways() {
        let c = |text: &str| {
            claims_with(&format!(
                r#""fit":{{"source":"Table 3","indices":[{{"name":"gfi","label":"GFI","value":".92"}}]}},
                   "figures":[{{"id":"text_gfi","quantity":"GFI","value":"{text}","source":"Results","quote":"q"}}]"#
            ))
        };
        assert_eq!(text_fit(&c("0.92"))[0].status, Status::Consistent);
        assert_eq!(text_fit(&c("0.921"))[0].status, Status::Consistent);
        assert_eq!(text_fit(&c("0.94"))[0].status, Status::Inconsistent);
    }
}
