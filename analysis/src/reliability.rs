//! Internal-consistency reliability: Cronbach's α with α-if-item-deleted,
//! item–total correlations and the standardized α.
//!
//! # Formulas (Cronbach 1951; as in R's `psych::alpha` and pingouin)
//! For k items with sample variances s²_i (divisor n − 1) and the sample
//! variance s²_T of the total score T = Σ items:
//! - α = k/(k − 1) · (1 − Σ s²_i / s²_T).
//! - α if item j is deleted: the same formula on the other k − 1 items
//!   (undefined, reported as `None`, when only one item would remain).
//! - Item–total correlation: Pearson's r of item j with T (psych `raw.r`).
//! - Corrected item–total correlation: Pearson's r of item j with the sum of
//!   the other items, T − item j (psych `r.drop`).
//! - Standardized α = k·r̄ / (1 + (k − 1)·r̄), r̄ the mean of the k(k − 1)/2
//!   inter-item Pearson correlations; it is α of the z-scored items
//!   (psych `std.alpha`).
//!
//! # Missing values
//! Listwise: a record with a missing value in any of the items is dropped
//! (`rows_dropped` counts them). [`cronbach_alpha_by_group`] does this per
//! group, so each group uses the records complete on its own items.
//!
//! # Unsuitable data
//! Fewer than 2 items, fewer than 2 complete records, a constant item (its
//! correlations are undefined), a constant total score (α undefined), or a
//! constant sum of the items other than one (its corrected item–total
//! correlation and α-if-deleted are undefined) are errors naming the items.

use crate::data::Dataset;
use crate::descriptive::{mean, sd, variance};
use crate::error::{AnalysisError, Location, Result};
use crate::render::{fmt_fixed, Render, Table};
use serde::Serialize;

/// Statistics of one item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStatistics {
    /// Item (column) name.
    pub name: String,
    /// Item mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1).
    pub sd: f64,
    /// Pearson's r of the item with the total score.
    pub item_total_r: f64,
    /// Pearson's r of the item with the sum of the other items.
    pub corrected_item_total_r: f64,
    /// α of the other items; `None` (JSON `null`) when k = 2.
    pub alpha_if_deleted: Option<f64>,
}

/// The result of [`cronbach_alpha`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityReport {
    /// Complete records used.
    pub n: usize,
    /// Number of items.
    pub k: usize,
    /// Cronbach's α from the covariances: k/(k − 1)·(1 − Σ item variances / total variance).
    pub alpha: f64,
    /// Standardized α from the mean inter-item correlation: k r̄ / (1 + (k − 1) r̄).
    pub standardized_alpha: f64,
    /// Mean inter-item correlation r̄.
    pub mean_inter_item_r: f64,
    /// Records dropped for a missing value in an item.
    pub rows_dropped: usize,
    /// Per-item statistics, in column order.
    pub items: Vec<ItemStatistics>,
}

/// α of one named group of items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReliability {
    /// The group's name.
    pub group: String,
    /// α and item statistics of the group's items.
    #[serde(flatten)]
    pub report: ReliabilityReport,
}

/// The result of [`cronbach_alpha_by_group`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityByGroup {
    /// One entry per group, in the order given.
    pub groups: Vec<GroupReliability>,
}

/// Cronbach's α of the `columns` of `data` (all columns if `None`), with
/// listwise deletion of records with a missing item.
///
/// ```
/// // tests/data/reliability/small.csv (R psych::alpha, tests/fixtures/reliability/small_psych.json):
/// // raw α = 0.851351351351351, standardized α = 0.853394418483256.
/// use analysis::{reliability::cronbach_alpha, Dataset};
/// let csv = "i1,i2,i3\n2,3,1\n4,4,5\n3,2,3\n5,5,4\n1,2,3\n";
/// let data = Dataset::from_csv_str("small.csv", csv).unwrap();
/// let r = cronbach_alpha(&data, None).unwrap();
/// assert!((r.alpha - 0.851_351_351_351_351).abs() < 1e-12);
/// assert!((r.standardized_alpha - 0.853_394_418_483_256).abs() < 1e-12);
/// // α if i1 is deleted (psych's alpha.drop): 0.655172413793103.
/// assert!((r.items[0].alpha_if_deleted.unwrap() - 0.655_172_413_793_103).abs() < 1e-12);
/// ```
pub fn cronbach_alpha(data: &Dataset, columns: Option<&[String]>) -> Result<ReliabilityReport> {
    let names = data.select(columns)?;
    let (rows, dropped) = data.complete_rows(&names)?;
    let mut report = alpha_of_rows(&names, &rows, &Location::source(&data.source))?;
    report.rows_dropped = dropped;
    Ok(report)
}

