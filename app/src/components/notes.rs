//! Small presentational pieces: error notes, state badges, sizes.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::model::domain::{DomainKind, DomainState};
use crate::model::host::HostState;

/// An error that no single field owns.
#[component]
pub fn ErrorNote(
    /// The error to explain.
    err: AppError,
) -> impl IntoView {
    let i = use_i18n();
    view! { <p class="note note--error" role="alert">{i.t(err.summary())}</p> }
}

/// A host's connection state as a coloured badge.
#[component]
pub fn HostBadge(
    /// The state to show.
    state: HostState,
) -> impl IntoView {
    let i = use_i18n();
    let key = match state {
        HostState::Connected => Key::StateConnected,
        HostState::Connecting => Key::StateConnecting,
        HostState::Unreachable => Key::StateUnreachable,
    };
    view! {
        <span class=format!("badge badge--{}", state.as_str()) data-host-state=state.as_str()>
            {i.t(key)}
        </span>
    }
}

/// The translated name of a domain state.
pub fn state_key(state: DomainState) -> Key {
    match state {
        DomainState::Running => Key::DsRunning,
        DomainState::Blocked => Key::DsBlocked,
        DomainState::Paused => Key::DsPaused,
        DomainState::ShuttingDown => Key::DsShuttingDown,
        DomainState::Shutoff => Key::DsShutoff,
        DomainState::Crashed => Key::DsCrashed,
        DomainState::Suspended => Key::DsSuspended,
        DomainState::Unknown => Key::DsUnknown,
    }
}

pub fn kind_key(kind: DomainKind) -> Key {
    match kind {
        DomainKind::Vm => Key::KindVm,
        DomainKind::Container => Key::KindContainer,
    }
}

/// A domain's run state as a coloured badge.
#[component]
pub fn StateBadge(
    /// The state to show.
    state: DomainState,
) -> impl IntoView {
    let i = use_i18n();
    view! {
        <span class=format!("badge badge--{}", state.as_str()) data-state=state.as_str()>
            {i.t(state_key(state))}
        </span>
    }
}

/// KiB as a short human size, e.g. "7.8 GiB".
pub fn kib(value: u64) -> String {
    bytes(value.saturating_mul(1024))
}

/// Bytes as a short human size with binary units: one decimal below 100
/// unless it is (nearly) whole. Integer arithmetic, so the browser build
/// carries no float formatting.
pub fn bytes(value: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let value = u128::from(value);
    let (mut div, mut unit) = (1u128, 0);
    while value >= div * 1024 && unit < UNITS.len() - 1 {
        div *= 1024;
        unit += 1;
    }
    let (whole, rest) = (value / div, value % div);
    if unit == 0 || whole >= 100 || rest * 20 < div {
        format!("{} {}", rounded(value, div), UNITS[unit])
    } else {
        let tenths = rounded(value * 10, div);
        format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
    }
}

/// `n / d` rounded to the nearest integer, ties to even (as `{:.0}` does).
fn rounded(n: u128, d: u128) -> u128 {
    let (q, r) = (n / d, n % d);
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
        std::cmp::Ordering::Less => q,
    }
}

/// Nanoseconds as seconds with one decimal, e.g. "12.3 s".
pub fn seconds(ns: u64) -> String {
    let tenths = rounded(u128::from(ns), 100_000_000);
    format!("{}.{} s", tenths / 10, tenths % 10)
}

/// Percentage of `part` in `whole`, clamped to 0–100 for bar widths.
pub fn percent(part: u64, whole: u64) -> u64 {
    part.saturating_mul(100)
        .checked_div(whole)
        .unwrap_or(0)
        .min(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(kib(512 * 1024), "512 MiB");
        assert_eq!(kib(16 * 1024 * 1024), "16 GiB");
        assert_eq!(bytes(1536 * 1024 * 1024), "1.5 GiB");
        assert_eq!(bytes(0), "0 B");
        assert_eq!(percent(5, 0), 0);
        assert_eq!(percent(150, 100), 100);
        assert_eq!(seconds(12_345_000_000), "12.3 s");
        assert_eq!(seconds(50_000_000), "0.0 s");
    }

    /// The float formatting this replaced, as the reference.
    fn float_bytes(value: u64) -> String {
        const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        let mut v = value as f64;
        let mut unit = 0;
        while v >= 1024.0 && unit < UNITS.len() - 1 {
            v /= 1024.0;
            unit += 1;
        }
        if unit == 0 || v >= 100.0 || v.fract() < 0.05 {
            format!("{v:.0} {}", UNITS[unit])
        } else {
            format!("{v:.1} {}", UNITS[unit])
        }
    }

    #[test]
    fn sizes_match_the_float_formatting() {
        let mut samples = vec![0, 1, 1023, 1024, 1025, 1536, 10 * 1024 - 1, u64::MAX >> 11];
        for unit in 0..5u32 {
            let base = 1024u64.pow(unit + 1);
            for tenth in 0..=1000u64 {
                samples.push(base / 10 * tenth);
                samples.push(base / 20 * tenth + base / 40);
            }
        }
        for v in samples {
            assert_eq!(bytes(v), float_bytes(v), "{v}");
        }
    }
}
