//! Examples and cross-crate tests for the auth0-mgmt workspace; nothing to use here.
