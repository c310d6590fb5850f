//! Arithmetic checks: Table 1's percentages against counts and N (GRIM-style),
//! totals, category bands, the codebook's counts at each level against the
//! text, Cochran's formula and the flow of questionnaires.

use super::finding::{fmt_number, Finding, Kind, Recomputed, Status};
use super::slug;
use crate::claims::{Claims, Demographics, Reported, TextFigure};

/// Tolerance for floating-point noise when comparing with rounding bounds.
const EPS: f64 = 1e-9;

pub(super) fn check(claims: &Claims) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(d) = &claims.demographics {
        out.extend(demographics(d));
    }
    out.extend(codebook_counts(claims));
    out.extend(cochran(claims));
    out.extend(sample_flow(claims));
    out
}

// ---------------------------------------------------------------- Table 1

/// Every group's percentage against 100·f/N, each block's totals, and the
/// category bands of numeric variables.
pub(super) fn demographics(d: &Demographics) -> Vec<Finding> {
    let mut out = Vec::new();
    let n = d.n.value;
    if n <= 0.0 {
        out.push(
            Finding::new("table1-n", &d.source, "number of respondents")
                .published(&d.n.text)
                .holds(false)
                .method("N > 0")
                .explanation("A table of percentages needs a positive number of respondents."),
        );
        return out;
    }
    for var in &d.variables {
        let vslug = slug(&var.name);
        for g in &var.groups {
            out.push(percent_of_n(&d.source, &var.name, &vslug, g, &d.n));
        }
        out.push(frequency_sum(d, var, &vslug));
        out.push(percent_sum(&d.source, var, &vslug, n));
        if let Some(f) = category_bands(&d.source, var, &vslug) {
            out.push(f);
        }
    }
    out
}

/// GRIM for percentages: the printed percent must be 100·f/N rounded to its
/// printed decimals; and some integer count must give it at all.
fn percent_of_n(
    source: &str,
    var: &str,
    vslug: &str,
    g: &crate::claims::GroupCount,
    n: &Reported,
) -> Finding {
    let nv = n.value;
    let recomputed = 100.0 * g.frequency.value / nv;
    let (lo, hi) = g.percent.interval();
    let ok = recomputed >= lo - EPS && recomputed <= hi + EPS;
    // The counts whose percentage prints as the published text.
    let fmin = ((lo * nv / 100.0) - EPS).ceil().max(0.0);
    let fmax = ((hi * nv / 100.0) + EPS).floor();
    let counts = if fmin > fmax {
        format!(
            "No whole number of respondents out of {} gives {} %: the nearest counts give {} % and {} %.",
            n.text,
            g.percent.text,
            fmt_fixed_dec(100.0 * fmax / nv, g.percent.decimals),
            fmt_fixed_dec(100.0 * fmin / nv, g.percent.decimals)
        )
    } else if fmin == fmax {
        format!("Only a count of {} gives {} %.", fmin, g.percent.text)
    } else {
        format!("Counts {fmin}–{fmax} give {} %.", g.percent.text)
    };
    let explanation = if ok {
        format!(
            "{} of {} is {:.4} %, which rounds to the printed {} %.",
            g.frequency.text, n.text, recomputed, g.percent.text
        )
    } else {
        format!(
            "{} of {} is {:.4} %, which rounds to {} %, not the printed {} % (a printed {} % \
             stands for a value in [{}, {}]). {}",
            g.frequency.text,
            n.text,
            recomputed,
            fmt_fixed_dec(recomputed, g.percent.decimals),
            g.percent.text,
            g.percent.text,
            fmt_number(lo),
            fmt_number(hi),
            counts
        )
    };
    Finding::new(
        format!("table1-percent-{vslug}-{}", slug(&g.group)),
        source,
        format!("{var}: {} — percent of N", g.group),
    )
    .published(format!("{} ({} %)", g.frequency.text, g.percent.text))
    .recomputed(Recomputed::value(recomputed))
    .holds(ok)
    .method("GRIM-style: 100·frequency/N must round to the printed percent")
    .explanation(explanation)
}

fn fmt_fixed_dec(x: f64, decimals: u32) -> String {
    crate::render::fmt_fixed(x, decimals as usize)
}

