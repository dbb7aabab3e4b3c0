//! Secrets out of everything an error keeps.
//!
//! A server (or a proxy in front of it) may echo the request in an error body: its
//! headers (`Authorization: Bearer …`) and its body (`"client_secret": "…"`). Before any
//! text from a response is stored in an error, [`Scrub`] replaces
//!
//! * the client secret and the bearer token of the call (as sent, JSON-escaped and
//!   form-encoded),
//! * anything JWT-shaped (`eyJ….….…`),
//! * the word after `Bearer `,
//!
//! with `[REDACTED]`. A body cut at the read limit may end in the first characters of a
//! secret; those are dropped too.

use std::borrow::Cow;

use serde_json::Value;

/// What replaces a secret.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Replaces known secrets in text with `[REDACTED]`: each secret as written, JSON-escaped,
/// form-encoded and percent-encoded.
///
/// The client scrubs every error it keeps with one of these ([`Scrub::new`]: the call's
/// bearer and client secret, plus anything JWT-shaped and the word after `Bearer `).
/// Layers above the client (an audit trail, a gateway's tool results) use
/// [`Scrub::secrets`], which replaces only the secrets given and leaves other data as it
/// is. Its `Debug` names how many forms it holds, never their text.
///
/// ```
/// use auth0_mgmt::Scrub;
///
/// let scrub = Scrub::secrets(["s3cr3t/value"]);
/// assert_eq!(scrub.text("echo: s3cr3t/value, s3cr3t%2Fvalue"), "echo: [REDACTED], [REDACTED]");
/// assert_eq!(scrub.text("nothing here"), "nothing here");
/// ```
#[derive(Clone)]
pub struct Scrub {
    needles: Vec<String>,
    /// Also JWT-shaped strings and the word after `Bearer ` (error text).
    patterns: bool,
}

impl std::fmt::Debug for Scrub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scrub({} forms of secrets)", self.needles.len())
    }
}

