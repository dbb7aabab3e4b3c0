//! Application (client) models (reference §8).

use crate::connections::Strategy;
use crate::ids::{ClientId, OrganizationId};
use crate::models::{JsonObject, Sensitive, model, request, string_enum};
use crate::organizations::TokenQuota;

pub use crate::resource_servers::SigningAlgorithm;

string_enum! {
    /// The kind of application (`app_type`). Unknown values are kept in `Other`.
    pub enum AppType {
        /// Native (mobile/desktop) app.
        Native => "native",
        /// Single-page app.
        Spa => "spa",
        /// Regular web app.
        RegularWeb => "regular_web",
        /// Machine-to-machine app.
        NonInteractive => "non_interactive",
        /// The app behind a resource server.
        ResourceServer => "resource_server",
        /// Express configuration app.
        ExpressConfiguration => "express_configuration",
        /// B2B integration app.
        B2bIntegration => "b2b_integration",
        /// Auth0 RMS.
        Rms => "rms",
        /// Box SSO integration.
        Box => "box",
        /// CloudBees SSO integration.
        Cloudbees => "cloudbees",
        /// Concur SSO integration.
        Concur => "concur",
        /// Dropbox SSO integration.
        Dropbox => "dropbox",
        /// Microsoft Dynamics CRM SSO integration.
        Mscrm => "mscrm",
        /// EchoSign SSO integration.
        Echosign => "echosign",
        /// Egnyte SSO integration.
        Egnyte => "egnyte",
        /// New Relic SSO integration.
        Newrelic => "newrelic",
        /// Office 365 SSO integration.
        Office365 => "office365",
        /// Salesforce SSO integration.
        Salesforce => "salesforce",
        /// Sentry SSO integration.
        Sentry => "sentry",
        /// SharePoint SSO integration.
        Sharepoint => "sharepoint",
        /// Slack SSO integration.
        Slack => "slack",
        /// SpringCM SSO integration.
        Springcm => "springcm",
        /// Zendesk SSO integration.
        Zendesk => "zendesk",
        /// Zoom SSO integration.
        Zoom => "zoom",
        /// Generic SSO integration.
        SsoIntegration => "sso_integration",
        /// On-premises access gateway.
        Oag => "oag",
    }
}

string_enum! {
    /// How the application authenticates at the token endpoint
    /// (`token_endpoint_auth_method`). `private_key_jwt` is configured through
    /// `client_authentication_methods` instead.
    pub enum TokenEndpointAuthMethod {
        /// Public client, no secret.
        None => "none",
        /// Secret in the POST body.
        ClientSecretPost => "client_secret_post",
        /// Secret in HTTP Basic auth.
        ClientSecretBasic => "client_secret_basic",
    }
}

string_enum! {
    /// Whether the application may be used with organizations (`organization_usage`).
    pub enum OrganizationUsage {
        /// Organizations cannot be used.
        Deny => "deny",
        /// Organizations may be used.
        Allow => "allow",
        /// An organization is required.
        Require => "require",
    }
}

string_enum! {
    /// How an organization is asked for when one is required
    /// (`organization_require_behavior`).
    pub enum OrganizationRequireBehavior {
        /// The application sends the organization.
        NoPrompt => "no_prompt",
        /// Ask before login.
        PreLoginPrompt => "pre_login_prompt",
        /// Ask after login.
        PostLoginPrompt => "post_login_prompt",
    }
}

string_enum! {
    /// How users find their organization at login (`organization_discovery_methods`).
    pub enum OrganizationDiscoveryMethod {
        /// By email domain.
        Email => "email",
        /// By organization name.
        OrganizationName => "organization_name",
    }
}

string_enum! {
    /// A compliance profile (`compliance_level`).
    pub enum ComplianceLevel {
        /// None.
        None => "none",
        /// FAPI 1 advanced, private_key_jwt and PAR.
        Fapi1AdvPkjPar => "fapi1_adv_pkj_par",
        /// FAPI 1 advanced, mTLS and PAR.
        Fapi1AdvMtlsPar => "fapi1_adv_mtls_par",
        /// FAPI 2 security profile, private_key_jwt and mTLS.
        Fapi2SpPkjMtls => "fapi2_sp_pkj_mtls",
        /// FAPI 2 security profile, mTLS and mTLS.
        Fapi2SpMtlsMtls => "fapi2_sp_mtls_mtls",
    }
}

string_enum! {
    /// Third-party application security mode (`third_party_security_mode`).
    pub enum ThirdPartySecurityMode {
        /// Strict.
        Strict => "strict",
        /// Permissive.
        Permissive => "permissive",
    }
}

