//! A domain's affinity rules on its page: the rules naming it, and (for its
//! operators) a form to add one — pin to hosts, keep apart from or together
//! with other VMs of its workspace, must or should — and to remove one.

use leptos::prelude::*;

use crate::affinity::RuleKind;
use crate::api::affinity::{affinity_of, AddRule, RemoveRule};
use crate::components::notes::ErrorNote;
use crate::components::session::{may, use_actor};
use crate::i18n::{use_i18n, Key};
use crate::policy::{Action, Object};

#[component]
pub fn AffinityPanel(host_id: i64, uuid: String, workspace: Option<String>) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let manage = may(
        &actor.get_untracked(),
        Action::AffinityManage,
        &Object::Domain(workspace.as_deref()),
    );
    let add = crate::flash::action::<AddRule>();
    let remove = crate::flash::action::<RemoveRule>();
    let uuid = StoredValue::new(uuid);
    let data = Resource::new(|| (), move |_| affinity_of(host_id, uuid.get_value()));
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let field_error =
        move |field: &'static str| {
            move || {
                error.get().and_then(|e| e.field_key(field)).map(|k| view! {
                <span class="field__error" role="alert" data-field-error=field>{i.t(k)}</span>
            })
            }
        };
    let hidden = move || {
        view! {
            <input type="hidden" name="host_id" value=host_id />
            <input type="hidden" name="uuid" value=uuid.get_value() />
        }
    };
    view! {
        <section class="card" data-section="affinity">
            <h2>{i.t(Key::AffinityTitle)}</h2>
            <p class="muted small">{i.t(Key::AffinityHelp)}</p>
            {move || add.value().get().and_then(Result::ok).map(|_| view! {
                <p class="note note--ok" data-affinity-added>{i.t(Key::AffinityAdded)}</p>
            })}
            <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let a = match data.await {
                        Ok(a) => a,
                        Err(err) => return view! { <ErrorNote err /> }.into_any(),
                    };
                    let rules = a.rules.clone();
                    view! {
                        {rules.is_empty().then(|| view! { <p class="muted">{i.t(Key::AffinityNone)}</p> })}
                        <ul class="plain">
                            {rules.into_iter().map(|(rule, domains, hosts)| {
                                let strength = i.t(if rule.must { Key::AffinityMust } else { Key::AffinityShould });
                                let over = if rule.kind == RuleKind::Pin { hosts.join(", ") } else { domains.join(", ") };
                                view! {
                                    <li data-rule=rule.name.clone() data-rule-kind=rule.kind.as_str()>
                                        <strong>{rule.name.clone()}</strong>
                                        {format!(" · {} ({}) · {}", i.t(rule.kind.label()), strength, over)}
                                        {manage.then(|| view! {
                                            <ActionForm action=remove attr:class="inline">
                                                {hidden()}
                                                <input type="hidden" name="id" value=rule.id />
                                                <button class="btn btn--small" type="submit">{i.t(Key::AffinityRemove)}</button>
                                            </ActionForm>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {manage.then(|| view! {
                            <ActionForm action=add attr:class="form-grid" attr:data-form="affinity">
                                {hidden()}
                                <label class="field">
                                    <span>{i.t(Key::AffinityName)}</span>
                                    <input name="form[name]" maxlength="64" />
                                    {field_error("name")}
                                </label>
                                <label class="field">
                                    <span>{i.t(Key::AffinityKind)}</span>
                                    <select name="form[kind]">
                                        {RuleKind::ALL.into_iter().map(|k| view! {
                                            <option value=k.as_str()>{i.t(k.label())}</option>
                                        }).collect_view()}
                                    </select>
                                    {field_error("kind")}
                                </label>
                                <label class="field">
                                    <span>{i.t(Key::AffinityStrength)}</span>
                                    <select name="form[strength]">
                                        <option value="must">{i.t(Key::AffinityMust)}</option>
                                        <option value="should">{i.t(Key::AffinityShould)}</option>
                                    </select>
                                </label>
                                <fieldset class="field">
                                    <legend>{i.t(Key::AffinityOthers)}</legend>
                                    {a.others.iter().map(|(u, n)| view! {
                                        <label class="check"><input type="checkbox" name="form[others][]" value=u.clone() />{n.clone()}</label>
                                    }).collect_view()}
                                    {field_error("others")}
                                </fieldset>
                                <fieldset class="field">
                                    <legend>{i.t(Key::AffinityHosts)}</legend>
                                    {a.hosts.iter().map(|(id, n)| view! {
                                        <label class="check"><input type="checkbox" name="form[hosts][]" value=id.to_string() />{n.clone()}</label>
                                    }).collect_view()}
                                    {field_error("hosts")}
                                </fieldset>
                                <div class="form-actions">
                                    <button class="btn btn--primary" type="submit">{i.t(Key::AffinityAdd)}</button>
                                </div>
                            </ActionForm>
                        })}
                    }.into_any()
                })}
            </Transition>
            {move || remove.value().get().and_then(Result::err).map(|err| view! { <ErrorNote err /> })}
        </section>
    }
}