impl Scrub {
    /// A scrubber for the text of errors: these secrets (empty ones are ignored), and
    /// also anything JWT-shaped and the word after `Bearer `.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Scrub {
        Scrub { patterns: true, ..Scrub::secrets(secrets) }
    }

    /// A scrubber that replaces only these secrets (empty ones are ignored), in every
    /// encoding a server might echo them: for text that also carries data.
    pub fn secrets<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Scrub {
        let mut needles = Vec::new();
        for s in secrets {
            let s = s.as_ref();
            if s.is_empty() {
                continue;
            }
            let json = serde_json::to_string(s).unwrap_or_default();
            let json = json.trim_matches('"');
            let form: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
            let pct = percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
            for n in [s, json, &form, &pct] {
                if !n.is_empty() && !needles.iter().any(|x: &String| x == n) {
                    needles.push(n.to_owned());
                }
            }
        }
        // Longest first, so that a needle containing another is replaced whole.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Scrub { needles, patterns: false }
    }

    /// Whether there is nothing to replace (no secrets, no patterns).
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty() && !self.patterns
    }

    /// `text` with every secret replaced (borrowed when there was none).
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.text_cut(text, false)
    }

    /// `text` with every secret replaced. `cut`: the text was cut at a limit, so its end
    /// may hold the start of a secret, which is dropped as well.
    pub(crate) fn text_cut<'a>(&self, text: &'a str, cut: bool) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for n in &self.needles {
            if out.contains(n.as_str()) {
                out = Cow::Owned(out.replace(n.as_str(), REDACTED));
            }
        }
        if self.patterns {
            if let Some(s) = redact_bearer_words(&out) {
                out = Cow::Owned(s);
            }
            if let Some(s) = redact_jwts(&out) {
                out = Cow::Owned(s);
            }
        }
        if cut {
            let keep = self.partial_tail_start(&out);
            if keep < out.len() {
                let mut s = out.into_owned();
                s.truncate(keep);
                s.push_str(REDACTED);
                out = Cow::Owned(s);
            }
        }
        out
    }

    /// Scrubs every string (keys included) of a JSON value in place.
    pub fn json(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                if let Cow::Owned(clean) = self.text(s) {
                    *s = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.json(v)),
            Value::Object(map) => {
                let dirty = map.keys().any(|k| matches!(self.text(k), Cow::Owned(_)));
                if dirty {
                    let old = std::mem::take(map);
                    for (k, v) in old {
                        map.insert(self.text(&k).into_owned(), v);
                    }
                }
                map.values_mut().for_each(|v| self.json(v));
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Where a trailing partial secret (or partial JWT) starts; `text.len()` if none.
    fn partial_tail_start(&self, text: &str) -> usize {
        let mut start = text.len();
        for n in &self.needles {
            for (i, _) in n.char_indices().skip(1) {
                if text.ends_with(&n[..i]) {
                    start = start.min(text.len() - i);
                    break;
                }
            }
        }
        // `eyJ` followed by JWT characters up to the end: a JWT cut short.
        if self.patterns
            && let Some(pos) = text.rfind("eyJ")
            && text[pos..].bytes().all(|b| is_jwt_byte(b) || b == b'.')
        {
            start = start.min(pos);
        }
        start
    }
}

fn is_jwt_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Replaces `eyJ<b64url>.<b64url>.<b64url>?` runs (JWS compact form, JWE too: every
/// segment after the first two is taken).
fn redact_jwts(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(rel) = text[i..].find("eyJ") {
        let start = i + rel;
        // Not in the middle of a longer word.
        if start > 0 && is_jwt_byte(bytes[start - 1]) {
            i = start + 3;
            continue;
        }
        let mut end = start;
        let mut dots = 0;
        while end < bytes.len() && (is_jwt_byte(bytes[end]) || (bytes[end] == b'.' && end > start)) {
            if bytes[end] == b'.' {
                dots += 1;
            }
            end += 1;
        }
        if dots >= 2 {
            let o = out.get_or_insert_with(String::new);
            o.push_str(&text[copied..start]);
            o.push_str(REDACTED);
            copied = end;
        }
        i = end.max(start + 3);
    }
    out.map(|mut o| {
        o.push_str(&text[copied..]);
        o
    })
}

/// Replaces the credential after `Bearer ` (any case), whatever its shape.
fn redact_bearer_words(text: &str) -> Option<String> {
    const KEY: &str = "bearer ";
    let lower = text.to_ascii_lowercase();
    if !lower.contains(KEY) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    let mut changed = false;
    while let Some(rel) = lower[from..].find(KEY) {
        let cred = from + rel + KEY.len();
        let end = text[cred..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '\\' | '<' | '>'))
            .map_or(text.len(), |e| cred + e);
        if end > cred && &text[cred..end] != REDACTED {
            out.push_str(&text[copied..cred]);
            out.push_str(REDACTED);
            copied = end;
            changed = true;
        }
        from = end.max(cred);
    }
    changed.then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t+/value=";

    #[test]
    fn secrets_in_every_encoding_are_replaced() {
        let s = Scrub::new([SECRET, "tok-123"]);
        let form: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
        let text = format!("a {SECRET} b {form} c tok-123 d");
        let out = s.text_cut(&text, false);
        assert!(!out.contains(SECRET) && !out.contains(&form) && !out.contains("tok-123"), "{out}");
        assert_eq!(out.matches(REDACTED).count(), 3, "{out}");
    }

    #[test]
    fn jwts_and_bearer_words_are_replaced() {
        let s = Scrub::new([]);
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_x";
        let text = format!("{{\"echo\":\"{jwt}\"}} and eyJonly");
        let out = s.text_cut(&text, false);
        assert_eq!(out, "{\"echo\":\"[REDACTED]\"} and eyJonly");
        let out = s.text_cut("Authorization: Bearer opaque-token-42\r\nx", false);
        assert_eq!(out, "Authorization: Bearer [REDACTED]\r\nx");
        let out = s.text_cut("authorization: bearer eyJa.eyJb.c", false);
        assert!(!out.contains("eyJa"), "{out}");
        // Unsigned JWTs (empty signature) too.
        assert_eq!(s.text_cut("x eyJhbGciOiJub25lIn0.eyJzIjoxfQ. y", false), "x [REDACTED] y");
    }

    #[test]
    fn secrets_only_leaves_other_data_alone() {
        let s = Scrub::secrets(["k3y/with space"]);
        assert_eq!(s.text("a k3y/with space b"), format!("a {REDACTED} b"));
        assert_eq!(s.text("a k3y%2Fwith%20space b"), format!("a {REDACTED} b"));
        assert_eq!(s.text("a k3y%2Fwith+space b"), format!("a {REDACTED} b"));
        // JWT-shaped data and a "Bearer" word are data here, not secrets.
        for data in ["x eyJhbGciOiJub25lIn0.eyJzIjoxfQ.c2ln y", "Bearer of news"] {
            assert!(matches!(s.text(data), Cow::Borrowed(_)), "{data}");
        }
        assert_eq!(format!("{s:?}"), "Scrub(3 forms of secrets)");
        assert!(!format!("{s:?}").contains("k3y"));
        assert!(Scrub::secrets([""; 0]).is_empty() && !Scrub::new([]).is_empty());
    }

    #[test]
    fn a_secret_cut_at_the_limit_is_dropped() {
        let s = Scrub::new([SECRET]);
        assert_eq!(s.text_cut("ends with s3cr", true), format!("ends with {REDACTED}"));
        assert_eq!(s.text_cut("ends with s3cr", false), "ends with s3cr");
        assert_eq!(s.text_cut("cut jwt eyJhbGciOiJ", true), format!("cut jwt {REDACTED}"));
        assert_eq!(s.text_cut("plain end", true), "plain end");
    }

    #[test]
    fn json_strings_and_keys_are_scrubbed() {
        let s = Scrub::new([SECRET]);
        let mut v = serde_json::json!({"message": format!("got {SECRET}"), SECRET: [SECRET, 1], "n": 2});
        s.json(&mut v);
        let text = v.to_string();
        assert!(!text.contains(SECRET), "{text}");
        assert_eq!(v["n"], 2);
    }

    #[test]
    fn no_panic_on_odd_text() {
        let s = Scrub::new(["é", "x"]);
        for t in ["", "é", "eyJ", "eyJ.", "eyJ..", "Bearer", "Bearer ", "bearer  x", "\u{1F600}eyJa.b.c"] {
            let _ = s.text_cut(t, true);
            let _ = s.text_cut(t, false);
        }
    }
}
