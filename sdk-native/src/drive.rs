//! The connection's future, shared by its task and a caller awaiting an
//! answer on a one-thread runtime.
//!
//! The driver runs as a task of its own. A caller that awaits an ack is
//! woken by that task once the answer has been read, and on a one-thread
//! (`current_thread`) runtime that wake costs the round trip a scheduler
//! turn: tokio polls its I/O driver once more before it polls the woken
//! `block_on` future again (one `epoll_wait` per ack, about 15 % of a
//! loopback round trip). So while it waits, such a caller polls the
//! driver itself: the answer's frame then wakes the caller directly and is
//! read, decoded and handed over within the caller's own poll. An `emit`
//! waits for the driver's outcome the same way, and gets it within its
//! first poll.
//!
//! The driver is always polled with one waker that wakes both its task
//! and the caller helping (if any). The task therefore never depends on
//! the caller: a caller that stops polling, or is dropped, leaves the
//! driver to its task as before. Only a caller on the driver's own
//! runtime helps, and only on a one-thread runtime, where the task could
//! not run while the caller's task is running anyway; on a multi-thread
//! runtime the driver keeps its own worker.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::task::{Context, Poll};

use futures_util::task::{waker_ref, ArcWake, AtomicWaker};
use tokio::runtime::{Handle, Id, RuntimeFlavor};

type DriverFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The driver's future and who to wake when it can make progress. It is
/// itself the waker the driver is polled with (so a connection costs no
/// second allocation): the driver's registrations then hold the `Drive`,
/// a cycle that ends when the future does or its task is dropped.
pub(crate) struct Drive {
    /// `None` once the driver has finished.
    future: Mutex<Option<DriverFuture>>,
    task: AtomicWaker,
    helper: AtomicWaker,
    /// Whether the driver was woken since its last poll began. Every wake
    /// wakes both the task and the helper, and one poll answers both: an
    /// ack's answer wakes the caller, which reads it, and then the task,
    /// which would poll every source again to find nothing (a twenty-fifth
    /// of an ack's client work, in instructions).
    woken: AtomicBool,
    /// The runtime the driver's task runs on, when it is a one-thread
    /// runtime: only a caller on it helps.
    helped_on: Option<Id>,
}

impl ArcWake for Drive {
    fn wake_by_ref(drive: &Arc<Self>) {
        drive.woken.store(true, Ordering::Release);
        drive.task.wake();
        drive.helper.wake();
    }
}

impl Drive {
    /// Spawns `driver` on `handle` and returns the handle callers help
    /// through.
    pub(crate) fn spawn(
        handle: &Handle,
        driver: impl Future<Output = ()> + Send + 'static,
    ) -> Arc<Self> {
        let drive = Arc::new(Self {
            future: Mutex::new(Some(Box::pin(driver))),
            task: AtomicWaker::new(),
            helper: AtomicWaker::new(),
            woken: AtomicBool::new(true),
            helped_on: (handle.runtime_flavor() == RuntimeFlavor::CurrentThread)
                .then(|| handle.id()),
        });
        handle.spawn(Task(drive.clone()));
        drive
    }

    /// Polls the driver, or returns `None` when another poll is under way.
    /// That only happens across threads: a caller on a blocking thread of
    /// the runtime (`Handle::block_on` inside `spawn_blocking`) helps
    /// while the task runs.
    fn poll_driver(self: &Arc<Self>) -> Option<Poll<()>> {
        let mut slot = match self.future.try_lock() {
            Ok(slot) => slot,
            Err(TryLockError::WouldBlock) => return None,
            // The driver panicked in a helper's poll (the panic went on to
            // the caller): drop it as its task would have, so the
            // connection reports itself closed instead of hanging.
            Err(TryLockError::Poisoned(slot)) => {
                drop(slot.into_inner().take());
                return Some(Poll::Ready(()));
            }
        };
        let Some(future) = slot.as_mut() else {
            return Some(Poll::Ready(()));
        };
        // Under the lock: a wake that came while another poll held it is
        // still set here. Cleared before the poll, so a wake during it
        // counts for the next one. The future's sources are all registered
        // with this waker (its last poll returned `Pending`), so without a
        // wake it has nothing to do.
        if !self.woken.swap(false, Ordering::Acquire) {
            return Some(Poll::Pending);
        }
        let waker = waker_ref(self);
        if future
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready()
        {
            *slot = None;
            return Some(Poll::Ready(()));
        }
        Some(Poll::Pending)
    }

    /// Whether a caller on the current thread may help: it is inside the
    /// driver's one-thread runtime.
    fn may_help(&self) -> bool {
        self.helped_on
            .is_some_and(|id| Handle::try_current().is_ok_and(|h| h.id() == id))
    }

    /// Awaits `answer`, polling the driver meanwhile when the caller
    /// [may help](Self::may_help).
    pub(crate) async fn answer<F: Future + Unpin>(self: &Arc<Self>, mut answer: F) -> F::Output {
        if !self.may_help() {
            return answer.await;
        }
        let helping = Helping(self);
        std::future::poll_fn(|cx| {
            if let Poll::Ready(out) = Pin::new(&mut answer).poll(cx) {
                return Poll::Ready(out);
            }
            helping.0.helper.register(cx.waker());
            let _ = helping.0.poll_driver();
            Pin::new(&mut answer).poll(cx)
        })
        .await
    }
}

/// Withdraws the helper's waker when the wait ends, answered or dropped,
/// so the driver's next wake does not poll a caller that has moved on.
struct Helping<'a>(&'a Arc<Drive>);

impl Drop for Helping<'_> {
    fn drop(&mut self) {
        drop(self.0.helper.take());
    }
}

/// The driver's own task.
struct Task(Arc<Drive>);

impl Future for Task {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.task.register(cx.waker());
        self.0.poll_driver().unwrap_or_else(|| {
            // A helper is polling: what woke this task may have come after
            // the helper looked, so poll again rather than wait for a wake
            // that may not come.
            cx.waker().wake_by_ref();
            Poll::Pending
        })
    }
}

impl Drop for Task {
    /// The task ends with the runtime too: the driver goes with it, as it
    /// did when it was the task's own future (its `Drop` reports the
    /// connection closed), even while handles still hold the `Drive`.
    fn drop(&mut self) {
        let future = match self.0.future.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        drop(future);
    }
}
