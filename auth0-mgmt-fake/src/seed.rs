//! Deterministic, realistic seed data.

use serde_json::{Map, Value, json};

use crate::config::{SCOPE_CATALOG, Seed};
use crate::routes::{default_conn_options, new_client};
use crate::store::Store;
use crate::util::{self, iso, now_ms};

const FIRST: &[&str] = &[
    "Chuck",
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Frances",
    "Edsger",
    "Radia",
    "Donald",
    "Hedy",
    "John",
    "Katherine",
];
const LAST: &[&str] = &[
    "Sanchez", "Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen",
    "Dijkstra", "Perlman", "Knuth", "Lamarr", "Backus", "Johnson",
];
const DOMAINS: &[&str] = &["example.com", "example.org", "acme.test", "contoso.test"];
const LOG_TYPES: &[(&str, &str)] = &[
    ("s", "Success Login"),
    ("f", "Wrong email or password."),
    ("ss", "Success Signup"),
    ("sapi", "Update a User"),
    ("seccft", "Client Credentials for Access Token"),
    ("fp", "Wrong password"),
    ("slo", "Success Logout"),
    ("fn", "Failed Sending Notification"),
    ("sv", "Success Verification Email"),
    ("du", "Deleted User"),
];

/// Base time for seeded objects (2024-01-01T00:00:00Z).
const BASE_MS: i64 = 1_704_067_200_000;

