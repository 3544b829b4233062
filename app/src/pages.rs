//! One file per page.

pub mod account;
pub mod audit;
pub mod create;
pub mod dashboard;
pub mod domain;
pub mod history;
pub mod hosts;
pub mod inventory;
pub mod login;
pub mod networks;
pub mod not_found;
pub mod storage;
pub mod templates;
pub mod users;
pub mod workspaces;

/// Each page is a lazy route: in a `--split` build its code is a WebAssembly
/// chunk of its own, fetched when the page is first shown (the server lists
/// the chunks of the page it rendered as preloads), so the first download is
/// the shell and the page in front of the user, not all fifteen pages.
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        #[doc = concat!("The lazy route of [`", stringify!($page), "`].")]
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> leptos::prelude::AnyView {
                use leptos::prelude::IntoAny;
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    Dashboard => dashboard::DashboardPage,
    Hosts => hosts::HostsPage,
    History => history::HistoryPage,
    Inventory => inventory::InventoryPage,
    Domain => domain::DomainPage,
    Login => login::LoginPage,
    Account => account::AccountPage,
    Users => users::UsersPage,
    Workspaces => workspaces::WorkspacesPage,
    Audit => audit::AuditPage,
    Create => create::CreatePage,
    Templates => templates::TemplatesPage,
    Storage => storage::StoragePage,
    Networks => networks::NetworksPage,
}
