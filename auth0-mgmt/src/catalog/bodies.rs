//! The request bodies of the write operations, key by key, by their JSON names in the
//! Management API reference (`auth0-api.md` §6–§14 and the official schemas).
//!
//! A key missing here is not an oversight that grants: it counts as the operation's most
//! sensitive class. Listing it with its real class is what makes it cheaper.

use super::describe::{Action, Body, BodyId, IdKind, IdPath, Key, Presence};

const CREDS: Action = Action::UpdateUserCredentials;
const APP_METADATA: Action = Action::UpdateAppMetadata;
const CLIENT_CREDS: Action = Action::UpdateClientCredentials;

const fn id(at: IdPath, kind: IdKind, required: bool, allow_listed: bool) -> BodyId {
    BodyId { at, kind, required, allow_listed }
}

const fn body(keys: &'static [Key], ids: &'static [BodyId]) -> Body {
    Body { presence: Presence::Required, keys, ids, one_of: &[], record_fields: true }
}

/// `POST /api/v2/users` (§6.3).
pub(super) static USERS_CREATE: Body = body(
    &[
        Key::plain("connection"),
        Key::plain("email"),
        Key::plain("phone_number"),
        Key::plain("user_metadata"),
        Key::needs("app_metadata", APP_METADATA),
        Key::plain("blocked"),
        Key::plain("email_verified"),
        Key::plain("phone_verified"),
        Key::plain("given_name"),
        Key::plain("family_name"),
        Key::plain("name"),
        Key::plain("nickname"),
        Key::plain("picture"),
        Key::plain("user_id"),
        Key::plain("password"),
        Key::plain("verify_email"),
        Key::plain("username"),
    ],
    &[id(IdPath::Value("connection"), IdKind::ConnectionName, true, true)],
);

/// `PATCH /api/v2/users/{id}` (§6.4).
pub(super) static USERS_UPDATE: Body = body(
    &[
        Key::plain("blocked"),
        Key::needs("email_verified", CREDS),
        Key::needs("email", CREDS),
        Key::needs("phone_number", CREDS),
        Key::needs("phone_verified", CREDS),
        Key::plain("user_metadata"),
        Key::needs("app_metadata", APP_METADATA),
        Key::plain("given_name"),
        Key::plain("family_name"),
        Key::plain("name"),
        Key::plain("nickname"),
        Key::plain("picture"),
        Key::needs("verify_email", CREDS),
        Key::needs("verify_phone_number", CREDS),
        Key::needs("password", CREDS),
        Key::needs("connection", CREDS),
        Key::needs("client_id", CREDS),
        Key::needs("username", CREDS),
    ],
    &[
        id(IdPath::Value("connection"), IdKind::ConnectionName, false, false),
        id(IdPath::Value("client_id"), IdKind::Client, false, false),
    ],
);

/// `POST` / `DELETE /api/v2/users/{id}/roles` (§7.4).
pub(super) static USER_ROLES: Body = Body {
    presence: Presence::Required,
    keys: &[Key::plain("roles")],
    ids: &[id(IdPath::List("roles"), IdKind::Role, true, true)],
    one_of: &[],
    record_fields: false,
};

/// `POST /api/v2/roles` (§7.3).
pub(super) static ROLES_CREATE: Body = body(&[Key::plain("name"), Key::plain("description")], &[]);

/// `jwt_configuration` of an application: the signing algorithm and secret encoding
/// are credentials; lifetime and scopes are not.
static JWT_CONFIGURATION: [Key; 4] = [
    Key::plain("lifetime_in_seconds"),
    Key::plain("scopes"),
    Key::needs("alg", CLIENT_CREDS),
    Key::needs("secret_encoded", CLIENT_CREDS),
];

/// The application keys shared by create and update (§8.3, §8.4).
macro_rules! client_keys {
    ($($extra:expr),* $(,)?) => {
        &[
            $($extra,)*
            Key::plain("name"),
            Key::plain("description"),
            Key::plain("logo_uri"),
            Key::plain("callbacks"),
            Key::plain("oidc_logout"),
            Key::plain("session_transfer"),
            Key::plain("allowed_origins"),
            Key::plain("web_origins"),
            Key::plain("client_aliases"),
            Key::plain("allowed_clients"),
            Key::plain("allowed_logout_urls"),
            Key::plain("grant_types"),
            Key::needs("token_endpoint_auth_method", CLIENT_CREDS),
            Key::plain("is_token_endpoint_ip_header_trusted"),
            Key::plain("app_type"),
            Key::plain("is_first_party"),
            Key::plain("oidc_conformant"),
            Key::nested("jwt_configuration", &JWT_CONFIGURATION),
            Key::needs("encryption_key", CLIENT_CREDS),
            Key::plain("sso"),
            Key::plain("cross_origin_authentication"),
            Key::plain("cross_origin_loc"),
            Key::plain("sso_disabled"),
            Key::plain("custom_login_page_on"),
            Key::plain("custom_login_page"),
            Key::plain("custom_login_page_preview"),
            Key::plain("form_template"),
            Key::plain("addons"),
            Key::plain("client_metadata"),
            Key::plain("mobile"),
            Key::plain("initiate_login_uri"),
            Key::plain("native_social_login"),
            Key::plain("refresh_token"),
            Key::plain("default_organization"),
            Key::plain("organization_usage"),
            Key::plain("organization_require_behavior"),
            Key::plain("organization_discovery_methods"),
            Key::needs("client_authentication_methods", CLIENT_CREDS),
            Key::plain("require_pushed_authorization_requests"),
            Key::plain("require_proof_of_possession"),
            Key::needs("signed_request_object", CLIENT_CREDS),
            Key::plain("compliance_level"),
            Key::plain("skip_non_verifiable_callback_uri_confirmation_prompt"),
            Key::plain("token_exchange"),
            Key::plain("par_request_expiry"),
            Key::plain("token_quota"),
            Key::plain("third_party_security_mode"),
            Key::plain("redirection_policy"),
            Key::plain("express_configuration"),
            Key::plain("my_organization_configuration"),
            Key::plain("async_approval_notification_channels"),
            // In the official schema (and the typed models), not in §8.3: the two that
            // grant an application more than it had count as credentials.
            Key::plain("fedcm_login"),
            Key::plain("oidc_backchannel_logout"),
            Key::needs("identity_assertion_authorization_grant", CLIENT_CREDS),
            Key::needs("token_vault_privileged_access", CLIENT_CREDS),
        ]
    };
}

