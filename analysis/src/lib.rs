//! # analysis — the statistics of paraclinic
//!
//! Research-statistics routines for survey and mixed-methods studies: sample
//! size, frequency tables, thematic codebooks, normality, correlation and
//! collinearity, reliability, Friedman ranking, Delphi consensus, structural
//! equation modelling, and an audit of a paper's published figures (read
//! from a claims file, [`claims`]). Nothing here is specific to one study:
//! the paraclinic study itself (its claims, synthetic data and reproduction
//! steps) is the `study` crate, built on this one.
//!
//! Each method lives in its own module, takes typed input and returns a typed
//! result that renders as text, HTML and JSON ([`render::Render`]). Bad input
//! gives an [`AnalysisError`] that says where and what; nothing panics on bad
//! input and no NaN is returned as a result.

#![warn(missing_docs)]

pub mod data;
pub mod descriptive;
pub mod error;
pub mod ranks;
pub mod render;

// One module per method.
pub mod adf_gamma;
pub mod audit;
pub mod bivariate_normal;
pub mod claims;
pub mod codebook;
pub mod correlation;
pub mod delphi;
pub mod frequency;
pub mod friedman;
pub mod mvnorm_missing;
pub mod mvnorm_scores;
pub mod normality;
pub mod plots;
pub mod polychoric;
pub mod polychoric_covariates;
pub mod polyserial;
pub mod reliability;
pub mod report;
pub mod sample_size;
pub mod sem;

pub use data::Dataset;
pub use error::{AnalysisError, Location, Result};
pub use render::{Provenance, Render, Table};
