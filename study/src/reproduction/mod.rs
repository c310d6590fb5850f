//! The whole reproduction, step by step, natively: the paper's pipeline from
//! sample size to the audit, each step a function with typed input and a
//! typed result that shows the published figures next to ours, every number
//! labelled with its [`Provenance`].
//!
//! | # | step | function | needs |
//! |---|------|----------|-------|
//! | 1 | sample size (Cochran) | [`sample_size::run`]`(&claims)` | published figures |
//! | 2 | demographics (Table 1) | [`demographics::run`]`(&claims, Option<&StudyData>)` | published figures (+ data) |
//! | 3 | thematic codes (Table 2) | [`codebook::run`]`(&claims)` | published figures |
//! | 4 | normality (KS) | [`normality::run`]`(&claims, &data)` | data |
//! | 5 | correlation and collinearity | [`correlation::run`]`(&claims, &data)` | data |
//! | 6 | SEM | [`sem::run`]`(&claims, &data)` | data (+ Tables 3, 4) |
//! | 7 | Friedman ranking | [`friedman::run`]`(&claims, &data)` | data (+ Table 5) |
//! | 8 | Delphi | [`delphi::run`]`(&delphi_claims, seed)` | second paper, synthetic panel |
//! | 9 | audit | [`audit::run`]`(&claims)` | published figures |
//!
//! [`run`] runs them all in order, reporting progress, and returns a
//! [`Reproduction`]: [`Reproduction::report`] gives the self-contained HTML
//! report, [`Reproduction::to_json`] the `results.json` document.
//!
//! # Provenance in `results.json`
//! - every number in a step's `comparisons` is an object
//!   `{"value": 384.16, "text": "384.16", "provenance": "published"}`;
//! - each step has a `provenance`: that of the numbers computed in its
//!   `result` (e.g. `recomputed`, or `synthetic_estimate` for statistics of
//!   synthetic data); within a result, fields named `published…` hold the
//!   paper's figures, and per-table provenance is given where a step mixes
//!   sources (the demographics step's `from_data[].provenance`);
//! - `data.provenance` says what the data are (`synthetic_estimate` or
//!   `user_data`), and `data.label` says so in words.
//!
//! # Determinism
//! Nothing here reads the clock, the environment or a hash map: two runs on
//! the same input give the same bytes. File names, not paths, reach the
//! outputs.

pub mod audit;
pub mod codebook;
pub mod common;
pub mod correlation;
pub mod delphi;
pub mod demographics;
pub mod friedman;
pub mod normality;
pub mod sample_size;
pub mod sem;
pub mod study_data;

pub use common::{Bound, Comparison, ProvTable, Step, StepFigure, Value, Verdict, VerdictCounts};
pub use study_data::{DataSummary, Layout, StudyData};

use crate::published::{contracting_model, strategic_purchasing};
use crate::synthetic::questionnaire::PopulationModel;
use crate::synthetic::{SyntheticConfig, SyntheticStudy};
use analysis::claims::{Claims, StudyInfo};
use analysis::error::Result;
use analysis::render::{escape_html, Provenance, Render, Table};
use analysis::report::{Report, Section};
use serde::Serialize;
use std::path::PathBuf;

/// Number of steps of the pipeline.
pub const TOTAL_STEPS: usize = 9;
/// `format` of `results.json`.
pub const RESULTS_FORMAT: &str = "paraclinic-reproduction/1";
/// The synthetic generator's default seed (January 2021, when the study began).
pub const DEFAULT_SEED: u64 = crate::synthetic::DEFAULT_SEED;

/// Where the data of the data-dependent steps come from.
#[derive(Debug, Clone, PartialEq)]
pub enum DataChoice {
    /// The seeded synthetic reconstruction.
    Synthetic { seed: u64 },
    /// A CSV file with the study's columns (see [`study_data`]).
    Csv(PathBuf),
    /// Data already loaded (e.g. in a notebook).
    Given(Box<StudyData>),
}

