//! Validated identifiers, each encoded as exactly one URL path segment.
//!
//! Every id that goes into a request path is a newtype built through one
//! constructor that rejects what could steer a request elsewhere: the empty string,
//! `.` and `..` (also when they only appear after percent-decoding, such as
//! `%2e%2e`), control characters, and absurd lengths. When a path is built, every byte
//! outside the RFC 3986 *unreserved* set is percent-encoded, so `auth0|abc` becomes
//! `auth0%7Cabc` and a `/` inside an id becomes `%2F`: an id can never add, remove or
//! climb a path segment, and can never start a query string or a fragment.
//!
//! ```
//! use auth0_mgmt::UserId;
//!
//! let id: UserId = "auth0|63d17c4c5d69f3e86d515d1c".parse()?;
//! assert_eq!(id.as_str(), "auth0|63d17c4c5d69f3e86d515d1c");
//! assert_eq!(id.path_segment(), "auth0%7C63d17c4c5d69f3e86d515d1c");
//! assert!(UserId::new("..").is_err());
//! # Ok::<(), auth0_mgmt::IdError>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything except RFC 3986 unreserved characters (`ALPHA / DIGIT / "-" / "." / "_" / "~"`).
pub(crate) const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The longest id accepted, in bytes. Auth0's own ids are far shorter; the bound keeps
/// hostile input from building enormous URLs.
pub const MAX_ID_LEN: usize = 1024;

/// Why a string was refused as an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The id was empty.
    #[error("{kind} must not be empty")]
    Empty {
        /// Which kind of id (e.g. `user id`).
        kind: &'static str,
    },
    /// The id is, or percent-decodes to, `.` or `..`, which would climb the path.
    #[error("{kind} must not be `.` or `..` (also when percent-encoded)")]
    DotSegment {
        /// Which kind of id.
        kind: &'static str,
    },
    /// The id contains a control character (newline, NUL, escape, …).
    #[error("{kind} must not contain control characters")]
    ControlCharacter {
        /// Which kind of id.
        kind: &'static str,
    },
    /// The id is longer than [`MAX_ID_LEN`] bytes.
    #[error("{kind} is longer than {max} bytes", max = MAX_ID_LEN)]
    TooLong {
        /// Which kind of id.
        kind: &'static str,
    },
}

/// The grammar shared by every id kind. Returns the reason an id is refused.
pub(crate) fn validate(kind: &'static str, s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if s.len() > MAX_ID_LEN {
        return Err(IdError::TooLong { kind });
    }
    // Decode repeatedly (a proxy might decode more than once) and check every layer.
    let mut layer: Cow<'_, str> = Cow::Borrowed(s);
    for _ in 0..4 {
        let control = if layer.is_ascii() {
            layer.bytes().any(|b| b < 0x20 || b == 0x7f)
        } else {
            layer.chars().any(char::is_control)
        };
        if control {
            return Err(IdError::ControlCharacter { kind });
        }
        let trimmed = layer.trim();
        if trimmed == "." || trimmed == ".." || trimmed.is_empty() {
            return Err(if trimmed.is_empty() { IdError::Empty { kind } } else { IdError::DotSegment { kind } });
        }
        if !layer.contains('%') {
            break; // nothing left to decode
        }
        let decoded: Cow<'_, str> = percent_decode_str(&layer).decode_utf8_lossy();
        if decoded == layer {
            break;
        }
        layer = Cow::Owned(decoded.into_owned());
    }
    Ok(())
}

/// Percent-encodes a value as one path segment (everything but unreserved characters).
pub(crate) fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates `id` and wraps it. See the [module docs](crate::ids) for the grammar.
            pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
                let id = id.into();
                validate($kind, &id)?;
                Ok(Self(id))
            }

            /// An empty id that is never handed out: a decoder's placeholder until the
            /// real value is read.
            pub(crate) fn placeholder() -> Self {
                Self(String::new())
            }

            /// The id as sent by Auth0 (not encoded).
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id percent-encoded as exactly one path segment.
            pub fn path_segment(&self) -> String {
                encode_segment(&self.0)
            }

            /// Unwraps the id into its string.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        /// A non-empty string of at most [`MAX_ID_LEN`] bytes without control characters,
        /// never `.` or `..`.
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "description": concat!("A ", $kind, "."),
                    "minLength": 1,
                    "maxLength": MAX_ID_LEN,
                    "not": {"enum": [".", ".."]}
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<$name> for $name {
            fn as_ref(&self) -> &$name {
                self
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

define_id!(
    /// A user id such as `auth0|63d17c4c5d69f3e86d515d1c` (`{provider}|{id}`; the part after
    /// the provider may itself contain `|`, `/`, `@` or `:`).
    UserId,
    "user id"
);
define_id!(
    /// A role id such as `rol_xPSJ3BfhKflWGKpU`.
    RoleId,
    "role id"
);
define_id!(
    /// An application (client) id such as `yCaTa3Jtg6Rni9tHKgSWQPGM2Fdhmo6W`.
    ClientId,
    "client id"
);
define_id!(
    /// A connection id such as `con_cy0JidyLdNLUSodi`.
    ConnectionId,
    "connection id"
);
define_id!(
    /// An organization id such as `org_3hbVAMF8F3wVIcEJ`.
    OrganizationId,
    "organization id"
);
define_id!(
    /// A log event id: 56 decimal digits, also the checkpoint cursor for log streams.
    LogId,
    "log id"
);
define_id!(
    /// A user-consent grant id (24 hex digits).
    GrantId,
    "grant id"
);
define_id!(
    /// A resource server (API) id (24 hex digits) or its identifier (audience URL); the
    /// Management API accepts either where a resource server id is expected.
    ResourceServerId,
    "resource server id"
);
define_id!(
    /// A refresh token id.
    RefreshTokenId,
    "refresh token id"
);
define_id!(
    /// A session id.
    SessionId,
    "session id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        let id = UserId::new("auth0|abc/def?x#y z%").unwrap();
        assert_eq!(id.path_segment(), "auth0%7Cabc%2Fdef%3Fx%23y%20z%25");
        assert_eq!(UserId::new("a-b.c_d~e").unwrap().path_segment(), "a-b.c_d~e");
    }

    #[test]
    fn rejects_dangerous_ids() {
        for bad in
            ["", ".", "..", " .. ", "%2e%2e", "%2E%2e", "%252e%252e", "%2e", "a\nb", "auth0|1\n", "\u{1b}[31m", "\u{0}"]
        {
            assert!(UserId::new(bad).is_err(), "{bad:?} must be rejected");
        }
        assert!(UserId::new("x".repeat(MAX_ID_LEN + 1)).is_err());
    }

    #[test]
    fn accepts_real_ids() {
        for ok in
            ["auth0|63d17c4c5d69f3e86d515d1c", "x/../../clients", "a?b#c", "..a", "a..", "https://api.example.com/"]
        {
            assert!(UserId::new(ok).is_ok(), "{ok:?} must be accepted");
        }
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<RoleId>("\"..\"").is_err());
        let r: RoleId = serde_json::from_str("\"rol_1\"").unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"rol_1\"");
    }
}
