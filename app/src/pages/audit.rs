//! The audit log: filter, page (keyset), verify the chain, export CSV.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::api::audit::{audit_page, VerifyAudit};
use crate::audit::{AuditFilter, AuditRecord, Outcome};
use crate::components::notes::ErrorNote;
use crate::components::session::{may, use_actor};
use crate::i18n::{use_i18n, Key};
use crate::policy::{Action, Object};

const FIELDS: [&str; 7] = [
    "from",
    "to",
    "actor",
    "workspace",
    "action",
    "outcome",
    "target",
];

/// The filter from URL parameters; empty ones mean "any".
pub fn filter_from_params(p: &ParamsMap) -> AuditFilter {
    let get = |k: &str| {
        p.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    AuditFilter {
        from: get("from"),
        to: get("to"),
        actor: get("actor"),
        workspace: get("workspace"),
        action: get("action"),
        outcome: get("outcome").and_then(|o| Outcome::parse(&o)),
        target: get("target"),
        before_seq: get("before").and_then(|b| b.parse().ok()),
        ..AuditFilter::default()
    }
}

/// The query string of `f` (for links and the CSV export).
pub fn filter_query(f: &AuditFilter) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~:".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    let outcome = f.outcome.map(|o| o.as_str().to_string());
    let pairs = [
        ("from", f.from.clone()),
        ("to", f.to.clone()),
        ("actor", f.actor.clone()),
        ("workspace", f.workspace.clone()),
        ("action", f.action.clone()),
        ("outcome", outcome),
        ("target", f.target.clone()),
        ("before", f.before_seq.map(|s| s.to_string())),
    ];
    pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", enc(v))))
        .collect::<Vec<_>>()
        .join("&")
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let params = use_query_map();
    let filter = Memo::new(move |_| filter_from_params(&params.read()));
    let page = Resource::new(move || filter.get(), audit_page);
    let verify = crate::flash::action::<VerifyAudit>();
    let csv = move || {
        format!(
            "/audit.csv?{}",
            filter_query(&AuditFilter {
                before_seq: None,
                ..filter.get()
            })
        )
    };
    view! {
        <h1>{i.t(Key::AuditTitle)}</h1>
        <Form method="GET" action="/audit" attr:class="filters" attr:data-form="audit-filter">
            {move || {
                let f = filter.get();
                let value = move |k: &str| match k {
                    "from" => f.from.clone(), "to" => f.to.clone(), "actor" => f.actor.clone(),
                    "workspace" => f.workspace.clone(), "action" => f.action.clone(), "target" => f.target.clone(),
                    _ => None,
                }.unwrap_or_default();
                let label = |k: &str| i.t(match k {
                    "from" => Key::FieldFrom, "to" => Key::FieldTo, "actor" => Key::ColActor,
                    "workspace" => Key::Workspace, "action" => Key::ColAction, _ => Key::ColTarget,
                });
                view! {
                    {FIELDS.iter().filter(|k| **k != "outcome").map(|k| view! {
                        <input name=*k value=value(k) placeholder=label(k) aria-label=label(k) />
                    }).collect_view()}
                    <select name="outcome" aria-label=i.t(Key::ColOutcome)>
                        <option value="">{i.t(Key::AnyOutcome)}</option>
                        {[Outcome::Ok, Outcome::Denied, Outcome::Failed, Outcome::Started, Outcome::Unknown].into_iter().map(|o| view! {
                            <option value=o.as_str() selected=f.outcome == Some(o)>{outcome_label(i, o)}</option>
                        }).collect_view()}
                    </select>
                }
            }}
            <button class="btn btn--primary" type="submit">{i.t(Key::Filter)}</button>
            <a class="btn" href="/audit">{i.t(Key::Clear)}</a>
            <a class="btn" rel="external" href=csv data-export="csv" download="audit.csv">{i.t(Key::ExportCsv)}</a>
        </Form>
        <Transition fallback=|| ()>
        <Show when=move || may(&actor.get(), Action::AuditVerify, &Object::Platform)>
            <ActionForm action=verify attr:class="inline" attr:data-form="verify">
                <button class="btn" type="submit">{i.t(Key::Verify)}</button>
                {move || verify.value().get().map(|r| match r {
                    Ok(report) if report.is_intact() => view! {
                        <span class="note note--ok" data-verify="ok">{format!("{} {} {}", i.t(Key::VerifyOk), report.checked, i.t(Key::RecordsChecked))}</span>
                    }.into_any(),
                    Ok(report) => view! {
                        <span class="note note--error" data-verify="broken">
                            {format!("{} {}: {}", i.t(Key::VerifyBroken), report.broken_at.unwrap_or_default(), report.reason.unwrap_or_default())}
                        </span>
                    }.into_any(),
                    Err(err) => view! { <ErrorNote err /> }.into_any(),
                })}
            </ActionForm>
        </Show>
        </Transition>
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(records) => view! { <Records records filter=filter.get_untracked() /> }.into_any(),
                    Err(err) => view! { <ErrorNote err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn outcome_label(i: crate::i18n::I18n, o: Outcome) -> &'static str {
    i.t(match o {
        Outcome::Ok => Key::OutcomeOk,
        Outcome::Denied => Key::OutcomeDenied,
        Outcome::Failed => Key::OutcomeFailed,
        Outcome::Started => Key::OutcomeStarted,
        Outcome::Unknown => Key::OutcomeUnknown,
    })
}

#[component]
fn Records(records: Vec<AuditRecord>, filter: AuditFilter) -> impl IntoView {
    let i = use_i18n();
    let older = (records.len() as u32 >= filter.page_size()).then(|| {
        let last = records.last().map(|r| r.seq);
        format!(
            "/audit?{}",
            filter_query(&AuditFilter {
                before_seq: last,
                ..filter.clone()
            })
        )
    });
    let newest = filter.before_seq.map(|_| {
        format!(
            "/audit?{}",
            filter_query(&AuditFilter {
                before_seq: None,
                ..filter.clone()
            })
        )
    });
    view! {
        <div class="table-wrap">
            <table class="table" data-table="audit">
                <thead><tr>
                    <th>"#"</th><th>{i.t(Key::ColTime)}</th><th>{i.t(Key::ColActor)}</th><th>{i.t(Key::ColSource)}</th>
                    <th>{i.t(Key::Workspace)}</th><th>{i.t(Key::ColAction)}</th><th>{i.t(Key::ColTarget)}</th>
                    <th>{i.t(Key::ColOutcome)}</th><th>{i.t(Key::ColDuration)}</th><th>{i.t(Key::ColDetails)}</th>
                </tr></thead>
                <tbody>
                    {records.is_empty().then(|| view! { <tr><td colspan="10">{i.t(Key::NoRecords)}</td></tr> })}
                    {records.into_iter().map(|r| view! {
                        <tr data-seq=r.seq data-action=r.action.clone() data-outcome=r.outcome.as_str()>
                            <td class="num">{r.seq}</td>
                            <td class="mono small">{r.at.clone()}</td>
                            <td>{r.actor.clone()}</td>
                            <td class="mono small">{r.source.clone()}</td>
                            <td>{r.workspace.clone()}</td>
                            <td class="mono">{r.action.clone()}</td>
                            <td>{format!("{} {} {}", r.target_kind, r.target_name, r.target_id).trim().to_string()}</td>
                            <td><span class=format!("badge badge--{}", r.outcome.as_str())>{outcome_label(i, r.outcome)}</span></td>
                            <td class="num">{format!("{} ms", r.duration_ms)}</td>
                            <td class="mono small details">
                                {(!r.message.is_empty()).then(|| view! { <div>{r.message.clone()}</div> })}
                                <div>{r.params.clone()}</div>
                                {(r.before != "null" || r.after != "null").then(|| view! { <div>{format!("{} → {}", r.before, r.after)}</div> })}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager">
            {newest.map(|href| view! { <a class="btn" href=href>{i.t(Key::Newest)}</a> })}
            {older.map(|href| view! { <a class="btn" href=href rel="next">{i.t(Key::Older)}</a> })}
        </nav>
    }
}
