//! The product matrix: for each seed product, each cell (authentication,
//! rooms, client-to-server events, server-to-client events, restart), the
//! events it covers and the scenario that covers it. `PRODUCTS.md` is
//! rendered from [`CELLS`] by `tests/matrix.rs`, which also checks that
//! every scenario named exists and runs over both transports, natively and
//! in the browser ([`BROWSER_TESTS`]), and that every event of every
//! product's model is in some cell.

use omni_socket::Product;

/// A column group of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Area {
    /// Authentication: good, bad, expired, the product's token forms.
    Auth,
    /// Rooms and subscriptions the seed names, allowed and refused.
    Rooms,
    /// Client-to-server events and their answers.
    ClientEvents,
    /// Server-to-client events (through the admin API where it has them).
    ServerEvents,
    /// A server restart: reconnection and every room joined again.
    Restart,
}

impl Area {
    /// The heading in `PRODUCTS.md`.
    pub fn title(self) -> &'static str {
        match self {
            Self::Auth => "authentication",
            Self::Rooms => "rooms",
            Self::ClientEvents => "client → server",
            Self::ServerEvents => "server → client",
            Self::Restart => "restart",
        }
    }
}

/// One cell: what is checked, the events it covers, and the scenario
/// (`FILE::NAME` under `tests/products/tests/`; `None` when the seed has
/// nothing there).
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    /// The product.
    pub product: Product,
    /// The column group.
    pub area: Area,
    /// What the scenario checks.
    pub what: &'static str,
    /// Event names it covers (the model's names).
    pub events: &'static [&'static str],
    /// `FILE::NAME` of the scenario.
    pub test: Option<&'static str>,
}

const fn cell(
    product: Product,
    area: Area,
    what: &'static str,
    events: &'static [&'static str],
    test: &'static str,
) -> Cell {
    Cell {
        product,
        area,
        what,
        events,
        test: Some(test),
    }
}

use Area::*;
use Product::{Deployments as Dep, Doa, Fama, Marketplace as Mk, Omni};

