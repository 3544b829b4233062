//! Packing one choice of kept hosts: the units (a VM, or a keep-together
//! group) with their demand and where they may go, the hosts' loads and
//! keep-apart counts as units come and go, and the packing itself.

use super::Fleet;

/// Slack for floating-point sums.
pub const EPS: f64 = 1e-6;

/// A VM, or VMs that stay together, placed as one.
pub struct Unit {
    pub members: Vec<usize>,
    pub cpu: f64,
    pub mem: f64,
    /// The host most of its members are on.
    pub home: usize,
    /// Hosts every member may move to (`None`: any).
    pub allowed: Option<Vec<usize>>,
    pub movable: bool,
    /// Keep-apart groups of its members: (group, members in it).
    pub apart: Vec<(usize, u16)>,
    /// Its size against the average host, for sorting.
    pub size: f64,
}

pub struct Units {
    pub units: Vec<Unit>,
    pub groups: usize,
    host_of: Vec<usize>,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

impl Units {
    pub fn new(fleet: &Fleet) -> Units {
        let m = fleet.vms.len();
        let mut parent: Vec<usize> = (0..m).collect();
        for g in &fleet.together {
            for w in g.windows(2) {
                let (a, b) = (find(&mut parent, w[0]), find(&mut parent, w[1]));
                parent[a] = b;
            }
        }
        let mut index = vec![usize::MAX; m];
        let mut units: Vec<Vec<usize>> = Vec::new();
        for v in 0..m {
            let r = find(&mut parent, v);
            if index[r] == usize::MAX {
                index[r] = units.len();
                units.push(Vec::new());
            }
            units[index[r]].push(v);
        }
        let mut apart_of: Vec<Vec<usize>> = vec![Vec::new(); m];
        for (g, members) in fleet.apart.iter().enumerate() {
            members.iter().for_each(|&v| apart_of[v].push(g));
        }
        let avg = fleet.average_host();
        let units = units
            .into_iter()
            .map(|members| unit(fleet, members, &apart_of, avg))
            .collect();
        Units {
            units,
            groups: fleet.apart.len(),
            host_of: fleet.vms.iter().map(|v| v.host).collect(),
        }
    }

    /// Hosts that must be kept: those with a VM that cannot move.
    pub fn fixed_hosts(&self, hosts: usize) -> Vec<bool> {
        let mut fixed = vec![false; hosts];
        self.units
            .iter()
            .filter(|u| !u.movable)
            .flat_map(|u| &u.members)
            .for_each(|&v| fixed[self.host_of[v]] = true);
        fixed
    }
}

fn unit(fleet: &Fleet, members: Vec<usize>, apart_of: &[Vec<usize>], avg: (f64, f64)) -> Unit {
    let vms = || members.iter().map(|&v| &fleet.vms[v]);
    let cpu: f64 = vms().map(|v| v.cpu_mhz).sum();
    let mem: f64 = vms().map(|v| v.memory_mib).sum();
    let mut homes: Vec<usize> = vms().map(|v| v.host).collect();
    homes.sort_unstable();
    let home = homes
        .chunk_by(|a, b| a == b)
        .max_by_key(|c| c.len())
        .map_or(0, |c| c[0]);
    let allowed = vms().fold(None::<Vec<usize>>, |acc, v| match (acc, &v.allowed) {
        (None, a) => a.clone(),
        (Some(acc), None) => Some(acc),
        (Some(acc), Some(a)) => Some(acc.into_iter().filter(|h| a.contains(h)).collect()),
    });
    // A unit split over hosts cannot stay where it is as a whole: its
    // immovable members pin each of their hosts.
    let movable = vms().all(|v| v.movable);
    let mut apart: Vec<(usize, u16)> = Vec::new();
    for &v in &members {
        for &g in &apart_of[v] {
            match apart.iter_mut().find(|(x, _)| *x == g) {
                Some(e) => e.1 += 1,
                None => apart.push((g, 1)),
            }
        }
    }
    Unit {
        size: (cpu / avg.0).max(mem / avg.1),
        members,
        cpu,
        mem,
        home,
        allowed,
        movable,
        apart,
    }
}

/// The hosts' loads and keep-apart counts as units are placed.
pub struct State {
    pub cpu: Vec<f64>,
    pub mem: Vec<f64>,
    apart: Vec<u16>,
    hosts: usize,
}

impl State {
    pub fn new(hosts: usize, groups: usize) -> State {
        State {
            cpu: vec![0.0; hosts],
            mem: vec![0.0; hosts],
            apart: vec![0; groups * hosts],
            hosts,
        }
    }

    /// Adds (`sign` 1) or removes (-1) VM `v` of `fleet` on host `h`.
    pub fn shift(&mut self, fleet: &Fleet, v: usize, h: usize, apart: &[(usize, u16)], sign: f64) {
        self.cpu[h] += sign * fleet.vms[v].cpu_mhz;
        self.mem[h] += sign * fleet.vms[v].memory_mib;
        // The unit's groups: only those this VM belongs to count.
        for &(g, _) in apart {
            if fleet.apart[g].contains(&v) {
                let c = &mut self.apart[g * self.hosts + h];
                *c = if sign > 0.0 {
                    *c + 1
                } else {
                    c.saturating_sub(1)
                };
            }
        }
    }

