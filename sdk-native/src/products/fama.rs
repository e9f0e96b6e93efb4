//! FAMA (seed 003): a token raw or as `Bearer <token>`, `connected {message,
//! user}` on success, `error {message}` on failure, and "Token expired"
//! answered with a fresh token and a reconnection.
//!
//! ```no_run
//! use omni_socket::products::fama::{Fama, TokenForm};
//!
//! # async fn fresh_access_token() -> Option<String> { None }
//! # async fn run(access_token: String) -> omni_socket::Result<()> {
//! let fama = Fama::builder("http://127.0.0.1:3001/fama", &access_token, TokenForm::Bearer)
//!     // Asked after the server says the token expired; the client then
//!     // reconnects with what it returns.
//!     .refresh_token(|_failures| async { fresh_access_token().await })
//!     .connect()
//!     .await?;
//! let connected = fama.connected().await?;
//! println!("Connected as: {}", connected.user.username);
//! let mut errors = fama.errors();
//! while let Some(e) = errors.next().await {
//!     eprintln!("Server error: {}", e.message);
//! }
//! # Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use omni_socket_core::client::{Auth, Credentials, Product};
use omni_socket_core::models::fama::{Connected, Error as FamaError, FamaServerEvent};
use tokio::sync::watch;

use super::{ServerEvents, Status, ANSWER_TIMEOUT};
use crate::client::{ClientBuilder, EventStream, Socket};
use crate::error::{Error, Result};

/// How the token travels in `auth.token`; the seed's server accepts both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenForm {
    /// The token as it is.
    #[default]
    Raw,
    /// `Bearer <token>`.
    Bearer,
}

impl TokenForm {
    fn auth(self, token: &str) -> Auth {
        Auth::Credentials(match self {
            Self::Raw => Credentials::token(token),
            Self::Bearer => Credentials::bearer(token),
        })
    }
}

type Refresh =
    Arc<dyn Fn(u32) -> Pin<Box<dyn Future<Output = Option<String>> + Send>> + Send + Sync>;

/// Options of a [`Fama`] client; from [`Fama::builder`].
pub struct FamaBuilder {
    client: ClientBuilder,
    form: TokenForm,
    refresh: Option<Refresh>,
}

impl std::fmt::Debug for FamaBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FamaBuilder")
            .field("client", &self.client)
            .field("form", &self.form)
            .field("refresh", &self.refresh.is_some())
            .finish()
    }
}

impl FamaBuilder {
    /// Called when the server refuses the token (`error {message: "…Token
    /// expired"}` and a disconnect, or a refusal at connect) with the
    /// number of consecutive failures; the token it returns, sent in the
    /// same form, is used for the reconnection that follows at once.
    /// `None` keeps the old token.
    #[must_use]
    pub fn refresh_token<F, Fut>(mut self, refresh: F) -> Self
    where
        F: Fn(u32) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<String>> + Send + 'static,
    {
        self.refresh = Some(Arc::new(move |n| Box::pin(refresh(n))));
        self
    }

    /// Other client options.
    #[must_use]
    pub fn client(mut self, f: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Self {
        self.client = f(self.client);
        self
    }

    /// Connects. FAMA accepts the transport before it checks the token, so
    /// this returns once the namespace is connected; whether the token was
    /// good shows in [`Fama::connected`] (or an `error`).
    ///
    /// # Errors
    /// As [`ClientBuilder::connect`].
    pub async fn connect(self) -> Result<Fama> {
        // Started unconnected, so `connected` cannot come before the
        // subscription that waits for it.
        let client = self.client.build()?;
        let fama = Fama::with_form(Socket::clone(&client), self.form, self.refresh.is_some());
        if let Some(refresh) = self.refresh {
            let form = self.form;
            fama.socket.refresh_auth(move |failures| {
                let next = refresh(failures);
                async move { next.await.map(|t| form.auth(&t)) }
            });
        }
        client.reconnect()?;
        client.connect_outcome().await?;
        Ok(fama)
    }
}

/// A FAMA client over one socket.
#[derive(Debug, Clone)]
pub struct Fama {
    socket: Socket,
    form: TokenForm,
    session: watch::Receiver<Session>,
    timeout: Duration,
}

/// What the server said last about the token.
#[derive(Debug, Clone)]
enum Session {
    /// Nothing yet, or a refreshed token is on its way.
    Waiting,
    /// `connected`.
    Connected(Connected),
    /// The token was refused (an `error` before `connected`, or an
    /// authentication error with no refresh hook).
    Refused(String),
}

impl Fama {
    /// Options for a client of `url` with `token` in `form`. FAMA reports
    /// a bad or expired token with `error {message}` rather than refusing
    /// the connection, so "token expired" counts as an auth failure and
    /// asks the [refresh hook](FamaBuilder::refresh_token).
    pub fn builder(url: &str, token: &str, form: TokenForm) -> FamaBuilder {
        FamaBuilder {
            client: super::builder(url, Product::Fama, form.auth(token)),
            form,
            refresh: None,
        }
    }

