//! Connection models (reference §9).

use std::fmt;

use crate::ids::ConnectionId;
use crate::models::{JsonObject, model, request, string_enum};

string_enum! {
    /// The identity provider of a connection (`strategy`). Unknown values are kept in
    /// `Other` and re-encoded unchanged.
    pub enum Strategy {
        /// Active Directory / LDAP (AD connector).
        Ad => "ad",
        /// ADFS.
        Adfs => "adfs",
        /// Amazon.
        Amazon => "amazon",
        /// Sign in with Apple.
        Apple => "apple",
        /// Dropbox.
        Dropbox => "dropbox",
        /// Bitbucket.
        Bitbucket => "bitbucket",
        /// Auth0 OIDC.
        Auth0Oidc => "auth0-oidc",
        /// Auth0 database connection.
        Auth0 => "auth0",
        /// AD/LDAP connector (list filter only).
        Auth0Adldap => "auth0-adldap",
        /// Baidu.
        Baidu => "baidu",
        /// Bitly.
        Bitly => "bitly",
        /// Box.
        Box => "box",
        /// Custom social connection.
        Custom => "custom",
        /// dAccount.
        Daccount => "daccount",
        /// Dwolla.
        Dwolla => "dwolla",
        /// Passwordless email.
        Email => "email",
        /// Evernote sandbox.
        EvernoteSandbox => "evernote-sandbox",
        /// Evernote.
        Evernote => "evernote",
        /// Exact.
        Exact => "exact",
        /// Facebook.
        Facebook => "facebook",
        /// Fitbit.
        Fitbit => "fitbit",
        /// GitHub.
        Github => "github",
        /// Google Workspace.
        GoogleApps => "google-apps",
        /// Google (social).
        GoogleOauth2 => "google-oauth2",
        /// Instagram.
        Instagram => "instagram",
        /// IP address authentication.
        Ip => "ip",
        /// LINE.
        Line => "line",
        /// LinkedIn.
        Linkedin => "linkedin",
        /// Generic OAuth 1.
        Oauth1 => "oauth1",
        /// Generic OAuth 2.
        Oauth2 => "oauth2",
        /// Office 365.
        Office365 => "office365",
        /// OpenID Connect.
        Oidc => "oidc",
        /// Okta Workforce.
        Okta => "okta",
        /// PayPal.
        Paypal => "paypal",
        /// PayPal sandbox.
        PaypalSandbox => "paypal-sandbox",
        /// PingFederate.
        Pingfederate => "pingfederate",
        /// Planning Center.
        Planningcenter => "planningcenter",
        /// Salesforce community.
        SalesforceCommunity => "salesforce-community",
        /// Salesforce sandbox.
        SalesforceSandbox => "salesforce-sandbox",
        /// Salesforce.
        Salesforce => "salesforce",
        /// SAML.
        Samlp => "samlp",
        /// SharePoint.
        Sharepoint => "sharepoint",
        /// Shopify.
        Shopify => "shopify",
        /// Shop.
        Shop => "shop",
        /// Passwordless SMS.
        Sms => "sms",
        /// SoundCloud.
        Soundcloud => "soundcloud",
        /// 37signals.
        Thirtysevensignals => "thirtysevensignals",
        /// Twitter / X.
        Twitter => "twitter",
        /// Untappd.
        Untappd => "untappd",
        /// VKontakte.
        Vkontakte => "vkontakte",
        /// Microsoft Entra ID (Azure AD).
        Waad => "waad",
        /// Weibo.
        Weibo => "weibo",
        /// Microsoft account.
        Windowslive => "windowslive",
        /// WordPress.
        Wordpress => "wordpress",
        /// Yahoo.
        Yahoo => "yahoo",
        /// Yandex.
        Yandex => "yandex",
    }
}

model! {
    /// An on/off feature of a connection (`authentication`, `connected_accounts`).
    @default
    pub struct ConnectionFeature {
        /// Whether the feature is active.
        active: Option<bool>,
    }
}

impl ConnectionFeature {
    /// The feature, on or off.
    pub fn active(active: bool) -> Self {
        ConnectionFeature { active: Some(active), ..Default::default() }
    }
}

string_enum! {
    /// Whether a connection accepts cross-app access requests (`cross_app_access_resource_app.status`).
    pub enum CrossAppAccessStatus {
        /// Accepted.
        Enabled => "enabled",
        /// Refused.
        Disabled => "disabled",
    }
}

model! {
    /// Cross-app access settings of a connection as a resource app.
    @default
    pub struct CrossAppAccessResourceApp {
        /// On or off.
        status: Option<CrossAppAccessStatus>,
    }
}