pub(crate) fn seed(st: &mut Store, seed: &Seed, client_id: &str) {
    let mut rng = fastrand::Rng::with_seed(seed.random_seed);
    st.rng = fastrand::Rng::with_seed(seed.random_seed ^ 0x5eed_f00d);
    let domain = st.domain.clone();
    let mgmt_aud = format!("https://{domain}/api/v2/");

    // --- connections
    let mut conns: Vec<(String, String, String)> = vec![]; // (id, name, strategy)
    let n_conn = seed.connections.max(1);
    for i in 0..n_conn {
        let (name, strategy) = match i {
            0 => ("Username-Password-Authentication".to_string(), "auth0"),
            1 => ("google-oauth2".to_string(), "google-oauth2"),
            n if n % 2 == 0 => (format!("acme-okta-{n}"), "okta"),
            n => (format!("contoso-saml-{n}"), "samlp"),
        };
        let id = format!("con_{}", util::alnum(&mut rng, 16));
        let c = json!({
            "id": id,
            "name": name,
            "display_name": name,
            "strategy": strategy,
            "options": default_conn_options(strategy),
            "is_domain_connection": false,
            "enabled_clients": [],
            "realms": [name],
            "authentication": {"active": true},
            "connected_accounts": {"active": false},
        });
        st.connections.insert(id.clone(), c);
        conns.push((id, name, strategy.to_string()));
    }

    // --- clients: global, the M2M client, extra ones
    let tenant = domain.split(':').next().unwrap_or("fake").to_string();
    let global_id = util::alnum(&mut rng, 32);
    st.clients.insert(
        global_id.clone(),
        json!({
            "tenant": tenant, "global": true, "is_first_party": true, "name": "All Applications",
            "client_id": global_id, "client_secret": util::alnum(&mut rng, 64),
            "callbacks": [], "cross_origin_authentication": false,
            "is_token_endpoint_ip_header_trusted": false, "oidc_conformant": false,
            "sso_disabled": false, "custom_login_page_on": true,
            "callback_url_template": false, "owners": ["mr|samlp|contoso|fake"],
        }),
    );
    let mut m2m = Map::new();
    m2m.insert("name".into(), json!("Fake M2M Client"));
    m2m.insert("app_type".into(), json!("non_interactive"));
    m2m.insert("grant_types".into(), json!(["client_credentials"]));
    m2m.insert("description".into(), json!("The client whose credentials the fake tenant accepts."));
    let mut m2m = new_client(st, &m2m);
    m2m["client_id"] = json!(client_id);
    m2m["client_secret"] = json!("[fake tenant credentials]");
    st.clients.insert(client_id.to_string(), m2m);
    let app_types = ["spa", "regular_web", "native", "non_interactive"];
    let mut client_ids = vec![client_id.to_string()];
    for i in 0..seed.clients {
        let t = app_types[i % app_types.len()];
        let mut b = Map::new();
        b.insert("name".into(), json!(format!("{} App {}", titlecase(t), i + 1)));
        b.insert("app_type".into(), json!(t));
        b.insert("description".into(), json!(format!("Seeded {t} application")));
        b.insert("is_first_party".into(), json!(i % 5 != 4));
        b.insert("oidc_conformant".into(), json!(true));
        if t != "non_interactive" {
            b.insert("callbacks".into(), json!([format!("https://app{}.example.com/callback", i + 1)]));
            b.insert("allowed_logout_urls".into(), json!([format!("https://app{}.example.com", i + 1)]));
        }
        let mut c = new_client(st, &b);
        let id = util::alnum(&mut rng, 32);
        c["client_id"] = json!(id);
        st.clients.insert(id.clone(), c);
        client_ids.push(id);
    }

    // --- resource servers
    let sys_id = util::hex(&mut rng, 24);
    let scopes: Vec<Value> =
        SCOPE_CATALOG.iter().map(|s| json!({"value": s, "description": describe_scope(s)})).collect();
    st.resource_servers.insert(
        sys_id.clone(),
        json!({
            "id": sys_id, "name": "Auth0 Management API", "identifier": mgmt_aud,
            "is_system": true, "allow_offline_access": false,
            "skip_consent_for_verifiable_first_party_clients": false,
            "token_lifetime": 86400, "token_lifetime_for_web": 7200, "signing_alg": "RS256",
            "scopes": scopes,
        }),
    );
    let mut audiences = vec![mgmt_aud.clone(), format!("https://{domain}/userinfo")];
    for i in 0..seed.resource_servers {
        let id = util::hex(&mut rng, 24);
        let ident = format!("https://api{}.example.com/", i + 1);
        st.resource_servers.insert(
            id.clone(),
            json!({
                "id": id, "name": format!("Example API {}", i + 1), "identifier": ident,
                "is_system": false, "allow_offline_access": i % 2 == 0,
                "skip_consent_for_verifiable_first_party_clients": true,
                "token_lifetime": 86400, "token_lifetime_for_web": 7200, "signing_alg": "RS256",
                "token_dialect": "access_token", "enforce_policies": false,
                "scopes": [{"value": "read:items", "description": "Read items"}, {"value": "write:items", "description": "Write items"}],
                "subject_type_authorization": {"user": {"policy": "allow_all"}, "client": {"policy": "require_client_grant"}},
            }),
        );
        audiences.push(ident);
    }

    // --- roles
    let role_names = ["admin", "editor", "viewer", "billing", "support", "auditor", "developer"];
    let mut role_ids = vec![];
    for i in 0..seed.roles {
        let id = format!("rol_{}", util::alnum(&mut rng, 16));
        let name = if i < role_names.len() { role_names[i].to_string() } else { format!("role-{}", i + 1) };
        st.roles.insert(id.clone(), json!({"id": id, "name": name, "description": format!("Seeded {name} role")}));
        role_ids.push(id);
    }

    // --- users
    let mut user_ids = vec![];
    let social = conns.iter().find(|c| c.2 == "google-oauth2").cloned();
    let db = conns[0].clone();
    for i in 0..seed.users {
        let first = FIRST[rng.usize(..FIRST.len())];
        let last = LAST[rng.usize(..LAST.len())];
        let dom = DOMAINS[i % DOMAINS.len()];
        let email = format!("{}.{}{}@{}", first.to_lowercase(), last.to_lowercase(), i, dom);
        let created = BASE_MS + (i as i64) * 60_000 + rng.i64(0..60_000);
        let updated = created + rng.i64(0..86_400_000);
        let is_social = social.is_some() && i % 7 == 3;
        let (uid, ident) = if is_social {
            let sub = util::digits(&mut rng, 21);
            let conn = social.as_ref().map(|c| c.1.clone()).unwrap_or_default();
            (
                format!("google-oauth2|{sub}"),
                json!({"connection": conn, "user_id": sub, "provider": "google-oauth2", "isSocial": true}),
            )
        } else {
            let sub = util::hex(&mut rng, 24);
            (
                format!("auth0|{sub}"),
                json!({"connection": db.1, "user_id": sub, "provider": "auth0", "isSocial": false}),
            )
        };
        let logins = rng.u64(..200);
        let plan = ["free", "pro", "enterprise"][rng.usize(..3)];
        let mut u = json!({
            "user_id": uid,
            "email": email,
            "email_verified": rng.u8(..10) < 8,
            "name": format!("{first} {last}"),
            "given_name": first,
            "family_name": last,
            "nickname": email.split('@').next().unwrap_or_default(),
            "picture": format!("https://s.gravatar.com/avatar/{}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F{}{}.png", util::hex(&mut rng, 32), first[..1].to_lowercase(), last[..1].to_lowercase()),
            "created_at": iso(created),
            "updated_at": iso(updated),
            "identities": [ident],
            "app_metadata": {"plan": plan, "tenant_index": i},
            "user_metadata": {"favourite_attack": "roundhouse_kick", "theme": if i % 2 == 0 { "dark" } else { "light" }},
            "logins_count": logins,
        });
        if !is_social {
            u["username"] = json!(format!("user{i}"));
        }
        if logins > 0 {
            u["last_login"] = json!(iso(updated));
            u["last_ip"] = json!(format!("203.0.113.{}", rng.u8(1..255)));
        }
        if i % 13 == 5 {
            u["blocked"] = json!(true);
        }
        st.put_user(u);
        if !role_ids.is_empty() && i % 3 == 0 {
            let r = role_ids[rng.usize(..role_ids.len())].clone();
            st.user_roles.insert(uid.clone(), vec![r]);
        }
        user_ids.push((uid, created));
    }

    // --- organizations + members
    let mut org_ids = vec![];
    for i in 0..seed.organizations {
        let id = format!("org_{}", util::alnum(&mut rng, 16));
        let name = format!("organization-{}", i + 1);
        let mut o = json!({
            "id": id, "name": name, "display_name": format!("Organization {}", i + 1),
            "branding": {"logo_url": "https://example.com/logo.gif", "colors": {"primary": "#0059d6", "page_background": "#000000"}},
        });
        if i % 2 == 0 {
            let region = ["eu", "us", "apac"][i % 3];
            o["metadata"] = json!({"region": region});
        }
        st.orgs.insert(id.clone(), o);
        let mut members = vec![];
        if !user_ids.is_empty() {
            for k in 0..seed.members_per_org.min(user_ids.len()) {
                let (uid, _) = &user_ids[(i * 7 + k * 3) % user_ids.len()];
                if !members.contains(uid) {
                    members.push(uid.clone());
                }
            }
        }
        st.org_members.insert(id.clone(), members);
        org_ids.push(id);
    }

    // --- grants
    for i in 0..seed.grants.min(user_ids.len() * 4) {
        if user_ids.is_empty() {
            break;
        }
        let id = util::hex(&mut rng, 24);
        let (uid, _) = &user_ids[i % user_ids.len()];
        let aud = &audiences[1 + i % (audiences.len() - 1)];
        let cid = &client_ids[i % client_ids.len()];
        st.grants.insert(
            id.clone(),
            json!({"id": id, "clientID": cid, "user_id": uid, "audience": aud, "scope": if i % 4 == 1 { json!([]) } else { json!(["openid", "profile"]) }}),
        );
    }

    // --- refresh tokens + sessions
    if seed.refresh_token_every > 0 {
        for (i, (uid, created)) in user_ids.iter().enumerate() {
            if i % seed.refresh_token_every != 0 {
                continue;
            }
            let sid = util::alnum(&mut rng, 24);
            let rtid = util::alnum(&mut rng, 24);
            let cid = &client_ids[i % client_ids.len()];
            let at = iso(created + 3_600_000);
            st.sessions.insert(
                sid.clone(),
                json!({
                    "id": sid, "user_id": uid, "created_at": at, "updated_at": at,
                    "authenticated_at": at, "last_interacted_at": at,
                    "idle_expires_at": null, "expires_at": null,
                    "device": {"initial_user_agent": "Mozilla/5.0", "initial_ip": "203.0.113.7", "initial_asn": "64496", "last_user_agent": "Mozilla/5.0", "last_ip": "203.0.113.7", "last_asn": "64496"},
                    "clients": [{"client_id": cid}],
                    "authentication": {"methods": [{"name": "pwd", "timestamp": at}]},
                    "cookie": {"mode": "persistent"},
                    "session_metadata": null,
                }),
            );
            st.refresh_tokens.insert(
                rtid.clone(),
                json!({
                    "id": rtid, "user_id": uid, "client_id": cid, "session_id": sid,
                    "created_at": at, "idle_expires_at": null, "expires_at": null, "last_exchanged_at": null,
                    "rotating": i % 2 == 0,
                    "device": {"initial_ip": "203.0.113.7", "initial_asn": "64496", "initial_user_agent": "Mozilla/5.0", "last_ip": "203.0.113.7", "last_asn": "64496", "last_user_agent": "Mozilla/5.0"},
                    "resource_servers": [{"audience": mgmt_aud, "scopes": "openid profile offline_access"}],
                    "refresh_token_metadata": null,
                }),
            );
        }
    }

    // --- logs: ascending in time, newest ~1 s ago
    let n = seed.logs;
    let end = now_ms() - 1000;
    let span = (n as i64) * 2_000;
    let mut t = end - span;
    for i in 0..n {
        t += 1 + rng.i64(0..4_000);
        let t = t.min(end);
        let (ty, desc) = LOG_TYPES[rng.usize(..LOG_TYPES.len())];
        let user = if user_ids.is_empty() { None } else { Some(user_ids[rng.usize(..user_ids.len())].0.clone()) };
        let cid = &client_ids[i % client_ids.len()];
        let mut ev = json!({
            "type": ty,
            "description": desc,
            "client_id": cid,
            "client_name": if cid == client_id { "Fake M2M Client".to_string() } else { format!("Seeded App {}", i % client_ids.len()) },
            "ip": format!("198.51.100.{}", rng.u8(1..255)),
            "hostname": domain,
            "user_agent": "Chrome 120.0.0 / Mac OS X 10.15.7",
            "isMobile": false,
            "connection": if ty == "seccft" || ty == "sapi" { Value::Null } else { json!(db.1) },
            "connection_id": if ty == "seccft" || ty == "sapi" { json!("") } else { json!(db.0) },
            "strategy": if ty == "seccft" || ty == "sapi" { "" } else { "auth0" },
            "strategy_type": if ty == "seccft" || ty == "sapi" { "" } else { "database" },
            "audience": if ty == "seccft" { json!(mgmt_aud) } else { Value::Null },
            "details": Value::Null,
            "location_info": null,
            "organization_id": null,
            "organization_name": null,
            "date": iso(t),
        });
        match ty {
            "seccft" => {
                ev["scope"] = json!("read:users update:users");
                ev["user_id"] = json!("");
                ev["user_name"] = Value::Null;
            }
            "sapi" => {
                ev["user_id"] = json!("");
                ev["details"] = json!({"request": {"method": "patch", "path": format!("/api/v2/users/{}", user.as_deref().unwrap_or("auth0|000000000000000000000000").replace('|', "%7C")), "channel": "api"}, "response": {"statusCode": 200}});
            }
            _ => {
                if let Some(u) = &user {
                    ev["user_id"] = json!(u);
                    ev["user_name"] = st.users.get(u).and_then(|x| x.get("email")).cloned().unwrap_or(Value::Null);
                }
            }
        }
        if matches!(ty, "s" | "f" | "ss") {
            ev["location_info"] = json!({"country_code": "DE", "country_code3": "DEU", "country_name": "Germany", "city_name": "Berlin", "latitude": 52.52, "longitude": 13.405, "time_zone": "Europe/Berlin", "continent_code": "EU"});
        }
        if let Value::Object(m) = &mut ev {
            m.retain(|_, v| !v.is_null());
        }
        st.push_log(ev, t);
    }
}

fn titlecase(t: &str) -> String {
    t.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn describe_scope(s: &str) -> String {
    let (verb, what) = s.split_once(':').unwrap_or(("", s));
    format!("{} {}", titlecase(verb), titlecase(what))
}