/// Cronbach's α for each named group of columns (e.g. the items of each
/// dimension of a questionnaire). Each group uses the records complete on
/// its own items; an error names the group it comes from.
///
/// ```
/// // Each group is α of its own items: the three items of small.csv together
/// // (0.851351351351351, R psych) and a pair (hand computation: for items i1 and
/// // i2, α = 2(1 − (2.5 + 1.7)/(2.5 + 1.7 + 2·1.75)) = 0.909090…).
/// use analysis::{reliability::cronbach_alpha_by_group, Dataset};
/// let csv = "i1,i2,i3\n2,3,1\n4,4,5\n3,2,3\n5,5,4\n1,2,3\n";
/// let data = Dataset::from_csv_str("small.csv", csv).unwrap();
/// let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
/// let groups = [("all".to_owned(), names(&["i1", "i2", "i3"])), ("pair".to_owned(), names(&["i1", "i2"]))];
/// let r = cronbach_alpha_by_group(&data, &groups).unwrap();
/// assert!((r.groups[0].report.alpha - 0.851_351_351_351_351).abs() < 1e-12);
/// assert!((r.groups[1].report.alpha - 2.0 * (1.0 - 4.2 / 7.7)).abs() < 1e-12);
/// ```
pub fn cronbach_alpha_by_group(
    data: &Dataset,
    groups: &[(String, Vec<String>)],
) -> Result<ReliabilityByGroup> {
    if groups.is_empty() {
        return Err(AnalysisError::invalid_argument(
            "groups",
            "an empty list",
            "at least one named group of items",
        ));
    }
    let groups = groups
        .iter()
        .map(|(group, items)| {
            let report = cronbach_alpha(data, Some(items)).map_err(|e| in_group(group, e))?;
            Ok(GroupReliability {
                group: group.clone(),
                report,
            })
        })
        .collect::<Result<_>>()?;
    Ok(ReliabilityByGroup { groups })
}

fn in_group(group: &str, e: AnalysisError) -> AnalysisError {
    match e {
        AnalysisError::Unsuitable { location, message } => AnalysisError::Unsuitable {
            location,
            message: format!("group \"{group}\": {message}"),
        },
        other => other,
    }
}

