//! Host overload detection as CloudSim's allocation policies do it: a
//! static threshold (THR), or an adaptive one from the host's utilization
//! history — inter-quartile range (IQR), median absolute deviation (MAD),
//! local regression (LR) — each falling back to a 0.7 threshold while the
//! history is short; and the statistics behind them.

use super::world::World;

/// The threshold every adaptive policy falls back to.
const FALLBACK: f64 = 0.7;

/// How a host is found overloaded, with its parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Detect {
    /// Requested share above the threshold.
    Thr(f64),
    /// Above 1 − s × IQR of the history (12 values at least).
    Iqr(f64),
    /// Above 1 − s × MAD of the history (12 values at least).
    Mad(f64),
    /// s × the next interval's value predicted by least squares over the 10
    /// newest values reaches 1.
    Lr(f64),
}

impl World {
    /// Whether host `h` is overloaded as `detect` sees it.
    pub fn overloaded(&self, h: usize, detect: Detect) -> bool {
        self.overloaded_with(h, None, detect)
    }

    /// Whether host `h` with VM `extra` added would be.
    pub fn overloaded_with(&self, h: usize, extra: Option<usize>, detect: Detect) -> bool {
        let share = self.requested_share(h, extra);
        match detect {
            Detect::Thr(t) => share > t,
            Detect::Iqr(s) | Detect::Mad(s) => {
                let mut d = self.host_history(h, extra);
                if d.len() < 12 {
                    return share > FALLBACK;
                }
                let spread = match detect {
                    Detect::Iqr(_) => iqr(&mut d),
                    _ => mad(&d),
                };
                share > 1.0 - s * spread
            }
            Detect::Lr(s) => {
                let d = self.host_history(h, extra);
                if d.len() < 10 {
                    return share > FALLBACK;
                }
                // Oldest to newest of the 10 newest, at x = 1..10.
                let y: Vec<f64> = (0..10).map(|i| d[9 - i]).collect();
                let (a, b) = least_squares(&y);
                // Every migration here ends within one interval.
                let predicted = (a + b * (10.0 + 1.0)) * s;
                predicted >= 1.0
            }
        }
    }
}

/// `MathUtil.iqr` (sorts `d`).
pub fn iqr(d: &mut [f64]) -> f64 {
    d.sort_by(f64::total_cmp);
    let n = d.len() as f64;
    let q1 = ((0.25 * (n + 1.0) + 0.5).floor() as usize).saturating_sub(1);
    let q3 = ((0.75 * (n + 1.0) + 0.5).floor() as usize).saturating_sub(1);
    d[q3] - d[q1]
}

/// The median (commons-math's legacy percentile at 50).
pub fn median(d: &[f64]) -> f64 {
    let mut s = d.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let pos = 0.5 * (n as f64 + 1.0);
    if pos < 1.0 {
        return s[0];
    }
    if pos >= n as f64 {
        return s[n - 1];
    }
    let f = pos.floor();
    let lower = s[f as usize - 1];
    lower + (pos - f) * (s[f as usize] - lower)
}

/// `MathUtil.mad`: the median of the absolute deviations from the median.
pub fn mad(d: &[f64]) -> f64 {
    let m = median(d);
    let dev: Vec<f64> = d.iter().map(|x| (x - m).abs()).collect();
    median(&dev)
}

/// Least squares of `y` on x = 1, 2, …: (intercept, slope), summed as
/// commons-math's `SimpleRegression` does.
pub fn least_squares(y: &[f64]) -> (f64, f64) {
    let (mut n, mut xbar, mut ybar, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &yi) in y.iter().enumerate() {
        let x = i as f64 + 1.0;
        if n == 0.0 {
            (xbar, ybar) = (x, yi);
        } else {
            let fact1 = 1.0 + n;
            let fact2 = n / (1.0 + n);
            let (dx, dy) = (x - xbar, yi - ybar);
            sxx += dx * dx * fact2;
            sxy += dx * dy * fact2;
            xbar += dx / fact1;
            ybar += dy / fact1;
        }
        n += 1.0;
    }
    let slope = sxy / sxx;
    (ybar - slope * xbar, slope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_by_hand() {
        let mut d: Vec<f64> = (1..=12).map(f64::from).collect();
        // n = 12: quartiles at the 3rd and 10th values.
        assert_eq!(iqr(&mut d), 7.0);
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
        assert_eq!(mad(&[1.0, 2.0, 3.0, 4.0, 100.0]), 1.0);
        let (a, b) = least_squares(&[3.0, 5.0, 7.0, 9.0]);
        assert!((a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12);
    }
}
