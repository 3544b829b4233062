//! Every domain on every host: search, filter, sort and page. All state is in
//! the URL query, so the page works without JavaScript and links can be shared.

use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::api::domains::fetch_inventory;
use crate::components::live::LiveRegion;
use crate::components::notes::{kib, kind_key, state_key, ErrorNote, StateBadge};
use crate::i18n::{use_i18n, Key};
use crate::model::{domain::*, inventory::*};

/// Reads the inventory query from URL parameters; unknown values are ignored.
pub fn query_from_params(p: &ParamsMap) -> InventoryQuery {
    let get = |k: &str| p.get(k).unwrap_or_default();
    InventoryQuery {
        text: get("q"),
        host: get("host").parse().ok(),
        state: DomainState::parse(&get("state")),
        kind: DomainKind::parse(&get("kind")),
        workspace: Some(get("ws")).filter(|w| !w.is_empty()),
        sort: SortKey::parse(&get("sort")).unwrap_or_default(),
        descending: get("dir") == "desc",
        page: get("page").parse::<usize>().unwrap_or(1).saturating_sub(1),
        per_page: get("per").parse().unwrap_or(DEFAULT_PER_PAGE),
    }
}

/// The URL of `q` (pages are one-based in URLs).
pub fn query_href(q: &InventoryQuery) -> String {
    let mut parts = Vec::new();
    if !q.text.is_empty() {
        parts.push(format!("q={}", encode(&q.text)));
    }
    if let Some(h) = q.host {
        parts.push(format!("host={h}"));
    }
    if let Some(s) = q.state {
        parts.push(format!("state={}", s.as_str()));
    }
    if let Some(k) = q.kind {
        parts.push(format!("kind={}", k.as_str()));
    }
    if let Some(w) = &q.workspace {
        parts.push(format!("ws={}", encode(w)));
    }
    if q.sort != SortKey::Name {
        parts.push(format!("sort={}", q.sort.as_str()));
    }
    if q.descending {
        parts.push("dir=desc".into());
    }
    if q.page > 0 {
        parts.push(format!("page={}", q.page + 1));
    }
    if q.per_page != DEFAULT_PER_PAGE && q.per_page != 0 {
        parts.push(format!("per={}", q.per_page));
    }
    if parts.is_empty() {
        "/inventory".into()
    } else {
        format!("/inventory?{}", parts.join("&"))
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn InventoryPage() -> impl IntoView {
    let i = use_i18n();
    let params = use_query_map();
    let query = Memo::new(move |_| query_from_params(&params.read()));
    // One read serves the filter form (its host list) and the rows. The form
    // is outside the live region, so choices the user has not submitted yet
    // survive a push.
    let page = Resource::new(move || query.get(), fetch_inventory);
    view! {
        <h1>{i.t(Key::InventoryTitle)}</h1>
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let query = query.get_untracked();
                let (hosts, rows) = match page.await {
                    Ok(p) => (p.hosts.clone(), view! { <Rows page=p query=query.clone() /> }.into_any()),
                    Err(err) => (Vec::new(), view! { <ErrorNote err /> }.into_any()),
                };
                view! {
                    <Filters query hosts />
                    <LiveRegion id="inventory">{rows}</LiveRegion>
                }
            })}
        </Transition>
    }
}

#[component]
fn Filters(query: InventoryQuery, hosts: Vec<(i64, String)>) -> impl IntoView {
    let i = use_i18n();
    let opt = |value: String, label: String, selected: bool| {
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <Form method="GET" action="/inventory" attr:class="filters" attr:data-form="inventory-filter">
            <input
                type="search"
                name="q"
                value=query.text.clone()
                placeholder=i.t(Key::SearchHint)
                aria-label=i.t(Key::Search)
            />
            <select name="host" aria-label=i.t(Key::ColHost)>
                {opt(String::new(), i.t(Key::AnyHost).into(), query.host.is_none())}
                {hosts.into_iter().map(|(id, name)| opt(id.to_string(), name, query.host == Some(id))).collect_view()}
            </select>
            <select name="state" aria-label=i.t(Key::ColState)>
                {opt(String::new(), i.t(Key::AnyState).into(), query.state.is_none())}
                {DomainState::ALL
                    .into_iter()
                    .map(|s| opt(s.as_str().into(), i.t(state_key(s)).into(), query.state == Some(s)))
                    .collect_view()}
            </select>
            <select name="kind" aria-label=i.t(Key::ColKind)>
                {opt(String::new(), i.t(Key::AnyKind).into(), query.kind.is_none())}
                {[DomainKind::Vm, DomainKind::Container]
                    .into_iter()
                    .map(|k| opt(k.as_str().into(), i.t(kind_key(k)).into(), query.kind == Some(k)))
                    .collect_view()}
            </select>
            <WorkspaceSelect selected=query.workspace.clone() />
            <input type="hidden" name="sort" value=query.sort.as_str() />
            <input type="hidden" name="dir" value=if query.descending { "desc" } else { "asc" } />
            <button class="btn btn--primary" type="submit">{i.t(Key::Filter)}</button>
            <a class="btn" href="/inventory">{i.t(Key::Clear)}</a>
        </Form>
    }
}

