//! `model!`: the one definition of a response model's struct, its decoder and encoder.
//!
//! Every model keeps three things apart for each field: absent, `null` and a value.
//! Fields are plain `Option<T>` (absent and `null` both read as `None`), and the struct
//! remembers, in a private bit set, which known fields arrived as an explicit `null`;
//! encoding writes `null` back for those that are still `None`. Keys the model does not
//! know go to `extra` with their values, verbatim. So `decode → encode` gives back the
//! same JSON, nulls included, and a read-modify-write never turns `null` into absent.
//!
//! The decoder is written out (no `#[serde(flatten)]`): keys are matched as borrowed
//! strings, known values are decoded straight into their types, and only unknown keys
//! are buffered (as `serde_json::Value`). Flattening would first buffer the whole object
//! into serde's private `Content` tree and decode every field a second time.

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};

/// Which known fields of a model arrived as an explicit `null` (bit `i` = field `i` in
/// declaration order; at most 128 fields, checked at compile time).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Nulls(u128);

impl Nulls {
    #[inline]
    pub(crate) fn set(&mut self, i: u32) {
        self.0 |= 1u128 << i;
    }

    #[inline]
    pub(crate) fn has(self, i: u32) -> bool {
        self.0 & (1u128 << i) != 0
    }

    #[inline]
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::fmt::Debug for Nulls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} explicit nulls", self.0.count_ones())
    }
}

/// How a field type behaves when its key is missing or its value is `null`.
pub(crate) trait Slot: Sized {
    /// Optional fields may be absent; required ones are a decode error when missing
    /// (also read by the `schema` feature's `required` list).
    const OPTIONAL: bool;
    /// What the field holds while the object is decoded: `None`, or (for a required
    /// field) an empty value that the decoder always replaces or refuses.
    fn placeholder() -> Self;
    /// Whether the field is written when encoding (optional fields: when `Some`).
    fn present(&self) -> bool;
}

impl<T> Slot for Option<T> {
    const OPTIONAL: bool = true;
    #[inline]
    fn placeholder() -> Self {
        None
    }
    #[inline]
    fn present(&self) -> bool {
        self.is_some()
    }
}

/// The schema of a model field's value (feature `schema`): for an optional field, the
/// schema of `T` — the field may be left out, but `null` is not a value to send (the
/// models keep a received `null` for round trips; only [`Patch`](crate::Patch) fields of
/// request models send `null`, to clear) — and for a required field its type's.
#[cfg(feature = "schema")]
pub(crate) trait FieldSchema {
    fn field_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema;
}

#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema> FieldSchema for Option<T> {
    fn field_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        generator.subschema_for::<T>()
    }
}

macro_rules! required_slot {
    ($($t:ty),* $(,)?) => {
        $(
            impl Slot for $t {
                const OPTIONAL: bool = false;
                #[inline]
                fn placeholder() -> Self {
                    <$t as Placeholder>::placeholder()
                }
                #[inline]
                fn present(&self) -> bool {
                    true
                }
            }

            #[cfg(feature = "schema")]
            impl FieldSchema for $t {
                fn field_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                    generator.subschema_for::<$t>()
                }
            }
        )*
    };
}

/// The placeholder of a required string field.
trait Placeholder {
    fn placeholder() -> Self;
}

impl Placeholder for String {
    fn placeholder() -> Self {
        String::new()
    }
}

macro_rules! id_placeholder {
    ($($t:ty),*) => {
        $(impl Placeholder for $t {
            fn placeholder() -> Self {
                <$t>::placeholder()
            }
        })*
    };
}

id_placeholder!(
    crate::ids::UserId,
    crate::ids::RoleId,
    crate::ids::ClientId,
    crate::ids::ConnectionId,
    crate::ids::OrganizationId,
    crate::ids::GrantId,
    crate::ids::LogId,
    crate::ids::ResourceServerId,
    crate::ids::RefreshTokenId,
    crate::ids::SessionId
);

required_slot!(
    String,
    crate::ids::UserId,
    crate::ids::RoleId,
    crate::ids::ClientId,
    crate::ids::ConnectionId,
    crate::ids::OrganizationId,
    crate::ids::GrantId,
    crate::ids::LogId,
    crate::ids::ResourceServerId,
    crate::ids::RefreshTokenId,
    crate::ids::SessionId,
);

/// A decoded object key: one of the model's fields or an unknown key.
pub(crate) enum Key<F> {
    Known(F),
    Unknown(String),
}

/// Decodes an object key without allocating for known keys.
pub(crate) struct KeySeed<F>(pub(crate) fn(&str) -> Option<F>);

