//! A bounded queue from the driver to one subscriber that carries items in
//! batches.
//!
//! The driver handles everything a socket read delivered in one turn; with
//! one channel message per event, a subscriber on another thread would be
//! woken once per event, and those wake-ups cost more than decoding small
//! events. Here the driver sends one batch per turn, and the bounds are
//! still counted per item: at most `cap` items and `max_bytes` bytes of
//! server data not yet taken, so `subscription_queue(n)` and
//! `max_queued_event_bytes(n)` keep their meaning.
//!
//! When an item does not fit, it is the new item that is dropped (the
//! driver cannot take back what it already handed over), and counted in
//! [`QueueRx::dropped`]. An item larger than the whole byte bound still
//! goes into an empty queue, alone: a byte bound must not make an event
//! that the decoder's limits accept undeliverable.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};

use futures_channel::mpsc;
use futures_core::Stream;
use tokio::sync::mpsc as tokio_mpsc;

/// Creates a queue holding at most `cap` items and `max_bytes` bytes not
/// yet taken.
pub(crate) fn queue<T>(cap: usize, max_bytes: usize) -> (QueueTx<T>, QueueRx<T>) {
    let (tx, rx) = tokio_mpsc::unbounded_channel();
    let pending = Arc::new(Pending::default());
    (
        QueueTx {
            tx,
            pending: pending.clone(),
            cap: cap.max(1),
            max_bytes,
        },
        QueueRx {
            rx,
            buf: Vec::new().into_iter(),
            pending,
        },
    )
}

/// What both ends count, side by side so the subscriber's updates touch
/// one cache line.
#[derive(Debug, Default)]
struct Pending {
    items: AtomicUsize,
    bytes: AtomicUsize,
    dropped: AtomicU64,
}

/// The driver's end.
#[derive(Debug)]
pub(crate) struct QueueTx<T> {
    tx: tokio_mpsc::UnboundedSender<Vec<(T, usize)>>,
    pending: Arc<Pending>,
    cap: usize,
    max_bytes: usize,
}

/// Items for one [`QueueTx::send`], checked against the bounds as they
/// are added.
#[derive(Debug)]
pub(crate) struct Batch<T> {
    items: Vec<(T, usize)>,
    /// Items and bytes already queued when the batch was started; the
    /// subscriber may only have taken more since.
    queued: usize,
    queued_bytes: usize,
    bytes: usize,
}

impl<T> Batch<T> {
    /// Whether an item of `size` bytes would fit.
    pub(crate) fn fits(&self, tx: &QueueTx<T>, size: usize) -> bool {
        let items = self.queued + self.items.len();
        items < tx.cap && (items == 0 || self.queued_bytes + self.bytes + size <= tx.max_bytes)
    }

    /// Adds `item` of `size` bytes; the caller checked [`fits`](Self::fits).
    pub(crate) fn push(&mut self, item: T, size: usize) {
        self.bytes += size;
        self.items.push((item, size));
    }
}

impl<T> QueueTx<T> {
    /// An empty batch, measured against what is queued now.
    pub(crate) fn batch(&self) -> Batch<T> {
        Batch {
            items: Vec::new(),
            queued: self.pending.items.load(Ordering::Acquire),
            queued_bytes: self.pending.bytes.load(Ordering::Acquire),
            bytes: 0,
        }
    }

    /// Counts an item that did not fit; returns the count so far.
    pub(crate) fn dropped_one(&self) -> u64 {
        self.pending.dropped.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Sends `batch`.
    pub(crate) fn send(&self, batch: Batch<T>) -> bool {
        if batch.items.is_empty() {
            return true;
        }
        let (n, bytes) = (batch.items.len(), batch.bytes);
        self.pending.items.fetch_add(n, Ordering::AcqRel);
        self.pending.bytes.fetch_add(bytes, Ordering::AcqRel);
        if self.tx.send(batch.items).is_err() {
            self.pending.items.fetch_sub(n, Ordering::AcqRel);
            self.pending.bytes.fetch_sub(bytes, Ordering::AcqRel);
            return false;
        }
        true
    }
}

/// The subscriber's end.
#[derive(Debug)]
pub(crate) struct QueueRx<T> {
    rx: tokio_mpsc::UnboundedReceiver<Vec<(T, usize)>>,
    buf: std::vec::IntoIter<(T, usize)>,
    pending: Arc<Pending>,
}

impl<T> QueueRx<T> {
    /// The next item; `None` once the driver is gone and the queue empty.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        loop {
            if let Some((item, size)) = self.buf.next() {
                self.pending.items.fetch_sub(1, Ordering::AcqRel);
                self.pending.bytes.fetch_sub(size, Ordering::AcqRel);
                return Poll::Ready(Some(item));
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(batch)) => self.buf = batch.into_iter(),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Items dropped because the queue was full.
    pub(crate) fn dropped(&self) -> u64 {
        self.pending.dropped.load(Ordering::Relaxed)
    }

