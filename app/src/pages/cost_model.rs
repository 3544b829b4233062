//! The Cost model page: the plant's PUE, tariff and yearly server cost,
//! and each host's idle and peak watts. Everyone signed in reads it;
//! administrators edit it (one form, works without JavaScript).

use leptos::prelude::*;

use crate::api::consolidation::{get_cost_model, SaveCostModel};
use crate::components::notes::ErrorNote;
use crate::components::session::{may, use_actor};
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::model::consolidation::CostModel;
use crate::policy::{Action, Object};

#[component]
pub fn CostModelPage() -> impl IntoView {
    let i = use_i18n();
    let save = crate::flash::action::<SaveCostModel>();
    let model = Resource::new(move || save.version().get(), |_| get_cost_model());
    view! {
        <h1>{i.t(Key::NavCostModel)}</h1>
        <p class="muted">{i.t(Key::CostModelHelp)}</p>
        <p class="muted">{i.t(Key::CostDefaults)}</p>
        <Transition fallback=move || view! { <p>{i.t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match model.await {
                    Ok(m) => view! { <CostModelForm model=m save /> }.into_any(),
                    Err(err) => view! { <ErrorNote err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CostModelForm(model: CostModel, save: ServerAction<SaveCostModel>) -> impl IntoView {
    let i = use_i18n();
    let actor = use_actor();
    let edit = move || may(&actor.get(), Action::CostModelEdit, &Object::Platform);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let message = move |field: &'static str| {
        move || {
            error
                .get()
                .and_then(|e| e.field_key(field))
                .map(|k| view! { <span class="field__error" role="alert" data-field-error=field>{i.t(k)}</span> })
        }
    };
    let note = move || error.get().filter(|e| !matches!(e, AppError::Invalid(_)));
    let done = move || matches!(save.value().get(), Some(Ok(())));
    let plant_field = move |name: &'static str, label: Key, value: String| {
        view! {
            <div class="field">
                <label class="field__label" for=format!("cost-{name}")>{i.t(label)}</label>
                <input class="field__input" id=format!("cost-{name}") name=format!("form[{name}]") value=value disabled=move || !edit() />
                {message(name)}
            </div>
        }
    };
    view! {
        <section class="card">
            <ActionForm action=save attr:class="form" attr:data-form="cost-model">
                <div class="form__grid">
                    {plant_field("pue", Key::FieldPue, model.pue.to_string())}
                    {plant_field("currency", Key::FieldCurrency, model.currency.clone())}
                    {plant_field("tariff", Key::FieldTariff, model.tariff.to_string())}
                    {plant_field("server_yearly", Key::FieldServerYearly, model.server_yearly.to_string())}
                </div>
                <div class="table-wrap">
                    <table class="table" data-table="host-power">
                        <thead><tr>
                            <th>{i.t(Key::ColHost)}</th><th>{i.t(Key::ColIdleW)}</th><th>{i.t(Key::ColPeakW)}</th>
                        </tr></thead>
                        <tbody>
                            {model.hosts.into_iter().map(|h| view! {
                                <tr data-host-power=h.name.clone()>
                                    <td>{h.name.clone()}<input type="hidden" name="form[host][]" value=h.host_id.to_string() disabled=move || !edit() /></td>
                                    <td><input class="field__input" name="form[idle_w][]" aria-label=format!("{} {}", h.name, i.t(Key::ColIdleW)) value=h.idle_w.to_string() disabled=move || !edit() /></td>
                                    <td><input class="field__input" name="form[peak_w][]" aria-label=format!("{} {}", h.name, i.t(Key::ColPeakW)) value=h.peak_w.to_string() disabled=move || !edit() /></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {message("idle_w")}
                {message("peak_w")}
                {message("host")}
                <Show when=edit>
                    <button class="btn btn--primary" type="submit">{i.t(Key::Save)}</button>
                </Show>
                {move || note().map(|err| view! { <ErrorNote err /> })}
                {move || done().then(|| view! { <p class="note note--ok" role="status" data-cost-saved>{i.t(Key::CostModelSaved)}</p> })}
            </ActionForm>
        </section>
    }
}
