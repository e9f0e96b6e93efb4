//! # omni-socket-wasm
//!
//! The browser driver of omni-socket: it runs the sans-IO
//! [`omni_socket_core::client::Client`] over `WebSocket` and `fetch` (HTTP
//! long-polling), with one `setTimeout` for the core's deadlines, all three
//! from a host object the wrapper gives (the browser's, or Node's),
//! `Date.now()` for time and `Math.random()` for the backoff seed.
//!
//! JavaScript sees one class, [`Driver`]. Everything crosses the boundary
//! as JSON text plus byte arrays for binary attachments (see [`convert`]);
//! the hand-written wrapper in the npm package `omni-socket` turns that
//! into a socket.io-client style API.
//!
//! The crate builds for the host too (so the workspace's clippy and tests
//! cover [`convert`]); the bindings only work inside a JavaScript engine.
#![deny(missing_docs)]
// `alloc` and `core` only, with `std` behind the default feature `std`.
// The shipped module is built without it (scripts/build-wasm.sh), so it
// links no `std` and its panic handler below formats nothing: `std`'s
// handler formats every panic message, which kept its panic machinery and
// more of `core::fmt` in the download although nobody reads the message
// (a panic aborts either way). BENCHMARKS.md has what panics still keep.
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod convert;

/// What the standard library's prelude would bring, for a `no_std` crate.
mod prelude {
    pub(crate) use alloc::borrow::ToOwned;
    pub(crate) use alloc::format;
    pub(crate) use alloc::string::{String, ToString};
    pub(crate) use alloc::vec::Vec;
}
use prelude::*;

/// The shipped module's panic handler. The driver never panics on input
/// (the core bounds and checks it), so a panic is a bug, and the profile
/// aborts on panic anyway: trap at once, as `std` does after formatting.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo<'_>) -> ! {
    ::core::arch::wasm32::unreachable()
}

use ::core::cell::{Cell, RefCell};
use ::core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use alloc::collections::VecDeque;
use alloc::rc::{Rc, Weak};

use bytes::Bytes;
use js_sys::{Array, Function, Uint8Array};
use omni_socket_core::client::{
    Auth, AuthApply, Client, ClientConfig, DriverMode, Frame, HeartbeatMode, HttpMethod,
    HttpRequest, Instant, TextEvent, TransportAction, TransportError, TransportErrorKind,
    TransportId,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

pub use omni_socket_core as core;

/// Talc instead of the default dlmalloc: a smaller allocator in the
/// download (about 4 KB less wasm) that is also faster on wasm32. The page
/// is single-threaded (no `atomics`), which this allocator requires.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use convert::Outbound;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()` for the first reading, which finds out whether
    /// there is a `performance` at all.
    #[wasm_bindgen(catch, js_namespace = performance, js_name = now)]
    fn try_perf_now() -> Result<f64, JsValue>;
    /// `performance.now()` once it is known to exist: without `catch`,
    /// whose try/catch wrapper was a measurable share of every frame.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn perf_now() -> f64;

    /// A promise, seen only through `then`.
    type Thenable;
    #[wasm_bindgen(method, js_name = then)]
    fn then2(this: &Thenable, ok: &Function, err: &Function) -> JsValue;

    /// Cancels fetches.
    type AbortController;
    #[wasm_bindgen(constructor)]
    fn new() -> AbortController;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> JsValue;
    #[wasm_bindgen(method)]
    fn abort(this: &AbortController);

    /// A function, seen only through `bind`.
    type Bindable;
    #[wasm_bindgen(method, js_name = bind)]
    fn bind1(this: &Bindable, ctx: &JsValue, a: &JsValue) -> Function;
    #[wasm_bindgen(method, js_name = bind)]
    fn bind2(this: &Bindable, ctx: &JsValue, a: &JsValue, b: &JsValue) -> Function;

    /// The wrapper's event callback.
    type EventSink;
    /// `sink.call(null, kind, nsp, json, bins, ack, offset)`: one call per
    /// event with typed arguments, no argument array. `bins` is
    /// `undefined` without attachments, `ack` is -1 without an ack request;
    /// the JSON starts at UTF-16 `offset` of `json` (see [`Driver`]).
    ///
    /// The sink must not throw (the wrapper's catches and reports): an
    /// exception unwinding through the driver would leave its state
    /// borrowed. Not `catch`, and its result is not taken, because each
    /// of those costs the event a call through an argument array or one
    /// more call into JavaScript to drop the result.
    #[wasm_bindgen(method, js_name = call)]
    #[allow(clippy::too_many_arguments)]
    fn deliver(
        this: &EventSink,
        ctx: &JsValue,
        kind: &JsValue,
        nsp: &JsValue,
        json: &JsValue,
        bins: &JsValue,
        ack: f64,
        offset: f64,
    );

    /// The environment the wrapper gives the driver: `setTimeout(fn, ms)`,
    /// `clearTimeout(handle)`, `fetch(url, init)` and `webSocket(url)`.
    /// The browser's own, or Node's (the `ws` package, `autoUnref`), with
    /// the wrapper's Engine.IO packet events on top.
    pub type Host;
    #[wasm_bindgen(method, js_name = setTimeout)]
    fn set_timeout(this: &Host, handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(method, js_name = clearTimeout)]
    fn clear_timeout(this: &Host, handle: &JsValue);
    #[wasm_bindgen(method, js_name = fetch)]
    fn fetch(this: &Host, url: &str, init: &JsValue) -> Thenable;
    #[wasm_bindgen(method, catch, js_name = webSocket)]
    fn web_socket(this: &Host, url: &str) -> Result<WebSocket, JsValue>;

    /// The part of a fetch `Response` the polling transport reads.
    type FetchResponse;
    #[wasm_bindgen(method, getter)]
    fn ok(this: &FetchResponse) -> bool;
    #[wasm_bindgen(method, getter)]
    fn status(this: &FetchResponse) -> u16;
    #[wasm_bindgen(method)]
    fn text(this: &FetchResponse) -> Thenable;
}

