//! The one i18n mechanism: every UI string is a [`Key`] with its English and
//! Simplified Chinese text side by side, so a missing translation cannot
//! compile. The locale is chosen on the server (cookie `mw_lang`) and written
//! into `<html lang>`, which the browser reads back when it hydrates.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! keys {
    ($($key:ident => $en:literal, $zh:literal;)*) => {
        /// A UI string. It travels (in errors) by its name, e.g.
        /// `"ErrNotFound"`; the hand-written serde impls below keep the
        /// browser's WebAssembly free of a generated 400-arm visitor.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Key { $($key),* }

        impl Key {
            /// Every key, for completeness tests.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];

            pub fn en(self) -> &'static str {
                match self { $(Key::$key => $en),* }
            }

            pub fn zh(self) -> &'static str {
                match self { $(Key::$key => $zh),* }
            }

            /// The key's name, as it is serialized.
            pub fn name(self) -> &'static str {
                match self { $(Key::$key => stringify!($key)),* }
            }
        }
    };
}

impl Key {
    /// The key named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|k| k.name() == name)
    }
}

impl Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("the name of a UI string")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Key, E> {
                Key::from_name(name).ok_or_else(|| E::unknown_variant(name, &[]))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

mod keys;
pub use keys::Key;

/// `template` with each `{}` replaced by the next of `args`, in order (a
/// translation keeps the placeholders, not their order in the sentence).
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16 * args.len());
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        out.push_str(args.next().copied().unwrap_or("{}"));
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// A UI language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    ZhCn,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    /// The BCP 47 tag, used in `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::ZhCn => "简体中文",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code))
    }

    pub fn t(self, key: Key) -> &'static str {
        match self {
            Locale::En => key.en(),
            Locale::ZhCn => key.zh(),
        }
    }
}

/// Translator handed to components; `Copy` so closures can take it freely.
#[derive(Clone, Copy, Debug)]
pub struct I18n(pub Locale);

impl I18n {
    pub fn t(self, key: Key) -> &'static str {
        self.0.t(key)
    }

    pub fn locale(self) -> Locale {
        self.0
    }
}

/// The translator of the current page, in the locale the page's
/// preferences provided (`prefs::provide`).
pub fn use_i18n() -> I18n {
    I18n(use_context::<Locale>().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages() {
        for key in Key::ALL {
            assert!(!key.en().is_empty(), "{key:?} en");
            assert!(!key.zh().is_empty(), "{key:?} zh");
        }
    }

    #[test]
    fn keys_travel_by_name_and_read_back() {
        for key in Key::ALL {
            let json = serde_json::to_string(key).unwrap();
            assert_eq!(json, format!("\"{key:?}\""));
            assert_eq!(serde_json::from_str::<Key>(&json).unwrap(), *key);
        }
        assert!(serde_json::from_str::<Key>("\"NoSuchKey\"").is_err());
    }

    #[test]
    fn translations_keep_every_placeholder() {
        for key in Key::ALL {
            assert_eq!(
                key.en().matches("{}").count(),
                key.zh().matches("{}").count(),
                "{key:?}"
            );
        }
        assert_eq!(fill("{} of {}", &["1", "2"]), "1 of 2");
        assert_eq!(
            fill("{} of {}", &["1"]),
            "1 of {}",
            "a missing argument stays visible"
        );
    }

    #[test]
    fn locale_codes_round_trip() {
        for l in Locale::ALL {
            assert_eq!(Locale::parse(l.code()), Some(l));
        }
        assert_eq!(Locale::parse("zh-cn"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("fr"), None);
    }
}
