//! Which VM leaves an overloaded host: minimum migration time (MMT: the
//! least RAM) or maximum correlation (MC: the VM whose utilization history
//! the others' explain best, by multiple regression with intercept; MMT
//! when the regression cannot be made).

use super::world::World;

/// A VM selection policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    Mmt,
    Mc,
}

impl World {
    /// The VM to move off host `h` next, if any may move.
    pub fn pick(&self, h: usize, select: Select) -> Option<usize> {
        let vms: Vec<usize> = self.hosts[h]
            .vms
            .iter()
            .copied()
            .filter(|v| !self.vms[*v].migrating)
            .collect();
        let mmt = || {
            let mut best: Option<usize> = None;
            for &v in &vms {
                // RAM is an int in CloudSim; strict: the first of equals.
                if best.is_none_or(|b| self.vms[v].ram < self.vms[b].ram) {
                    best = Some(v);
                }
            }
            best
        };
        match select {
            Select::Mmt => mmt(),
            Select::Mc => self.most_correlated(&vms).or_else(mmt),
        }
    }

    /// MC's choice; `None` where CloudSim's regression throws.
    fn most_correlated(&self, vms: &[usize]) -> Option<usize> {
        let n = vms.len();
        let m = vms.iter().map(|v| self.vms[*v].history.len()).min()?;
        if n < 2 || m < n {
            return None;
        }
        let data: Vec<Vec<f64>> = vms
            .iter()
            .map(|v| self.vms[*v].history.iter().take(m).copied().collect())
            .collect();
        let mut r2 = Vec::with_capacity(n);
        for i in 0..n {
            let columns: Vec<&[f64]> = (0..n)
                .filter(|j| *j != i)
                .map(|j| data[j].as_slice())
                .collect();
            r2.push(r_squared(&data[i], &columns)?);
        }
        // Java's Double.MIN_VALUE: an R² of 0 or NaN never wins.
        let (mut max, mut idx) = (f64::from_bits(1), 0);
        for (i, r) in r2.iter().enumerate() {
            if *r > max {
                (max, idx) = (*r, i);
            }
        }
        Some(vms[idx])
    }
}

/// R² of `y` regressed on `columns` with an intercept (Householder QR as
/// commons-math's OLS); `None` when R is singular.
pub fn r_squared(y: &[f64], columns: &[&[f64]]) -> Option<f64> {
    let (m, p) = (y.len(), columns.len() + 1);
    // Column-major design matrix: the intercept, then the columns.
    let mut a: Vec<Vec<f64>> = Vec::with_capacity(p);
    a.push(vec![1.0; m]);
    a.extend(columns.iter().map(|c| c.to_vec()));
    let mut qty = y.to_vec();
    let mut diag = vec![0.0; p];
    for k in 0..p {
        let norm = (k..m).map(|i| a[k][i] * a[k][i]).sum::<f64>().sqrt();
        let alpha = if a[k][k] > 0.0 { -norm } else { norm };
        diag[k] = alpha;
        if alpha == 0.0 {
            return None;
        }
        a[k][k] -= alpha;
        let vnorm2 = (k..m).map(|i| a[k][i] * a[k][i]).sum::<f64>();
        if vnorm2 == 0.0 {
            continue;
        }
        let (head, rest) = a.split_at_mut(k + 1);
        let v = &head[k][k..m];
        // Reflect the later columns and y in v.
        for col in rest
            .iter_mut()
            .map(|c| &mut c[k..m])
            .chain([&mut qty[k..m]])
        {
            let dot = v.iter().zip(col.iter()).map(|(x, y)| x * y).sum::<f64>();
            let f = 2.0 * dot / vnorm2;
            for (c, x) in col.iter_mut().zip(v) {
                *c -= f * x;
            }
        }
    }
    // The residual is the part of Qᵀy below the first p rows.
    let rss: f64 = qty[p..].iter().map(|r| r * r).sum();
    let mean = y.iter().sum::<f64>() / m as f64;
    let tss: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    Some(1.0 - rss / tss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_that_explains_y_gives_one_and_noise_less() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [3.0, 5.0, 7.0, 9.0, 11.0];
        assert!((r_squared(&y, &[&x]).unwrap() - 1.0).abs() < 1e-12);
        let z = [1.0, 3.0, 2.0, 5.0, 4.0];
        let r = r_squared(&z, &[&x]).unwrap();
        assert!((r - 0.64).abs() < 1e-9, "{r}");
        // A constant column is the intercept again: singular.
        assert!(r_squared(&y, &[&[2.0; 5]]).is_none());
    }
}
