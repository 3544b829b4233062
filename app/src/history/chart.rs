//! Charts as SVG, drawn by plotters on the server: themed, with localized
//! time labels, and a `<title>` per time band so hovering shows the values
//! without JavaScript. Pure: data in, SVG text out.

use plotters::prelude::*;

mod labels;

use crate::i18n::Locale;
pub use labels::{axis_time, escape, full_time, number};

pub const WIDTH: u32 = 720;
pub const HEIGHT: u32 = 260;
/// Buckets across the plot: about two pixels each.
const BUCKETS: i64 = 320;
/// Hover bands across the plot.
const BANDS: usize = 64;

/// How a line's points combine within one drawn bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    Mean,
    Max,
}

/// One line (or stacked band) of a chart, in display units.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub label: String,
    pub combine: Combine,
    pub points: Vec<(i64, f64)>,
}

/// Light or dark; `Auto` draws light and lets the browser invert it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Palette {
    Light,
    Dark,
    Auto,
}

impl Palette {
    /// Background, text and grid colours.
    pub fn colors(self) -> (RGBColor, RGBColor, RGBColor) {
        match self {
            Palette::Dark => (
                RGBColor(0x1b, 0x1f, 0x24),
                RGBColor(0xdd, 0xe1, 0xe6),
                RGBColor(0x3a, 0x40, 0x48),
            ),
            _ => (
                WHITE,
                RGBColor(0x22, 0x27, 0x2e),
                RGBColor(0xe3, 0xe6, 0xea),
            ),
        }
    }
}

/// Draws the legend of `chart` at `at`.
pub fn legend<'a, 'b: 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
    at: SeriesLabelPosition,
    palette: Palette,
) -> Result<(), Box<dyn std::error::Error>> {
    let (bg, fg, grid) = palette.colors();
    chart
        .configure_series_labels()
        .position(at)
        .background_style(bg.mix(0.85))
        .border_style(grid)
        .label_font(("sans-serif", 13).into_font().color(&fg))
        .draw()?;
    Ok(())
}

/// Writes `text` in the middle of the plot `area` (pixels): a chart with
/// nothing to draw says so.
pub fn empty_note(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    (xr, yr): (std::ops::Range<i32>, std::ops::Range<i32>),
    fg: RGBColor,
    text: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let style = ("sans-serif", 13)
        .into_font()
        .color(&fg)
        .pos(Pos::new(HPos::Center, VPos::Center));
    root.draw_text(
        text,
        &style,
        ((xr.start + xr.end) / 2, (yr.start + yr.end) / 2),
    )?;
    Ok(())
}

/// Adds `extra` (hover boxes) to the end of `svg`, with the style that
/// inverts an `Auto` chart in a dark browser.
pub fn append(mut svg: String, mut extra: String, palette: Palette) -> String {
    if palette == Palette::Auto {
        extra.push_str("<style>@media (prefers-color-scheme: dark){svg{filter:invert(.88) hue-rotate(180deg)}}</style>");
    }
    match svg.rfind("</svg>") {
        Some(at) => svg.insert_str(at, &extra),
        None => svg.push_str(&extra),
    }
    svg
}

/// Everything one chart shows.
#[derive(Clone, Debug)]
pub struct Spec {
    pub title: String,
    pub unit: String,
    pub lines: Vec<Line>,
    pub stacked: bool,
    pub from: i64,
    pub to: i64,
    /// Width of one stored point (the resolution read).
    pub step: i64,
    pub palette: Palette,
    pub locale: Locale,
    /// Shown under the title (e.g. that the data are a replayed trace).
    pub note: Option<String>,
    /// Shown in the plot when there is nothing to draw.
    pub empty: String,
}

const COLORS: [RGBColor; 8] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0x7f, 0x7f, 0x7f),
];