/// `Date.now() - performance.now()` at first use, as `f64` bits: the epoch
/// offset of the monotonic clock. [`ORIGIN_UNSET`] before the first
/// reading, [`ORIGIN_NONE`] when there is no `performance`. Atomics rather
/// than a `thread_local!`, which needs `std`; on wasm32 without threads
/// they are plain loads and stores.
static ORIGIN: AtomicU64 = AtomicU64::new(ORIGIN_UNSET);
/// Two NaN payloads: an origin is always finite, so neither is one.
const ORIGIN_UNSET: u64 = 0x7ff8_0000_0000_0001;
const ORIGIN_NONE: u64 = 0x7ff8_0000_0000_0002;
/// The latest monotonic reading handed to the core (`f64` bits), so an
/// event's time stamp never takes the clock backwards (see `event_time`).
static LAST_MONO: AtomicU64 = AtomicU64::new(0);

fn last_mono() -> f64 {
    f64::from_bits(LAST_MONO.load(Relaxed))
}

fn set_last_mono(ms: f64) {
    LAST_MONO.store(ms.to_bits(), Relaxed);
}

/// Event time stamps above this (ms) are taken for wall-clock times, as
/// very old browsers gave them, not offsets from the time origin (10^11 ms
/// is three years of page life).
const MAX_MONO_STAMP: f64 = 1e11;

fn origin() -> Option<f64> {
    match ORIGIN.load(Relaxed) {
        ORIGIN_UNSET => {}
        ORIGIN_NONE => return None,
        bits => return Some(f64::from_bits(bits)),
    }
    let origin = try_perf_now()
        .ok()
        .filter(|m| m.is_finite())
        .map(|mono| js_sys::Date::now() - mono);
    ORIGIN.store(origin.map_or(ORIGIN_NONE, f64::to_bits), Relaxed);
    origin
}

fn instant(ms: f64) -> Instant {
    Instant::from_millis(if ms.is_finite() && ms > 0.0 {
        ms as u64
    } else {
        0
    })
}

/// The core's clock: milliseconds since the Unix epoch (so Omni heartbeat
/// timestamps are wall-clock), advanced by the monotonic
/// `performance.now()` so a wall-clock change cannot move deadlines.
fn now() -> Instant {
    match origin() {
        Some(origin) => {
            let mono = perf_now();
            set_last_mono(last_mono().max(mono));
            instant(origin + mono)
        }
        None => instant(js_sys::Date::now()),
    }
}

/// The time of a browser event from its `timeStamp`, on the same
/// monotonic clock as `performance.now()`: the moment a WebSocket message
/// arrived. Reading the property costs a quarter of a `performance.now()`
/// call, which had been the largest single cost of a received frame.
/// Falls back to [`now`] when the stamp is not usable: not finite, a
/// wall-clock time, or older than a reading already given to the core
/// (time must not go backwards).
fn event_time(stamp: f64) -> Instant {
    match origin() {
        Some(origin) if usable_stamp(stamp, last_mono()) => {
            set_last_mono(stamp);
            instant(origin + stamp)
        }
        _ => now(),
    }
}

/// Whether an event's `timeStamp` can stand for the current monotonic
/// time, `last` being the latest reading already given to the core.
fn usable_stamp(stamp: f64, last: f64) -> bool {
    stamp.is_finite() && stamp < MAX_MONO_STAMP && stamp >= last
}

fn js_error(message: impl ::core::fmt::Display) -> JsValue {
    js_sys::Error::new(&message.to_string()).into()
}

/// The code of a polling request's method in the bound callbacks.
fn method_code(m: HttpMethod) -> u8 {
    match m {
        HttpMethod::Get => 0,
        HttpMethod::Post => 1,
    }
}

fn method_of(code: u8) -> HttpMethod {
    if code == 0 {
        HttpMethod::Get
    } else {
        HttpMethod::Post
    }
}

enum Transport {
    Ws(WebSocket),
    /// A long-polling transport: what is needed to cancel its GET (a
    /// long-poll can last a ping interval) when the core closes it.
    Polling(Option<AbortController>),
}

struct Inner {
    client: Client,
    transports: Vec<(TransportId, Transport)>,
    timer: Option<(Instant, JsValue)>,
    last_state: Option<&'static str>,
    with_credentials: bool,
    /// The environment (see [`Host`]).
    host: Host,
}

/// JavaScript callbacks, created once per driver and bound to a transport
/// id with `Function.prototype.bind`, so nothing is allocated per request.
/// They are handed to the JavaScript garbage collector rather than owned
/// here: a fetch or socket event may still arrive after the driver is
/// freed, and then finds the weak reference gone and does nothing.
struct Callbacks {
    timer: JsValue,
    ws_open: JsValue,
    ws_message: JsValue,
    ws_close: JsValue,
    ws_error: JsValue,
    http_response: JsValue,
    http_text: JsValue,
    http_error: JsValue,
}

struct Shared {
    inner: RefCell<Inner>,
    events: RefCell<VecDeque<Outbound>>,
    dispatching: Cell<bool>,
    on_event: Function,
    callbacks: RefCell<Option<Callbacks>>,
    /// The namespace the wrapper's socket is on (as given in the options):
    /// only its events come back from [`Driver::text`].
    primary: String,
    /// JavaScript copies of the event kinds and namespaces seen so far:
    /// every event names both, and a string made once is cheaper than a
    /// UTF-8 decode per event.
    names: RefCell<Vec<(String, JsValue)>>,
}

/// Entries kept in `Shared::names`: the event kinds plus a few namespaces.
const MAX_NAMES: usize = 64;

