//! Log event models (reference §11).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::LogId;
use crate::models::{JsonObject, StringOrList, Timestamp, string_enum};

/// A tenant log event. Empty strings and `null` both occur for "no value" (e.g.
/// `user_id`, `connection_id`), so those fields are plain strings, not typed ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Log {
    /// The event id: 56 decimal digits, ordered in time; the checkpoint cursor.
    pub log_id: LogId,
    /// When it happened (an ISO-8601 string in practice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
    /// The event type code (`s`, `f`, `sapi`, …); see [`LogType::description`].
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub log_type: Option<LogType>,
    /// Human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Connection name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// Connection id (may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// Application id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Application name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Client IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Hostname the request went to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// User id (may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// User name or email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// API audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Scopes: a space-separated string or a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<StringOrList>,
    /// Connection strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// Strategy type (`database`, `social`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy_type: Option<String>,
    /// Whether the client was a mobile device.
    #[serde(rename = "isMobile", default, skip_serializing_if = "Option::is_none")]
    pub is_mobile: Option<bool>,
    /// Free-form details (for `sapi`: the request and response).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    /// User agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// TLS fingerprints (`ja3`, `ja4`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<JsonObject>,
    /// Geolocation of the IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_info: Option<JsonObject>,
    /// Organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Organization name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
    /// Attributes this crate does not model (including `_id`, a copy of `log_id`).
    #[serde(flatten)]
    pub extra: JsonObject,
}

string_enum! {
    /// A log event type code. The common codes have variants and a
    /// [`description`](LogType::description); every other code is kept in `Other`.
    pub enum LogType {
        /// Success Login.
        SuccessLogin => "s",
        /// Success Silent Auth.
        SuccessSilentAuth => "ssa",
        /// Failed Login.
        FailedLogin => "f",
        /// Failed Silent Auth.
        FailedSilentAuth => "fsa",
        /// Failed Login (invalid email/username).
        FailedLoginInvalidUser => "fu",
        /// Failed Login (wrong password).
        FailedLoginWrongPassword => "fp",
        /// Success Logout.
        SuccessLogout => "slo",
        /// Failed Logout.
        FailedLogout => "flo",
        /// Success Signup.
        SuccessSignup => "ss",
        /// Failed Signup.
        FailedSignup => "fs",
        /// Success Exchange (authorization code for access token).
        SuccessExchangeCode => "seacft",
        /// Failed Exchange (authorization code for access token).
        FailedExchangeCode => "feacft",
        /// Success Exchange (client credentials for access token).
        SuccessExchangeClientCredentials => "seccft",
        /// Failed Exchange (client credentials for access token).
        FailedExchangeClientCredentials => "feccft",
        /// Success Exchange (refresh token for access token).
        SuccessExchangeRefreshToken => "sertft",
        /// Failed Exchange (refresh token for access token).
        FailedExchangeRefreshToken => "fertft",
        /// Success API Operation (Management API write).
        SuccessApiOperation => "sapi",
        /// Failed API Operation.
        FailedApiOperation => "fapi",
        /// Management API read operation.
        ManagementApiRead => "mgmt_api_read",
        /// Success Change Password.
        SuccessChangePassword => "scp",
        /// Failed Change Password.
        FailedChangePassword => "fcp",
        /// Success Change Password Request.
        SuccessChangePasswordRequest => "scpr",
        /// Failed Change Password Request.
        FailedChangePasswordRequest => "fcpr",
        /// Success Change Email.
        SuccessChangeEmail => "sce",
        /// Failed Change Email.
        FailedChangeEmail => "fce",
        /// Success Verification Email.
        SuccessVerificationEmail => "sv",
        /// Failed Verification Email.
        FailedVerificationEmail => "fv",
        /// Success Verification Email Request.
        SuccessVerificationEmailRequest => "svr",
        /// Failed Verification Email Request.
        FailedVerificationEmailRequest => "fvr",
        /// Deleted User.
        DeletedUser => "du",
        /// Failed Sending Notification.
        FailedNotification => "fn",
        /// Warnings During Login.
        Warning => "w",
        /// Deprecation Notice.
        DeprecationNotice => "depnote",
        /// Rate Limit on the API.
        ApiLimit => "api_limit",
        /// Blocked Account (too many failed logins from one IP).
        BlockedAccount => "limit_wc",
        /// Blocked IP Address (attempts on many accounts).
        BlockedIp => "limit_mu",
        /// Breached Password.
        BreachedPassword => "pwd_leak",
    }
}

impl LogType {
    /// What the code means, for the codes this crate knows.
    ///
    /// ```
    /// use auth0_mgmt::logs::LogType;
    /// assert_eq!(LogType::from("sapi").description(), Some("Success API Operation"));
    /// assert_eq!(LogType::from("new_code").description(), None);
    /// ```
    pub fn description(&self) -> Option<&'static str> {
        Some(match self {
            LogType::SuccessLogin => "Success Login",
            LogType::SuccessSilentAuth => "Success Silent Auth",
            LogType::FailedLogin => "Failed Login",
            LogType::FailedSilentAuth => "Failed Silent Auth",
            LogType::FailedLoginInvalidUser => "Failed Login (Invalid Email/Username)",
            LogType::FailedLoginWrongPassword => "Failed Login (Wrong Password)",
            LogType::SuccessLogout => "Success Logout",
            LogType::FailedLogout => "Failed Logout",
            LogType::SuccessSignup => "Success Signup",
            LogType::FailedSignup => "Failed Signup",
            LogType::SuccessExchangeCode => "Success Exchange (Authorization Code for Access Token)",
            LogType::FailedExchangeCode => "Failed Exchange (Authorization Code for Access Token)",
            LogType::SuccessExchangeClientCredentials => "Success Exchange (Client Credentials for Access Token)",
            LogType::FailedExchangeClientCredentials => "Failed Exchange (Client Credentials for Access Token)",
            LogType::SuccessExchangeRefreshToken => "Success Exchange (Refresh Token for Access Token)",
            LogType::FailedExchangeRefreshToken => "Failed Exchange (Refresh Token for Access Token)",
            LogType::SuccessApiOperation => "Success API Operation",
            LogType::FailedApiOperation => "Failed API Operation",
            LogType::ManagementApiRead => "Management API Read Operation",
            LogType::SuccessChangePassword => "Success Change Password",
            LogType::FailedChangePassword => "Failed Change Password",
            LogType::SuccessChangePasswordRequest => "Success Change Password Request",
            LogType::FailedChangePasswordRequest => "Failed Change Password Request",
            LogType::SuccessChangeEmail => "Success Change Email",
            LogType::FailedChangeEmail => "Failed Change Email",
            LogType::SuccessVerificationEmail => "Success Verification Email",
            LogType::FailedVerificationEmail => "Failed Verification Email",
            LogType::SuccessVerificationEmailRequest => "Success Verification Email Request",
            LogType::FailedVerificationEmailRequest => "Failed Verification Email Request",
            LogType::DeletedUser => "Deleted User",
            LogType::FailedNotification => "Failed Sending Notification",
            LogType::Warning => "Warnings During Login",
            LogType::DeprecationNotice => "Deprecation Notice",
            LogType::ApiLimit => "Rate Limit on the API",
            LogType::BlockedAccount => "Blocked Account",
            LogType::BlockedIp => "Blocked IP Address",
            LogType::BreachedPassword => "Breached Password",
            LogType::Other(_) => return None,
        })
    }
}