/// Averages (or maxima) of `points` per bucket of width `w` from `from`.
pub fn bucketize(
    points: &[(i64, f64)],
    combine: Combine,
    from: i64,
    w: i64,
    n: usize,
) -> Vec<Option<f64>> {
    let mut acc: Vec<(f64, u32)> = vec![(0.0, 0); n];
    for &(t, v) in points {
        let i = (t - from).div_euclid(w);
        if let Some((s, c)) = usize::try_from(i).ok().and_then(|i| acc.get_mut(i)) {
            *s = match combine {
                Combine::Mean => *s + v,
                Combine::Max if *c == 0 => v,
                Combine::Max => s.max(v),
            };
            *c += 1;
        }
    }
    acc.into_iter()
        .map(|(s, c)| {
            (c > 0).then(|| {
                if combine == Combine::Mean {
                    s / f64::from(c)
                } else {
                    s
                }
            })
        })
        .collect()
}

/// The bucket grid of a spec: width and count.
fn grid(spec: &Spec) -> (i64, usize) {
    let span = (spec.to - spec.from).max(1);
    let w = bucket_width(spec.from, spec.to, spec.step);
    (w, ((span + w - 1) / w) as usize)
}

/// Seconds per drawn bucket over `[from, to)` with points `step` apart; the
/// store can aggregate to it before the chart sees the rows.
pub fn bucket_width(from: i64, to: i64, step: i64) -> i64 {
    ((to - from).max(1) / BUCKETS).max(step * 2).max(1)
}

/// Bucketed values per line; stacked lines become cumulative.
fn series(spec: &Spec) -> Vec<Vec<Option<f64>>> {
    let (w, n) = grid(spec);
    let mut out: Vec<Vec<Option<f64>>> = spec
        .lines
        .iter()
        .map(|l| bucketize(&l.points, l.combine, spec.from, w, n))
        .collect();
    if spec.stacked {
        for i in 1..out.len() {
            let (lower, upper) = out.split_at_mut(i);
            for (v, below) in upper[0].iter_mut().zip(&lower[i - 1]) {
                *v = match (*below, *v) {
                    (Some(a), Some(x)) => Some(a + x),
                    (a, x) => a.or(x),
                };
            }
        }
    }
    out
}

/// Draws the chart.
pub fn render(spec: &Spec) -> String {
    let values = series(spec);
    let mut svg = String::new();
    let area = draw(spec, &values, &mut svg).unwrap_or_else(|err| {
        tracing::warn!(error = %err, "chart not drawn");
        (0..0, 0..0)
    });
    finish(spec, &values, svg, area)
}

type Pixels = (std::ops::Range<i32>, std::ops::Range<i32>);

fn draw(
    spec: &Spec,
    values: &[Vec<Option<f64>>],
    out: &mut String,
) -> Result<Pixels, Box<dyn std::error::Error>> {
    let (bg, fg, grid_c) = spec.palette.colors();
    let (w, _) = grid(spec);
    let top = values
        .iter()
        .flatten()
        .flatten()
        .fold(0.0f64, |a, &b| a.max(b));
    let ymax = if top <= 0.0 { 1.0 } else { top * 1.1 };
    let root = SVGBackend::with_string(out, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&bg)?;
    let caption = match &spec.note {
        Some(note) => format!("{} — {}", spec.title, note),
        None => spec.title.clone(),
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 17).into_font().color(&fg))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(62)
        .build_cartesian_2d(spec.from..spec.to, 0f64..ymax)?;
    let span = spec.to - spec.from;
    let fmt_x = |t: &i64| axis_time(*t, span, spec.locale);
    let fmt_y = |v: &f64| number(*v);
    chart
        .configure_mesh()
        .x_labels(7)
        .y_labels(5)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .y_desc(spec.unit.as_str())
        .axis_style(fg)
        .label_style(("sans-serif", 13).into_font().color(&fg))
        .bold_line_style(grid_c)
        .light_line_style(TRANSPARENT)
        .draw()?;
    draw_series(&mut chart, spec, values, w)?;
    if values.iter().flatten().any(Option::is_some) {
        legend(&mut chart, SeriesLabelPosition::UpperLeft, spec.palette)?;
    } else {
        empty_note(
            &root,
            chart.plotting_area().get_pixel_range(),
            fg,
            &spec.empty,
        )?;
    }
    let area = chart.plotting_area().get_pixel_range();
    root.present()?;
    Ok(area)
}