/// The browser Socket.IO client: one Engine.IO session with its namespaces.
///
/// Events reach JavaScript through the `on_event` callback given to the
/// constructor as `(kind, nsp, json, attachments, ack, offset)`:
/// `attachments` is `undefined` or an array of `Uint8Array`, `ack` the
/// server's ack id of a `message` or -1, and the JSON text starts at UTF-16
/// `offset` of `json` (of the frame passed to [`Driver::text`] when `json`
/// is `undefined`); see the npm wrapper for the kinds.
#[wasm_bindgen]
pub struct Driver {
    shared: Rc<Shared>,
}

fn js_closure<T: ?Sized + wasm_bindgen::closure::WasmClosure>(c: Closure<T>) -> JsValue {
    c.into_js_value()
}

fn bound(f: &JsValue, id: TransportId, method: Option<HttpMethod>) -> Function {
    let f: &Bindable = f.unchecked_ref();
    let id = JsValue::from_f64(id.0 as f64);
    match method {
        None => f.bind1(&JsValue::NULL, &id),
        Some(m) => f.bind2(&JsValue::NULL, &id, &JsValue::from(method_code(m))),
    }
}

impl Shared {
    fn callbacks(self: &Rc<Self>) -> Callbacks {
        fn weak(s: &Rc<Shared>) -> Weak<Shared> {
            Rc::downgrade(s)
        }
        let w = weak(self);
        let timer = js_closure::<dyn FnMut()>(Closure::new(move || {
            if let Some(s) = w.upgrade() {
                s.with(|i| {
                    i.timer = None;
                    i.client.handle_timeout(now());
                });
            }
        }));
        let w = weak(self);
        let ws_open = js_closure::<dyn FnMut(f64)>(Closure::new(move |id: f64| {
            if let Some(s) = w.upgrade() {
                s.with(|i| {
                    i.client
                        .handle_transport_opened(TransportId(id as u64), now())
                });
            }
        }));
        let w = weak(self);
        let ws_message = js_closure::<dyn FnMut(f64, MessageEvent)>(Closure::new(
            move |id: f64, e: MessageEvent| {
                let Some(s) = w.upgrade() else { return };
                let id = TransportId(id as u64);
                let at = event_time(e.time_stamp());
                let data = e.data();
                if let Some(text) = data.as_string() {
                    s.text_frame(id, at, Some(data), &text);
                } else if let Some(buf) = data.dyn_ref::<js_sys::ArrayBuffer>() {
                    let bytes = Bytes::from(Uint8Array::new(buf).to_vec());
                    s.with(|i| i.client.handle_binary(id, at, bytes));
                }
            },
        ));
        let w = weak(self);
        let ws_close = js_closure::<dyn FnMut(f64, CloseEvent)>(Closure::new(
            move |id: f64, _e: CloseEvent| {
                if let Some(s) = w.upgrade() {
                    let id = TransportId(id as u64);
                    s.with(|i| {
                        i.forget(id);
                        i.client.handle_transport_closed(id, now());
                    });
                }
            },
        ));
        let w = weak(self);
        let ws_error =
            js_closure::<dyn FnMut(f64, JsValue)>(Closure::new(move |id: f64, _e: JsValue| {
                if let Some(s) = w.upgrade() {
                    let id = TransportId(id as u64);
                    s.with(|i| {
                        i.forget(id);
                        i.client
                            .handle_transport_error(id, now(), "websocket error");
                    });
                }
            }));
        let w = weak(self);
        let http_response = js_closure::<dyn FnMut(f64, u8, JsValue)>(Closure::new(
            move |id: f64, method: u8, resp: JsValue| {
                let Some(s) = w.upgrade() else { return };
                let tid = TransportId(id as u64);
                let resp: FetchResponse = resp.unchecked_into();
                let method = method_of(method);
                if !resp.ok() {
                    // The core decides what a status means.
                    let status = resp.status();
                    s.with(|i| {
                        i.client
                            .handle_http_response(tid, method, now(), status, "")
                    });
                    return;
                }
                let cbs = s.callbacks.borrow();
                if let Some(cb) = cbs.as_ref() {
                    let _ = resp.text().then2(
                        &bound(&cb.http_text, tid, Some(method)),
                        &bound(&cb.http_error, tid, Some(method)),
                    );
                }
            },
        ));
        let w = weak(self);
        let http_text = js_closure::<dyn FnMut(f64, u8, JsValue)>(Closure::new(
            move |id: f64, method: u8, body: JsValue| {
                let Some(s) = w.upgrade() else { return };
                let id = TransportId(id as u64);
                let body = body.as_string().unwrap_or_default();
                s.with(|i| {
                    i.client
                        .handle_http_response(id, method_of(method), now(), 200, &body);
                });
            },
        ));
        let w = weak(self);
        let http_error = js_closure::<dyn FnMut(f64, u8, JsValue)>(Closure::new(
            move |id: f64, _method: u8, err: JsValue| {
                let Some(s) = w.upgrade() else { return };
                let id = TransportId(id as u64);
                let msg = err
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .unwrap_or_else(|| "xhr poll error".into());
                s.with(|i| {
                    i.forget(id);
                    let error = TransportError::new(TransportErrorKind::Other, &msg);
                    i.client.handle_transport_error(id, now(), error);
                });
            },
        ));
        Callbacks {
            timer,
            ws_open,
            ws_message,
            ws_close,
            ws_error,
            http_response,
            http_text,
            http_error,
        }
    }

    /// Runs `f` on the state, drives the core's outputs, then hands the
    /// events to JavaScript with no borrow held (handlers may call back).
    fn with<R>(self: &Rc<Self>, f: impl FnOnce(&mut Inner) -> R) -> R {
        let r = self.run(f);
        self.dispatch(None);
        r
    }

