//! The application's event queue, bounded in events and in bytes of server
//! data, with the one event a driver on the fast path may take lent from
//! its frame instead of queued (see
//! [`Client::handle_text_event`](super::Client::handle_text_event)).
//!
//! Full means: one more event would pass `max_queued_events`, or its
//! [`data_size`](Event::data_size) would take the queue past
//! `max_queued_event_bytes`. Then the oldest
//! events go, counted in [`dropped`](EventQueue::dropped), until the new
//! one fits; an event larger than the whole byte bound stays, alone. The
//! newest events are the ones an application can still act on (the
//! server's state now), and a driver that stalls cannot hold more than the
//! bounds say.

use alloc::collections::VecDeque;

use super::events::Event;
use crate::socketio;

/// [`Event::data_size`], with the server event of the drivers' fast path
/// (text, no attachments) read without the general match.
#[inline]
fn size_of_event(e: &Event) -> usize {
    match e {
        Event::RawMessage {
            data, attachments, ..
        } if attachments.is_empty() => data.len(),
        _ => e.data_size(),
    }
}

/// An event lent by [`Client::handle_text_event`](super::Client::handle_text_event):
/// where its text is in the frame, and its place in the event queue.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lent {
    /// Namespace index.
    pub(super) ns: usize,
    /// Where the event's JSON text starts in the frame, and its length.
    pub(super) start: usize,
    /// Its length, also its size for the byte bound (the `data_size` of
    /// the event it stands for).
    pub(super) len: usize,
    pub(super) ack: Option<u64>,
    /// Where its name is in the frame, and its length, when the name is a
    /// slice of it.
    pub(super) name: Option<(usize, usize)>,
    /// Index in the event queue it stands at: events pushed after it come
    /// after it.
    pub(super) pos: usize,
}

/// Events for the application, oldest first.
#[derive(Debug)]
pub(super) struct EventQueue {
    events: VecDeque<Event>,
    max: usize,
    max_bytes: usize,
    /// At least the sum of [`Event::data_size`] over `events`: added to
    /// on the way in, not taken from on the way out (every server event
    /// takes that way, and drivers empty the queue each turn), set to 0
    /// once the queue is found empty, and summed exactly before anything
    /// is dropped for it.
    bytes: usize,
    dropped: u64,
    /// While `handle_text_event` runs: the address range of its frame, so
    /// an event whose text lies inside it can be lent instead of copied.
    lending: Option<(usize, usize)>,
    lent: Option<Lent>,
}

impl EventQueue {
    pub(super) fn new(max: usize, max_bytes: usize) -> Self {
        Self {
            events: VecDeque::new(),
            max: max.max(1),
            max_bytes,
            bytes: 0,
            dropped: 0,
            lending: None,
            lent: None,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.events.len()
    }

    /// Bytes of data queued.
    pub(super) fn bytes(&self) -> usize {
        self.events.iter().map(size_of_event).sum()
    }

    /// Room kept for events (tests: a drained queue keeps none).
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.events.capacity()
    }

    pub(super) fn dropped(&self) -> u64 {
        self.dropped
    }

    #[inline]
    pub(super) fn pop(&mut self) -> Option<Event> {
        if self.events.is_empty() {
            self.emptied();
            return None;
        }
        // Checked first, so the event goes straight to the caller.
        self.events.pop_front()
    }

    /// Asked once the driver has taken everything: nothing is queued, and
    /// the memory goes back, so an idle client keeps none. An event is
    /// 120 bytes and the first push makes room for four: kept, that was a
    /// twentieth of an idle native connection, while allocating it again
    /// costs one allocation per turn that queues anything (the usual
    /// server event is lent, not queued).
    fn emptied(&mut self) {
        self.bytes = 0;
        if self.events.capacity() != 0 {
            self.shrink();
        }
    }

    #[cold]
    fn shrink(&mut self) {
        self.events = VecDeque::new();
    }

    /// Puts the lent event back at `pos`, where room was kept for it.
    pub(super) fn insert(&mut self, pos: usize, e: Event) {
        self.bytes += size_of_event(&e);
        self.events.insert(pos, e);
    }

    /// Queues `e`; when full the oldest go until it fits, and that may be
    /// the lent event.
    pub(super) fn push(&mut self, e: Event) {
        let size = size_of_event(&e);
        if self.full_for(size) {
            self.make_room(size);
        }
        self.bytes += size;
        self.events.push_back(e);
    }

    /// Drops the oldest events until one of `size` bytes fits.
    #[cold]
    fn make_room(&mut self, size: usize) {
        // The sum may count events already taken: make it exact first.
        self.bytes = self.bytes();
        while self.full_for(size) {
            match &mut self.lent {
                Some(l) if l.pos == 0 => self.lent = None,
                Some(l) => {
                    l.pos -= 1;
                    self.drop_front();
                }
                None => self.drop_front(),
            }
            self.dropped += 1;
        }
    }

    /// Whether an event of `size` bytes needs an older one to go first.
    /// Never when nothing is left to drop: an event over the whole byte
    /// bound is kept, alone.
    fn full_for(&self, size: usize) -> bool {
        let (lent, lent_bytes) = self.lent.as_ref().map_or((0, 0), |l| (1, l.len));
        let count = self.events.len() + lent;
        count > 0 && (count >= self.max || self.bytes + lent_bytes + size > self.max_bytes)
    }

