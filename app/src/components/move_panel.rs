//! A domain's Move panel: whether a move is live or offline, the target
//! host (by hand or automatic), bandwidth and downtime limits. A plain
//! form; the move runs as a job shown above it.

use leptos::prelude::*;

use crate::api::mobility::{domain_move_options, MigrateDomain, SetHa};
use crate::components::notes::ErrorNote;
use crate::components::session::{may, use_actor};
use crate::i18n::{fill, use_i18n, Key};
use crate::policy::{Action, Object};

#[component]
pub fn MovePanel(host_id: i64, uuid: String, workspace: Option<String>) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let allowed = may(
        &actor.get_untracked(),
        Action::DomainMigrate,
        &Object::Domain(workspace.as_deref()),
    );
    let migrate = crate::flash::action::<MigrateDomain>();
    let set_ha = crate::flash::action::<SetHa>();
    let uuid = StoredValue::new(uuid);
    let options = Resource::new(
        || (),
        move |_| domain_move_options(host_id, uuid.get_value()),
    );
    let error = Signal::derive(move || migrate.value().get().and_then(Result::err));
    let field_error = move |field: &'static str| {
        move || {
            error.get().and_then(|e| {
                let key = e.field_key(field)?;
                let detail = e.field_detail(field).map(|d| format!(" {d}")).unwrap_or_default();
                Some(view! {
                    <span class="field__error" role="alert" data-field-error=field>{format!("{}{detail}", i.t(key))}</span>
                })
            })
        }
    };
    allowed.then(|| view! {
        <section class="card" data-section="move">
            <h2>{i.t(Key::MoveTitle)}</h2>
            {move || migrate.value().get().and_then(Result::ok).map(|id| view! {
                <p class="note note--ok" data-move-started=id>{fill(i.t(Key::MoveStarted), &[&id.to_string()])}</p>
            })}
            <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let o = match options.await {
                        Ok(o) => o,
                        Err(err) => return view! { <ErrorNote err /> }.into_any(),
                    };
                    let ha = view! {
                        <div data-ha=if o.ha { "on" } else { "off" }>
                            <h3>{i.t(Key::HaTitle)}</h3>
                            <p class="muted small">{i.t(Key::HaHelp)}</p>
                            <ActionForm action=set_ha attr:class="inline" attr:data-form="ha">
                                <input type="hidden" name="host_id" value=host_id />
                                <input type="hidden" name="uuid" value=uuid.get_value() />
                                {(!o.ha).then(|| view! { <input type="hidden" name="on" value="on" /> })}
                                <strong>{i.t(if o.ha { Key::HaOn } else { Key::HaOff })}</strong> " "
                                <button class="btn btn--small" type="submit">{i.t(if o.ha { Key::HaDisable } else { Key::HaEnable })}</button>
                            </ActionForm>
                            {move || set_ha.value().get().and_then(Result::err).map(|err| view! { <ErrorNote err /> })}
                        </div>
                    };
                    let how = i.t(match (o.live, o.container) {
                        (true, _) => Key::MoveLive,
                        (false, true) => Key::MoveContainer,
                        (false, false) => Key::MoveOffline,
                    });
                    let mode = if o.live { "live" } else { "offline" };
                    if let Some(why) = o.blocked {
                        return view! {
                            <p data-move-mode=mode>{how}</p>
                            <p class="note" data-move-blocked=why.name()>{i.t(why)}</p>
                            {ha}
                        }.into_any();
                    }
                    view! {
                        <p data-move-mode=mode>{how}</p>
                        <ActionForm action=migrate attr:class="form-grid" attr:data-form="move">
                            <input type="hidden" name="host_id" value=host_id />
                            <input type="hidden" name="uuid" value=uuid.get_value() />
                            <label class="field">
                                <span>{i.t(Key::MoveTarget)}</span>
                                <select name="form[target]" data-move-target>
                                    <option value="auto">{i.t(Key::MoveAuto)}</option>
                                    {o.targets.iter().map(|(id, name)| view! {
                                        <option value=id.to_string()>{name.clone()}</option>
                                    }).collect_view()}
                                </select>
                                {field_error("target")}
                            </label>
                            {o.live.then(|| view! {
                                <label class="field">
                                    <span>{i.t(Key::MoveBandwidth)}</span>
                                    <input name="form[bandwidth_mib]" inputmode="numeric" value=o.bandwidth_mib.to_string() />
                                    {field_error("bandwidth_mib")}
                                </label>
                                <label class="field">
                                    <span>{i.t(Key::MoveDowntime)}</span>
                                    <input name="form[max_downtime_ms]" inputmode="numeric" value=o.max_downtime_ms.to_string() />
                                    {field_error("max_downtime_ms")}
                                </label>
                            })}
                            <div class="form-actions">
                                <button class="btn btn--primary" type="submit">{i.t(Key::MoveButton)}</button>
                            </div>
                        </ActionForm>
                        {ha}
                    }.into_any()
                })}
            </Transition>
            {move || error.get()
                .filter(|e| ["target", "bandwidth_mib", "max_downtime_ms"].iter().all(|f| e.field_key(f).is_none()))
                .map(|err| view! { <ErrorNote err /> })}
        </section>
    })
}
