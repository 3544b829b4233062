//! `/charts/savings/{chart}.{svg|csv}`: the savings report's charts —
//! servers before and after the plan, energy and cost a year, each
//! workspace's showback — as SVG in the reader's theme and language, and
//! their figures as CSV (exports audited), through the same guard and
//! visibility as the report itself.

use app::audit::Target as AuditTarget;
use app::consolidation::bars::{self, Bars};
use app::guard::Subject;
use app::i18n::{Key, Locale};
use app::model::consolidation::SavingsReport;
use app::policy::Action;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{csv_response, palette, svg_response, Caller};

#[derive(Debug, Default, Deserialize)]
pub struct SavingsQuery {
    window: Option<u32>,
}

/// `GET /charts/savings/{servers|energy|showback}.{svg|csv}`
pub async fn savings(
    State(state): State<AppState>,
    c: Caller,
    Path(file): Path<String>,
    Query(q): Query<SavingsQuery>,
) -> Response {
    let Some((chart, ext)) = file.rsplit_once('.') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !matches!(chart, "servers" | "energy" | "showback") || !matches!(ext, "svg" | "csv") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let window = q.window.unwrap_or(30);
    let params = serde_json::json!({ "chart": chart, "window_days": window });
    let subject = Subject::platform(AuditTarget::new("savings", "", chart), params);
    let op = match c
        .authorize(&state, Action::ConsolidationRead, subject)
        .await
    {
        Ok(op) => op,
        Err(err) => return err.into_response(),
    };
    let report = match app::service::savings::report(&state, &op.actor, window).await {
        Ok(r) => r,
        Err(err) => return err.into_response(),
    };
    let l = c.prefs.locale;
    let spec = bars_of(&report, chart, l, palette(c.prefs.theme));
    if ext == "svg" {
        return svg_response(bars::render(&spec));
    }
    let export = serde_json::json!({ "export": "csv" });
    let _ = op.finish(Ok(()), serde_json::Value::Null, export).await;
    let mut out = String::new();
    let mut head = vec![spec.unit.clone()];
    head.extend(spec.series.iter().cloned());
    push_row(&mut out, &head);
    for (label, values) in &spec.groups {
        let mut row = vec![label.clone()];
        row.extend(values.iter().map(|v| format!("{v:.3}")));
        push_row(&mut out, &row);
    }
    csv_response(&format!("savings-{chart}"), out)
}

fn push_row(out: &mut String, cells: &[String]) {
    for (n, cell) in cells.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        app::csv::push_text(out, cell);
    }
    out.push('\n');
}

/// The chart `chart` of the report.
fn bars_of(
    r: &SavingsReport,
    chart: &str,
    l: Locale,
    palette: app::history::chart::Palette,
) -> Bars {
    let t = |k: Key| l.t(k).to_string();
    let now_after = vec![t(Key::SavingsNow), t(Key::SavingsAfter)];
    let plan = r.plan.plan.as_ref();
    let currency = r.plan.currency.clone();
    let (title, unit, series, groups) = match chart {
        "servers" => (
            t(Key::SavingsServers),
            t(Key::SavingsHostsUnit),
            vec![t(Key::SavingsHostsUnit)],
            plan.map_or_else(Vec::new, |p| {
                let mut g = vec![
                    (t(Key::SavingsNow), vec![p.hosts_before as f64]),
                    (t(Key::SavingsAfter), vec![p.hosts_after as f64]),
                ];
                if let Some(b) = p.lower_bound {
                    g.push((t(Key::PlanLowerBound), vec![b as f64]));
                }
                g
            }),
        ),
        "energy" => (
            t(Key::SavingsEnergy),
            format!("kWh · {currency}"),
            now_after,
            plan.map_or_else(Vec::new, |p| {
                vec![
                    ("kWh".to_string(), vec![p.before.kwh, p.after.kwh]),
                    (currency.clone(), vec![p.before.total(), p.after.total()]),
                ]
            }),
        ),
        _ => (
            t(Key::SavingsShowback),
            currency.clone(),
            vec![currency.clone()],
            (r.showback.iter())
                .map(|s| {
                    let name = s
                        .workspace
                        .clone()
                        .unwrap_or_else(|| t(Key::SavingsNoWorkspace));
                    (name, vec![s.cost])
                })
                .collect(),
        ),
    };
    Bars {
        title,
        unit,
        series,
        groups,
        palette,
        empty: t(Key::ChartNoData),
    }
}