    fn drop_front(&mut self) {
        if let Some(e) = self.events.pop_front() {
            self.bytes -= size_of_event(&e);
        }
    }

    /// Events of the frame `text` may be lent until [`end_lending`](Self::end_lending).
    pub(super) fn start_lending(&mut self, text: &str) {
        self.lending = Some((text.as_ptr() as usize, text.len()));
    }

    /// The event lent from the frame, if any.
    pub(super) fn end_lending(&mut self) -> Option<Lent> {
        self.lending = None;
        self.lent.take()
    }

    /// Lends `packet`'s event of namespace `ns` instead of queueing it,
    /// when a frame is being lent from, nothing was lent from it yet, and
    /// the event's text lies in it.
    pub(super) fn lend(
        &mut self,
        ns: usize,
        packet: &socketio::Packet<'_>,
        name: Option<&str>,
    ) -> bool {
        let (Some((frame, frame_len)), None, Some(data)) =
            (self.lending, &self.lent, packet.data.as_deref())
        else {
            return false;
        };
        let Some(start) = (data.as_ptr() as usize).checked_sub(frame) else {
            return false;
        };
        if start + data.len() > frame_len || !packet.attachments.is_empty() {
            return false;
        }
        let name = name.and_then(|n| {
            let at = (n.as_ptr() as usize).checked_sub(frame)?;
            (at + n.len() <= frame_len).then_some((at, n.len()))
        });
        self.lent = Some(Lent {
            ns,
            start,
            len: data.len(),
            ack: packet.id,
            name,
            pos: self.events.len(),
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    /// An event holding `size` bytes of text.
    fn event(n: u32, size: usize) -> Event {
        Event::ReconnectError {
            attempt: n,
            message: "x".repeat(size),
        }
    }

    fn drain(q: &mut EventQueue) -> Vec<u32> {
        core::iter::from_fn(|| q.pop())
            .map(|e| match e {
                Event::ReconnectError { attempt, .. } => attempt,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_byte_bound_drops_the_oldest_until_an_event_fits() {
        let mut q = EventQueue::new(100, 1_000);
        for n in 0..4 {
            q.push(event(n, 300));
        }
        // 1,200 bytes would not fit: event 0 went.
        assert_eq!((q.len(), q.bytes(), q.dropped()), (3, 900, 1));
        // Exactly at the bound fits.
        q.push(event(4, 700));
        assert_eq!((q.len(), q.bytes(), q.dropped()), (2, 1_000, 3));
        // Events without data weigh nothing: only the count bounds them.
        q.push(event(5, 0));
        assert_eq!(drain(&mut q), [3, 4, 5]);
        assert_eq!(q.bytes(), 0);
    }

    #[test]
    fn an_event_over_the_whole_bound_is_kept_alone() {
        let mut q = EventQueue::new(100, 1_000);
        q.push(event(0, 10));
        q.push(event(1, 5_000));
        assert_eq!((q.len(), q.bytes(), q.dropped()), (1, 5_000, 1));
        q.push(event(2, 10));
        assert_eq!((q.len(), q.bytes(), q.dropped()), (1, 10, 2));
        assert_eq!(drain(&mut q), [2]);
    }

    #[test]
    fn the_count_bound_still_applies() {
        let mut q = EventQueue::new(2, 1_000_000);
        for n in 0..5 {
            q.push(event(n, 1));
        }
        assert_eq!((q.len(), q.bytes(), q.dropped()), (2, 2, 3));
        assert_eq!(drain(&mut q), [3, 4]);
    }

    #[test]
    fn an_emptied_queue_gives_back_what_a_burst_grew() {
        let mut q = EventQueue::new(10_000, usize::MAX);
        for n in 0..5_000 {
            q.push(event(n, 1));
        }
        assert!(q.events.capacity() >= 5_000);
        assert_eq!(drain(&mut q).len(), 5_000);
        assert_eq!(q.events.capacity(), 0);
        q.push(event(0, 1));
        assert_eq!(drain(&mut q).len(), 1);
        assert_eq!(q.events.capacity(), 0);
    }

    #[test]
    fn server_data_is_weighed_as_received() {
        let raw = Event::RawMessage {
            nsp: "/".into(),
            event: "blob".into(),
            data: r#"["blob",{"_placeholder":true,"num":0}]"#.into(),
            attachments: vec![bytes::Bytes::from(vec![0u8; 1_000])],
            ack: None,
        };
        assert_eq!(raw.data_size(), 38 + 1_000);
        let parsed = Event::Message {
            nsp: "/".into(),
            event: "blob".into(),
            args: vec![crate::Value::Binary(vec![0u8; 1_000].into())],
            ack: None,
        };
        assert_eq!(parsed.data_size(), 4 + 1_000);
        let limited = Event::RateLimited {
            nsp: "/".into(),
            event: "e".repeat(1_000),
            retry_after: 0,
        };
        assert_eq!(limited.data_size(), 1_000);
    }
}
