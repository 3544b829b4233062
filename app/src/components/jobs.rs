//! Jobs as pages show them: a job's state and progress bar with its
//! figures, the tray in the top bar (how many run), and a domain's jobs on
//! its page. Each sits in a [`LiveRegion`] that job pushes refresh.

use leptos::prelude::*;

use crate::api::mobility::{list_jobs, CancelJob, SetJobPaused};
use crate::components::live::{Follow, LiveRegion};
use crate::components::notes::ErrorNote;
use crate::i18n::{fill, use_i18n, Key};
use crate::model::job::{JobFilter, JobKind, JobState, JobView};

const MIB: u64 = 1 << 20;

/// The job's state as a badge (with "reconciled" after a restart).
#[component]
pub fn JobBadge(job: JobView) -> impl IntoView {
    let i = use_i18n();
    let state = job.state.as_str();
    view! {
        <span class=format!("badge badge--job-{state}") data-job-state=state>{i.t(job.state.label())}</span>
        {job.reconciled.then(|| view! { " " <span class="muted small">{i.t(Key::JobReconciled)}</span> })}
    }
}

/// A running job's progress bar and the figures it comes from; an ended
/// one's outcome.
#[component]
pub fn JobProgress(job: JobView) -> impl IntoView {
    let i = use_i18n();
    let f = job.figures.clone();
    let figures = (f.data_total > 0).then(|| {
        let mib = |b: u64| (b / MIB).to_string();
        fill(
            i.t(Key::JobFigures),
            &[
                &mib(f.data_processed),
                &mib(f.data_total),
                &mib(f.data_remaining),
                &mib(f.mem_bps),
                &f.dirty_rate.to_string(),
                &f.iteration.to_string(),
            ],
        )
    });
    let downtime = f
        .downtime_ms
        .map(|ms| fill(i.t(Key::JobDowntime), &[&ms.to_string()]));
    let phase = match job.phase.split_once(':') {
        Some(("plan", at)) => Some(fill(
            i.t(Key::PhasePlanMove),
            &at.split('/').collect::<Vec<_>>(),
        )),
        Some(("paused", at)) => Some(fill(
            i.t(Key::PhasePaused),
            &at.split('/').collect::<Vec<_>>(),
        )),
        _ => match job.phase.as_str() {
            "disks" => Some(i.t(Key::PhaseDisks).to_string()),
            "memory" => Some(i.t(Key::PhaseMemory).to_string()),
            _ => None,
        },
    };
    let open = job.state.is_open();
    view! {
        <div class="job-progress" data-job=job.id data-percent=job.percent>
            <progress max="100" value=job.percent>{format!("{} %", job.percent)}</progress>
            <span class="num">{format!("{} %", job.percent)}</span>
            {open.then_some(phase).flatten().map(|p| view! { " · " <span data-job-phase=job.phase.clone()>{p}</span> })}
            {figures.map(|t| view! { <div class="small mono" data-job-figures>{t}</div> })}
            {downtime.map(|t| view! { <div class="small" data-job-downtime>{t}</div> })}
            {job.message.map(|k| view! { <div class="small muted" data-job-message=k.name()>{i.t(k)}</div> })}
        </div>
    }
}

/// The Cancel button of a running job that libvirt can abort.
#[component]
pub fn CancelButton(job: JobView) -> impl IntoView {
    let i = use_i18n();
    let cancel = crate::flash::action::<CancelJob>();
    let shown = job.state.is_open() && job.kind.cancellable();
    shown.then(|| {
        view! {
            <ActionForm action=cancel attr:class="inline" attr:data-form="cancel-job">
                <input type="hidden" name="id" value=job.id />
                <button class="btn btn--small btn--danger" type="submit">{i.t(Key::JobCancel)}</button>
                {move || cancel.value().get().map(|r| match r {
                    Ok(()) => view! { <span class="note note--ok">{i.t(Key::JobCancelAsked)}</span> }.into_any(),
                    Err(err) => view! { <ErrorNote err /> }.into_any(),
                })}
            </ActionForm>
        }
    })
}

/// Pause or Resume of a running job that goes in steps (a plan).
#[component]
pub fn PauseButton(job: JobView) -> impl IntoView {
    let i = use_i18n();
    let pause = crate::flash::action::<SetJobPaused>();
    let paused = job.phase.starts_with("paused:");
    let shown = job.state.is_open() && job.kind.pausable();
    shown.then(|| {
        view! {
            <ActionForm action=pause attr:class="inline" attr:data-form="pause-job">
                <input type="hidden" name="id" value=job.id />
                <input type="hidden" name="paused" value=(!paused).to_string() />
                <button class="btn btn--small" type="submit" data-pause=if paused { "resume" } else { "pause" }>
                    {i.t(if paused { Key::JobResume } else { Key::JobPause })}
                </button>
                {move || pause.value().get().map(|r| match r {
                    Ok(()) => ().into_any(),
                    Err(err) => view! { <ErrorNote err /> }.into_any(),
                })}
            </ActionForm>
        }
    })
}

