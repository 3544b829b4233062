//! Team workspaces: members and roles, quotas with usage, allowed resources.

use leptos::prelude::*;

use crate::api::workspaces::*;
use crate::components::field::Field;
use crate::components::notes::ErrorNote;
use crate::components::session::{may, use_actor};
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::model::workspace::WorkspaceView;
use crate::policy::{Action, Object, Role};

/// The actions of the page, shared by every workspace card.
#[derive(Clone, Copy)]
struct Actions {
    rename: ServerAction<RenameWorkspace>,
    delete: ServerAction<DeleteWorkspace>,
    quotas: ServerAction<SetQuotas>,
    member: ServerAction<SetMember>,
    unmember: ServerAction<RemoveMember>,
    resources: ServerAction<SetResources>,
}

impl Actions {
    fn last_error(self) -> Option<AppError> {
        [
            self.rename.value().get().and_then(Result::err),
            self.delete.value().get().and_then(Result::err),
            self.quotas.value().get().and_then(Result::err),
            self.member.value().get().and_then(Result::err),
            self.unmember.value().get().and_then(Result::err),
            self.resources.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let create = crate::flash::action::<CreateWorkspace>();
    let acts = Actions {
        rename: ServerAction::new(),
        delete: ServerAction::new(),
        quotas: ServerAction::new(),
        member: ServerAction::new(),
        unmember: ServerAction::new(),
        resources: ServerAction::new(),
    };
    let list = Resource::new(|| (), |_| list_workspaces());
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let action_error = Signal::derive(move || acts.last_error());
    view! {
        <h1>{i.t(Key::WorkspacesTitle)}</h1>
        {move || action_error.get().map(|err| view! { <ErrorNote err /> })}
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => list.into_iter().map(|ws| view! { <WorkspaceCard ws acts /> }).collect_view().into_any(),
                    Err(err) => view! { <ErrorNote err /> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
        <Show when=move || may(&actor.get(), Action::WorkspaceCreate, &Object::Platform)>
            <section class="card">
                <h2>{i.t(Key::CreateWorkspace)}</h2>
                <ActionForm action=create attr:class="form" attr:data-form="create-workspace">
                    <div class="form__grid">
                        <Field name="slug" label=Key::FieldSlug placeholder="ops" required=true error=create_error />
                        <Field name="name" label=Key::FieldWorkspaceName placeholder="Operations" required=true error=create_error />
                    </div>
                    <button class="btn btn--primary" type="submit">{i.t(Key::Create)}</button>
                </ActionForm>
            </section>
        </Show>
        </Transition>
    }
}

fn limit(i: crate::i18n::I18n, used: i64, quota: Option<i64>) -> String {
    match quota {
        Some(q) => format!("{used} / {q}"),
        None => format!("{used} / {}", i.t(Key::Unlimited)),
    }
}

#[component]
fn WorkspaceCard(ws: WorkspaceView, acts: Actions) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let id = ws.id;
    let admin = move || {
        may(
            &actor.get(),
            Action::WorkspaceSetQuota,
            &Object::Workspace(id),
        )
    };
    let manage = move || {
        may(
            &actor.get(),
            Action::WorkspaceManageMembers,
            &Object::Workspace(id),
        )
    };
    let q = ws.quotas.clone();
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let hosts = ws
        .hosts
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    // Copyable handles: the admin forms are re-rendered by `Show`.
    let hosts_field = StoredValue::new(hosts.clone());
    let networks = StoredValue::new(ws.networks.join(", "));
    let pools = StoredValue::new(ws.pools.join(", "));
    let ws_name = StoredValue::new(ws.name.clone());
    view! {
        <section class="card" data-workspace=ws.slug.clone()>
            <h2>{ws.name.clone()} " " <span class="muted mono">{ws.slug.clone()}</span></h2>
            <p><a href=format!("/history?ws={}", crate::url::encode_path(&ws.slug)) data-workspace-history>{i.t(Key::History)}</a></p>
            <dl class="facts">
                <dt>{i.t(Key::FieldQuotaDomains)}</dt><dd data-usage="domains">{limit(i, ws.usage.domains, q.domains)}</dd>
                <dt>{i.t(Key::FieldQuotaVcpus)}</dt><dd data-usage="vcpus">{limit(i, ws.usage.vcpus, q.vcpus)}</dd>
                <dt>{i.t(Key::FieldQuotaMemory)}</dt><dd data-usage="memory">{limit(i, ws.usage.memory_mib, q.memory_mib)}</dd>
                <dt>{i.t(Key::FieldQuotaDisk)}</dt><dd data-usage="disk">{limit(i, ws.usage.disk_gib, q.disk_gib)}</dd>
                <dt>{i.t(Key::AllowedHosts)}</dt><dd>{hosts.clone()}</dd>
                <dt>{i.t(Key::AllowedNetworks)}</dt><dd>{ws.networks.join(", ")}</dd>
                <dt>{i.t(Key::AllowedPools)}</dt><dd>{ws.pools.join(", ")}</dd>
            </dl>
            <h3>{i.t(Key::Members)}</h3>
            <ul class="plain members">
                {ws.members.iter().map(|m| {
                    let user_id = m.user_id;
                    view! {
                        <li data-member=m.username.clone()>
                            {m.username.clone()} " · " {role_label(i, m.role)}
                            <Show when=manage>
                                <ActionForm action=acts.unmember attr:class="inline">
                                    <input type="hidden" name="id" value=id />
                                    <input type="hidden" name="user_id" value=user_id />
                                    <button class="btn btn--small" type="submit">{i.t(Key::Remove)}</button>
                                </ActionForm>
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=manage>
                <ActionForm action=acts.member attr:class="inline" attr:data-form="add-member">
                    <input type="hidden" name="id" value=id />
                    <input name="username" placeholder=i.t(Key::FieldUsername) aria-label=i.t(Key::FieldUsername) />
                    <select name="role" aria-label=i.t(Key::ColRole)>
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{role_label(i, r)}</option> }).collect_view()}
                    </select>
                    <button class="btn" type="submit">{i.t(Key::AddMember)}</button>
                </ActionForm>
            </Show>
            <Show when=admin>
                <details class="admin">
                    <summary>{i.t(Key::Quotas)}</summary>
                    <ActionForm action=acts.quotas attr:class="inline" attr:data-form="quotas">
                        <input type="hidden" name="id" value=id />
                        <label>{i.t(Key::FieldQuotaVcpus)} <input name="vcpus" value=opt(q.vcpus) size="6" /></label>
                        <label>{i.t(Key::FieldQuotaMemory)} <input name="memory_mib" value=opt(q.memory_mib) size="8" /></label>
                        <label>{i.t(Key::FieldQuotaDisk)} <input name="disk_gib" value=opt(q.disk_gib) size="6" /></label>
                        <label>{i.t(Key::FieldQuotaDomains)} <input name="domains" value=opt(q.domains) size="6" /></label>
                        <button class="btn" type="submit">{i.t(Key::Save)}</button>
                    </ActionForm>
                    <ActionForm action=acts.resources attr:class="inline" attr:data-form="resources">
                        <input type="hidden" name="id" value=id />
                        <label>{i.t(Key::AllowedHosts)} <input name="hosts" value=hosts_field.get_value() /></label>
                        <label>{i.t(Key::AllowedNetworks)} <input name="networks" value=networks.get_value() /></label>
                        <label>{i.t(Key::AllowedPools)} <input name="pools" value=pools.get_value() /></label>
                        <button class="btn" type="submit">{i.t(Key::Save)}</button>
                    </ActionForm>
                    <ActionForm action=acts.rename attr:class="inline">
                        <input type="hidden" name="id" value=id />
                        <input name="name" value=ws_name.get_value() aria-label=i.t(Key::FieldWorkspaceName) />
                        <button class="btn" type="submit">{i.t(Key::Rename)}</button>
                    </ActionForm>
                    <ActionForm action=acts.delete attr:class="inline">
                        <input type="hidden" name="id" value=id />
                        <button class="btn btn--danger" type="submit">{i.t(Key::Delete)}</button>
                    </ActionForm>
                </details>
            </Show>
        </section>
    }
}

pub fn role_label(i: crate::i18n::I18n, role: Role) -> &'static str {
    i.t(match role {
        Role::Owner => Key::RoleOwner,
        Role::Operator => Key::RoleOperator,
        Role::Viewer => Key::RoleViewer,
    })
}