    /// [`with`](Self::with) without handing the events over.
    fn run<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut inner = self.inner.borrow_mut();
        let r = f(&mut inner);
        self.drive(&mut inner);
        r
    }

    /// The part of [`run`](Self::run) after `f`: one copy, not one per
    /// command (each command instantiates `run`).
    #[inline(never)]
    fn drive(&self, inner: &mut Inner) {
        let cbs = self.callbacks.borrow();
        if let Some(cbs) = cbs.as_ref() {
            let mut events = self.events.borrow_mut();
            inner.drive(cbs, &mut events);
        }
    }

    /// Handles a WebSocket text frame: `js` is its JavaScript string when
    /// the driver read it itself, `None` when the wrapper passed it (and
    /// takes a server event back, see [`Driver::text`]). The result is that
    /// event's code, or -1.
    fn text_frame(
        self: &Rc<Self>,
        id: TransportId,
        at: Instant,
        js: Option<JsValue>,
        text: &str,
    ) -> f64 {
        // Inside a dispatch loop, an event handed back would overtake the
        // events that loop has yet to deliver.
        let lend = js.is_none() && !self.dispatching.get();
        let lent = self.run(|i| {
            let ev = i.ws_text(id, at, text, lend)?;
            // Not for the wrapper: the sink gets it as any queued event.
            Some(
                self.returned(ev, text)
                    .ok_or_else(|| convert::event(ev.to_event())),
            )
        });
        let code = match lent {
            Some(Ok(code)) => code,
            Some(Err(queued)) => {
                // The last event of the frame, after those the core queued.
                self.events.borrow_mut().push_back(queued);
                -1.0
            }
            None => -1.0,
        };
        self.dispatch(Some(&FrameRef {
            text,
            js: js.as_ref(),
        }));
        code
    }

    /// The index of `s` in `names`, added when there is room.
    fn intern(&self, s: &str) -> Option<usize> {
        let mut names = self.names.borrow_mut();
        if let Some(i) = names.iter().position(|(n, _)| n == s) {
            return Some(i);
        }
        if names.len() < MAX_NAMES {
            names.push((s.to_owned(), JsValue::from_str(s)));
            return Some(names.len() - 1);
        }
        None
    }

    /// `json` for JavaScript, with the UTF-16 offset where it starts: a
    /// server event's JSON is the tail of the WebSocket frame being
    /// handled, so it is handed over as that frame's string (`None`: the
    /// frame's own string, or `undefined` for the frame the wrapper passed
    /// to [`Driver::text`]), which saves decoding a copy of it. The check
    /// is on content, so the slice is right whichever event it is.
    fn json_of(json: &str, frame: Option<&FrameRef>) -> (Option<JsValue>, f64) {
        if let Some(head) = frame.and_then(|f| frame_head(f.text, json)) {
            return (None, head as f64);
        }
        (Some(JsValue::from_str(json)), 0.0)
    }

    /// The code [`Driver::text`] returns for the event the core lent from
    /// the wrapper's `frame` instead of handing it to the sink: one on the
    /// wrapper's namespace, whose JSON is the frame's tail.
    fn returned(&self, ev: TextEvent, frame: &str) -> Option<f64> {
        if ev.nsp != self.primary {
            return None;
        }
        let ack = match ev.ack {
            None => 0,
            Some(id) if id < MAX_RETURNED_ACK => id + 1,
            Some(_) => return None,
        };
        // The core lent `data` from the frame, at `start`: its tail, after
        // the packet head.
        if ev.start.checked_add(ev.data.len()) != Some(frame.len()) {
            return None;
        }
        let head = ascii_head(frame.get(..ev.start)?)?;
        Some(ack as f64 * RETURN_UNIT + head as f64)
    }

    /// Hands the queued events to the sink, in order; a server event's
    /// JSON as a slice of `frame` when it is the frame's tail.
    fn dispatch(&self, frame: Option<&FrameRef>) {
        if self.dispatching.replace(true) {
            // An outer dispatch loop will deliver what was queued.
            return;
        }
        loop {
            let next = self.events.borrow_mut().pop_front();
            let Some(ev) = next else { break };
            let bins = if ev.attachments.is_empty() {
                JsValue::UNDEFINED
            } else {
                let bins = Array::new();
                for a in &ev.attachments {
                    bins.push(&Uint8Array::from(a.as_ref()));
                }
                bins.into()
            };
            let ack = ev.ack.map_or(-1.0, |a| a as f64);
            let sink: &EventSink = self.on_event.unchecked_ref();
            let (kind, nsp) = (self.intern(ev.kind), self.intern(&ev.nsp));
            let (json, offset) = Self::json_of(&ev.json, frame);
            let undefined = JsValue::UNDEFINED;
            let json = match &json {
                Some(own) => own,
                None => frame.and_then(|f| f.js).unwrap_or(&undefined),
            };
            // The names are lent, not cloned (a clone and its drop are two
            // more calls into JavaScript per event). Nothing adds names
            // while they are lent: a handler that calls back into the
            // driver queues its events for this loop.
            let names = self.names.borrow();
            let own;
            let kind = match kind {
                Some(i) => &names[i].1,
                None => {
                    own = JsValue::from_str(ev.kind);
                    &own
                }
            };
            let own;
            let nsp = match nsp {
                Some(i) => &names[i].1,
                None => {
                    own = JsValue::from_str(&ev.nsp);
                    &own
                }
            };
            sink.deliver(&JsValue::NULL, kind, nsp, json, &bins, ack, offset);
        }
        self.dispatching.set(false);
    }
}

/// A WebSocket text frame being handled: its text, and its JavaScript
/// string when the driver read it itself.
struct FrameRef<'a> {
    text: &'a str,
    js: Option<&'a JsValue>,
}

/// The UTF-16 length of `frame` before `json`, when `json` is its tail
/// after a non-empty ASCII head.
fn frame_head(frame: &str, json: &str) -> Option<usize> {
    ascii_head(frame.strip_suffix(json)?)
}

/// The UTF-16 length of a frame's `head` before an event's JSON, when it
/// is non-empty and ASCII (which has as many UTF-16 units as bytes).
fn ascii_head(head: &str) -> Option<usize> {
    (head.is_ascii() && !head.is_empty()).then_some(head.len())
}

