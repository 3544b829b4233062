//! The Jobs page: every job the caller may see, newest first, filtered by
//! state, kind and domain (a plain GET form); running ones with their
//! progress, live.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::mobility::list_jobs;
use crate::components::jobs::{job_head, JobRow};
use crate::components::live::{Follow, LiveRegion};
use crate::components::notes::ErrorNote;
use crate::i18n::{use_i18n, Key};
use crate::model::job::{JobFilter, JobKind, JobState};

#[component]
pub fn JobsPage() -> impl IntoView {
    let i = use_i18n();
    let params = use_query_map();
    let filter = Memo::new(move |_| {
        let p = params.read();
        let get = |k: &str| p.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        JobFilter {
            state: get("state"),
            kind: get("kind"),
            domain: get("domain"),
        }
    });
    let jobs = Resource::new(move || filter.get(), list_jobs);
    view! {
        <h1>{i.t(Key::JobsTitle)}</h1>
        <p class="muted">{i.t(Key::JobsHelp)}</p>
        <Form method="GET" action="/jobs" attr:class="filters" attr:data-form="jobs-filter">
            {move || {
                let f = filter.get();
                view! {
                    <select name="state" aria-label=i.t(Key::ColState)>
                        <option value="">{i.t(Key::AnyState)}</option>
                        {JobState::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=f.state == s.as_str()>{i.t(s.label())}</option>
                        }).collect_view()}
                    </select>
                    <select name="kind" aria-label=i.t(Key::ColKind)>
                        <option value="">{i.t(Key::AnyJobKind)}</option>
                        {JobKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=f.kind == k.as_str()>{i.t(k.label())}</option>
                        }).collect_view()}
                    </select>
                    <input name="domain" value=f.domain.clone() placeholder=i.t(Key::ColName) aria-label=i.t(Key::ColName) />
                }
            }}
            <button class="btn btn--primary" type="submit">{i.t(Key::Filter)}</button>
            <a class="btn" href="/jobs">{i.t(Key::Clear)}</a>
        </Form>
        <LiveRegion id="jobs" follow=Follow::Jobs>
            <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match jobs.await {
                        Ok(jobs) if jobs.is_empty() => view! { <p class="muted" data-jobs-empty>{i.t(Key::JobsNone)}</p> }.into_any(),
                        Ok(jobs) => view! {
                            <div class="table-wrap">
                                <table class="table" data-table="jobs">
                                    {job_head(i)}
                                    <tbody>{jobs.into_iter().map(|job| view! { <JobRow job /> }).collect_view()}</tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(err) => view! { <ErrorNote err /> }.into_any(),
                    }
                })}
            </Transition>
        </LiveRegion>
    }
}
