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
//! Each step is declared once, in the registry [`STEPS`] (its number, id,
//! title and function, as a [`StepDef`]); its module takes its id, title
//! and figure file names from there. [`run`] runs the registry in order,
//! reporting progress, and returns a [`Reproduction`]:
//! [`Reproduction::report`] gives the self-contained HTML report,
//! [`Reproduction::to_json`] the `results.json` document. A step that fails
//! is recorded with a [`StepError`] (its step and the [`AnalysisError`]) and
//! the others still run.
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
use analysis::error::{AnalysisError, Result};
use analysis::render::{escape_html, Provenance, Render, Table};
use analysis::report::{Report, Section};
use serde::Serialize;
use std::any::Any;
use std::path::PathBuf;

/// `format` of `results.json`.
pub const RESULTS_FORMAT: &str = "paraclinic-reproduction/1";
/// The synthetic generator's default seed (January 2021, when the study began).
pub const DEFAULT_SEED: u64 = crate::synthetic::DEFAULT_SEED;

// ------------------------------------------------------------------ registry

/// What the steps read: the papers' claims, the data, the Delphi panel's seed.
#[derive(Debug, Clone, Copy)]
pub struct StepInputs<'a> {
    /// The main paper's published figures.
    pub claims: &'a Claims,
    /// The Delphi paper's published figures.
    pub delphi_claims: &'a Claims,
    pub data: &'a StudyData,
    /// The synthetic Delphi panel's seed.
    pub delphi_seed: u64,
}

/// A step of the pipeline as declared in the registry [`STEPS`]: where it
/// stands, what it is called, how it is computed. The step's result and its
/// figures take their id, title and file names from here.
#[derive(Debug, Clone, Copy)]
pub struct StepDef {
    /// Position in the pipeline, from 1.
    pub number: usize,
    /// Stable identifier (JSON, HTML anchors, figure file names).
    pub id: &'static str,
    pub title: &'static str,
    /// Computes the step from its inputs.
    pub run: fn(&StepInputs) -> Result<Box<dyn StepResult>>,
}

impl StepDef {
    /// The file name of one of the step's figures under `figures/`:
    /// `<number>_<id>_<name>.svg`.
    ///
    /// ```
    /// use study::reproduction::{NORMALITY, STEPS};
    /// assert_eq!(STEPS[3].id, "normality");
    /// assert_eq!(NORMALITY.figure_file("marketing"), "04_normality_marketing.svg");
    /// ```
    pub fn figure_file(&self, name: &str) -> String {
        format!("{:02}_{}_{name}.svg", self.number, self.id)
    }
}

/// Boxes a step's typed result for the registry.
fn boxed<T: StepResult>(result: Result<T>) -> Result<Box<dyn StepResult>> {
    result.map(|step| Box::new(step) as Box<dyn StepResult>)
}

pub const SAMPLE_SIZE: StepDef = StepDef {
    number: 1,
    id: "sample_size",
    title: "Sample size (Cochran; RMSEA power for the SEM)",
    run: |i| boxed(sample_size::run(i.claims)),
};
pub const DEMOGRAPHICS: StepDef = StepDef {
    number: 2,
    id: "demographics",
    title: "Demographics (Table 1)",
    run: |i| boxed(demographics::run(i.claims, Some(i.data))),
};
pub const CODEBOOK: StepDef = StepDef {
    number: 3,
    id: "codebook",
    title: "Thematic codes (Table 2)",
    run: |i| boxed(codebook::run(i.claims)),
};
pub const NORMALITY: StepDef = StepDef {
    number: 4,
    id: "normality",
    title: "Normality (Kolmogorov–Smirnov)",
    run: |i| boxed(normality::run(i.claims, i.data)),
};
pub const CORRELATION: StepDef = StepDef {
    number: 5,
    id: "correlation",
    title: "Correlation and collinearity",
    run: |i| boxed(correlation::run(i.claims, i.data)),
};
pub const SEM: StepDef = StepDef {
    number: 6,
    id: "sem",
    title: "Structural equation model",
    run: |i| boxed(sem::run(i.claims, i.data)),
};
pub const FRIEDMAN: StepDef = StepDef {
    number: 7,
    id: "friedman",
    title: "Friedman ranking (Table 5)",
    run: |i| boxed(friedman::run(i.claims, i.data)),
};
pub const DELPHI: StepDef = StepDef {
    number: 8,
    id: "delphi",
    title: "Delphi consensus (second paper)",
    run: |i| boxed(delphi::run(i.delphi_claims, i.delphi_seed)),
};
pub const AUDIT: StepDef = StepDef {
    number: 9,
    id: "audit",
    title: "Audit of the published figures",
    run: |i| boxed(audit::run(i.claims)),
};

