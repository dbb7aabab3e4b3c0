//! The resource servers models (reference §13).

use serde_json::Value;

use crate::ids::{ClientId, ResourceServerId};
use crate::models::{Sensitive, model, request, string_enum};

string_enum! {
    /// The access token format of a resource server (`token_dialect`).
    pub enum TokenDialect {
        /// Auth0 access token.
        AccessToken => "access_token",
        /// Auth0 access token with RBAC permissions.
        AccessTokenAuthz => "access_token_authz",
        /// RFC 9068 profile.
        Rfc9068Profile => "rfc9068_profile",
        /// RFC 9068 profile with RBAC permissions.
        Rfc9068ProfileAuthz => "rfc9068_profile_authz",
    }
}

string_enum! {
    /// A token signing algorithm (`signing_alg`, `jwt_configuration.alg`).
    pub enum SigningAlgorithm {
        /// HMAC with SHA-256 (a shared secret).
        Hs256 => "HS256",
        /// RSA with SHA-256.
        Rs256 => "RS256",
        /// RSA with SHA-512.
        Rs512 => "RS512",
        /// RSA-PSS with SHA-256.
        Ps256 => "PS256",
    }
}

string_enum! {
    /// The consent policy of a resource server (`consent_policy`).
    pub enum ConsentPolicy {
        /// Transactional authorization with MFA.
        TransactionalAuthorizationWithMfa => "transactional-authorization-with-mfa",
    }
}

string_enum! {
    /// How access tokens are bound to their client (`proof_of_possession.mechanism`).
    pub enum PopMechanism {
        /// Mutual TLS.
        Mtls => "mtls",
        /// DPoP.
        Dpop => "dpop",
    }
}

string_enum! {
    /// Which clients must prove possession (`proof_of_possession.required_for`).
    pub enum PopRequiredFor {
        /// Public clients only.
        PublicClients => "public_clients",
        /// Every client.
        AllClients => "all_clients",
    }
}

string_enum! {
    /// Who may get tokens for a resource server (`subject_type_authorization.*.policy`).
    pub enum SubjectPolicy {
        /// Everyone.
        AllowAll => "allow_all",
        /// No one.
        DenyAll => "deny_all",
        /// Only with a client grant.
        RequireClientGrant => "require_client_grant",
    }
}

string_enum! {
    /// The format of encrypted access tokens (`token_encryption.format`).
    pub enum TokenEncryptionFormat {
        /// A signed JWT nested in a compact JWE.
        CompactNestedJwe => "compact-nested-jwe",
    }
}

string_enum! {
    /// The key-encryption algorithm of encrypted access tokens.
    pub enum TokenEncryptionAlgorithm {
        /// RSA-OAEP with SHA-256.
        RsaOaep256 => "RSA-OAEP-256",
        /// RSA-OAEP with SHA-384.
        RsaOaep384 => "RSA-OAEP-384",
        /// RSA-OAEP with SHA-512.
        RsaOaep512 => "RSA-OAEP-512",
    }
}

model! {
    /// A resource server (API).
    pub struct ResourceServer {
        /// The id (24 hex digits).
        id: ResourceServerId,
        /// Name.
        name: Option<String>,
        /// Whether this is a system API (e.g. the Management API itself).
        is_system: Option<bool>,
        /// The identifier (audience); immutable.
        identifier: Option<String>,
        /// Scopes the API defines.
        scopes: Option<Vec<ResourceServerScope>>,
        /// Signing algorithm.
        signing_alg: Option<SigningAlgorithm>,
        /// HS256 signing secret. `Debug` shows `[REDACTED]`.
        signing_secret: Option<Sensitive>,
        /// Refresh tokens may be issued.
        allow_offline_access: Option<bool>,
        /// Online refresh tokens may be issued.
        allow_online_access: Option<bool>,
        /// Online refresh tokens may be issued with ephemeral sessions.
        allow_online_access_with_ephemeral_sessions: Option<bool>,
        /// Skip consent for verifiable first-party applications.
        skip_consent_for_verifiable_first_party_clients: Option<bool>,
        /// Access token lifetime in seconds.
        token_lifetime: Option<u64>,
        /// Access token lifetime for browser flows, in seconds.
        token_lifetime_for_web: Option<u64>,
        /// RBAC enabled.
        enforce_policies: Option<bool>,
        /// Access token format.
        token_dialect: Option<TokenDialect>,
        /// Access token encryption.
        token_encryption: Option<TokenEncryption>,
        /// Consent policy.
        consent_policy: Option<ConsentPolicy>,
        /// Rich authorization request types.
        authorization_details: Option<Vec<Value>>,
        /// Proof-of-possession settings.
        proof_of_possession: Option<ProofOfPossession>,
        /// Which subjects may get tokens.
        subject_type_authorization: Option<SubjectTypeAuthorization>,
        /// The authorization policy.
        authorization_policy: Option<AuthorizationPolicy>,
        /// The application that represents this API.
        client_id: Option<ClientId>,
    }
}