/// [`Driver::text`]'s result is `(ack + 1) * RETURN_UNIT + offset`.
const RETURN_UNIT: f64 = 4_294_967_296.0;

/// Ack ids from this on are not returned (the code must stay an exact
/// integer: 2^20 * 2^32 is well below 2^53).
const MAX_RETURNED_ACK: u64 = 1 << 20;

impl Inner {
    fn forget(&mut self, id: TransportId) {
        if let Some(pos) = self.transports.iter().position(|(t, _)| *t == id) {
            let (_, t) = self.transports.swap_remove(pos);
            if let Transport::Ws(ws) = t {
                detach(&ws);
            }
        }
    }

    /// Polls the core until it has nothing more to say, performing its
    /// transmits and actions and queueing its events; then re-arms the
    /// single timer for the core's next deadline.
    fn drive(&mut self, cbs: &Callbacks, events: &mut VecDeque<Outbound>) {
        // Each round either makes progress on a bounded queue or stops; the
        // cap only guards against a core bug turning into a hung tab.
        for _ in 0..1024 {
            let mut progressed = false;
            while let Some(t) = self.client.poll_transmit() {
                progressed = true;
                self.transmit(t.transport, t.frame);
            }
            while let Some(a) = self.client.poll_action() {
                progressed = true;
                match a {
                    TransportAction::OpenWebsocket { id, url } => {
                        self.open_websocket(cbs, id, &url)
                    }
                    TransportAction::Request(r) => self.request(cbs, r),
                    TransportAction::Close { id } => self.close(id),
                }
            }
            while let Some(e) = self.client.poll_event() {
                progressed = true;
                events.push_back(convert::event(e));
            }
            if !progressed {
                break;
            }
        }
        let state = convert::state_name(self.client.state());
        if self.last_state != Some(state) {
            self.last_state = Some(state);
            events.push_back(Outbound {
                kind: "state",
                nsp: String::new(),
                json: format!("\"{state}\""),
                attachments: Vec::new(),
                ack: None,
            });
        }
        self.arm_timer(cbs);
    }

    /// Re-arms the timer only for an earlier deadline. A later one (an
    /// ack answered, its timeout gone) waits for the armed timer, whose
    /// early `handle_timeout` finds nothing due and re-arms: two
    /// `clearTimeout`/`setTimeout` pairs per ack cost more. With no
    /// deadline the timer goes, so it keeps no Node process alive.
    fn arm_timer(&mut self, cbs: &Callbacks) {
        let next = self.client.poll_timeout();
        if let (Some((at, _)), Some(next)) = (&self.timer, next) {
            if *at <= next {
                return;
            }
        }
        if let Some((_, handle)) = self.timer.take() {
            self.clear_timer(&handle);
        }
        if let Some(at) = next {
            let delay = at.millis_since(now()) as f64;
            // Browsers treat delays past 2^31-1 ms as zero; wake up early
            // instead and re-arm.
            let delay = delay.min(2_147_483_647.0);
            let handler = cbs.timer.unchecked_ref();
            let handle = self.host.set_timeout(handler, delay);
            self.timer = Some((at, handle));
        }
    }

    fn clear_timer(&self, handle: &JsValue) {
        self.host.clear_timeout(handle);
    }

    fn transmit(&mut self, id: TransportId, frame: Frame) {
        let Some((_, t)) = self.transports.iter_mut().find(|(t, _)| *t == id) else {
            return;
        };
        match t {
            Transport::Ws(ws) => {
                if ws.ready_state() >= WebSocket::CLOSING {
                    // The peer is closing; its close event follows and the
                    // core then treats the link as lost. Sending now would
                    // only log a browser warning.
                    return;
                }
                let sent = match &frame {
                    Frame::Text(text) => ws.send_with_str(text),
                    Frame::Binary(b) => ws.send_with_u8_array(b),
                };
                if sent.is_err() {
                    self.forget(id);
                    self.client
                        .handle_transport_error(id, now(), "websocket send failed");
                }
            }
            // The core sends polling frames in its own requests.
            Transport::Polling(_) => {}
        }
    }

    fn open_websocket(&mut self, cbs: &Callbacks, id: TransportId, url: &str) {
        match self.host.web_socket(url) {
            Ok(ws) => {
                ws.set_binary_type(BinaryType::Arraybuffer);
                ws.set_onopen(Some(&bound(&cbs.ws_open, id, None)));
                ws.set_onmessage(Some(&bound(&cbs.ws_message, id, None)));
                ws.set_onclose(Some(&bound(&cbs.ws_close, id, None)));
                ws.set_onerror(Some(&bound(&cbs.ws_error, id, None)));
                self.transports.push((id, Transport::Ws(ws)));
            }
            Err(e) => {
                // The host's own words (say, which package to install).
                let msg = e
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .unwrap_or_else(|| "websocket unavailable".into());
                self.client.handle_transport_error(id, now(), msg.as_str())
            }
        }
    }

