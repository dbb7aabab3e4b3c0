//! HTTP plumbing: request intake, recording, rate limiting, faults, auth and dispatch.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use crate::config::{Faults, RateLimit};
use crate::routes::{self, Body, Ctx, Reply};
use crate::store::{Store, TokenInfo};
use crate::types::{AtomicCounters, RecordedRequest, bump};
use crate::util::{self, Query, error_body, now_epoch_f64, now_ms};

/// Lock a mutex, ignoring poisoning (the fake never leaves state half-updated on panic paths).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Error returned to hyper to drop the connection without a response.
#[derive(Debug)]
pub(crate) struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fault injection: connection dropped")
    }
}

impl std::error::Error for Dropped {}

/// Token bucket state.
#[derive(Debug)]
pub(crate) struct Bucket {
    cfg: RateLimit,
    tokens: f64,
    last: Instant,
}

struct RateHeaders {
    limit: u32,
    remaining: u64,
    reset: u64,
    retry_after: u64,
}

impl Bucket {
    pub(crate) fn new(cfg: RateLimit) -> Self {
        Bucket { cfg, tokens: f64::from(cfg.burst), last: Instant::now() }
    }

    fn take(&mut self) -> (bool, RateHeaders) {
        let now = Instant::now();
        let rate = self.cfg.refill_per_second;
        let burst = f64::from(self.cfg.burst);
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        if rate > 0.0 {
            self.tokens = (self.tokens + elapsed * rate).min(burst);
        }
        self.last = now;
        let ok = self.tokens >= 1.0;
        if ok {
            self.tokens -= 1.0;
        }
        let wait_next = if self.tokens >= burst {
            0.0
        } else if rate > 0.0 {
            (self.tokens.floor() + 1.0 - self.tokens) / rate
        } else {
            3600.0
        };
        let wait_one = if self.tokens >= 1.0 {
            0.0
        } else if rate > 0.0 {
            (1.0 - self.tokens) / rate
        } else {
            3600.0
        };
        (
            ok,
            RateHeaders {
                limit: self.cfg.burst,
                remaining: self.tokens.max(0.0).floor() as u64,
                reset: (now_epoch_f64() + wait_next).ceil() as u64,
                retry_after: wait_one.ceil().max(1.0) as u64,
            },
        )
    }
}

/// Mint quota state (`Auth0-Client-Quota-Limit`).
#[derive(Debug)]
pub(crate) struct Quota {
    pub(crate) per_hour: u32,
    used: u32,
    window_start: Instant,
}

impl Quota {
    pub(crate) fn new(per_hour: u32) -> Self {
        Quota { per_hour, used: 0, window_start: Instant::now() }
    }
}

/// Settings changeable at runtime.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) scopes: Vec<String>,
    pub(crate) token_lifetime: Duration,
    pub(crate) faults: Faults,
    pub(crate) retry_after: bool,
    pub(crate) token_latency: Option<Duration>,
    pub(crate) offset_cap: Option<usize>,
    pub(crate) record_limit: usize,
}

/// State shared by all connections.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Mutex<Store>,
    pub(crate) settings: Mutex<Settings>,
    pub(crate) fault_rng: Mutex<fastrand::Rng>,
    pub(crate) mgmt_bucket: Mutex<Option<Bucket>>,
    pub(crate) token_bucket: Mutex<Option<Bucket>>,
    pub(crate) quota: Mutex<Option<Quota>>,
    pub(crate) records: Mutex<VecDeque<RecordedRequest>>,
    pub(crate) counters: AtomicCounters,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) base_url: String,
    pub(crate) domain: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Token,
    Mgmt,
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fault {
    None,
    E503,
    E502,
    DropBefore,
    DropAfter,
    Malformed,
}

type Resp = Response<Full<Bytes>>;

const JSON_CT: &str = "application/json; charset=utf-8";

fn build(status: u16, ct: &str, body: Bytes, headers: &[(String, String)]) -> Resp {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(ct) {
        h.insert(CONTENT_TYPE, v);
    }
    for (k, v) in headers {
        if let (Ok(name), Ok(val)) = (hyper::header::HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v)) {
            h.append(name, val);
        }
    }
    r
}

fn reply_to_response(reply: Reply, extra: &[(String, String)], malformed: bool) -> Resp {
    let mut headers = reply.headers;
    headers.extend_from_slice(extra);
    let body = match reply.body {
        None => Bytes::new(),
        Some(b) => {
            let mut bytes = match b {
                Body::Json(v) => serde_json::to_vec(&v).unwrap_or_default(),
                Body::Raw(bytes) => bytes,
            };
            if malformed {
                let keep = (bytes.len() / 2).max(1).min(bytes.len().saturating_sub(1));
                bytes.truncate(keep);
            }
            Bytes::from(bytes)
        }
    };
    build(reply.status, JSON_CT, body, &headers)
}