/// The groups' frequencies must add up to the printed total (or to N).
fn frequency_sum(
    d: &Demographics,
    var: &crate::claims::DemographicVariable,
    vslug: &str,
) -> Finding {
    let sum: f64 = var.groups.iter().map(|g| g.frequency.value).sum();
    let (target, label) = match &var.total {
        Some(t) => (
            t.frequency.value,
            format!("printed total {}", t.frequency.text),
        ),
        None => (d.n.value, format!("N = {}", d.n.text)),
    };
    let total_matches_n = var
        .total
        .as_ref()
        .is_none_or(|t| (t.frequency.value - d.n.value).abs() < EPS);
    let ok = (sum - target).abs() < EPS && total_matches_n;
    let parts: Vec<&str> = var
        .groups
        .iter()
        .map(|g| g.frequency.text.as_str())
        .collect();
    let mut explanation = format!(
        "{} = {}, against the {}.",
        parts.join(" + "),
        fmt_number(sum),
        label
    );
    if !total_matches_n {
        explanation.push_str(&format!(
            " The printed total also differs from N = {}.",
            d.n.text
        ));
    }
    if !ok {
        explanation.push_str(
            " Every respondent must fall in exactly one group, so the counts must add up.",
        );
    }
    Finding::new(
        format!("table1-total-{vslug}"),
        &d.source,
        format!("{}: sum of frequencies", var.name),
    )
    .published(match &var.total {
        Some(t) => t.frequency.text.clone(),
        None => d.n.text.clone(),
    })
    .recomputed(Recomputed::value(sum))
    .holds(ok)
    .method("sum of group frequencies = total")
    .explanation(explanation)
}

/// Printed percentages must add up to 100 within the rounding of the m
/// printed values (each off by at most half a unit), and to the printed total.
fn percent_sum(
    source: &str,
    var: &crate::claims::DemographicVariable,
    vslug: &str,
    n: f64,
) -> Finding {
    let sum: f64 = var.groups.iter().map(|g| g.percent.value).sum();
    let slack: f64 = var.groups.iter().map(|g| g.percent.half_unit()).sum();
    let mut ok = (sum - 100.0).abs() <= slack + EPS;
    let mut explanation = format!(
        "The printed percentages add up to {}; rounding each of the {} to its printed decimals allows \
         a sum within 100 ± {}.",
        fmt_number(sum),
        var.groups.len(),
        fmt_number(slack)
    );
    if let Some(t) = &var.total {
        let total_ok = (t.percent.value - 100.0).abs() <= t.percent.half_unit() + EPS
            && (sum - t.percent.value).abs() <= slack + EPS;
        ok &= total_ok;
        explanation.push_str(&format!(
            " The table prints a total of {} %.",
            t.percent.text
        ));
    }
    // What correctly rounded percentages would add up to: a printed sum of
    // exactly 100 with a wrong entry suggests an entry was adjusted to force it.
    let decimals = var
        .groups
        .iter()
        .map(|g| g.percent.decimals)
        .max()
        .unwrap_or(1) as i32;
    let scale = 10f64.powi(decimals);
    let rounded_sum: f64 = var
        .groups
        .iter()
        .map(|g| (100.0 * g.frequency.value / n * scale).round() / scale)
        .sum();
    if (rounded_sum - sum).abs() > EPS {
        explanation.push_str(&format!(
            " Percentages recomputed from the counts and rounded the same way add up to {}: at least one \
             printed percentage is not the rounded share of its count (see the percent findings), as if it \
             had been adjusted to make the column total {}.",
            fmt_fixed_dec(rounded_sum, decimals as u32),
            fmt_number(sum)
        ));
    }
    Finding::new(
        format!("table1-percent-total-{vslug}"),
        source,
        format!("{}: sum of percentages", var.name),
    )
    .published(match &var.total {
        Some(t) => t.percent.text.clone(),
        None => "100 (implied)".into(),
    })
    .recomputed(Recomputed::value(sum))
    .holds(ok)
    .method("sum of printed percentages = 100 within the accumulated rounding")
    .explanation(explanation)
}

/// Inclusive integer bounds of a category label such as "30 to 40 years old",
/// "Less than 30", "Over 16 years"; `None` if the label is not a numeric band.
pub(super) fn parse_band(label: &str) -> Option<(Option<i64>, Option<i64>)> {
    let l = label.to_lowercase();
    let nums: Vec<i64> = l
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    let has = |words: &[&str]| words.iter().any(|w| l.contains(w));
    match nums.as_slice() {
        [a] if has(&["less than", "under", "below", "younger than", "fewer than"]) => {
            Some((None, Some(a - 1)))
        }
        [a] if has(&["and above", "and over", "or more", "or over", "or older"])
            || l.contains('+') =>
        {
            Some((Some(*a), None))
        }
        [a] if has(&["above", "over", "more than", "older than", "greater than"]) => {
            Some((Some(a + 1), None))
        }
        [a, b] if has(&[" to ", "-", "–"]) && a <= b => Some((Some(*a), Some(*b))),
        _ => None,
    }
}

