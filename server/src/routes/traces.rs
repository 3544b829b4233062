//! `POST /history/traces`: an administrator imports a utilization trace
//! from a plain multipart form (works without JavaScript): `name` first,
//! then one or more `files` — CSV (`*.csv`: `entity,timestamp,<metric>...`)
//! or PlanetLab files (one VM each, a CPU percentage per line at 5-minute
//! steps, the last one ending now). The guard decides before a byte of a
//! file is read; an import replaces a data set of the same name in one
//! transaction, and a bad file changes nothing.

use app::audit::Target;
use app::error::AppError;
use app::guard::Subject;
use app::history::trace::{self, Entity};
use app::i18n::Key;
use app::policy::Action;
use app::state::AppState;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::Caller;

/// The most all files of one import may hold: a day of PlanetLab's
/// ~1,000 VMs is ~1.5 MiB; a year of 5-minute CSV rows for 50 VMs ~150 MiB.
pub const LIMIT: usize = 256 << 20;

/// Why an import was refused: the rule, and the file and line when a file
/// was at fault.
struct Refusal(AppError, String);

impl From<AppError> for Refusal {
    fn from(err: AppError) -> Self {
        Refusal(err, String::new())
    }
}

pub async fn import(State(state): State<AppState>, c: Caller, req: Request) -> Response {
    let Ok(mut form) = Multipart::from_request(req, &state).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let name = match form.next_field().await {
        Ok(Some(field)) if field.name() == Some("name") => {
            super::upload::small_text(field).await.unwrap_or_default()
        }
        _ => String::new(),
    };
    let subject = Subject::platform(
        Target::new("trace", name.clone(), name.clone()),
        serde_json::json!({ "name": name }),
    );
    let op = match c.authorize(&state, Action::TraceManage, subject).await {
        Ok(op) => op,
        Err(err) => return err.into_response(),
    };
    let outcome = read_and_import(&state, &name, &mut form).await;
    let (result, detail) = match outcome {
        Ok(counts) => (Ok(counts), String::new()),
        Err(Refusal(err, detail)) => (Err(err), detail),
    };
    let after = match &result {
        Ok((vms, samples)) => serde_json::json!({ "vms": vms, "samples": samples }),
        Err(_) => serde_json::json!({ "detail": detail }),
    };
    let result = op.finish(result, serde_json::Value::Null, after).await;
    let url = match result {
        Ok((_, samples)) => format!(
            "/history?trace={}&imported={samples}",
            app::url::encode_path(name.trim())
        ),
        Err(err) => {
            let key = err.first_key();
            format!(
                "/history?trace_error={key:?}&detail={}",
                app::url::encode_path(&detail)
            )
        }
    };
    Redirect::to(&url).into_response()
}

/// Reads every file (within [`LIMIT`]), parses it and imports the lot.
async fn read_and_import(
    state: &AppState,
    name: &str,
    form: &mut Multipart,
) -> Result<(usize, usize), Refusal> {
    let name = app::validate::resources::resource_name("name", name)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let bad_file = |detail: String| Refusal(AppError::field("files", Key::ErrTraceFormat), detail);
    let (mut entities, mut planetlab, mut total) = (Vec::<Entity>::new(), Vec::new(), 0usize);
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|_| AppError::Host(Key::ErrTransport))?
    {
        if field.name() != Some("files") {
            continue;
        }
        // A folder upload may send `folder/file`: the VM is the file.
        let file = field.file_name().unwrap_or_default();
        let file = file
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|_| AppError::Host(Key::ErrTransport))?
        {
            total += chunk.len();
            if total > LIMIT {
                return Err(AppError::field("files", Key::ErrTraceTooLarge).into());
            }
            bytes.extend_from_slice(&chunk);
        }
        if file.is_empty() && bytes.is_empty() {
            continue; // the browser's empty part when no file was chosen
        }
        let text =
            String::from_utf8(bytes).map_err(|_| bad_file(format!("{file}: not UTF-8 text")))?;
        if file.to_ascii_lowercase().ends_with(".csv") {
            let rows = trace::parse_csv(&text).map_err(|e| bad_file(format!("{file}: {e}")))?;
            entities.extend(rows);
        } else {
            let pcts =
                trace::parse_planetlab(&text).map_err(|e| bad_file(format!("{file}: {e}")))?;
            if pcts.is_empty() {
                return Err(bad_file(format!("{file}: no samples")));
            }
            planetlab.push((file, pcts));
        }
    }
    if entities.is_empty() && planetlab.is_empty() {
        return Err(AppError::field("files", Key::ErrTraceFiles).into());
    }
    entities.extend(trace::planetlab_entities(
        planetlab,
        app::auth::now_ms() / 1000,
    ));
    let samples = trace::import(&state.pool, &name, &entities)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "trace import");
            Refusal(AppError::Internal, String::new())
        })?;
    tracing::info!(name, vms = entities.len(), samples, "trace imported");
    Ok((entities.len(), samples))
}
