//! Plots rendered with plotters. Not implemented yet: see the open issues.