    #[cfg(test)]
    pub(crate) async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }
}

/// An unbounded channel whose items travel boxed, with senders that can
/// be weak: the driver's commands, and a polling transport's requests.
///
/// futures-channel's queue is a few dozen bytes per connection: tokio's
/// unbounded channel is 800 (its shared state padded to cache lines, and
/// a first block of 32 slots allocated up front), a tenth of an idle
/// native connection. Items are boxed so the queue's stub node, allocated
/// up front, is a pointer wide instead of a command wide. The channel's
/// one sender is shared behind an `Arc`, so a weak sender is a `Weak` of
/// it: once every strong one is gone, the sender is dropped and the
/// receiver sees the end, as with tokio's weak senders.
pub(crate) fn boxed<T>() -> (BoxedTx<T>, BoxedRx<T>) {
    let (tx, rx) = mpsc::unbounded();
    (BoxedTx(Arc::new(tx)), BoxedRx(rx))
}

/// The sending end of [`boxed`].
pub(crate) struct BoxedTx<T>(Arc<mpsc::UnboundedSender<Box<T>>>);

/// A sender of [`boxed`] that does not keep the channel open.
pub(crate) struct WeakBoxedTx<T>(Weak<mpsc::UnboundedSender<Box<T>>>);

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
        self.0.unbounded_send(Box::new(item)).map_err(|_| Gone)
    }

    pub(crate) fn downgrade(&self) -> WeakBoxedTx<T> {
        WeakBoxedTx(Arc::downgrade(&self.0))
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
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.0).poll_next(cx).map(|b| b.map(|b| *b))
    }
}

#[cfg(test)]
mod tests {
    use super::{boxed, queue, QueueTx};

    /// Adds what fits of `items` (value, size) in one batch; returns how
    /// many fitted.
    fn send(tx: &QueueTx<u32>, items: &[(u32, usize)]) -> usize {
        let mut b = tx.batch();
        let mut n = 0;
        for &(item, size) in items {
            if b.fits(tx, size) {
                b.push(item, size);
                n += 1;
            } else {
                tx.dropped_one();
            }
        }
        assert!(tx.send(b));
        n
    }

    #[tokio::test]
    async fn batches_arrive_in_order_and_free_room() {
        let (tx, mut rx) = queue::<u32>(4, usize::MAX);
        assert_eq!(send(&tx, &[(1, 1), (2, 1), (3, 1)]), 3);
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(send(&tx, &[(4, 1), (5, 1), (6, 1)]), 2);
        let mut got = Vec::new();
        for _ in 0..4 {
            got.push(rx.recv().await.unwrap());
        }
        assert_eq!(got, [2, 3, 4, 5]);
        assert_eq!(rx.dropped(), 1);
        assert_eq!(send(&tx, &[(7, 1); 4]), 4);
        drop(tx);
        for _ in 0..4 {
            assert_eq!(rx.recv().await, Some(7));
        }
        assert_eq!(rx.recv().await, None);
    }

    #[tokio::test]
    async fn bytes_are_bounded_too_and_one_large_item_fits_alone() {
        let (tx, mut rx) = queue::<u32>(100, 1_000);
        assert_eq!(send(&tx, &[(1, 400), (2, 400), (3, 400)]), 2);
        assert_eq!(rx.dropped(), 1);
        // Still 800 queued: 300 more do not fit, 200 do.
        assert_eq!(send(&tx, &[(4, 300), (5, 200)]), 1);
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, Some(5));
        // Empty: an item over the whole bound goes in alone.
        assert_eq!(send(&tx, &[(6, 5_000), (7, 1)]), 1);
        assert_eq!(rx.recv().await, Some(6));
        assert_eq!(send(&tx, &[(8, 1)]), 1);
        assert_eq!(rx.recv().await, Some(8));
        assert_eq!(rx.dropped(), 3);
    }

    #[tokio::test]
    async fn a_closed_receiver_refuses_batches() {
        let (tx, rx) = queue::<u32>(2, usize::MAX);
        drop(rx);
        assert!(tx.is_closed());
        let mut b = tx.batch();
        b.push(1, 1);
        assert!(!tx.send(b));
        assert!(tx.batch().fits(&tx, 1));
    }

    /// A weak sender sends while a strong one lives, and does not keep
    /// the channel open: the driver ends when the last handle is gone,
    /// whatever `AckRequest`s the application still holds.
    #[tokio::test]
    async fn weak_senders_do_not_keep_the_channel_open() {
        let (tx, mut rx) = boxed::<u32>();
        let weak = tx.downgrade();
        let tx2 = tx.clone();
        drop(tx);
        weak.upgrade()
            .expect("a strong sender lives")
            .send(1)
            .unwrap();
        tx2.send(2).unwrap();
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        drop(tx2);
        assert!(weak.upgrade().is_none());
        assert_eq!(rx.recv().await, None);
        let (tx, rx) = boxed::<u32>();
        drop(rx);
        assert!(tx.send(3).is_err());
    }
}