/// What to reproduce.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The main paper's published figures.
    pub claims: Claims,
    /// The Delphi paper's published figures.
    pub delphi_claims: Claims,
    pub data: DataChoice,
}

impl Default for Config {
    /// The embedded claims of both papers and synthetic data with the default seed.
    fn default() -> Self {
        Config {
            claims: contracting_model(),
            delphi_claims: strategic_purchasing(),
            data: DataChoice::Synthetic { seed: DEFAULT_SEED },
        }
    }
}

/// What happened to a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Done,
    Failed,
}

/// A progress event: `number` 0 is the preparation of the data, 1..=9 the steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub number: usize,
    pub total: usize,
    pub id: &'static str,
    pub title: &'static str,
    pub event: ProgressEvent,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProgressEvent {
    Started,
    Finished { status: Status, summary: String },
}

/// A step that could not be computed; its error is shown in its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailedStep {
    pub id: &'static str,
    pub title: &'static str,
    pub error: String,
    #[serde(skip)]
    notice: Vec<String>,
}

impl FailedStep {
    fn new(id: &'static str, title: &'static str, error: String) -> FailedStep {
        FailedStep {
            id,
            title,
            notice: vec![format!("This step failed: {error}")],
            error,
        }
    }
}

impl Step for FailedStep {
    common::step_fields!(id, title, notice);
    fn provenance(&self) -> Provenance {
        Provenance::Published
    }
    fn comparisons(&self) -> &[Comparison] {
        &[]
    }
    fn tables_with_provenance(&self) -> Vec<ProvTable> {
        Vec::new()
    }
    fn summary(&self) -> String {
        format!("FAILED: {}", self.error)
    }
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Outcome<T> {
    Done(T),
    Failed(FailedStep),
}

impl<T: Step> Outcome<T> {
    pub fn status(&self) -> Status {
        match self {
            Outcome::Done(_) => Status::Done,
            Outcome::Failed(_) => Status::Failed,
        }
    }
    pub fn step(&self) -> &dyn Step {
        match self {
            Outcome::Done(s) => s,
            Outcome::Failed(s) => s,
        }
    }
    /// The typed result, if the step was computed.
    pub fn done(&self) -> Option<&T> {
        match self {
            Outcome::Done(s) => Some(s),
            _ => None,
        }
    }
}

/// Everything the reproduction computed. Serializes as `results.json`
/// ([`Reproduction::to_json_value`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Reproduction {
    pub study: StudyInfo,
    pub data: DataSummary,
    /// The generator's settings and population model, for synthetic data.
    pub synthetic: Option<SyntheticModel>,
    pub sample_size: Outcome<sample_size::SampleSizeStep>,
    pub demographics: Outcome<demographics::DemographicsStep>,
    pub codebook: Outcome<codebook::CodebookStep>,
    pub normality: Outcome<normality::NormalityStep>,
    pub correlation: Outcome<correlation::CorrelationStep>,
    pub sem: Outcome<sem::SemStep>,
    pub friedman: Outcome<friedman::FriedmanStep>,
    pub delphi: Outcome<delphi::DelphiStep>,
    pub audit: Outcome<audit::AuditStep>,
}

/// The data for a configuration, and the synthetic model when the data are
/// synthetic.
pub fn load_data(config: &Config) -> Result<(StudyData, Option<SyntheticStudy>)> {
    match &config.data {
        DataChoice::Given(d) => Ok(((**d).clone(), None)),
        DataChoice::Csv(path) => Ok((StudyData::from_csv(path, &config.claims)?, None)),
        DataChoice::Synthetic { seed } => {
            let (data, study) = StudyData::synthetic(&config.claims, *seed)?;
            Ok((data, Some(study)))
        }
    }
}