    /// A WebSocket text frame; with `lend`, a server event the core lends
    /// from `text` comes back (see [`Client::handle_text_event`]).
    fn ws_text<'a>(
        &'a mut self,
        id: TransportId,
        at: Instant,
        text: &'a str,
        lend: bool,
    ) -> Option<TextEvent<'a>> {
        if lend {
            return self.client.handle_text_event(id, at, text);
        }
        self.client.handle_text(id, at, text);
        None
    }

    /// Sends one of the core's polling requests with `fetch`; a GET can be
    /// cancelled when the core closes its transport.
    fn request(&mut self, cbs: &Callbacks, r: HttpRequest) {
        let abort = (r.method == HttpMethod::Get).then(AbortController::new);
        Self::request_with(cbs, &self.host, self.with_credentials, &r, abort.as_ref());
        match self.transports.iter_mut().find(|(t, _)| *t == r.transport) {
            Some((_, Transport::Polling(slot))) => {
                if abort.is_some() {
                    *slot = abort;
                }
            }
            Some(_) => {}
            None => self
                .transports
                .push((r.transport, Transport::Polling(abort))),
        }
    }

    fn close(&mut self, id: TransportId) {
        if let Some(pos) = self.transports.iter().position(|(t, _)| *t == id) {
            let (_, t) = self.transports.swap_remove(pos);
            match t {
                Transport::Ws(ws) => {
                    detach(&ws);
                    let _ = ws.close();
                }
                Transport::Polling(Some(abort)) => abort.abort(),
                Transport::Polling(None) => {}
            }
        }
    }

    fn request_with(
        cbs: &Callbacks,
        host: &Host,
        with_credentials: bool,
        r: &HttpRequest,
        abort: Option<&AbortController>,
    ) {
        let init = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = js_sys::Reflect::set(&init, &JsValue::from_str(k), v);
        };
        set(
            "method",
            &JsValue::from_str(match r.method {
                HttpMethod::Get => "GET",
                HttpMethod::Post => "POST",
            }),
        );
        set("cache", &JsValue::from_str("no-store"));
        if let Some(a) = abort {
            set("signal", &a.signal());
        }
        if with_credentials {
            set("credentials", &JsValue::from_str("include"));
        }
        if let Some(body) = &r.body {
            set("body", &JsValue::from_str(body));
            let headers = js_sys::Object::new();
            let _ = js_sys::Reflect::set(
                &headers,
                &JsValue::from_str("content-type"),
                &JsValue::from_str("text/plain;charset=UTF-8"),
            );
            set("headers", &headers);
        }
        let _ = host.fetch(&r.url, &init).then2(
            &bound(&cbs.http_response, r.transport, Some(r.method)),
            &bound(&cbs.http_error, r.transport, Some(r.method)),
        );
    }

    fn shutdown(&mut self) {
        if let Some((_, handle)) = self.timer.take() {
            self.clear_timer(&handle);
        }
        let ids: Vec<TransportId> = self.transports.iter().map(|(id, _)| *id).collect();
        for id in ids {
            self.close(id);
        }
    }
}

fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
    ws.set_onerror(None);
}

fn attachments(bins: &Array) -> Vec<Bytes> {
    bins.iter()
        .map(|b| match b.dyn_ref::<Uint8Array>() {
            Some(u) => Bytes::from(u.to_vec()),
            None => Bytes::new(),
        })
        .collect()
}

fn emit_error(e: omni_socket_core::client::EmitError) -> JsValue {
    js_error(e)
}

#[wasm_bindgen]
impl Driver {
    /// A client from socket.io-client style options (JSON text of
    /// [`ClientConfig`], camelCase) and an event callback. It does not
    /// connect until [`connect`](Self::connect).
    ///
    /// With `on_message`, every WebSocket's `onmessage` is that function
    /// bound to the transport id, `(id, event)`, and it must hand the
    /// frame to [`text`](Self::text) or [`binary`](Self::binary). The
    /// npm wrapper does: a frame then enters the driver with one call,
    /// and the wrapper slices event JSON from the frame string it holds
    /// (`json` is `undefined` in the event callback). Without it the
    /// driver reads frames itself.
    ///
    /// `host` gives timers, `fetch` and WebSockets (see [`Host`]).
    ///
    /// The option `primary` names the namespace whose events may come back
    /// from [`text`](Self::text) (none without it).
    ///
    /// # Errors
    /// A JS `Error` when the options are not valid.
    #[wasm_bindgen(constructor)]
    pub fn new(
        options: &str,
        on_event: Function,
        on_message: Option<Function>,
        host: Host,
    ) -> Result<Driver, JsValue> {
        let options = omni_socket_core::Value::parse_json_tree(options, &Default::default())
            .map_err(|e| js_error(format!("invalid options: {e}")))?;
        let mut config = ClientConfig::from_json(&options)
            .map_err(|e| js_error(format!("invalid options: {e}")))?;
        // JavaScript parses server events itself (see `convert::Outbound`),
        // and its `JSON.parse` is the check of their text: the wrapper
        // reports what it cannot parse with `rejectMessage`.
        config.driver = DriverMode {
            raw_messages: true,
            parses_events: true,
        };
        // An Omni heartbeat from a browser says so, unless told otherwise.
        let platform_given = options
            .pointer("/heartbeat/mode/platform")
            .is_some_and(|p| !p.is_null());
        if let Some(HeartbeatMode::Omni { platform, .. }) =
            config.heartbeat.as_mut().map(|h| &mut h.mode)
        {
            if !platform_given {
                "web".clone_into(platform);
            }
        }
        let primary = options
            .get("primary")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let with_credentials = options
            .get("withCredentials")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        // 53 random bits; each tab gets its own jitter sequence.
        let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
        let shared = Rc::new(Shared {
            inner: RefCell::new(Inner {
                client: Client::new(config, seed),
                transports: Vec::new(),
                timer: None,
                last_state: None,
                with_credentials,
                host,
            }),
            events: RefCell::new(VecDeque::new()),
            dispatching: Cell::new(false),
            on_event,
            callbacks: RefCell::new(None),
            names: RefCell::new(Vec::new()),
            primary,
        });
        let mut cbs = shared.callbacks();
        if let Some(f) = on_message {
            cbs.ws_message = f.into();
        }
        *shared.callbacks.borrow_mut() = Some(cbs);
        Ok(Driver { shared })
    }

