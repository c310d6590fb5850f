//! p-values of the Lilliefors test for normality (KS with the mean and
//! standard deviation estimated from the sample), by table interpolation as
//! in statsmodels `lilliefors(x, dist='norm', pvalmethod='table')`, its default.
//!
//! The critical values are those statsmodels publishes in
//! `statsmodels/stats/_lilliefors_critical_values.py` (statsmodels 0.15,
//! BSD-3-Clause, © Josef Perktold, Jacob C. Kimmel and the statsmodels
//! developers), obtained from 10,000,000 simulations per sample size; they
//! refine Lilliefors (1967), JASA 62, 399–402, Table 1. They are data for
//! the method, not results: embedding them is the only way to reproduce
//! statsmodels' p-values, since a fresh simulation would differ in the third
//! digit. For n above the largest tabulated size (1600) statsmodels fits
//! ln cv_α = b_α + c₁ ln n + c₂ (ln n)²; its coefficients are embedded too.
//!
//! Method (statsmodels `TableDist.prob`):
//! 1. for n ≤ 1600, each percentile's critical value is interpolated
//!    linearly in n between the tabulated sizes; above 1600 the fit is used;
//! 2. the p-value is interpolated linearly in D between the critical values
//!    of that row (upper-tail probabilities 0.001, 0.003, 0.005, 0.01, 0.025,
//!    0.05, 0.075, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99);
//! 3. outside the tabulated range the p-value is reported at the bound:
//!    0.99 for a D below the 1st percentile, 0.001 above the 99.9th.
//!
//! The table starts at n = 4 (statsmodels refuses n < 4 for the normal case).
//! Dallal & Wilkinson's (1986) analytic approximation is used by statsmodels
//! only with `pvalmethod='approx'`; it is provided as [`dallal_wilkinson_pvalue`]
//! for comparison but not used by default.

/// Smallest sample size in the table.
pub const MIN_N: usize = 4;
/// Bounds to which p-values outside the table are clamped.
pub const P_MAX: f64 = 0.99;
/// Lower bound of the clamped p-values.
pub const P_MIN: f64 = 0.001;