/// Runs a step, reporting progress; an error becomes a [`FailedStep`].
fn step<T: Step>(
    number: usize,
    id: &'static str,
    title: &'static str,
    progress: &mut dyn FnMut(&Progress),
    f: impl FnOnce() -> Result<Outcome<T>>,
) -> Outcome<T> {
    let event = |event| Progress {
        number,
        total: TOTAL_STEPS,
        id,
        title,
        event,
    };
    progress(&event(ProgressEvent::Started));
    let outcome =
        f().unwrap_or_else(|e| Outcome::Failed(FailedStep::new(id, title, e.to_string())));
    progress(&event(ProgressEvent::Finished {
        status: outcome.status(),
        summary: outcome.step().summary(),
    }));
    outcome
}

/// Runs every step in order. Fails only when the data cannot be had (a
/// user's file that cannot be read or lacks a column); a step that fails is
/// recorded as failed and the others still run.
pub fn run(config: &Config, progress: &mut dyn FnMut(&Progress)) -> Result<Reproduction> {
    let claims = &config.claims;
    let data_event = |event| Progress {
        number: 0,
        total: TOTAL_STEPS,
        id: "data",
        title: "Preparing the data",
        event,
    };
    progress(&data_event(ProgressEvent::Started));
    let (data, synthetic) = load_data(config)?;
    progress(&data_event(ProgressEvent::Finished {
        status: Status::Done,
        summary: format!("{} respondents: {}", data.dataset.n_rows(), data.label),
    }));
    let data = &data;
    // The Delphi panel is always synthetic: it follows --seed when the main
    // data are synthetic too.
    let delphi_seed = match config.data {
        DataChoice::Synthetic { seed } => seed,
        _ => DEFAULT_SEED,
    };

    let sample_size = step(1, "sample_size", "Sample size (Cochran)", progress, || {
        sample_size::run(claims).map(Outcome::Done)
    });
    let demographics = step(
        2,
        "demographics",
        "Demographics (Table 1)",
        progress,
        || demographics::run(claims, Some(data)).map(Outcome::Done),
    );
    let codebook = step(3, "codebook", "Thematic codes (Table 2)", progress, || {
        codebook::run(claims).map(Outcome::Done)
    });
    let normality = step(
        4,
        "normality",
        "Normality (Kolmogorov–Smirnov)",
        progress,
        || normality::run(claims, data).map(Outcome::Done),
    );
    let correlation = step(
        5,
        "correlation",
        "Correlation and collinearity",
        progress,
        || correlation::run(claims, data).map(Outcome::Done),
    );
    let sem = step(6, "sem", "Structural equation model", progress, || {
        sem::run(claims, data).map(Outcome::Done)
    });
    let friedman = step(
        7,
        "friedman",
        "Friedman ranking (Table 5)",
        progress,
        || friedman::run(claims, data).map(Outcome::Done),
    );
    let delphi = step(
        8,
        "delphi",
        "Delphi consensus (second paper)",
        progress,
        || delphi::run(&config.delphi_claims, delphi_seed).map(Outcome::Done),
    );
    let audit = step(
        9,
        "audit",
        "Audit of the published figures",
        progress,
        || audit::run(claims).map(Outcome::Done),
    );
    Ok(Reproduction {
        study: claims.study.clone(),
        data: data.summary(),
        synthetic: synthetic.map(|s| SyntheticModel {
            label: s.label.clone(),
            tables: s.tables(),
            config: s.config,
            model: s.model,
        }),
        sample_size,
        demographics,
        codebook,
        normality,
        correlation,
        sem,
        friedman,
        delphi,
        audit,
    })
}

/// The synthetic generator's settings and model (not its 385 × 82 answers,
/// which are the data), for the report and `results.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyntheticModel {
    pub label: String,
    pub config: SyntheticConfig,
    pub model: PopulationModel,
    #[serde(skip)]
    pub tables: Vec<Table>,
}

/// The provenance labels, for legends.
pub const PROVENANCES: [Provenance; 4] = [
    Provenance::Published,
    Provenance::Recomputed,
    Provenance::SyntheticEstimate,
    Provenance::UserData,
];

