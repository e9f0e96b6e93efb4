//! Several namespaces over one connection.
mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

#[tokio::test]
async fn main_and_admin_share_one_connection() {
    let server = NodeServer::start().await;
    let client = builder(&server.url()).connect().await.unwrap();
    let admin = client.socket("/admin");
    let mut admin_events = admin.on_any();
    let welcome = next_named(&mut admin_events, "welcome").await;
    assert_eq!(as_json(&welcome.args[0])["nsp"], "/admin");
    admin.wait_connected(WAIT).await.unwrap();

    let t = Duration::from_secs(5);
    let main_who = as_json(&client.emit_with_ack("whoami", vec![], t).await.unwrap()[0]);
    let admin_who = as_json(&admin.emit_with_ack("whoami", vec![], t).await.unwrap()[0]);
    assert_eq!(main_who["nsp"], "/");
    assert_eq!(admin_who["nsp"], "/admin");
    assert_ne!(main_who["id"], admin_who["id"]);
    assert_eq!(admin.id().as_deref(), admin_who["id"].as_str());

    let status = client.state().borrow().clone();
    assert_eq!(status.namespaces.len(), 2);

    // Events stay in their namespace.
    let mut main_echo = client.on_event("echo");
    admin.emit("echo", vec![s("admin only")]).await.unwrap();
    client.emit("echo", vec![s("main only")]).await.unwrap();
    let m = next_named(&mut main_echo, "echo").await;
    assert_eq!(as_json(&m.args[0]), json!("main only"));
    let a = next_named(&mut admin_events, "echo").await;
    assert_eq!(as_json(&a.args[0]), json!("admin only"));

    // Leaving /admin keeps the main namespace connected.
    admin.close().unwrap();
    let mut st = client.state();
    tokio::time::timeout(WAIT, st.wait_for(|s| !s.namespaces.contains_key("/admin")))
        .await
        .unwrap()
        .unwrap();
    assert!(client.connected());
    client.emit_with_ack("ping", vec![], t).await.unwrap();
}

#[tokio::test]
async fn url_path_selects_the_main_namespace() {
    let server = NodeServer::start().await;
    let client = builder(&format!("{}/admin", server.url()))
        .connect()
        .await
        .unwrap();
    assert_eq!(client.namespace(), "/admin");
    let who = client
        .emit_with_ack("whoami", vec![], Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(as_json(&who[0])["nsp"], "/admin");
}