/// Percentiles of the null distribution of D tabulated below (in %).
const PERCENTILES: [f64; 14] = [
    1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 92.5, 95.0, 97.5, 99.0, 99.5, 99.7, 99.9,
];
/// Sample sizes of the rows of [`CRITICAL_VALUES`].
const SIZES: [f64; 26] = [
    4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0,
    25.0, 30.0, 40.0, 50.0, 100.0, 200.0, 400.0, 800.0, 1600.0,
];
/// Critical values of D: row i is n = SIZES[i], column j the PERCENTILES[j] percentile.
const CRITICAL_VALUES: [[f64; 14]; 26] = [
    [
        0.14467854, 0.16876575, 0.18664724, 0.22120362, 0.25828924, 0.29341032, 0.34532673,
        0.35917374, 0.37521968, 0.39563998, 0.41307904, 0.42157653, 0.4261507, 0.43265213,
    ],
    [
        0.13587046, 0.16098893, 0.17638354, 0.20235666, 0.2333944, 0.27766941, 0.31900772,
        0.32936832, 0.34309223, 0.36727643, 0.39671728, 0.41322814, 0.42293504, 0.4386304,
    ],
    [
        0.12919635, 0.15139467, 0.16384021, 0.18597849, 0.2186713, 0.2585473, 0.29713753,
        0.30829444, 0.32338252, 0.3456671, 0.37038945, 0.38760943, 0.40001813, 0.42304439,
    ],
    [
        0.12263812, 0.14163065, 0.15238656, 0.17435948, 0.20617949, 0.24243592, 0.28031415,
        0.29068512, 0.3042307, 0.32532967, 0.35070348, 0.3678189, 0.37908881, 0.40078798,
    ],
    [
        0.11633728, 0.13297288, 0.14353311, 0.16537078, 0.19477376, 0.22936164, 0.2652001,
        0.27501697, 0.28804474, 0.30862157, 0.33279908, 0.34911188, 0.3603517, 0.38252055,
    ],
    [
        0.11029593, 0.126086, 0.1365291, 0.15748048, 0.18510669, 0.21822055, 0.25223085,
        0.26161129, 0.27415243, 0.29383667, 0.31708299, 0.33312043, 0.34406772, 0.36524182,
    ],
    [
        0.10487398, 0.12044377, 0.13065174, 0.15042835, 0.17679904, 0.20848607, 0.24098605,
        0.25001629, 0.26202351, 0.2809226, 0.30341763, 0.31888089, 0.32960742, 0.35061378,
    ],
    [
        0.10036835, 0.11563925, 0.12540948, 0.14421024, 0.1695621, 0.19993088, 0.23119563,
        0.23987246, 0.25142048, 0.26961902, 0.29148756, 0.30646087, 0.31678589, 0.33743951,
    ],
    [
        0.09649147, 0.11137479, 0.12069511, 0.13877133, 0.16313672, 0.19233706, 0.22244871,
        0.23082937, 0.24194831, 0.25959488, 0.28077229, 0.29526801, 0.30538827, 0.32558601,
    ],
    [
        0.09318309, 0.10753337, 0.11647389, 0.13389325, 0.15739248, 0.18555597, 0.21463087,
        0.22267463, 0.23346007, 0.25054975, 0.27100552, 0.28519234, 0.29504428, 0.31445229,
    ],
    [
        0.09024138, 0.1040431, 0.11266368, 0.12948657, 0.15221479, 0.17944478, 0.2075745,
        0.21536969, 0.22585144, 0.2423819, 0.26231339, 0.2760657, 0.28555592, 0.30466148,
    ],
    [
        0.08750578, 0.10085666, 0.1092263, 0.12552356, 0.14751778, 0.17390304, 0.2011939,
        0.20879449, 0.21891697, 0.23499116, 0.25427802, 0.26772298, 0.27706522, 0.29551017,
    ],
    [
        0.08501529, 0.09795236, 0.10607182, 0.1219047, 0.14327014, 0.16885124, 0.19537444,
        0.20274039, 0.21257643, 0.22822187, 0.24703504, 0.26003621, 0.26913735, 0.28745211,
    ],
    [
        0.0827393, 0.09529635, 0.10320903, 0.11859867, 0.13936135, 0.16422592, 0.1900207,
        0.19722541, 0.20683438, 0.22204864, 0.2402864, 0.25306469, 0.26200104, 0.2798316,
    ],
    [
        0.08063198, 0.09285546, 0.10055901, 0.11554003, 0.13575222, 0.15996707, 0.18509495,
        0.1921063, 0.20145911, 0.2163409, 0.23420221, 0.24665892, 0.25527246, 0.27285099,
    ],
    [
        0.0786934, 0.09059543, 0.09810264, 0.11271608, 0.1324079, 0.15602767, 0.18052002,
        0.18736281, 0.19652196, 0.21105313, 0.22854301, 0.24068403, 0.24912401, 0.26624557,
    ],
    [
        0.07686372, 0.08852309, 0.09582876, 0.11008398, 0.12930804, 0.15236687, 0.1762829,
        0.18297149, 0.19190794, 0.20610189, 0.22327259, 0.23513834, 0.24349604, 0.2602868,
    ],
    [
        0.06933943, 0.07985746, 0.08645091, 0.09927555, 0.11656692, 0.1373056, 0.15889286,
        0.16493761, 0.17300926, 0.18582499, 0.2013265, 0.21221932, 0.21979198, 0.2350391,
    ],
    [
        0.06380332, 0.07339662, 0.07942847, 0.09118039, 0.10701841, 0.12603791, 0.14586121,
        0.15138566, 0.15878307, 0.17058849, 0.18492078, 0.19492393, 0.20198353, 0.21612086,
    ],
    [
        0.055784, 0.06414642, 0.06940064, 0.07961554, 0.09339439, 0.10994266, 0.12719016,
        0.13202416, 0.13850018, 0.14877502, 0.16131916, 0.17009968, 0.17633078, 0.18870328,
    ],
    [
        0.05022994, 0.05773701, 0.06243507, 0.07160481, 0.08395875, 0.09882109, 0.11431303,
        0.11863768, 0.12444044, 0.1337458, 0.14504504, 0.15299605, 0.15854061, 0.16985345,
    ],
    [
        0.0361047, 0.04146075, 0.0448043, 0.05131964, 0.06011456, 0.07068396, 0.08173283,
        0.08483991, 0.08900091, 0.09564506, 0.10373761, 0.10937278, 0.11338394, 0.12161442,
    ],
    [
        0.02584151, 0.02963511, 0.03200533, 0.0366259, 0.04286406, 0.05036816, 0.05820564,
        0.06041126, 0.06336215, 0.06809025, 0.0738379, 0.07788879, 0.08074047, 0.08663425,
    ],
    [
        0.01844162, 0.02112065, 0.02280475, 0.02607295, 0.03049198, 0.03580284, 0.04135097,
        0.04290933, 0.04500619, 0.04834792, 0.0524239, 0.05530289, 0.05733374, 0.06145404,
    ],
    [
        0.0131231, 0.01501723, 0.01620598, 0.01852257, 0.02164634, 0.02540595, 0.02933599,
        0.03043873, 0.03192094, 0.03429131, 0.03718247, 0.03922491, 0.0406419, 0.04361741,
    ],
    [
        0.00932049, 0.01066126, 0.01150366, 0.01314135, 0.0153528, 0.0180115, 0.02079512,
        0.02157469, 0.02262168, 0.02429563, 0.02634302, 0.02777611, 0.02879721, 0.03088286,
    ],
];
/// Intercepts b_α of ln cv_α = b_α + c₁ ln n + c₂ (ln n)², one per percentile.
const ASYMPTOTIC_INTERCEPTS: [f64; 14] = [
    -1.17114969,
    -1.03298277,
    -0.95518114,
    -0.81912169,
    -0.6607348,
    -0.49861004,
    -0.35446139,
    -0.31737193,
    -0.26969888,
    -0.1979977,
    -0.11709649,
    -0.06398777,
    -0.0281863,
    0.04129756,
];
/// The shared slope coefficients c₁, c₂.
const ASYMPTOTIC_SLOPES: [f64; 2] = [-0.45068579, -0.00356741];