/// What synthetic data can and cannot show (shown wherever they appear).
pub const SYNTHETIC_HONESTY: &str = "Synthetic data are generated by paraclinic from the published tables, not collected from the study's respondents (the papers publish no raw data). They show that every method runs on data of the study's shape, how much estimates vary at n = 385, and what the published numbers imply when taken at face value. They cannot confirm or refute any finding of the paper: every pattern in them was put there by the generator's model.";

impl Reproduction {
    /// The steps in order with their number and status.
    pub fn steps(&self) -> Vec<(usize, Status, &dyn Step)> {
        let all: [(Status, &dyn Step); TOTAL_STEPS] = [
            (self.sample_size.status(), self.sample_size.step()),
            (self.demographics.status(), self.demographics.step()),
            (self.codebook.status(), self.codebook.step()),
            (self.normality.status(), self.normality.step()),
            (self.correlation.status(), self.correlation.step()),
            (self.sem.status(), self.sem.step()),
            (self.friedman.status(), self.friedman.step()),
            (self.delphi.status(), self.delphi.step()),
            (self.audit.status(), self.audit.step()),
        ];
        all.into_iter()
            .enumerate()
            .map(|(i, (status, step))| (i + 1, status, step))
            .collect()
    }

    /// Verdicts over all comparisons.
    pub fn verdict_counts(&self) -> VerdictCounts {
        let mut c = VerdictCounts::default();
        for (_, _, s) in self.steps() {
            c.add(s.comparisons());
        }
        c
    }

    /// The failed steps: (number, id, error).
    pub fn failures(&self) -> Vec<(usize, &'static str, String)> {
        self.steps()
            .into_iter()
            .filter(|(_, status, _)| *status == Status::Failed)
            .map(|(n, _, s)| (n, s.id(), s.summary()))
            .collect()
    }

    /// Every figure, with the file name it is written to under `figures/`.
    pub fn figures(&self) -> Vec<&StepFigure> {
        self.steps()
            .into_iter()
            .flat_map(|(_, _, s)| s.figures().iter())
            .collect()
    }

