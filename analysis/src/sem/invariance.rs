//! Measurement invariance across groups: the sequence semTools users run
//! by hand (Meredith 1993; Vandenberg & Lance 2000) — configural (the same
//! model in every group), metric (equal loadings), scalar (and equal
//! intercepts; latent means then free from the second group on) and strict
//! (and equal residual variances) — each fitted with [`super::groups`] and
//! tested against the previous one with lavaan's `lavTestLRT`
//! ([`super::compare`]: χ² difference for ML, Satorra–Bentler 2001 scaled
//! difference for MLM and MLR), beside the changes in CFI and RMSEA.
//!
//! Cut-offs for the changes (with N above 300 and equal group sizes, as in
//! their simulations): a drop in CFI of 0.01 or more signals
//! non-invariance (Cheung & Rensvold 2002, Structural Equation Modeling 9,
//! 233–255; Chen 2007, Structural Equation Modeling 14, 464–504), and Chen
//! (2007) adds a rise in RMSEA of 0.015 or more. The χ² difference is
//! sensitive to N; the index changes are the usual complement. Under a
//! robust estimator the changes are reported for the ML indices (on which
//! the cut-offs were derived) and for the robust ones
//! (Brosseau-Liard & Savalei 2014).
//!
//! **Ordered indicators** (WLSMV, DWLS, ULS; lavaan's delta
//! parameterization, [`super::groups_wls`]) follow the sequence of
//! semTools' `measurementInvarianceCat` (Svetina, Rutkowski & Rutkowski
//! 2020, Structural Equation Modeling 27, 111–130, with lavaan's
//! `group.equal`): configural (nothing equal: thresholds per group, scale
//! factors 1, latent means 0), metric (equal loadings) and scalar (equal
//! loadings and thresholds — lavaan's `c("thresholds", "loadings",
//! "intercepts")`: the latent responses' intercepts stay 0, which is what
//! equal intercepts mean for them, and the scale factors and latent means
//! are free from group 2 on). Wu & Estabrook (2016, Psychometrika 81,
//! 1014–1045) show that with ordered data the thresholds, not the
//! intercepts, carry scalar invariance and that loadings-only invariance
//! is testable with three or more categories, as here. There is no strict
//! level: in the delta parameterization the residual variances are not
//! parameters (semTools' `measEq.syntax` refuses `residuals` there: "cannot
//! be tested for invariance … when parameterization = \"delta\""), so
//! `models` ends at scalar. The differences are `lavTestLRT`'s: Satorra's
//! (2000) scaled-and-shifted difference for WLSMV (`satorra.2000`), the
//! plain difference for DWLS and ULS ([`super::compare`]).
//!
//! ```
//! use analysis::sem::groups::GroupedSample;
//! use analysis::sem::{invariance, ModelSpec, Options};
//! use analysis::Dataset;
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/sem/groups2.csv");
//! let data = Dataset::from_path(path)?;
//! let columns: Vec<String> = (1..=6).map(|i| format!("x{i}")).collect();
//! let sample = GroupedSample::from_dataset(&data, "grp", &columns)?;
//! let spec = ModelSpec::parse("f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6")?;
//! let result = invariance::test(&spec, &sample, &Options::default())?;
//! assert_eq!(result.models.len(), 4);
//! // The simulated data have a loading that differs: metric invariance fails.
//! let metric = &result.tests[0];
//! assert_eq!((metric.from.as_str(), metric.to.as_str()), ("configural", "metric"));
//! assert!(metric.pvalue < 0.001 && !metric.holds_by_cfi);
//! # Ok::<(), analysis::AnalysisError>(())
//! ```

use super::compare::{difference_test, ComparedModel};
use super::groups::{self, Constraint, GroupEqual, GroupedSample, MultiGroupFit};
use super::{ModelSpec, Options};
use crate::error::Result;
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

/// A drop in CFI at least this large signals non-invariance (Cheung &
/// Rensvold 2002; Chen 2007).
pub const DELTA_CFI_CUTOFF: f64 = -0.01;
/// A rise in RMSEA at least this large signals non-invariance (Chen 2007).
pub const DELTA_RMSEA_CUTOFF: f64 = 0.015;

/// The four levels, with what each holds equal across groups.
pub const LEVELS: [(&str, &[Constraint]); 4] = [
    ("configural", &[]),
    ("metric", &[Constraint::Loadings]),
    ("scalar", &[Constraint::Loadings, Constraint::Intercepts]),
    (
        "strict",
        &[
            Constraint::Loadings,
            Constraint::Intercepts,
            Constraint::Residuals,
        ],
    ),
];

/// The levels with ordered indicators (no strict level; see the module
/// documentation).
pub const ORDERED_LEVELS: [(&str, &[Constraint]); 3] = [
    ("configural", &[]),
    ("metric", &[Constraint::Loadings]),
    (
        "scalar",
        &[
            Constraint::Thresholds,
            Constraint::Loadings,
            Constraint::Intercepts,
        ],
    ),
];

