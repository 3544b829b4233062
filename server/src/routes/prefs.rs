//! `GET /prefs`: language and theme, remembered in cookies.

use super::args::QueryArgs;
use app::i18n::Locale;
use app::prefs::{Theme, LANG_COOKIE, THEME_COOKIE};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct PrefsQuery {
    lang: Option<String>,
    theme: Option<String>,
    back: Option<String>,
}

/// `GET /prefs?lang=zh-CN&back=/hosts`: remembers a choice in a cookie and
/// returns to the page. Works without JavaScript.
pub async fn prefs(QueryArgs(q): QueryArgs<PrefsQuery>) -> Response {
    const YEAR: u32 = 365 * 24 * 3600;
    let mut headers = HeaderMap::new();
    let mut set = |name: &str, value: &str| {
        let cookie = format!("{name}={value}; Path=/; Max-Age={YEAR}; SameSite=Lax");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, v);
        }
    };
    if let Some(locale) = q.lang.as_deref().and_then(Locale::parse) {
        set(LANG_COOKIE, locale.code());
    }
    if let Some(theme) = q.theme.as_deref().and_then(Theme::parse) {
        set(THEME_COOKIE, theme.as_str());
    }
    let back = q
        .back
        .as_deref()
        .and_then(app::url::local_path)
        .unwrap_or("/");
    if let Ok(v) = HeaderValue::from_str(back) {
        headers.insert(header::LOCATION, v);
    }
    (StatusCode::SEE_OTHER, headers).into_response()
}