    /// A WebSocket text frame of transport `id`, from the `on_message`
    /// handler; `stamp` is the message event's `timeStamp`.
    ///
    /// Events go to the sink as usual, except that the last one may come
    /// back as the result when it is a server event on the `primary`
    /// namespace of the options, without attachments: `(ack + 1) * 2^32 + offset`,
    /// its JSON starting at UTF-16 `offset` of `text` and `ack` -1 without
    /// an ack request. The caller handles it as the sink would a `message`
    /// (rejecting JSON it cannot parse). -1 when there is none. That is the
    /// usual frame, and it saves the event a call out of wasm.
    pub fn text(&self, id: f64, text: &str, stamp: f64) -> f64 {
        let at = event_time(stamp);
        self.shared
            .text_frame(TransportId(id as u64), at, None, text)
    }

    /// A WebSocket binary frame of transport `id`, from the `on_message`
    /// handler; `stamp` is the message event's `timeStamp`.
    pub fn binary(&self, id: f64, data: &[u8], stamp: f64) {
        let at = event_time(stamp);
        let bytes = Bytes::copy_from_slice(data);
        self.shared
            .with(|i| i.client.handle_binary(TransportId(id as u64), at, bytes));
    }

    /// The wrapper could not parse the JSON of the server event it is
    /// being handed (`reason`: the parser's message): a protocol error
    /// that closes the session, as malformed input found by the core
    /// does. Call it from the event sink, for that event.
    #[wasm_bindgen(js_name = rejectMessage)]
    pub fn reject_message(&self, reason: &str) {
        // Server events still queued came after the broken one in the same
        // input (a polling payload holds several): like the packets the
        // core would not have read past it, they end with the session.
        self.shared
            .events
            .borrow_mut()
            .retain(|e| e.kind != "message");
        self.shared.with(|i| i.client.reject_message(now(), reason));
    }

    /// Starts connecting (no effect unless idle). With `session_only`, opens
    /// the Engine.IO session without connecting a namespace
    /// (socket.io-client's `Manager.open()`).
    pub fn connect(&self, session_only: bool) {
        self.shared.with(|i| {
            if session_only {
                i.client.open_session(now())
            } else {
                i.client.connect(now())
            }
        });
    }

    /// Disconnects every namespace and stops reconnecting; buffered emits
    /// and rooms are kept for the next [`connect`](Self::connect).
    pub fn disconnect(&self) {
        self.shared.with(|i| i.client.disconnect(now()));
    }

    /// Disconnects, closes every transport and stops the timer. The driver
    /// does nothing afterwards.
    pub fn destroy(&self) {
        self.shared.with(|i| i.client.disconnect(now()));
        self.shared.inner.borrow_mut().shutdown();
        self.shared.callbacks.borrow_mut().take();
    }

    /// Closes the link as a network failure would (socket.io-client's
    /// `engine.close()`): the namespaces see `forced close` and, with
    /// `reconnect`, the client reconnects; without, it stays closed
    /// (`Manager._close()`).
    #[wasm_bindgen(js_name = dropTransport)]
    pub fn drop_transport(&self, reconnect: bool) {
        self.shared
            .with(|i| i.client.drop_transport(reconnect, now()));
    }

    /// Changes the reconnection options while running (socket.io-client's
    /// Manager setters): delays and the timeout in ms; `attempts` not
    /// finite (JS `Infinity`) is unlimited.
    pub fn configure(
        &self,
        reconnection: bool,
        attempts: f64,
        delay: f64,
        delay_max: f64,
        factor: f64,
        timeout: f64,
    ) {
        let r = omni_socket_core::client::Reconnection {
            reconnection,
            attempts: attempts.is_finite().then_some(attempts as u32),
            delay: delay as u64,
            delay_max: delay_max as u64,
            factor,
            timeout: timeout as u64,
        };
        self.shared.with(|i| i.client.set_reconnection(r, now()));
    }

    /// Connects namespace `nsp` over the shared session; with `add_only`,
    /// only makes it known (emits to it wait in its buffer until it is
    /// opened). `false` past the namespace limit.
    #[wasm_bindgen(js_name = openNamespace)]
    pub fn open_namespace(&self, nsp: &str, add_only: bool) -> bool {
        self.shared.with(|i| {
            if add_only {
                i.client.add_namespace(nsp)
            } else {
                i.client.open_namespace(nsp, now())
            }
        })
    }

    /// Leaves namespace `nsp`.
    #[wasm_bindgen(js_name = closeNamespace)]
    pub fn close_namespace(&self, nsp: &str) {
        self.shared.with(|i| i.client.close_namespace(nsp, now()));
    }

    /// Emits `event` with `args` (a JSON array whose placeholders index
    /// `bins`). Returns `false` when a volatile emit was dropped.
    ///
    /// # Errors
    /// A JS `Error` for bad arguments, a reserved name, an unknown
    /// namespace or a full buffer.
    pub fn emit(
        &self,
        nsp: &str,
        event: &str,
        args: &str,
        bins: &Array,
        volatile: bool,
    ) -> Result<bool, JsValue> {
        let args = convert::args(args, attachments(bins)).map_err(js_error)?;
        let out = self.shared.with(|i| {
            if volatile {
                i.client.emit_volatile(nsp, event, args, now())
            } else {
                i.client.emit(nsp, event, args, now())
            }
        });
        out.map(|o| o == omni_socket_core::client::EmitOutcome::Queued)
            .map_err(emit_error)
    }

    /// Emits and asks for an ack; returns the request id that the `ack` or
    /// `ack_failed` event names. `timeout` in ms (negative: the default).
    ///
    /// # Errors
    /// As [`emit`](Self::emit), plus too many pending acks.
    #[wasm_bindgen(js_name = emitWithAck)]
    pub fn emit_with_ack(
        &self,
        nsp: &str,
        event: &str,
        args: &str,
        bins: &Array,
        timeout: f64,
    ) -> Result<f64, JsValue> {
        let args = convert::args(args, attachments(bins)).map_err(js_error)?;
        let timeout = (timeout.is_finite() && timeout >= 0.0).then_some(timeout as u64);
        self.shared
            .with(|i| i.client.emit_with_ack(nsp, event, args, timeout, now()))
            .map(|r| r.0 as f64)
            .map_err(emit_error)
    }