    /// Whether `extra` of a unit fits on `h`: CPU within `cpu_cap`, memory
    /// within the host's, and no keep-apart group twice.
    pub fn fits(
        &self,
        h: usize,
        (cpu, mem): (f64, f64),
        apart: &[(usize, u16)],
        caps: (f64, f64),
    ) -> bool {
        self.cpu[h] + cpu <= caps.0 + EPS
            && self.mem[h] + mem <= caps.1 + EPS
            && apart
                .iter()
                .all(|&(g, n)| self.apart[g * self.hosts + h] + n <= 1)
    }

    /// Whether host `h` is within its limits and keeps every group apart.
    pub fn sound(&self, h: usize, caps: (f64, f64)) -> bool {
        self.cpu[h] <= caps.0 + EPS
            && self.mem[h] <= caps.1 + EPS
            && (0..self.apart.len() / self.hosts.max(1))
                .all(|g| self.apart[g * self.hosts + h] <= 1)
    }
}

/// Where every VM goes when only the `kept` hosts carry VMs (`None`: they
/// cannot).
pub fn pack(fleet: &Fleet, units: &Units, kept: &[bool], headroom: f64) -> Option<Vec<usize>> {
    let caps = |h: usize| (fleet.hosts[h].cpu_mhz * headroom, fleet.hosts[h].memory_mib);
    let mut state = State::new(fleet.hosts.len(), units.groups);
    let mut at: Vec<usize> = fleet.vms.iter().map(|v| v.host).collect();
    let mut on: Vec<Vec<usize>> = vec![Vec::new(); fleet.hosts.len()];
    let mut homeless = Vec::new();
    for (i, u) in units.units.iter().enumerate() {
        if !u.movable {
            // Stays exactly where it is, member by member.
            u.members
                .iter()
                .for_each(|&v| state.shift(fleet, v, at[v], &u.apart, 1.0));
        } else if kept[u.home] && fleet.hosts[u.home].receives {
            place(fleet, &mut state, &mut at, u, u.home);
            on[u.home].push(i);
        } else {
            homeless.push(i);
        }
    }
    // A kept host over its limits sheds the fewest, smallest units.
    for h in (0..fleet.hosts.len()).filter(|&h| kept[h]) {
        if state.sound(h, caps(h)) {
            continue;
        }
        let mut here = std::mem::take(&mut on[h]);
        here.sort_by(|&a, &b| units.units[a].size.total_cmp(&units.units[b].size));
        let one = here.iter().position(|&i| {
            unplace(fleet, &mut state, &units.units[i], h);
            let ok = state.sound(h, caps(h));
            place(fleet, &mut state, &mut at, &units.units[i], h);
            ok
        });
        if let Some(p) = one {
            let i = here.remove(p);
            unplace(fleet, &mut state, &units.units[i], h);
            homeless.push(i);
        } else {
            // Largest first; what cannot move stays, over or not.
            while !state.sound(h, caps(h)) {
                let Some(i) = here.pop() else { break };
                unplace(fleet, &mut state, &units.units[i], h);
                homeless.push(i);
            }
        }
    }
    homeless.sort_by(|&a, &b| units.units[b].size.total_cmp(&units.units[a].size));
    let usable: Vec<bool> = (0..fleet.hosts.len())
        .map(|h| kept[h] && fleet.hosts[h].receives)
        .collect();
    let usable_list: Vec<usize> = (0..fleet.hosts.len()).filter(|&h| usable[h]).collect();
    for i in homeless {
        let u = &units.units[i];
        let to = best_fit(&state, u, &usable_list, &usable, &caps)?;
        place(fleet, &mut state, &mut at, u, to);
    }
    Some(at)
}

/// The kept host `u` fills best: the least room left after it.
fn best_fit(
    state: &State,
    u: &Unit,
    usable_list: &[usize],
    usable: &[bool],
    caps: &dyn Fn(usize) -> (f64, f64),
) -> Option<usize> {
    let score = |h: usize| {
        let (c, m) = caps(h);
        (c - state.cpu[h] - u.cpu) / c.max(1.0) + (m - state.mem[h] - u.mem) / m.max(1.0)
    };
    let candidates: Box<dyn Iterator<Item = usize>> = match &u.allowed {
        Some(list) => Box::new(list.iter().copied()),
        None => Box::new(usable_list.iter().copied()),
    };
    candidates
        .filter(|&h| {
            usable.get(h).copied().unwrap_or(false)
                && state.fits(h, (u.cpu, u.mem), &u.apart, caps(h))
        })
        .min_by(|&a, &b| score(a).total_cmp(&score(b)))
}

fn place(fleet: &Fleet, state: &mut State, at: &mut [usize], u: &Unit, h: usize) {
    for &v in &u.members {
        at[v] = h;
        state.shift(fleet, v, h, &u.apart, 1.0);
    }
}

fn unplace(fleet: &Fleet, state: &mut State, u: &Unit, h: usize) {
    u.members
        .iter()
        .for_each(|&v| state.shift(fleet, v, h, &u.apart, -1.0));
}