/// Cronbach's α of complete records: `rows[r][j]` is item `names[j]` of
/// record `r`. `location` names the source in error messages.
///
/// ```
/// // Hand computation (see `cronbach_alpha_by_group`): items i1, i2 of
/// // tests/data/reliability/small.csv have variances 2.5, 1.7 and a total variance
/// // of 7.7, so α = 2(1 − 4.2/7.7).
/// use analysis::{reliability::alpha_of_rows, Location};
/// let rows = [[2.0, 3.0], [4.0, 4.0], [3.0, 2.0], [5.0, 5.0], [1.0, 2.0]].map(|r| r.to_vec());
/// let names = ["i1".to_owned(), "i2".to_owned()];
/// let r = alpha_of_rows(&names, &rows, &Location::default()).unwrap();
/// assert!((r.alpha - 2.0 * (1.0 - 4.2 / 7.7)).abs() < 1e-12);
/// ```
pub fn alpha_of_rows(
    names: &[String],
    rows: &[Vec<f64>],
    location: &Location,
) -> Result<ReliabilityReport> {
    let k = names.len();
    if k < 2 {
        return Err(AnalysisError::unsuitable(
            location.clone(),
            format!(
                "Cronbach's alpha needs at least 2 items, found {k}{}",
                names
                    .first()
                    .map_or(String::new(), |n| format!(" (\"{n}\")"))
            ),
        ));
    }
    let n = rows.len();
    if n < 2 {
        return Err(AnalysisError::unsuitable(
            location.clone(),
            format!("Cronbach's alpha needs at least 2 records with every item present, found {n}"),
        ));
    }
    if let Some(row) = rows.iter().find(|r| r.len() != k) {
        return Err(AnalysisError::invalid_argument(
            "record length",
            row.len(),
            &format!("{k} values, one per item"),
        ));
    }
    if rows.iter().flatten().any(|v| !v.is_finite()) {
        return Err(AnalysisError::invalid_argument(
            "item value",
            "a non-finite number",
            "finite numbers",
        ));
    }
    let items: Vec<Vec<f64>> = (0..k)
        .map(|j| rows.iter().map(|r| r[j]).collect())
        .collect();
    for (j, item) in items.iter().enumerate() {
        if item.iter().all(|v| *v == item[0]) {
            return Err(AnalysisError::unsuitable(
                location.clone().with_column(&names[j]),
                format!(
                    "the item is constant (every one of the {n} complete records has {}), so its correlations are undefined; leave it out",
                    item[0]
                ),
            ));
        }
    }
    let total: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
    let quoted = |v: &[&String]| {
        v.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if total.iter().all(|v| *v == total[0]) {
        return Err(AnalysisError::unsuitable(
            location.clone(),
            format!(
                "the total score of {} is the same ({}) in every record: zero total variance, so alpha is undefined",
                quoted(&names.iter().collect::<Vec<_>>()),
                total[0]
            ),
        ));
    }

    // The closed forms need only variances and correlations; `variance`
    // cannot fail here because n ≥ 2.
    let var = |x: &[f64]| variance(x).unwrap_or(0.0);
    let item_var: Vec<f64> = items.iter().map(|x| var(x)).collect();
    let alpha = alpha_from_variances(k, item_var.iter().sum(), var(&total));

    let mut r_sum = 0.0;
    for i in 0..k {
        for j in i + 1..k {
            r_sum += pearson(&items[i], &items[j]);
        }
    }
    let mean_r = r_sum / (k * (k - 1) / 2) as f64;
    let denominator = 1.0 + (k - 1) as f64 * mean_r;
    if denominator.abs() < 1e-12 {
        return Err(AnalysisError::unsuitable(
            location.clone(),
            format!(
                "the mean inter-item correlation of {} is -1/(k-1), so the standardized items sum to a constant and standardized alpha is undefined",
                quoted(&names.iter().collect::<Vec<_>>())
            ),
        ));
    }
    let standardized_alpha = k as f64 * mean_r / denominator;

    let mut stats = Vec::with_capacity(k);
    for (j, item) in items.iter().enumerate() {
        let rest: Vec<f64> = total.iter().zip(item).map(|(t, x)| t - x).collect();
        if rest.iter().all(|v| *v == rest[0]) {
            let others: Vec<&String> = names.iter().filter(|n| *n != &names[j]).collect();
            return Err(AnalysisError::unsuitable(
                location.clone(),
                format!(
                    "the sum of {} is the same in every record, so the corrected item-total correlation of \"{}\" and alpha if it is deleted are undefined",
                    quoted(&others),
                    names[j]
                ),
            ));
        }
        let alpha_if_deleted = (k > 2).then(|| {
            alpha_from_variances(
                k - 1,
                item_var.iter().sum::<f64>() - item_var[j],
                var(&rest),
            )
        });
        stats.push(ItemStatistics {
            name: names[j].clone(),
            mean: mean(item).unwrap_or(0.0),
            sd: sd(item).unwrap_or(0.0),
            item_total_r: pearson(item, &total),
            corrected_item_total_r: pearson(item, &rest),
            alpha_if_deleted,
        });
    }
    Ok(ReliabilityReport {
        n,
        k,
        alpha,
        standardized_alpha,
        mean_inter_item_r: mean_r,
        rows_dropped: 0,
        items: stats,
    })
}

/// α = k/(k − 1) · (1 − Σ s²_i / s²_T); callers ensure k ≥ 2 and s²_T > 0.
fn alpha_from_variances(k: usize, sum_item_variances: f64, total_variance: f64) -> f64 {
    let k = k as f64;
    k / (k - 1.0) * (1.0 - sum_item_variances / total_variance)
}

/// Pearson's r of two non-constant samples (checked by the caller).
fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let mx = mean(x).unwrap_or(0.0);
    let my = mean(y).unwrap_or(0.0);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0)
}

fn summary_row(label: &str, r: &ReliabilityReport) -> Vec<String> {
    vec![
        label.to_owned(),
        r.k.to_string(),
        r.n.to_string(),
        fmt_fixed(r.alpha, 3),
        fmt_fixed(r.standardized_alpha, 3),
        fmt_fixed(r.mean_inter_item_r, 3),
    ]
}

impl Render for ReliabilityReport {
    fn tables(&self) -> Vec<Table> {
        let mut summary = Table::new(
            "Cronbach's alpha",
            &["", "k", "n", "alpha", "standardized alpha", "mean r"],
        );
        summary.row(summary_row("all items", self));
        summary.note(format!(
            "Listwise deletion: {} complete records, {} dropped. Standardized alpha = k·r̄/(1 + (k−1)·r̄).",
            self.n, self.rows_dropped
        ));
        let mut items = Table::new(
            "Item statistics",
            &[
                "item",
                "mean",
                "sd",
                "item-total r",
                "corrected item-total r",
                "alpha if deleted",
            ],
        );
        for it in &self.items {
            items.row(vec![
                it.name.clone(),
                fmt_fixed(it.mean, 3),
                fmt_fixed(it.sd, 3),
                fmt_fixed(it.item_total_r, 3),
                fmt_fixed(it.corrected_item_total_r, 3),
                it.alpha_if_deleted
                    .map_or_else(|| "—".to_owned(), |a| fmt_fixed(a, 3)),
            ]);
        }
        items.note("Corrected item-total r: the item against the sum of the other items.");
        if self.k == 2 {
            items.note("Alpha if deleted is undefined with 2 items (one item would remain).");
        }
        vec![summary, items]
    }
}