impl<'de, F> DeserializeSeed<'de> for KeySeed<F> {
    type Value = Key<F>;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key<F>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de, F> Visitor<'de> for KeySeed<F> {
    type Value = Key<F>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    #[inline]
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<F>, E> {
        Ok(match (self.0)(s) {
            Some(i) => Key::Known(i),
            None => Key::Unknown(s.to_owned()),
        })
    }

    #[inline]
    fn visit_string<E: de::Error>(self, s: String) -> Result<Key<F>, E> {
        Ok(match (self.0)(&s) {
            Some(i) => Key::Known(i),
            None => Key::Unknown(s),
        })
    }
}

/// The first paragraph of a doc comment, as one line (schema descriptions; examples
/// and details after the first blank line are left out).
#[cfg(feature = "schema")]
pub(crate) fn doc_text(lines: &[&str]) -> String {
    let paragraph: Vec<&str> = lines.iter().map(|l| l.trim()).take_while(|l| !l.is_empty()).collect();
    paragraph.join(" ")
}

/// The JSON Schema of a model's or a request's wire object (feature `schema`): its
/// `fields` as `(wire name, schema, doc, required)` under `properties`, the required
/// ones in `required`, other keys allowed (kept in, or sent from, `extra`), and the
/// struct's doc as its `description`.
#[cfg(feature = "schema")]
pub(crate) fn object_schema(
    doc: String,
    fields: Vec<(&'static str, schemars::Schema, String, bool)>,
) -> schemars::Schema {
    let mut properties = serde_json::Map::new();
    let mut required: Vec<&str> = Vec::new();
    for (name, mut schema, doc, is_required) in fields {
        if !doc.is_empty() {
            schema.insert("description".into(), doc.into());
        }
        properties.insert(name.into(), schema.to_value());
        if is_required {
            required.push(name);
        }
    }
    let mut schema = schemars::json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": true,
    });
    if !required.is_empty() {
        schema.insert("required".into(), required.into());
    }
    if !doc.is_empty() {
        schema.insert("description".into(), doc.into());
    }
    schema
}

