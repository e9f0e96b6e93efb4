//! The native examples run against the reference server: the README's
//! quick start (`examples/quick_start.rs`) and the main job's demo client
//! (`examples/omni_demo.rs`), read as a user reads them, from their
//! output.

use std::process::Stdio;
use std::time::Duration;

use omni_product_tests::*;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

/// A running example; killed when dropped.
struct Program {
    _child: Child,
    lines: tokio::io::Lines<BufReader<ChildStdout>>,
    seen: Vec<String>,
}

impl Program {
    fn start(name: &str, args: &[&str], env: &[(&str, String)]) -> Self {
        let mut cmd = Command::new(example_bin(name));
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("starting the example");
        let stdout = child.stdout.take().expect("piped stdout");
        Self {
            _child: child,
            lines: BufReader::new(stdout).lines(),
            seen: Vec::new(),
        }
    }

    /// The first line starting with `prefix`, waiting for it.
    async fn line(&mut self, prefix: &str) -> String {
        if let Some(l) = self.seen.iter().find(|l| l.starts_with(prefix)) {
            return l.clone();
        }
        let seen = &mut self.seen;
        let lines = &mut self.lines;
        within(&format!("a line starting {prefix:?}"), async {
            loop {
                let l = lines
                    .next_line()
                    .await
                    .expect("reading the example")
                    .unwrap_or_else(|| panic!("the example exited; it printed {seen:#?}"));
                seen.push(l.clone());
                if l.starts_with(prefix) {
                    return l;
                }
            }
        })
        .await
    }
}

/// Issue 20: the README's quick start emitted `license_check` with a bare
/// string; the server answers that `INVALID_PAYLOAD` and the quick start
/// waited for an ack that never came. Run as written, it must check the
/// license and print notifications.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_quick_start_runs() {
    let s = Server::start(&[]).await;
    let mut p = Program::start(
        "quick_start",
        &[],
        &[("OMNI_URL", s.url()), ("OMNI_TOKEN", token(ids::JOHN))],
    );
    assert_eq!(
        p.line("license ").await,
        format!("license {}: valid true, status active", ids::LICENSE)
    );
    // Both rooms are joined once the check is answered.
    s.post(
        "/admin/api/notifications",
        json!({"user_id": ids::JOHN, "title": "Hello", "message": "from the admin API"}),
    )
    .await;
    assert_eq!(p.line("Hello").await, "Hello: from the admin API");
}

/// Issue 20: the demo client did not listen for `license_renewed`, printed
/// Rust debug formatting (`Some("…")`, `Authenticated { … }`) and raw ANSI
/// codes. Every event family of seed 000 must come out in plain words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_client_prints_every_event_family_in_plain_words() {
    let s = Server::start(&[
        "--status-interval-ms",
        "1000",
        "--stats-interval-ms",
        "1000",
    ])
    .await;
    let mut p = Program::start(
        "omni_demo",
        &[&s.url(), &token(ids::JOHN), ids::LICENSE],
        &[
            ("OMNI_ROOMS", ids::JOHN.to_owned()),
            ("OMNI_ADMIN_TOKEN", token(ids::ADMIN)),
        ],
    );
    assert!(p.line("connected to ").await.contains(" as socket "));
    let auth = p.line("authenticated as ").await;
    assert!(
        auth.starts_with(&format!(
            "authenticated as {} with license {}",
            ids::JOHN,
            ids::LICENSE
        )),
        "{auth}"
    );
    p.line(&format!("joined license_{}", ids::LICENSE)).await;
    p.line(&format!("joined {} (user room", ids::JOHN)).await;
    p.line(&format!("license check: {} is valid", ids::LICENSE))
        .await;
    p.line("binary round trip: 1024 bytes back intact").await;
    p.line("analytics: ").await;
    p.line("system status: healthy").await;
    // The admin side joins admin_dashboard, then connects /admin.
    within("the admin side connected", async {
        loop {
            let (_, stats) = s.admin("GET", "/admin/api/stats", json!(null)).await;
            if stats["namespaces"]["/admin"].as_u64() == Some(1) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let key = "OMNI-DEMO-0000-1111-2222";
    s.post(
        "/admin/api/licenses/created",
        json!({"license_key": key, "client_id": ids::CAROL, "plan": "basic"}),
    )
    .await;
    p.line("license created: OMNI-DEMO-0000-1111-2222 for user_13579, basic plan, active")
        .await;
    let triggers: &[(&str, serde_json::Value, &str)] = &[
        ("/admin/api/notifications", json!({"user_id": ids::JOHN, "title": "Demo", "message": "hi", "priority": "high"}), "notification [high] Demo: hi"),
        ("/admin/api/usage", json!({"license_key": ids::LICENSE, "api_calls": 1250, "storage_used_gb": 15.5, "active_users": 12}), "usage of OMNI-PREM-ABCD-1234-EFGH: 1250 API calls, 15.5 GB stored, 12 active users"),
        ("/admin/api/quota-warning", json!({"license_key": ids::LICENSE, "type": "api_calls", "current": 9500, "limit": 10000, "percentage": 95, "message": "95% used"}), "quota warning for OMNI-PREM-ABCD-1234-EFGH: 95% used (9500 of 10000 api_calls, 95%)"),
        ("/admin/api/licenses/renewed", json!({"license_key": ids::LICENSE, "old_expires_at": "2025-01-15T10:30:00Z", "new_expires_at": "2026-01-15T10:30:00Z"}), "license renewed: OMNI-PREM-ABCD-1234-EFGH until 2026-01-15T10:30:00Z (was 2025-01-15T10:30:00Z)"),
        ("/admin/api/licenses/updated", json!({"license_key": ids::LICENSE, "changes": {"updated_at": "2025-02-01T00:00:00Z"}}), "license updated: OMNI-PREM-ABCD-1234-EFGH at 2025-02-01T00:00:00Z"),
        ("/admin/api/licenses/expired", json!({"license_key": key}), "license expired: OMNI-DEMO-0000-1111-2222 at "),
        ("/admin/api/licenses/deleted", json!({"license_key": key, "reason": "User request"}), "license deleted: OMNI-DEMO-0000-1111-2222 at "),
        ("/admin/api/users/login", json!({"user_id": ids::CAROL, "username": "carol", "ip_address": "192.168.1.100"}), "user login: carol (user_13579) from 192.168.1.100 at "),
        ("/admin/api/users/logout", json!({"user_id": ids::CAROL, "session_duration": 7200}), "user logout: user_13579 after 7200 s"),
        ("/admin/api/maintenance", json!({"enabled": true, "message": "Upgrade", "estimated_duration": 1800}), "maintenance: on, Upgrade, about 30 min"),
        ("/admin/api/maintenance", json!({"enabled": false}), "maintenance: off"),
    ];
    for (path, body, want) in triggers {
        s.post(path, body.clone()).await;
        p.line(want).await;
    }
    p.line("latency: last ").await;
    // Plain words: no Rust debug output, no escape codes.
    for l in &p.seen {
        for bad in ["Some(", "None", " { ", "\u{1b}["] {
            assert!(!l.contains(bad), "{bad:?} in {l:?}");
        }
    }
}