string_enum! {
    /// Redirect handling (`redirection_policy`).
    pub enum RedirectionPolicy {
        /// Always redirect.
        AllowAlways => "allow_always",
        /// Protect against open redirects.
        OpenRedirectProtection => "open_redirect_protection",
    }
}

string_enum! {
    /// Refresh token rotation (`refresh_token.rotation_type`).
    pub enum RotationType {
        /// A new refresh token on every exchange.
        Rotating => "rotating",
        /// The same refresh token.
        NonRotating => "non-rotating",
    }
}

string_enum! {
    /// Refresh token expiration (`refresh_token.expiration_type`).
    pub enum ExpirationType {
        /// Expires.
        Expiring => "expiring",
        /// Does not expire.
        NonExpiring => "non-expiring",
    }
}

string_enum! {
    /// Which back-channel logout initiators apply (`backchannel_logout_initiators.mode`).
    pub enum LogoutInitiatorsMode {
        /// The selected ones.
        Custom => "custom",
        /// All of them.
        All => "all",
    }
}

string_enum! {
    /// An event that starts a back-channel logout (`selected_initiators`).
    pub enum LogoutInitiator {
        /// The relying party logged out.
        RpLogout => "rp-logout",
        /// The identity provider logged out.
        IdpLogout => "idp-logout",
        /// The password changed.
        PasswordChanged => "password-changed",
        /// The session expired.
        SessionExpired => "session-expired",
        /// The session was revoked.
        SessionRevoked => "session-revoked",
        /// The account was deleted.
        AccountDeleted => "account-deleted",
        /// The email identifier changed.
        EmailIdentifierChanged => "email-identifier-changed",
        /// An MFA phone was unenrolled.
        MfaPhoneUnenrolled => "mfa-phone-unenrolled",
        /// The account was deactivated.
        AccountDeactivated => "account-deactivated",
    }
}

string_enum! {
    /// How a session transfer token may be passed (`allowed_authentication_methods`).
    pub enum SessionTransferMethod {
        /// In a cookie.
        Cookie => "cookie",
        /// In the query string.
        Query => "query",
    }
}

string_enum! {
    /// What a transferred session is bound to (`enforce_device_binding`).
    pub enum DeviceBinding {
        /// The IP address.
        Ip => "ip",
        /// The autonomous system number.
        Asn => "asn",
        /// Nothing.
        None => "none",
    }
}

string_enum! {
    /// A flow the default organization applies to (`default_organization.flows`).
    pub enum DefaultOrganizationFlow {
        /// Client credentials.
        ClientCredentials => "client_credentials",
    }
}

string_enum! {
    /// A token exchange profile type (`allow_any_profile_of_type`).
    pub enum TokenExchangeType {
        /// Custom token exchange.
        CustomAuthentication => "custom_authentication",
        /// On-behalf-of token exchange.
        OnBehalfOfTokenExchange => "on_behalf_of_token_exchange",
    }
}

string_enum! {
    /// What happens to an organization's connections when they are removed
    /// (`connection_deletion_behavior`).
    pub enum ConnectionDeletionBehavior {
        /// Always allowed.
        Allow => "allow",
        /// Only when no user is left in it.
        AllowIfEmpty => "allow_if_empty",
    }
}

string_enum! {
    /// A channel for asynchronous approval notifications.
    pub enum ApprovalNotificationChannel {
        /// Guardian push notification.
        GuardianPush => "guardian-push",
        /// Email.
        Email => "email",
    }
}

string_enum! {
    /// How the application's metadata was registered (`external_metadata_type`).
    pub enum ExternalMetadataType {
        /// Client ID metadata document.
        Cimd => "cimd",
        /// Dynamic client registration.
        Dcr => "dcr",
    }
}

string_enum! {
    /// Who registered the external metadata (`external_metadata_created_by`).
    pub enum ExternalMetadataCreatedBy {
        /// An administrator.
        Admin => "admin",
        /// The client itself.
        Client => "client",
    }
}

