//! Building blocks shared by every resource's models: tolerant string enums, the
//! three-state [`Patch`] for PATCH bodies, and [`MetadataPatch`] for metadata maps that
//! Auth0 merges one level deep.
//!
//! Every response model keeps the fields it does not know in `extra`, so a
//! read-modify-write never drops data the server added after this crate was written.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

pub(crate) mod macros;
mod time;

pub(crate) use macros::{model, request};
pub use time::{DateTime, DateTimeError, Timestamp};

/// Decodes a response body. The body is checked to be UTF-8 once, then read as a `str`:
/// `serde_json::from_slice` would validate every string of the body separately, which
/// costs a sixth of a log page's decode. A body that is not UTF-8 is decoded from the
/// bytes, so that it fails with serde_json's own error.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// A free-form JSON object (metadata, strategy options, …).
pub type JsonObject = Map<String, Value>;

/// Defines a string enum that accepts values it does not know (`Other`), re-encodes
/// them unchanged, and offers `as_str()`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of the crate does not know; kept verbatim.
            Other(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Other(s) => s.as_str(),
                }
            }

            /// Every value this version of the crate knows.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $value => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $( $value => Self::$variant, )*
                    _ => Self::Other(s),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<$name, E> {
                        Ok($name::from(s))
                    }
                    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<$name, E> {
                        Ok($name::from(s))
                    }
                }
                d.deserialize_str(V)
            }
        }

        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn schema_id() -> std::borrow::Cow<'static, str> {
                concat!(module_path!(), "::", stringify!($name)).into()
            }
            /// The known values, or any other string (a value newer than this crate).
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "anyOf": [
                        {"enum": Self::KNOWN},
                        {"description": "A value newer than this version of the crate."}
                    ]
                })
            }
        }
    };
}
pub(crate) use string_enum;

/// One field of a PATCH body: leave it alone, clear it (`null`), or set it.
///
/// Auth0 gives `null` a meaning in PATCH bodies (unset the attribute), so "absent" and
/// "null" must be different things:
///
/// ```
/// use auth0_mgmt::Patch;
/// use serde_json::json;
///
/// #[derive(serde::Serialize)]
/// struct Body {
///     #[serde(skip_serializing_if = "Patch::is_keep")]
///     name: Patch<String>,
///     #[serde(skip_serializing_if = "Patch::is_keep")]
///     nickname: Patch<String>,
///     #[serde(skip_serializing_if = "Patch::is_keep")]
///     picture: Patch<String>,
/// }
/// let body = Body { name: Patch::Set("Ada".into()), nickname: Patch::Clear, picture: Patch::Keep };
/// assert_eq!(serde_json::to_value(&body)?, json!({"name": "Ada", "nickname": null}));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Patch<T> {
    /// Not sent: the server keeps its value.
    #[default]
    Keep,
    /// Sent as `null`: the server removes the value.
    Clear,
    /// Sent as this value.
    Set(T),
}

impl<T> Patch<T> {
    /// True for [`Patch::Keep`] (used by `skip_serializing_if`).
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }

    /// The value being set, if any.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(v: T) -> Self {
        Patch::Set(v)
    }
}

impl From<&str> for Patch<String> {
    fn from(v: &str) -> Self {
        Patch::Set(v.to_owned())
    }
}

impl From<&str> for Patch<Sensitive> {
    fn from(v: &str) -> Self {
        Patch::Set(Sensitive::new(v))
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `Some(v)` sets, `None` clears.
    fn from(v: Option<T>) -> Self {
        v.map_or(Patch::Clear, Patch::Set)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached when a field forgot `skip_serializing_if`; null would clear.
            Patch::Keep | Patch::Clear => s.serialize_none(),
            Patch::Set(v) => v.serialize(s),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(d)?.into())
    }
}

/// The value, or `null` to clear it; a field left out is [`Patch::Keep`] (never
/// `required`).
#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Patch<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Nullable_{}", T::schema_name()).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let inner = generator.subschema_for::<T>();
        schemars::json_schema!({"anyOf": [inner, {"type": "null"}]})
    }
}

/// Changes to a metadata map (`user_metadata`, `app_metadata`) that Auth0 merges one
/// level deep.
///
/// Sending an empty object wipes the whole map on the server, so this type never sends
/// one by accident: with no changes it is not sent at all, and wiping must be asked for
/// with [`MetadataPatch::wipe`].
///
/// ```
/// use auth0_mgmt::MetadataPatch;
/// use serde_json::json;
///
/// let patch = MetadataPatch::new().set("plan", "pro").remove("trial_ends");
/// assert_eq!(serde_json::to_value(&patch)?, json!({"plan": "pro", "trial_ends": null}));
/// assert!(MetadataPatch::new().is_empty());
/// assert_eq!(serde_json::to_value(MetadataPatch::wipe())?, json!({}));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetadataPatch {
    changes: JsonObject,
    wipe: bool,
}

impl MetadataPatch {
    /// No changes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Removes every key on the server (sends `{}`).
    pub fn wipe() -> Self {
        MetadataPatch { changes: JsonObject::new(), wipe: true }
    }

    /// Sets a first-level key (nested objects are replaced, not merged).
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.changes.insert(key.into(), value.into());
        self
    }

    /// Deletes a first-level key (sends `null` for it).
    pub fn remove(mut self, key: impl Into<String>) -> Self {
        self.changes.insert(key.into(), Value::Null);
        self
    }

    /// Builds a patch from a map of changes; an empty map means "no change", never a wipe.
    pub fn from_map(changes: JsonObject) -> Self {
        MetadataPatch { changes, wipe: false }
    }

    /// True when nothing will be sent.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && !self.wipe
    }

    /// True when this patch wipes the map.
    pub fn is_wipe(&self) -> bool {
        self.wipe && self.changes.is_empty()
    }

    /// The first-level keys this patch sets or removes.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.changes.keys().map(String::as_str)
    }
}

