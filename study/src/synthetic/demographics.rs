//! Respondents' characteristics with exactly the counts of Table 1.
//!
//! Each variable of Table 1 becomes one categorical column: its groups are
//! repeated as often as the table says and the column is shuffled by the
//! seed. The paper publishes only the margins, not the joint distribution, so
//! the variables are shuffled independently: any association between, say,
//! age and work experience in the synthetic data is chance, not a finding.

use analysis::claims::Demographics;
use analysis::error::{AnalysisError, Location, Result};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// One categorical column of the synthetic respondents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemographicColumn {
    /// Column name in the CSV (snake case of the table's variable name).
    pub column: String,
    /// The variable's name as printed in Table 1.
    pub variable: String,
    /// Groups in the order of the table, with the counts used.
    pub groups: Vec<(String, usize)>,
    /// One group label per respondent.
    pub values: Vec<String>,
}

/// Snake-case column name: "Marital status" → "marital_status".
pub fn column_name(label: &str) -> String {
    let mut out = String::new();
    for ch in label.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// Splits `n` in proportion to `counts` by the largest-remainder (Hamilton)
/// method; ties in the remainder go to the earlier group. When `n` equals the
/// counts' total the counts come back unchanged — the exact Table 1 case.
pub fn apportion(counts: &[usize], n: usize) -> Vec<usize> {
    let total: usize = counts.iter().sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut out: Vec<usize> = counts.iter().map(|&c| c * n / total).collect();
    let mut remainders: Vec<(usize, usize)> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| ((c * n) % total, i))
        .collect();
    // Largest remainder first; equal remainders keep table order.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let missing = n - out.iter().sum::<usize>();
    for &(_, i) in remainders.iter().take(missing) {
        out[i] += 1;
    }
    out
}

/// Builds the shuffled demographic columns for `n` respondents.
pub(crate) fn generate(
    table: &Demographics,
    n: usize,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<DemographicColumn>> {
    let mut columns = Vec::with_capacity(table.variables.len());
    for var in &table.variables {
        let mut counts = Vec::with_capacity(var.groups.len());
        for g in &var.groups {
            let f = g.frequency.value;
            if f < 0.0 || f.fract() != 0.0 {
                return Err(AnalysisError::input(
                    Location::source(&table.source).with_column(&var.name),
                    Some(&g.frequency.text),
                    format!("a whole count for group \"{}\"", g.group),
                ));
            }
            counts.push(f as usize);
        }
        let used = apportion(&counts, n);
        let mut values = Vec::with_capacity(n);
        for (g, &c) in var.groups.iter().zip(&used) {
            values.extend(std::iter::repeat_n(g.group.clone(), c));
        }
        values.shuffle(rng);
        columns.push(DemographicColumn {
            column: column_name(&var.name),
            variable: var.name.clone(),
            groups: var
                .groups
                .iter()
                .zip(&used)
                .map(|(g, &c)| (g.group.clone(), c))
                .collect(),
            values,
        });
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_keeps_exact_counts_and_scales_by_largest_remainder() {
        assert_eq!(apportion(&[64, 180, 99, 42], 385), vec![64, 180, 99, 42]);
        // 10 split 1:1:1 → 4,3,3 (tie goes to the first group).
        assert_eq!(apportion(&[1, 1, 1], 10), vec![4, 3, 3]);
        assert_eq!(apportion(&[188, 197], 770), vec![376, 394]);
        assert_eq!(apportion(&[0, 0], 5), vec![0, 0]);
    }

    #[test]
    fn column_names_are_snake_case() {
        assert_eq!(column_name("Marital status"), "marital_status");
        assert_eq!(
            column_name("Personnel literacy and experience"),
            "personnel_literacy_and_experience"
        );
        assert_eq!(column_name("Age"), "age");
    }
}