/// Numeric bands must cover every whole value between the lowest and highest
/// bound exactly once: a gap leaves respondents nowhere, an overlap puts them
/// in two groups.
fn category_bands(
    source: &str,
    var: &crate::claims::DemographicVariable,
    vslug: &str,
) -> Option<Finding> {
    if var.groups.len() < 2 {
        return None;
    }
    let bands: Vec<(Option<i64>, Option<i64>)> = var
        .groups
        .iter()
        .map(|g| parse_band(&g.group))
        .collect::<Option<_>>()?;
    let finite: Vec<i64> = bands.iter().flat_map(|(a, b)| [*a, *b]).flatten().collect();
    let (lo, hi) = (*finite.iter().min()?, *finite.iter().max()?);
    if hi - lo > 10_000 {
        return None;
    }
    let inside = |x: i64, (a, b): (Option<i64>, Option<i64>)| {
        a.is_none_or(|a| x >= a) && b.is_none_or(|b| x <= b)
    };
    let mut gaps = Vec::new();
    let mut overlaps = Vec::new();
    let mut shared_ends_only = true;
    for x in lo..=hi {
        let holders: Vec<usize> = (0..bands.len()).filter(|&i| inside(x, bands[i])).collect();
        match holders.len() {
            0 => gaps.push(x),
            1 => {}
            _ => {
                overlaps.push(x);
                // An overlap of one value where one band ends and the next
                // begins ("30 to 40", "40 to 50") is a labelling ambiguity.
                let ends = holders.iter().filter(|&&i| bands[i].1 == Some(x)).count();
                let starts = holders.iter().filter(|&&i| bands[i].0 == Some(x)).count();
                if !(holders.len() == 2 && ends == 1 && starts == 1) {
                    shared_ends_only = false;
                }
            }
        }
    }
    let labels: Vec<&str> = var.groups.iter().map(|g| g.group.as_str()).collect();
    let list = |v: &[i64]| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let status = if !gaps.is_empty() || (!overlaps.is_empty() && !shared_ends_only) {
        Status::Inconsistent
    } else if !overlaps.is_empty() {
        Status::Unverifiable
    } else {
        Status::Consistent
    };
    let mut explanation = format!(
        "Read literally, as whole numbers, the bands are {}.",
        bands
            .iter()
            .map(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => format!("{a}–{b}"),
                (None, Some(b)) => format!("≤ {b}"),
                (Some(a), None) => format!("≥ {a}"),
                (None, None) => "any".into(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !gaps.is_empty() {
        explanation.push_str(&format!(
            " The value(s) {} fall in no group, so respondents with them could not be counted.",
            list(&gaps)
        ));
    }
    if !overlaps.is_empty() {
        explanation.push_str(&format!(
            " The value(s) {} fall in two groups{}; the table does not say where they were counted.",
            list(&overlaps),
            if shared_ends_only {
                " (a band ends where the next begins)"
            } else {
                ""
            }
        ));
    }
    if status == Status::Consistent {
        explanation.push_str(" They cover every value once.");
    }
    Some(
        Finding::new(
            format!("table1-bands-{vslug}"),
            source,
            format!("{}: category bands", var.name),
        )
        // Overlapping or gapped bands cannot classify every respondent once.
        .kind(Kind::Impossible)
        .published(labels.join("; "))
        .recomputed(Recomputed::value((gaps.len() + overlaps.len()) as f64))
        .status(status)
        .method("every whole value between the lowest and highest bound in exactly one band")
        .explanation(explanation),
    )
}

// ---------------------------------------------------------------- codebook

/// The level of a thematic codebook a count in the text refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    PrimaryCodes,
    Subthemes,
    Themes,
    Dimensions,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::PrimaryCodes => "primary codes",
            Level::Subthemes => "sub-themes",
            Level::Themes => "main themes",
            Level::Dimensions => "dimensions",
        }
    }
}

/// Which codebook level a whole-number text figure counts, from its quantity.
pub(super) fn level_of(fig: &TextFigure) -> Option<Level> {
    if fig.value.decimals != 0 || fig.comparison.is_some() {
        return None;
    }
    let q = fig.quantity.to_lowercase();
    if q.contains("sub-theme")
        || q.contains("subtheme")
        || q.contains("sub-subject")
        || q.contains("initial code")
    {
        Some(Level::Subthemes)
    } else if q.contains("primary code") {
        Some(Level::PrimaryCodes)
    } else if q.contains("theme") || q.contains("subject") {
        Some(Level::Themes)
    } else if q.contains("dimension") || q.contains("factor") {
        Some(Level::Dimensions)
    } else {
        None
    }
}

