//! Figures as PNG, for viewers that show no SVG (an untrusted notebook in
//! JupyterLab, GitLab's notebook view): the figure's SVG rasterised by
//! resvg.
//!
//! Fonts: plotters names the generic family `sans-serif`, and which font
//! that is — if any — depends on the machine; resvg draws no text at all
//! without one. The renderer here loads no system font: DejaVu Sans 2.37
//! (regular and bold, embedded from the `dejavu` crate; Bitstream Vera
//! licence with public-domain changes, free to use and embed) answers every
//! family, so the same SVG gives the same pixels on any machine. DejaVu Sans
//! covers the Greek letters, mathematical signs, dashes and "…" the plots
//! use.
//!
//! Resolution: [`PNG_SCALE`] device pixels per SVG pixel, with the SVG's
//! size as the display size ([`Png::width`], [`Png::height`]).

use super::Figure;
use crate::error::{AnalysisError, Result};
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// Device pixels per SVG pixel. 2 keeps text sharp on the high-density
/// screens of most laptops (device pixel ratio 1.5–2) and is an integer
/// scale, so antialiased edges take few distinct colours and nearly every
/// figure fits a 256-colour palette: the notebooks' figures are 22–95 kB at
/// 2× (the heatmap, in full colour, 108 kB), about what they are at 1.5×
/// (27–102 kB), whose fractional edges need full colour.
pub const PNG_SCALE: f32 = 2.0;

/// Largest raster made, in device pixels (a figure larger than this is an
/// error rather than hundreds of megabytes of memory).
const MAX_PIXELS: u64 = 40_000_000;

/// A rasterised figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Png {
    /// The PNG file.
    pub data: Vec<u8>,
    /// Display width in CSS pixels (the SVG's width): the raster has
    /// [`PNG_SCALE`] times as many pixels each way.
    pub width: u32,
    /// Display height in CSS pixels (the SVG's height).
    pub height: u32,
}

/// The one font database: DejaVu Sans for every family, nothing from the
/// system.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(dejavu::sans::regular().to_vec());
            db.load_font_data(dejavu::sans::bold().to_vec());
            let family = "DejaVu Sans";
            db.set_serif_family(family);
            db.set_sans_serif_family(family);
            db.set_monospace_family(family);
            db.set_cursive_family(family);
            db.set_fantasy_family(family);
            Arc::new(db)
        })
        .clone()
}

impl Figure {
    /// The figure as a PNG at [`PNG_SCALE`] times its SVG size, on an opaque
    /// background (the plots fill theirs white). The same figure gives the
    /// same bytes on any machine.
    ///
    /// ```
    /// let fig = analysis::plots::bar_chart(&[("a".into(), 1.0)], "One bar", "count").unwrap();
    /// let png = fig.to_png().unwrap();
    /// assert!(png.data.starts_with(b"\x89PNG"));
    /// assert!(png.width > 0 && png.height > 0);
    /// ```
    pub fn to_png(&self) -> Result<Png> {
        let fail = |what: String| {
            AnalysisError::computation(format!("rasterising \"{}\": {what}", self.title))
        };
        let options = usvg::Options {
            fontdb: fonts(),
            font_family: "DejaVu Sans".to_owned(),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(&self.svg, &options).map_err(|e| fail(e.to_string()))?;
        let size = tree.size().to_int_size();
        let (width, height) = (size.width(), size.height());
        let (px_w, px_h) = (
            (width as f32 * PNG_SCALE).round() as u32,
            (height as f32 * PNG_SCALE).round() as u32,
        );
        if u64::from(px_w) * u64::from(px_h) > MAX_PIXELS {
            return Err(fail(format!(
                "{width} × {height} px is too large (at most {MAX_PIXELS} device pixels)"
            )));
        }
        let mut pixmap = tiny_skia::Pixmap::new(px_w, px_h)
            .ok_or_else(|| fail(format!("cannot make a {px_w} × {px_h} raster")))?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE),
            &mut pixmap.as_mut(),
        );
        let data = encode(&pixmap).map_err(|e| fail(e.to_string()))?;
        Ok(Png {
            data,
            width,
            height,
        })
    }
}

/// Encodes an opaque raster as PNG: with a palette when it has at most 256
/// colours (lossless, about 40 % smaller for these plots), else as RGB.
///
/// Written here because the `png` crate encodes a palette image but does not
/// choose one; a quantizing crate would change colours, and `oxipng` (which
/// does this reduction among many others) brings a second compressor and
/// takes seconds per figure.
fn encode(pixmap: &tiny_skia::Pixmap) -> std::result::Result<Vec<u8>, png::EncodingError> {
    // The background is opaque white, so every pixel is opaque and its
    // premultiplied RGB is its colour.
    let rgb: Vec<[u8; 3]> = pixmap
        .data()
        .chunks_exact(4)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    let image: Vec<u8> = match palette(&rgb) {
        Some((colours, indices)) => {
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(colours.concat());
            indices
        }
        None => {
            encoder.set_color(png::ColorType::Rgb);
            rgb.concat()
        }
    };
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&image)?;
    writer.finish()?;
    Ok(out)
}