/// Every cell of the matrix.
pub const CELLS: &[Cell] = &[
    // ------------------------------------------------------------ Omni (000)
    cell(Omni, Auth, "token + license key, token only, license key only, `{token, role: \"admin\"}`, anonymous", &["authenticated"], "omni::auth_token_license_and_role"),
    cell(Omni, Auth, "refused at CONNECT: forged token, expired token, invalid and foreign license, a role the token does not grant", &[], "omni::auth_refused"),
    cell(Omni, Auth, "token expiring in session: `auth_error {TOKEN_EXPIRED}`, refresh hook, reconnection, room back", &["auth_error"], "omni::auth_token_expiring_in_session_is_refreshed"),
    cell(Omni, Rooms, "allowed: `user_<id>`, `license_<key>`, `admin_dashboard` and any license (admin); `room_joined` with its type and members", &["join_room", "room_joined"], "omni::rooms_allowed"),
    cell(Omni, Rooms, "refused with the server's reason: another user's room and license, `admin_dashboard`, unknown rooms, license-only and anonymous sessions", &["room_error"], "omni::rooms_refused"),
    cell(Omni, ClientEvents, "`heartbeat` → `heartbeat_response` (latency); `leave_room` → `room_left`; `license_check {license_key}` → `license_check_result` (held, foreign, anonymous → `error UNAUTHORIZED`); `notification_read` → ack (and `NOT_FOUND`); `binary_data` → `binary_response` with the same bytes", &["heartbeat", "heartbeat_response", "leave_room", "room_left", "license_check", "license_check_result", "notification_read", "binary_data", "binary_response", "error"], "omni::client_events_answered"),
    cell(Omni, ClientEvents, "over the server's limit: `rate_limited` and `error RATE_LIMITED`; the client pauses the event for `retry_after`", &["rate_limited", "error"], "omni::server_rate_limit_pauses_the_event"),
    cell(Omni, ServerEvents, "admin API: `notification`, `usage_update`, `quota_warning`, `license_created/updated/renewed/expired/deleted`, `user_login`, `user_logout`, `maintenance_mode`, `system_status`", &["notification", "usage_update", "quota_warning", "license_created", "license_updated", "license_renewed", "license_expired", "license_deleted", "user_login", "user_logout", "maintenance_mode", "system_status"], "omni::server_events_through_the_admin_api"),
    cell(Omni, ServerEvents, "`/admin`: `get_stats` ack, `user_login`/`user_logout` from the admin API; `FORBIDDEN` for non-admins", &["user_login", "user_logout"], "omni::admin_namespace"),
    cell(Omni, ServerEvents, "`/analytics`: periodic `real_time_stats`; refused when anonymous", &["real_time_stats"], "omni::analytics_namespace"),
    cell(Omni, Restart, "kill and restart on the same port: reconnection, user and license rooms joined again, both delivering", &[], "omni::restart_rejoins_every_room"),
    // ----------------------------------------------------- deployments (001)
    cell(Dep, Auth, "`{token}`", &[], "deployments::auth_token"),
    cell(Dep, Auth, "refused at CONNECT: forged, expired, missing token", &[], "deployments::auth_refused"),
    cell(Dep, Rooms, "`deployment:subscribe` (bare id): own deployment, any (admin), current `deployment:status` at once; refused with the server's reason (someone else's, unknown) and its `error {code}`", &["deployment:subscribe", "deployment:status", "error"], "deployments::subscriptions_allowed_and_refused"),
    cell(Dep, ClientEvents, "`deployment:unsubscribe` → ack `{success, deploymentId}`; logs stop", &["deployment:unsubscribe", "deployment:log"], "deployments::unsubscribe_stops_the_feed"),
    cell(Dep, ServerEvents, "admin API: `deployment:status`, `deployment:log` in the subscription's feed", &["deployment:status", "deployment:log"], "deployments::server_events_through_the_admin_api"),
    cell(Dep, ServerEvents, "`user:online` / `user:offline` to the staff", &["user:online", "user:offline"], "deployments::presence_online_and_offline"),
    cell(Dep, Restart, "kill and restart: subscription made again, current status and new logs", &[], "deployments::restart_resubscribes"),
    // ------------------------------------------------------------- DOA (002)
    cell(Doa, Auth, "`{token}`; `getStatus()` `{isConnected, socketId, reconnectAttempts}`", &[], "doa::auth_token"),
    cell(Doa, Auth, "refused at CONNECT: forged, expired, missing token, a user DOA does not know", &[], "doa::auth_refused"),
    cell(Doa, Rooms, "`join_conversation` (bare id): the agent's own, any (admin); refused with the server's reason (another agent's, unknown)", &["join_conversation"], "doa::conversations_allowed_and_refused"),
    cell(Doa, ClientEvents, "`typing` → `user_typing` (500 ms throttle, \"stopped\" always sent); `mark_read` → `message_read`, refused → `error`; `leave_conversation`", &["typing", "user_typing", "mark_read", "message_read", "error", "leave_conversation"], "doa::client_events_answered"),
    cell(Doa, ClientEvents, "60 `typing` emits all relayed within 4 s (none held by a client-side table)", &["typing"], "doa::typing_is_not_paced"),
    cell(Doa, ServerEvents, "admin API: `new_message` to the agent, the admins' copy, then marked read", &["new_message"], "doa::server_events_through_the_admin_api"),
    cell(Doa, Restart, "kill and restart: `reconnect` for the seed's reload, conversation joined again on both sides", &[], "doa::restart_rejoins_conversations"),
    // ------------------------------------------------------------ FAMA (003)
    cell(Fama, Auth, "token raw and `Bearer <token>` → `connected {message, user}`", &["connected"], "fama::auth_raw_and_bearer_token"),
    cell(Fama, Auth, "refused as `error {message: \"Authentication failed: …\"}`: forged, expired, missing token, unknown user", &["error"], "fama::auth_refused"),
    cell(Fama, Auth, "expired at connect: refresh hook, reconnection, `connected`", &["error", "connected"], "fama::expired_at_connect_is_refreshed"),
    cell(Fama, Auth, "token expiring in session: `error {message: \"Token expired\"}`, refresh hook, reconnection", &["error", "connected"], "fama::token_expiring_in_session_is_refreshed"),
    Cell { product: Fama, area: Rooms, what: "none: the seed names no room (the server's own `user_<id>`)", events: &[], test: None },
    cell(Fama, ClientEvents, "none in the seed: anything sent is answered `error {message}`", &["error"], "fama::unknown_event_answered_with_error"),
    cell(Fama, ServerEvents, "`connected` and `error`, the seed's only ones (no admin API route sends FAMA events): `error {message: \"Token expired\"}` mid-session", &["connected", "error"], "fama::token_expiring_in_session_is_refreshed"),
    cell(Fama, Restart, "kill and restart: reconnection and `connected` again", &["connected"], "fama::restart_reconnects"),
    // ----------------------------------------------------- marketplace (004)
    cell(Mk, Auth, "`{token}`", &[], "marketplace::auth_token"),
    cell(Mk, Auth, "refused at CONNECT: forged, expired, missing token", &[], "marketplace::auth_refused"),
    cell(Mk, Rooms, "`join_order_chat` / `join_dispute_chat`: parties, moderators, admins; refused with the server's reason (ack `{success: false}`, `FORBIDDEN`, not found)", &["join_order_chat", "join_dispute_chat"], "marketplace::chats_allowed_and_refused"),
    cell(Mk, ClientEvents, "`order_message` with attachments → the chat (sender included) and ack id; `dispute_message`; `order_typing`, `dispute_typing` relayed; `NOT_IN_CHAT`, `INVALID_PAYLOAD`", &["order_message", "dispute_message", "order_typing", "dispute_typing"], "marketplace::messages_with_attachments_and_typing"),
    cell(Mk, ClientEvents, "`leave_order_chat`, `leave_dispute_chat`: sending there is refused after", &["leave_order_chat", "leave_dispute_chat"], "marketplace::leaving_a_chat"),
    cell(Mk, ServerEvents, "admin API: `order_status_update` to both parties, `dispute_status_update`, `notification`", &["order_status_update", "dispute_status_update", "notification"], "marketplace::server_events_through_the_admin_api"),
    cell(Mk, ServerEvents, "`user_presence` to the other party of an order", &["user_presence"], "marketplace::presence_online_and_offline"),
    cell(Mk, Restart, "kill and restart: order and dispute chats joined again, messages and status updates delivered", &[], "marketplace::restart_rejoins_chats"),
];

