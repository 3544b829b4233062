//! The morning view: hosts up/down, domains running/stopped, and each host's
//! allocation against its capacity.

use leptos::prelude::*;

use crate::api::dashboard::dashboard;
use crate::components::live::LiveRegion;
use crate::components::notes::{kib, percent, ErrorNote, HostBadge};
use crate::i18n::{use_i18n, Key};
use crate::model::dashboard::{DashboardData, HostLoad};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let i = use_i18n();
    let data = Resource::new(|| (), |_| dashboard());
    view! {
        <h1>{i.t(Key::NavDashboard)}</h1>
        <LiveRegion id="dashboard">
            <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <Figures data=d /> }.into_any(),
                        Err(err) => view! { <ErrorNote err /> }.into_any(),
                    }
                })}
            </Transition>
        </LiveRegion>
    }
}

#[component]
fn Figures(data: DashboardData) -> impl IntoView {
    let i = use_i18n();
    let stat = |key: Key, value: u32, name: &'static str| {
        view! {
            <div class="stat" data-stat=name>
                <span class="stat__value">{value}</span>
                <span class="stat__label">{i.t(key)}</span>
            </div>
        }
    };
    let empty = data.loads.is_empty();
    view! {
        <section class="stats">
            {stat(Key::HostsUp, data.hosts_up, "hosts-up")}
            {stat(Key::HostsDown, data.hosts_down, "hosts-down")}
            {stat(Key::DomainsRunning, data.domains_running, "domains-running")}
            {stat(Key::DomainsStopped, data.domains_stopped, "domains-stopped")}
            {stat(Key::DomainsOther, data.domains_other, "domains-other")}
        </section>
        <section class="card">
            <h2>{i.t(Key::Allocation)}</h2>
            <p class="muted">{i.t(Key::AllocationHint)}</p>
            {empty.then(|| view! { <p>{i.t(Key::NoHosts)}</p> })}
            <div class="loads">
                {data.loads.into_iter().map(|load| view! { <LoadRow load /> }).collect_view()}
            </div>
        </section>
        <section class="card" data-heat-strip>
            <h2>{i.t(Key::HeatStrip)}</h2>
            <object class="heat" data="/charts/heat.svg" type="image/svg+xml" aria-label=i.t(Key::HeatStrip)></object>
            <p><a href="/history">{i.t(Key::History)}</a></p>
        </section>
    }
}

#[component]
fn LoadRow(load: HostLoad) -> impl IntoView {
    let i = use_i18n();
    let cpu_pct = percent(u64::from(load.vcpus_allocated), u64::from(load.cpus));
    let mem_pct = percent(load.memory_allocated_kib, load.memory_kib);
    let bar = |pct: u64| format!("width: {pct}%");
    view! {
        <div class="load" data-host=load.name.clone()>
            <div class="load__head">
                <span class="load__name">{load.name.clone()}</span>
                <HostBadge state=load.state />
            </div>
            <div class="meter" title=format!("{cpu_pct}%")>
                <span class="meter__label">{i.t(Key::VcpusOf)}</span>
                <span class="meter__track"><span class="meter__fill" style=bar(cpu_pct)></span></span>
                <span class="meter__value" data-vcpus>
                    {format!("{} / {}", load.vcpus_allocated, load.cpus)}
                </span>
            </div>
            <div class="meter" title=format!("{mem_pct}%")>
                <span class="meter__label">{i.t(Key::MemoryOf)}</span>
                <span class="meter__track"><span class="meter__fill" style=bar(mem_pct)></span></span>
                <span class="meter__value">
                    {format!("{} / {}", kib(load.memory_allocated_kib), kib(load.memory_kib))}
                </span>
            </div>
        </div>
    }
}