model! {
    /// A connection. `options` (strategy-specific, and only returned with
    /// `read:connections_options`) is kept whole; it can hold IdP secrets, so `Debug` lists
    /// only its keys.
    @custom_debug
    pub struct Connection {
        /// `con_…`.
        id: ConnectionId,
        /// Name (unique in the tenant).
        name: Option<String>,
        /// Display name.
        display_name: Option<String>,
        /// Identity provider.
        strategy: Option<Strategy>,
        /// Strategy-specific options, kept whole.
        options: Option<JsonObject>,
        /// Realms (database connections: the connection name).
        realms: Option<Vec<String>>,
        /// Enabled applications (deprecated by Auth0, still returned).
        enabled_clients: Option<Vec<String>>,
        /// Domain connection.
        is_domain_connection: Option<bool>,
        /// Shown as a button on the login page.
        show_as_button: Option<bool>,
        /// Metadata (string values, ≤10 keys).
        metadata: Option<JsonObject>,
        /// Usable for authentication.
        authentication: Option<ConnectionFeature>,
        /// Usable for connected accounts.
        connected_accounts: Option<ConnectionFeature>,
        /// Cross-app access settings as the requesting app.
        cross_app_access_requesting_app: Option<JsonObject>,
        /// Cross-app access settings as the resource app.
        cross_app_access_resource_app: Option<CrossAppAccessResourceApp>,
        /// AD/LDAP provisioning ticket URL.
        provisioning_ticket_url: Option<String>,
    }
}

/// `Debug` for an options map: the keys only (values may be IdP secrets).
struct OptionKeys<'a>(&'a Option<JsonObject>);

impl fmt::Debug for OptionKeys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("None"),
            Some(o) => {
                f.write_str("Some(keys ")?;
                f.debug_list().entries(o.keys()).finish()?;
                f.write_str(")")
            }
        }
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("display_name", &self.display_name)
            .field("strategy", &self.strategy)
            .field("options", &OptionKeys(&self.options))
            .field("realms", &self.realms)
            .field("enabled_clients", &self.enabled_clients)
            .field("is_domain_connection", &self.is_domain_connection)
            .field("show_as_button", &self.show_as_button)
            .field("metadata", &self.metadata)
            .field("authentication", &self.authentication)
            .field("connected_accounts", &self.connected_accounts)
            .field("cross_app_access_requesting_app", &self.cross_app_access_requesting_app)
            .field("cross_app_access_resource_app", &self.cross_app_access_resource_app)
            .field("provisioning_ticket_url", &self.provisioning_ticket_url)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

request! {
    /// The body of `POST /api/v2/connections`. `options` is sent as given.
    ///
    /// ```
    /// use auth0_mgmt::connections::{CreateConnection, Strategy};
    /// use serde_json::json;
    ///
    /// let options = json!({"brute_force_protection": true}).as_object().cloned().unwrap();
    /// let body = CreateConnection::new("customers", Strategy::Auth0).options(options);
    /// assert_eq!(
    ///     serde_json::to_value(&body)?,
    ///     json!({"name": "customers", "strategy": "auth0", "options": {"brute_force_protection": true}})
    /// );
    /// assert!(!format!("{body:?}").contains("true")); // options values are not printed
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[derive(Clone, PartialEq)]
    pub struct CreateConnection {
        required {
            /// Name (required; letters, digits and single dashes, ≤128).
            name: String,
            /// Identity provider (required).
            strategy: Strategy,
        }
        /// Display name (≤128).
        display_name: Option<String>,
        /// Strategy-specific options, sent whole.
        options: Option<JsonObject>,
        /// Enabled applications (Auth0 recommends `PATCH /connections/{id}/clients` instead).
        enabled_clients: List<String>,
        /// Domain connection.
        is_domain_connection: Option<bool>,
        /// Show as a button on the login page.
        show_as_button: Option<bool>,
        /// Realms.
        realms: List<String>,
        /// Metadata (string values, ≤10 keys).
        metadata: Option<JsonObject>,
        /// Usable for authentication.
        authentication: Option<ConnectionFeature>,
        /// Usable for connected accounts.
        connected_accounts: Option<ConnectionFeature>,
        /// Cross-app access settings as the requesting app.
        cross_app_access_requesting_app: Option<JsonObject>,
        /// Cross-app access settings as the resource app.
        cross_app_access_resource_app: Option<CrossAppAccessResourceApp>,
    }
}

impl CreateConnection {
    /// A connection named `name` using `strategy`.
    pub fn new(name: impl Into<String>, strategy: Strategy) -> Self {
        CreateConnection {
            name: name.into(),
            strategy,
            display_name: None,
            options: None,
            enabled_clients: None,
            is_domain_connection: None,
            show_as_button: None,
            realms: None,
            metadata: None,
            authentication: None,
            connected_accounts: None,
            cross_app_access_requesting_app: None,
            cross_app_access_resource_app: None,
            extra: JsonObject::new(),
        }
    }
}

impl fmt::Debug for CreateConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateConnection")
            .field("name", &self.name)
            .field("strategy", &self.strategy)
            .field("display_name", &self.display_name)
            .field("options", &OptionKeys(&self.options))
            .field("enabled_clients", &self.enabled_clients)
            .field("is_domain_connection", &self.is_domain_connection)
            .field("show_as_button", &self.show_as_button)
            .field("realms", &self.realms)
            .field("metadata", &self.metadata)
            .field("authentication", &self.authentication)
            .field("connected_accounts", &self.connected_accounts)
            .field("cross_app_access_requesting_app", &self.cross_app_access_requesting_app)
            .field("cross_app_access_resource_app", &self.cross_app_access_resource_app)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}
