//! The two papers' published figures, embedded so that the command line and
//! the notebooks work without files. The files themselves ship in
//! `notebooks/data/published/` (each figure with its table, page and quote),
//! in the format of [`analysis::claims`].

use analysis::claims::Claims;

/// The embedded claims of the main paper (000: contracting with paraclinical units).
pub const CONTRACTING_MODEL_JSON: &str =
    include_str!("../../notebooks/data/published/contracting_model.json");
/// The embedded claims of the second paper (001: strategic purchasing, Delphi).
pub const STRATEGIC_PURCHASING_JSON: &str =
    include_str!("../../notebooks/data/published/strategic_purchasing.json");

/// The main paper's published figures (embedded).
pub fn contracting_model() -> Claims {
    // The embedded file is checked by this crate's tests; a failure here is a
    // build defect, not a user input error.
    Claims::from_json_str("contracting_model.json", CONTRACTING_MODEL_JSON)
        .expect("embedded claims file is valid")
}

/// The second paper's published figures (embedded).
pub fn strategic_purchasing() -> Claims {
    Claims::from_json_str("strategic_purchasing.json", STRATEGIC_PURCHASING_JSON)
        .expect("embedded claims file is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_claims_hold_the_papers_tables() {
        let c = contracting_model();
        let d = c.demographics.as_ref().unwrap();
        assert_eq!(d.variables.len(), 5);
        assert_eq!(d.variables[0].groups[0].frequency.value, 188.0);
        let cb = c.codebook.as_ref().unwrap();
        assert_eq!(cb.entries.len(), 26);
        assert_eq!(
            cb.entries.iter().map(|e| e.subthemes.len()).sum::<usize>(),
            78
        );
        assert_eq!(cb.dimensions().len(), 10);
        assert_eq!(c.fit.as_ref().unwrap().get("chisq").unwrap().value, 502.88);
        assert_eq!(c.paths.as_ref().unwrap().rows.len(), 10);
        assert_eq!(c.friedman.as_ref().unwrap().rows[0].mean_rank.text, "4.14");
        assert_eq!(c.figure("cochran_n0").unwrap().value.value, 384.16);
        let s = strategic_purchasing();
        assert_eq!(s.themes.unwrap().names.len(), 6);
    }
}
