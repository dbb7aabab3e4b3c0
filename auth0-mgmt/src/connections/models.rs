//! Connection models (reference §9).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::ConnectionId;
use crate::models::{JsonObject, string_enum};

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

/// An on/off feature of a connection (`authentication`, `connected_accounts`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConnectionFeature {
    /// Whether the feature is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Attributes this crate does not model.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// A connection. `options` (strategy-specific, and only returned with
/// `read:connections_options`) is kept whole; it can hold IdP secrets, so `Debug` lists
/// only its keys.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// `con_…`.
    pub id: ConnectionId,
    /// Name (unique in the tenant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Identity provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
    /// Strategy-specific options, kept whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<JsonObject>,
    /// Realms (database connections: the connection name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realms: Option<Vec<String>>,
    /// Enabled applications (deprecated by Auth0, still returned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_clients: Option<Vec<String>>,
    /// Domain connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_domain_connection: Option<bool>,
    /// Shown as a button on the login page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_as_button: Option<bool>,
    /// Metadata (string values, ≤10 keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Usable for authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<ConnectionFeature>,
    /// Usable for connected accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_accounts: Option<ConnectionFeature>,
    /// AD/LDAP provisioning ticket URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_ticket_url: Option<String>,
    /// Attributes this crate does not model, kept for round trips.
    #[serde(flatten)]
    pub extra: JsonObject,
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
            .field("provisioning_ticket_url", &self.provisioning_ticket_url)
            .field("extra", &self.extra)
            .finish()
    }
}

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
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CreateConnection {
    /// Name (required; letters, digits and single dashes, ≤128).
    pub name: String,
    /// Identity provider (required).
    pub strategy: Strategy,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Strategy-specific options, sent whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<JsonObject>,
    /// Enabled applications (Auth0 recommends `PATCH /connections/{id}/clients` instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_clients: Option<Vec<String>>,
    /// Domain connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_domain_connection: Option<bool>,
    /// Show as a button on the login page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_as_button: Option<bool>,
    /// Realms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realms: Option<Vec<String>>,
    /// Metadata (string values, ≤10 keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Usable for authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<ConnectionFeature>,
    /// Usable for connected accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_accounts: Option<ConnectionFeature>,
    /// Fields sent as given (for attributes newer than this crate).
    #[serde(flatten)]
    pub extra: JsonObject,
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
            extra: JsonObject::new(),
        }
    }

    /// Sets the strategy options.
    pub fn options(mut self, options: JsonObject) -> Self {
        self.options = Some(options);
        self
    }

    /// Sets the display name.
    pub fn display_name(mut self, display_name: impl Into<String>) -> Self {
        self.display_name = Some(display_name.into());
        self
    }

    /// Sets the enabled applications.
    pub fn enabled_clients<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.enabled_clients = Some(ids.into_iter().map(Into::into).collect());
        self
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
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}