model! {
    /// An application (Auth0 calls it a *client*) as the Management API returns it.
    ///
    /// Which fields are present depends on the token's scopes: `read:client_summary` gives
    /// only `client_id`, `app_type`, `name` and `description`; `client_secret`,
    /// `encryption_key`, `signing_keys` and `client_authentication_methods` need
    /// `read:client_keys` or `read:client_credentials`.
    pub struct Application {
        /// The client id (32 characters).
        client_id: ClientId,
        /// The tenant name.
        tenant: Option<String>,
        /// Name.
        name: Option<String>,
        /// Description (≤140 characters).
        description: Option<String>,
        /// Whether this is the tenant's global client.
        global: Option<bool>,
        /// The client secret (only with `read:client_keys`; always returned by create for
        /// confidential applications). `Debug` shows `[REDACTED]`.
        client_secret: Option<Sensitive>,
        /// The kind of application; absent on applications created without one.
        app_type: Option<AppType>,
        /// Logo URL.
        logo_uri: Option<String>,
        /// First-party (true) or third-party application.
        is_first_party: Option<bool>,
        /// OIDC conformant.
        oidc_conformant: Option<bool>,
        /// Allowed callback URLs.
        callbacks: Option<Vec<String>>,
        /// Allowed origins (CORS).
        allowed_origins: Option<Vec<String>>,
        /// Allowed web origins (web message response mode).
        web_origins: Option<Vec<String>>,
        /// Audiences for ID tokens (aliases).
        client_aliases: Option<Vec<String>>,
        /// Applications allowed to make delegation requests.
        allowed_clients: Option<Vec<String>>,
        /// Allowed logout URLs.
        allowed_logout_urls: Option<Vec<String>>,
        /// Session transfer settings (native to web SSO).
        session_transfer: Option<Box<SessionTransfer>>,
        /// OIDC back-channel logout settings.
        oidc_logout: Option<Box<OidcLogout>>,
        /// Grant types (`authorization_code`, `client_credentials`, …).
        grant_types: Option<Vec<String>>,
        /// ID token settings.
        jwt_configuration: Option<JwtConfiguration>,
        /// Signing certificates (public parts).
        signing_keys: Option<Vec<SigningKey>>,
        /// Encryption key (WS-Fed/SAML).
        encryption_key: Option<Box<EncryptionKey>>,
        /// Use Auth0 instead of the IdP for SSO.
        sso: Option<bool>,
        /// SSO disabled.
        sso_disabled: Option<bool>,
        /// Cross-origin authentication allowed.
        cross_origin_authentication: Option<bool>,
        /// Cross-origin verification page URL.
        cross_origin_loc: Option<String>,
        /// Custom login page enabled.
        custom_login_page_on: Option<bool>,
        /// Custom login page HTML.
        custom_login_page: Option<String>,
        /// Custom login page HTML (preview).
        custom_login_page_preview: Option<String>,
        /// WS-Fed form template.
        form_template: Option<String>,
        /// Add-on settings.
        addons: Option<Box<Addons>>,
        /// Token endpoint authentication method.
        token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
        /// Trust the IP header at the token endpoint.
        is_token_endpoint_ip_header_trusted: Option<bool>,
        /// Application metadata (string values, ≤10 keys).
        client_metadata: Option<JsonObject>,
        /// Native app settings (Android/iOS).
        mobile: Option<Box<Mobile>>,
        /// Login initiation URL.
        initiate_login_uri: Option<String>,
        /// Native social login settings.
        native_social_login: Option<Box<NativeSocialLogin>>,
        /// FedCM login settings.
        fedcm_login: Option<FedCmLogin>,
        /// Refresh token settings.
        refresh_token: Option<RefreshTokenConfig>,
        /// Default organization for some flows.
        default_organization: Option<DefaultOrganization>,
        /// Whether organizations may be used.
        organization_usage: Option<OrganizationUsage>,
        /// How an organization is asked for.
        organization_require_behavior: Option<OrganizationRequireBehavior>,
        /// How users find their organization.
        organization_discovery_methods: Option<Vec<OrganizationDiscoveryMethod>>,
        /// `private_key_jwt` / mTLS credentials.
        client_authentication_methods: Option<Box<ClientAuthenticationMethods>>,
        /// Require pushed authorization requests.
        require_pushed_authorization_requests: Option<bool>,
        /// Require proof of possession.
        require_proof_of_possession: Option<bool>,
        /// JWT-secured authorization requests.
        signed_request_object: Option<SignedRequestObject>,
        /// Token Vault privileged access.
        token_vault_privileged_access: Option<Box<TokenVaultPrivilegedAccess>>,
        /// Compliance level.
        compliance_level: Option<ComplianceLevel>,
        /// Skip the confirmation prompt for non-verifiable callback URIs.
        skip_non_verifiable_callback_uri_confirmation_prompt: Option<bool>,
        /// Token exchange settings.
        token_exchange: Option<TokenExchange>,
        /// PAR request expiry in seconds (10–600).
        par_request_expiry: Option<u64>,
        /// Token quota.
        token_quota: Option<TokenQuota>,
        /// Express configuration (Okta Integration Network).
        express_configuration: Option<Box<ExpressConfiguration>>,
        /// My Organization settings.
        my_organization_configuration: Option<Box<MyOrganizationConfiguration>>,
        /// Identity assertion authorization grant.
        identity_assertion_authorization_grant: Option<IdentityAssertionAuthorizationGrant>,
        /// Third-party security mode.
        third_party_security_mode: Option<ThirdPartySecurityMode>,
        /// Redirect handling.
        redirection_policy: Option<RedirectionPolicy>,
        /// The resource server this application represents.
        resource_server_identifier: Option<String>,
        /// Channels for asynchronous approval notifications.
        async_approval_notification_channels: Option<Vec<ApprovalNotificationChannel>>,
        /// How the application's metadata was registered.
        external_metadata_type: Option<ExternalMetadataType>,
        /// Who registered it.
        external_metadata_created_by: Option<ExternalMetadataCreatedBy>,
        /// The client id in the external registration.
        external_client_id: Option<String>,
        /// The application's JWKS URL.
        jwks_uri: Option<String>,
    }
}

