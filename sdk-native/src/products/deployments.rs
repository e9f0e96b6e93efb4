//! PaaS deployments (seed 001): the seed's `WebSocketService` in Rust.
//!
//! ```no_run
//! use omni_socket::products::deployments::{Deployments, DeploymentUpdate};
//!
//! # async fn run(token: &str) -> omni_socket::Result<()> {
//! let service = Deployments::connect("http://127.0.0.1:3001/deployments", token).await?;
//! let mut feed = service.subscribe_to_deployment("dep-100").await?;
//! while let Some(update) = feed.next().await {
//!     match update {
//!         DeploymentUpdate::Status(s) => println!("Deployment {} status: {}", s.deployment_id, s.status),
//!         DeploymentUpdate::Log(l) => println!("Deployment {} log: {}", l.deployment_id, l.log),
//!     }
//! }
//! service.unsubscribe_from_deployment("dep-100")?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use omni_socket_core::client::{Product, RoomSpec};
use omni_socket_core::models::deployments::{
    DeploymentLog, DeploymentStatus, DeploymentsServerEvent, UserOffline, UserOnline,
};

use super::{ServerEvents, Status, ANSWER_TIMEOUT};
use crate::client::{EventStream, Socket};
use crate::error::Result;

/// A deployments client over one socket.
#[derive(Debug, Clone)]
pub struct Deployments {
    socket: Socket,
    timeout: Duration,
}

/// One update of a followed deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeploymentUpdate {
    /// `deployment:status` (the current one arrives at once on subscribe).
    Status(DeploymentStatus),
    /// `deployment:log`.
    Log(DeploymentLog),
}

/// The status and log updates of one deployment; see
/// [`Deployments::subscribe_to_deployment`].
#[derive(Debug)]
pub struct DeploymentFeed {
    id: String,
    events: ServerEvents<DeploymentsServerEvent>,
}

impl DeploymentFeed {
    /// The deployment followed.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The next update of this deployment, `None` once the client is gone.
    pub async fn next(&mut self) -> Option<DeploymentUpdate> {
        loop {
            match self.events.next().await? {
                DeploymentsServerEvent::Status(s) if s.deployment_id == self.id => {
                    return Some(DeploymentUpdate::Status(s))
                }
                DeploymentsServerEvent::Log(l) if l.deployment_id == self.id => {
                    return Some(DeploymentUpdate::Log(l))
                }
                _ => {}
            }
        }
    }
}

impl Deployments {
    token_constructors!(Product::Deployments, "the deployments server's");

    /// Deployments over `socket`.
    pub fn new(socket: Socket) -> Self {
        Self {
            socket,
            timeout: ANSWER_TIMEOUT,
        }
    }

    socket_accessors!("How long subscriptions wait for the server's answer (10 s).");

    /// `subscribeToDeployment`: `deployment:subscribe` with the bare id,
    /// kept after reconnections. The feed starts before the subscription,
    /// so the current status the server sends at once is its first item.
    ///
    /// # Errors
    /// [`Error::RoomRefused`](crate::Error::RoomRefused) for someone else's
    /// deployment (`FORBIDDEN`) or an unknown one (`NOT_FOUND`);
    /// [`Error::Timeout`](crate::Error::Timeout).
    pub async fn subscribe_to_deployment(&self, id: &str) -> Result<DeploymentFeed> {
        let feed = DeploymentFeed {
            id: id.to_owned(),
            events: ServerEvents::new(&self.socket, DeploymentsServerEvent::decode),
        };
        self.socket
            .join_confirmed(RoomSpec::deployment(id), self.timeout)
            .await?;
        Ok(feed)
    }

    /// `unsubscribeFromDeployment`: `deployment:unsubscribe`.
    ///
    /// # Errors
    /// [`Error::Closed`](crate::Error::Closed) when the client is gone.
    pub fn unsubscribe_from_deployment(&self, id: &str) -> Result<()> {
        self.socket.leave(&RoomSpec::deployment(id).key)
    }

    /// Every `deployment:status`.
    pub fn statuses(&self) -> EventStream<DeploymentStatus> {
        self.socket.subscribe()
    }

    /// Every `deployment:log`.
    pub fn logs(&self) -> EventStream<DeploymentLog> {
        self.socket.subscribe()
    }

    /// `user:online`.
    pub fn users_online(&self) -> EventStream<UserOnline> {
        self.socket.subscribe()
    }

    /// `user:offline`.
    pub fn users_offline(&self) -> EventStream<UserOffline> {
        self.socket.subscribe()
    }

    /// Every server event as [`DeploymentsServerEvent`].
    pub fn events(&self) -> ServerEvents<DeploymentsServerEvent> {
        ServerEvents::new(&self.socket, DeploymentsServerEvent::decode)
    }

    /// Connection status.
    pub fn status(&self) -> Status {
        Status::of(&self.socket)
    }
}
