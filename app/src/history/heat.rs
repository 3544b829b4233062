//! The dashboard's heat strip: one row per host, one cell per half hour of
//! the last day, coloured by CPU use; each cell's `<title>` gives the value.

use plotters::prelude::*;

use super::chart::{axis_time, bucketize, escape, full_time, Combine, Palette};
use crate::i18n::Locale;

const LABEL_W: i32 = 130;
const ROW_H: i32 = 22;
const CELLS: usize = 48;
const WIDTH: i32 = 720;

/// One host's row: its name and CPU % points.
pub struct Row {
    pub label: String,
    pub points: Vec<(i64, f64)>,
}

/// Colour of a CPU percentage: pale green (idle) through amber to red.
pub fn shade(pct: f64) -> RGBColor {
    let p = (pct / 100.0).clamp(0.0, 1.0);
    let lerp =
        |a: u8, b: u8, t: f64| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    let (a, b, t) = if p < 0.5 {
        ((0xd9, 0xf0, 0xd3), (0xf6, 0xc3, 0x4a), p * 2.0)
    } else {
        ((0xf6, 0xc3, 0x4a), (0xc6, 0x28, 0x28), (p - 0.5) * 2.0)
    };
    RGBColor(lerp(a.0, b.0, t), lerp(a.1, b.1, t), lerp(a.2, b.2, t))
}

/// One row's cells, and their hover titles into `titles`.
fn draw_cells(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    row: &Row,
    (y, cell_w): (i32, f64),
    (from, w): (i64, i64),
    none: RGBColor,
    titles: &mut String,
) {
    let cells = bucketize(&row.points, Combine::Mean, from, w, CELLS);
    for (c, v) in cells.iter().enumerate() {
        let x0 = LABEL_W + (c as f64 * cell_w) as i32;
        let x1 = LABEL_W + ((c + 1) as f64 * cell_w) as i32 - 1;
        let color = v.map_or(none, shade);
        let _ = root.draw(&Rectangle::new(
            [(x0, y), (x1, y + ROW_H - 3)],
            color.filled(),
        ));
        let value = v.map_or_else(|| "—".to_string(), |v| format!("{v:.1} %"));
        let title = format!(
            "{} · {} · {value}",
            row.label,
            full_time(from + c as i64 * w)
        );
        titles.push_str(&format!(
            "<rect x=\"{x0}\" y=\"{y}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
            x1 - x0 + 1,
            ROW_H - 3,
            escape(&title)
        ));
    }
}

/// Draws the strip over `[from, to)`; `unit` follows values in titles.
pub fn render(
    rows: &[Row],
    from: i64,
    to: i64,
    palette: Palette,
    locale: Locale,
    empty: &str,
) -> String {
    let height = 24 + ROW_H * rows.len().max(1) as i32;
    let w = ((to - from) / CELLS as i64).max(1);
    let cell_w = f64::from(WIDTH - LABEL_W - 8) / CELLS as f64;
    let (bg, fg, none) = match palette {
        Palette::Dark => (
            RGBColor(0x1b, 0x1f, 0x24),
            RGBColor(0xdd, 0xe1, 0xe6),
            RGBColor(0x2a, 0x2f, 0x36),
        ),
        _ => (
            WHITE,
            RGBColor(0x22, 0x27, 0x2e),
            RGBColor(0xf0, 0xf2, 0xf4),
        ),
    };
    let mut svg = String::new();
    let mut titles = String::from("<g class=\"hover\" fill=\"transparent\">");
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH as u32, height as u32)).into_drawing_area();
        let font = ("sans-serif", 12).into_font().color(&fg);
        let _ = root.fill(&bg);
        if rows.is_empty() {
            let _ = root.draw_text(empty, &font, (8, 8));
        }
        for (r, row) in rows.iter().enumerate() {
            let y = 4 + r as i32 * ROW_H;
            let _ = root.draw_text(&row.label, &font, (4, y + 5));
            draw_cells(&root, row, (y, cell_w), (from, w), none, &mut titles);
        }
        let axis_y = 6 + rows.len().max(1) as i32 * ROW_H;
        for c in (0..=CELLS).step_by(8) {
            let x = LABEL_W + (c as f64 * cell_w) as i32;
            let _ = root.draw_text(
                &axis_time(from + c as i64 * w, to - from, locale),
                &font,
                (x - 14, axis_y),
            );
        }
        let _ = root.present();
    }
    titles.push_str("</g>");
    if palette == Palette::Auto {
        titles.push_str("<style>@media (prefers-color-scheme: dark){svg{filter:invert(.88) hue-rotate(180deg)}}</style>");
    }
    match svg.rfind("</svg>") {
        Some(at) => svg.insert_str(at, &titles),
        None => svg.push_str(&titles),
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_is_pale_and_busy_is_red() {
        assert_eq!(shade(0.0), RGBColor(0xd9, 0xf0, 0xd3));
        assert_eq!(shade(100.0), RGBColor(0xc6, 0x28, 0x28));
        assert_eq!(shade(250.0), shade(100.0));
    }

    #[test]
    fn one_row_per_host_with_titled_cells() {
        let rows = [Row {
            label: "h1".into(),
            points: vec![(0, 40.0), (1_800, 80.0)],
        }];
        let svg = render(&rows, 0, 86_400, Palette::Light, Locale::En, "none");
        assert_eq!(svg.matches("<title>").count(), CELLS);
        assert!(svg.contains("h1 · 1970-01-01 00:00 UTC · 40.0 %"));
        assert!(svg.contains("h1 · 1970-01-01 00:30 UTC · 80.0 %"));
    }
}
