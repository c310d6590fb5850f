//! Structural equation modelling. Not implemented yet: see the open issues.
