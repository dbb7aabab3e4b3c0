//! Building blocks shared by every resource's models: tolerant string enums, the
//! three-state [`Patch`] for PATCH bodies, and [`MetadataPatch`] for metadata maps that
//! Auth0 merges one level deep.
//!
//! Every response model keeps the fields it does not know in `extra`, so a
//! read-modify-write never drops data the server added after this crate was written.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

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
                let s = String::deserialize(d)?;
                Ok(Self::from(s))
            }
        }

        /// A string; the values this crate knows are listed, others are accepted too.
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "examples": Self::KNOWN,
                    "description": format!("Known values: {}.", Self::KNOWN.join(", "))
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

/// `T`, or `null` to clear the attribute (absent keeps it).
#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Patch<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Patch_{}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Option<T>>::json_schema(generator)
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

impl<'de> Deserialize<'de> for MetadataPatch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let changes = JsonObject::deserialize(d)?;
        let wipe = changes.is_empty();
        Ok(MetadataPatch { changes, wipe })
    }
}

/// An object of first-level keys to set (a `null` value deletes the key).
#[cfg(feature = "schema")]
impl schemars::JsonSchema for MetadataPatch {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MetadataPatch".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "First-level keys to set, merged into the existing map; a key set to null is deleted. An empty object deletes every key."
        })
    }
}

/// A value Auth0 sends either as a space-separated string or as an array of strings
/// (log `scope`, some scope claims). Re-encodes in the form it arrived in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
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

/// A point in time as Auth0 sends it on logs, sessions and refresh tokens: normally an
/// ISO-8601 string, but the API schema also allows an object. Re-encodes in the form it
/// arrived in.
///
/// ```
/// use auth0_mgmt::Timestamp;
/// let t: Timestamp = serde_json::from_str(r#""2023-01-25T19:00:28.395Z""#)?;
/// assert_eq!(t.as_str(), Some("2023-01-25T19:00:28.395Z"));
/// let o: Timestamp = serde_json::from_str("{}")?;
/// assert_eq!(o.as_str(), None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Timestamp {
    /// An ISO-8601 string (what the API sends in practice).
    String(String),
    /// Any other JSON shape, kept verbatim.
    Other(Value),
}

impl Timestamp {
    /// The ISO-8601 string, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Timestamp::String(s) => Some(s),
            Timestamp::Other(_) => None,
        }
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

impl std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[REDACTED]")
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Sensitive {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Sensitive".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StringOrNumber {
    /// A string.
    String(String),
    /// A number.
    Number(serde_json::Number),
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