#[component]
fn Rows(page: InventoryPage, query: InventoryQuery) -> impl IntoView {
    let i = use_i18n();
    let q = query.clone();
    let header = move |key: SortKey, label: Key| {
        let query = &q;
        let active = query.sort == key;
        let next = InventoryQuery {
            sort: key,
            descending: active && !query.descending,
            page: 0,
            ..query.clone()
        };
        let arrow = match (active, query.descending) {
            (false, _) => "",
            (true, false) => " ▲",
            (true, true) => " ▼",
        };
        let sorted = match (active, query.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        };
        view! {
            <th aria-sort=sorted>
                <a href=query_href(&next) data-sort=key.as_str()>{i.t(label)}{arrow}</a>
            </th>
        }
    };
    let pages = page.page_count();
    let q = query.clone();
    let nav = move |delta: isize, label: Key| {
        let query = &q;
        let target = page.page as isize + delta;
        (target >= 0 && (target as usize) < pages).then(|| {
            let href = query_href(&InventoryQuery { page: target as usize, ..query.clone() });
            view! { <a class="btn" href=href rel=if delta < 0 { "prev" } else { "next" }>{i.t(label)}</a> }
        })
    };
    view! {
        <p class="muted" data-count=page.matched>
            {format!("{} {} · {} {}", page.matched, i.t(Key::Matching), page.total, i.t(Key::ColDomains))}
        </p>
        <div class="table-wrap">
            <table class="table" data-table="inventory">
                <thead>
                    <tr>
                        {header(SortKey::Name, Key::ColName)}
                        {header(SortKey::Kind, Key::ColKind)}
                        {header(SortKey::State, Key::ColState)}
                        {header(SortKey::Vcpus, Key::ColVcpus)}
                        {header(SortKey::Memory, Key::ColMemory)}
                        {header(SortKey::Host, Key::ColHost)}
                        <th>{i.t(Key::ColWorkspace)}</th>
                        <th>{i.t(Key::ColTags)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.is_empty().then(|| view! { <tr><td colspan="8">{i.t(Key::NoDomains)}</td></tr> })}
                    {page.rows.into_iter().map(|r| view! { <DomainLine row=r /> }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label=i.t(Key::PageOf)>
            {nav(-1, Key::Previous)}
            <span data-page>{format!("{} {} / {}", i.t(Key::PageOf), page.page + 1, pages)}</span>
            {nav(1, Key::Next)}
        </nav>
    }
}

#[component]
fn DomainLine(row: DomainRow) -> impl IntoView {
    let i = use_i18n();
    let href = format!("/domains/{}/{}", row.host_id, row.uuid);
    view! {
        <tr data-domain=row.name.clone()>
            <td><a href=href>{row.name.clone()}</a></td>
            <td>{i.t(kind_key(row.kind))}</td>
            <td><StateBadge state=row.state /></td>
            <td class="num">{row.vcpus}</td>
            <td class="num">{kib(row.memory_kib)}</td>
            <td>{row.host_name.clone()}</td>
            <td>{row.workspace.clone().unwrap_or_else(|| i.t(Key::Unowned).to_string())}</td>
            <td class="tags">
                {row.tags.pairs().map(|(_, v)| view! { <span class="tag">{v.to_string()}</span> }).collect_view()}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips_through_the_url() {
        let q = InventoryQuery {
            text: "mes app".into(),
            host: Some(3),
            state: Some(DomainState::Running),
            kind: Some(DomainKind::Container),
            workspace: Some("ops".into()),
            sort: SortKey::Memory,
            descending: true,
            page: 2,
            per_page: DEFAULT_PER_PAGE,
        };
        let href = query_href(&q);
        assert_eq!(
            href,
            "/inventory?q=mes+app&host=3&state=running&kind=container&ws=ops&sort=memory&dir=desc&page=3"
        );
        let mut map = ParamsMap::new();
        for pair in href.split_once('?').unwrap().1.split('&') {
            let (k, v) = pair.split_once('=').unwrap();
            map.insert(k.to_string(), v.replace('+', " "));
        }
        assert_eq!(query_from_params(&map), q);
    }
}

/// The workspace switcher: the caller's workspaces (all for administrators).
#[component]
fn WorkspaceSelect(selected: Option<String>) -> impl IntoView {
    let i = use_i18n();
    let list = Resource::new(|| (), |_| crate::api::workspaces::list_workspaces());
    view! {
        <Transition fallback=|| ()>
            {move || {
                let selected = selected.clone();
                Suspend::new(async move {
                    let list = list.await.unwrap_or_default();
                    view! {
                        <select name="ws" aria-label=i.t(Key::Workspace) data-switcher="workspace">
                            <option value="">{i.t(Key::AllWorkspaces)}</option>
                            {list.into_iter().map(|w| {
                                let on = selected.as_deref() == Some(w.slug.as_str());
                                view! { <option value=w.slug.clone() selected=on>{w.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    }
                })
            }}
        </Transition>
    }
}
