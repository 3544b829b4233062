//! Utilization history: the fleet stacked by host, one host, one
//! workspace's allocation against use, or an imported trace data set
//! (`?host=ID`, `?ws=SLUG`, `?trace=NAME`); the list of imported traces,
//! with import and delete for administrators.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::hosts::list_hosts;
use crate::api::traces::{list_traces, DeleteTrace};
use crate::api::workspaces::list_workspaces;
use crate::components::history::HistoryCharts;
use crate::components::session::{may, use_actor};
use crate::components::traces::{TraceImportForm, TraceImportStatus, TraceTable};
use crate::history::view::Target;
use crate::i18n::{use_i18n, Key};
use crate::policy::{Action, Object};

#[component]
pub fn HistoryPage() -> impl IntoView {
    let i = use_i18n();
    let query = use_query_map();
    let actor = use_actor();
    let delete = crate::flash::action::<DeleteTrace>();
    let lists = Resource::new(
        || (),
        |_| async {
            (
                list_hosts().await.unwrap_or_default(),
                list_workspaces().await.unwrap_or_default(),
                list_traces().await.unwrap_or_default(),
            )
        },
    );
    let selected = move || {
        let q = query.read();
        if let Some(id) = q.get("host").and_then(|h| h.parse::<i64>().ok()) {
            Target::Host(id)
        } else if let Some(slug) = q.get("ws").filter(|s| !s.is_empty()) {
            Target::Workspace(slug)
        } else if let Some(name) = q.get("trace").filter(|s| !s.is_empty()) {
            Target::Trace(name)
        } else {
            Target::Fleet
        }
    };
    view! {
        <h1>{i.t(Key::History)}</h1>
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let (hosts, workspaces, traces) = lists.await;
                let current = selected();
                let title = match &current {
                    Target::Host(id) => hosts.iter().find(|h| h.id == *id).map(|h| format!("{} · {}", i.t(Key::ColHost), h.name)),
                    Target::Workspace(slug) => workspaces.iter().find(|w| &w.slug == slug).map(|w| format!("{} · {}", i.t(Key::ColWorkspace), w.name)),
                    Target::Trace(name) => traces.iter().find(|t| &t.name == name).map(|t| format!("{} · {}", i.t(Key::Traces), t.name)),
                    _ => Some(i.t(Key::FleetHistory).to_string()),
                };
                view! {
                    <nav class="history__targets card" data-history-targets>
                        <a class="btn btn--small" href="/history" aria-current=(current == Target::Fleet).then_some("true")>{i.t(Key::FleetHistory)}</a>
                        {hosts.into_iter().map(|h| {
                            let on = current == Target::Host(h.id);
                            view! { <a class="btn btn--small" href=format!("/history?host={}", h.id) data-history-host=h.name.clone() aria-current=on.then_some("true")>{h.name.clone()}</a> }
                        }).collect_view()}
                        {workspaces.into_iter().map(|w| {
                            let on = current == Target::Workspace(w.slug.clone());
                            view! { <a class="btn btn--small" href=format!("/history?ws={}", crate::url::encode_path(&w.slug)) data-history-ws=w.slug.clone() aria-current=on.then_some("true")>{w.name.clone()}</a> }
                        }).collect_view()}
                        {traces.iter().map(|t| {
                            let on = current == Target::Trace(t.name.clone());
                            view! { <a class="btn btn--small" href=format!("/history?trace={}", crate::url::encode_path(&t.name)) data-history-trace=t.name.clone() aria-current=on.then_some("true")>{t.name.clone()}</a> }
                        }).collect_view()}
                    </nav>
                    <HistoryCharts target=current title=title.unwrap_or_default() />
                    <section class="card" data-traces>
                        <h2>{i.t(Key::Traces)}</h2>
                        <p class="muted">{i.t(Key::TracesHelp)}</p>
                        <TraceImportStatus />
                        <TraceTable traces delete />
                        <Show when=move || may(&actor.get(), Action::TraceManage, &Object::Platform)>
                            <TraceImportForm />
                        </Show>
                    </section>
                }
            })}
        </Transition>
    }
}