model! {
    /// ID token settings of an application (`jwt_configuration`).
    @default
    pub struct JwtConfiguration {
        /// ID token lifetime in seconds.
        lifetime_in_seconds: Option<u64>,
        /// Whether the secret is base64-encoded.
        secret_encoded: Option<bool>,
        /// Scopes configuration.
        scopes: Option<JsonObject>,
        /// Signing algorithm.
        alg: Option<SigningAlgorithm>,
    }
}

model! {
    /// Refresh token settings of an application (`refresh_token`).
    @default
    pub struct RefreshTokenConfig {
        /// Rotation.
        rotation_type: Option<RotationType>,
        /// Expiration.
        expiration_type: Option<ExpirationType>,
        /// Reuse window in seconds for rotating tokens.
        leeway: Option<u64>,
        /// Absolute lifetime in seconds.
        token_lifetime: Option<u64>,
        /// No absolute lifetime.
        infinite_token_lifetime: Option<bool>,
        /// Idle lifetime in seconds.
        idle_token_lifetime: Option<u64>,
        /// No idle lifetime.
        infinite_idle_token_lifetime: Option<bool>,
        /// Per-audience policies.
        policies: Option<Vec<RefreshTokenPolicy>>,
    }
}

model! {
    /// A per-audience refresh token policy.
    @default
    pub struct RefreshTokenPolicy {
        /// The API audience.
        audience: Option<String>,
        /// The scopes.
        scope: Option<Vec<String>>,
    }
}

model! {
    /// A signing certificate of an application (public parts).
    @default
    pub struct SigningKey {
        /// The certificate (PEM).
        cert: Option<String>,
        /// The PKCS #7 form.
        pkcs7: Option<String>,
        /// The subject.
        subject: Option<String>,
    }
}

model! {
    /// The encryption key of an application (WS-Fed/SAML).
    @default
    pub struct EncryptionKey {
        /// The public key (PEM).
        #[doc = ""]
        public as "pub": Option<String>,
        /// The certificate (PEM).
        cert: Option<String>,
        /// The subject.
        subject: Option<String>,
    }
}

model! {
    /// OIDC back-channel logout settings (`oidc_logout`).
    @default
    pub struct OidcLogout {
        /// Logout URLs called by Auth0.
        backchannel_logout_urls: Option<Vec<String>>,
        /// Which events start a back-channel logout.
        backchannel_logout_initiators: Option<LogoutInitiators>,
        /// Whether session metadata is included in the logout token.
        backchannel_logout_session_metadata: Option<LogoutSessionMetadata>,
    }
}

model! {
    /// Which events start a back-channel logout.
    @default
    pub struct LogoutInitiators {
        /// All or the selected ones.
        mode: Option<LogoutInitiatorsMode>,
        /// The selected initiators.
        selected_initiators: Option<Vec<LogoutInitiator>>,
    }
}

model! {
    /// Whether session metadata is included in logout tokens.
    @default
    pub struct LogoutSessionMetadata {
        /// Include it.
        include: Option<bool>,
    }
}

model! {
    /// Session transfer settings (`session_transfer`).
    @default
    pub struct SessionTransfer {
        /// The application may create session transfer tokens.
        can_create_session_transfer_token: Option<bool>,
        /// Revoke transferred sessions with the original.
        enforce_cascade_revocation: Option<bool>,
        /// How the token may be passed.
        allowed_authentication_methods: Option<Vec<SessionTransferMethod>>,
        /// Device binding.
        enforce_device_binding: Option<DeviceBinding>,
        /// Refresh tokens may be issued.
        allow_refresh_token: Option<bool>,
        /// Only online refresh tokens.
        enforce_online_refresh_tokens: Option<bool>,
        /// Delegation settings.
        delegation: Option<JsonObject>,
    }
}

