//! TLS with a custom CA (a corporate root, a TLS-inspecting proxy): a loopback HTTPS
//! server whose certificate the system does not trust is reached with `ca_file` or
//! `add_root_certificate`, and refused without.

use std::path::PathBuf;
use std::sync::Arc;

use auth0_mgmt::{Client, Error, UserId};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn tls_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tls")
}

/// An HTTPS server on 127.0.0.1 answering every request with a token or a user.
async fn https_server() -> String {
    let dir = tls_dir();
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(dir.join("server.pem")).unwrap().map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else { return };
                let mut buf = vec![0u8; 16 * 1024];
                let mut read = 0;
                while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                }
                let body: &[u8] = if buf.starts_with(b"POST /oauth/token") {
                    br#"{"access_token":"tls-token","token_type":"Bearer","expires_in":86400}"#
                } else {
                    br#"{"user_id":"auth0|1"}"#
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes()).await;
                let _ = tls.write_all(body).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://localhost:{port}")
}

fn uid() -> UserId {
    "auth0|1".parse().unwrap()
}

#[tokio::test]
async fn a_custom_ca_from_a_pem_file_is_trusted() {
    let base = https_server().await;
    let client = Client::builder()
        .base_url(&base)
        .client_credentials("cid", "secret")
        .ca_file(tls_dir().join("ca.pem"))
        .build()
        .unwrap();
    assert_eq!(client.users().get(&uid()).await.unwrap().user_id, "auth0|1");
}

#[tokio::test]
async fn a_custom_ca_as_a_certificate_is_trusted() {
    let base = https_server().await;
    let pem = std::fs::read(tls_dir().join("ca.pem")).unwrap();
    let ca = auth0_mgmt::reqwest::Certificate::from_pem(&pem).unwrap();
    let client = Client::builder().base_url(&base).token("static").add_root_certificate(ca).build().unwrap();
    assert_eq!(client.users().get(&uid()).await.unwrap().user_id, "auth0|1");
}

#[tokio::test]
async fn an_unknown_ca_is_refused_with_a_transport_error_naming_the_certificate() {
    let base = https_server().await;
    let client = Client::builder().base_url(&base).client_credentials("cid", "secret").build().unwrap();
    let err = client.users().get(&uid()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { operation: "oauth.token", .. }), "{err:?}");
    assert!(err.to_string().to_ascii_lowercase().contains("certificate"), "{err}");
}

#[test]
fn the_tls_backend_is_named() {
    assert!(auth0_mgmt::TLS_BACKEND.starts_with("rustls") || auth0_mgmt::TLS_BACKEND == "native-tls");
}
