//! The frame around every page: navigation, language and theme switches,
//! and the live-connection indicator (the page's island).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::auth::Logout;
use crate::components::live::LiveDot;
use crate::components::session::{may, use_actor};
use crate::i18n::{use_i18n, Key, Locale};
use crate::policy::{Action, Object};
use crate::prefs::Theme;

/// Where `/prefs` sends the browser back to: the current path and query.
fn back_link(param: &str, value: &str, path: &str, search: &str) -> String {
    let back = if search.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{search}")
    };
    format!(
        "/prefs?{param}={value}&back={}",
        crate::url::encode_path(&back)
    )
}

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let i = use_i18n();
    // The actor is known synchronously on both sides (see `session`), so the
    // header is a plain function of its value: the server's render and the
    // browser's hydration build the same tree.
    let actor = use_actor().get_untracked();
    let location = use_location();
    let link = move |param: &'static str, value: &'static str| {
        back_link(
            param,
            value,
            &location.pathname.get(),
            &location.search.get(),
        )
    };
    let theme_key = |t: Theme| match t {
        Theme::Auto => Key::ThemeAuto,
        Theme::Light => Key::ThemeLight,
        Theme::Dark => Key::ThemeDark,
    };
    let nav = actor.as_ref().map(|a| {
        let admin_links = may(&Some(a.clone()), Action::UserList, &Object::Platform).then(|| {
            view! {
                <A href="/users">{i.t(Key::NavUsers)}</A>
                <A href="/templates">{i.t(Key::NavTemplates)}</A>
            }
        });
        view! {
            <nav class="nav" aria-label="main">
                <A href="/" exact=true>{i.t(Key::NavDashboard)}</A>
                <A href="/hosts">{i.t(Key::NavHosts)}</A>
                <A href="/inventory">{i.t(Key::NavInventory)}</A>
                <A href="/history">{i.t(Key::NavHistory)}</A>
                <A href="/consolidation">{i.t(Key::NavConsolidation)}</A>
                <A href="/savings">{i.t(Key::NavSavings)}</A>
                <A href="/create">{i.t(Key::NavCreate)}</A>
                <A href="/storage">{i.t(Key::NavStorage)}</A>
                <A href="/networks">{i.t(Key::NavNetworks)}</A>
                <A href="/workspaces">{i.t(Key::NavWorkspaces)}</A>
                <A href="/jobs">{i.t(Key::NavJobs)}</A>
                <A href="/audit">{i.t(Key::NavAudit)}</A>
                {admin_links}
            </nav>
        }
    });
    let switcher = actor.as_ref().filter(|a| !a.memberships.is_empty()).map(|a| {
        view! {
            // The workspace switcher: a plain GET form, so it works
            // without JavaScript; the inventory shows that team's pool.
            <form method="get" action="/inventory" class="inline" data-form="workspace-switcher">
                <select name="ws" aria-label=i.t(Key::Workspace) data-switcher="shell">
                    <option value="">{i.t(Key::AllWorkspaces)}</option>
                    {a.memberships.iter().map(|m| view! {
                        <option value=m.slug.clone()>{m.name.clone()}</option>
                    }).collect_view()}
                </select>
                <button class="btn btn--small" type="submit">{i.t(Key::Switch)}</button>
            </form>
        }
    });
    let logout_path = <Logout as leptos::server_fn::ServerFn>::PATH;
    let user_menu = actor.as_ref().map(|a| {
        view! {
            <span class="user">
                <a href="/account" data-user=a.username.clone()>{a.username.clone()}</a>
                // A plain form: signing out reloads everything.
                <form method="post" action=logout_path class="inline" data-form="sign-out">
                    <button class="btn btn--small" type="submit">{i.t(Key::SignOut)}</button>
                </form>
            </span>
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <img src="/logo.svg" alt="" width="28" height="28" />
                <span class="brand__name">{i.t(Key::AppName)}</span>
                <span class="brand__tag">{i.t(Key::Tagline)}</span>
            </a>
            {nav}
            <div class="prefs">
                <LiveDot on_title=i.t(Key::LiveOn).to_string() off_title=i.t(Key::LiveOff).to_string() />
                {actor.is_some().then(|| view! { <crate::components::jobs::JobsTray /> })}
                <span class="prefs__group" aria-label=i.t(Key::Language)>
                    {Locale::ALL
                        .into_iter()
                        .map(|l| {
                            view! {
                                <a
                                    rel="external"
                                    class="prefs__opt"
                                    class:prefs__opt--on=i.locale() == l
                                    hreflang=l.code()
                                    data-lang=l.code()
                                    href=move || link("lang", l.code())
                                >
                                    {l.native_name()}
                                </a>
                            }
                        })
                        .collect_view()}
                </span>
                <span class="prefs__group" aria-label=i.t(Key::Theme)>
                    {Theme::ALL
                        .into_iter()
                        .map(|t| {
                            view! {
                                <a
                                    rel="external"
                                    class="prefs__opt"
                                    data-theme-opt=t.as_str()
                                    href=move || link("theme", t.as_str())
                                >
                                    {i.t(theme_key(t))}
                                </a>
                            }
                        })
                        .collect_view()}
                </span>
                {switcher}
                {user_menu}
            </div>
        </header>
        <main class="page">{children()}</main>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn back_links_keep_the_query() {
        assert_eq!(
            super::back_link("lang", "zh-CN", "/inventory", "q=mes&page=2"),
            "/prefs?lang=zh-CN&back=/inventory%3Fq%3Dmes%26page%3D2"
        );
    }
}