/// Critical values for sample size n (n ≥ 4), one per percentile.
fn critical_values(n: usize) -> [f64; 14] {
    let nf = n as f64;
    let last = SIZES[SIZES.len() - 1];
    let mut cv = [0.0; 14];
    if nf > last {
        let ln = nf.ln();
        for (c, b) in cv.iter_mut().zip(ASYMPTOTIC_INTERCEPTS) {
            *c = (b + ASYMPTOTIC_SLOPES[0] * ln + ASYMPTOTIC_SLOPES[1] * ln * ln).exp();
        }
        return cv;
    }
    // Row interval [SIZES[i], SIZES[i+1]] containing n.
    let i = SIZES
        .windows(2)
        .position(|w| nf >= w[0] && nf <= w[1])
        .unwrap_or(0);
    let (n0, n1) = (SIZES[i], SIZES[i + 1]);
    let t = (nf - n0) / (n1 - n0);
    for (j, c) in cv.iter_mut().enumerate() {
        let (a, b) = (CRITICAL_VALUES[i][j], CRITICAL_VALUES[i + 1][j]);
        *c = a + t * (b - a);
    }
    cv
}

/// The Lilliefors p-value of a KS statistic `d` from a sample of size `n`
/// (n ≥ 4; `None` below), by statsmodels' table method (module docs).
///
/// ```
/// // statsmodels' lilliefors(pvalmethod="table") on the n = 4 sample of
/// // tests/fixtures/normality/normal.json (variable n4): D = 0.20995933298044328,
/// // p = 0.798808441536223.
/// let p = analysis::normality::lilliefors::table_pvalue(0.209_959_332_980_443_28, 4).unwrap();
/// assert!((p - 0.798_808_441_536_223).abs() < 1e-9);
/// assert_eq!(analysis::normality::lilliefors::table_pvalue(0.2, 3), None);
/// ```
pub fn table_pvalue(d: f64, n: usize) -> Option<f64> {
    if n < MIN_N || !d.is_finite() {
        return None;
    }
    let cv = critical_values(n);
    // Upper-tail probability of each percentile column: 1 − percentile/100.
    let alpha: Vec<f64> = PERCENTILES.iter().map(|p| 1.0 - p / 100.0).collect();
    // alpha[0] = 0.99 (P_MAX) and alpha[13] = 1 − 0.999 ≈ 0.001 (P_MIN),
    // computed the same way as statsmodels so the bounds agree to the bit.
    if d < cv[0] {
        return Some(alpha[0]);
    }
    if d > cv[13] {
        return Some(alpha[13]);
    }
    let j = cv
        .windows(2)
        .position(|w| d >= w[0] && d <= w[1])
        .unwrap_or(12);
    let t = (d - cv[j]) / (cv[j + 1] - cv[j]);
    Some(alpha[j] + t * (alpha[j + 1] - alpha[j]))
}