/// Defines a response model. Syntax:
///
/// ```text
/// model! {
///     /// Docs.
///     @default @custom_debug        // optional flags: derive Default; Debug written by hand
///     pub struct Name {
///         /// Docs.
///         field: Option<Type>,       // optional (absent / null / value)
///         other as "wireName": Type, // required (a missing key is a decode error)
///     }
/// }
/// ```
///
/// Generates the struct (`#[non_exhaustive]`, `Clone`, `PartialEq`, `Debug` unless
/// `@custom_debug`, `Default` with `@default`) with a trailing `pub extra: JsonObject`,
/// `Serialize`, `Deserialize`, `explicit_nulls()`, and with the `schema` feature a
/// `JsonSchema` impl describing the wire object as a request sends it (inside a request
/// model): optional fields may be left out, none accepts `null`.
macro_rules! model {
    (
        $(#[doc = $sdoc:literal])*
        $(@$flag:ident)*
        pub struct $name:ident {
            $(
                $(#[doc = $fdoc:literal])*
                $field:ident $(as $wire:literal)? : $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[doc = $fdoc])*
                pub $field: $ty,
            )*
            /// Attributes this crate does not model, kept verbatim so that a
            /// read-modify-write never drops data the server added later.
            pub extra: $crate::models::JsonObject,
            /// Known fields that arrived as an explicit `null`.
            nulls: $crate::models::macros::Nulls,
        }

        $crate::models::macros::model!(@flags $name [$($flag)*] { $($field: $ty),* });

        const _: () = {
            use $crate::models::macros::{Key, KeySeed, Nulls, Slot};
            use serde::de::{self, MapAccess};
            use serde::ser::SerializeMap;

            #[allow(non_camel_case_types, clippy::enum_variant_names)]
            #[derive(Clone, Copy)]
            #[repr(u32)]
            enum Field { $($field),* }

            const WIRE: &[&str] = &[$($crate::models::macros::model!(@wire $field $($wire)?)),*];
            const _: () = assert!(WIRE.len() <= 128, "a model has at most 128 fields");

            #[inline]
            fn lookup(key: &str) -> Option<Field> {
                match key {
                    $($crate::models::macros::model!(@wire $field $($wire)?) => Some(Field::$field),)*
                    _ => None,
                }
            }

            impl $name {
                /// The wire names of the fields this model types, in declaration order
                /// (every other key goes to `extra`).
                pub const FIELDS: &'static [&'static str] = WIRE;

                /// The known fields (wire names) that arrived as an explicit `null` and are
                /// still `None`; they are encoded as `null` again.
                pub fn explicit_nulls(&self) -> impl Iterator<Item = &'static str> + '_ {
                    WIRE.iter().enumerate().filter(move |(i, _)| self.nulls.has(*i as u32)).map(|(_, w)| *w)
                }
            }

            impl serde::Serialize for $name {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    let mut map = s.serialize_map(None)?;
                    $(
                        if Slot::present(&self.$field) {
                            map.serialize_entry($crate::models::macros::model!(@wire $field $($wire)?), &self.$field)?;
                        } else if self.nulls.has(Field::$field as u32) {
                            map.serialize_entry($crate::models::macros::model!(@wire $field $($wire)?), &())?;
                        }
                    )*
                    for (k, v) in &self.extra {
                        map.serialize_entry(k, v)?;
                    }
                    map.end()
                }
            }

            impl<'de> serde::Deserialize<'de> for $name {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    struct V;
                    impl<'de> de::Visitor<'de> for V {
                        type Value = $name;

                        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                            f.write_str(concat!("an object (", stringify!($name), ")"))
                        }

                        // Values are decoded straight into the result (no per-field
                        // temporaries to move); required fields start as placeholders and
                        // a missing one is refused at the end.
                        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                            let mut out = $name {
                                $( $field: <$ty as Slot>::placeholder(), )*
                                extra: $crate::models::JsonObject::new(),
                                nulls: Nulls::default(),
                            };
                            let mut seen = Nulls::default();
                            while let Some(key) = map.next_key_seed(KeySeed(lookup))? {
                                match key {
                                    $(
                                        Key::Known(Field::$field) => {
                                            out.$field = map.next_value()?;
                                            seen.set(Field::$field as u32);
                                            if !Slot::present(&out.$field) {
                                                out.nulls.set(Field::$field as u32);
                                            }
                                        }
                                    )*
                                    Key::Unknown(k) => {
                                        let v: serde_json::Value = map.next_value()?;
                                        out.extra.insert(k, v);
                                    }
                                }
                            }
                            $(
                                if !<$ty as Slot>::OPTIONAL && !seen.has(Field::$field as u32) {
                                    return Err(de::Error::missing_field(
                                        $crate::models::macros::model!(@wire $field $($wire)?),
                                    ));
                                }
                            )*
                            Ok(out)
                        }
                    }
                    d.deserialize_map(V)
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

                fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                    $crate::models::macros::object_schema(
                        $crate::models::macros::doc_text(&[$($sdoc),*]),
                        vec![$((
                            $crate::models::macros::model!(@wire $field $($wire)?),
                            <$ty as $crate::models::macros::FieldSchema>::field_schema(generator),
                            $crate::models::macros::doc_text(&[$($fdoc),*]),
                            !<$ty as Slot>::OPTIONAL,
                        )),*],
                    )
                }
            }
        };
    };

    (@wire $field:ident) => { stringify!($field) };
    (@wire $field:ident $wire:literal) => { $wire };

    (@flags $name:ident [] { $($field:ident: $ty:ty),* }) => {
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut d = f.debug_struct(stringify!($name));
                $( d.field(stringify!($field), &self.$field); )*
                if !self.extra.is_empty() {
                    d.field("extra", &self.extra);
                }
                if !self.nulls.is_empty() {
                    d.field("nulls", &self.nulls);
                }
                d.finish()
            }
        }
    };
    (@flags $name:ident [custom_debug] { $($field:ident: $ty:ty),* }) => {};
    (@flags $name:ident [default] { $($field:ident: $ty:ty),* }) => {
        $crate::models::macros::model!(@flags $name [] { $($field: $ty),* });
        $crate::models::macros::model!(@default $name { $($field),* });
    };
    (@flags $name:ident [default custom_debug] { $($field:ident: $ty:ty),* }) => {
        $crate::models::macros::model!(@default $name { $($field),* });
    };
    (@default $name:ident { $($field:ident),* }) => {
        impl Default for $name {
            fn default() -> Self {
                $name { $($field: Default::default(),)* extra: Default::default(), nulls: Default::default() }
            }
        }
    };
}
pub(crate) use model;

/// Whether a request field is left out of the body (`skip_serializing_if`).
pub(crate) trait Absent {
    fn is_absent(&self) -> bool;
}

impl<T> Absent for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T> Absent for crate::models::Patch<T> {
    fn is_absent(&self) -> bool {
        self.is_keep()
    }
}

