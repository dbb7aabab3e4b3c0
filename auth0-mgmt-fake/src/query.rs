//! A tiny subset of the Lucene-like query syntax Auth0 accepts in `q`.

use std::cmp::Ordering;

use serde_json::Value;

use crate::util::{glob, lookup, scalar_text};

/// One search term.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Term {
    /// `field:"value"` / `field:value` (value may contain `*`).
    Field(String, String),
    /// Free text (matched against `free_fields`).
    Free(String),
}

/// A query: OR of AND-groups.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Q {
    groups: Vec<Vec<Term>>,
}

fn unsupported(q: &str) -> String {
    format!("Query validation error: unsupported query syntax in '{q}'")
}

impl Q {
    /// Parse `q`; returns an error message for syntax the fake does not support.
    pub(crate) fn parse(q: &str) -> Result<Q, String> {
        let chars: Vec<char> = q.chars().collect();
        let mut i = 0;
        let mut groups: Vec<Vec<Term>> = vec![vec![]];
        while i < chars.len() {
            if chars[i].is_whitespace() {
                i += 1;
                continue;
            }
            if matches!(chars[i], '(' | ')' | '[' | ']' | '{' | '}') {
                return Err(unsupported(q));
            }
            // read a field name (or bare word)
            let mut word = String::new();
            let mut field: Option<String> = None;
            while i < chars.len() && !chars[i].is_whitespace() {
                let c = chars[i];
                if c == '"' {
                    break;
                }
                if c == ':' && field.is_none() {
                    field = Some(std::mem::take(&mut word));
                    i += 1;
                    continue;
                }
                if matches!(c, '(' | ')' | '[' | ']' | '{' | '}') {
                    return Err(unsupported(q));
                }
                word.push(c);
                i += 1;
            }
            if i < chars.len() && chars[i] == '"' {
                if !word.is_empty() {
                    return Err(unsupported(q));
                }
                i += 1;
                let mut closed = false;
                while i < chars.len() {
                    let c = chars[i];
                    i += 1;
                    if c == '\\' && i < chars.len() {
                        word.push(chars[i]);
                        i += 1;
                        continue;
                    }
                    if c == '"' {
                        closed = true;
                        break;
                    }
                    word.push(c);
                }
                if !closed {
                    return Err(unsupported(q));
                }
            } else if field.is_none() && (word == "AND" || word == "&&") {
                continue;
            } else if field.is_none() && (word == "OR" || word == "||") {
                groups.push(vec![]);
                continue;
            } else if field.is_none() && word == "NOT" {
                return Err(unsupported(q));
            }
            let term = match field {
                Some(f) if !f.is_empty() => Term::Field(f, word),
                Some(_) => return Err(unsupported(q)),
                None => Term::Free(word),
            };
            if let Some(g) = groups.last_mut() {
                g.push(term);
            }
        }
        groups.retain(|g| !g.is_empty());
        Ok(Q { groups })
    }

    /// Whether `v` matches; `free_fields` are consulted for free-text terms.
    pub(crate) fn matches(&self, v: &Value, free_fields: &[&str]) -> bool {
        if self.groups.is_empty() {
            return true;
        }
        self.groups.iter().any(|g| g.iter().all(|t| term_matches(t, v, free_fields)))
    }
}

fn term_matches(t: &Term, v: &Value, free_fields: &[&str]) -> bool {
    match t {
        Term::Field(f, pat) => {
            let mut leaves = Vec::new();
            lookup(v, f, &mut leaves);
            if pat == "*" {
                return leaves.iter().any(|l| !l.is_null());
            }
            leaves.iter().filter_map(|l| scalar_text(l)).any(|text| glob(pat, &text))
        }
        Term::Free(word) => {
            let w = word.to_lowercase();
            free_fields.iter().any(|f| {
                v.get(*f).and_then(scalar_text).is_some_and(|text| {
                    if w.contains('*') { glob(&w, &text) } else { text.to_lowercase().contains(&w) }
                })
            })
        }
    }
}

/// Compare two objects by the first value at a dotted path.
pub(crate) fn cmp_by(a: &Value, b: &Value, path: &str) -> Ordering {
    let first = |v: &Value| {
        let mut out = Vec::new();
        lookup(v, path, &mut out);
        out.first().map(|x| (*x).clone())
    };
    let (x, y) = (first(a), first(b));
    match (x, y) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(Ordering::Equal)
        }
        (Some(x), Some(y)) => scalar_text(&x).cmp(&scalar_text(&y)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_matches() {
        let u = json!({"email":"Ann@Example.org","name":"Ann Lee","identities":[{"connection":"db"}]});
        let f = ["email", "name"];
        assert!(Q::parse("email:\"ann@example.org\"").unwrap().matches(&u, &f));
        assert!(Q::parse("email:\"*@example.org\"").unwrap().matches(&u, &f));
        assert!(!Q::parse("email:\"*@example.com\"").unwrap().matches(&u, &f));
        assert!(Q::parse("identities.connection:\"db\"").unwrap().matches(&u, &f));
        assert!(Q::parse("lee").unwrap().matches(&u, &f));
        assert!(Q::parse("name:bob OR email:ann*").unwrap().matches(&u, &f));
        assert!(!Q::parse("name:bob AND email:ann*").unwrap().matches(&u, &f));
        assert!(Q::parse("logins_count:[1 TO 2]").is_err());
        assert!(Q::parse("email:\"unterminated").is_err());
    }
}