model! {
    /// Add-on settings (`addons`): one object per add-on, kept whole.
    @default
    pub struct Addons {
        /// Amazon Web Services.
        aws: Option<JsonObject>,
        /// Azure Blob Storage.
        azure_blob: Option<JsonObject>,
        /// Azure Service Bus.
        azure_sb: Option<JsonObject>,
        /// Active Directory Rights Management Service.
        rms: Option<JsonObject>,
        /// Microsoft Dynamics CRM.
        mscrm: Option<JsonObject>,
        /// Slack.
        slack: Option<JsonObject>,
        /// Sentry.
        sentry: Option<JsonObject>,
        /// Box.
        #[doc = ""]
        box_ as "box": Option<JsonObject>,
        /// CloudBees.
        cloudbees: Option<JsonObject>,
        /// Concur.
        concur: Option<JsonObject>,
        /// Dropbox.
        dropbox: Option<JsonObject>,
        /// Adobe EchoSign.
        echosign: Option<JsonObject>,
        /// Egnyte.
        egnyte: Option<JsonObject>,
        /// Firebase.
        firebase: Option<JsonObject>,
        /// New Relic.
        newrelic: Option<JsonObject>,
        /// Office 365.
        office365: Option<JsonObject>,
        /// Salesforce.
        salesforce: Option<JsonObject>,
        /// Salesforce API.
        salesforce_api: Option<JsonObject>,
        /// Salesforce sandbox API.
        salesforce_sandbox_api: Option<JsonObject>,
        /// SAML2 web app.
        samlp: Option<JsonObject>,
        /// Layer.
        layer: Option<JsonObject>,
        /// SAP API.
        sap_api: Option<JsonObject>,
        /// SharePoint.
        sharepoint: Option<JsonObject>,
        /// SpringCM.
        springcm: Option<JsonObject>,
        /// Windows Azure Mobile Services.
        wams: Option<JsonObject>,
        /// WS-Fed web app.
        wsfed: Option<JsonObject>,
        /// Zendesk.
        zendesk: Option<JsonObject>,
        /// Zoom.
        zoom: Option<JsonObject>,
        /// SSO integration.
        sso_integration: Option<JsonObject>,
        /// Okta access gateway.
        oag: Option<JsonObject>,
    }
}

model! {
    /// Native app settings (`mobile`).
    @default
    pub struct Mobile {
        /// Android.
        android: Option<MobileAndroid>,
        /// iOS.
        ios: Option<MobileIos>,
    }
}

model! {
    /// Android app settings.
    @default
    pub struct MobileAndroid {
        /// Package name.
        app_package_name: Option<String>,
        /// SHA-256 fingerprints of the signing certificates.
        sha256_cert_fingerprints: Option<Vec<String>>,
    }
}

model! {
    /// iOS app settings.
    @default
    pub struct MobileIos {
        /// Apple team id.
        team_id: Option<String>,
        /// Bundle identifier.
        app_bundle_identifier: Option<String>,
    }
}

model! {
    /// Native social login settings (`native_social_login`).
    @default
    pub struct NativeSocialLogin {
        /// Sign in with Apple.
        apple: Option<Enabled>,
        /// Facebook.
        facebook: Option<Enabled>,
        /// Google.
        google: Option<Enabled>,
    }
}

model! {
    /// An on/off switch (`{"enabled": …}`).
    @default
    pub struct Enabled {
        /// On or off.
        enabled: Option<bool>,
    }
}

model! {
    /// FedCM login settings (`fedcm_login`).
    @default
    pub struct FedCmLogin {
        /// Google.
        google: Option<FedCmProvider>,
    }
}

model! {
    /// FedCM settings of one provider.
    @default
    pub struct FedCmProvider {
        /// On or off.
        is_enabled: Option<bool>,
    }
}

model! {
    /// The default organization for some flows (`default_organization`).
    @default
    pub struct DefaultOrganization {
        /// The organization.
        organization_id: Option<OrganizationId>,
        /// The flows it applies to.
        flows: Option<Vec<DefaultOrganizationFlow>>,
    }
}

model! {
    /// Credentials for `private_key_jwt` and mTLS client authentication
    /// (`client_authentication_methods`). In requests the credentials are full objects
    /// (`credential_type`, `pem`, …), in responses `{id}` references; both are kept whole.
    @default
    pub struct ClientAuthenticationMethods {
        /// `private_key_jwt`.
        private_key_jwt: Option<Credentials>,
        /// CA-issued certificate mTLS.
        tls_client_auth: Option<Credentials>,
        /// Self-signed certificate mTLS.
        self_signed_tls_client_auth: Option<Credentials>,
    }
}

model! {
    /// A list of client credentials.
    @default
    pub struct Credentials {
        /// The credentials.
        credentials: Option<Vec<JsonObject>>,
    }
}