/// Counts in the text against the codebook table (or, failing that, the list
/// of themes named in the text).
fn codebook_counts(claims: &Claims) -> Vec<Finding> {
    struct Counts {
        source: String,
        subthemes: Option<usize>,
        themes: usize,
        dimensions: Option<usize>,
        repetitions: Option<(f64, f64)>, // sum, max
    }
    let counts = if let Some(cb) = &claims.codebook {
        let reps: Vec<f64> = cb
            .entries
            .iter()
            .flat_map(|e| e.subthemes.iter().map(|s| s.repetitions.value))
            .collect();
        Counts {
            source: cb.source.clone(),
            subthemes: Some(cb.entries.iter().map(|e| e.subthemes.len()).sum()),
            themes: cb.entries.len(),
            dimensions: Some(cb.dimensions().len()),
            repetitions: if reps.is_empty() {
                None
            } else {
                Some((reps.iter().sum(), reps.iter().cloned().fold(0.0, f64::max)))
            },
        }
    } else if let Some(t) = &claims.themes {
        Counts {
            source: t.source.clone(),
            subthemes: None,
            themes: t.names.len(),
            dimensions: None,
            repetitions: None,
        }
    } else {
        return Vec::new();
    };
    let experts = claims.figure("experts").map(|f| f.value.value);
    let mut out = Vec::new();
    for fig in &claims.figures {
        let Some(level) = level_of(fig) else { continue };
        let id = format!("codebook-{}", slug(&fig.id));
        let published = fig.value.value;
        // A count stated in the text against the codebook table.
        let f = Finding::new(&id, &fig.source, format!("number of {}", level.name()))
            .kind(Kind::Contradiction)
            .published(&fig.value.text)
            .uses(&fig.id);
        let table_count = match level {
            Level::Subthemes => counts.subthemes,
            Level::Themes => Some(counts.themes),
            Level::Dimensions => counts.dimensions,
            Level::PrimaryCodes => None,
        };
        if level == Level::PrimaryCodes {
            out.push(primary_codes(
                f,
                fig,
                counts.subthemes,
                counts.repetitions,
                experts,
                &counts.source,
            ));
            continue;
        }
        let Some(tc) = table_count else {
            out.push(
                f.method(format!("count of {} in {}", level.name(), counts.source))
                    .explanation(format!(
                        "{} does not list the {}, so the count {} cannot be checked.",
                        counts.source,
                        level.name(),
                        fig.value.text
                    )),
            );
            continue;
        };
        let ok = (published - tc as f64).abs() < EPS;
        let mut explanation = format!(
            "\"{}\": {} lists {} {}.",
            fig.quote,
            counts.source,
            tc,
            level.name()
        );
        if !ok {
            let other = [
                (Level::Subthemes, counts.subthemes),
                (Level::Themes, Some(counts.themes)),
                (Level::Dimensions, counts.dimensions),
            ]
            .into_iter()
            .find(|(l, c)| *l != level && c.is_some_and(|c| (c as f64 - published).abs() < EPS));
            match other {
                Some((l, _)) => explanation.push_str(&format!(
                    " {} is the number of {} there: the text calls one level by another's name.",
                    fig.value.text,
                    l.name()
                )),
                None => explanation.push_str(&format!(
                    " The text's {} matches no level of the table.",
                    fig.value.text
                )),
            }
        }
        out.push(
            f.recomputed(Recomputed::value(tc as f64))
                .holds(ok)
                .method(format!("count of {} in {}", level.name(), counts.source))
                .explanation(explanation),
        );
    }
    out
}

