//! Host power models as SPECpower tables: the watts drawn at 0 %, 10 %, …
//! 100 % CPU, linear between points, as CloudSim's `PowerModelSpecPower`
//! reads them (a host that is switched off draws nothing; that is the
//! caller's business).

/// Watts at 0 %, 10 %, … 100 % CPU.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerTable(pub [f64; 11]);

/// HP ProLiant ML110 G4 (Xeon 3040).
pub const ML110_G4: PowerTable = PowerTable([
    86.0, 89.4, 92.6, 96.0, 99.5, 102.0, 106.0, 108.0, 112.0, 114.0, 117.0,
]);
/// HP ProLiant ML110 G5 (Xeon 3075).
pub const ML110_G5: PowerTable = PowerTable([
    93.7, 97.0, 101.0, 105.0, 110.0, 116.0, 121.0, 125.0, 129.0, 133.0, 135.0,
]);
/// IBM x3550 (Xeon X5670).
pub const IBM_X3550: PowerTable = PowerTable([
    66.0, 107.0, 120.0, 131.0, 143.0, 156.0, 173.0, 191.0, 211.0, 229.0, 247.0,
]);

impl PowerTable {
    /// Watts at utilization `u` (0–1; outside it is held at the nearest
    /// end), with CloudSim's arithmetic step for step.
    pub fn watts(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let t = &self.0;
        if u % 0.1 == 0.0 {
            return t[(u * 10.0) as usize];
        }
        let a = (u * 10.0).floor() as usize;
        let b = ((u * 10.0).ceil() as usize).min(10);
        t[a] + (t[b] - t[a]) / 10.0 * (u - a as f64 / 10.0) * 100.0
    }

    /// Watts at full load.
    pub fn peak(&self) -> f64 {
        self.0[10]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_and_lines_between_them() {
        assert_eq!(ML110_G4.watts(0.0), 86.0);
        assert_eq!(ML110_G5.watts(1.0), 135.0);
        // Half way between 50 % (116) and 60 % (121).
        assert!((ML110_G5.watts(0.55) - 118.5).abs() < 1e-9);
        assert!((ML110_G4.watts(0.05) - 87.7).abs() < 1e-9);
    }
}