impl Render for ReliabilityByGroup {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            "Cronbach's alpha per group",
            &["group", "k", "n", "alpha", "standardized alpha", "mean r"],
        );
        for g in &self.groups {
            t.row(summary_row(&g.group, &g.report));
        }
        t.note("Each group uses the records complete on its own items (listwise).");
        vec![t]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(text: &str) -> Dataset {
        Dataset::from_csv_str("t.csv", text).unwrap()
    }

    #[test]
    fn identical_items_give_alpha_one() {
        let d = ds("a,b,c\n1,1,1\n2,2,2\n4,4,4\n3,3,3\n");
        let r = cronbach_alpha(&d, None).unwrap();
        assert!((r.alpha - 1.0).abs() < 1e-12);
        assert!((r.standardized_alpha - 1.0).abs() < 1e-12);
        assert!((r.items[0].corrected_item_total_r - 1.0).abs() < 1e-12);
    }

    #[test]
    fn zero_total_variance_is_an_error() {
        let d = ds("a,b\n1,5\n2,4\n3,3\n");
        let e = cronbach_alpha(&d, None).unwrap_err().to_string();
        assert!(e.contains("zero total variance"), "{e}");
    }

    #[test]
    fn constant_item_is_named() {
        let d = ds("a,b,c\n1,3,2\n2,3,1\n3,3,4\n");
        let e = cronbach_alpha(&d, None).unwrap_err().to_string();
        assert!(e.contains("column \"b\"") && e.contains("constant"), "{e}");
    }

    #[test]
    fn one_item_or_one_record_is_an_error() {
        let d = ds("a,b\n1,2\n");
        assert!(cronbach_alpha(&d, None).is_err());
        let d = ds("a,b\n1,2\n2,3\n");
        assert!(cronbach_alpha(&d, Some(&["a".to_owned()])).is_err());
    }

    #[test]
    fn two_items_have_no_alpha_if_deleted() {
        let d = ds("a,b\n1,2\n2,2\n3,4\n4,3\n");
        let r = cronbach_alpha(&d, None).unwrap();
        assert!(r.items.iter().all(|i| i.alpha_if_deleted.is_none()));
    }

    proptest::proptest! {
        /// On any Likert-like data: α ≤ 1, standardized α ≤ 1, correlations
        /// in [−1, 1], no NaN; the only failures are the documented ones.
        #[test]
        fn results_are_finite_and_bounded(
            rows in proptest::collection::vec(proptest::collection::vec(1i32..6, 4), 2..30),
        ) {
            let mut text = String::from("a,b,c,d\n");
            for r in &rows {
                text.push_str(&format!("{},{},{},{}\n", r[0], r[1], r[2], r[3]));
            }
            match cronbach_alpha(&ds(&text), None) {
                Ok(rep) => {
                    proptest::prop_assert!(rep.alpha.is_finite() && rep.alpha <= 1.0 + 1e-12);
                    proptest::prop_assert!(
                        rep.standardized_alpha.is_finite() && rep.standardized_alpha <= 1.0 + 1e-12
                    );
                    for it in &rep.items {
                        proptest::prop_assert!((-1.0..=1.0).contains(&it.item_total_r));
                        proptest::prop_assert!((-1.0..=1.0).contains(&it.corrected_item_total_r));
                        proptest::prop_assert!(it.alpha_if_deleted.is_some_and(f64::is_finite));
                    }
                }
                Err(e) => {
                    let m = e.to_string();
                    proptest::prop_assert!(
                        m.contains("constant") || m.contains("same") || m.contains("undefined"),
                        "{}", m
                    );
                }
            }
        }
    }

    #[test]
    fn group_errors_name_the_group() {
        let d = ds("a,b,c,d\n1,2,5,1\n2,3,5,2\n3,3,5,3\n");
        let groups = vec![
            ("ok".to_owned(), vec!["a".to_owned(), "b".to_owned()]),
            ("bad".to_owned(), vec!["c".to_owned(), "d".to_owned()]),
        ];
        let e = cronbach_alpha_by_group(&d, &groups)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("group \"bad\"") && e.contains("column \"c\""),
            "{e}"
        );
    }
}
