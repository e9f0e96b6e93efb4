//! The driver in Node against the official socket.io server, through its
//! Rust API. Run by scripts/test-wasm.sh, which starts the server and sets
//! `OMNI_TEST_URL`, with `NODE_OPTIONS=--experimental-websocket` (Node 20
//! has no global WebSocket otherwise).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use omni_socket_wasm::{Driver, Host};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: f64) -> JsValue;
}

/// `(kind, nsp, json)` of every event the driver reported.
type Log = Rc<RefCell<Vec<(String, String, String)>>>;

/// The driver's event callback; kept alive as long as the driver.
type Callback = Closure<dyn FnMut(String, String, String, JsValue, f64, f64)>;

fn server_url() -> String {
    let env = Reflect::get(&js_sys::global(), &"process".into())
        .and_then(|p| Reflect::get(&p, &"env".into()))
        .and_then(|e| Reflect::get(&e, &"OMNI_TEST_URL".into()))
        .ok()
        .and_then(|v| v.as_string());
    env.expect("OMNI_TEST_URL must name the test server")
}

async fn sleep(ms: f64) {
    let p = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _ = JsFuture::from(p).await;
}

/// Waits up to 5 s for an event of `kind` whose JSON contains `needle`.
async fn wait_for(log: &Log, kind: &str, needle: &str) -> String {
    for _ in 0..250 {
        let found = log
            .borrow()
            .iter()
            .find(|(k, _, j)| k == kind && j.contains(needle))
            .map(|(_, _, j)| j.clone());
        if let Some(j) = found {
            return j;
        }
        sleep(20.0).await;
    }
    panic!(
        "no {kind} event containing {needle}; got {:?}",
        log.borrow()
    );
}

/// The host a wrapper gives: Node's globals (run with
/// `--experimental-websocket` for `WebSocket`).
fn host() -> Host {
    js_sys::eval(
        "({setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h), \
          fetch: (u, i) => fetch(u, i), webSocket: (u) => new WebSocket(u)})",
    )
    .expect("host object")
    .unchecked_into()
}

fn driver(transport: &str) -> (Driver, Log, Callback) {
    let log: Log = Rc::default();
    let sink = log.clone();
    let cb = Closure::new(
        move |kind: String, nsp: String, json: String, _bins: JsValue, _ack: f64, offset: f64| {
            // The JSON starts at `offset` (UTF-16; the head is ASCII).
            sink.borrow_mut()
                .push((kind, nsp, json[offset as usize..].to_owned()));
        },
    );
    let options = format!(
        r#"{{"url":"{}","transports":["{transport}"],"auth":{{"token":"rust-{transport}"}}}}"#,
        server_url()
    );
    let d = Driver::new(&options, cb.as_ref().clone().unchecked_into(), None, host())
        .expect("valid options");
    (d, log, cb)
}

async fn round_trip(transport: &str) {
    let (d, log, _cb) = driver(transport);
    d.connect(false);
    let welcome = wait_for(&log, "message", "\"welcome\"").await;
    assert!(welcome.contains(&format!("rust-{transport}")), "{welcome}");
    assert_eq!(d.state(), "open");
    assert!(d.connected("/"));
    assert!(d.socket_id("/").is_some());

    let id = d
        .emit_with_ack("/", "ask", r#"[{"n":7}]"#, &Array::new(), 3000.0)
        .expect("emit accepted");
    let ack = wait_for(&log, "ack", &format!("\"request\":{id}")).await;
    assert!(ack.contains(r#""got":[{"n":7}]"#), "{ack}");

    assert!(d
        .emit("/", "echo", r#"["hi",2]"#, &Array::new(), false)
        .unwrap());
    let echo = wait_for(&log, "message", "\"echo\"").await;
    // A server event is the packet's own array, `["name", ...args]`.
    assert_eq!(echo, r#"["echo","hi",2]"#);

    d.disconnect();
    wait_for(&log, "disconnect", "io client disconnect").await;
    assert_eq!(d.state(), "idle");
    d.destroy();
}

#[wasm_bindgen_test]
async fn websocket_round_trip() {
    round_trip("websocket").await;
}

#[wasm_bindgen_test]
async fn polling_round_trip() {
    round_trip("polling").await;
}

#[wasm_bindgen_test]
fn bad_options_are_an_error() {
    let cb = Function::new_no_args("");
    assert!(Driver::new(r#"{"reconnectionDelay":"soon"}"#, cb.clone(), None, host()).is_err());
    assert!(Driver::new("not json", cb, None, host()).is_err());
}