model! {
    /// JWT-secured authorization request settings (`signed_request_object`).
    @default
    pub struct SignedRequestObject {
        /// Require signed request objects.
        required: Option<bool>,
        /// The credentials that verify them.
        credentials: Option<Vec<JsonObject>>,
    }
}

model! {
    /// Token Vault privileged access settings (`token_vault_privileged_access`).
    @default
    pub struct TokenVaultPrivilegedAccess {
        /// Credentials.
        credentials: Option<Vec<JsonObject>>,
        /// Allowed IP addresses or ranges.
        ip_allowlist: Option<Vec<String>>,
        /// Connections and scopes granted.
        grants: Option<Vec<JsonObject>>,
    }
}

model! {
    /// Token exchange settings (`token_exchange`).
    @default
    pub struct TokenExchange {
        /// Profile types the application may use.
        allow_any_profile_of_type: Option<Vec<TokenExchangeType>>,
    }
}

model! {
    /// Express configuration (`express_configuration`, Okta Integration Network).
    @default
    pub struct ExpressConfiguration {
        /// Login URI template.
        initiate_login_uri_template: Option<String>,
        /// User attribute profile.
        user_attribute_profile_id: Option<String>,
        /// Connection profile.
        connection_profile_id: Option<String>,
        /// Enable the client.
        enable_client: Option<bool>,
        /// Enable the organization.
        enable_organization: Option<bool>,
        /// Linked applications (`[{client_id}]`).
        linked_clients: Option<Vec<JsonObject>>,
        /// OIN client id.
        okta_oin_client_id: Option<String>,
        /// Admin login domain.
        admin_login_domain: Option<String>,
        /// OIN submission id.
        oin_submission_id: Option<String>,
    }
}

model! {
    /// My Organization settings (`my_organization_configuration`).
    @default
    pub struct MyOrganizationConfiguration {
        /// Connection profile.
        connection_profile_id: Option<String>,
        /// User attribute profile.
        user_attribute_profile_id: Option<String>,
        /// Strategies organizations may add.
        allowed_strategies: Option<Vec<Strategy>>,
        /// What happens when a connection is removed.
        connection_deletion_behavior: Option<ConnectionDeletionBehavior>,
        /// Landing application for invitations.
        invitation_landing_client_id: Option<String>,
    }
}

model! {
    /// Identity assertion authorization grant settings.
    @default
    pub struct IdentityAssertionAuthorizationGrant {
        /// On or off.
        active: Option<bool>,
    }
}

