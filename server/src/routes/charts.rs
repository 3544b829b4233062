//! `/charts/...`: history charts as SVG and their series as CSV, through
//! the same guard as server functions. Members see only their workspaces'
//! domains and the hosts they may see; a refusal is audited, and so is
//! every CSV export.

use super::args::{PathArgs, QueryArgs};
use app::audit::Target as AuditTarget;
use app::guard::Subject;
use app::history::chart::{self, Palette};
use app::history::panel::{self, Request};
use app::history::range::Window;
use app::history::view::{Panel, Target};
use app::policy::{Action, Actor};
use app::prefs::Theme;
use app::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

mod heat;
mod savings;
pub use heat::heat;
pub use savings::savings;

use super::Caller;

/// The range part of a chart URL.
#[derive(Debug, Default, Deserialize)]
pub struct RangeQuery {
    range: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /charts/domain/{host}/{uuid}/{panel}.{svg|csv}`
pub async fn domain(
    State(state): State<AppState>,
    PathArgs((host, uuid, file)): PathArgs<(i64, String, String)>,
    QueryArgs(q): QueryArgs<RangeQuery>,
    c: Caller,
) -> Response {
    let known = state.gateway.read(|inv| {
        let h = inv.hosts.get(&host)?;
        let d = h.domains.get(&uuid);
        Some((
            h.demo,
            d.map(|d| d.name.clone()),
            d.and_then(|d| d.workspace.clone()),
        ))
    });
    let (demo, name, workspace) = match known {
        Some((demo, Some(name), ws)) => (demo, name, ws),
        // Gone from the inventory (deleted, migrated away): its history stays.
        _ => match series_owner(&state, &uuid).await {
            Some(ws) => (false, uuid.clone(), ws),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let subject = Subject::domain(
        workspace.as_deref(),
        AuditTarget::new("domain", uuid.clone(), name),
        serde_json::json!({ "host_id": host, "chart": file }),
    );
    let target = Target::Domain {
        host,
        uuid: uuid.clone(),
    };
    let dataset = dataset(&state, demo, "domain", &uuid).await;
    respond(
        state,
        c,
        Action::DomainRead,
        subject,
        target,
        &file,
        q,
        dataset,
        Vec::new(),
    )
    .await
}

/// The workspace recorded with a domain's history, if it has any.
async fn series_owner(state: &AppState, uuid: &str) -> Option<Option<String>> {
    app::store::history::domain_owner(&state.pool, uuid)
        .await
        .ok()
        .flatten()
}

/// Demo hosts (the test driver has no CPU statistics) show the trace
/// imported for them, labelled as a replay; others their live samples.
async fn dataset(state: &AppState, demo: bool, kind: &str, key: &str) -> String {
    let trace = if demo {
        panel::trace_for(&state.pool, kind, key)
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    trace.unwrap_or_else(|| app::history::LIVE.into())
}

/// The chart palette of a theme preference.
fn palette(theme: Theme) -> Palette {
    match theme {
        Theme::Light => Palette::Light,
        Theme::Dark => Palette::Dark,
        Theme::Auto => Palette::Auto,
    }
}

/// Whether the demo plant is loaded: workspace and fleet charts then show
/// its replayed traces (labelled), which carry the plant's history, rather
/// than live totals that the test driver cannot fill.
fn demo_loaded(state: &AppState) -> bool {
    state.gateway.read(|inv| inv.hosts.values().any(|h| h.demo))
}

/// `GET /charts/host/{id}/{panel}.{svg|csv}`
pub async fn host(
    State(state): State<AppState>,
    PathArgs((id, file)): PathArgs<(i64, String)>,
    QueryArgs(q): QueryArgs<RangeQuery>,
    c: Caller,
) -> Response {
    let Some(visible) = visible_hosts(&state, c.actor.as_ref()).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    if !visible.contains(&id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let demo = state
        .gateway
        .read(|inv| inv.hosts.get(&id).is_some_and(|h| h.demo));
    let dataset = dataset(&state, demo, "host", &id.to_string()).await;
    let subject = Subject::platform(
        AuditTarget::new("host", id.to_string(), ""),
        serde_json::json!({ "chart": file }),
    );
    respond(
        state,
        c,
        Action::HostList,
        subject,
        Target::Host(id),
        &file,
        q,
        dataset,
        Vec::new(),
    )
    .await
}

/// `GET /charts/workspace/{slug}/{panel}.{svg|csv}`
pub async fn workspace(
    State(state): State<AppState>,
    PathArgs((slug, file)): PathArgs<(String, String)>,
    QueryArgs(q): QueryArgs<RangeQuery>,
    c: Caller,
) -> Response {
    // A workspace's charts are read as its domains are.
    let subject = Subject::domain(
        Some(&slug),
        AuditTarget::new("workspace", slug.clone(), slug.clone()),
        serde_json::json!({ "chart": file }),
    );
    let target = Target::Workspace(slug.clone());
    let live = dataset(&state, demo_loaded(&state), "workspace", &slug).await;
    respond(
        state.clone(),
        c,
        Action::DomainRead,
        subject,
        target,
        &file,
        q,
        live,
        Vec::new(),
    )
    .await
}

/// `GET /charts/fleet/{panel}.{svg|csv}`: stacked by the hosts the reader sees.
pub async fn fleet(
    State(state): State<AppState>,
    PathArgs(file): PathArgs<String>,
    QueryArgs(q): QueryArgs<RangeQuery>,
    c: Caller,
) -> Response {
    let Some(visible) = visible_hosts(&state, c.actor.as_ref()).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    // The replay's data set is found through a demo host the reader sees.
    let demo_host = state.gateway.read(|inv| {
        visible
            .iter()
            .find(|id| inv.hosts.get(id).is_some_and(|h| h.demo))
            .or(visible.first())
            .map(i64::to_string)
            .unwrap_or_default()
    });
    let live = dataset(&state, demo_loaded(&state), "host", &demo_host).await;
    let subject = Subject::platform(
        AuditTarget::new("fleet", "", ""),
        serde_json::json!({ "chart": file }),
    );
    respond(
        state,
        c,
        Action::HostList,
        subject,
        Target::Fleet,
        &file,
        q,
        live,
        visible,
    )
    .await
}

/// `GET /charts/trace/{name}/{panel}.{svg|csv}`: an imported trace data
/// set as a whole (the sum over its VMs), labelled as a trace.
pub async fn trace(
    State(state): State<AppState>,
    PathArgs((name, file)): PathArgs<(String, String)>,
    QueryArgs(q): QueryArgs<RangeQuery>,
    c: Caller,
) -> Response {
    let subject = Subject::platform(
        AuditTarget::new("trace", name.clone(), name.clone()),
        serde_json::json!({ "chart": file }),
    );
    let dataset = format!("trace:{name}");
    respond(
        state,
        c,
        Action::TraceList,
        subject,
        Target::Trace(name),
        &file,
        q,
        dataset,
        Vec::new(),
    )
    .await
}

/// The hosts `actor` may see (all for administrators); `None` when not
/// signed in.
pub async fn visible_hosts(state: &AppState, actor: Option<&Actor>) -> Option<Vec<i64>> {
    let actor = actor?;
    app::visibility::host_ids(state, actor).await.ok()
}

/// Authorizes, reads and answers with the SVG or the CSV.
#[allow(clippy::too_many_arguments)]
async fn respond(
    state: AppState,
    c: Caller,
    action: Action,
    subject: Subject<'_>,
    target: Target,
    file: &str,
    q: RangeQuery,
    dataset: String,
    fleet_hosts: Vec<i64>,
) -> Response {
    let Some((panel, ext)) = file
        .rsplit_once('.')
        .and_then(|(p, e)| Some((Panel::parse(p)?, e)))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !matches!(ext, "svg" | "csv") || !target.panels().contains(&panel) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let op = match c.authorize(&state, action, subject).await {
        Ok(op) => op,
        Err(err) => return err.into_response(),
    };
    let now = app::auth::now_ms() / 1000;
    let req = Request {
        target,
        panel,
        window: Window::parse(q.range.as_deref(), q.from.as_deref(), q.to.as_deref(), now),
        now,
        palette: palette(c.prefs.theme),
        locale: c.prefs.locale,
        dataset,
        fleet_hosts,
        resolution: None,
        downsample: ext == "svg",
    };
    let spec = match panel::build(&state.pool, &state.history, &req).await {
        Ok(spec) => spec,
        Err(err) => {
            tracing::error!(error = %err, "chart data could not be read");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if ext == "csv" {
        // An export leaves a record, like the audit log's.
        let _ = op
            .finish(
                Ok(()),
                serde_json::Value::Null,
                serde_json::json!({ "export": "csv" }),
            )
            .await;
        let name = format!("{}-{}", panel.as_str(), req.window.span.as_str());
        return csv_response(&name, panel::csv(&spec));
    }
    svg_response(chart::render(&spec))
}

/// A CSV download named `name`.csv.
fn csv_response(name: &str, body: String) -> Response {
    let name = format!("attachment; filename=\"{name}.csv\"");
    let disposition =
        HeaderValue::from_str(&name).unwrap_or(HeaderValue::from_static("attachment"));
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        ),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    (headers, body).into_response()
}

/// A chart, kept by the browser for a few seconds.
fn svg_response(svg: String) -> Response {
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml; charset=utf-8"),
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=5"),
        ),
    ];
    (headers, svg).into_response()
}