/// One job as a table row (the Jobs page, a domain's page).
#[component]
pub fn JobRow(job: JobView) -> impl IntoView {
    let i = use_i18n();
    let domain_link = match (job.kind.on_host(), job.domain_uuid.is_empty()) {
        (true, _) if job.kind == JobKind::Plan => Some("/consolidation".to_string()),
        (true, _) => Some("/hosts".to_string()),
        (false, true) => None,
        (false, false) => Some(format!("/domains/{}/{}", job.host_id, job.domain_uuid)),
    };
    let audit_link = format!("/audit?target={}", job.domain_uuid);
    let to = job.target_host_name.clone();
    view! {
        <tr data-job-row=job.id data-job-state=job.state.as_str() data-job-kind=job.kind.as_str()>
            <td class="num">{format!("#{}", job.id)}</td>
            <td>{i.t(job.kind.label())}<div class="small muted">{i.t(job.mode.label())}</div></td>
            <td>{match domain_link {
                Some(href) => view! { <a href=href>{job.domain_name.clone()}</a> }.into_any(),
                None => view! { <span>{job.domain_name.clone()}</span> }.into_any(),
            }}</td>
            <td>{job.host_name.clone()}</td>
            <td>{to}</td>
            <td><JobBadge job=job.clone() /></td>
            <td><JobProgress job=job.clone() /></td>
            <td>{job.actor.clone()}</td>
            <td class="mono small">{job.started_at.clone()}</td>
            <td class="mono small">{job.ended_at.clone().unwrap_or_default()}</td>
            <td>
                <PauseButton job=job.clone() />
                <CancelButton job=job.clone() />
                <a class="small" href=audit_link>{i.t(Key::NavAudit)}</a>
            </td>
        </tr>
    }
}

/// Jobs as a table (`name`: its `data-table`).
#[component]
pub fn JobTable(name: &'static str, jobs: Vec<JobView>) -> impl IntoView {
    let i = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table" data-table=name>
                {job_head(i)}
                <tbody>
                    {jobs.into_iter().map(|job| view! { <JobRow job /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The header row matching [`JobRow`].
pub fn job_head(i: crate::i18n::I18n) -> impl IntoView {
    view! {
        <thead><tr>
            <th>{i.t(Key::ColJob)}</th><th>{i.t(Key::ColKind)}</th><th>{i.t(Key::ColName)}</th>
            <th>{i.t(Key::ColHost)}</th><th>{i.t(Key::ColMoveTo)}</th><th>{i.t(Key::ColState)}</th>
            <th>{i.t(Key::ColProgress)}</th><th>{i.t(Key::ColBy)}</th><th>{i.t(Key::ColStarted)}</th>
            <th>{i.t(Key::ColEnded)}</th><th>{i.t(Key::ColActions)}</th>
        </tr></thead>
    }
}

/// The top bar's count of running jobs, linking to the Jobs page; it
/// follows only the start and end of jobs. Read from the server's own
/// registry while the page renders (no request of its own).
#[component]
pub fn JobsTray() -> impl IntoView {
    let i = use_i18n();
    let actor = crate::components::session::use_actor().get_untracked();
    let n = running_jobs(actor.as_ref());
    view! {
        <LiveRegion id="jobs-tray" follow=Follow::JobsRunning>
            {(n > 0).then(|| view! {
                <a class="tray" href="/jobs?state=running" data-jobs-running=n>
                    {fill(i.t(Key::JobsRunningTray), &[&n.to_string()])}
                </a>
            })}
        </LiveRegion>
    }
}

/// Jobs running that `actor` may see (none in the browser: pages are
/// rendered on the server).
fn running_jobs(actor: Option<&crate::policy::Actor>) -> usize {
    #[cfg(feature = "ssr")]
    if let (Some(actor), Some(state)) = (actor, use_context::<crate::state::AppState>()) {
        return state.jobs.running_for(actor.visible_slugs().as_deref());
    }
    let _ = actor;
    0
}

/// A domain's jobs on its page: the running one with its progress and
/// Cancel, the recent ones, and where the domain went after a move.
#[component]
pub fn DomainJobs(host_id: i64, uuid: String) -> impl IntoView {
    let i = use_i18n();
    let filter = JobFilter {
        domain: uuid.clone(),
        ..JobFilter::default()
    };
    let jobs = Resource::new(|| (), move |_| list_jobs(filter.clone()));
    view! {
        <LiveRegion id="domain-jobs" domain=(host_id, uuid)>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let mut jobs = jobs.await.unwrap_or_default();
                    jobs.truncate(5);
                    let moved = jobs.first().filter(|j| j.state == JobState::Succeeded)
                        .and_then(|j| Some((j.target_host_id?, j.target_host_name.clone(), j.domain_uuid.clone())))
                        .filter(|(to, _, _)| *to != host_id);
                    (!jobs.is_empty()).then(|| view! {
                        <section class="card" data-section="domain-jobs">
                            {moved.map(|(to, name, uuid)| view! {
                                <p class="note note--ok" data-moved-to=to>
                                    {fill(i.t(Key::MovedTo), &[&name])} " "
                                    <a href=format!("/domains/{to}/{uuid}")>{i.t(Key::MoveOpen)}</a>
                                </p>
                            })}
                            <h2>{i.t(Key::MoveRecentJobs)}</h2>
                            <JobTable name="domain-jobs" jobs />
                        </section>
                    })
                })}
            </Transition>
        </LiveRegion>
    }
}

/// The jobs running now (the Hosts page: drains, moves, failovers), with
/// their progress; nothing when none runs.
#[component]
pub fn RunningJobs() -> impl IntoView {
    let i = use_i18n();
    let running = Resource::new(
        || (),
        |_| {
            list_jobs(JobFilter {
                state: JobState::Running.as_str().into(),
                ..JobFilter::default()
            })
        },
    );
    view! {
        <LiveRegion id="running-jobs" follow=Follow::Jobs>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let jobs = running.await.unwrap_or_default();
                    (!jobs.is_empty()).then(|| view! {
                        <section class="card" data-section="running-jobs">
                            <h2>{i.t(Key::MoveRunningJob)}</h2>
                            <div class="table-wrap">
                                <table class="table" data-table="running-jobs">
                                    {job_head(i)}
                                    <tbody>{jobs.into_iter().map(|job| view! { <JobRow job /> }).collect_view()}</tbody>
                                </table>
                            </div>
                        </section>
                    })
                })}
            </Transition>
        </LiveRegion>
    }
}
