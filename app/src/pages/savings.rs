//! The Savings page: what consolidation saves (servers, energy and cost a
//! year, with charts and their CSV) and each workspace's showback over a
//! window, with every assumption they rest on. Printed, it is a clean A4
//! report for management (`@media print` in the stylesheet). Its window is
//! a plain GET form, so it works without JavaScript.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::consolidation::savings;
use crate::i18n::{fill, use_i18n, Key};
use crate::model::consolidation::SavingsReport;
use crate::pages::consolidation::whole;

#[component]
pub fn SavingsPage() -> impl IntoView {
    let i = use_i18n();
    let params = use_query_map();
    let window = Memo::new(move |_| {
        let p = params.read();
        // Not a number: 0, which the server refuses naming the field.
        p.get("window")
            .map_or(30, |v| v.trim().parse().unwrap_or(0))
    });
    let report = Resource::new(move || window.get(), savings);
    view! {
        <h1>{i.t(Key::NavSavings)}</h1>
        <p class="muted no-print">{i.t(Key::SavingsHelp)}</p>
        <Form method="GET" action="/savings" attr:class="filters card no-print" attr:data-form="savings">
            <label class="field">
                <span class="field__label">{i.t(Key::SavingsWindow)}</span>
                <input class="field__input" name="window" type="number" min="1" max="366" value=move || window.get().to_string() />
            </label>
            <button class="btn btn--primary" type="submit">{i.t(Key::SavingsShow)}</button>
            <span class="muted small">{i.t(Key::SavingsPrintHint)}</span>
        </Form>
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(r) => view! { <Report r /> }.into_any(),
                    Err(err) => view! { <p class="note note--error" role="alert" data-savings-error>{i.t(err.first_key())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Report(r: SavingsReport) -> impl IntoView {
    let i = use_i18n();
    let currency = r.plan.currency.clone();
    let money = move |v: f64| format!("{} {}", whole(v), currency);
    let chart = move |name: &'static str, alt: Key| {
        let src = format!("/charts/savings/{name}.svg?window={}", r.window_days);
        let csv = format!("/charts/savings/{name}.csv?window={}", r.window_days);
        view! {
            <figure class="card chart" data-savings-chart=name>
                <img src=src alt=i.t(alt) width="720" height="280" />
                <figcaption class="no-print"><a href=csv data-csv=name>{i.t(Key::SavingsCsv)}</a></figcaption>
            </figure>
        }
    };
    let summary = r.plan.plan.clone().map(|p| {
        let saved = p.before.total() - p.after.total();
        view! {
            <section class="stats stats--plan" data-savings-summary>
                <div class="stat"><span class="stat__value" data-savings-stat="servers">{format!("{} → {}", p.hosts_before, p.hosts_after)}</span><span class="stat__label">{i.t(Key::SavingsServers)}</span></div>
                <div class="stat"><span class="stat__value" data-savings-stat="kwh">{format!("{} kWh", whole(p.before.kwh - p.after.kwh))}</span><span class="stat__label">{i.t(Key::SavingsKwhYear)}</span></div>
                <div class="stat"><span class="stat__value" data-savings-stat="saved">{money(saved)}</span><span class="stat__label">{i.t(Key::PlanSavedYear)}</span></div>
            </section>
        }
    });
    let q = r.plan.query.clone().unwrap_or_default();
    let dataset = if q.dataset == "live" {
        i.t(Key::PlanLive).to_string()
    } else {
        q.dataset.trim_start_matches("trace:").to_string()
    };
    let assumptions = fill(
        i.t(Key::SavingsAssumptions),
        &[
            &dataset,
            &q.percentile,
            &q.headroom_pct.to_string(),
            &format!("{:.2}", r.pue),
            &format!("{:.2}", r.tariff),
            &r.plan.currency,
            &whole(r.server_yearly),
        ],
    );
    view! {
        <header class="print-only report-head">
            <h2>{i.t(Key::SavingsReportTitle)}</h2>
            <p class="small">{crate::history::range::format_date(r.generated_at)}</p>
        </header>
        {match summary {
            Some(v) => v.into_any(),
            None => view! { <p class="note" data-savings-summary="none">{i.t(Key::PlanNoFit)}</p> }.into_any(),
        }}
        <div class="chart-grid">
            {chart("servers", Key::SavingsServers)}
            {chart("energy", Key::SavingsEnergy)}
        </div>
        <section class="card" data-section="showback">
            <h2>{fill(i.t(Key::SavingsShowbackTitle), &[&r.window_days.to_string()])}</h2>
            <p class="muted small">{fill(i.t(Key::SavingsShowbackHelp), &[&whole(r.window_kwh), &money(r.window_cost)])}</p>
            <Showback r=r.clone() />
            {chart("showback", Key::SavingsShowback)}
        </section>
        <section class="card" data-section="assumptions">
            <h2>{i.t(Key::SavingsAssumptionsTitle)}</h2>
            <p class="small">{assumptions}</p>
        </section>
    }
}

#[component]
fn Showback(r: SavingsReport) -> impl IntoView {
    let i = use_i18n();
    if r.showback.is_empty() {
        return view! { <p class="muted" data-showback="none">{i.t(Key::SavingsNoShowback)}</p> }
            .into_any();
    }
    let num = |v: f64| whole(v);
    view! {
        <div class="table-wrap">
            <table class="table" data-table="showback">
                <thead><tr>
                    <th>{i.t(Key::ColWorkspace)}</th><th>{i.t(Key::ColDomains)}</th>
                    <th>{i.t(Key::SavingsVcpuHours)}</th><th>{i.t(Key::SavingsUsedVcpuHours)}</th>
                    <th>{i.t(Key::SavingsGibHours)}</th><th>kWh</th><th>{r.plan.currency.clone()}</th>
                </tr></thead>
                <tbody>
                    {r.showback.iter().map(|s| {
                        let name = s.workspace.clone().unwrap_or_else(|| i.t(Key::SavingsNoWorkspace).to_string());
                        view! {
                            <tr data-showback-row=s.workspace.clone().unwrap_or_default()>
                                <td>{name}</td><td class="num">{s.domains}</td>
                                <td class="num">{num(s.vcpu_hours)}</td><td class="num">{num(s.used_vcpu_hours)}</td>
                                <td class="num">{num(s.gib_hours)}</td><td class="num">{format!("{:.1}", s.kwh)}</td>
                                <td class="num">{num(s.cost)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