impl Absent for crate::models::MetadataPatch {
    fn is_absent(&self) -> bool {
        self.is_empty()
    }
}

/// Defines a request body: the required fields first (in `required { … }`), then the
/// optional ones, each written `name: Kind<T>` with `Kind` one of
///
/// * `Option<T>`: absent or a value; setter `name(impl Into<T>)`;
/// * `List<T>`: an `Option<Vec<T>>`; setter `name(impl IntoIterator<Item = impl Into<T>>)`;
/// * `Patch<T>`: absent, `null` (clear) or a value; setter `name(impl Into<Patch<T>>)`;
/// * `Plain<T>`: the type itself (e.g. `MetadataPatch`), left out when empty.
///
/// Docs come first, then one `#[derive(…)]` with the caller's derives (`Clone`, `Debug`,
/// …). Generates the struct (`#[non_exhaustive]`, serde) with a trailing
/// `#[serde(flatten)] pub extra: JsonObject`, one setter per optional field, and with the
/// `schema` feature a `JsonSchema` impl of the wire object (nullable only for `Patch`).
macro_rules! request {
    (
        $(#[doc = $sdoc:literal])*
        #[derive($($derive:path),* $(,)?)]
        pub struct $name:ident {
            required { $( $(#[doc = $rdoc:literal])* $rfield:ident : $rty:ty ),* $(,)? }
            $( $(#[doc = $fdoc:literal])* $field:ident : $kind:ident < $inner:ty > ),* $(,)?
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive($($derive),*)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[doc = $rdoc])* pub $rfield: $rty, )*
            $(
                $(#[doc = $fdoc])*
                #[serde(default, skip_serializing_if = "crate::models::macros::Absent::is_absent")]
                pub $field: $crate::models::macros::request!(@ty $kind $inner),
            )*
            /// Fields sent as given: attributes newer than this crate. A key here that is
            /// also a typed field is sent twice; prefer the typed field.
            #[serde(flatten)]
            pub extra: $crate::models::JsonObject,
        }

        impl $name {
            $( $crate::models::macros::request!(@set $kind $field $inner); )*
        }

        /// The wire object: typed fields under their wire names, `required` as the API
        /// requires them, `null` only where it clears a value ([`Patch`](crate::Patch)),
        /// and other keys allowed (they are sent as given from `extra`).
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn schema_id() -> std::borrow::Cow<'static, str> {
                concat!(module_path!(), "::", stringify!($name)).into()
            }

            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $crate::models::macros::object_schema(
                    $crate::models::macros::doc_text(&[$($sdoc),*]),
                    vec![
                        $((
                            stringify!($rfield),
                            generator.subschema_for::<$rty>(),
                            $crate::models::macros::doc_text(&[$($rdoc),*]),
                            true,
                        ),)*
                        $((
                            stringify!($field),
                            $crate::models::macros::request!(@schema $kind $inner, generator),
                            $crate::models::macros::doc_text(&[$($fdoc),*]),
                            false,
                        ),)*
                    ],
                )
            }
        }
    };

    (@schema Option $inner:ty, $g:ident) => { $g.subschema_for::<$inner>() };
    (@schema List $inner:ty, $g:ident) => { $g.subschema_for::<Vec<$inner>>() };
    (@schema Patch $inner:ty, $g:ident) => { $g.subschema_for::<$crate::models::Patch<$inner>>() };
    (@schema Plain $inner:ty, $g:ident) => { $g.subschema_for::<$inner>() };

    (@ty Option $inner:ty) => { Option<$inner> };
    (@ty List $inner:ty) => { Option<Vec<$inner>> };
    (@ty Patch $inner:ty) => { $crate::models::Patch<$inner> };
    (@ty Plain $inner:ty) => { $inner };

    (@set Option $field:ident $inner:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        pub fn $field(mut self, value: impl Into<$inner>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
    (@set List $field:ident $inner:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        pub fn $field<I: IntoIterator<Item = V>, V: Into<$inner>>(mut self, values: I) -> Self {
            self.$field = Some(values.into_iter().map(Into::into).collect());
            self
        }
    };
    (@set Patch $field:ident $inner:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "` (a value, or [`Patch::Clear`](crate::Patch::Clear) to send `null`).")]
        pub fn $field(mut self, value: impl Into<$crate::models::Patch<$inner>>) -> Self {
            self.$field = value.into();
            self
        }
    };
    (@set Plain $field:ident $inner:ty) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        pub fn $field(mut self, value: $inner) -> Self {
            self.$field = value;
            self
        }
    };
}
pub(crate) use request;