type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordi64, plotters::coord::types::RangedCoordf64>,
>;

/// The lines (or stacked bands) with their legend entries.
fn draw_series(
    chart: &mut Chart<'_, '_>,
    spec: &Spec,
    values: &[Vec<Option<f64>>],
    w: i64,
) -> Result<(), Box<dyn std::error::Error>> {
    let x = |b: usize| spec.from + b as i64 * w + w / 2;
    // Stacked bands are drawn top first so each lower band paints over
    // it; lines last first, so the first (the average) stays on top.
    let order: Vec<usize> = (0..values.len()).rev().collect();
    for i in order {
        let color = COLORS[i % COLORS.len()];
        let mut labelled = false;
        for seg in segments(&values[i]) {
            let pts: Vec<(i64, f64)> = seg.iter().map(|&(b, v)| (x(b), v)).collect();
            let anno = if spec.stacked {
                chart.draw_series(AreaSeries::new(pts, 0.0, color.mix(0.55)).border_style(color))?
            } else {
                chart.draw_series(LineSeries::new(pts, color.stroke_width(2)))?
            };
            if !labelled {
                labelled = true;
                anno.label(spec.lines[i].label.clone())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 14, y)], color.stroke_width(3))
                    });
            }
        }
    }
    Ok(())
}

/// Runs of consecutive filled buckets; a gap of more than one bucket breaks
/// the line (the host or domain was not reporting).
fn segments(v: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut last: Option<usize> = None;
    for (b, x) in v.iter().enumerate() {
        let Some(x) = x else { continue };
        match (last, out.last_mut()) {
            (Some(l), Some(seg)) if b - l <= 2 => seg.push((b, *x)),
            _ => out.push(vec![(b, *x)]),
        }
        last = Some(b);
    }
    out
}

/// Adds the hover bands (one `<title>` each) and the theme style.
fn finish(spec: &Spec, values: &[Vec<Option<f64>>], svg: String, (xr, yr): Pixels) -> String {
    let (w, n) = grid(spec);
    let mut extra = String::from("<g class=\"hover\" fill=\"transparent\">");
    let per_band = n.div_ceil(BANDS).max(1);
    let px = f64::from(xr.end - xr.start) / n.max(1) as f64;
    for start in (0..n).step_by(per_band) {
        let end = (start + per_band).min(n);
        let parts: Vec<String> = spec
            .lines
            .iter()
            .zip(values)
            .filter_map(|(line, v)| {
                let own: Vec<f64> = (start..end)
                    .filter_map(|b| own_value(spec, values, line, v, b))
                    .collect();
                let val = match line.combine {
                    Combine::Max => own.iter().copied().reduce(f64::max),
                    Combine::Mean => {
                        (!own.is_empty()).then(|| own.iter().sum::<f64>() / own.len() as f64)
                    }
                }?;
                Some(format!("{}: {} {}", line.label, number(val), spec.unit))
            })
            .collect();
        if parts.is_empty() {
            continue;
        }
        let title = format!(
            "{} — {}",
            full_time(spec.from + start as i64 * w),
            parts.join("; ")
        );
        extra.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{}\"><title>{}</title></rect>",
            f64::from(xr.start) + start as f64 * px,
            yr.start,
            (end - start) as f64 * px,
            yr.end - yr.start,
            escape(&title)
        ));
    }
    extra.push_str("</g>");
    append(svg, extra, spec.palette)
}

/// A line's own value in bucket `b` (undoing the stacking).
fn own_value(
    spec: &Spec,
    values: &[Vec<Option<f64>>],
    line: &Line,
    v: &[Option<f64>],
    b: usize,
) -> Option<f64> {
    let here = v[b]?;
    if !spec.stacked {
        return Some(here);
    }
    let i = spec.lines.iter().position(|l| std::ptr::eq(l, line))?;
    let below = if i == 0 { None } else { values[i - 1][b] };
    Some(here - below.unwrap_or(0.0))
}

#[cfg(test)]
#[path = "chart_tests.rs"]
mod tests;