/// `POST /api/v2/clients` (§8.3).
/// `resource_server_identifier` (the API an application is created for) is set once.
pub(super) static CLIENTS_CREATE: Body = body(client_keys!(Key::plain("resource_server_identifier")), &[]);

/// `PATCH /api/v2/clients/{id}` (§8.4): the create keys plus `client_secret`.
pub(super) static CLIENTS_UPDATE: Body = body(client_keys!(Key::needs("client_secret", CLIENT_CREDS)), &[]);

/// `POST /api/v2/connections` (§9.3).
pub(super) static CONNECTIONS_CREATE: Body = body(
    &[
        Key::plain("name"),
        Key::plain("strategy"),
        Key::plain("display_name"),
        Key::plain("options"),
        Key::plain("enabled_clients"),
        Key::plain("is_domain_connection"),
        Key::plain("show_as_button"),
        Key::plain("realms"),
        Key::plain("metadata"),
        Key::plain("authentication"),
        Key::plain("connected_accounts"),
        Key::plain("cross_app_access_requesting_app"),
        Key::plain("cross_app_access_resource_app"),
    ],
    &[
        id(IdPath::Value("name"), IdKind::ConnectionName, true, false),
        // Enabling the new connection for an application changes how that one signs in.
        id(IdPath::List("enabled_clients"), IdKind::Client, false, false),
    ],
);

/// `POST /api/v2/organizations` (§10.3).
pub(super) static ORGANIZATIONS_CREATE: Body = body(
    &[
        Key::plain("name"),
        Key::plain("display_name"),
        Key::plain("branding"),
        Key::plain("metadata"),
        Key::plain("enabled_connections"),
        Key::plain("token_quota"),
        Key::plain("third_party_client_access"),
    ],
    &[id(IdPath::ListOf("enabled_connections", "connection_id"), IdKind::Connection, false, false)],
);

/// `POST /api/v2/organizations/{id}/members` (§10.4).
pub(super) static ORGANIZATION_MEMBERS: Body = Body {
    presence: Presence::Required,
    keys: &[Key::plain("members")],
    ids: &[id(IdPath::List("members"), IdKind::User, true, false)],
    one_of: &[],
    record_fields: false,
};

/// `POST /api/v2/resource-servers` (§13.3).
pub(super) static RESOURCE_SERVERS_CREATE: Body = body(
    &[
        Key::plain("identifier"),
        Key::plain("name"),
        Key::plain("scopes"),
        Key::plain("signing_alg"),
        Key::plain("signing_secret"),
        Key::plain("allow_offline_access"),
        Key::plain("allow_online_access"),
        Key::plain("allow_online_access_with_ephemeral_sessions"),
        Key::plain("token_lifetime"),
        Key::plain("token_lifetime_for_web"),
        Key::plain("token_dialect"),
        Key::plain("skip_consent_for_verifiable_first_party_clients"),
        Key::plain("enforce_policies"),
        Key::plain("token_encryption"),
        Key::plain("consent_policy"),
        Key::plain("authorization_details"),
        Key::plain("proof_of_possession"),
        Key::plain("subject_type_authorization"),
        Key::plain("authorization_policy"),
    ],
    &[id(IdPath::Value("identifier"), IdKind::Api, true, true)],
);

/// `PATCH /api/v2/refresh-tokens/{id}` (§14).
pub(super) static REFRESH_TOKENS_UPDATE: Body = body(&[Key::plain("refresh_token_metadata")], &[]);

/// `POST /api/v2/refresh-tokens/revoke` (§14): exactly one of four shapes.
pub(super) static REFRESH_TOKENS_REVOKE: Body = Body {
    presence: Presence::Required,
    keys: &[Key::plain("ids"), Key::plain("user_id"), Key::plain("client_id"), Key::plain("audience")],
    ids: &[
        id(IdPath::List("ids"), IdKind::RefreshToken, false, false),
        id(IdPath::Value("user_id"), IdKind::User, false, false),
        id(IdPath::Value("client_id"), IdKind::Client, false, false),
        id(IdPath::Value("audience"), IdKind::Api, false, true),
    ],
    one_of: &[&["ids"], &["user_id"], &["user_id", "client_id"], &["user_id", "client_id", "audience"]],
    record_fields: false,
};

/// `PATCH /api/v2/sessions/{id}` (§14).
pub(super) static SESSIONS_UPDATE: Body = body(&[Key::plain("session_metadata")], &[]);