/// The registry: every step of the pipeline, in order.
pub const STEPS: [StepDef; 9] = [
    SAMPLE_SIZE,
    DEMOGRAPHICS,
    CODEBOOK,
    NORMALITY,
    CORRELATION,
    SEM,
    FRIEDMAN,
    DELPHI,
    AUDIT,
];

/// Number of steps of the pipeline.
pub const TOTAL_STEPS: usize = STEPS.len();

// A step's number is its place in the registry (checked when compiling).
const _: () = {
    let mut i = 0;
    while i < STEPS.len() {
        assert!(STEPS[i].number == i + 1, "STEPS out of order");
        i += 1;
    }
};

/// A step's typed result, as the registry holds it: a [`Step`] that also
/// serializes (its `result` in `results.json`) and can be had back as its
/// own type ([`StepOutcome::done`]). Every step type has it.
pub trait StepResult: Step + std::fmt::Debug + Any {
    /// The result as JSON (the step's fields).
    fn to_json_value(&self) -> std::result::Result<serde_json::Value, serde_json::Error>;
    fn as_any(&self) -> &dyn Any;
}

impl<T: Step + Serialize + std::fmt::Debug + Any> StepResult for T {
    fn to_json_value(&self) -> std::result::Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

// ------------------------------------------------------------------ running

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

/// Why a step could not be computed: which step, and the library's error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("step {number} ({id}) failed: {source}")]
pub struct StepError {
    pub number: usize,
    pub id: &'static str,
    #[source]
    pub source: AnalysisError,
}

impl StepError {
    /// The one line that stands for the failed step in summaries:
    /// `FAILED: <the library's message>`.
    pub fn summary(&self) -> String {
        format!("FAILED: {}", self.source)
    }
}

/// A step that could not be computed; its error is shown in its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailedStep {
    pub id: &'static str,
    pub title: &'static str,
    /// In `results.json`, the library's message.
    #[serde(serialize_with = "error_message")]
    pub error: StepError,
    #[serde(skip)]
    notice: Vec<String>,
}

fn error_message<S: serde::Serializer>(
    e: &StepError,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(&e.source)
}

impl FailedStep {
    fn new(def: &StepDef, source: AnalysisError) -> FailedStep {
        FailedStep {
            id: def.id,
            title: def.title,
            notice: vec![format!("This step failed: {source}")],
            error: StepError {
                number: def.number,
                id: def.id,
                source,
            },
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
        self.error.summary()
    }
}

/// The outcome of one step of the registry.
#[derive(Debug)]
pub struct StepOutcome {
    pub def: &'static StepDef,
    pub result: std::result::Result<Box<dyn StepResult>, FailedStep>,
}

impl StepOutcome {
    pub fn status(&self) -> Status {
        match self.result {
            Ok(_) => Status::Done,
            Err(_) => Status::Failed,
        }
    }

    /// The step's result, or its failure, for display.
    pub fn step(&self) -> &dyn Step {
        match &self.result {
            Ok(s) => s.as_ref(),
            Err(f) => f,
        }
    }

    /// The typed result, if the step was computed and is a `T`
    /// (`outcome.done::<sem::SemStep>()`).
    pub fn done<T: StepResult>(&self) -> Option<&T> {
        self.result.as_ref().ok()?.as_any().downcast_ref()
    }

    /// Why the step failed, if it did.
    pub fn error(&self) -> Option<&StepError> {
        self.result.as_ref().err().map(|f| &f.error)
    }

