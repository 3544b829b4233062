//! The dashboard's heat strip route.

use app::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{dataset, palette, visible_hosts, Caller};

/// `GET /charts/heat.svg`: CPU of every host the reader sees, last 24 h.
pub async fn heat(State(state): State<AppState>, c: Caller) -> Response {
    use app::history::heat::{render, Row};
    use app::history::metric::Metric;
    use app::history::range::Resolution;
    let Some(visible) = visible_hosts(&state, c.actor.as_ref()).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let mut hosts = state.gateway.read(|inv| {
        visible
            .iter()
            .filter_map(|id| inv.hosts.get(id).map(|h| (h.name.clone(), h.id, h.demo)))
            .collect::<Vec<_>>()
    });
    hosts.sort();
    let to = app::auth::now_ms() / 1000;
    let from = to - 86_400;
    let mut rows = Vec::new();
    for (name, id, demo) in hosts {
        let dataset = dataset(&state, demo, "host", &id.to_string()).await;
        let series = app::store::history::find_series(
            &state.pool,
            &dataset,
            "host",
            Some(&[id.to_string()]),
        )
        .await;
        let ids: Vec<i64> = series.unwrap_or_default().iter().map(|s| s.0).collect();
        let points = app::store::history::read_averages(
            &state.pool,
            Resolution::Minute,
            &ids,
            (from, to),
            &[Metric::CpuPct],
            (from, 1_800),
        )
        .await
        .unwrap_or_default();
        let i = Metric::CpuPct.index();
        let points = points
            .iter()
            .filter_map(|p| Some((p.t, p.avg[i]? / Metric::CpuPct.scale())))
            .collect();
        let label = if dataset == app::history::LIVE {
            name
        } else {
            format!("{name} ({})", c.prefs.locale.t(app::i18n::Key::TraceReplay))
        };
        rows.push(Row { label, points });
    }
    let palette = palette(c.prefs.theme);
    let svg = render(
        &rows,
        from,
        to,
        palette,
        c.prefs.locale,
        c.prefs.locale.t(app::i18n::Key::ChartNoData),
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml; charset=utf-8"),
        )],
        svg,
    )
        .into_response()
}
