//! Applying the plan on the Consolidation page: the administrator's
//! confirmation form (the plan's settings and its token, so that the
//! server refuses it when the fleet changed since), why a plan cannot be
//! applied, and the plan jobs with their live progress, Pause / Resume and
//! Stop.

use leptos::prelude::*;

use crate::api::consolidation::ApplyPlan;
use crate::api::mobility::list_jobs;
use crate::components::jobs::JobTable;
use crate::components::live::{Follow, LiveRegion};
use crate::components::session::{may, use_actor};
use crate::i18n::{fill, use_i18n, Key};
use crate::model::consolidation::PlanView;
use crate::model::job::{JobFilter, JobKind};
use crate::policy::{Action, Object};

/// The Apply form for administrators, or why the plan cannot be applied.
#[component]
pub fn ApplyPanel(view: PlanView) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let admin = may(
        &actor.get_untracked(),
        Action::ConsolidationApply,
        &Object::Platform,
    );
    let apply = crate::flash::action::<ApplyPlan>();
    let q = view.query.clone().unwrap_or_default();
    let outcome = move || {
        apply.value().get().map(|r| match r {
            Ok(id) => view! {
                <p class="note note--ok" data-plan-applying=id>
                    {fill(i.t(Key::PlanApplyStarted), &[&id.to_string()])} " "
                    <a href="/jobs">{i.t(Key::NavJobs)}</a>
                </p>
            }
            .into_any(),
            // Each refusal has one message (the box, a changed fleet, a
            // plan that cannot run): shown as it is.
            Err(err) => view! {
                <p class="note note--error" role="alert" data-plan-apply-error=err.first_key().name()>{i.t(err.first_key())}</p>
            }
            .into_any(),
        })
    };
    let form = match view.apply_blocked {
        // Nothing to apply: the page says so already.
        Some(Key::PlanNoMoves | Key::PlanNoFit) => None,
        Some(why) => Some(view! { <p class="note" data-plan-apply-blocked=why.name()>{i.t(why)}</p> }.into_any()),
        None => Some(view! {
            <ActionForm action=apply attr:class="stack" attr:data-form="apply-plan">
                <input type="hidden" name="query[dataset]" value=q.dataset.clone() />
                <input type="hidden" name="query[percentile]" value=q.percentile.clone() />
                <input type="hidden" name="query[headroom_pct]" value=q.headroom_pct.to_string() />
                <input type="hidden" name="query[window_days]" value=q.window_days.to_string() />
                {q.remove.iter().map(|id| view! { <input type="hidden" name="query[remove][]" value=id.to_string() /> }).collect_view()}
                {q.hosts.iter().map(|id| view! { <input type="hidden" name="query[hosts][]" value=id.to_string() /> }).collect_view()}
                <input type="hidden" name="token" value=view.token.clone() />
                <label class="check">
                    <input type="checkbox" name="confirm" data-plan-confirm />
                    {i.t(Key::PlanApplyConfirm)}
                </label>
                <div><button class="btn btn--primary" type="submit">{i.t(Key::PlanApplyButton)}</button></div>
            </ActionForm>
        }.into_any()),
    };
    admin.then(|| {
        view! {
            <section class="card" data-plan-apply>
                <h2>{i.t(Key::PlanApplyTitle)}</h2>
                <p class="muted">{i.t(Key::PlanApplyHelp)}</p>
                {outcome}
                {form}
            </section>
        }
    })
}

/// The newest plan jobs with their progress, following every push about
/// jobs; nothing when no plan was applied yet.
#[component]
pub fn PlanJobs() -> impl IntoView {
    let i = use_i18n();
    let filter = JobFilter {
        kind: JobKind::Plan.as_str().into(),
        ..JobFilter::default()
    };
    let jobs = Resource::new(|| (), move |_| list_jobs(filter.clone()));
    view! {
        <LiveRegion id="plan-jobs" follow=Follow::Jobs>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let mut jobs = jobs.await.unwrap_or_default();
                    jobs.truncate(3);
                    (!jobs.is_empty()).then(|| view! {
                        <section class="card" data-section="plan-jobs">
                            <h2>{i.t(Key::PlanJobsTitle)}</h2>
                            <JobTable name="plan-jobs" jobs />
                        </section>
                    })
                })}
            </Transition>
        </LiveRegion>
    }
}
