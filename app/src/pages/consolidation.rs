//! The Consolidation page: how few hosts carry the fleet, the plan that
//! gets there (migrations in order, hosts before and after), its lower
//! bound, and what it saves a year by the cost model. Its settings are a
//! plain GET form, so it works without JavaScript.

mod apply;

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::consolidation::consolidation_plan;
use crate::i18n::{fill, use_i18n, I18n, Key};
use crate::model::consolidation::{PlanQuery, PlanSummary, PlanView};

const PERCENTILES: [&str; 5] = ["p50", "p90", "p95", "p99", "max"];

/// A whole number with thin groups of three: 12,345.
pub fn whole(v: f64) -> String {
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n > 0 && (s.len() - n) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < -0.5 {
        format!("-{out}")
    } else {
        out
    }
}

#[component]
pub fn ConsolidationPage() -> impl IntoView {
    let i = use_i18n();
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let p = params.read();
        let get = |k: &str| p.get(k).map(|v| v.trim().to_string());
        let d = PlanQuery::default();
        PlanQuery {
            dataset: get("dataset").unwrap_or_default(),
            percentile: get("percentile").unwrap_or(d.percentile),
            headroom_pct: get("headroom").map_or(d.headroom_pct, |v| v.parse().unwrap_or(0)),
            window_days: get("window").map_or(d.window_days, |v| v.parse().unwrap_or(0)),
            // An id that is not a number is no host: refused by the server.
            remove: p
                .get_all("remove")
                .unwrap_or_default()
                .iter()
                .map(|v| v.trim().parse().unwrap_or(-1))
                .collect(),
            hosts: p
                .get_all("hosts")
                .unwrap_or_default()
                .iter()
                .map(|v| v.trim().parse().unwrap_or(-1))
                .collect(),
        }
    });
    let plan = Resource::new(move || query.get(), consolidation_plan);
    view! {
        <h1>{i.t(Key::NavConsolidation)}</h1>
        <p class="muted">{i.t(Key::ConsolidationHelp)}</p>
        <p><a href="/cost-model" data-link="cost-model">{i.t(Key::NavCostModel)}</a></p>
        <apply::PlanJobs />
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match plan.await {
                    Ok(view) => view! { <PlanForm view=view.clone() /> <PlanBody view /> }.into_any(),
                    Err(err) => view! {
                        <PlanForm view=PlanView { query: Some(query.get_untracked()), ..PlanView::default() } />
                        <p class="note note--error" role="alert" data-plan-error>{i.t(err.first_key())}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PlanForm(view: PlanView) -> impl IntoView {
    let i = use_i18n();
    let q = view.query.clone().unwrap_or_default();
    let mut datasets = view.datasets.clone();
    if datasets.is_empty() {
        datasets.push("live".into());
    }
    view! {
        <Form method="GET" action="/consolidation" attr:class="filters card" attr:data-form="plan">
            <label class="field">
                <span class="field__label">{i.t(Key::PlanDataset)}</span>
                <select name="dataset">
                    {datasets.into_iter().map(|d| {
                        let label = if d == "live" { i.t(Key::PlanLive).to_string() } else { d.trim_start_matches("trace:").to_string() };
                        view! { <option value=d.clone() selected=q.dataset == d>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field__label">{i.t(Key::PlanPercentile)}</span>
                <select name="percentile">
                    {PERCENTILES.into_iter().map(|p| view! { <option value=p selected=q.percentile == p>{p}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field__label">{i.t(Key::PlanHeadroom)}</span>
                <input class="field__input" name="headroom" type="number" min="10" max="100" value=q.headroom_pct.to_string() />
            </label>
            <label class="field">
                <span class="field__label">{i.t(Key::PlanWindow)}</span>
                <input class="field__input" name="window" type="number" min="1" max="90" value=q.window_days.to_string() />
            </label>
            {(view.scope.len() > 1).then(|| view! {
                <fieldset class="field" data-plan-scope>
                    <legend class="field__label">{i.t(Key::PlanScope)}</legend>
                    {view.scope.iter().map(|(id, name)| view! {
                        <label class="check">
                            <input type="checkbox" name="hosts" value=id.to_string() checked=q.hosts.contains(id) />
                            {name.clone()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <fieldset class="field" data-whatif="remove">
                    <legend class="field__label">{i.t(Key::PlanRemove)}</legend>
                    {view.hosts.iter().map(|(id, name)| view! {
                        <label class="check">
                            <input type="checkbox" name="remove" value=id.to_string() checked=q.remove.contains(id) />
                            {name.clone()}
                        </label>
                    }).collect_view()}
                </fieldset>
            })}
            <button class="btn btn--primary" type="submit">{i.t(Key::PlanRecompute)}</button>
        </Form>
    }
}

#[component]
fn PlanBody(view: PlanView) -> impl IntoView {
    let i = use_i18n();
    if view.vms == 0 {
        return view! { <p class="muted" data-plan-empty>{i.t(Key::PlanNoVms)}</p> }.into_any();
    }
    let flagged = (view.flagged > 0).then(|| {
        let text = fill(
            i.t(Key::PlanFlagged),
            &[&view.flagged.to_string(), &view.vms.to_string()],
        );
        view! { <p class="note" data-plan-flagged>{text}</p> }
    });
    let apply = view! { <apply::ApplyPanel view=view.clone() /> };
    let Some(plan) = view.plan else {
        return view! { {flagged} <p class="note note--error" role="alert" data-plan-nofit>{i.t(Key::PlanNoFit)}</p> }.into_any();
    };
    view! {
        {flagged}
        {cards(i, &plan, &view.currency)}
        {apply}
        <PeaksNote plan=plan.clone() />
        <MovesTable plan=plan.clone() />
        <HostsTable plan />
    }
    .into_any()
}

fn cards(i: I18n, p: &PlanSummary, currency: &str) -> impl IntoView {
    let bound = p.lower_bound.map_or("—".to_string(), |b| b.to_string());
    let gap = p
        .lower_bound
        .filter(|b| *b > 0)
        .map_or("—".to_string(), |b| {
            format!("{:.2}×", p.hosts_after as f64 / b as f64)
        });
    let money = |v: f64| format!("{} {currency}", whole(v));
    let saved = p.before.total() - p.after.total();
    let kwh_saved = p.before.kwh - p.after.kwh;
    let card = |label: Key, value: String, key: &'static str| {
        view! { <div class="stat"><span class="stat__value" data-plan-stat=key>{value}</span><span class="stat__label">{i.t(label)}</span></div> }
    };
    view! {
        <section class="stats stats--plan" data-plan-summary>
            {card(Key::PlanHostsNow, p.hosts_before.to_string(), "before")}
            {card(Key::PlanHostsAfter, p.hosts_after.to_string(), "after")}
            {card(Key::PlanLowerBound, bound, "bound")}
            {card(Key::PlanGap, gap, "gap")}
            {card(Key::PlanMigrations, p.moves.len().to_string(), "moves")}
            {card(Key::PlanEnergyYear, format!("{} → {} kWh", whole(p.before.kwh), whole(p.after.kwh)), "kwh")}
            {card(Key::PlanCostYear, format!("{} → {}", money(p.before.total()), money(p.after.total())), "cost")}
            {card(Key::PlanSavedYear, format!("{} · {} kWh", money(saved), whole(kwh_saved)), "saved")}
        </section>
    }
}

/// The hours of the history a kept host would have run past the headroom:
/// what the percentile leaves out.
#[component]
fn PeaksNote(plan: PlanSummary) -> impl IntoView {
    let i = use_i18n();
    if plan.peaks.is_empty() {
        return view! { <p class="muted" data-plan-peaks="none">{i.t(Key::PlanNoPeaks)}</p> }
            .into_any();
    }
    view! {
        <section class="card" data-plan-peaks="some">
            <h2>{i.t(Key::PlanPeaksTitle)}</h2>
            <ul>
                {plan.peaks.into_iter().map(|p| {
                    let when = format!("{} {:02}:00 UTC", crate::history::range::format_date(p.worst_t), p.worst_t.rem_euclid(86_400) / 3_600);
                    let text = fill(
                        i.t(Key::PlanPeakLine),
                        &[&p.host, &p.hours.to_string(), &p.over_capacity.to_string(), &format!("{:.0}", p.worst_pct), &when],
                    );
                    view! { <li data-plan-peak=p.host.clone()>{text}</li> }
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn MovesTable(plan: PlanSummary) -> impl IntoView {
    let i = use_i18n();
    if plan.moves.is_empty() {
        return view! { <section class="card"><h2>{i.t(Key::PlanMovesTitle)}</h2><p class="muted" data-plan-nomoves>{i.t(Key::PlanNoMoves)}</p></section> }.into_any();
    }
    view! {
        <section class="card">
            <h2>{i.t(Key::PlanMovesTitle)}</h2>
            <p class="muted">{i.t(Key::PlanMovesHelp)}</p>
            <div class="table-wrap">
                <table class="table" data-table="plan-moves">
                    <thead><tr>
                        <th>{i.t(Key::ColOrder)}</th><th>{i.t(Key::ColName)}</th><th>{i.t(Key::ColFrom)}</th>
                        <th>{i.t(Key::ColTo)}</th><th>{i.t(Key::ColCpuDemand)}</th><th>{i.t(Key::ColMemory)}</th>
                    </tr></thead>
                    <tbody>
                        {plan.moves.into_iter().enumerate().map(|(n, m)| {
                            let marker = m.domain.clone().unwrap_or_default();
                            view! {
                            <tr data-plan-move=marker>
                                <td>{n + 1}</td>
                                <td>{match (m.domain, m.uuid) {
                                    (Some(name), Some(_)) => view! { <span>{name}</span> }.into_any(),
                                    _ => view! { <span class="muted">{i.t(Key::PlanOtherVm)}</span> }.into_any(),
                                }}</td>
                                <td>{m.from}</td>
                                <td>{m.to}{m.offline.then(|| view! { " " <span class="badge">{i.t(Key::PlanOffline)}</span> })}</td>
                                <td>{format!("{} MHz", whole(m.cpu_mhz))}</td>
                                <td>{format!("{} MiB", whole(m.memory_mib as f64))}</td>
                            </tr>
                        }}).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn HostsTable(plan: PlanSummary) -> impl IntoView {
    let i = use_i18n();
    let pct = |v: f64| format!("{v:.0} %");
    view! {
        <section class="card">
            <h2>{i.t(Key::PlanHostsTitle)}</h2>
            <div class="table-wrap">
                <table class="table" data-table="plan-hosts">
                    <thead>
                        <tr>
                            <th rowspan="2">{i.t(Key::ColHost)}</th>
                            <th colspan="3">{i.t(Key::ColBefore)}</th>
                            <th colspan="3">{i.t(Key::ColAfter)}</th>
                            <th rowspan="2">{i.t(Key::ColState)}</th>
                        </tr>
                        <tr>
                            <th>{i.t(Key::ColCpu)}</th><th>{i.t(Key::ColMemory)}</th><th>{i.t(Key::ColDomains)}</th>
                            <th>{i.t(Key::ColCpu)}</th><th>{i.t(Key::ColMemory)}</th><th>{i.t(Key::ColDomains)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {plan.hosts.into_iter().map(|h| {
                            let (key, class) = match (h.vms_after > 0, h.vms_before > 0) {
                                (true, _) => (Key::PlanStays, "badge badge--ok"),
                                (false, true) => (Key::PlanPowerDown, "badge badge--warn"),
                                (false, false) => (Key::PlanIdle, "badge"),
                            };
                            // "off": emptied by the plan; "idle": carried nothing before.
                            let state = match (h.vms_after > 0, h.vms_before > 0) {
                                (true, _) => "on",
                                (false, true) => "off",
                                (false, false) => "idle",
                            };
                            let marker = h.name.clone();
                            view! {
                                <tr data-plan-host=marker data-plan-host-after=state>
                                    <td>{h.name}</td>
                                    <td>{pct(h.cpu_before)}</td><td>{pct(h.mem_before)}</td><td>{h.vms_before}</td>
                                    <td>{pct(h.cpu_after)}</td><td>{pct(h.mem_after)}</td><td>{h.vms_after}</td>
                                    <td>
                                        <span class=class>{i.t(key)}</span>
                                        {(!h.receives).then(|| view! { " " <span class="badge">{i.t(Key::PlanTakesNone)}</span> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