/// Primary codes: every sub-theme comes from at least one primary code, so
/// there cannot be fewer; the sum of the table's repetitions equals the count
/// of primary codes only if each repetition is one primary code, which the
/// paper does not say.
fn primary_codes(
    f: Finding,
    fig: &TextFigure,
    subthemes: Option<usize>,
    repetitions: Option<(f64, f64)>,
    experts: Option<f64>,
    table: &str,
) -> Finding {
    let primary = fig.value.value;
    let f = f.method("sub-themes ≤ primary codes; Σ repetitions against primary codes");
    let Some(sub) = subthemes else {
        return f.explanation(format!(
            "The paper lists no sub-themes with counts, so the {} primary codes cannot be checked.",
            fig.value.text
        ));
    };
    if primary < sub as f64 {
        return f
            .recomputed(Recomputed::value(sub as f64))
            .holds(false)
            .explanation(format!(
                "{} primary codes cannot yield the {} sub-themes of {}: each sub-theme groups at least one code.",
                fig.value.text, sub, table
            ));
    }
    match repetitions {
        Some((sum, _)) if (sum - primary).abs() < EPS => f
            .recomputed(Recomputed::value(sum))
            .holds(true)
            .explanation(format!(
                "The repetitions in {table} add up to {}, the number of primary codes, and the {sub} \
                 sub-themes do not exceed it.",
                fmt_number(sum)
            )),
        Some((sum, max)) => {
            let mut e = format!(
                "The {sub} sub-themes do not exceed the {} primary codes (consistent), but the repetitions \
                 printed in {table} add up to {}, not {}. If each repetition were one primary code assigned \
                 to a sub-theme they would add up to {}; the paper does not define \"repetition\" (it may \
                 count mentions across interviews), so the totals cannot be reconciled from the paper.",
                fig.value.text,
                fmt_number(sum),
                fig.value.text,
                fig.value.text
            );
            if let Some(k) = experts.filter(|k| max > *k) {
                e.push_str(&format!(
                    " Nor can a repetition be the number of experts citing a sub-theme: the largest is {}, \
                     more than the {} experts interviewed.",
                    fmt_number(max),
                    fmt_number(k)
                ));
            }
            let f = if experts.is_some_and(|k| max > k) {
                f.uses("experts")
            } else {
                f
            };
            f.recomputed(Recomputed::value(sum)).explanation(e)
        }
        None => f.recomputed(Recomputed::value(sub as f64)).explanation(format!(
            "The {sub} sub-themes do not exceed the {} primary codes; {table} gives no repetitions to \
             account for every primary code.",
            fig.value.text
        )),
    }
}

// ---------------------------------------------------------------- Cochran

/// The range of p(1 − p) for p in [lo, hi]: largest at the point nearest ½.
fn pq_range(lo: f64, hi: f64) -> (f64, f64) {
    let f = |p: f64| p * (1.0 - p);
    let nearest = 0.5f64.clamp(lo, hi);
    (f(lo).min(f(hi)), f(nearest))
}

/// Cochran's n0 = z²·p·q/e² (Cochran 1977, eq. 4.2) over the rounding
/// intervals of z, p and e. `None` for inputs outside their domains.
pub(super) fn cochran_n0_interval(
    z: (f64, f64),
    p: (f64, f64),
    e: (f64, f64),
) -> Option<(f64, f64)> {
    if z.0 <= 0.0 || e.0 <= 0.0 || p.0 < 0.0 || p.1 > 1.0 {
        return None;
    }
    let (pq_lo, pq_hi) = pq_range(p.0, p.1);
    Some((
        z.0 * z.0 * pq_lo / (e.1 * e.1),
        z.1 * z.1 * pq_hi / (e.0 * e.0),
    ))
}