fn rate_headers(h: &RateHeaders) -> Vec<(String, String)> {
    vec![
        ("x-ratelimit-limit".into(), h.limit.to_string()),
        ("x-ratelimit-remaining".into(), h.remaining.to_string()),
        ("x-ratelimit-reset".into(), h.reset.to_string()),
    ]
}

fn parse_body_for_record(body: &[u8], form: bool, redact: bool) -> Option<Value> {
    if body.is_empty() {
        return None;
    }
    let mut v = if form {
        Value::Object(
            url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect(),
        )
    } else {
        serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
    };
    if redact {
        if let Value::Object(m) = &mut v {
            for k in ["client_secret", "client_assertion"] {
                if m.contains_key(k) {
                    m.insert(k.into(), json!("[REDACTED]"));
                }
            }
        } else if let Value::String(s) = &v
            && s.contains("client_secret")
        {
            v = json!("[REDACTED]");
        }
    }
    Some(v)
}

/// The per-request entry point.
pub(crate) async fn handle(sh: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, Dropped> {
    bump(&sh.counters.requests);
    let (parts, body) = req.into_parts();
    let bytes = match Limited::new(body, 2 * 1024 * 1024).collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => {
            let b = error_body(413, "Payload too large", Some("payload_too_large"));
            return Ok(reply_to_response(Reply::json(413, b), &[], false));
        }
    };
    let method = parts.method.as_str().to_string();
    let raw_path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().map(str::to_string);
    let auth_header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string);
    let bearer = auth_header.as_deref().and_then(|h| {
        let (scheme, rest) = h.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim().to_string())
    });
    let basic = auth_header.as_deref().and_then(|h| {
        let (scheme, rest) = h.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let dec = STANDARD.decode(rest.trim()).ok()?;
        let s = String::from_utf8(dec).ok()?;
        let (id, secret) = s.split_once(':')?;
        Some((id.to_string(), secret.to_string()))
    });
    let form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    let kind = if raw_path == "/oauth/token" {
        Kind::Token
    } else if raw_path.starts_with("/api/v2/") {
        Kind::Mgmt
    } else {
        Kind::Other
    };
    let query = Query::parse(raw_query.as_deref());

    let settings = {
        let s = lock(&sh.settings);
        (s.faults.clone(), s.retry_after, s.token_latency, s.offset_cap, s.record_limit)
    };
    let (faults, retry_after, token_latency, offset_cap, record_limit) = settings;

    // record
    if record_limit > 0 {
        let rec = RecordedRequest {
            method: method.clone(),
            path: raw_path.clone(),
            query: raw_query.clone(),
            query_pairs: query.pairs.clone(),
            body: parse_body_for_record(&bytes, form, kind == Kind::Token),
            had_bearer: bearer.is_some(),
            at: SystemTime::now(),
        };
        let mut recs = lock(&sh.records);
        recs.push_back(rec);
        while recs.len() > record_limit {
            recs.pop_front();
        }
    }

    if kind == Kind::Other {
        let b = error_body(404, "Not Found", None);
        return Ok(reply_to_response(Reply::json(404, b), &[], false));
    }
    if kind == Kind::Token {
        bump(&sh.counters.token_requests);
    }

    // rate limit
    let bucket = if kind == Kind::Token { &sh.token_bucket } else { &sh.mgmt_bucket };
    let mut extra_headers = Vec::new();
    if let Some(b) = lock(bucket).as_mut() {
        let (ok, h) = b.take();
        extra_headers = rate_headers(&h);
        if !ok {
            bump(&sh.counters.rate_limited);
            if retry_after {
                extra_headers.push(("retry-after".into(), h.retry_after.to_string()));
            }
            let body = if kind == Kind::Token {
                json!({"error": "too_many_requests", "error_description": "Global limit has been reached"})
            } else {
                error_body(429, "Global limit has been reached", Some("too_many_requests"))
            };
            return Ok(reply_to_response(Reply::json(429, body), &extra_headers, false));
        }
    }

    // faults
    let is_write = !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS");
    let mut fault = Fault::None;
    if faults.is_active() && (kind == Kind::Mgmt || faults.include_token_endpoint) {
        let latency;
        {
            let mut rng = lock(&sh.fault_rng);
            let r = rng.f64();
            let mut edge = faults.error_rate;
            fault = if r < edge {
                Fault::E503
            } else if r < {
                edge += faults.bad_gateway_rate;
                edge
            } {
                Fault::E502
            } else if r < {
                edge += faults.drop_rate;
                edge
            } {
                if is_write && rng.bool() { Fault::DropAfter } else { Fault::DropBefore }
            } else if r < edge + faults.malformed_rate {
                Fault::Malformed
            } else {
                Fault::None
            };
            latency = faults.latency.as_ref().map(|range| {
                if range.end > range.start {
                    range.start + (range.end - range.start).mul_f64(rng.f64())
                } else {
                    range.start
                }
            });
        }
        if let Some(d) = latency {
            bump(&sh.counters.faults_latency);
            tokio::time::sleep(d).await;
        }
        match fault {
            Fault::E503 => {
                bump(&sh.counters.faults_injected);
                bump(&sh.counters.faults_503);
                let b = error_body(
                    503,
                    "The service is temporarily unavailable, please try again later.",
                    Some("service_unavailable"),
                );
                return Ok(reply_to_response(Reply::json(503, b), &extra_headers, false));
            }
            Fault::E502 => {
                bump(&sh.counters.faults_injected);
                bump(&sh.counters.faults_502);
                let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
                return Ok(build(502, "text/html", Bytes::from_static(html.as_bytes()), &extra_headers));
            }
            Fault::DropBefore => {
                bump(&sh.counters.faults_injected);
                bump(&sh.counters.faults_dropped);
                return Err(Dropped);
            }
            _ => {}
        }
    }

    let reply = if kind == Kind::Token {
        if let Some(d) = token_latency {
            tokio::time::sleep(d).await;
        }
        token_endpoint(&sh, &bytes, form, basic, &mut extra_headers)
    } else {
        let tail = &raw_path["/api/v2/".len()..];
        let seg: Vec<String> =
            tail.split('/').map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()).collect();
        let seg_ref: Vec<&str> = seg.iter().map(String::as_str).collect();
        match routes::resolve(&method, &seg_ref) {
            None => Reply::json(404, error_body(404, "Not Found", None)),
            Some((required, handler)) => {
                let mut st = lock(&sh.store);
                match authenticate(&st, bearer.as_deref()) {
                    Err(r) => r,
                    Ok(tok) if !required.iter().any(|s| tok.scopes.iter().any(|t| t == s)) => Reply::json(
                        403,
                        error_body(
                            403,
                            &format!("Insufficient scope, expected any of: {}", required.join(",")),
                            Some("insufficient_scope"),
                        ),
                    ),
                    Ok(tok) => {
                        let ctx = Ctx {
                            seg: &seg,
                            q: &query,
                            body: &bytes,
                            form,
                            scopes: &tok.scopes,
                            offset_cap,
                            base_url: &sh.base_url,
                        };
                        let r = match handler(&mut st, &ctx) {
                            Ok(r) | Err(r) => r,
                        };
                        if let Some(desc) = &r.write
                            && (200..300).contains(&r.status)
                        {
                            bump(&sh.counters.writes_applied);
                            let ev = sapi_event(&sh, &tok, desc, &method, &raw_path, r.status, &parts.headers);
                            st.push_log(ev, now_ms());
                        }
                        r
                    }
                }
            }
        }
    };

    match fault {
        Fault::DropAfter => {
            bump(&sh.counters.faults_injected);
            bump(&sh.counters.faults_dropped);
            if reply.write.is_some() && (200..300).contains(&reply.status) {
                bump(&sh.counters.drops_after_write);
            }
            Err(Dropped)
        }
        Fault::Malformed if (200..300).contains(&reply.status) && reply.body.is_some() => {
            bump(&sh.counters.faults_injected);
            bump(&sh.counters.faults_malformed);
            Ok(reply_to_response(reply, &extra_headers, true))
        }
        _ => Ok(reply_to_response(reply, &extra_headers, false)),
    }
}