model! {
    /// A scope defined by a resource server.
    pub struct ResourceServerScope {
        /// The scope (1–280 characters), e.g. `read:invoices`.
        value: String,
        /// Description (≤500 characters).
        description: Option<String>,
    }
}

impl ResourceServerScope {
    /// A scope without description.
    pub fn new(value: impl Into<String>) -> Self {
        ResourceServerScope {
            value: value.into(),
            description: None,
            extra: Default::default(),
            nulls: Default::default(),
        }
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

model! {
    /// Access token encryption settings (`token_encryption`).
    @default
    pub struct TokenEncryption {
        /// The format.
        format: Option<TokenEncryptionFormat>,
        /// The public key tokens are encrypted to.
        encryption_key: Option<TokenEncryptionKey>,
    }
}

model! {
    /// The key of [`TokenEncryption`].
    @default
    pub struct TokenEncryptionKey {
        /// Key name.
        name: Option<String>,
        /// Key-encryption algorithm.
        alg: Option<TokenEncryptionAlgorithm>,
        /// Key id.
        kid: Option<String>,
        /// The public key (PEM).
        pem: Option<String>,
    }
}

model! {
    /// Proof-of-possession settings (`proof_of_possession`).
    @default
    pub struct ProofOfPossession {
        /// The mechanism.
        mechanism: Option<PopMechanism>,
        /// Whether it is required.
        required: Option<bool>,
        /// Which clients it is required for.
        required_for: Option<PopRequiredFor>,
    }
}

model! {
    /// Which subjects may get tokens (`subject_type_authorization`).
    @default
    pub struct SubjectTypeAuthorization {
        /// Users (user flows).
        user: Option<SubjectAuthorization>,
        /// Clients (client-credentials flow).
        client: Option<SubjectAuthorization>,
    }
}

model! {
    /// The policy for one subject type.
    @default
    pub struct SubjectAuthorization {
        /// The policy.
        policy: Option<SubjectPolicy>,
    }
}

model! {
    /// The authorization policy of a resource server (`authorization_policy`).
    @default
    pub struct AuthorizationPolicy {
        /// The policy id.
        policy_id: Option<String>,
    }
}

request! {
    /// The body of `POST /api/v2/resource-servers`.
    ///
    /// ```
    /// use auth0_mgmt::resource_servers::CreateResourceServer;
    /// let body = CreateResourceServer::new("https://billing.example.com/").name("Billing");
    /// assert_eq!(
    ///     serde_json::to_value(&body)?,
    ///     serde_json::json!({"identifier": "https://billing.example.com/", "name": "Billing"})
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct CreateResourceServer {
        required {
            /// The identifier (audience; required, 1–600, immutable).
            identifier: String,
        }
        /// Name (≤200).
        name: Option<String>,
        /// Scopes.
        scopes: List<ResourceServerScope>,
        /// Signing algorithm.
        signing_alg: Option<SigningAlgorithm>,
        /// HS256 signing secret (≥16 characters).
        signing_secret: Option<Sensitive>,
        /// Allow refresh tokens.
        allow_offline_access: Option<bool>,
        /// Allow online refresh tokens.
        allow_online_access: Option<bool>,
        /// Allow online refresh tokens with ephemeral sessions.
        allow_online_access_with_ephemeral_sessions: Option<bool>,
        /// Access token lifetime in seconds (0–2592000).
        token_lifetime: Option<u64>,
        /// Access token lifetime for browser flows (accepted although the schema omits it).
        token_lifetime_for_web: Option<u64>,
        /// Access token format.
        token_dialect: Option<TokenDialect>,
        /// Skip consent for verifiable first-party applications.
        skip_consent_for_verifiable_first_party_clients: Option<bool>,
        /// Enable RBAC.
        enforce_policies: Option<bool>,
        /// Access token encryption.
        token_encryption: Option<TokenEncryption>,
        /// Consent policy.
        consent_policy: Option<ConsentPolicy>,
        /// Rich authorization request types.
        authorization_details: List<Value>,
        /// Proof-of-possession settings.
        proof_of_possession: Option<ProofOfPossession>,
        /// Which subjects may get tokens.
        subject_type_authorization: Option<SubjectTypeAuthorization>,
        /// The authorization policy.
        authorization_policy: Option<AuthorizationPolicy>,
    }
}

impl CreateResourceServer {
    /// An API with this identifier (audience).
    pub fn new(identifier: impl Into<String>) -> Self {
        CreateResourceServer { identifier: identifier.into(), ..Default::default() }
    }

    /// Adds a scope.
    pub fn scope(mut self, scope: ResourceServerScope) -> Self {
        self.scopes.get_or_insert_with(Vec::new).push(scope);
        self
    }
}
