//! Organization models (reference §10).

use crate::connections::Strategy;
use crate::ids::{ConnectionId, OrganizationId, RoleId, UserId};
use crate::models::{JsonObject, model, request, string_enum};

string_enum! {
    /// Which third-party applications may be used with an organization
    /// (`third_party_client_access`).
    pub enum ThirdPartyClientAccess {
        /// Any third-party application.
        AllowAll => "allow_all",
        /// No third-party application.
        DenyAll => "deny_all",
        /// Only those with a client grant for the organization.
        RequireClientGrant => "require_client_grant",
    }
}

model! {
    /// An organization.
    pub struct Organization {
        /// `org_…`.
        id: OrganizationId,
        /// Name (1–50, unique).
        name: Option<String>,
        /// Display name.
        display_name: Option<String>,
        /// Branding.
        branding: Option<Branding>,
        /// Metadata (string or null values, ≤25 keys).
        metadata: Option<JsonObject>,
        /// Token quota for the organization's client-credentials grants.
        token_quota: Option<TokenQuota>,
        /// Which third-party applications may be used with it.
        third_party_client_access: Option<ThirdPartyClientAccess>,
        /// Enabled connections (in the create response when connections were passed).
        enabled_connections: Option<Vec<OrganizationConnection>>,
    }
}

model! {
    /// Branding of an organization.
    @default
    pub struct Branding {
        /// Logo URL.
        logo_url: Option<String>,
        /// Colors.
        colors: Option<BrandingColors>,
    }
}

model! {
    /// Branding colors of an organization (`#rrggbb`).
    @default
    pub struct BrandingColors {
        /// Primary color.
        primary: Option<String>,
        /// Page background color.
        page_background: Option<String>,
    }
}

model! {
    /// A token quota (`token_quota`) of an application or an organization.
    @default
    pub struct TokenQuota {
        /// Limits on client-credentials tokens.
        client_credentials: Option<TokenQuotaLimits>,
    }
}

model! {
    /// Limits of a token quota.
    @default
    pub struct TokenQuotaLimits {
        /// Refuse tokens past the limit (true) or only report (false).
        enforce: Option<bool>,
        /// Tokens per day.
        per_day: Option<u64>,
        /// Tokens per hour.
        per_hour: Option<u64>,
    }
}

model! {
    /// A connection enabled for an organization.
    pub struct OrganizationConnection {
        /// The connection.
        connection_id: ConnectionId,
        /// Make users of this connection members on login.
        assign_membership_on_login: Option<bool>,
        /// Show as a button on the organization's login page.
        show_as_button: Option<bool>,
        /// Allow sign-up through this connection.
        is_signup_enabled: Option<bool>,
        /// The connection's name and strategy (responses only).
        connection: Option<OrganizationConnectionInfo>,
    }
}

impl OrganizationConnection {
    /// Enables `connection_id` with the server's defaults.
    pub fn new(connection_id: ConnectionId) -> Self {
        OrganizationConnection {
            connection_id,
            assign_membership_on_login: None,
            show_as_button: None,
            is_signup_enabled: None,
            connection: None,
            extra: JsonObject::new(),
            nulls: Default::default(),
        }
    }

    /// Sets `assign_membership_on_login`.
    pub fn assign_membership_on_login(mut self, yes: bool) -> Self {
        self.assign_membership_on_login = Some(yes);
        self
    }

    /// Sets `show_as_button`.
    pub fn show_as_button(mut self, yes: bool) -> Self {
        self.show_as_button = Some(yes);
        self
    }

    /// Sets `is_signup_enabled`.
    pub fn is_signup_enabled(mut self, yes: bool) -> Self {
        self.is_signup_enabled = Some(yes);
        self
    }
}

model! {
    /// Name and strategy of a connection enabled for an organization.
    @default
    pub struct OrganizationConnectionInfo {
        /// Connection name.
        name: Option<String>,
        /// Connection strategy.
        strategy: Option<Strategy>,
    }
}

request! {
    /// The body of `POST /api/v2/organizations`.
    ///
    /// ```
    /// use auth0_mgmt::organizations::CreateOrganization;
    /// let body = CreateOrganization::new("acme").display_name("Acme Inc.");
    /// assert_eq!(
    ///     serde_json::to_value(&body)?,
    ///     serde_json::json!({"name": "acme", "display_name": "Acme Inc."})
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct CreateOrganization {
        required {
            /// Name (required, 1–50).
            name: String,
        }
        /// Display name (1–255).
        display_name: Option<String>,
        /// Branding.
        branding: Option<Branding>,
        /// Metadata (string values, ≤25 keys).
        metadata: Option<JsonObject>,
        /// Connections to enable (≤10; needs `create:organization_connections`).
        enabled_connections: List<OrganizationConnection>,
        /// Token quota.
        token_quota: Option<TokenQuota>,
        /// Which third-party applications may be used with it.
        third_party_client_access: Option<ThirdPartyClientAccess>,
    }
}

impl CreateOrganization {
    /// An organization named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        CreateOrganization { name: name.into(), ..Default::default() }
    }

    /// Enables a connection.
    pub fn enable_connection(mut self, connection: OrganizationConnection) -> Self {
        self.enabled_connections.get_or_insert_with(Vec::new).push(connection);
        self
    }
}

model! {
    /// A member of an organization.
    pub struct Member {
        /// The user.
        user_id: UserId,
        /// Email.
        email: Option<String>,
        /// Picture URL.
        picture: Option<String>,
        /// Name.
        name: Option<String>,
        /// Organization roles (with `fields=roles` and `read:organization_member_roles`).
        roles: Option<Vec<MemberRole>>,
    }
}

model! {
    /// A role of an organization member. The API schema makes both fields optional.
    @default
    pub struct MemberRole {
        /// The role.
        id: Option<RoleId>,
        /// Its name.
        name: Option<String>,
    }
}
