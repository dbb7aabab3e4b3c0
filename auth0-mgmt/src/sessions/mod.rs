//! Sessions (reference §14): get and update metadata.
//!
//! ```no_run
//! # async fn run(client: auth0_mgmt::Client, id: auth0_mgmt::SessionId) -> auth0_mgmt::Result<()> {
//! use auth0_mgmt::sessions::UpdateSession;
//! use serde_json::json;
//!
//! let session = client.sessions().get(&id).await?;
//! let metadata = json!({"risk": "low"}).as_object().cloned().unwrap();
//! client.sessions().update(&session.id, &UpdateSession::metadata(metadata)).await?;
//! # Ok(()) }
//! ```

mod models;

pub use models::*;

use crate::catalog;
use crate::client::Client;
use crate::error::Result;
use crate::handler;
use crate::ids::SessionId;
use crate::request::Request;

/// The sessions endpoints. Get one with [`Client::sessions`].
#[derive(Clone, Debug)]
pub struct Sessions {
    client: Client,
}

impl Client {
    /// The sessions endpoints.
    pub fn sessions(&self) -> Sessions {
        Sessions { client: self.clone() }
    }
}

impl Sessions {
    /// Gets a session (`sessions.get`, `GET /api/v2/sessions/{id}`, scope `read:sessions`).
    pub async fn get(&self, id: &SessionId) -> Result<Session> {
        self.client.execute(Request::new(&catalog::SESSIONS_GET).id(id)).await
    }

    /// Gets a session, or `None` when it does not exist.
    pub async fn get_opt(&self, id: &SessionId) -> Result<Option<Session>> {
        handler::get_opt(&self.client, Request::new(&catalog::SESSIONS_GET).id(id)).await
    }

    /// Updates a session's metadata (`sessions.update`, `PATCH /api/v2/sessions/{id}`,
    /// scope `update:sessions`).
    pub async fn update(&self, id: &SessionId, changes: &UpdateSession) -> Result<Session> {
        self.client.execute(Request::new(&catalog::SESSIONS_UPDATE).id(id).json(changes)?).await
    }
}