    /// Connects with `token` in `form`, without a refresh hook.
    ///
    /// # Errors
    /// As [`FamaBuilder::connect`].
    pub async fn connect(url: &str, token: &str, form: TokenForm) -> Result<Self> {
        Self::builder(url, token, form).connect().await
    }

    /// FAMA over `socket` (connect it after this, or miss `connected`).
    pub fn new(socket: Socket) -> Self {
        Self::with_form(socket, TokenForm::Raw, false)
    }

    /// `refreshing`: a refresh hook answers "Token expired", so a session
    /// refused for it is followed by a new one.
    fn with_form(socket: Socket, form: TokenForm, refreshing: bool) -> Self {
        let (tx, rx) = watch::channel(Session::Waiting);
        // Messages only: the lifecycle stream is another channel, and its
        // order relative to messages is not kept.
        let mut events = ServerEvents::new(&socket, FamaServerEvent::decode);
        tokio::spawn(async move {
            while let Some(e) = events.next().await {
                match e {
                    FamaServerEvent::Connected(c) => {
                        let _ = tx.send(Session::Connected(c));
                    }
                    FamaServerEvent::Error(e) if refreshing && e.is_token_expired() => {
                        // A new session with a fresh token follows.
                        let _ = tx.send(Session::Waiting);
                    }
                    FamaServerEvent::Error(e) => {
                        let auth =
                            e.message.starts_with("Authentication failed") || e.is_token_expired();
                        tx.send_if_modified(|s| {
                            let refused = matches!(s, Session::Waiting) || auth;
                            if refused {
                                *s = Session::Refused(e.message);
                            }
                            refused
                        });
                    }
                    _ => {}
                }
            }
        });
        Self {
            socket,
            form,
            session: rx,
            timeout: ANSWER_TIMEOUT,
        }
    }

    socket_accessors!("How long [`connected`](Self::connected) waits (10 s).");

    /// The server's last `connected {message, user}`, waiting for it if
    /// none came yet, or while a refreshed token is on its way.
    ///
    /// # Errors
    /// [`Error::Auth`] with the server's message when it refused the token
    /// (`error {message: "Authentication failed: …"}`, then a disconnect;
    /// or "Token expired" with no refresh hook); [`Error::Timeout`] when
    /// neither comes; [`Error::Closed`].
    pub async fn connected(&self) -> Result<Connected> {
        let mut rx = self.session.clone();
        let wait = rx.wait_for(|s| !matches!(s, Session::Waiting));
        let session = match tokio::time::timeout(self.timeout, wait).await {
            Ok(Ok(s)) => s.clone(),
            Ok(Err(_)) => return Err(Error::Closed),
            Err(_) => return Err(Error::Timeout("no `connected` from the server".into())),
        };
        match session {
            Session::Connected(c) => Ok(c),
            Session::Refused(message) => Err(Error::Auth {
                message,
                data: None,
            }),
            Session::Waiting => Err(Error::Closed),
        }
    }

    /// Replaces the token (in this client's form) for the next connection.
    ///
    /// # Errors
    /// [`Error::Closed`] when the client is gone.
    pub fn set_token(&self, token: &str) -> Result<()> {
        self.socket.update_auth(self.form.auth(token))
    }

    /// `error {message}`: authentication failures ("Authentication failed:
    /// Token expired"), "Token expired" during a session, refused input.
    pub fn errors(&self) -> EventStream<FamaError> {
        self.socket.subscribe()
    }

    /// Every server event as [`FamaServerEvent`].
    pub fn events(&self) -> ServerEvents<FamaServerEvent> {
        ServerEvents::new(&self.socket, FamaServerEvent::decode)
    }

    /// Connection status.
    pub fn status(&self) -> Status {
        Status::of(&self.socket)
    }
}