/// The browser twins of the scenarios (`scenario("FILE::NAME", …)`, each
/// run over WebSocket and over long-polling), relative to the repository.
pub const BROWSER_TESTS: &str = "npm/test/products.test.mjs";

/// The examples a user runs first, run against the reference server by
/// `tests/examples.rs`: what is checked, and the test.
pub const EXAMPLES: &[(&str, &str)] = &[
    ("the native README's quick start (`sdk-native/examples/quick_start.rs`, identical to the README): `license_check {license_key}` answered, rooms joined, notifications printed", "examples::readme_quick_start_runs"),
    ("the main job's client (`sdk-native/examples/omni_demo.rs`): every event family of seed 000 in plain words (connection, authentication, rooms, license lifecycle and check, notifications, usage, quota, user login and logout, maintenance, system status, binary data, `/analytics`, latency), no debug formatting, no escape codes", "examples::demo_client_prints_every_event_family_in_plain_words"),
];

/// The seed of a product, for headings.
pub fn seed(product: Product) -> &'static str {
    match product {
        Product::Omni => "000",
        Product::Deployments => "001",
        Product::Doa => "002",
        Product::Fama => "003",
        Product::Marketplace => "004",
    }
}

/// `PRODUCTS.md`.
pub fn render() -> String {
    let scenarios: std::collections::BTreeSet<&str> = CELLS.iter().filter_map(|c| c.test).collect();
    let mut out = String::new();
    out.push_str("# Seed products end to end\n\n");
    out.push_str(
        "Generated by `tests/products/tests/matrix.rs` from `tests/products/src/matrix.rs`; \
         do not edit (`UPDATE_PRODUCTS=1 cargo test -p omni-product-tests --test matrix` \
         rewrites it, and the test fails while it differs).\n\n",
    );
    out.push_str(&format!(
        "Every seed product through our clients against the reference server \
         (`omni-server` on 127.0.0.1, a free port): {} cells, {} scenarios, each run over \
         WebSocket and over long-polling by the native client ({} tests, \
         `scripts/test-products.sh`) and by the browser client, the npm package's product \
         modules (`omni-socket/products/*`) in headless Chromium ({} tests, \
         `scripts/test-products-browser.sh`), both part of `scripts/test.sh`. A native \
         scenario `FILE::NAME` is `async fn NAME` in `tests/products/tests/FILE.rs`, run as \
         the tests `websocket::NAME` and `polling::NAME`; its browser twin is \
         `scenario(\"FILE::NAME\", …)` in `{BROWSER_TESTS}`, run as the tests \
         `websocket::FILE::NAME` and `polling::FILE::NAME`.\n",
        CELLS.len(),
        scenarios.len(),
        scenarios.len() * 2,
        scenarios.len() * 2
    ));
    for product in Product::ALL {
        out.push_str(&format!(
            "\n## {} (seed {}, `{}` on the reference server)\n\n",
            product.name(),
            seed(product),
            product.namespace()
        ));
        out.push_str(
            "| area | what | events | native, WebSocket | native, polling \
             | browser, WebSocket | browser, polling |\n",
        );
        out.push_str("|---|---|---|---|---|---|---|\n");
        for c in CELLS.iter().filter(|c| c.product == product) {
            let events = c
                .events
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(" ");
            let [ws, polling, browser_ws, browser_polling] = match c.test {
                Some(t) => {
                    let (file, name) = t.split_once("::").expect("FILE::NAME");
                    [
                        format!("[`websocket::{name}`](tests/products/tests/{file}.rs)"),
                        format!("[`polling::{name}`](tests/products/tests/{file}.rs)"),
                        format!("[`websocket::{t}`]({BROWSER_TESTS})"),
                        format!("[`polling::{t}`]({BROWSER_TESTS})"),
                    ]
                }
                None => [
                    "n/a".to_owned(),
                    "n/a".to_owned(),
                    "n/a".to_owned(),
                    "n/a".to_owned(),
                ],
            };
            out.push_str(&format!(
                "| {} | {} | {} | {ws} | {polling} | {browser_ws} | {browser_polling} |\n",
                c.area.title(),
                c.what,
                events
            ));
        }
    }
    out.push_str("\n## Examples\n\nRun by the native client over its default transports (polling, then the upgrade to WebSocket).\n\n| what | test |\n|---|---|\n");
    for (what, test) in EXAMPLES {
        let (file, name) = test.split_once("::").expect("FILE::NAME");
        out.push_str(&format!(
            "| {what} | [`{name}`](tests/products/tests/{file}.rs) |\n"
        ));
    }
    out
}
