//! # study — the paraclinic study, reproduced and audited
//!
//! Everything specific to the two published papers this project reproduces
//! (a model for contracting with the indirect-treatment paraclinical units of
//! a social security organization, and its Delphi companion on strategic
//! purchasing), built on the general methods of the [`analysis`] crate:
//!
//! - [`published`]: the papers' published figures, embedded (format
//!   [`analysis::claims`]);
//! - [`synthetic`]: the seeded synthetic reconstruction of the study's data
//!   (the raw data were never published);
//! - [`reproduction`]: the nine steps of the paper's pipeline, each setting
//!   the published figures against ours with their provenance, and the
//!   report and `results.json` they make.
//!
//! The audit itself is general ([`analysis::audit`] reads any claims file);
//! its step here runs it on this paper's claims.

pub mod published;
pub mod reproduction;
pub mod synthetic;