/// One level's fitted model.
#[derive(Debug, Clone)]
pub struct LevelFit {
    /// configural, metric, scalar or strict.
    pub name: &'static str,
    /// The fit.
    pub fit: MultiGroupFit,
}

impl Serialize for LevelFit {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let json = serde_json::to_value(&self.fit).map_err(serde::ser::Error::custom)?;
        let mut s = serializer.serialize_struct("LevelFit", 4)?;
        s.serialize_field("name", self.name)?;
        s.serialize_field("group_equal", &self.fit.group_equal)?;
        s.serialize_field("fit", &json["fit"])?;
        s.serialize_field("estimates", &json["estimates"])?;
        s.end()
    }
}

/// One level tested against the previous one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelTest {
    /// The previous level.
    pub from: String,
    /// This level.
    pub to: String,
    /// χ² difference (scaled for MLM/MLR).
    pub chisq_diff: f64,
    /// Difference of the degrees of freedom.
    pub df_diff: f64,
    /// Its p-value.
    pub pvalue: f64,
    /// CFI of this level minus CFI of the previous (ML indices).
    pub delta_cfi: f64,
    /// RMSEA of this level minus RMSEA of the previous.
    pub delta_rmsea: f64,
    /// lavaan's name of the test: `standard`, `satorra.bentler.2001` or
    /// `satorra.2000`.
    pub method: &'static str,
    /// The change of the robust CFI (MLM, MLR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_cfi_robust: Option<f64>,
    /// The change of the robust RMSEA (MLM, MLR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta_rmsea_robust: Option<f64>,
    /// ΔCFI above the cut-off [`DELTA_CFI_CUTOFF`].
    pub holds_by_cfi: bool,
    /// ΔRMSEA below the cut-off [`DELTA_RMSEA_CUTOFF`].
    pub holds_by_rmsea: bool,
}

/// The cut-offs applied, with their sources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cutoffs {
    /// [`DELTA_CFI_CUTOFF`].
    pub delta_cfi: f64,
    /// [`DELTA_RMSEA_CUTOFF`].
    pub delta_rmsea: f64,
    /// Where they come from.
    pub source: &'static str,
}

/// The invariance sequence. Serializes as
/// `{"models":[{"name","group_equal","fit","estimates"}],"tests":[{"from","to","chisq_diff","df_diff","pvalue","delta_cfi","delta_rmsea",…}],"cutoffs":{…},"group","group_labels","nobs","estimator"}`.
#[derive(Debug, Clone, Serialize)]
pub struct Invariance {
    /// configural, metric, scalar, strict.
    pub models: Vec<LevelFit>,
    /// Each level against the previous one.
    pub tests: Vec<LevelTest>,
    /// The cut-offs for ΔCFI and ΔRMSEA.
    pub cutoffs: Cutoffs,
    /// The group column.
    pub group: String,
    /// The groups, group 1 first.
    pub group_labels: Vec<String>,
    /// Cases per group.
    pub nobs: Vec<usize>,
    /// The estimator.
    pub estimator: super::Estimator,
}

/// Fits the four levels and tests each against the previous one (see the
/// module documentation and example).
pub fn test(spec: &ModelSpec, sample: &GroupedSample, options: &Options) -> Result<Invariance> {
    test_levels(&sample.column, &sample.labels, options, |equal| {
        groups::fit(spec, sample, equal, options)
    })
}

/// [`test`] with missing data: each level fitted by full-information ML
/// in the groups ([`super::missing_groups`]; ML or MLR).
pub fn test_missing(
    spec: &ModelSpec,
    data: &super::missing_groups::IncompleteGroups,
    options: &Options,
) -> Result<Invariance> {
    test_levels(&data.column, &data.labels, options, |equal| {
        super::missing_groups::fit(spec, data, equal, options)
    })
}

