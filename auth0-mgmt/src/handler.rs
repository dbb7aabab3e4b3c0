//! The three handler shapes that are more than "send and decode", written once: a get
//! that turns 404 into `None`, a call whose answer has no meaningful body, and a delete
//! by id. Every resource handler (`users/mod.rs`, `roles/mod.rs`, …) uses these.

use serde::de::DeserializeOwned;

use crate::catalog::Operation;
use crate::client::Client;
use crate::error::Result;
use crate::request::{PathId, Request};

/// Sends a get; `Ok(None)` when the server answers 404 (whatever the `errorCode`: some
/// Auth0 404s carry none). Every other failure stays an error.
pub(crate) async fn get_opt<T: DeserializeOwned + 'static>(client: &Client, request: Request) -> Result<Option<T>> {
    match client.execute::<T>(request).await {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Sends a call whose success has no meaningful body (204, 202, `{}`, an echo): the
/// body is not decoded.
pub(crate) async fn no_content(client: &Client, request: Request) -> Result<()> {
    client.execute::<()>(request).await
}

/// Deletes the resource `id` with the delete operation `op` (no body is sent, none is
/// decoded).
pub(crate) async fn delete(client: &Client, op: &'static Operation, id: &impl PathId) -> Result<()> {
    no_content(client, Request::new(op).id(id)).await
}