request! {
    /// The body of `POST /api/v2/clients`: every field of the API's create schema. Leave the
    /// secret unset: the server generates one and returns it in the response.
    ///
    /// ```
    /// use auth0_mgmt::clients::{AppType, CreateApplication, OrganizationUsage};
    /// let body = CreateApplication::new("billing-worker")
    ///     .app_type(AppType::NonInteractive)
    ///     .organization_usage(OrganizationUsage::Allow)
    ///     .require_pushed_authorization_requests(true);
    /// assert_eq!(
    ///     serde_json::to_value(&body)?,
    ///     serde_json::json!({
    ///         "name": "billing-worker",
    ///         "app_type": "non_interactive",
    ///         "organization_usage": "allow",
    ///         "require_pushed_authorization_requests": true
    ///     })
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct CreateApplication {
        required {
            /// Name (required; no `<` or `>`).
            name: String,
        }
        /// Description (≤140).
        description: Option<String>,
        /// Logo URL.
        logo_uri: Option<String>,
        /// Allowed callback URLs.
        callbacks: List<String>,
        /// OIDC back-channel logout settings.
        oidc_logout: Option<OidcLogout>,
        /// Deprecated name of `oidc_logout`.
        oidc_backchannel_logout: Option<OidcLogout>,
        /// Session transfer settings.
        session_transfer: Option<SessionTransfer>,
        /// Allowed origins (CORS).
        allowed_origins: List<String>,
        /// Allowed web origins.
        web_origins: List<String>,
        /// ID token audiences (aliases).
        client_aliases: List<String>,
        /// Applications allowed to make delegation requests.
        allowed_clients: List<String>,
        /// Allowed logout URLs.
        allowed_logout_urls: List<String>,
        /// Grant types.
        grant_types: List<String>,
        /// Token endpoint authentication method.
        token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
        /// Trust the IP header at the token endpoint.
        is_token_endpoint_ip_header_trusted: Option<bool>,
        /// The kind of application.
        app_type: Option<AppType>,
        /// First-party (default true) or third-party.
        is_first_party: Option<bool>,
        /// OIDC conformant.
        oidc_conformant: Option<bool>,
        /// ID token settings.
        jwt_configuration: Option<JwtConfiguration>,
        /// Encryption key (WS-Fed/SAML).
        encryption_key: Option<EncryptionKey>,
        /// Use Auth0 instead of the IdP for SSO.
        sso: Option<bool>,
        /// Cross-origin authentication allowed.
        cross_origin_authentication: Option<bool>,
        /// Cross-origin verification page URL.
        cross_origin_loc: Option<String>,
        /// SSO disabled.
        sso_disabled: Option<bool>,
        /// Custom login page enabled.
        custom_login_page_on: Option<bool>,
        /// Custom login page HTML.
        custom_login_page: Option<String>,
        /// Custom login page HTML (preview).
        custom_login_page_preview: Option<String>,
        /// WS-Fed form template.
        form_template: Option<String>,
        /// Add-on settings.
        addons: Option<Addons>,
        /// Application metadata (string values, ≤10 keys).
        client_metadata: Option<JsonObject>,
        /// Native app settings.
        mobile: Option<Mobile>,
        /// Login initiation URL.
        initiate_login_uri: Option<String>,
        /// Native social login settings.
        native_social_login: Option<NativeSocialLogin>,
        /// FedCM login settings.
        fedcm_login: Option<FedCmLogin>,
        /// Refresh token settings.
        refresh_token: Option<RefreshTokenConfig>,
        /// Default organization.
        default_organization: Option<DefaultOrganization>,
        /// Whether organizations may be used.
        organization_usage: Option<OrganizationUsage>,
        /// How an organization is asked for.
        organization_require_behavior: Option<OrganizationRequireBehavior>,
        /// How users find their organization.
        organization_discovery_methods: List<OrganizationDiscoveryMethod>,
        /// `private_key_jwt` / mTLS credentials (needs `create:client_credentials`).
        client_authentication_methods: Option<ClientAuthenticationMethods>,
        /// Require pushed authorization requests.
        require_pushed_authorization_requests: Option<bool>,
        /// Require proof of possession.
        require_proof_of_possession: Option<bool>,
        /// JWT-secured authorization requests.
        signed_request_object: Option<SignedRequestObject>,
        /// Token Vault privileged access.
        token_vault_privileged_access: Option<TokenVaultPrivilegedAccess>,
        /// Compliance level.
        compliance_level: Option<ComplianceLevel>,
        /// Skip the confirmation prompt for non-verifiable callback URIs.
        skip_non_verifiable_callback_uri_confirmation_prompt: Option<bool>,
        /// Token exchange settings.
        token_exchange: Option<TokenExchange>,
        /// PAR request expiry in seconds (10–600).
        par_request_expiry: Option<u64>,
        /// Token quota.
        token_quota: Option<TokenQuota>,
        /// The resource server this application represents.
        resource_server_identifier: Option<String>,
        /// Identity assertion authorization grant.
        identity_assertion_authorization_grant: Option<IdentityAssertionAuthorizationGrant>,
        /// Third-party security mode.
        third_party_security_mode: Option<ThirdPartySecurityMode>,
        /// Redirect handling.
        redirection_policy: Option<RedirectionPolicy>,
        /// Express configuration.
        express_configuration: Option<ExpressConfiguration>,
        /// My Organization settings.
        my_organization_configuration: Option<MyOrganizationConfiguration>,
        /// Channels for asynchronous approval notifications.
        async_approval_notification_channels: List<ApprovalNotificationChannel>,
    }
}

impl CreateApplication {
    /// An application named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        CreateApplication { name: name.into(), ..Default::default() }
    }
}

