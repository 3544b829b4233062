//! The jobs table: one row per long action, kept after it ends.

use sqlx::SqlitePool;

use crate::i18n::Key;
use crate::model::job::{DiskMode, JobFilter, JobKind, JobState, JobView, MigrationFigures};

/// A new job as its starter describes it.
pub struct NewJob<'a> {
    pub kind: JobKind,
    pub host_id: i64,
    pub target_host_id: Option<i64>,
    pub domain_uuid: &'a str,
    pub domain_name: &'a str,
    pub workspace: Option<&'a str>,
    pub actor: &'a str,
    pub mode: DiskMode,
    pub started_at: &'a str,
}

/// Records a job as running; its id.
pub async fn insert(pool: &SqlitePool, job: &NewJob<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO jobs (kind, host_id, target_host_id, domain_uuid, domain_name, workspace,
                           actor, state, mode, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?) RETURNING id",
    )
    .bind(job.kind.as_str())
    .bind(job.host_id)
    .bind(job.target_host_id)
    .bind(job.domain_uuid)
    .bind(job.domain_name)
    .bind(job.workspace)
    .bind(job.actor)
    .bind(job.mode.as_str())
    .bind(job.started_at)
    .fetch_one(pool)
    .await
}

/// Records a running job's phase and progress.
pub async fn progress(
    pool: &SqlitePool,
    id: i64,
    phase: &str,
    percent: u8,
    figures: &MigrationFigures,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE jobs SET phase = ?, percent = ?, figures = ? WHERE id = ?")
        .bind(phase)
        .bind(i64::from(percent))
        .bind(serde_json::to_string(figures).unwrap_or_default())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Records an open job as queued or running; `at` is its start (a queued
/// job starts when it leaves the queue).
pub async fn set_state(
    pool: &SqlitePool,
    id: i64,
    state: JobState,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE jobs SET state = ?, started_at = ? WHERE id = ? AND state IN ('queued', 'running')",
    )
    .bind(state.as_str())
    .bind(at)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Records where a job's domain turned out to be (a create's).
pub async fn locate(
    pool: &SqlitePool,
    id: i64,
    host_id: i64,
    uuid: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE jobs SET host_id = ?, domain_uuid = ? WHERE id = ?")
        .bind(host_id)
        .bind(uuid)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// How a job ended.
pub struct End<'a> {
    pub state: JobState,
    pub message: Option<Key>,
    pub figures: Option<&'a MigrationFigures>,
    pub reconciled: bool,
    pub ended_at: &'a str,
}

/// Records a job's end (progress 100 when it succeeded).
pub async fn finish(pool: &SqlitePool, id: i64, end: &End<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE jobs SET state = ?, message = ?, reconciled = ?, ended_at = ?,
                percent = CASE WHEN ? THEN 100 ELSE percent END,
                figures = COALESCE(?, figures)
         WHERE id = ?",
    )
    .bind(end.state.as_str())
    .bind(end.message.map_or("", Key::name))
    .bind(end.reconciled)
    .bind(end.ended_at)
    .bind(end.state == JobState::Succeeded)
    .bind(
        end.figures
            .map(|f| serde_json::to_string(f).unwrap_or_default()),
    )
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Marks every job left open by a stopped server as interrupted; the
/// jobs marked.
pub async fn interrupt_open(pool: &SqlitePool, message: Key) -> Result<Vec<JobView>, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE jobs SET state = 'interrupted', message = ?
         WHERE state IN ('queued', 'running') RETURNING id",
    )
    .bind(message.name())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(get(pool, id).await?);
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    host_id: i64,
    host_name: Option<String>,
    target_host_id: Option<i64>,
    target_host_name: Option<String>,
    domain_uuid: String,
    domain_name: String,
    workspace: Option<String>,
    actor: String,
    state: String,
    mode: String,
    phase: String,
    percent: i64,
    figures: String,
    message: String,
    reconciled: bool,
    started_at: String,
    ended_at: Option<String>,
}

const SELECT: &str = "SELECT j.id, j.kind, j.host_id, h.name AS host_name, j.target_host_id,
        t.name AS target_host_name,
        j.domain_uuid, j.domain_name, j.workspace, j.actor, j.state, j.mode, j.phase,
        j.percent, j.figures, j.message, j.reconciled, j.started_at, j.ended_at
    FROM jobs j LEFT JOIN hosts h ON h.id = j.host_id LEFT JOIN hosts t ON t.id = j.target_host_id";

fn view(r: Row) -> JobView {
    JobView {
        id: r.id,
        kind: JobKind::parse(&r.kind).unwrap_or(JobKind::MigrateLive),
        host_id: r.host_id,
        host_name: r.host_name.unwrap_or_default(),
        target_host_id: r.target_host_id,
        target_host_name: r.target_host_name.unwrap_or_default(),
        domain_uuid: r.domain_uuid,
        domain_name: r.domain_name,
        workspace: r.workspace,
        actor: r.actor,
        state: JobState::parse(&r.state).unwrap_or(JobState::Failed),
        mode: DiskMode::parse(&r.mode).unwrap_or(DiskMode::None),
        phase: r.phase,
        percent: r.percent.clamp(0, 100) as u8,
        figures: serde_json::from_str(&r.figures).unwrap_or_default(),
        message: Key::from_name(&r.message),
        reconciled: r.reconciled,
        started_at: r.started_at,
        ended_at: r.ended_at,
    }
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<JobView>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} WHERE j.id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(view))
}

/// The newest `limit` jobs matching `filter`, of the workspaces `slugs`
/// (`None`: all, for an administrator).
pub async fn list(
    pool: &SqlitePool,
    filter: &JobFilter,
    slugs: Option<&[String]>,
    limit: u32,
) -> Result<Vec<JobView>, sqlx::Error> {
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    if !filter.state.is_empty() {
        sql.push_str(" AND j.state = ?");
    }
    if !filter.kind.is_empty() {
        sql.push_str(" AND j.kind = ?");
    }
    if !filter.domain.is_empty() {
        sql.push_str(" AND (j.domain_uuid = ? OR j.domain_name = ?)");
    }
    if let Some(slugs) = slugs {
        let marks = vec!["?"; slugs.len()].join(", ");
        match slugs.is_empty() {
            true => sql.push_str(" AND 0"),
            false => sql.push_str(&format!(" AND j.workspace IN ({marks})")),
        }
    }
    sql.push_str(" ORDER BY j.id DESC LIMIT ?");
    let mut query = sqlx::query_as::<_, Row>(&sql);
    if !filter.state.is_empty() {
        query = query.bind(&filter.state);
    }
    if !filter.kind.is_empty() {
        query = query.bind(&filter.kind);
    }
    if !filter.domain.is_empty() {
        query = query.bind(&filter.domain).bind(&filter.domain);
    }
    for slug in slugs.unwrap_or_default() {
        query = query.bind(slug);
    }
    let rows = query.bind(i64::from(limit)).fetch_all(pool).await?;
    Ok(rows.into_iter().map(view).collect())
}
