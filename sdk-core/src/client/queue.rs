//! The application's event queue, bounded, with the one event a driver on
//! the fast path may take lent from its frame instead of queued (see
//! [`Client::handle_text_event`](super::Client::handle_text_event)).

use std::collections::VecDeque;

use super::events::Event;
use crate::socketio;

/// An event lent by [`Client::handle_text_event`](super::Client::handle_text_event):
/// where its text is in the frame, and its place in the event queue.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lent {
    /// Namespace index.
    pub(super) ns: usize,
    /// Where the event's JSON text starts in the frame, and its length.
    pub(super) start: usize,
    pub(super) len: usize,
    pub(super) ack: Option<u64>,
    /// Index in the event queue it stands at: events pushed after it come
    /// after it.
    pub(super) pos: usize,
}

/// Events for the application, oldest first.
#[derive(Debug)]
pub(super) struct EventQueue {
    events: VecDeque<Event>,
    max: usize,
    dropped: u64,
    /// While `handle_text_event` runs: the address range of its frame, so
    /// an event whose text lies inside it can be lent instead of copied.
    lending: Option<(usize, usize)>,
    lent: Option<Lent>,
}

impl EventQueue {
    pub(super) fn new(max: usize) -> Self {
        Self {
            events: VecDeque::new(),
            max: max.max(1),
            dropped: 0,
            lending: None,
            lent: None,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.events.len()
    }

    pub(super) fn dropped(&self) -> u64 {
        self.dropped
    }

    pub(super) fn pop(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    pub(super) fn insert(&mut self, pos: usize, e: Event) {
        self.events.insert(pos, e);
    }

    /// Queues `e`; when full the oldest goes, and that may be the lent
    /// event.
    pub(super) fn push(&mut self, e: Event) {
        let lent = usize::from(self.lent.is_some());
        if self.events.len() + lent >= self.max {
            match &mut self.lent {
                Some(l) if l.pos == 0 => self.lent = None,
                Some(l) => {
                    l.pos -= 1;
                    self.events.pop_front();
                }
                None => {
                    self.events.pop_front();
                }
            }
            self.dropped += 1;
        }
        self.events.push_back(e);
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
