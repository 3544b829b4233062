use super::*;

fn spec(lines: Vec<Line>, stacked: bool) -> Spec {
    Spec {
        title: "CPU".into(),
        unit: "%".into(),
        lines,
        stacked,
        from: 0,
        to: 3_600,
        step: 10,
        palette: Palette::Light,
        locale: Locale::En,
        note: None,
        empty: "No data".into(),
    }
}

fn line(label: &str, v: f64) -> Line {
    Line {
        label: label.into(),
        combine: Combine::Mean,
        points: (0..360).map(|i| (i * 10, v)).collect(),
    }
}

#[test]
fn buckets_average_or_take_the_maximum() {
    let pts = [(0, 1.0), (5, 3.0), (25, 7.0)];
    assert_eq!(
        bucketize(&pts, Combine::Mean, 0, 10, 3),
        vec![Some(2.0), None, Some(7.0)]
    );
    assert_eq!(
        bucketize(&pts, Combine::Max, 0, 10, 3),
        vec![Some(3.0), None, Some(7.0)]
    );
}

#[test]
fn gaps_break_lines() {
    let v = [
        Some(1.0),
        Some(1.0),
        None,
        Some(2.0),
        None,
        None,
        None,
        Some(3.0),
    ];
    let segs = segments(&v);
    assert_eq!(segs.len(), 2);
    assert_eq!(segs[0].len(), 3);
}

#[test]
fn svg_has_hover_titles_with_values() {
    let svg = render(&spec(vec![line("avg <1>", 12.5)], false));
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("<title>1970-01-01 00:00 UTC — avg &lt;1&gt;: 12.5 %"));
    assert!(svg.contains("00:30"), "time axis labels");
}

#[test]
fn stacked_titles_show_each_band_not_the_sum() {
    let svg = render(&spec(vec![line("h1", 2.0), line("h2", 3.0)], true));
    assert!(svg.contains("h1: 2.00 %; h2: 3.00 %"));
}

#[test]
fn an_empty_chart_says_so() {
    let svg = render(&spec(vec![], false));
    assert!(svg.contains("No data"));
}

#[test]
fn axis_labels_follow_the_locale() {
    let t = 20_000 * 86_400; // 2024-10-04
    assert_eq!(axis_time(t, 7 * 86_400, Locale::En), "Oct 4");
    assert_eq!(axis_time(t, 7 * 86_400, Locale::ZhCn), "10月4日");
    assert_eq!(axis_time(t, 365 * 86_400, Locale::ZhCn), "2024年10月");
}

#[test]
fn a_series_csv_keeps_imported_names_as_text() {
    // A trace's entity names come from an uploaded file.
    let csv = crate::history::panel::csv(&spec(vec![line("=cmd|' /C calc'!A0", -1.5)], false));
    let first = csv.lines().nth(1).unwrap();
    assert!(
        first.ends_with(",\"'=cmd|' /C calc'!A0\",-1.5,\"%\""),
        "{first}"
    );
}
