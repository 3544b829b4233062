//! A domain's snapshots: list for members, take / revert / delete for those
//! who may operate it.

use leptos::prelude::*;

use crate::api::fleet::{list_snapshots, Snapshot};
use crate::components::notes::ErrorNote;
use crate::components::session::{may, use_actor};
use crate::i18n::{use_i18n, Key};
use crate::policy::{Action, Object};

#[component]
pub fn Snapshots(
    /// The domain's host.
    host_id: i64,
    /// The domain's UUID.
    uuid: String,
    /// The domain's workspace (for the policy hint).
    workspace: Option<String>,
) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let act = crate::flash::action::<Snapshot>();
    let uuid = StoredValue::new(uuid);
    let ws = StoredValue::new(workspace);
    let list = Resource::new(|| (), move |_| list_snapshots(host_id, uuid.get_value()));
    let operate = move || {
        may(
            &actor.get(),
            Action::DomainOperate,
            &Object::Domain(ws.get_value().as_deref()),
        )
    };
    let error = Signal::derive(move || act.value().get().and_then(Result::err));
    let hidden = move || {
        view! {
            <input type="hidden" name="host_id" value=host_id />
            <input type="hidden" name="uuid" value=uuid.get_value() />
        }
    };
    view! {
        <section class="card" data-section="snapshots">
            <h2>{i.t(Key::Snapshots)}</h2>
            <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let snaps = list.await.unwrap_or_default();
                    view! {
                        {snaps.is_empty().then(|| view! { <p class="muted">{i.t(Key::None_)}</p> })}
                        <ul class="plain">
                            {snaps.into_iter().map(|s| {
                                let name = StoredValue::new(s.name.clone());
                                view! {
                                    <li data-snapshot=s.name.clone()>
                                        <strong>{s.name.clone()}</strong>
                                        {format!(" · {} · {}", s.state, s.description)}
                                        <Show when=operate>
                                            <ActionForm action=act attr:class="inline">
                                                {hidden()}
                                                <input type="hidden" name="name" value=name.get_value() />
                                                <input type="hidden" name="action" value="revert" />
                                                <button class="btn btn--small" type="submit" data-snapshot-action="revert">{i.t(Key::Revert)}</button>
                                            </ActionForm>
                                            <ActionForm action=act attr:class="inline">
                                                {hidden()}
                                                <input type="hidden" name="name" value=name.get_value() />
                                                <input type="hidden" name="action" value="delete" />
                                                <button class="btn btn--small" type="submit" data-snapshot-action="delete">{i.t(Key::Delete)}</button>
                                            </ActionForm>
                                        </Show>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <Show when=operate>
                            <ActionForm action=act attr:class="inline" attr:data-form="snapshot">
                                {hidden()}
                                <input type="hidden" name="action" value="create" />
                                <input name="name" placeholder=i.t(Key::SnapshotName) aria-label=i.t(Key::SnapshotName) />
                                <input name="description" placeholder=i.t(Key::FieldDescription) aria-label=i.t(Key::FieldDescription) />
                                <button class="btn" type="submit">{i.t(Key::TakeSnapshot)}</button>
                            </ActionForm>
                        </Show>
                    }
                })}
            </Transition>
            {move || error.get().map(|err| match err.field_key("name") {
                Some(k) => view! { <span class="field__error" role="alert" data-field-error="name">{i.t(k)}</span> }.into_any(),
                None => view! { <ErrorNote err=err.clone() /> }.into_any(),
            })}
        </section>
    }
}
