//! Millwright's application: pages and components shared by the server and
//! the browser, server functions, and (with `ssr`) the services behind them.
#![recursion_limit = "256"]

pub mod affinity;
pub mod api;
pub mod audit;
pub mod components;
pub mod error;
pub mod flash;
pub mod history;
pub mod i18n;
pub mod live;
pub mod model;
pub mod pages;
pub mod placement;
pub mod policy;
pub mod prefs;
pub mod url;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod consolidation;
#[cfg(feature = "ssr")]
pub mod csv;
#[cfg(feature = "ssr")]
pub mod domxml;
#[cfg(feature = "ssr")]
pub mod fleet;
#[cfg(feature = "ssr")]
pub mod gateway;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod inventory;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod quota;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod visibility;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::shell::Shell;
use crate::i18n::{use_i18n, Key};
use crate::pages::{
    account::AccountPage, audit::AuditPage, create::CreatePage, dashboard::DashboardPage,
    domain::DomainPage, history::HistoryPage, hosts::HostsPage, inventory::InventoryPage,
    login::LoginPage, networks::NetworksPage, not_found::NotFound, storage::StoragePage,
    templates::TemplatesPage, users::UsersPage, workspaces::WorkspacesPage,
};
#[cfg(feature = "ssr")]
use crate::prefs::Prefs;

/// The HTML document around the app, rendered on the server.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos::hydration::{AutoReload, HydrationScripts};
    use leptos_meta::MetaTags;

    let prefs = Prefs::from_request();
    crate::prefs::provide(prefs);
    view! {
        <!DOCTYPE html>
        <html lang=prefs.locale.code() data-theme=prefs.theme.as_str()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/logo.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The browser's entry: hydrates the page's islands. Called from
/// `frontend`, which also links this crate in, and with it every island's
/// exported hydration function.
#[cfg(feature = "hydrate")]
pub fn hydrate_islands() {
    leptos::mount::hydrate_islands();
}

/// The application: routes inside the shell.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Rendered on the server only (the browser hydrates islands alone).
    #[cfg(feature = "ssr")]
    if use_context::<Prefs>().is_none() {
        crate::prefs::provide(Prefs::from_request());
    }
    crate::components::session::provide_current_actor();
    let i = use_i18n();
    view! {
        <Stylesheet id="leptos" href="/pkg/millwright.css" />
        <Title text=i.t(Key::AppName) />
        // Async: every page is sent whole, resources resolved, so it reads
        // and works before (or without) the WebAssembly.
        <Router>
            <Shell>
                <Routes fallback=NotFound>
                    <Route path=path!("") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("hosts") view=HostsPage ssr=SsrMode::Async />
                    <Route path=path!("history") view=HistoryPage ssr=SsrMode::Async />
                    <Route path=path!("inventory") view=InventoryPage ssr=SsrMode::Async />
                    <Route path=path!("domains/:host/:uuid") view=DomainPage ssr=SsrMode::Async />
                    <Route path=path!("login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("users") view=UsersPage ssr=SsrMode::Async />
                    <Route path=path!("workspaces") view=WorkspacesPage ssr=SsrMode::Async />
                    <Route path=path!("audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=path!("create") view=CreatePage ssr=SsrMode::Async />
                    <Route path=path!("templates") view=TemplatesPage ssr=SsrMode::Async />
                    <Route path=path!("storage") view=StoragePage ssr=SsrMode::Async />
                    <Route path=path!("networks") view=NetworksPage ssr=SsrMode::Async />
                    <Route path=path!("jobs") view=crate::pages::jobs::JobsPage ssr=SsrMode::Async />
                    <Route path=path!("consolidation") view=crate::pages::consolidation::ConsolidationPage ssr=SsrMode::Async />
                    <Route path=path!("cost-model") view=crate::pages::cost_model::CostModelPage ssr=SsrMode::Async />
                    <Route path=path!("savings") view=crate::pages::savings::SavingsPage ssr=SsrMode::Async />
                </Routes>
            </Shell>
        </Router>
    }
}
