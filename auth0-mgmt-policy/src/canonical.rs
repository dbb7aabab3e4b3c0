//! Canonical JSON: one byte string per JSON value, so that equal values hash equally.
//!
//! The form, used for approval request hashes and for the audit chain's record hashes:
//!
//! * object keys sorted by their UTF-8 bytes (which is Unicode code point order), each
//!   key once;
//! * no whitespace outside strings (no space after `:` or `,`, no newline);
//! * strings as `serde_json` writes them: UTF-8 as is, `"` and `\` escaped, control
//!   characters as `\n`, `\t`, … or `\u00XX`; `/` and non-ASCII are not escaped;
//! * numbers as `serde_json` prints them (`1`, `-3`, `1.5`, `1e+100`): an integer stays an
//!   integer, a float is printed in its shortest round-trip form;
//! * `true`, `false`, `null` as such; arrays in their order.
//!
//! ```
//! use auth0_mgmt_policy::canonical::{canonical_json, sha256_hex};
//! use serde_json::json;
//!
//! let v = json!({ "b": [1, 2.5, "x"], "a": { "z": null, "y": true } });
//! assert_eq!(canonical_json(&v), r#"{"a":{"y":true,"z":null},"b":[1,2.5,"x"]}"#);
//! assert_eq!(sha256_hex(b"").len(), 64);
//! ```

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The canonical form of `value` (see the [module docs](self)).
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    write_canonical(value, &mut out);
    out
}

/// Appends the canonical form of `value` to `out`.
pub fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorted here whatever the map's own order (serde_json's `preserve_order`
            // feature may be on somewhere in the build).
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    // serde_json's string escaping; serializing a &str cannot fail.
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

/// The SHA-256 of `bytes`, as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorted_keys_no_whitespace_serde_numbers() {
        let v: Value =
            serde_json::from_str(r#"{ "é": 1, "z": 2, "a": [ 1.0, -0, 1e3, 12345678901234567890 ] }"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":[1.0,-0.0,1000.0,12345678901234567890],"z":2,"é":1}"#);
        assert_eq!(canonical_json(&json!("a\"b\\c\n\u{1}/ü")), r#""a\"b\\c\n\u0001/ü""#);
        assert_eq!(canonical_json(&json!({})), "{}");
        // Key order of the input does not matter.
        let a: Value = serde_json::from_str(r#"{"x":1,"y":{"b":2,"a":1}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"y":{"a":1,"b":2},"x":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
    }

    #[test]
    fn sha256() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
