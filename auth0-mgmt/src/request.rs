//! A request as the one request path sees it, and the [`Interceptor`] hook through
//! which a policy layer decides before anything is sent and records what happened.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use serde::Serialize;
use serde_json::Value;

use crate::catalog::Operation;
use crate::error::{Denial, Error, Result};
use crate::ids::encode_segment;
use crate::ratelimit::RateLimit;
use crate::token::Scopes;

/// The future type of the asynchronous hooks ([`Interceptor::begin`],
/// [`CallHook::before_send`]): boxed, `Send`, borrowing the hook and the request.
pub use futures::future::BoxFuture;

/// Ids that can fill an operation's `{id}` path parameter (the crate's id newtypes).
pub trait PathId: sealed::Sealed {
    /// The validated, unencoded id.
    fn id_str(&self) -> &str;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! path_ids {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl PathId for $t {
            fn id_str(&self) -> &str {
                self.as_str()
            }
        }
    )*};
}
path_ids!(
    crate::UserId,
    crate::RoleId,
    crate::ClientId,
    crate::ConnectionId,
    crate::OrganizationId,
    crate::LogId,
    crate::GrantId,
    crate::ResourceServerId,
    crate::RefreshTokenId,
    crate::SessionId
);

/// One call of a catalog [`Operation`]: its path id, query and JSON body.
///
/// Resource handlers build these; [`Client::execute`](crate::Client::execute) sends
/// them. An [`Interceptor`] sees the whole request before anything is sent.
///
/// ```
/// use auth0_mgmt::{catalog, Request, UserId};
///
/// let id: UserId = "auth0|abc".parse()?;
/// let req = Request::new(&catalog::USERS_GET).id(&id).query("fields", "email");
/// assert_eq!(req.path(), "/api/v2/users/auth0%7Cabc");
/// # Ok::<(), auth0_mgmt::IdError>(())
/// ```
#[derive(Clone)]
pub struct Request {
    op: &'static Operation,
    path_id: Option<String>,
    query: Vec<(Cow<'static, str>, String)>,
    body: Option<Value>,
}

impl Request {
    /// A request for `op`, with no id, query or body yet.
    pub fn new(op: &'static Operation) -> Request {
        Request { op, path_id: None, query: Vec::new(), body: None }
    }

    /// Sets the `{id}` path parameter.
    pub fn id(mut self, id: &impl PathId) -> Request {
        self.path_id = Some(id.id_str().to_owned());
        self
    }

    /// Appends a query parameter (repeat the name for array parameters).
    pub fn query(mut self, name: impl Into<Cow<'static, str>>, value: impl ToString) -> Request {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Appends a query parameter when `value` is `Some`.
    pub fn query_opt<V: ToString>(self, name: impl Into<Cow<'static, str>>, value: Option<V>) -> Request {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Sets the JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Request> {
        self.body = Some(serde_json::to_value(body).map_err(|source| Error::Encode { operation: self.op.id, source })?);
        Ok(self)
    }

    /// Sets the JSON body from a value.
    pub fn json_value(mut self, body: Value) -> Request {
        self.body = Some(body);
        self
    }

    /// Replaces a query parameter's value (or appends it).
    pub(crate) fn set_query(mut self, name: &'static str, value: impl ToString) -> Request {
        self.query.retain(|(k, _)| k != name);
        self.query(name, value)
    }

    /// The operation.
    pub fn operation(&self) -> &'static Operation {
        self.op
    }

    /// The `{id}` path parameter (unencoded), if any.
    pub fn path_id(&self) -> Option<&str> {
        self.path_id.as_deref()
    }

    /// The query parameters, in order.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter().map(|(k, v)| (k.as_ref(), v.as_str()))
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The JSON body, if any.
    pub fn body(&self) -> Option<&Value> {
        self.body.as_ref()
    }

    /// The path with the id percent-encoded as one segment (no query string).
    pub fn path(&self) -> String {
        match &self.path_id {
            Some(id) => self.op.path.replace("{id}", &encode_segment(id)),
            None => self.op.path.to_owned(),
        }
    }

