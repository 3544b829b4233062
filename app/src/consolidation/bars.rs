//! Grouped bar charts as SVG (the savings page: servers, energy and cost
//! before and after, each workspace's share), drawn by plotters with the
//! history charts' palette; each bar carries a `<title>` with its value so
//! hovering shows it without JavaScript. Pure: data in, SVG text out.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::history::chart::{append, empty_note, escape, legend, number, Palette};

const WIDTH: u32 = 720;
const HEIGHT: u32 = 280;

/// One chart: groups along the x axis, one bar per series in each.
#[derive(Clone, Debug)]
pub struct Bars {
    pub title: String,
    pub unit: String,
    /// The series' names (the legend), in bar order within a group.
    pub series: Vec<String>,
    /// Each group's label and its value for every series.
    pub groups: Vec<(String, Vec<f64>)>,
    pub palette: Palette,
    /// Shown when there is nothing to draw.
    pub empty: String,
}

const COLORS: [RGBColor; 4] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
];

/// The chart as SVG.
pub fn render(bars: &Bars) -> String {
    let mut svg = String::new();
    let mut titles = Vec::new();
    if let Err(err) = draw(bars, &mut svg, &mut titles) {
        tracing::warn!(error = %err, "bar chart not drawn");
    }
    let mut extra = String::from("<g class=\"hover\" fill=\"transparent\">");
    for (x, y, w, h, title) in titles {
        extra.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"><title>{}</title></rect>",
            escape(&title)
        ));
    }
    extra.push_str("</g>");
    append(svg, extra, bars.palette)
}

/// A bar's hover box in pixels and its text.
type Title = (i32, i32, i32, i32, String);

fn draw(
    bars: &Bars,
    out: &mut String,
    titles: &mut Vec<Title>,
) -> Result<(), Box<dyn std::error::Error>> {
    let (bg, fg, grid_c) = bars.palette.colors();
    let top = (bars.groups.iter())
        .flat_map(|g| g.1.iter().copied())
        .fold(0.0f64, f64::max);
    let ymax = if top > 0.0 { top * 1.15 } else { 1.0 };
    let n = bars.groups.len().max(1);
    let root = SVGBackend::with_string(out, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&bg)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&bars.title, ("sans-serif", 17).into_font().color(&fg))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n as f64, 0f64..ymax)?;
    let fmt_y = |v: &f64| number(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(5)
        .y_label_formatter(&fmt_y)
        .y_desc(bars.unit.as_str())
        .axis_style(fg)
        .label_style(("sans-serif", 13).into_font().color(&fg))
        .bold_line_style(grid_c)
        .light_line_style(TRANSPARENT)
        .draw()?;
    let per = bars.series.len().max(1);
    let width = 0.8 / per as f64;
    for (s, name) in bars.series.iter().enumerate() {
        let color = COLORS[s % COLORS.len()];
        let rects = bars.groups.iter().enumerate().map(|(g, (_, v))| {
            let x0 = g as f64 + 0.1 + s as f64 * width;
            let value = v.get(s).copied().unwrap_or(0.0);
            Rectangle::new([(x0, 0.0), (x0 + width * 0.92, value)], color.filled())
        });
        chart
            .draw_series(rects)?
            .label(name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        for (g, (label, v)) in bars.groups.iter().enumerate() {
            let value = v.get(s).copied().unwrap_or(0.0);
            let x0 = g as f64 + 0.1 + s as f64 * width;
            let (px0, py0) = chart.backend_coord(&(x0, value));
            let (px1, py1) = chart.backend_coord(&(x0 + width * 0.92, 0.0));
            let text = format!("{label} — {name}: {} {}", number(value), bars.unit);
            titles.push((px0, py0, (px1 - px0).max(1), (py1 - py0).max(1), text));
        }
    }
    let below = ("sans-serif", 13)
        .into_font()
        .color(&fg)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (g, (label, _)) in bars.groups.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(g as f64 + 0.5, 0.0));
        root.draw_text(label, &below, (x, y + 8))?;
    }
    if top > 0.0 {
        legend(&mut chart, SeriesLabelPosition::UpperRight, bars.palette)?;
    } else {
        empty_note(
            &root,
            chart.plotting_area().get_pixel_range(),
            fg,
            &bars.empty,
        )?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(groups: Vec<(String, Vec<f64>)>) -> Bars {
        Bars {
            title: "Servers".into(),
            unit: "hosts".into(),
            series: vec!["now".into(), "after".into()],
            groups,
            palette: Palette::Light,
            empty: "nothing yet".into(),
        }
    }

    #[test]
    fn each_bar_has_its_value_on_hover_and_names_are_escaped() {
        let svg = render(&bars(vec![("Line <3>".into(), vec![4.0, 1.0])]));
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(
            svg.contains("<title>Line &lt;3&gt; — now: 4.00 hosts</title>"),
            "{svg}"
        );
        assert!(svg.contains("<title>Line &lt;3&gt; — after: 1.00 hosts</title>"));
        assert!(!svg.contains("nothing yet"));
    }

    #[test]
    fn no_data_says_so() {
        let svg = render(&bars(vec![("a".into(), vec![0.0, 0.0])]));
        assert!(svg.contains("nothing yet"));
    }
}
