//! History charts of one target: range buttons (links, so they work without
//! JavaScript), a custom date range form, and each panel as an SVG drawn on
//! the server (hover shows values) with its CSV export.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::history::range::Span;
use crate::history::view::Target;
use crate::i18n::{use_i18n, Key};

fn span_key(s: Span) -> Key {
    match s {
        Span::Hour => Key::RangeHour,
        Span::Day => Key::RangeDay,
        Span::Week => Key::RangeWeek,
        Span::Month => Key::RangeMonth,
        Span::Year => Key::RangeYear,
        Span::Custom => Key::RangeCustom,
    }
}

/// The page's query values other than the range.
fn other_params(q: leptos_router::params::ParamsMap) -> Vec<(String, String)> {
    q.into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .filter(|(k, _)| !matches!(k.as_str(), "range" | "from" | "to"))
        .collect()
}

/// The charts of `target` for the range in the page's query string
/// (`range`, `from`, `to`); other query values (such as a selected
/// workspace) are kept in the range links.
#[component]
pub fn HistoryCharts(
    /// Whose history to show.
    target: Target,
    /// Heading above the charts; defaults to "Utilization history".
    #[prop(optional)]
    title: Option<String>,
) -> impl IntoView {
    let i = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k);
    let span = move || {
        get("range")
            .and_then(|r| Span::parse(&r))
            .unwrap_or_default()
    };
    // The range part shared by chart URLs.
    let range_query = move || match span() {
        Span::Custom => format!(
            "range=custom&from={}&to={}",
            crate::url::encode_path(&get("from").unwrap_or_default()),
            crate::url::encode_path(&get("to").unwrap_or_default())
        ),
        s => format!("range={}", s.as_str()),
    };
    // Links keep the page's other query values.
    let link = move |s: Span| {
        let mut parts: Vec<String> = other_params(query.get())
            .into_iter()
            .map(|(k, v)| format!("{k}={}", crate::url::encode_path(&v)))
            .collect();
        parts.push(format!("range={}", s.as_str()));
        format!("?{}", parts.join("&"))
    };
    let kept = move || {
        other_params(query.get())
            .into_iter()
            .map(|(k, v)| view! { <input type="hidden" name=k value=v /> })
            .collect_view()
    };
    let target = StoredValue::new(target);
    let heading = title.unwrap_or_else(|| i.t(Key::History).to_string());
    view! {
        <section class="card history" data-history=move || target.with_value(|t| t.base())>
            <h2>{heading}</h2>
            <nav class="history__ranges" aria-label=i.t(Key::History)>
                {Span::PRESETS.into_iter().map(|s| view! {
                    <a class="btn btn--small" href=move || link(s) data-range=s.as_str()
                        aria-current=move || (span() == s).then_some("true")>{i.t(span_key(s))}</a>
                }).collect_view()}
                <form method="get" class="inline history__custom" data-form="range">
                    {kept}
                    <input type="hidden" name="range" value="custom" />
                    <label>{i.t(Key::RangeFrom)} " " <input type="date" name="from" value=move || get("from").unwrap_or_default() required /></label>
                    <label>{i.t(Key::RangeTo)} " " <input type="date" name="to" value=move || get("to").unwrap_or_default() required /></label>
                    <button class="btn btn--small" type="submit">{i.t(Key::RangeShow)}</button>
                </form>
            </nav>
            <div class="history__grid">
                {move || target.with_value(|t| t.panels().iter().map(|&p| {
                    let svg = t.url(p, "svg", &range_query());
                    let fallback = svg.clone();
                    let csv = t.url(p, "csv", &range_query());
                    view! {
                        <figure class="chart" data-chart=p.as_str()>
                            <object data=svg type="image/svg+xml" aria-label=i.t(p.title())>
                                <a href=fallback>{i.t(p.title())}</a>
                            </object>
                            <figcaption><a href=csv download data-csv=p.as_str()>{i.t(Key::ChartCsv)}</a></figcaption>
                        </figure>
                    }
                }).collect_view())}
            </div>
        </section>
    }
}