/// Dallal & Wilkinson (1986) approximation to the Lilliefors p-value,
/// p = exp(−7.01256 D²(n + 2.78019) + 2.99587 D √(n + 2.78019) − 0.122119 +
/// 0.974598/√n + 1.67997/n), with D scaled by (n/100)^0.49 and n set to
/// 100 when n > 100. Valid only for p < 0.1 (statsmodels `pval_lf`).
pub fn dallal_wilkinson_pvalue(d: f64, n: usize) -> f64 {
    let (mut d, mut nf) = (d, n as f64);
    if nf > 100.0 {
        d *= (nf / 100.0).powf(0.49);
        nf = 100.0;
    }
    (-7.01256 * d * d * (nf + 2.78019) + 2.99587 * d * (nf + 2.78019).sqrt() - 0.122119
        + 0.974598 / nf.sqrt()
        + 1.67997 / nf)
        .exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabulated_rows_reproduce_their_percentiles() {
        // At a tabulated n and a tabulated critical value the p-value is
        // exactly that column's upper-tail probability.
        let row = CRITICAL_VALUES[6]; // n = 10
        assert_eq!(SIZES[6], 10.0);
        assert!((table_pvalue(row[8], 10).unwrap() - 0.05).abs() < 1e-12);
        assert!((table_pvalue(row[4], 10).unwrap() - 0.50).abs() < 1e-12);
        assert_eq!(table_pvalue(0.01, 10), Some(P_MAX));
        assert!((table_pvalue(0.9, 10).unwrap() - P_MIN).abs() < 1e-15);
        assert_eq!(table_pvalue(0.2, 3), None);
    }

    #[test]
    fn interpolates_between_sizes_and_uses_the_fit_beyond_1600() {
        // Halfway between n = 20 and 25 in size, the critical values are the mean of the rows.
        let cv = critical_values(22);
        let (a, b) = (CRITICAL_VALUES[16][8], CRITICAL_VALUES[17][8]);
        assert!((cv[8] - (a + 0.4 * (b - a))).abs() < 1e-15);
        // Beyond the table: exp(b + c1 ln n + c2 ln² n).
        let cv = critical_values(5000);
        let ln = 5000f64.ln();
        let expected =
            (ASYMPTOTIC_INTERCEPTS[8] + ASYMPTOTIC_SLOPES[0] * ln + ASYMPTOTIC_SLOPES[1] * ln * ln)
                .exp();
        assert!((cv[8] - expected).abs() < 1e-15);
    }
}