    /// Checks that the path parameter is present exactly when the template has one.
    pub(crate) fn check_shape(&self) -> Result<()> {
        let wants_id = self.op.path.contains("{id}");
        match (wants_id, self.path_id.is_some()) {
            (true, false) => Err(Error::Config(format!("{} needs an id", self.op.id))),
            (false, true) => Err(Error::Config(format!("{} takes no id", self.op.id))),
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for Request {
    /// Shows the operation, the id and the query parameter *names* only: bodies can hold
    /// passwords and secrets, and query values can hold email addresses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &self.op.id)
            .field("path_id", &self.path_id)
            .field("query", &self.query.iter().map(|(k, _)| k.as_ref()).collect::<Vec<_>>())
            .field("body", &self.body.as_ref().map(|_| "[json]"))
            .finish()
    }
}

/// Refuses an empty list locally for operations whose body needs at least one item
/// (the API answers 400 otherwise).
pub(crate) fn non_empty<T>(op: &'static Operation, what: &str, items: Vec<T>) -> Result<Vec<T>> {
    if items.is_empty() {
        return Err(Error::InvalidRequest { operation: op.id, reason: format!("at least one {what} is required") });
    }
    Ok(items)
}

/// How a call ended, as reported to [`CallHook::finish`].
///
/// Not `#[non_exhaustive]`, on purpose: an audit trail matches on it exhaustively, so a
/// new way for a call to end is a compile error there rather than a record that says
/// nothing.
#[derive(Debug)]
pub enum Outcome<'a> {
    /// An interceptor refused the call; nothing was sent.
    Denied(&'a Denial),
    /// The server answered with a success status.
    Completed {
        /// The status.
        status: StatusCode,
        /// Rate-limit headers of the final response.
        rate_limit: &'a RateLimit,
        /// Attempts made.
        attempts: u32,
        /// Time from the start of the call.
        elapsed: Duration,
    },
    /// The call failed (API error, transport error, token error, decoding error).
    Failed {
        /// The error returned to the caller.
        error: &'a Error,
        /// Time from the start of the call.
        elapsed: Duration,
    },
    /// The caller dropped the call's future before it ended (a timeout around it, a
    /// `select!`, a closed connection). Every begun hook still gets its one `finish`.
    Cancelled {
        /// Whether every `before_send` had passed: the request may have reached the
        /// tenant (or was about to). `false`: it certainly was not sent.
        maybe_sent: bool,
        /// Time from the start of the call.
        elapsed: Duration,
    },
}

/// A hook on the one request path: decide before anything is sent, record what is
/// about to leave, filter what comes back, and learn how every call ended. The
/// `auth0-mgmt-policy` guard implements it.
///
/// The contract, per call, in order:
///
/// 1. [`begin`](Interceptor::begin) once, before a token is fetched. Asynchronous (it may
///    consult a store). It returns the call's [`CallHook`] — the per-call context that
///    carries whatever was decided here to the end of the call — or a [`Denial`]
///    (nothing is sent; an interceptor that denies in `begin` records the denial
///    itself, it gets no hook).
/// 2. [`CallHook::check_scopes`] with the token about to be used (again after a token
///    refresh). Synchronous: it looks at the token only.
/// 3. [`CallHook::before_send`] once, immediately before the request first leaves, after
///    every check of every interceptor passed (scopes included). Asynchronous (it may
///    consult a store: approvals, budgets). An `Err` refuses the call: nothing is sent.
///    A policy writes its write-ahead record here. It is not called again for retries
///    or for the resend after a token refresh.
/// 4. [`CallHook::filter_response`] with a success body, before it is decoded.
/// 5. [`CallHook::finish`] exactly once, with the outcome, for every hook `begin`
///    returned — also when a later interceptor, a later check or the transport ended the
///    call, and also when the caller drops the call's future at any await point
///    ([`Outcome::Cancelled`]).
///
/// The futures are polled by the call's own task; an implementation must not block
/// for long in them (run blocking store work with `tokio::task::spawn_blocking`).
///
/// Interceptors are added with [`Client::with_interceptor`](crate::Client::with_interceptor)
/// and can never be removed from the client they were added to.
///
/// ```
/// use auth0_mgmt::{BoxFuture, CallHook, Denial, Interceptor, Outcome, Request, Scopes};
///
/// /// Refuses every write; counts nothing, records nothing.
/// #[derive(Debug)]
/// struct ReadOnly;
///
/// struct Call;
///
/// impl Interceptor for ReadOnly {
///     fn begin<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<Box<dyn CallHook>, Denial>> {
///         let op = request.operation();
///         let result: Result<Box<dyn CallHook>, Denial> = if op.access.is_write() {
///             Err(Denial::new(op.id, "read_only", "this client only reads"))
///         } else {
///             Ok(Box::new(Call))
///         };
///         Box::pin(std::future::ready(result))
///     }
/// }
///
/// impl CallHook for Call {
///     fn check_scopes(&mut self, _: &Request, _: &Scopes) -> Result<(), Denial> {
///         Ok(())
///     }
///     fn before_send<'a>(&'a mut self, _: &'a Request) -> BoxFuture<'a, Result<(), Denial>> {
///         Box::pin(async { Ok(()) })
///     }
///     fn finish(self: Box<Self>, _: &Request, _: &Outcome<'_>) {}
/// }
/// ```
pub trait Interceptor: Send + Sync + fmt::Debug + 'static {
    /// Decides whether the call may proceed and returns its per-call hook.
    fn begin<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, std::result::Result<Box<dyn CallHook>, Denial>>;
}

/// The per-call half of an [`Interceptor`]: made by [`Interceptor::begin`] for one call,
/// told everything that happens to that call, consumed by [`finish`](CallHook::finish).
pub trait CallHook: Send + Sync {
    /// Called with the scopes of the token about to be used, before the first send and
    /// again after a token refresh. An `Err` refuses the call: nothing is sent.
    fn check_scopes(&mut self, request: &Request, granted: &Scopes) -> std::result::Result<(), Denial>;

    /// Called once, after every check passed, immediately before the request is first
    /// sent. An `Err` refuses the call: nothing is sent. Required, so that an
    /// implementation states what it does at this point.
    fn before_send<'a>(&'a mut self, request: &'a Request) -> BoxFuture<'a, std::result::Result<(), Denial>>;

    /// Called with a success body before it is decoded. Returns the body to decode:
    /// the same bytes (no copy) or a replacement that is no larger than the original
    /// (e.g. with secret fields removed).
    fn filter_response(&mut self, request: &Request, body: Bytes) -> Bytes {
        let _ = request;
        body
    }

    /// Called exactly once with how the call ended.
    fn finish(self: Box<Self>, request: &Request, outcome: &Outcome<'_>);
}
