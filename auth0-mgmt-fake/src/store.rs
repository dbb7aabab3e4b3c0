//! In-memory tenant state.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::util::{self, compact, iso};

/// An insertion-ordered collection of JSON objects keyed by id.
#[derive(Debug, Default)]
pub(crate) struct Coll {
    items: BTreeMap<u64, Value>,
    index: HashMap<String, u64>,
    next: u64,
}

impl Coll {
    pub(crate) fn insert(&mut self, id: String, v: Value) {
        if let Some(seq) = self.index.get(&id) {
            self.items.insert(*seq, v);
            return;
        }
        self.next += 1;
        self.index.insert(id, self.next);
        self.items.insert(self.next, v);
    }
    pub(crate) fn get(&self, id: &str) -> Option<&Value> {
        self.index.get(id).and_then(|s| self.items.get(s))
    }
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        match self.index.get(id) {
            Some(s) => self.items.get_mut(s),
            None => None,
        }
    }
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }
    pub(crate) fn remove(&mut self, id: &str) -> Option<Value> {
        let seq = self.index.remove(id)?;
        self.items.remove(&seq)
    }
    pub(crate) fn values(&self) -> impl Iterator<Item = &Value> {
        self.items.values()
    }
    /// Items strictly after sequence number `after`, with their sequence numbers.
    pub(crate) fn after(&self, after: u64) -> impl Iterator<Item = (u64, &Value)> {
        self.items.range(after.saturating_add(1)..).map(|(k, v)| (*k, v))
    }
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }
}

/// A stored log event: its id plus the serialized JSON (logs are immutable, and
/// keeping them as text keeps 50 000+ events cheap in memory and to serve).
#[derive(Debug)]
pub(crate) struct LogEntry {
    pub(crate) id: String,
    pub(crate) json: Box<str>,
}

impl LogEntry {
    pub(crate) fn value(&self) -> Value {
        serde_json::from_str(&self.json).unwrap_or(Value::Null)
    }
}

/// A minted access token.
#[derive(Debug, Clone)]
pub(crate) struct TokenInfo {
    pub(crate) scopes: Vec<String>,
    pub(crate) expires: tokio::time::Instant,
    pub(crate) client_id: String,
}

/// The whole tenant.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) domain: String,
    pub(crate) users: Coll,
    /// `connection\0lowercased email` → user id
    pub(crate) email_index: HashMap<String, String>,
    pub(crate) roles: Coll,
    pub(crate) clients: Coll,
    pub(crate) connections: Coll,
    pub(crate) orgs: Coll,
    pub(crate) grants: Coll,
    pub(crate) resource_servers: Coll,
    pub(crate) refresh_tokens: Coll,
    pub(crate) sessions: Coll,
    pub(crate) user_roles: HashMap<String, Vec<String>>,
    pub(crate) org_members: HashMap<String, Vec<String>>,
    /// Sorted ascending by `log_id`.
    pub(crate) logs: Vec<LogEntry>,
    pub(crate) max_logs: usize,
    log_last_us: i64,
    log_seq: u64,
    pub(crate) tokens: HashMap<String, TokenInfo>,
    pub(crate) rng: fastrand::Rng,
}

