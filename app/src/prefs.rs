//! Per-browser preferences: language and theme. Chosen on the server from
//! cookies and written into `<html lang data-theme>`.

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

pub const LANG_COOKIE: &str = "mw_lang";
pub const THEME_COOKIE: &str = "mw_theme";

/// Light, dark, or following the operating system.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Makes the page's preferences, and its locale for `i18n::use_i18n`,
/// available to every component.
pub fn provide(prefs: Prefs) {
    leptos::prelude::provide_context(prefs);
    leptos::prelude::provide_context(prefs.locale);
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prefs {
    pub locale: Locale,
    pub theme: Theme,
}

impl Prefs {
    /// Reads the preferences from a `Cookie` header value.
    pub fn from_cookie_header(header: &str) -> Self {
        let mut prefs = Prefs::default();
        for pair in header.split(';') {
            let Some((name, value)) = pair.trim().split_once('=') else {
                continue;
            };
            match name {
                LANG_COOKIE => prefs.locale = Locale::parse(value).unwrap_or_default(),
                THEME_COOKIE => prefs.theme = Theme::parse(value).unwrap_or_default(),
                _ => {}
            }
        }
        prefs
    }

    /// The preferences of the request being rendered.
    #[cfg(feature = "ssr")]
    pub fn from_request() -> Self {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| {
                let header = parts.headers.get(http::header::COOKIE)?;
                Some(Self::from_cookie_header(header.to_str().ok()?))
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies() {
        let p = Prefs::from_cookie_header("id=abc; mw_lang=zh-CN; mw_theme=dark");
        assert_eq!(
            p,
            Prefs {
                locale: Locale::ZhCn,
                theme: Theme::Dark
            }
        );
        assert_eq!(Prefs::from_cookie_header("mw_lang=xx"), Prefs::default());
    }
}
