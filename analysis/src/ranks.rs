//! Ranking with mid-ranks for ties, shared by Friedman, Spearman and Kendall's W.

/// 1-based ranks of `x`; tied values share the mean of the ranks they span
/// (mid-ranks, as R's `rank(ties.method = "average")` and SciPy's `rankdata`).
/// Values are compared with `total_cmp`; callers pass finite numbers.
///
/// ```
/// // Hand computation: the two 20s share ranks 2 and 3.
/// assert_eq!(analysis::ranks::midranks(&[30.0, 20.0, 10.0, 20.0]), [4.0, 2.5, 1.0, 2.5]);
/// ```
pub fn midranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && x[order[j]] == x[order[i]] {
            j += 1;
        }
        // Positions i..j (0-based) hold ranks i+1..=j; their mean is (i+1+j)/2.
        let r = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            ranks[k] = r;
        }
        i = j;
    }
    ranks
}

/// Sizes of the groups of tied values in `x` (groups of one included).
///
/// ```
/// // Hand computation: groups {10}, {20, 20}, {30}, in sorted order.
/// assert_eq!(analysis::ranks::tie_group_sizes(&[30.0, 20.0, 10.0, 20.0]), [1, 2, 1]);
/// ```
pub fn tie_group_sizes(x: &[f64]) -> Vec<usize> {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let mut sizes = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i + 1;
        while j < v.len() && v[j] == v[i] {
            j += 1;
        }
        sizes.push(j - i);
        i = j;
    }
    sizes
}

/// Σ (t³ − t) over tie groups: the tie term of the Friedman, Kendall and
/// Spearman corrections.
///
/// ```
/// // Hand computation: one pair (2³ − 2 = 6) and one triple (3³ − 3 = 24).
/// assert_eq!(analysis::ranks::tie_correction_term(&[1.0, 1.0, 2.0, 3.0, 3.0, 3.0]), 30.0);
/// ```
pub fn tie_correction_term(x: &[f64]) -> f64 {
    tie_group_sizes(x)
        .into_iter()
        .map(|t| (t * t * t - t) as f64)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midranks_match_r_rank_average() {
        // R: rank(c(3, 1, 4, 1, 5, 9, 2, 6, 5)) = 4 1.5 5 1.5 6.5 9 3 8 6.5
        let r = midranks(&[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0]);
        assert_eq!(r, vec![4.0, 1.5, 5.0, 1.5, 6.5, 9.0, 3.0, 8.0, 6.5]);
    }

    #[test]
    fn tie_term_counts_groups() {
        // groups of sizes 2, 1, 3: (8-2) + 0 + (27-3) = 30
        assert_eq!(tie_correction_term(&[1.0, 1.0, 2.0, 3.0, 3.0, 3.0]), 30.0);
        assert_eq!(tie_group_sizes(&[2.0, 1.0, 2.0]), vec![1, 2]);
    }
}
