//! A `workspace` select of the workspaces the caller sees (the server
//! checks the choice).

use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};

#[component]
pub fn WorkspaceSelect(
    /// The select's id, for a label.
    id: String,
    /// The label of the "no workspace" choice (value `""`), if offered.
    none: Option<Key>,
    /// The slug chosen at first.
    current: Option<String>,
) -> impl IntoView {
    let i = use_i18n();
    let list = Resource::new(|| (), |_| crate::api::workspaces::list_workspaces());
    let (id, current) = (StoredValue::new(id), StoredValue::new(current));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = list.await.unwrap_or_default();
                let current = current.get_value();
                view! {
                    <select id=id.get_value() name="workspace" aria-label=i.t(Key::Workspace)>
                        {none.map(|key| view! { <option value="">{i.t(key)}</option> })}
                        {list.into_iter().map(|w| {
                            let on = current.as_deref() == Some(w.slug.as_str());
                            view! { <option value=w.slug.clone() selected=on>{w.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                }
            })}
        </Transition>
    }
}