/// The colours in order of first appearance and each pixel's index, or
/// `None` beyond 256 colours.
fn palette(rgb: &[[u8; 3]]) -> Option<(Vec<[u8; 3]>, Vec<u8>)> {
    let mut colours: Vec<[u8; 3]> = Vec::new();
    let mut index_of = std::collections::HashMap::new();
    let mut indices = Vec::with_capacity(rgb.len());
    for &c in rgb {
        let i = match index_of.get(&c) {
            Some(&i) => i,
            None => {
                if colours.len() == 256 {
                    return None;
                }
                colours.push(c);
                let i = (colours.len() - 1) as u8;
                index_of.insert(c, i);
                i
            }
        };
        indices.push(i);
    }
    Some((colours, indices))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(data: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(data));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        let palette = reader.info().palette.as_ref().map(|p| p.to_vec());
        // Expand a palette image to RGB for the pixel checks.
        let rgb = match palette {
            Some(p) => buf
                .iter()
                .flat_map(|&i| p[3 * i as usize..3 * i as usize + 3].to_vec())
                .collect(),
            None => buf,
        };
        (info, rgb)
    }

    fn svg(body: &str) -> Figure {
        Figure {
            title: "test".into(),
            svg: format!(
                "<svg width=\"200\" height=\"50\" viewBox=\"0 0 200 50\" \
                 xmlns=\"http://www.w3.org/2000/svg\">\
                 <rect x=\"0\" y=\"0\" width=\"200\" height=\"50\" fill=\"#FFFFFF\"/>{body}</svg>"
            ),
        }
    }

    fn dark_pixels(rgb: &[u8]) -> usize {
        rgb.chunks_exact(3)
            .filter(|p| p.iter().all(|&c| c < 128))
            .count()
    }

    #[test]
    fn the_raster_is_twice_the_svg_size_and_the_display_size_is_the_svg_size() {
        let png = svg("").to_png().unwrap();
        assert_eq!((png.width, png.height), (200, 50));
        let (info, rgb) = decode(&png.data);
        assert_eq!((info.width, info.height), (400, 100));
        assert!(rgb.iter().all(|&c| c == 255), "an empty figure is white");
    }

    /// Text is drawn with the embedded font whatever family the SVG names,
    /// and bold text has more ink than regular text.
    #[test]
    fn text_is_drawn_with_the_embedded_font_for_any_family() {
        let text = |family: &str, weight: &str| {
            let fig = svg(&format!(
                "<text x=\"10\" y=\"35\" font-family=\"{family}\" font-size=\"24\" \
                 font-weight=\"{weight}\" fill=\"#000000\">Hé β ≥ …</text>"
            ));
            dark_pixels(&decode(&fig.to_png().unwrap().data).1)
        };
        let sans = text("sans-serif", "normal");
        assert!(sans > 500, "{sans} dark pixels");
        assert_eq!(text("No Such Font", "normal"), sans);
        assert_eq!(text("serif", "normal"), sans);
        assert!(text("sans-serif", "bold") > sans * 5 / 4);
    }

    #[test]
    fn the_same_figure_gives_the_same_bytes() {
        let fig = crate::plots::bar_chart(
            &[("Marketing".into(), 3.0), ("Personnel".into(), 5.0)],
            "Two bars",
            "count",
        )
        .unwrap();
        assert_eq!(fig.to_png().unwrap(), fig.to_png().unwrap());
    }

    #[test]
    fn few_colours_give_a_palette_and_many_give_rgb() {
        let few = svg("<rect x=\"10\" y=\"10\" width=\"50\" height=\"20\" fill=\"#0072B2\"/>");
        let (info, rgb) = decode(&few.to_png().unwrap().data);
        assert_eq!(info.color_type, png::ColorType::Indexed);
        // The rectangle's colour survives exactly.
        assert_eq!(
            &rgb[3 * (40 * 400 + 40)..3 * (40 * 400 + 40) + 3],
            [0, 0x72, 0xB2]
        );

        // 300 squares, each of its own colour.
        let squares: String = (0..300)
            .map(|i| {
                format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"1\" height=\"1\" fill=\"#{:02X}{:02X}00\"/>",
                    i % 200,
                    i / 200,
                    i % 256,
                    i / 256 * 100
                )
            })
            .collect();
        let (info, _) = decode(&svg(&squares).to_png().unwrap().data);
        assert_eq!(info.color_type, png::ColorType::Rgb);
    }

    #[test]
    fn bad_svg_and_huge_figures_are_errors_naming_the_figure() {
        let bad = Figure {
            title: "Broken".into(),
            svg: "<svg".into(),
        };
        let e = bad.to_png().unwrap_err().to_string();
        assert!(e.contains("rasterising \"Broken\""), "{e}");
        let huge = Figure {
            title: "Huge".into(),
            svg: "<svg width=\"20000\" height=\"20000\" xmlns=\"http://www.w3.org/2000/svg\"/>"
                .into(),
        };
        let e = huge.to_png().unwrap_err().to_string();
        assert!(e.contains("too large"), "{e}");
    }
}