fn sapi_event(
    sh: &Shared,
    tok: &TokenInfo,
    desc: &str,
    method: &str,
    path: &str,
    status: u16,
    headers: &hyper::HeaderMap,
) -> Value {
    let ua = headers.get(hyper::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    json!({
        "type": "sapi",
        "description": desc,
        "client_id": tok.client_id,
        "client_name": "Fake M2M Client",
        "ip": "127.0.0.1",
        "hostname": sh.domain,
        "user_agent": ua,
        "user_id": "",
        "user_name": null,
        "connection": null,
        "connection_id": "",
        "strategy": "",
        "strategy_type": "",
        "audience": format!("https://{}/api/v2/", sh.domain),
        "isMobile": false,
        "details": {
            "request": {"method": method.to_ascii_lowercase(), "path": path, "channel": "api"},
            "response": {"statusCode": status}
        },
        "location_info": null,
        "organization_id": null,
        "organization_name": null,
    })
}

fn unauthorized(msg: &str) -> Reply {
    let mut b = error_body(401, msg, None);
    b["attributes"] = json!({"error": msg});
    Reply::json(401, b)
}

fn authenticate(st: &Store, bearer: Option<&str>) -> Result<TokenInfo, Reply> {
    let Some(t) = bearer.filter(|t| !t.is_empty()) else {
        return Err(unauthorized("Invalid token"));
    };
    let Some(info) = st.tokens.get(t) else {
        return Err(unauthorized("Invalid token"));
    };
    if Instant::now() >= info.expires {
        return Err(unauthorized("Expired token received for JSON Web Token validation"));
    }
    Ok(info.clone())
}

fn oauth_err(status: u16, error: &str, desc: &str) -> Reply {
    Reply::json(status, json!({"error": error, "error_description": desc}))
}

fn token_endpoint(
    sh: &Shared,
    body: &[u8],
    form: bool,
    basic: Option<(String, String)>,
    headers: &mut Vec<(String, String)>,
) -> Reply {
    let params: Map<String, Value> = if form {
        url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect()
    } else if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => m,
            _ => return oauth_err(400, "invalid_request", "Invalid request body"),
        }
    };
    let get = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_string);
    let Some(grant) = get("grant_type") else {
        return oauth_err(400, "invalid_request", "Missing required parameter: grant_type");
    };
    if grant != "client_credentials" {
        return oauth_err(403, "unauthorized_client", &format!("Grant type '{grant}' not allowed for the client."));
    }
    let (id, secret) = match (get("client_id"), get("client_secret"), basic) {
        (Some(id), Some(secret), _) => (id, secret),
        (_, _, Some((id, secret))) => (id, secret),
        (id, secret, None) => (id.unwrap_or_default(), secret.unwrap_or_default()),
    };
    if id != sh.client_id || secret != sh.client_secret {
        return oauth_err(401, "access_denied", "Unauthorized");
    }
    let Some(audience) = get("audience").filter(|a| !a.is_empty()) else {
        return oauth_err(
            403,
            "access_denied",
            "No audience parameter was provided, and no default audience has been configured",
        );
    };
    if !audience.ends_with("/api/v2/") {
        return oauth_err(
            403,
            "access_denied",
            &format!(
                "Client is not authorized to access \"{audience}\". You need to create a \"client-grant\" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants"
            ),
        );
    }
    // quota
    {
        let mut q = lock(&sh.quota);
        if let Some(q) = q.as_mut() {
            let now = Instant::now();
            if now.saturating_duration_since(q.window_start) >= Duration::from_secs(3600) {
                q.window_start = now;
                q.used = 0;
            }
            let left =
                Duration::from_secs(3600).saturating_sub(now.saturating_duration_since(q.window_start)).as_secs();
            if q.used >= q.per_hour {
                headers.push(("auth0-client-quota-limit".into(), format!("b=per_hour;q={};r=0;t={left}", q.per_hour)));
                headers.push(("retry-after".into(), left.max(1).to_string()));
                bump(&sh.counters.rate_limited);
                return oauth_err(429, "too_many_requests", "Client quota exceeded");
            }
            q.used += 1;
            headers.push((
                "auth0-client-quota-limit".into(),
                format!("b=per_hour;q={};r={};t={left}", q.per_hour, q.per_hour - q.used),
            ));
        }
    }
    let (configured, lifetime) = {
        let s = lock(&sh.settings);
        (s.scopes.clone(), s.token_lifetime)
    };
    let scopes: Vec<String> = match get("scope").filter(|s| !s.trim().is_empty()) {
        Some(req) => {
            let wanted: Vec<&str> = req.split_whitespace().collect();
            configured.into_iter().filter(|s| wanted.contains(&s.as_str())).collect()
        }
        None => configured,
    };
    let scope_str = scopes.join(" ");
    let mut st = lock(&sh.store);
    let now = (now_ms() / 1000) as u64;
    let jti = util::alnum(&mut st.rng, 22);
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT","kid":"fake-tenant-key"}"#);
    let payload = json!({
        "iss": format!("https://{}/", sh.domain),
        "sub": format!("{}@clients", sh.client_id),
        "aud": audience,
        "iat": now,
        "exp": now.saturating_add(lifetime.as_secs()),
        "scope": scope_str,
        "gty": "client-credentials",
        "azp": sh.client_id,
        "jti": jti,
    });
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap_or_default());
    let sig = util::alnum(&mut st.rng, 43);
    let token = format!("{header}.{payload}.{sig}");
    // forget long-expired tokens now and then to bound memory in soak tests
    if st.tokens.len() > 10_000 {
        let now_i = Instant::now();
        st.tokens.retain(|_, t| t.expires > now_i);
    }
    st.tokens.insert(
        token.clone(),
        TokenInfo {
            scopes,
            expires: Instant::now()
                .checked_add(lifetime)
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(100 * 365 * 86_400)),
            client_id: sh.client_id.clone(),
        },
    );
    drop(st);
    sh.counters.token_mints.fetch_add(1, Ordering::Relaxed);
    headers.push(("cache-control".into(), "no-store".into()));
    headers.push(("pragma".into(), "no-cache".into()));
    Reply::ok(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
        "scope": scope_str,
    }))
}