fn cochran(claims: &Claims) -> Vec<Finding> {
    let mut out = Vec::new();
    let n0_fig = claims.figure("cochran_n0");
    let z_fig = claims.figure("cochran_z");
    let p_fig = claims.figure("cochran_p");
    let e_fig = claims.figure("cochran_e");
    // The paper states z; p and e default to the conventional 0.5 and 0.05
    // that it does not print (said in the explanation).
    let z = z_fig.map_or((1.959964, 1.959964), |f| f.value.interval());
    let p = p_fig.map_or((0.5, 0.5), |f| f.value.interval());
    let e = e_fig.map_or((0.05, 0.05), |f| f.value.interval());
    let recomputed = cochran_n0_interval(z, p, e);
    let assumed = match (p_fig, e_fig) {
        (None, None) => {
            " The paper does not print p or e; the conventional p = q = 0.5 (largest variance) \
                         and e = 0.05 are assumed."
        }
        (None, Some(_)) => " The paper does not print p; p = q = 0.5 is assumed.",
        (Some(_), None) => " The paper does not print e; e = 0.05 is assumed.",
        _ => "",
    };
    if let Some(n0) = n0_fig {
        let mut f = Finding::new("cochran-n0", &n0.source, "Cochran's n0 = z²pq/e²")
            .published(&n0.value.text)
            .method("n0 = z²·p·(1 − p)/e² over the rounding intervals of z, p, e")
            .uses("cochran_n0");
        for fig in [z_fig, p_fig, e_fig].into_iter().flatten() {
            f = f.uses(&fig.id);
        }
        out.push(match recomputed {
            Some((lo, hi)) => {
                let (plo, phi) = n0.value.interval();
                let ok = plo <= hi + EPS && phi >= lo - EPS;
                f.recomputed(Recomputed::interval(lo, hi)).holds(ok).explanation(format!(
                    "With z = {} (read as any value that prints so), n0 = z²pq/e² lies in [{}, {}]; the \
                     published {} is {} it.{}",
                    z_fig.map_or("1.96".to_owned(), |f| f.value.text.clone()),
                    fmt_number(lo),
                    fmt_number(hi),
                    n0.value.text,
                    if ok { "inside" } else { "outside" },
                    assumed
                ))
            }
            None => f.explanation("The printed z, p or e are outside their domains (z > 0, 0 ≤ p ≤ 1, e > 0)."),
        });
    }
    if let Some(min) = claims.figure("minimum_sample") {
        // Use the n0 the paper printed when it did: that is what it rounded.
        let base = n0_fig.map(|f| f.value.interval()).or(recomputed);
        let f = Finding::new(
            "cochran-minimum-sample",
            &min.source,
            "minimum sample size = ⌈n0⌉",
        )
        .published(&min.value.text)
        .method("a required sample size is rounded up: n = ⌈n0⌉ (Cochran 1977)")
        .uses("minimum_sample");
        out.push(match base {
            Some((lo, hi)) => {
                let (clo, chi) = (lo.ceil(), hi.ceil());
                let ok = min.value.value >= clo - EPS && min.value.value <= chi + EPS;
                let rec = if clo == chi {
                    Recomputed::value(clo)
                } else {
                    Recomputed::interval(clo, chi)
                };
                let mut e = format!(
                    "n0 = {} must be rounded up to a whole respondent: the minimum is {}, since {} respondents \
                     would give less precision than required.",
                    n0_fig.map_or_else(|| format!("[{}, {}]", fmt_number(lo), fmt_number(hi)), |f| f.value.text.clone()),
                    rec.display(),
                    min.value.text
                );
                if ok {
                    e = format!(
                        "n0 = {} rounded up to a whole respondent gives {}, as printed.",
                        n0_fig.map_or_else(|| rec.display(), |f| f.value.text.clone()),
                        min.value.text
                    );
                } else if let Some(a) = claims.figure("analysable") {
                    if a.value.value >= clo {
                        e.push_str(&format!(
                            " The study analysed {} responses, so its sample meets the correct minimum.",
                            a.value.text
                        ));
                    }
                }
                let f = if n0_fig.is_some() { f.uses("cochran_n0") } else { f };
                f.recomputed(rec).holds(ok).explanation(e)
            }
            None => f.explanation("The paper gives no n0 or inputs of Cochran's formula to check the minimum against."),
        });
    }
    out
}

// ---------------------------------------------------------------- questionnaires

