//! `https://` / `wss://`: certificates are verified; a custom root store
//! makes a private CA work.
mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use omni_socket::{Error, Event, TransportKind};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

/// A CA and a leaf for `localhost` / 127.0.0.1, made with the openssl CLI.
fn make_certs(dir: &Path) {
    let run = |args: &[&str]| {
        let ok = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("the openssl CLI is needed for the TLS tests")
            .success();
        assert!(ok, "openssl {args:?} failed");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=omni-socket test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
    ]);
}

struct TlsServer {
    server: NodeServer,
    dir: std::path::PathBuf,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn tls_server(tag: &str) -> TlsServer {
    let dir = std::env::temp_dir().join(format!("omni-socket-tls-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    make_certs(&dir);
    let cert = dir.join("leaf.pem");
    let key = dir.join("leaf.key");
    let server = NodeServer::start_with(
        0,
        &[
            ("TLS_CERT", cert.to_str().unwrap()),
            ("TLS_KEY", key.to_str().unwrap()),
        ],
    )
    .await;
    TlsServer { server, dir }
}

fn trusting(ca: &Path) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(ca).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    Arc::new(config)
}

#[tokio::test]
async fn untrusted_certificates_are_refused_on_both_transports() {
    let tls = tls_server("refuse").await;
    let url = format!("https://localhost:{}", tls.server.port);
    for kind in [TransportKind::Polling, TransportKind::Websocket] {
        let err = builder(&url)
            .transports([kind])
            .connect()
            .await
            .unwrap_err();
        match err {
            Error::Transport(m) => {
                assert!(m.to_lowercase().contains("certificate"), "{kind:?}: {m}")
            }
            other => panic!("{kind:?}: expected a TLS failure, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn private_ca_works_for_polling_upgrade_and_wss() {
    let tls = tls_server("trust").await;
    let config = trusting(&tls.dir.join("ca.pem"));

    let url = format!("https://localhost:{}", tls.server.port);
    let client = builder(&url)
        .tls_config(config.clone())
        .connect_lazy()
        .unwrap();
    let mut events = client.events();
    next_event(&mut events, |e| matches!(e, Event::Upgraded { .. })).await;
    let echo = client
        .emit_with_ack("ack_echo", vec![s("tls")], Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(echo, vec![s("tls")]);

    let wss = format!("wss://127.0.0.1:{}", tls.server.port);
    let client = builder(&wss)
        .tls_config(config)
        .transports([TransportKind::Websocket])
        .connect()
        .await
        .unwrap();
    let who = client
        .emit_with_ack("whoami", vec![], Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(as_json(&who[0])["transport"], "websocket");
}
