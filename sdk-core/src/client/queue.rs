//! The application's event queue, bounded in events and in bytes of server
//! data, with the one event a driver on the fast path may take lent from
//! its frame instead of queued (see
//! [`Client::handle_text_event`](super::Client::handle_text_event)).
//!
//! Full means: one more event would pass `max_queued_events`, or its bytes
//! would take the queue past `max_queued_event_bytes`. Then the oldest
//! events go, counted in [`dropped`](EventQueue::dropped), until the new
//! one fits; an event larger than the whole byte bound stays, alone. The
//! newest events are the ones an application can still act on (the
//! server's state now), and a driver that stalls cannot hold more than the
//! bounds say.

use std::collections::VecDeque;

use super::events::Event;
use crate::socketio;

/// Capacity (in events) past which an emptied queue gives its memory back.
const SHRINK_ABOVE: usize = 64;

/// An event lent by [`Client::handle_text_event`](super::Client::handle_text_event):
/// where its text is in the frame, and its place in the event queue.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lent {
    /// Namespace index.
    pub(super) ns: usize,
    /// Where the event's JSON text starts in the frame, and its length.
    pub(super) start: usize,
    /// Its length, also its size in bytes for the bound.
    pub(super) len: usize,
    pub(super) ack: Option<u64>,
    /// Index in the event queue it stands at: events pushed after it come
    /// after it.
    pub(super) pos: usize,
}

/// Events for the application, oldest first, each with its size in bytes
/// of server data (0 for the client's own events).
#[derive(Debug)]
pub(super) struct EventQueue {
    events: VecDeque<(Event, usize)>,
    max: usize,
    max_bytes: usize,
    /// Sum of the sizes in `events`.
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

    /// Bytes of server data queued.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(super) fn dropped(&self) -> u64 {
        self.dropped
    }

    pub(super) fn pop(&mut self) -> Option<Event> {
        let (e, size) = self.events.pop_front()?;
        self.bytes -= size;
        if self.events.is_empty() && self.events.capacity() > SHRINK_ABOVE {
            // A burst grew it; an idle client keeps little.
            self.events = VecDeque::new();
        }
        Some(e)
    }

    /// Puts the lent event back at `pos`, where room was kept for it.
    pub(super) fn insert(&mut self, pos: usize, e: Event, size: usize) {
        self.bytes += size;
        self.events.insert(pos, (e, size));
    }

    /// Queues `e`, of `size` bytes of server data; when full the oldest
    /// go until it fits, and that may be the lent event.
    pub(super) fn push(&mut self, e: Event, size: usize) {
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
        self.bytes += size;
        self.events.push_back((e, size));
    }

    /// Whether an event of `size` bytes needs an older one to go first.
    /// Never when nothing is left to drop: an event over the whole byte
    /// bound is kept, alone.
    fn full_for(&self, size: usize) -> bool {
        let (lent, lent_bytes) = self.lent.map_or((0, 0), |l| (1, l.len));
        let count = self.events.len() + lent;
        count > 0 && (count >= self.max || self.bytes + lent_bytes + size > self.max_bytes)
    }

    fn drop_front(&mut self) {
        if let Some((_, size)) = self.events.pop_front() {
            self.bytes -= size;
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
    pub(super) fn lend(&mut self, ns: usize, packet: &socketio::Packet<'_>) -> bool {
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
        self.lent = Some(Lent {
            ns,
            start,
            len: data.len(),
            ack: packet.id,
            pos: self.events.len(),
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u32) -> Event {
        Event::Reconnect { attempt: n }
    }

    fn drain(q: &mut EventQueue) -> Vec<u32> {
        std::iter::from_fn(|| q.pop())
            .map(|e| match e {
                Event::Reconnect { attempt } => attempt,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_byte_bound_drops_the_oldest_until_an_event_fits() {
        let mut q = EventQueue::new(100, 1_000);
        for n in 0..4 {
            q.push(event(n), 300);
        }
        // 1,200 bytes would not fit: event 0 went.
        assert_eq!((q.len(), q.bytes(), q.dropped()), (3, 900, 1));
        // Exactly at the bound fits.
        q.push(event(4), 700);
        assert_eq!((q.len(), q.bytes(), q.dropped()), (2, 1_000, 3));
        // The client's own events weigh nothing: only the count bounds them.
        q.push(event(5), 0);
        assert_eq!(drain(&mut q), [3, 4, 5]);
        assert_eq!(q.bytes(), 0);
    }

    #[test]
    fn an_event_over_the_whole_bound_is_kept_alone() {
        let mut q = EventQueue::new(100, 1_000);
        q.push(event(0), 10);
        q.push(event(1), 5_000);
        assert_eq!((q.len(), q.bytes(), q.dropped()), (1, 5_000, 1));
        q.push(event(2), 10);
        assert_eq!((q.len(), q.bytes(), q.dropped()), (1, 10, 2));
        assert_eq!(drain(&mut q), [2]);
    }

    #[test]
    fn the_count_bound_still_applies() {
        let mut q = EventQueue::new(2, 1_000_000);
        for n in 0..5 {
            q.push(event(n), 1);
        }
        assert_eq!((q.len(), q.bytes(), q.dropped()), (2, 2, 3));
        assert_eq!(drain(&mut q), [3, 4]);
    }

    #[test]
    fn an_emptied_queue_gives_back_what_a_burst_grew() {
        let mut q = EventQueue::new(10_000, usize::MAX);
        for n in 0..5_000 {
            q.push(event(n), 1);
        }
        assert!(q.events.capacity() >= 5_000);
        assert_eq!(drain(&mut q).len(), 5_000);
        assert!(q.events.capacity() <= SHRINK_ABOVE);
    }
}