fn sample_flow(claims: &Claims) -> Vec<Finding> {
    let mut out = Vec::new();
    if let (Some(d), Some(c)) = (
        claims.figure("distributed"),
        claims.figure("collected_initially"),
    ) {
        let ok = c.value.value <= d.value.value + EPS;
        let rate = 100.0 * c.value.value / d.value.value;
        let mut e =
            format!(
            "{} completed questionnaires out of {} distributed is a response rate of {:.1} %{}.",
            c.value.text,
            d.value.text,
            rate,
            if ok { "" } else { ": more returned than were handed out is impossible" }
        );
        if let Some(a) = claims
            .figure("analysable")
            .filter(|a| a.value.value > c.value.value)
        {
            e.push_str(&format!(
                " Since redistribution continued until {} analysable responses were obtained, more than {} \
                 questionnaires must have been distributed in all; \"a total of {}\" can only be the first round.",
                a.value.text, d.value.text, d.value.text
            ));
        }
        out.push(
            Finding::new(
                "sample-collected-vs-distributed",
                &c.source,
                "completed questionnaires ≤ distributed",
            )
            .published(format!("{} of {}", c.value.text, d.value.text))
            .recomputed(Recomputed::value(rate))
            .holds(ok)
            .method("collected ≤ distributed; response rate = collected/distributed")
            .explanation(e)
            .uses("distributed")
            .uses("collected_initially"),
        );
    }
    if let (Some(a), Some(d)) = (claims.figure("analysable"), &claims.demographics) {
        let ok = (a.value.value - d.n.value).abs() < EPS;
        out.push(
            Finding::new(
                "sample-analysable-vs-table1",
                &d.source,
                "N of Table 1 = analysable responses",
            )
            .kind(Kind::Contradiction)
            .published(&d.n.text)
            .recomputed(Recomputed::value(a.value.value))
            .holds(ok)
            .method("equality of the two counts")
            .explanation(format!(
                "{} describes {} respondents; the {} reports {} analysable responses{}.",
                d.source,
                d.n.text,
                a.source,
                a.value.text,
                if ok {
                    ""
                } else {
                    ": the two should describe the same sample"
                }
            ))
            .uses("analysable"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{claims_with, rep};
    use super::*;

    fn table1(groups: &str, total: &str) -> Claims {
        claims_with(&format!(
            r#""demographics":{{"source":"Table 1","n":"385","variables":[{{"name":"Education level","groups":[{groups}]{total}}}]}}"#
        ))
    }

    const EDU: &str = r#"{"group":"Associate","frequency":"32","percent":"8.3"},{"group":"Bachelor","frequency":"210","percent":"54.5"},{"group":"Master","frequency":"143","percent":"37.1"}"#;

    #[test]
    fn percentages_pass_when_they_round_from_the_counts() {
        let c = table1(EDU, "");
        let f = demographics(c.demographics.as_ref().unwrap());
        let master = f
            .iter()
            .find(|f| f.id == "table1-percent-education-level-master")
            .unwrap();
        assert_eq!(master.status, Status::Consistent);
        assert!(
            (match master.recomputed {
                Recomputed::Value(v) => v,
                _ => f64::NAN,
            } - 100.0 * 143.0 / 385.0)
                .abs()
                < 1e-9
        );
        // 99.9 is within 100 ± 3·0.05.
        let sum = f
            .iter()
            .find(|f| f.id == "table1-percent-total-education-level")
            .unwrap();
        assert_eq!(sum.status, Status::Consistent);
        assert_eq!(
            f.iter()
                .find(|f| f.id == "table1-total-education-level")
                .unwrap()
                .status,
            Status::Consistent
        );
    }

    #[test]
    fn a_percentage_no_count_can_give_is_flagged_with_grim() {
        let c = table1(
            &EDU.replace("37.1", "37.2"),
            r#","total":{"frequency":"385","percent":"100.0"}"#,
        );
        let f = demographics(c.demographics.as_ref().unwrap());
        let master = f
            .iter()
            .find(|f| f.id == "table1-percent-education-level-master")
            .unwrap();
        assert_eq!(master.status, Status::Inconsistent);
        assert!(
            master
                .explanation
                .contains("No whole number of respondents out of 385 gives 37.2 %"),
            "{}",
            master.explanation
        );
        // The printed total is still 100.0, but the recomputed percentages add up to 99.9.
        let sum = f
            .iter()
            .find(|f| f.id == "table1-percent-total-education-level")
            .unwrap();
        assert_eq!(sum.status, Status::Consistent);
        assert!(
            sum.explanation.contains("add up to 99.9"),
            "{}",
            sum.explanation
        );
    }

    #[test]
    fn totals_that_do_not_add_up_are_flagged() {
        let c = table1(
            &EDU.replace("\"143\"", "\"140\""),
            r#","total":{"frequency":"385","percent":"100.0"}"#,
        );
        let f = demographics(c.demographics.as_ref().unwrap());
        let t = f
            .iter()
            .find(|f| f.id == "table1-total-education-level")
            .unwrap();
        assert_eq!(t.status, Status::Inconsistent);
        assert_eq!(t.recomputed, Recomputed::Value(382.0));
        let c = table1(&EDU.replace("54.5", "56.5"), "");
        let f = demographics(c.demographics.as_ref().unwrap());
        let s = f
            .iter()
            .find(|f| f.id == "table1-percent-total-education-level")
            .unwrap();
        assert_eq!(s.status, Status::Inconsistent);
    }

    #[test]
    fn bands_parse_and_gaps_or_overlaps_are_found() {
        assert_eq!(parse_band("Less than 30 years old"), Some((None, Some(29))));
        assert_eq!(parse_band("30 to 40 years old"), Some((Some(30), Some(40))));
        assert_eq!(parse_band("Above 50 years old"), Some((Some(51), None)));
        assert_eq!(parse_band("Over 16 years"), Some((Some(17), None)));
        assert_eq!(parse_band("60 and above"), Some((Some(60), None)));
        assert_eq!(parse_band("Female"), None);
        let var = |labels: &[&str]| {
            let groups: Vec<String> = labels
                .iter()
                .map(|l| format!(r#"{{"group":"{l}","frequency":"1","percent":"25.0"}}"#))
                .collect();
            claims_with(&format!(
                r#""demographics":{{"source":"Table 1","n":"4","variables":[{{"name":"Work","groups":[{}]}}]}}"#,
                groups.join(",")
            ))
        };
        let status = |c: Claims| {
            demographics(c.demographics.as_ref().unwrap())
                .into_iter()
                .find(|f| f.id == "table1-bands-work")
                .unwrap()
                .status
        };
        assert_eq!(
            status(var(&["1 to 5", "6 to 10", "11 to 15", "Over 15"])),
            Status::Consistent
        );
        assert_eq!(
            status(var(&["1 to 5", "6 to 10", "11 to 15", "Over 16"])),
            Status::Inconsistent
        );
        assert_eq!(
            status(var(&["Less than 30", "30 to 40", "40 to 50", "Above 50"])),
            Status::Unverifiable
        );
        assert_eq!(
            status(var(&["1 to 10", "5 to 15", "Over 15", "Over 20"])),
            Status::Inconsistent
        );
    }

    fn counts_claims(figures: &str) -> Claims {
        claims_with(&format!(
            r#""figures":[{figures}],"codebook":{{"source":"Table 2","entries":[
            {{"dimension":"A","row":1,"theme":"t1","subthemes":[{{"name":"s1","repetitions":"3"}},{{"name":"s2","repetitions":"2"}}]}},
            {{"dimension":"A","row":2,"theme":"t2","subthemes":[{{"name":"s3","repetitions":"1"}}]}},
            {{"dimension":"B","row":3,"theme":"t3","subthemes":[{{"name":"s4","repetitions":"4"}}]}}]}}"#
        ))
    }

    fn fig(id: &str, quantity: &str, value: &str) -> String {
        format!(
            r#"{{"id":"{id}","quantity":"{quantity}","value":"{value}","source":"Methods","quote":"q"}}"#
        )
    }

    #[test]
    fn codebook_counts_against_the_text_both_ways() {
        let ok = counts_claims(
            &[
                fig("a", "sub-themes", "4"),
                fig("b", "main themes", "3"),
                fig("c", "dimensions", "2"),
                fig("d", "primary codes from open coding", "10"),
            ]
            .join(","),
        );
        let f = codebook_counts(&ok);
        assert!(f.iter().all(|f| f.status == Status::Consistent), "{f:#?}");
        let bad = counts_claims(
            &[
                fig("a", "sub-themes of the model", "3"),
                fig("d", "primary codes from open coding", "3"),
                fig("e", "primary codes from open coding", "12"),
            ]
            .join(","),
        );
        let f = codebook_counts(&bad);
        assert_eq!(f[0].status, Status::Inconsistent);
        assert!(
            f[0].explanation.contains("3 is the number of main themes"),
            "{}",
            f[0].explanation
        );
        assert_eq!(f[1].status, Status::Inconsistent); // fewer codes than sub-themes
        assert_eq!(f[2].status, Status::Unverifiable); // Σ repetitions 10 ≠ 12
        assert_eq!(f[2].recomputed, Recomputed::Value(10.0));
    }

    #[test]
    fn cochran_interval_and_rounding_up() {
        let (lo, hi) = cochran_n0_interval((1.96, 1.96), (0.5, 0.5), (0.05, 0.05)).unwrap();
        assert!((lo - 384.16).abs() < 1e-9 && (hi - 384.16).abs() < 1e-9);
        assert_eq!(pq_range(0.3, 0.6), (0.21, 0.25));
        assert!(cochran_n0_interval((1.96, 1.96), (0.5, 0.5), (0.0, 0.0)).is_none());
        let make = |n0: &str, min: &str| {
            claims_with(&format!(
                "\"figures\":[{},{},{}]",
                fig("cochran_n0", "n0", n0),
                fig("cochran_z", "z", "1.96"),
                fig("minimum_sample", "min", min)
            ))
        };
        let f = cochran(&make("384.16", "385"));
        assert_eq!(
            (f[0].status, f[1].status),
            (Status::Consistent, Status::Consistent)
        );
        assert_eq!(f[1].recomputed, Recomputed::Value(385.0));
        let f = cochran(&make("390.5", "384"));
        assert_eq!(
            (f[0].status, f[1].status),
            (Status::Inconsistent, Status::Inconsistent)
        );
        let _ = rep("1");
    }

    #[test]
    fn questionnaire_flow() {
        let c = claims_with(&format!(
            "\"figures\":[{},{}]",
            fig("distributed", "d", "385"),
            fig("collected_initially", "c", "329")
        ));
        let f = sample_flow(&c);
        assert_eq!(f[0].status, Status::Consistent);
        let c = claims_with(&format!(
            "\"figures\":[{},{}]",
            fig("distributed", "d", "300"),
            fig("collected_initially", "c", "329")
        ));
        assert_eq!(sample_flow(&c)[0].status, Status::Inconsistent);
        // Table 1's N against the analysable responses, both ways.
        let with_n = |n: &str| {
            claims_with(&format!(
                r#""demographics":{{"source":"Table 1","n":"{n}","variables":[]}},"figures":[{}]"#,
                fig("analysable", "a", "385")
            ))
        };
        assert_eq!(sample_flow(&with_n("385"))[0].status, Status::Consistent);
        assert_eq!(sample_flow(&with_n("380"))[0].status, Status::Inconsistent);
    }
}