    /// The step's `result` in `results.json`: its fields, or `{"error": …}`,
    /// without what every step record already carries.
    fn result_json(&self) -> serde_json::Value {
        let value = match &self.result {
            Ok(s) => s.to_json_value(),
            Err(f) => serde_json::to_value(f),
        };
        match value {
            Ok(serde_json::Value::Object(mut m)) => {
                for k in ["id", "title", "comparisons", "notice", "figures"] {
                    m.remove(k);
                }
                serde_json::Value::Object(m)
            }
            Ok(other) => other,
            Err(e) => serde_json::json!({"error": e.to_string()}),
        }
    }
}

/// Everything the reproduction computed. Serializes as `results.json`
/// ([`Reproduction::to_json_value`]).
#[derive(Debug)]
pub struct Reproduction {
    pub study: StudyInfo,
    pub data: DataSummary,
    /// The generator's settings and population model, for synthetic data.
    pub synthetic: Option<SyntheticModel>,
    /// One outcome per step of [`STEPS`], in order.
    pub outcomes: Vec<StepOutcome>,
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

/// Runs one step of the registry, reporting progress; an error becomes a
/// [`FailedStep`].
fn run_step(
    def: &'static StepDef,
    inputs: &StepInputs,
    progress: &mut dyn FnMut(&Progress),
) -> StepOutcome {
    let event = |event| Progress {
        number: def.number,
        total: TOTAL_STEPS,
        id: def.id,
        title: def.title,
        event,
    };
    progress(&event(ProgressEvent::Started));
    let outcome = StepOutcome {
        def,
        result: (def.run)(inputs).map_err(|e| FailedStep::new(def, e)),
    };
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
    let inputs = StepInputs {
        claims,
        delphi_claims: &config.delphi_claims,
        data: &data,
        // The Delphi panel is always synthetic: it follows --seed when the
        // main data are synthetic too.
        delphi_seed: match config.data {
            DataChoice::Synthetic { seed } => seed,
            _ => DEFAULT_SEED,
        },
    };
    let outcomes = STEPS
        .iter()
        .map(|def| run_step(def, &inputs, progress))
        .collect();
    Ok(Reproduction {
        study: claims.study.clone(),
        data: data.summary(),
        synthetic: synthetic.map(|s| SyntheticModel {
            label: s.label.clone(),
            tables: s.tables(),
            config: s.config.clone(),
            model: s.model.clone(),
            generated: s,
        }),
        outcomes,
    })
}

/// The synthetic generator's settings and model for the report and
/// `results.json`, and the generated study (its 385 × 82 answers are the
/// data, written as CSV by the command line, never into `results.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyntheticModel {
    pub label: String,
    pub config: SyntheticConfig,
    pub model: PopulationModel,
    #[serde(skip)]
    pub tables: Vec<Table>,
    /// The generated study itself (its answers are the data the steps
    /// used), so that they can be written out without generating them again.
    #[serde(skip)]
    pub generated: SyntheticStudy,
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
        self.outcomes
            .iter()
            .map(|o| (o.def.number, o.status(), o.step()))
            .collect()
    }

    /// The outcome of the step with this id (see [`STEPS`]).
    pub fn outcome(&self, id: &str) -> Option<&StepOutcome> {
        self.outcomes.iter().find(|o| o.def.id == id)
    }

    /// Verdicts over all comparisons.
    pub fn verdict_counts(&self) -> VerdictCounts {
        let mut c = VerdictCounts::default();
        for (_, _, s) in self.steps() {
            c.add(s.comparisons());
        }
        c
    }

    /// Why each failed step failed, in order.
    pub fn failures(&self) -> Vec<&StepError> {
        self.outcomes
            .iter()
            .filter_map(StepOutcome::error)
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
            .outcomes
            .iter()
            .map(|o| {
                let s = o.step();
                let mut m = Map::new();
                m.insert("number".into(), json!(o.def.number));
                m.insert("id".into(), json!(s.id()));
                m.insert("title".into(), json!(s.title()));
                m.insert("status".into(), json!(o.status()));
                m.insert("provenance".into(), json!(s.provenance()));
                m.insert("summary".into(), json!(s.summary()));
                m.insert("comparisons".into(), json!(s.comparisons()));
                m.insert("notice".into(), json!(s.notice()));
                m.insert("figures".into(), json!(s.figures()));
                m.insert("result".into(), o.result_json());
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
