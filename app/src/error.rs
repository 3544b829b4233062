//! The one error type server functions return, shown to users through i18n.

use leptos::server_fn::{codec::JsonEncoding, error::ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::Key;

/// A rule broken by one form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's name, e.g. `"uri"`.
    pub field: String,
    /// The message, naming the rule.
    pub key: Key,
    /// What the message is about, when it names something the server
    /// knows (an affinity rule's name); shown after it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl FieldError {
    pub fn new(field: &str, key: Key) -> Self {
        Self {
            field: field.to_string(),
            key,
            detail: String::new(),
        }
    }
}

/// What a server function can fail with. Internal detail is logged on the
/// server; the browser only ever gets one of these clean variants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    /// A host could not do what was asked; the key says why in user terms.
    #[error("host problem")]
    Host(Key),
    #[error("conflict")]
    Conflict(FieldError),
    #[error("not signed in")]
    Unauthorized,
    /// The policy refused; the key names the rule.
    #[error("forbidden")]
    Forbidden(Key),
    #[error("too many failed sign-ins")]
    Throttled,
    #[error("internal error")]
    Internal,
    /// Transport-level failure (network, serialization).
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    pub fn field(field: &str, key: Key) -> Self {
        AppError::Invalid(vec![FieldError::new(field, key)])
    }

    /// [`AppError::field`] naming `detail` (e.g. the rule broken).
    pub fn field_about(field: &str, key: Key, detail: &str) -> Self {
        AppError::Invalid(vec![FieldError {
            detail: detail.to_string(),
            ..FieldError::new(field, key)
        }])
    }

    /// What the error on `field` names, if anything.
    pub fn field_detail(&self, field: &str) -> Option<&str> {
        match self {
            AppError::Invalid(errs) => errs
                .iter()
                .find(|e| e.field == field && !e.detail.is_empty())
                .map(|e| e.detail.as_str()),
            _ => None,
        }
    }

    /// A request whose fields could not be read (`detail` is the decoder's
    /// text, logged, never shown): the field it names, if any, with the
    /// rule it broke; else the field `request`.
    pub fn malformed(detail: &str) -> Self {
        #[cfg(feature = "ssr")]
        tracing::info!(detail, "malformed server function arguments");
        // Only a missing field's name is taken from the text: elsewhere the
        // quoted part may be the sent value itself.
        let missing = detail
            .split_once("missing field `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(name, _)| name)
            // A field's name, never a sent value that looks like one.
            .filter(|name| {
                !name.is_empty()
                    && name.len() <= 64
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
        match missing {
            Some(name) => AppError::field(name, Key::ErrRequestFieldMissing),
            None => AppError::field("request", Key::ErrRequestFieldMalformed),
        }
    }

    /// The message for `field`, if this error has one for it.
    pub fn field_key(&self, field: &str) -> Option<Key> {
        match self {
            AppError::Invalid(errs) => errs.iter().find(|e| e.field == field).map(|e| e.key),
            AppError::Conflict(e) if e.field == field => Some(e.key),
            _ => None,
        }
    }

    /// The one message for a place with room for one: the first field's
    /// rule, else the summary.
    pub fn first_key(&self) -> Key {
        match self {
            AppError::Invalid(errs) => errs.first().map_or(self.summary(), |e| e.key),
            AppError::Conflict(e) => e.key,
            other => other.summary(),
        }
    }

    /// The message shown when no field owns the error.
    pub fn summary(&self) -> Key {
        match self {
            AppError::Invalid(_) | AppError::Conflict(_) => Key::ErrFixFields,
            AppError::NotFound => Key::ErrNotFound,
            AppError::Host(key) => *key,
            AppError::Unauthorized => Key::ErrUnauthorized,
            AppError::Forbidden(key) => *key,
            AppError::Throttled => Key::ErrThrottled,
            AppError::Internal => Key::ErrInternal,
            AppError::Transport(_) => Key::ErrTransport,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server: the request did not carry the arguments.
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => {
                AppError::malformed(&detail)
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status a route answers this error with.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Host(_) => StatusCode::BAD_GATEWAY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Throttled => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Transport(_) => StatusCode::BAD_REQUEST,
        }
    }
}

/// A route's error: its status and the rule in plain English.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let text = match &self {
            // Name the field the rule is about, as a form would.
            AppError::Invalid(errs) if !errs.is_empty() => {
                format!("{}: {}", errs[0].field, errs[0].key.en())
            }
            other => other.first_key().en().to_string(),
        };
        (self.status(), text).into_response()
    }
}