    /// The overview table: one line per step.
    pub fn summary_table(&self) -> Table {
        let mut t = Table::new("Reproduction", &["#", "step", "status", "summary"]);
        for (n, status, s) in self.steps() {
            t.row(vec![
                n.to_string(),
                s.title().to_owned(),
                serde_json::to_value(status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                s.summary(),
            ]);
        }
        t.note(format!("Comparisons: {}.", self.verdict_counts()));
        t
    }

    fn data_sentence(&self) -> String {
        let d = &self.data;
        format!(
            "Data: {} ({} respondents, {} items{}), file {}{}.",
            d.label,
            d.respondents,
            d.items,
            if d.outcome_items > 0 {
                format!(" + {} outcome items", d.outcome_items)
            } else {
                String::new()
            },
            d.source,
            d.seed.map_or(String::new(), |s| format!(", seed {s}"))
        )
    }

    /// The self-contained HTML report: an overview, then one section per step.
    pub fn report(&self) -> Report {
        let mut overview = Section::new("overview", "Overview");
        overview.paragraph(format!(
            "This page reproduces the published analyses of “{}” step by step, natively in paraclinic. Every number is labelled: published (as printed in the paper), recomputed from published figures, estimated from synthetic data, or computed from user data.",
            self.study.title
        ));
        overview.paragraph(self.data_sentence());
        if self.data.provenance == Provenance::SyntheticEstimate {
            overview.paragraph(SYNTHETIC_HONESTY);
        }
        let mut legend = String::from("<p>");
        for p in PROVENANCES {
            legend.push_str(&analysis::report::provenance_badge(p));
            legend.push(' ');
        }
        legend.push_str("</p>");
        overview.html(legend, None);
        overview.html(self.summary_table().to_html(), None);
        let mut sections = vec![overview];
        if let Some(model) = &self.synthetic {
            let mut sec = Section::new("synthetic", "The synthetic data");
            sec.paragraph(model.label.clone());
            sec.paragraph(SYNTHETIC_HONESTY);
            for t in &model.tables {
                sec.table(t.clone(), Provenance::SyntheticEstimate);
            }
            sections.push(sec);
        }
        for (n, _, s) in self.steps() {
            sections.push(s.section(n));
        }
        Report {
            title: format!("Reproduction: {}", self.study.title),
            subtitle: format!(
                "paraclinic {} · {}",
                env!("CARGO_PKG_VERSION"),
                self.data_sentence()
            ),
            sections,
        }
    }

    /// The report as one HTML page.
    pub fn report_html(&self) -> String {
        self.report().to_html()
    }

    /// `results.json` (see the module documentation for the provenance rules).
    pub fn to_json_value(&self) -> serde_json::Value {
        use serde_json::{json, Map, Value as J};
        let steps: Vec<J> = self
            .steps()
            .into_iter()
            .zip(self.step_results())
            .map(|((n, status, s), result)| {
                let mut m = Map::new();
                m.insert("number".into(), json!(n));
                m.insert("id".into(), json!(s.id()));
                m.insert("title".into(), json!(s.title()));
                m.insert("status".into(), json!(status));
                m.insert("provenance".into(), json!(s.provenance()));
                m.insert("summary".into(), json!(s.summary()));
                m.insert("comparisons".into(), json!(s.comparisons()));
                m.insert("notice".into(), json!(s.notice()));
                m.insert("figures".into(), json!(s.figures()));
                m.insert("result".into(), result);
                J::Object(m)
            })
            .collect();
        let legend: Vec<J> = PROVENANCES
            .iter()
            .map(|p| json!({"provenance": p, "label": p.label()}))
            .collect();
        json!({
            "format": RESULTS_FORMAT,
            "generator": format!("paraclinic {}", env!("CARGO_PKG_VERSION")),
            "study": self.study,
            "data": self.data,
            "synthetic": self.synthetic,
            "provenance_legend": legend,
            "verdicts": self.verdict_counts(),
            "steps": steps,
        })
    }

    /// The typed results of the steps, as JSON, without the parts every step
    /// record already carries (id, title, comparisons, notice).
    fn step_results(&self) -> Vec<serde_json::Value> {
        fn strip(v: serde_json::Value) -> serde_json::Value {
            match v {
                serde_json::Value::Object(mut m) => {
                    for k in ["id", "title", "comparisons", "notice", "figures"] {
                        m.remove(k);
                    }
                    serde_json::Value::Object(m)
                }
                other => other,
            }
        }
        let to = |v: std::result::Result<serde_json::Value, serde_json::Error>| {
            strip(v.unwrap_or_else(|e| serde_json::json!({"error": e.to_string()})))
        };
        vec![
            to(serde_json::to_value(&self.sample_size)),
            to(serde_json::to_value(&self.demographics)),
            to(serde_json::to_value(&self.codebook)),
            to(serde_json::to_value(&self.normality)),
            to(serde_json::to_value(&self.correlation)),
            to(serde_json::to_value(&self.sem)),
            to(serde_json::to_value(&self.friedman)),
            to(serde_json::to_value(&self.delphi)),
            to(serde_json::to_value(&self.audit)),
        ]
    }

    /// `results.json` as pretty-printed text with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json_value())
            .unwrap_or_else(|e| format!("{{\"error\": \"{}\"}}", escape_html(&e.to_string())));
        s.push('\n');
        s
    }
}

impl Serialize for Reproduction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json_value().serialize(s)
    }
}

impl Render for Reproduction {
    /// The overview table (one line per step); each step renders itself.
    fn tables(&self) -> Vec<Table> {
        vec![self.summary_table()]
    }
}
