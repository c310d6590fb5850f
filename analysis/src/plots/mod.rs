//! Plots rendered with plotters as SVG.
//!
//! Each plot is a function from plain data to a [`Figure`]. The kernel shows a
//! `Figure` as `image/svg+xml`; the report inlines its SVG.

use serde::Serialize;

/// A rendered plot: self-contained SVG text with a title for captions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Short caption, also used for the file name in the report.
    pub title: String,
    /// The complete SVG document.
    pub svg: String,
}
