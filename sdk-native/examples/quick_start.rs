//! The quick start of README.md, kept identical to it (tests/readme.rs
//! checks) and run against the reference server by the product matrix.
use omni_socket::products::omni::Omni;
use omni_socket::Credentials;

#[tokio::main]
async fn main() -> omni_socket::Result<()> {
    let url = std::env::var("OMNI_URL").unwrap_or_else(|_| "http://127.0.0.1:3001".into());
    let token = std::env::var("OMNI_TOKEN").unwrap_or_default();
    let key = "OMNI-PREM-ABCD-1234-EFGH";

    let omni = Omni::connect(&url, Credentials::token(token).with_license_key(key)).await?;
    let mut notifications = omni.notifications();
    omni.join_license_room(key).await?;
    omni.join_user_room("user_12345").await?;

    // `license_check {license_key}`, answered by `license_check_result`.
    let check = omni.license_check(key).await?;
    println!(
        "license {key}: valid {}, status {}",
        check.valid, check.status
    );

    while let Some(n) = notifications.next().await {
        println!("{}: {}", n.title, n.message);
    }
    Ok(())
}
