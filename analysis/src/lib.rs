//! # analysis — the statistics of paraclinic
//!
//! Research-statistics routines used to reproduce and audit a mixed-methods
//! health-policy study: sample size, frequency tables, thematic codebooks,
//! normality, correlation and collinearity, reliability, Friedman ranking,
//! Delphi consensus and structural equation modelling.
//!
//! Each method lives in its own module, takes typed input and returns a typed
//! result that renders as text, HTML and JSON ([`render::Render`]). Bad input
//! gives an [`AnalysisError`] that says where and what; nothing panics on bad
//! input and no NaN is returned as a result.

pub mod data;
pub mod descriptive;
pub mod error;
pub mod ranks;
pub mod render;

// One module per method.
pub mod adf_gamma;
pub mod audit;
pub mod bivariate_normal;
pub mod codebook;
pub mod correlation;
pub mod delphi;
pub mod frequency;
pub mod friedman;
pub mod mvnorm_scores;
pub mod normality;
pub mod plots;
pub mod polychoric;
pub mod published;
pub mod reliability;
pub mod report;
pub mod reproduction;
pub mod sample_size;
pub mod sem;
pub mod synthetic;

pub use data::Dataset;
pub use error::{AnalysisError, Location, Result};
pub use render::{Provenance, Render, Table};
