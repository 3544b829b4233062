//! The plan's migrations in an order where each is feasible at its turn:
//! simulated one after another from where the VMs are now, taking first
//! the moves off hosts that stay in use (they make room), then the small
//! ones, each only when its target has room at that moment — CPU within
//! the headroom (within the host if nothing else is left), memory within
//! the host, no keep-apart group twice. A keep-together group moves one
//! member after the other.

use super::pack::{State, Units};
use super::{Fleet, Move};

/// The migrations from where the VMs are to `at` (`None`: no order works).
pub fn order(fleet: &Fleet, units: &Units, at: &[usize], headroom: f64) -> Option<Vec<Move>> {
    let mut now: Vec<usize> = fleet.vms.iter().map(|v| v.host).collect();
    let mut state = State::new(fleet.hosts.len(), units.groups);
    let mut stays = vec![false; fleet.hosts.len()];
    for u in &units.units {
        for &v in &u.members {
            state.shift(fleet, v, now[v], &u.apart, 1.0);
            stays[at[v]] = true;
        }
    }
    // (unit, target), evictions first, then small first.
    let mut pending: Vec<(usize, usize)> = units
        .units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.members.iter().any(|&v| at[v] != now[v]))
        .map(|(i, u)| (i, at[u.members[0]]))
        .collect();
    pending.sort_by(|&(a, _), &(b, _)| {
        let (ua, ub) = (&units.units[a], &units.units[b]);
        let evicts = |u: &super::pack::Unit| stays[u.home];
        evicts(ub)
            .cmp(&evicts(ua))
            .then(ua.size.total_cmp(&ub.size))
    });
    let mut moves = Vec::new();
    while !pending.is_empty() {
        let room = |state: &State, (i, to): (usize, usize), cpu_share: f64| {
            let u = &units.units[i];
            let coming: Vec<usize> = u
                .members
                .iter()
                .copied()
                .filter(|&v| now[v] != to)
                .collect();
            let cpu = coming.iter().map(|&v| fleet.vms[v].cpu_mhz).sum();
            let mem = coming.iter().map(|&v| fleet.vms[v].memory_mib).sum();
            let apart: Vec<(usize, u16)> = u
                .apart
                .iter()
                .map(|&(g, _)| {
                    (
                        g,
                        coming.iter().filter(|v| fleet.apart[g].contains(v)).count() as u16,
                    )
                })
                .filter(|&(_, n)| n > 0)
                .collect();
            let caps = (
                fleet.hosts[to].cpu_mhz * cpu_share,
                fleet.hosts[to].memory_mib,
            );
            state.fits(to, (cpu, mem), &apart, caps)
        };
        let next = pending
            .iter()
            .position(|&p| room(&state, p, headroom))
            .or_else(|| pending.iter().position(|&p| room(&state, p, 1.0)))?;
        let (i, to) = pending.remove(next);
        let u = &units.units[i];
        for &v in &u.members {
            if now[v] != to {
                state.shift(fleet, v, now[v], &u.apart, -1.0);
                state.shift(fleet, v, to, &u.apart, 1.0);
                moves.push(Move {
                    vm: v,
                    from: now[v],
                    to,
                });
                now[v] = to;
            }
        }
    }
    Some(moves)
}
