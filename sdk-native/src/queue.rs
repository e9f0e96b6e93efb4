//! A bounded queue from the driver to one subscriber that carries items in
//! batches.
//!
//! The driver handles everything a socket read delivered in one turn; with
//! one channel message per event, a subscriber on another thread would be
//! woken once per event, and those wake-ups cost more than decoding small
//! events. Here the driver sends one batch per turn, and the bound is still
//! counted in items, so `subscription_queue(n)` keeps its meaning.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

/// Creates a queue holding at most `cap` items not yet taken.
pub(crate) fn queue<T>(cap: usize) -> (QueueTx<T>, QueueRx<T>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let pending = Arc::new(AtomicUsize::new(0));
    (
        QueueTx {
            tx,
            pending: pending.clone(),
            cap: cap.max(1),
        },
        QueueRx {
            rx,
            buf: Vec::new().into_iter(),
            pending,
        },
    )
}

/// The driver's end.
#[derive(Debug)]
pub(crate) struct QueueTx<T> {
    tx: mpsc::UnboundedSender<Vec<T>>,
    pending: Arc<AtomicUsize>,
    cap: usize,
}

impl<T> QueueTx<T> {
    /// How many more items fit.
    pub(crate) fn room(&self) -> usize {
        self.cap
            .saturating_sub(self.pending.load(Ordering::Acquire))
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Sends `items` as one batch. The caller keeps within [`room`](Self::room).
    pub(crate) fn send(&self, items: Vec<T>) -> bool {
        if items.is_empty() {
            return true;
        }
        let n = items.len();
        self.pending.fetch_add(n, Ordering::AcqRel);
        if self.tx.send(items).is_err() {
            self.pending.fetch_sub(n, Ordering::AcqRel);
            return false;
        }
        true
    }
}

/// The subscriber's end.
#[derive(Debug)]
pub(crate) struct QueueRx<T> {
    rx: mpsc::UnboundedReceiver<Vec<T>>,
    buf: std::vec::IntoIter<T>,
    pending: Arc<AtomicUsize>,
}

impl<T> QueueRx<T> {
    /// The next item; `None` once the driver is gone and the queue empty.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        loop {
            if let Some(item) = self.buf.next() {
                self.pending.fetch_sub(1, Ordering::AcqRel);
                return Poll::Ready(Some(item));
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(batch)) => self.buf = batch.into_iter(),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    #[cfg(test)]
    pub(crate) async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }
}

/// An unbounded channel whose items travel boxed. tokio allocates a
/// channel's first block of 32 slots when the channel is created, so slots
/// the size of a large enum cost every idle connection kilobytes (3.6 KB
/// for driver commands); a box is 8 bytes, and one allocation per item is
/// small beside what a command or an outgoing frame already allocates.
pub(crate) fn boxed<T>() -> (BoxedTx<T>, BoxedRx<T>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (BoxedTx(tx), BoxedRx(rx))
}

/// The sending end of [`boxed`].
pub(crate) struct BoxedTx<T>(mpsc::UnboundedSender<Box<T>>);

/// A sender of [`boxed`] that does not keep the channel open.
pub(crate) struct WeakBoxedTx<T>(mpsc::WeakUnboundedSender<Box<T>>);

/// The receiving end of [`boxed`].
pub(crate) struct BoxedRx<T>(mpsc::UnboundedReceiver<Box<T>>);

/// The other end of a channel is gone.
#[derive(Debug)]
pub(crate) struct Gone;

// By hand: derived impls would require `T: Clone` / `T: Debug`.
impl<T> Clone for BoxedTx<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> Clone for WeakBoxedTx<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> std::fmt::Debug for WeakBoxedTx<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WeakBoxedTx")
    }
}

impl<T> BoxedTx<T> {
    /// Queues `item`; `Err` once the receiver is gone.
    pub(crate) fn send(&self, item: T) -> Result<(), Gone> {
        self.0.send(Box::new(item)).map_err(|_| Gone)
    }

    pub(crate) fn downgrade(&self) -> WeakBoxedTx<T> {
        WeakBoxedTx(self.0.downgrade())
    }
}

impl<T> WeakBoxedTx<T> {
    /// A sender again, unless every strong sender is gone.
    pub(crate) fn upgrade(&self) -> Option<BoxedTx<T>> {
        self.0.upgrade().map(BoxedTx)
    }
}

impl<T> BoxedRx<T> {
    pub(crate) async fn recv(&mut self) -> Option<T> {
        self.0.recv().await.map(|b| *b)
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.0.poll_recv(cx).map(|b| b.map(|b| *b))
    }
}

#[cfg(test)]
mod tests {
    use super::queue;

    #[tokio::test]
    async fn batches_arrive_in_order_and_free_room() {
        let (tx, mut rx) = queue::<u32>(4);
        assert_eq!(tx.room(), 4);
        assert!(tx.send(vec![1, 2, 3]));
        assert_eq!(tx.room(), 1);
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(tx.room(), 2);
        assert!(tx.send(vec![4, 5]));
        assert_eq!(tx.room(), 0);
        let mut got = Vec::new();
        for _ in 0..4 {
            got.push(rx.recv().await.unwrap());
        }
        assert_eq!(got, [2, 3, 4, 5]);
        assert_eq!(tx.room(), 4);
        drop(tx);
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn a_closed_receiver_refuses_batches() {
        let (tx, rx) = queue::<u32>(2);
        drop(rx);
        assert!(tx.is_closed());
        assert!(!tx.send(vec![1]));
        assert_eq!(tx.room(), 2);
    }
}
