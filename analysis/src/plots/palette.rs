//! The Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
//! distinguishable by readers with the common colour-vision deficiencies.

use plotters::style::RGBColor;

/// Okabe–Ito black.
pub const BLACK: RGBColor = RGBColor(0, 0, 0);
/// Okabe–Ito orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe–Ito sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
/// Okabe–Ito bluish green.
pub const BLUISH_GREEN: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito yellow.
pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
/// Okabe–Ito blue.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito vermillion.
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
/// Okabe–Ito reddish purple.
pub const REDDISH_PURPLE: RGBColor = RGBColor(204, 121, 167);
/// Neutral grey for grid lines, reference lines and non-significant paths.
pub const GREY: RGBColor = RGBColor(120, 120, 120);
/// Light grey for minor grid lines and bands.
pub const LIGHT_GREY: RGBColor = RGBColor(225, 225, 225);

/// Colours for categories, in order (yellow last: it is weak on white).
pub const CATEGORICAL: [RGBColor; 7] = [
    BLUE,
    ORANGE,
    BLUISH_GREEN,
    VERMILLION,
    SKY_BLUE,
    REDDISH_PURPLE,
    BLACK,
];

/// The i-th categorical colour (cycles).
///
/// ```
/// use analysis::plots::palette::{category, BLUE};
/// assert_eq!(category(0), BLUE);
/// assert_eq!(category(7), BLUE); // seven colours, then again
/// ```
pub fn category(i: usize) -> RGBColor {
    CATEGORICAL[i % CATEGORICAL.len()]
}

/// Diverging scale for correlations in [−1, 1]: blue (−1) – white (0) –
/// vermillion (+1), both ends from Okabe–Ito. Values outside are clamped.
///
/// ```
/// use analysis::plots::palette::{diverging, BLUE, VERMILLION};
/// assert_eq!(diverging(0.0), plotters::style::RGBColor(255, 255, 255));
/// assert_eq!((diverging(-1.0), diverging(2.0)), (BLUE, VERMILLION));
/// ```
pub fn diverging(x: f64) -> RGBColor {
    let t = x.clamp(-1.0, 1.0);
    let (end, w) = if t < 0.0 { (BLUE, -t) } else { (VERMILLION, t) };
    let mix = |c: u8| (255.0 + (c as f64 - 255.0) * w).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

/// Black or white, whichever reads better on `bg` (relative luminance).
///
/// ```
/// use analysis::plots::palette::{text_on, BLACK, BLUE, YELLOW};
/// assert_eq!(text_on(YELLOW), BLACK);
/// assert_ne!(text_on(BLUE), BLACK);
/// ```
pub fn text_on(bg: RGBColor) -> RGBColor {
    let l = 0.2126 * bg.0 as f64 + 0.7152 * bg.1 as f64 + 0.0722 * bg.2 as f64;
    if l < 140.0 {
        RGBColor(255, 255, 255)
    } else {
        BLACK
    }
}
