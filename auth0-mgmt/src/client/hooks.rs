//! The driver of the [`Interceptor`] contract for one call.

use std::sync::Arc;

use bytes::Bytes;
use tokio::time::Instant;

use crate::error::{Denial, Result};
use crate::request::{CallHook, Interceptor, Outcome, Request};
use crate::token::Scopes;

/// The per-call hooks of the client's interceptors, in installation order: the driver
/// of the [`Interceptor`] contract. Every hook a `begin` returned is finished exactly
/// once — with the call's outcome, with the denial of a later `begin`, or, when the
/// call's future is dropped at any await point, with [`Outcome::Cancelled`] (in `Drop`).
pub(super) struct Hooks<'r> {
    request: &'r Request,
    hooks: Vec<Box<dyn CallHook>>,
    started: Instant,
    /// Every `before_send` passed: the request may have left.
    sent: bool,
}

impl<'r> Hooks<'r> {
    pub(super) fn new(request: &'r Request, started: Instant) -> Hooks<'r> {
        Hooks { request, hooks: Vec::new(), started, sent: false }
    }

    /// Runs every interceptor's `begin`, in order. When one denies, the hooks already
    /// begun are finished with that denial.
    pub(super) async fn begin(&mut self, interceptors: &[Arc<dyn Interceptor>]) -> std::result::Result<(), Denial> {
        self.hooks.reserve(interceptors.len());
        for i in interceptors {
            match i.begin(self.request).await {
                Ok(h) => self.hooks.push(h),
                Err(denial) => {
                    self.finish(&Outcome::Denied(&denial));
                    return Err(denial);
                }
            }
        }
        Ok(())
    }

    pub(super) fn check_scopes(&mut self, granted: &Scopes) -> Result<()> {
        for h in &mut self.hooks {
            h.check_scopes(self.request, granted)?;
        }
        Ok(())
    }

    /// Every hook's `before_send`, once per call (the client calls it right before the
    /// first send only).
    pub(super) async fn before_send(&mut self) -> Result<()> {
        debug_assert!(!self.sent, "before_send runs once per call");
        for h in &mut self.hooks {
            h.before_send(self.request).await?;
        }
        self.sent = true;
        Ok(())
    }

    pub(super) fn filter_response(&mut self, mut body: Bytes) -> Bytes {
        for h in &mut self.hooks {
            body = h.filter_response(self.request, body);
        }
        body
    }

    /// Finishes every begun hook with `outcome` (each exactly once: they are consumed).
    pub(super) fn finish(&mut self, outcome: &Outcome<'_>) {
        for h in self.hooks.drain(..) {
            h.finish(self.request, outcome);
        }
    }
}

impl Drop for Hooks<'_> {
    fn drop(&mut self) {
        if !self.hooks.is_empty() {
            let outcome = Outcome::Cancelled { maybe_sent: self.sent, elapsed: self.started.elapsed() };
            self.finish(&outcome);
        }
    }
}
