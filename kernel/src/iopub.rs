//! Publishing on iopub from any thread: messages go through a channel to the
//! one task that owns the PUB socket, so their order is the order of `send`.

use crate::wire::Message;
use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedSender;

#[derive(Clone)]
pub struct Publisher {
    tx: UnboundedSender<Message>,
    session: String,
}

impl Publisher {
    pub fn new(tx: UnboundedSender<Message>, session: String) -> Publisher {
        Publisher { tx, session }
    }

    pub fn session(&self) -> &str {
        &self.session
    }

    /// Publishes `msg_type` with `content` as a child of `parent`.
    pub fn send(&self, msg_type: &str, parent: Option<&Message>, content: Value) {
        let mut msg = Message::new(msg_type, &self.session, parent, content);
        // The PUB topic, as ipykernel sets it; subscribers take everything.
        msg.identities = vec![Bytes::from(format!("kernel.{}.{msg_type}", self.session))];
        // A closed channel means the kernel is shutting down.
        let _ = self.tx.send(msg);
    }

    pub fn status(&self, state: &str, parent: &Message) {
        self.send("status", Some(parent), json!({"execution_state": state}));
    }
}
