//! Rollup arithmetic. A bucket keeps the sample count and, per metric, the
//! sum and the maximum, so buckets merge exactly (a 1-hour bucket is the
//! merge of its minutes) and the average is `sum / n` when read.
//!
//! Minutes are built in memory from each round's samples and written once
//! they close; a closed minute is then merged into its hour and day with
//! one upsert each. No rollup ever rescans raw samples, except on start,
//! when the minute that was open at shutdown is rebuilt from them.

use std::collections::HashMap;

use super::metric::{Values, M};

pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;

/// The start of the bucket of width `step` holding `t` (Unix seconds).
pub fn bucket(t: i64, step: i64) -> i64 {
    t - t.rem_euclid(step)
}

/// Count, sums and maxima of the samples in one bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Agg {
    pub n: i64,
    pub sum: Values,
    pub max: Values,
}

fn add_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.saturating_add(y)),
        (x, None) | (None, x) => x,
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) | (None, x) => x,
    }
}

impl Agg {
    /// One sample.
    pub fn add(&mut self, v: &Values) {
        self.merge(&Agg {
            n: 1,
            sum: *v,
            max: *v,
        });
    }

    /// Another bucket's samples (the same arithmetic the SQL upsert does).
    pub fn merge(&mut self, other: &Agg) {
        self.n += other.n;
        for i in 0..M {
            self.sum[i] = add_opt(self.sum[i], other.sum[i]);
            self.max[i] = max_opt(self.max[i], other.max[i]);
        }
    }

    /// The bucket's averages. A metric reported by only some samples is
    /// averaged over all of them; in practice a series reports a metric
    /// every round or never.
    pub fn avg(&self) -> [Option<f64>; M] {
        let mut out = [None; M];
        if self.n > 0 {
            for (o, s) in out.iter_mut().zip(self.sum) {
                *o = s.map(|s| s as f64 / self.n as f64);
            }
        }
        out
    }
}

/// A minute that closed: what gets written to the 1-minute table and
/// merged into the hour and the day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closed {
    pub series: i64,
    pub minute: i64,
    pub agg: Agg,
}

/// The open minute of every series.
#[derive(Default)]
pub struct Minutes {
    open: HashMap<i64, (i64, Agg)>,
}

impl Minutes {
    /// Closes every open minute that starts before `minute` (the minute of
    /// the round about to be added), including those of series that
    /// stopped reporting.
    pub fn close_before(&mut self, minute: i64) -> Vec<Closed> {
        let mut closed = Vec::new();
        self.open.retain(|&series, (m, agg)| {
            if *m < minute {
                closed.push(Closed {
                    series,
                    minute: *m,
                    agg: std::mem::take(agg),
                });
                false
            } else {
                true
            }
        });
        closed.sort_by_key(|c| (c.series, c.minute));
        closed
    }

    /// Adds one sample to its series' open minute. Samples must come in
    /// time order per series (call [`Minutes::close_before`] first).
    pub fn add(&mut self, series: i64, t: i64, v: &Values) {
        let minute = bucket(t, MINUTE);
        let (m, agg) = self.open.entry(series).or_insert((minute, Agg::default()));
        if *m != minute {
            // Out of order: keep the newer minute, the older sample is in raw.
            if minute < *m {
                return;
            }
            *m = minute;
            *agg = Agg::default();
        }
        agg.add(v);
    }

    pub fn len(&self) -> usize {
        self.open.len()
    }

    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(cpu: i64, mem: Option<i64>) -> Values {
        let mut v = [None; M];
        v[0] = Some(cpu);
        v[4] = mem;
        v
    }

    #[test]
    fn buckets_align_to_their_width() {
        assert_eq!(bucket(125, MINUTE), 120);
        assert_eq!(bucket(120, MINUTE), 120);
        assert_eq!(bucket(7_199, HOUR), 3_600);
        assert_eq!(bucket(-1, MINUTE), -60);
        assert_eq!(bucket(1_700_000_000, DAY) % DAY, 0);
    }

    #[test]
    fn average_and_maximum_of_a_bucket() {
        let mut a = Agg::default();
        for cpu in [10, 20, 60] {
            a.add(&v(cpu, None));
        }
        assert_eq!(a.n, 3);
        assert_eq!(a.sum[0], Some(90));
        assert_eq!(a.max[0], Some(60));
        assert_eq!(a.avg()[0], Some(30.0));
        assert_eq!(a.avg()[4], None, "an unreported metric stays unreported");
    }

    #[test]
    fn merged_minutes_equal_the_hour_computed_at_once() {
        let samples: Vec<Values> = (0..360).map(|i| v(i % 97, Some(i * 3))).collect();
        let mut whole = Agg::default();
        samples.iter().for_each(|s| whole.add(s));
        let mut merged = Agg::default();
        for minute in samples.chunks(6) {
            let mut m = Agg::default();
            minute.iter().for_each(|s| m.add(s));
            merged.merge(&m);
        }
        assert_eq!(merged, whole);
    }

    #[test]
    fn minutes_close_when_the_next_one_starts() {
        let mut mins = Minutes::default();
        for t in [0, 10, 20, 30, 40, 50] {
            assert!(mins.close_before(bucket(t, MINUTE)).is_empty());
            mins.add(7, t, &v(t, None));
        }
        mins.add(8, 50, &v(1, None));
        let closed = mins.close_before(60);
        assert_eq!(closed.len(), 2);
        assert_eq!(
            (closed[0].series, closed[0].minute, closed[0].agg.n),
            (7, 0, 6)
        );
        assert_eq!(closed[0].agg.avg()[0], Some(25.0));
        assert_eq!(
            closed[1].series, 8,
            "a series that stopped reporting closes too"
        );
        assert!(mins.is_empty());
    }
}
