//! The storage page: every pool on every host the caller may see, with its
//! sizes and state; administrators create, start, stop and delete pools.
//! `?host=<id>&pool=<name>` opens the pool's volumes below.

mod volumes;

use leptos::prelude::*;

use crate::api::storage::{list_pools, CreatePool, DeletePool, PoolAction, PoolView};
use crate::components::field::Field;
use crate::components::notes::{bytes, ErrorNote};
use crate::components::resource_controls::{row_error, selected_in_query, HostSelect, RowButton};
use crate::components::session::{may, use_actor};
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::policy::{Action, Object};

#[component]
pub fn StoragePage() -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let selected = selected_in_query("pool");
    let create = crate::flash::action::<CreatePool>();
    let toggle = crate::flash::action::<PoolAction>();
    let delete = crate::flash::action::<DeletePool>();
    let pools = Resource::new(|| (), |_| list_pools());
    let row_error = move || row_error(|| toggle.value().get(), || delete.value().get());
    view! {
        <h1>{i.t(Key::StorageTitle)}</h1>
        {move || row_error().map(|err| view! { <ErrorNote err /> })}
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match pools.await {
                    Ok(list) => view! { <PoolTable pools=list toggle delete /> }.into_any(),
                    Err(err) => view! { <ErrorNote err /> }.into_any(),
                }
            })}
        </Transition>
        {move || match selected.get() {
            Some((host_id, pool)) => view! { <volumes::PoolVolumes host_id pool /> }.into_any(),
            None => view! {
                <Transition fallback=|| ()>
                    <Show when=move || may(&actor.get(), Action::PoolCreate, &Object::Platform)>
                        <CreatePoolForm create />
                    </Show>
                </Transition>
            }
            .into_any(),
        }}
    }
}

#[component]
fn PoolTable(
    pools: Vec<PoolView>,
    toggle: ServerAction<PoolAction>,
    delete: ServerAction<DeletePool>,
) -> impl IntoView {
    let i = use_i18n();
    if pools.is_empty() {
        return view! { <p class="card">{i.t(Key::NoPools)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table" data-table="pools">
                <thead>
                    <tr>
                        <th>{i.t(Key::ColHost)}</th>
                        <th>{i.t(Key::ColName)}</th>
                        <th>{i.t(Key::ColState)}</th>
                        <th>{i.t(Key::ColType)}</th>
                        <th>{i.t(Key::ColCapacity)}</th>
                        <th>{i.t(Key::ColAllocation)}</th>
                        <th>{i.t(Key::ColAvailable)}</th>
                        <th>{i.t(Key::Autostart)}</th>
                        <th>{i.t(Key::ColPath)}</th>
                        <th>{i.t(Key::ColActions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {pools.into_iter().map(|p| view! { <PoolRow pool=p toggle delete /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn PoolRow(
    pool: PoolView,
    toggle: ServerAction<PoolAction>,
    delete: ServerAction<DeletePool>,
) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let ids = vec![
        ("host_id", pool.host_id.to_string()),
        ("pool", pool.name.clone()),
    ];
    let (next, next_label) = if pool.active {
        ("stop", Key::Stop)
    } else {
        ("start", Key::Start)
    };
    let mut toggle_fields = ids.clone();
    toggle_fields.push(("action", next.to_string()));
    let (ids, toggle_fields) = (StoredValue::new(ids), StoredValue::new(toggle_fields));
    let href = format!(
        "/storage?host={}&pool={}",
        pool.host_id,
        crate::url::encode_path(&pool.name)
    );
    view! {
        <tr data-pool=pool.name.clone() data-host=pool.host_name.clone()>
            <td>{pool.host_name.clone()}</td>
            <td><strong>{pool.name.clone()}</strong></td>
            <td data-pool-state=if pool.active { "active" } else { "inactive" }>
                {i.t(if pool.active { Key::StateActive } else { Key::StateInactive })}
            </td>
            <td>{pool.kind.clone()}</td>
            <td>{bytes(pool.capacity)}</td>
            <td>{bytes(pool.allocation)}</td>
            <td>{bytes(pool.available)}</td>
            <td>{i.t(if pool.autostart { Key::Yes } else { Key::No })}</td>
            <td class="mono">{pool.path.clone()}</td>
            <td class="actions">
                <a class="btn btn--small" href=href data-action="volumes">{i.t(Key::ShowVolumes)}</a>
                <Show when=move || may(&actor.get(), Action::PoolOperate, &Object::Platform)>
                    <ActionForm action=toggle attr:class="inline">
                        <RowButton fields=toggle_fields.get_value() label=next_label marker=next />
                    </ActionForm>
                    <ActionForm action=delete attr:class="inline">
                        <RowButton fields=ids.get_value() label=Key::Delete marker="delete-pool" danger=true />
                    </ActionForm>
                </Show>
            </td>
        </tr>
    }
}

#[component]
fn CreatePoolForm(create: ServerAction<CreatePool>) -> impl IntoView {
    let i = use_i18n();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let note = move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid(_) | AppError::Conflict(_)))
    };
    let done = move || matches!(create.value().get(), Some(Ok(_)));
    view! {
        <section class="card">
            <h2>{i.t(Key::CreatePool)}</h2>
            <ActionForm action=create attr:class="form" attr:data-form="create-pool">
                <div class="form__grid">
                    <HostSelect id="pool-host" error />
                    <Field name="name" label=Key::ColName placeholder="iso" required=true error />
                    <Field name="path" label=Key::PoolPath placeholder="/srv/pools/iso" required=true error />
                </div>
                <button class="btn btn--primary" type="submit">
                    {i.t(Key::Create)}
                </button>
                {move || note().map(|err| view! { <ErrorNote err /> })}
                {move || done().then(|| view! { <p class="note note--ok" role="status">{i.t(Key::Saved)}</p> })}
            </ActionForm>
        </section>
    }
}
