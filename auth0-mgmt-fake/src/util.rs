//! Small helpers: time formatting, id generation, query parsing, error bodies.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

/// Milliseconds since the UNIX epoch (wall clock).
pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Seconds since the UNIX epoch as a float (wall clock).
pub(crate) fn now_epoch_f64() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u64;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i64 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

struct Parts {
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    ms: u32,
}

fn parts(ms: i64) -> Parts {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (y, mo, d) = civil_from_days(days);
    Parts { y, mo, d, h: sod / 3600, mi: (sod / 60) % 60, s: sod % 60, ms: milli }
}

/// `2023-01-25T19:00:28.395Z`
pub(crate) fn iso(ms: i64) -> String {
    let p = parts(ms);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", p.y, p.mo, p.d, p.h, p.mi, p.s, p.ms)
}

/// `YYYYMMDDHHMMSS` used inside log ids.
pub(crate) fn compact(ms: i64) -> String {
    let p = parts(ms);
    format!("{:04}{:02}{:02}{:02}{:02}{:02}", p.y, p.mo, p.d, p.h, p.mi, p.s)
}

pub(crate) fn now_iso() -> String {
    iso(now_ms())
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

pub(crate) fn rand_from(rng: &mut fastrand::Rng, set: &[u8], n: usize) -> String {
    (0..n).map(|_| set[rng.usize(..set.len())] as char).collect()
}

pub(crate) fn alnum(rng: &mut fastrand::Rng, n: usize) -> String {
    rand_from(rng, ALNUM, n)
}

pub(crate) fn hex(rng: &mut fastrand::Rng, n: usize) -> String {
    rand_from(rng, HEX, n)
}

pub(crate) fn digits(rng: &mut fastrand::Rng, n: usize) -> String {
    rand_from(rng, b"0123456789", n)
}

/// HTTP reason phrase for the statuses the fake produces.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// An Auth0 Management API error body.
pub(crate) fn error_body(status: u16, message: &str, code: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("statusCode".into(), json!(status));
    m.insert("error".into(), json!(reason(status)));
    m.insert("message".into(), json!(message));
    if let Some(c) = code {
        m.insert("errorCode".into(), json!(c));
    }
    Value::Object(m)
}

/// Parsed query string: decoded pairs in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pub(crate) pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|r| url::form_urlencoded::parse(r.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
            .unwrap_or_default();
        Query { pairs }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }

    /// All values of a repeatable parameter; comma lists are split too.
    pub(crate) fn get_all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key || k == &format!("{key}[]"))
            .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Read a top-level string field.
pub(crate) fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Look up a dotted path; arrays fan out (returns all leaf values).
pub(crate) fn lookup<'a>(v: &'a Value, path: &str, out: &mut Vec<&'a Value>) {
    match path.split_once('.') {
        None => match v {
            Value::Array(items) => {
                for i in items {
                    lookup(i, path, out);
                }
            }
            _ => {
                if let Some(x) = v.get(path) {
                    if let Value::Array(items) = x {
                        out.extend(items.iter());
                    } else {
                        out.push(x);
                    }
                }
            }
        },
        Some((head, rest)) => match v {
            Value::Array(items) => {
                for i in items {
                    lookup(i, path, out);
                }
            }
            _ => {
                if let Some(x) = v.get(head) {
                    lookup(x, rest, out);
                }
            }
        },
    }
}

/// Case-insensitive glob match supporting `*` wildcards.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.to_lowercase();
    let t = text.to_lowercase();
    if !p.contains('*') {
        return p == t;
    }
    let parts: Vec<&str> = p.split('*').collect();
    let mut pos = 0usize;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        if i == 0 {
            if !t.starts_with(part) {
                return false;
            }
            pos = part.len();
        } else if i == parts.len() - 1 {
            return t.len() >= pos + part.len() && t[pos..].ends_with(part);
        } else {
            match t[pos..].find(part) {
                Some(ix) => pos += ix + part.len(),
                None => return false,
            }
        }
    }
    true
}

/// Render a JSON scalar as text for comparisons.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Apply `fields` / `include_fields` projection to a top-level object.
pub(crate) fn project(v: &Value, fields: &[String], include: bool) -> Value {
    if fields.is_empty() {
        return v.clone();
    }
    match v {
        Value::Object(m) => {
            let out: Map<String, Value> = m
                .iter()
                .filter(|(k, _)| fields.iter().any(|f| f == *k) == include)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Parse a boolean query value the way Auth0 does (`true`/`false`).
pub(crate) fn parse_bool(v: Option<&str>) -> Option<bool> {
    match v {
        Some("true") | Some("1") => Some(true),
        Some("false") | Some("0") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_formats() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(1_674_673_228_395), "2023-01-25T19:00:28.395Z");
        assert_eq!(compact(1_674_673_228_395), "20230125190028");
    }

    #[test]
    fn glob_works() {
        assert!(glob("*@example.org", "A@Example.org"));
        assert!(!glob("*@example.org", "a@example.com"));
        assert!(glob("jo*", "john"));
        assert!(glob("a*c*e", "abcde"));
        assert!(glob("x", "X"));
    }
}
