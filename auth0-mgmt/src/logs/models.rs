//! Log event models (reference §11).

use serde_json::Value;

use crate::ids::LogId;
use crate::models::{StringOrList, Timestamp, model, string_enum};

model! {
    /// A tenant log event. Empty strings and `null` both occur for "no value" (e.g.
    /// `user_id`, `connection_id`), so those fields are plain strings, not typed ids;
    /// either form re-encodes as it came.
    pub struct Log {
        /// The event id: 56 decimal digits, ordered in time; the checkpoint cursor.
        log_id: LogId,
        /// `_id`: a copy of `log_id` that the API also sends.
        id as "_id": Option<String>,
        /// When it happened (an RFC 3339 string in practice; the API also allows an object).
        date: Option<Timestamp>,
        /// The event type code (`s`, `f`, `sapi`, …); see [`LogType::description`].
        log_type as "type": Option<LogType>,
        /// Human description.
        description: Option<String>,
        /// Connection name.
        connection: Option<String>,
        /// Connection id (may be empty).
        connection_id: Option<String>,
        /// Application id.
        client_id: Option<String>,
        /// Application name.
        client_name: Option<String>,
        /// Client IP address.
        ip: Option<String>,
        /// Hostname the request went to.
        hostname: Option<String>,
        /// User id (may be empty).
        user_id: Option<String>,
        /// User name or email.
        user_name: Option<String>,
        /// API audience.
        audience: Option<String>,
        /// Scopes: a space-separated string or a list.
        scope: Option<StringOrList>,
        /// Connection strategy.
        strategy: Option<String>,
        /// Strategy type (`database`, `social`, …).
        strategy_type: Option<String>,
        /// Whether the client was a mobile device.
        is_mobile as "isMobile": Option<bool>,
        /// Free-form details (for `sapi`: the request and response).
        details: Option<Value>,
        /// User agent.
        user_agent: Option<String>,
        /// TLS fingerprints.
        security_context: Option<SecurityContext>,
        /// Geolocation of the IP.
        location_info: Option<LocationInfo>,
        /// Organization id.
        organization_id: Option<String>,
        /// Organization name.
        organization_name: Option<String>,
        /// Tenant name.
        tenant_name: Option<String>,
    }
}

model! {
    /// TLS fingerprints of the client that caused a log event.
    @default
    pub struct SecurityContext {
        /// JA3 fingerprint.
        ja3: Option<String>,
        /// JA4 fingerprint.
        ja4: Option<String>,
    }
}

model! {
    /// Where the IP address of a log event is located.
    @default
    pub struct LocationInfo {
        /// ISO 3166-1 alpha-2 country code.
        country_code: Option<String>,
        /// ISO 3166-1 alpha-3 country code.
        country_code3: Option<String>,
        /// Country name.
        country_name: Option<String>,
        /// City name.
        city_name: Option<String>,
        /// Latitude (kept as the JSON number it was; `as_f64()` reads it).
        latitude: Option<serde_json::Number>,
        /// Longitude (kept as the JSON number it was).
        longitude: Option<serde_json::Number>,
        /// IANA time zone.
        time_zone: Option<String>,
        /// Continent code.
        continent_code: Option<String>,
    }
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