fn test_levels(
    column: &str,
    labels: &[String],
    options: &Options,
    fit_level: impl Fn(&GroupEqual) -> Result<MultiGroupFit>,
) -> Result<Invariance> {
    let levels: &[(&'static str, &[Constraint])] = if options.ordered.is_empty() {
        &LEVELS
    } else {
        &ORDERED_LEVELS
    };
    let models: Vec<LevelFit> = levels
        .iter()
        .map(|(name, equal)| {
            fit_level(&GroupEqual(equal.to_vec())).map(|fit| LevelFit { name, fit })
        })
        .collect::<Result<_>>()?;
    let mut tests = Vec::new();
    for w in models.windows(2) {
        let (a, b) = (&w[0].fit, &w[1].fit);
        let t = difference_test(
            &ComparedModel::of_groups(w[0].name, a),
            &ComparedModel::of_groups(w[1].name, b),
        )?;
        let robust = |f: &MultiGroupFit| f.fit.robust.clone();
        let (ra, rb) = (robust(a), robust(b));
        let delta = |get: fn(&super::RobustFit) -> Option<f64>| match (&ra, &rb) {
            (Some(x), Some(y)) => Some(get(y)? - get(x)?),
            _ => None,
        };
        let delta_cfi = b.fit.cfi - a.fit.cfi;
        let delta_rmsea = b.fit.rmsea - a.fit.rmsea;
        tests.push(LevelTest {
            from: t.from,
            to: t.to,
            chisq_diff: t.chisq_diff,
            df_diff: t.df_diff,
            pvalue: t.pvalue,
            delta_cfi,
            delta_rmsea,
            method: t.method,
            delta_cfi_robust: delta(|r| r.cfi_robust),
            delta_rmsea_robust: delta(|r| r.rmsea_robust),
            holds_by_cfi: delta_cfi > DELTA_CFI_CUTOFF,
            holds_by_rmsea: delta_rmsea < DELTA_RMSEA_CUTOFF,
        });
    }
    Ok(Invariance {
        tests,
        cutoffs: Cutoffs {
            delta_cfi: DELTA_CFI_CUTOFF,
            delta_rmsea: DELTA_RMSEA_CUTOFF,
            source: "Cheung & Rensvold (2002), Structural Equation Modeling 9, 233–255 (ΔCFI ≤ −0.01); Chen (2007), Structural Equation Modeling 14, 464–504 (ΔCFI ≤ −0.01 with ΔRMSEA ≥ 0.015)",
        },
        group: column.to_owned(),
        group_labels: labels.to_vec(),
        nobs: models[0].fit.nobs.clone(),
        estimator: options.estimator,
        models,
    })
}

impl crate::Render for Invariance {
    /// The four models' fit, then the tests with the cut-offs' verdicts.
    fn tables(&self) -> Vec<crate::render::Table> {
        use crate::render::{fmt_fixed, fmt_p, Table};
        let robust = !self.estimator.is_ml();
        let mut header = vec!["model", "χ²", "df", "p", "CFI", "RMSEA", "SRMR"];
        if robust {
            header.extend(["χ² scaled", "CFI robust", "RMSEA robust"]);
        }
        let groups: Vec<String> = self
            .group_labels
            .iter()
            .zip(&self.nobs)
            .map(|(l, n)| format!("{l} (N = {n})"))
            .collect();
        let mut models = Table::new(
            format!(
                "Measurement invariance across {}: {}",
                self.group,
                groups.join(", ")
            ),
            &header,
        );
        let opt = |x: Option<f64>| super::output::or_missing(x, |v| fmt_fixed(v, 3));
        for m in &self.models {
            let f = &m.fit.fit;
            let mut row = vec![
                m.name.to_owned(),
                fmt_fixed(f.chisq, 3),
                fmt_fixed(f.df, 0),
                super::output::or_missing(f.pvalue, fmt_p),
                fmt_fixed(f.cfi, 3),
                fmt_fixed(f.rmsea, 3),
                fmt_fixed(f.srmr, 3),
            ];
            if let Some(r) = &f.robust {
                row.extend([opt(r.chisq_scaled), opt(r.cfi_robust), opt(r.rmsea_robust)]);
            }
            models.row(row);
        }
        models.note(format!("Estimator {}.", self.estimator.as_str()));
        let mut tests = Table::new(
            "Each level against the previous one",
            &[
                "from",
                "to",
                "Δχ²",
                "Δdf",
                "p",
                "ΔCFI",
                "ΔRMSEA",
                "by ΔCFI",
                "by ΔRMSEA",
            ],
        );
        let verdict = |ok: bool| if ok { "holds" } else { "fails" }.to_owned();
        for t in &self.tests {
            tests.row(vec![
                t.from.clone(),
                t.to.clone(),
                fmt_fixed(t.chisq_diff, 3),
                fmt_fixed(t.df_diff, 0),
                fmt_p(t.pvalue),
                fmt_fixed(t.delta_cfi, 4),
                fmt_fixed(t.delta_rmsea, 4),
                verdict(t.holds_by_cfi),
                verdict(t.holds_by_rmsea),
            ]);
        }
        let method = match self.estimator {
            super::Estimator::WLSMV => {
                "Δχ²: Satorra (2000) scaled-and-shifted difference (lavTestLRT's satorra.2000)"
            }
            super::Estimator::MLM | super::Estimator::MLR => {
                "Δχ²: Satorra–Bentler (2001) scaled difference (lavTestLRT)"
            }
            _ => "Δχ²: χ² difference (lavTestLRT)",
        };
        tests.note(format!(
            "{method}. Cut-offs: ΔCFI ≤ {} or ΔRMSEA ≥ {} signal non-invariance — {}.",
            self.cutoffs.delta_cfi, self.cutoffs.delta_rmsea, self.cutoffs.source
        ));
        vec![models, tests]
    }
}
