//! The text on and around a chart: axis times by locale, hover timestamps,
//! values, and escaping for SVG.

use crate::history::range::{civil_from_days, format_date};
use crate::i18n::Locale;

/// A time label for the axis, by how long the range is.
pub fn axis_time(t: i64, span: i64, locale: Locale) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let (hh, mm) = (t.rem_euclid(86_400) / 3_600, t.rem_euclid(3_600) / 60);
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match locale {
        _ if span <= 86_400 => format!("{hh:02}:{mm:02}"),
        Locale::En if span <= 62 * 86_400 => format!("{} {d}", EN[m as usize - 1]),
        Locale::ZhCn if span <= 62 * 86_400 => format!("{m}月{d}日"),
        Locale::En => format!("{} {y}", EN[m as usize - 1]),
        Locale::ZhCn => format!("{y}年{m}月"),
    }
}

/// A full timestamp for hover titles and CSV (UTC).
pub fn full_time(t: i64) -> String {
    format!(
        "{} {:02}:{:02} UTC",
        format_date(t),
        t.rem_euclid(86_400) / 3_600,
        t.rem_euclid(3_600) / 60
    )
}

/// A value with a sensible number of decimals.
pub fn number(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Escapes text for SVG.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
