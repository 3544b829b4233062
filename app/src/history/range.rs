//! Chart ranges and the resolution each is read from. Shared by both
//! builds: pages build range links with it, the server reads with it.

use serde::{Deserialize, Serialize};

/// The range buttons above every chart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Span {
    Hour,
    #[default]
    Day,
    Week,
    Month,
    Year,
    /// From/to dates picked by the user.
    Custom,
}

impl Span {
    pub const PRESETS: [Span; 5] = [Span::Hour, Span::Day, Span::Week, Span::Month, Span::Year];

    pub fn as_str(self) -> &'static str {
        match self {
            Span::Hour => "hour",
            Span::Day => "day",
            Span::Week => "week",
            Span::Month => "month",
            Span::Year => "year",
            Span::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Span> {
        Self::PRESETS
            .into_iter()
            .chain([Span::Custom])
            .find(|r| r.as_str() == s)
    }

    /// Length of a preset in seconds.
    pub fn secs(self) -> Option<i64> {
        Some(match self {
            Span::Hour => 3_600,
            Span::Day => 86_400,
            Span::Week => 7 * 86_400,
            Span::Month => 30 * 86_400,
            Span::Year => 365 * 86_400,
            Span::Custom => return None,
        })
    }
}

/// Where samples are read from, finest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resolution {
    Raw,
    Minute,
    Hour,
    Day,
}

impl Resolution {
    pub const ALL: [Resolution; 4] = [
        Resolution::Raw,
        Resolution::Minute,
        Resolution::Hour,
        Resolution::Day,
    ];

    pub fn table(self) -> &'static str {
        match self {
            Resolution::Raw => "history_raw",
            Resolution::Minute => "history_1m",
            Resolution::Hour => "history_1h",
            Resolution::Day => "history_1d",
        }
    }

    /// Width of one point, given the collection interval for raw samples.
    pub fn step(self, interval_secs: i64) -> i64 {
        match self {
            Resolution::Raw => interval_secs.max(1),
            Resolution::Minute => 60,
            Resolution::Hour => 3_600,
            Resolution::Day => 86_400,
        }
    }

    pub fn coarser(self) -> Option<Resolution> {
        match self {
            Resolution::Raw => Some(Resolution::Minute),
            Resolution::Minute => Some(Resolution::Hour),
            Resolution::Hour => Some(Resolution::Day),
            Resolution::Day => None,
        }
    }
}

/// How long each resolution is kept, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    pub raw: i64,
    pub minute: i64,
    pub hour: i64,
    pub day: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            raw: 86_400,
            minute: 14 * 86_400,
            hour: 365 * 86_400,
            day: 10 * 365 * 86_400,
        }
    }
}

impl Retention {
    pub fn of(&self, r: Resolution) -> i64 {
        match r {
            Resolution::Raw => self.raw,
            Resolution::Minute => self.minute,
            Resolution::Hour => self.hour,
            Resolution::Day => self.day,
        }
    }
}

/// Most points a chart reads per series; more would be finer than pixels.
pub const MAX_POINTS: i64 = 1_500;

/// The finest resolution that still holds `from` and gives at most
/// [`MAX_POINTS`] points over `[from, to)`; the coarsest if none does.
pub fn choose(from: i64, to: i64, now: i64, interval_secs: i64, keep: &Retention) -> Resolution {
    let span = (to - from).max(1);
    Resolution::ALL
        .into_iter()
        .find(|&r| now - from <= keep.of(r) && span / r.step(interval_secs) <= MAX_POINTS)
        .unwrap_or(Resolution::Day)
}

/// A resolved time window `[from, to)` in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub span: Span,
    pub from: i64,
    pub to: i64,
}

impl Window {
    /// From the query string values `range`, `from`, `to` (dates
    /// `YYYY-MM-DD`, `to` inclusive); bad input falls back to the last day.
    pub fn parse(range: Option<&str>, from: Option<&str>, to: Option<&str>, now: i64) -> Window {
        let span = range.and_then(Span::parse).unwrap_or_default();
        if span == Span::Custom {
            let f = from.and_then(parse_date);
            let t = to.and_then(parse_date).map(|d| d + 86_400);
            if let (Some(f), Some(t)) = (f, t) {
                if f < t {
                    return Window {
                        span,
                        from: f,
                        to: t.min(now.max(f + 1)),
                    };
                }
            }
            return Window::parse(None, None, None, now);
        }
        let secs = span.secs().unwrap_or(86_400);
        Window {
            span,
            from: now - secs,
            to: now,
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DD` → Unix seconds at 00:00 UTC.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days * 86_400)
}

/// Unix seconds → `YYYY-MM-DD` (UTC).
pub fn format_date(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_000_000;

    fn res(span: Span) -> Resolution {
        let w = Window::parse(Some(span.as_str()), None, None, NOW);
        choose(w.from, w.to, NOW, 10, &Retention::default())
    }

    #[test]
    fn each_preset_reads_its_resolution() {
        assert_eq!(res(Span::Hour), Resolution::Raw);
        assert_eq!(res(Span::Day), Resolution::Minute);
        assert_eq!(res(Span::Week), Resolution::Hour);
        assert_eq!(res(Span::Month), Resolution::Hour);
        assert_eq!(res(Span::Year), Resolution::Day);
    }

    #[test]
    fn an_old_custom_range_skips_resolutions_already_pruned() {
        // One hour, but 30 days ago: raw and minutes are gone by then.
        let from = NOW - 30 * 86_400;
        assert_eq!(
            choose(from, from + 3_600, NOW, 10, &Retention::default()),
            Resolution::Hour
        );
        // Longer retentions allow finer reads.
        let keep = Retention {
            minute: 60 * 86_400,
            ..Retention::default()
        };
        assert_eq!(
            choose(from, from + 3_600, NOW, 10, &keep),
            Resolution::Minute
        );
    }

    #[test]
    fn custom_dates_parse_and_bad_input_falls_back() {
        let w = Window::parse(Some("custom"), Some("2025-11-01"), Some("2025-11-02"), NOW);
        assert_eq!(w.span, Span::Custom);
        assert_eq!(w.to - w.from, 2 * 86_400);
        assert_eq!(format_date(w.from), "2025-11-01");
        let bad = Window::parse(Some("custom"), Some("2025-02-30"), Some("x"), NOW);
        assert_eq!(bad.span, Span::Day);
        let reversed = Window::parse(Some("custom"), Some("2025-11-05"), Some("2025-11-01"), NOW);
        assert_eq!(reversed.span, Span::Day);
    }

    #[test]
    fn dates_round_trip() {
        for days in [-1, 0, 59, 365, 11_016, 20_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(parse_date("1970-01-02"), Some(86_400));
        assert_eq!(
            parse_date("2024-02-29").map(format_date).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(parse_date("2023-02-29"), None);
    }
}
