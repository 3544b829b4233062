//! A route's path and query, read like a server function's arguments: a
//! value of the wrong form answers 422 naming the part and the rule (an
//! [`AppError`]), never the framework's raw rejection text.

use app::error::AppError;
use app::i18n::Key;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The URL's path parameters; a malformed one is the field `path`.
pub struct PathArgs<T>(pub T);

/// The URL's query string; a missing field is named, anything else is the
/// field `query`.
pub struct QueryArgs<T>(pub T);

/// Reads the part with axum's extractor and turns its rejection into the
/// part's field error.
macro_rules! read_part {
    ($args:ident, $inner:ident, $part:literal) => {
        impl<T, S> FromRequestParts<S> for $args<T>
        where
            T: DeserializeOwned + Send,
            S: Send + Sync,
        {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
                match $inner::<T>::from_request_parts(parts, state).await {
                    Ok($inner(value)) => Ok($args(value)),
                    Err(err) => Err(refused($part, &err.body_text())),
                }
            }
        }
    };
}

read_part!(PathArgs, Path, "path");
read_part!(QueryArgs, Query, "query");

/// The error for a part that could not be read: a missing field by its
/// name, else the part itself.
fn refused(part: &str, detail: &str) -> AppError {
    match AppError::malformed(detail) {
        AppError::Invalid(errs) if errs.iter().all(|e| e.field == "request") => {
            AppError::field(part, Key::ErrRequestFieldMalformed)
        }
        named => named,
    }
}
