//! Pricing a fleet: a host draws its idle watts plus the share of the
//! span to its peak its CPU is busy (a host switched off draws nothing),
//! times the plant's PUE, all year; energy at the tariff, and every host
//! that stays on costs its yearly server cost. The cost-model form is
//! validated here, naming the field and the rule.

use crate::error::FieldError;
use crate::i18n::Key;
use crate::model::consolidation::{CostForm, Yearly};

/// A host without figures of its own: a typical two-socket server.
pub const DEFAULT_IDLE_W: f64 = 120.0;
pub const DEFAULT_PEAK_W: f64 = 300.0;
const HOURS_PER_YEAR: f64 = 8_760.0;

/// The plant's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Plant {
    pub pue: f64,
    pub currency: String,
    pub tariff: f64,
    pub server_yearly: f64,
}

/// A host for pricing: idle and peak watts, CPU busy (0–1), and whether it
/// is on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Priced {
    pub idle_w: f64,
    pub peak_w: f64,
    pub busy: f64,
    pub on: bool,
}

/// A year of `hosts` under `plant`.
pub fn yearly(plant: &Plant, hosts: &[Priced]) -> Yearly {
    let on = || hosts.iter().filter(|h| h.on);
    let watts: f64 = on()
        .map(|h| h.idle_w + (h.peak_w - h.idle_w) * h.busy.clamp(0.0, 1.0))
        .sum();
    let kwh = watts * HOURS_PER_YEAR / 1000.0 * plant.pue;
    Yearly {
        kwh,
        energy_cost: kwh * plant.tariff,
        server_cost: on().count() as f64 * plant.server_yearly,
    }
}

fn number(
    errors: &mut Vec<FieldError>,
    field: &str,
    typed: &str,
    range: (f64, f64),
    key: Key,
) -> f64 {
    match typed.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (range.0..=range.1).contains(&v) => v,
        _ => {
            errors.push(FieldError::new(field, key));
            0.0
        }
    }
}

/// A host's figures: (host, idle W, peak W).
pub type HostWatts = (i64, f64, f64);

/// The form as the plant's figures and (host, idle, peak) per host listed;
/// every host must be one of `known`.
pub fn validate(
    form: &CostForm,
    known: &[i64],
) -> Result<(Plant, Vec<HostWatts>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let pue = number(&mut errors, "pue", &form.pue, (1.0, 3.0), Key::ErrPue);
    let tariff = number(
        &mut errors,
        "tariff",
        &form.tariff,
        (0.0, 10.0),
        Key::ErrTariff,
    );
    let server_yearly = number(
        &mut errors,
        "server_yearly",
        &form.server_yearly,
        (0.0, 1_000_000.0),
        Key::ErrServerYearly,
    );
    let currency = form.currency.trim().to_string();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        errors.push(FieldError::new("currency", Key::ErrCurrency));
    }
    let same_length = form.host.len() == form.idle_w.len() && form.host.len() == form.peak_w.len();
    if !same_length {
        errors.push(FieldError::new("host", Key::ErrRequestFieldMalformed));
    }
    let mut hosts = Vec::new();
    for ((h, idle), peak) in form.host.iter().zip(&form.idle_w).zip(&form.peak_w) {
        let Some(id) = h.trim().parse::<i64>().ok().filter(|id| known.contains(id)) else {
            errors.push(FieldError::new("host", Key::ErrHostIds));
            continue;
        };
        let idle = number(&mut errors, "idle_w", idle, (0.0, 5_000.0), Key::ErrWatts);
        let peak = number(&mut errors, "peak_w", peak, (0.0, 5_000.0), Key::ErrWatts);
        if peak < idle {
            errors.push(FieldError::new("peak_w", Key::ErrPeakBelowIdle));
        }
        hosts.push((id, idle, peak));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        Plant {
            pue,
            currency,
            tariff,
            server_yearly,
        },
        hosts,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plant() -> Plant {
        Plant {
            pue: 1.5,
            currency: "EUR".into(),
            tariff: 0.2,
            server_yearly: 1000.0,
        }
    }

    #[test]
    fn a_year_of_hosts_by_hand() {
        let h = |busy, on| Priced {
            idle_w: 100.0,
            peak_w: 300.0,
            busy,
            on,
        };
        // 100 + 200 × 0.5 = 200 W and 100 W on; off draws nothing.
        let y = yearly(&plant(), &[h(0.5, true), h(0.0, true), h(0.9, false)]);
        let kwh = 300.0 * 8760.0 / 1000.0 * 1.5;
        assert!((y.kwh - kwh).abs() < 1e-9);
        assert!((y.energy_cost - kwh * 0.2).abs() < 1e-9);
        assert_eq!(y.server_cost, 2000.0);
        assert!((y.total() - (kwh * 0.2 + 2000.0)).abs() < 1e-9);
    }

    #[test]
    fn the_form_names_each_bad_field() {
        let form = CostForm {
            pue: "0.9".into(),
            currency: "eur".into(),
            tariff: "0.2".into(),
            server_yearly: "lots".into(),
            host: vec!["1".into(), "99".into()],
            idle_w: vec!["200".into(), "1".into()],
            peak_w: vec!["150".into(), "2".into()],
        };
        let fields: Vec<String> = validate(&form, &[1, 2])
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["pue", "server_yearly", "currency", "peak_w", "host"]
        );
        let ok = CostForm {
            pue: "1.4".into(),
            currency: "CNY".into(),
            tariff: "0.8".into(),
            server_yearly: "9000".into(),
            host: vec!["2".into()],
            idle_w: vec!["90".into()],
            peak_w: vec!["250".into()],
        };
        let (p, hosts) = validate(&ok, &[1, 2]).unwrap();
        assert_eq!(
            (p.pue, p.currency.as_str(), hosts),
            (1.4, "CNY", vec![(2, 90.0, 250.0)])
        );
    }
}