impl Store {
    pub(crate) fn new(domain: String, seed: u64, max_logs: usize) -> Self {
        Store {
            domain,
            users: Coll::default(),
            email_index: HashMap::new(),
            roles: Coll::default(),
            clients: Coll::default(),
            connections: Coll::default(),
            orgs: Coll::default(),
            grants: Coll::default(),
            resource_servers: Coll::default(),
            refresh_tokens: Coll::default(),
            sessions: Coll::default(),
            user_roles: HashMap::new(),
            org_members: HashMap::new(),
            logs: Vec::new(),
            max_logs: max_logs.max(1),
            log_last_us: 0,
            log_seq: 1_223_372_036_854_775_807 / 1000,
            tokens: HashMap::new(),
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    pub(crate) fn email_key(connection: &str, email: &str) -> String {
        format!("{connection}\u{0}{}", email.to_lowercase())
    }

    /// Next strictly increasing 56-digit log id for an event at `ms`.
    pub(crate) fn next_log_id(&mut self, ms: i64) -> String {
        let us = (ms * 1000 + self.rng.i64(0..1000)).max(self.log_last_us);
        self.log_last_us = us;
        self.log_seq += 1 + self.rng.u64(..50);
        let micros = us.rem_euclid(1_000_000);
        format!("900{}{:06}{:033}", compact(us / 1000), micros, self.log_seq)
    }

    /// Append a log event, assigning `log_id`, `_id` and (if absent) `date`.
    pub(crate) fn push_log(&mut self, mut event: Value, ms: i64) -> String {
        let id = self.next_log_id(ms);
        if let Value::Object(m) = &mut event {
            m.insert("log_id".into(), json!(id));
            m.insert("_id".into(), json!(id));
            if !m.get("date").is_some_and(Value::is_string) {
                m.insert("date".into(), json!(iso(ms)));
            }
        } else {
            event = json!({"log_id": id, "_id": id, "date": iso(ms)});
        }
        let json = serde_json::to_string(&event).unwrap_or_default().into_boxed_str();
        self.logs.push(LogEntry { id: id.clone(), json });
        if self.logs.len() > self.max_logs + self.max_logs / 10 {
            let excess = self.logs.len() - self.max_logs;
            self.logs.drain(..excess);
        }
        id
    }

    /// Index of a log by id (binary search).
    pub(crate) fn log_index(&self, id: &str) -> Option<usize> {
        self.logs.binary_search_by(|l| l.id.as_str().cmp(id)).ok()
    }

    /// Insert a user, maintaining the email index.
    pub(crate) fn put_user(&mut self, user: Value) {
        let id = util::s(&user, "user_id").unwrap_or_default().to_string();
        if let (Some(email), Some(conn)) = (util::s(&user, "email"), primary_connection(&user)) {
            self.email_index.insert(Store::email_key(conn, email), id.clone());
        }
        self.users.insert(id, user);
    }

    /// Remove a user and everything hanging off it.
    pub(crate) fn delete_user(&mut self, id: &str) -> bool {
        let Some(user) = self.users.remove(id) else {
            return false;
        };
        if let (Some(email), Some(conn)) = (util::s(&user, "email"), primary_connection(&user)) {
            self.email_index.remove(&Store::email_key(conn, email));
        }
        self.user_roles.remove(id);
        for members in self.org_members.values_mut() {
            members.retain(|m| m != id);
        }
        let rts: Vec<String> = self
            .refresh_tokens
            .values()
            .filter(|t| util::s(t, "user_id") == Some(id))
            .filter_map(|t| util::s(t, "id").map(str::to_string))
            .collect();
        for rt in rts {
            self.refresh_tokens.remove(&rt);
        }
        let ss: Vec<String> = self
            .sessions
            .values()
            .filter(|t| util::s(t, "user_id") == Some(id))
            .filter_map(|t| util::s(t, "id").map(str::to_string))
            .collect();
        for s in ss {
            self.sessions.remove(&s);
        }
        let gs: Vec<String> = self
            .grants
            .values()
            .filter(|t| util::s(t, "user_id") == Some(id))
            .filter_map(|t| util::s(t, "id").map(str::to_string))
            .collect();
        for g in gs {
            self.grants.remove(&g);
        }
        true
    }

    pub(crate) fn connection_by_name(&self, name: &str) -> Option<&Value> {
        self.connections.values().find(|c| util::s(c, "name") == Some(name))
    }
}

/// The connection name of a user's first identity.
pub(crate) fn primary_connection(user: &Value) -> Option<&str> {
    user.get("identities").and_then(Value::as_array).and_then(|a| a.first()).and_then(|i| util::s(i, "connection"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ids_are_56_digits_and_increasing() {
        let mut st = Store::new("x".into(), 1, 100);
        let a = st.next_log_id(1_700_000_000_000);
        let b = st.next_log_id(1_600_000_000_000);
        assert_eq!(a.len(), 56);
        assert_eq!(b.len(), 56);
        assert!(a.chars().all(|c| c.is_ascii_digit()));
        assert!(b > a);
    }
}