    /// Answers the server's ack request `id`; `false` when it is unknown
    /// or the namespace is not connected.
    ///
    /// # Errors
    /// A JS `Error` for bad arguments.
    pub fn ack(&self, nsp: &str, id: f64, args: &str, bins: &Array) -> Result<bool, JsValue> {
        let args = convert::args(args, attachments(bins)).map_err(js_error)?;
        Ok(self
            .shared
            .with(|i| i.client.ack(nsp, id as u64, args, now())))
    }

    /// Subscribes to a room described as JSON (`{preset: "omni", room,
    /// type}`, `{preset: "conversation", id}`, …, or `{preset: "custom",
    /// key, join, leave, confirm?, failure?}`); returns its key.
    ///
    /// # Errors
    /// A JS `Error` for a bad description, an unknown namespace or too many
    /// rooms.
    pub fn join(&self, nsp: &str, room: &str) -> Result<String, JsValue> {
        let spec = convert::room_spec(nsp, room).map_err(js_error)?;
        let key = spec.key.clone();
        self.shared
            .with(|i| i.client.join(spec, now()))
            .map_err(emit_error)?;
        Ok(key)
    }

    /// Unsubscribes from room `key`.
    pub fn leave(&self, nsp: &str, key: &str) {
        self.shared.with(|i| i.client.leave(nsp, key, now()));
    }

    /// Replaces the auth object (JSON object text, or `null`); with
    /// `reconnect` the client reconnects at once to apply it. With `nsp`,
    /// it answers that namespace's `auth_requested` instead: its own
    /// credentials from then on (`reconnect` is not used).
    ///
    /// # Errors
    /// A JS `Error` when the text is not a JSON object or null.
    #[wasm_bindgen(js_name = setAuth)]
    pub fn set_auth(
        &self,
        auth: &str,
        reconnect: bool,
        nsp: Option<String>,
    ) -> Result<(), JsValue> {
        let auth = Auth::from_text(auth).ok_or_else(|| js_error("auth must be an object"))?;
        let apply = if reconnect {
            AuthApply::Reconnect
        } else {
            AuthApply::NextConnect
        };
        self.shared.with(|i| match nsp {
            Some(nsp) => i.client.answer_auth(&nsp, auth, now()),
            None => i.client.set_auth(auth, apply, now()),
        });
        Ok(())
    }

    /// Checks the link now: runs every deadline that passed while timers
    /// were throttled (a background tab), and when waiting to reconnect,
    /// tries at once. Call it on `online` and `visibilitychange`.
    ///
    /// With `ping_deadline` (ms since the epoch) it sets instead when the
    /// next ping must arrive by (engine.io-client's `_pingTimeoutTime`):
    /// the next emit finds a link past it dead, as a late timer would.
    #[wasm_bindgen(js_name = checkNow)]
    pub fn check_now(&self, ping_deadline: Option<f64>) {
        self.shared.with(|i| {
            let t = now();
            if let Some(at) = ping_deadline {
                i.client.set_ping_deadline(instant(at), t);
                return;
            }
            i.client.handle_timeout(t);
            i.client.reconnect_now(t);
        });
    }

    /// `idle`, `connecting`, `open` or `reconnecting`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        convert::state_name(self.shared.inner.borrow().client.state()).into()
    }

    /// Whether namespace `nsp` is connected.
    pub fn connected(&self, nsp: &str) -> bool {
        self.shared.inner.borrow().client.is_connected(nsp)
    }

    /// Whether `nsp` is connected or the client will get there on its own
    /// (socket.io-client's `socket.active`).
    pub fn active(&self, nsp: &str) -> bool {
        self.shared.inner.borrow().client.namespace_active(nsp)
    }

    /// The socket id in `nsp`.
    #[wasm_bindgen(js_name = socketId)]
    pub fn socket_id(&self, nsp: &str) -> Option<String> {
        self.shared
            .inner
            .borrow()
            .client
            .socket_id(nsp)
            .map(str::to_owned)
    }

    /// Reconnection attempts in the current streak.
    #[wasm_bindgen(getter, js_name = reconnectAttempts)]
    pub fn reconnect_attempts(&self) -> u32 {
        self.shared.inner.borrow().client.reconnect_attempts()
    }

    /// Heartbeat latency statistics as JSON.
    #[wasm_bindgen(getter)]
    pub fn latency(&self) -> String {
        convert::latency_json(&self.shared.inner.borrow().client.latency())
    }

    /// Room subscriptions of `nsp` as a JSON array of `{key, state,
    /// reason}`.
    pub fn rooms(&self, nsp: &str) -> String {
        let rooms = self.shared.inner.borrow().client.rooms(nsp);
        let mut out = String::from("[");
        for (i, (k, s)) in rooms.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&convert::room_json(k, s));
        }
        out.push(']');
        out
    }

    /// Emits waiting in the offline buffer of `nsp`.
    pub fn buffered(&self, nsp: &str) -> usize {
        self.shared.inner.borrow().client.buffered(nsp)
    }

    /// The transport in use, `polling` or `websocket`.
    #[wasm_bindgen(getter)]
    pub fn transport(&self) -> Option<String> {
        self.shared
            .inner
            .borrow()
            .client
            .transport()
            .map(|(_, k)| k.as_str().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::usable_stamp;

    #[test]
    fn event_stamps_never_take_time_backwards() {
        assert!(usable_stamp(1500.25, 1500.0));
        assert!(usable_stamp(1500.0, 1500.0));
        // Older than a reading the core has seen: the clock is read instead.
        assert!(!usable_stamp(1499.9, 1500.0));
        // A wall-clock stamp (milliseconds since 1970), not a monotonic one.
        assert!(!usable_stamp(1_763_800_000_000.0, 1500.0));
        assert!(!usable_stamp(f64::NAN, 0.0));
        assert!(!usable_stamp(f64::INFINITY, 0.0));
    }
}