impl Serialize for MetadataPatch {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.changes.serialize(s)
    }
}

/// An object of first-level keys to set (any JSON value) or delete (`null`); `{}` wipes.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for MetadataPatch {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MetadataPatch".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "First-level keys to set (any JSON value) or delete (null); merged one level deep. An empty object wipes the whole map.",
            "additionalProperties": true
        })
    }
}

impl<'de> Deserialize<'de> for MetadataPatch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let changes = JsonObject::deserialize(d)?;
        let wipe = changes.is_empty();
        Ok(MetadataPatch { changes, wipe })
    }
}

/// A value Auth0 sends either as a space-separated string or as an array of strings
/// (log `scope`, some scope claims). Re-encodes in the form it arrived in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StringOrList {
    /// A single (often space-separated) string.
    String(String),
    /// A list of strings.
    List(Vec<String>),
}

impl StringOrList {
    /// The individual values (a string is split on whitespace).
    pub fn values(&self) -> Vec<&str> {
        match self {
            StringOrList::String(s) => s.split_whitespace().collect(),
            StringOrList::List(l) => l.iter().map(String::as_str).collect(),
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for StringOrList {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StringOrList".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
    }
}

impl Serialize for StringOrList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StringOrList::String(v) => v.serialize(s),
            StringOrList::List(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for StringOrList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringOrList;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<StringOrList, E> {
                Ok(StringOrList::String(s.to_owned()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<StringOrList, E> {
                Ok(StringOrList::String(s))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<StringOrList, A::Error> {
                Vec::<String>::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(StringOrList::List)
            }
        }
        d.deserialize_any(V)
    }
}

/// A string that must not show up in logs: IdP tokens, client secrets, passwords.
///
/// It serializes and deserializes as a plain string (so request bodies and
/// read-modify-write keep working), but its `Debug` prints `[REDACTED]`.
///
/// ```
/// use auth0_mgmt::Sensitive;
/// let s = Sensitive::new("hunter2");
/// assert_eq!(format!("{s:?}"), "[REDACTED]");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Sensitive(s.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Sensitive {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Sensitive".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "writeOnly": true})
    }
}

impl std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<String> for Sensitive {
    fn from(s: String) -> Self {
        Sensitive(s)
    }
}

impl From<&str> for Sensitive {
    fn from(s: &str) -> Self {
        Sensitive(s.to_owned())
    }
}

/// A value Auth0 sends as a string or a number (an identity's `user_id`).
#[derive(Clone, Debug, PartialEq)]
pub enum StringOrNumber {
    /// A string.
    String(String),
    /// A number.
    Number(serde_json::Number),
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for StringOrNumber {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StringOrNumber".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": ["string", "number"]})
    }
}

impl Serialize for StringOrNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StringOrNumber::String(v) => v.serialize(s),
            StringOrNumber::Number(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for StringOrNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = StringOrNumber;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<StringOrNumber, E> {
                Ok(StringOrNumber::String(s.to_owned()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<StringOrNumber, E> {
                Ok(StringOrNumber::String(s))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<StringOrNumber, E> {
                Ok(StringOrNumber::Number(n.into()))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<StringOrNumber, E> {
                Ok(StringOrNumber::Number(n.into()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<StringOrNumber, E> {
                serde_json::Number::from_f64(n)
                    .map(StringOrNumber::Number)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(n), &self))
            }
        }
        d.deserialize_any(V)
    }
}

impl std::fmt::Display for StringOrNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StringOrNumber::String(s) => f.write_str(s),
            StringOrNumber::Number(n) => write!(f, "{n}"),
        }
    }
}

/// Which fields a read returns (`fields` + `include_fields`).
///
/// The id field of the resource is always kept, so the result still decodes into the
/// typed model.
///
/// ```
/// use auth0_mgmt::Fields;
/// let f = Fields::include(["email", "name"]);
/// assert_eq!(f.query_value("user_id"), "email,name,user_id");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    names: Vec<String>,
    include: bool,
}

impl Fields {
    /// Return only these fields (plus the id).
    pub fn include<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        Fields { names: names.into_iter().map(Into::into).collect(), include: true }
    }

    /// Return every field except these (never the id).
    pub fn exclude<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        Fields { names: names.into_iter().map(Into::into).collect(), include: false }
    }

    /// The `fields` query value, keeping `id_field`.
    pub fn query_value(&self, id_field: &str) -> String {
        let mut names: Vec<&str> = self.names.iter().map(String::as_str).filter(|n| !n.trim().is_empty()).collect();
        if self.include {
            if !names.contains(&id_field) {
                names.push(id_field);
            }
        } else {
            names.retain(|n| *n != id_field);
        }
        names.join(",")
    }

    /// Whether the fields are included (`include_fields=true`) or excluded.
    pub fn is_include(&self) -> bool {
        self.include
    }

    /// Adds `fields` and `include_fields` to a request.
    pub(crate) fn apply(&self, req: crate::Request, id_field: &str) -> crate::Request {
        let value = self.query_value(id_field);
        if value.is_empty() {
            return req;
        }
        req.query("fields", value).query("include_fields", self.include)
    }
}