request! {
    /// The body of `PATCH /api/v2/clients/{id}`: every field of the API's update schema.
    /// Attributes the API lets you unset are [`Patch`](crate::Patch)es (absent / `null` /
    /// value).
    ///
    /// ```
    /// use auth0_mgmt::{Patch, clients::UpdateApplication};
    /// let changes = UpdateApplication::new().description("Nightly billing").cross_origin_loc(Patch::Clear);
    /// assert_eq!(
    ///     serde_json::to_value(&changes)?,
    ///     serde_json::json!({"description": "Nightly billing", "cross_origin_loc": null})
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct UpdateApplication {
        required {}
        /// Name.
        name: Option<String>,
        /// Description.
        description: Option<String>,
        /// A new client secret (needs `update:client_keys`).
        client_secret: Option<Sensitive>,
        /// Logo URL.
        logo_uri: Option<String>,
        /// Allowed callback URLs.
        callbacks: List<String>,
        /// OIDC back-channel logout settings.
        oidc_logout: Option<OidcLogout>,
        /// Deprecated name of `oidc_logout`.
        oidc_backchannel_logout: Option<OidcLogout>,
        /// Session transfer settings.
        session_transfer: Option<SessionTransfer>,
        /// Allowed origins.
        allowed_origins: List<String>,
        /// Allowed web origins.
        web_origins: List<String>,
        /// Grant types.
        grant_types: List<String>,
        /// ID token audiences (aliases).
        client_aliases: List<String>,
        /// Applications allowed to make delegation requests.
        allowed_clients: List<String>,
        /// Allowed logout URLs.
        allowed_logout_urls: List<String>,
        /// ID token settings.
        jwt_configuration: Option<JwtConfiguration>,
        /// Encryption key.
        encryption_key: Option<EncryptionKey>,
        /// Use Auth0 instead of the IdP for SSO.
        sso: Option<bool>,
        /// Cross-origin authentication allowed.
        cross_origin_authentication: Option<bool>,
        /// Cross-origin verification page URL (`null` clears it).
        cross_origin_loc: Patch<String>,
        /// SSO disabled.
        sso_disabled: Option<bool>,
        /// Custom login page enabled.
        custom_login_page_on: Option<bool>,
        /// Token endpoint authentication method (`null` clears it).
        token_endpoint_auth_method: Patch<TokenEndpointAuthMethod>,
        /// Trust the IP header at the token endpoint.
        is_token_endpoint_ip_header_trusted: Option<bool>,
        /// The kind of application.
        app_type: Option<AppType>,
        /// First-party or third-party.
        is_first_party: Option<bool>,
        /// OIDC conformant.
        oidc_conformant: Option<bool>,
        /// Custom login page HTML.
        custom_login_page: Option<String>,
        /// Custom login page HTML (preview).
        custom_login_page_preview: Option<String>,
        /// Token quota.
        token_quota: Patch<TokenQuota>,
        /// Identity assertion authorization grant.
        identity_assertion_authorization_grant: Patch<IdentityAssertionAuthorizationGrant>,
        /// WS-Fed form template.
        form_template: Option<String>,
        /// Add-on settings.
        addons: Option<Addons>,
        /// Application metadata (replaces the map).
        client_metadata: Option<JsonObject>,
        /// Native app settings.
        mobile: Option<Mobile>,
        /// Login initiation URL.
        initiate_login_uri: Option<String>,
        /// Native social login settings.
        native_social_login: Option<NativeSocialLogin>,
        /// FedCM login settings.
        fedcm_login: Option<FedCmLogin>,
        /// Refresh token settings.
        refresh_token: Patch<RefreshTokenConfig>,
        /// Default organization (`null` clears it).
        default_organization: Patch<DefaultOrganization>,
        /// Whether organizations may be used (`null` clears it).
        organization_usage: Patch<OrganizationUsage>,
        /// How an organization is asked for (`null` clears it).
        organization_require_behavior: Patch<OrganizationRequireBehavior>,
        /// How users find their organization (`null` clears it).
        organization_discovery_methods: Patch<Vec<OrganizationDiscoveryMethod>>,
        /// `private_key_jwt` / mTLS credentials (needs `update:client_credentials`).
        client_authentication_methods: Patch<ClientAuthenticationMethods>,
        /// Require pushed authorization requests.
        require_pushed_authorization_requests: Option<bool>,
        /// Require proof of possession.
        require_proof_of_possession: Option<bool>,
        /// JWT-secured authorization requests.
        signed_request_object: Option<SignedRequestObject>,
        /// Token Vault privileged access.
        token_vault_privileged_access: Patch<TokenVaultPrivilegedAccess>,
        /// Compliance level (`null` clears it).
        compliance_level: Patch<ComplianceLevel>,
        /// Skip the confirmation prompt for non-verifiable callback URIs (`null` clears it).
        skip_non_verifiable_callback_uri_confirmation_prompt: Patch<bool>,
        /// Token exchange settings (`null` clears them).
        token_exchange: Patch<TokenExchange>,
        /// PAR request expiry in seconds (`null` clears it).
        par_request_expiry: Patch<u64>,
        /// Express configuration (`null` clears it).
        express_configuration: Patch<ExpressConfiguration>,
        /// My Organization settings.
        my_organization_configuration: Option<MyOrganizationConfiguration>,
        /// Channels for asynchronous approval notifications (`null` clears them).
        async_approval_notification_channels: Patch<Vec<ApprovalNotificationChannel>>,
        /// Third-party security mode.
        third_party_security_mode: Option<ThirdPartySecurityMode>,
        /// Redirect handling.
        redirection_policy: Option<RedirectionPolicy>,
    }
}

impl UpdateApplication {
    /// No changes yet; add them with the setters.
    pub fn new() -> Self {
        Self::default()
    }
}
