//! The sockets and the dispatch of messages.
//!
//! shell (ROUTER): requests from the frontend; execute, complete and inspect
//! go to the engine thread, the rest is answered here at once.
//! control (ROUTER): kernel_info, interrupt, shutdown — answered even while
//! a cell runs. iopub (PUB): outputs and status. stdin (ROUTER): input
//! requests to the frontend. heartbeat (REP): echoes.
//!
//! Every received message is authenticated first ([`crate::wire::parse`]);
//! one with a missing or wrong signature is logged and dropped.

use crate::completeness::{is_complete, Completeness};
use crate::connection::ConnectionInfo;
use crate::history::{History, Query};
use crate::iopub::Publisher;
use crate::jupyter_adapter::{self, EngineHandle, Request};
use crate::wire::{self, Message, Signer, PROTOCOL_VERSION};
use anyhow::{Context, Result};
use bytes::Bytes;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use zeromq::{PubSocket, RepSocket, RouterSocket, Socket, SocketRecv, SocketSend, ZmqMessage};

fn log(message: &str) {
    eprintln!("[paraclinic-kernel] {message}");
}

/// The language version for kernel_info, found in the background so that
/// kernel_info never waits for `rustc`.
static RUSTC_VERSION: OnceLock<String> = OnceLock::new();

fn probe_rustc_version() {
    std::thread::spawn(|| {
        let version = std::process::Command::new("rustc")
            .arg("--version")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.split_whitespace().nth(1).map(str::to_owned))
            .unwrap_or_default();
        let _ = RUSTC_VERSION.set(version);
    });
}

pub fn kernel_info_content() -> Value {
    json!({
        "status": "ok",
        "protocol_version": PROTOCOL_VERSION,
        "implementation": "paraclinic-kernel",
        "implementation_version": env!("CARGO_PKG_VERSION"),
        "language_info": {
            "name": "rust",
            "version": RUSTC_VERSION.get().cloned().unwrap_or_default(),
            "mimetype": "text/rust",
            "file_extension": ".rs",
            "pygments_lexer": "rust",
            "codemirror_mode": "rust",
        },
        "banner": format!(
            "paraclinic-kernel {}: Rust cells evaluated by evcxr, with the `analysis` library preloaded",
            env!("CARGO_PKG_VERSION")
        ),
        "help_links": [
            {"text": "evcxr", "url": "https://github.com/evcxr/evcxr"},
        ],
        "debugger": false,
    })
}

/// Shared by the shell and control handlers.
struct Kernel {
    signer: Signer,
    publisher: Publisher,
    engine: EngineHandle,
    history: Arc<Mutex<History>>,
    shell_replies: UnboundedSender<Message>,
}

async fn bind<S: Socket>(
    socket: &mut S,
    info: &ConnectionInfo,
    port: u16,
    name: &str,
) -> Result<()> {
    let endpoint = info.endpoint(port);
    socket
        .bind(&endpoint)
        .await
        .with_context(|| format!("binding the {name} socket to {endpoint}"))?;
    Ok(())
}

fn frames(message: ZmqMessage) -> Vec<Bytes> {
    message.into_vec()
}

fn to_zmq(frames: Vec<Bytes>) -> Option<ZmqMessage> {
    ZmqMessage::try_from(frames).ok()
}

/// Runs the kernel until a shutdown request.
pub async fn run(info: ConnectionInfo) -> Result<()> {
    probe_rustc_version();
    let signer = Signer::new(&info.key);
    if !signer.is_signing() {
        log("warning: the connection file has an empty key; messages are not authenticated");
    }
    let session = uuid::Uuid::new_v4().to_string();

    let mut iopub = PubSocket::new();
    bind(&mut iopub, &info, info.iopub_port, "iopub").await?;
    let mut shell = RouterSocket::new();
    bind(&mut shell, &info, info.shell_port, "shell").await?;
    let mut control = RouterSocket::new();
    bind(&mut control, &info, info.control_port, "control").await?;
    let mut stdin = RouterSocket::new();
    bind(&mut stdin, &info, info.stdin_port, "stdin").await?;
    let mut heartbeat = RepSocket::new();
    bind(&mut heartbeat, &info, info.hb_port, "heartbeat").await?;

    let (iopub_tx, mut iopub_rx) = unbounded_channel::<Message>();
    let iopub_signer = signer.clone();
    tokio::spawn(async move {
        while let Some(msg) = iopub_rx.recv().await {
            if let Some(m) = to_zmq(wire::serialize(&msg, &iopub_signer)) {
                if let Err(e) = iopub.send(m).await {
                    log(&format!("iopub send failed: {e}"));
                }
            }
        }
    });
    tokio::spawn(async move {
        while let Ok(ping) = heartbeat.recv().await {
            if heartbeat.send(ping).await.is_err() {
                break;
            }
        }
    });
    // The stdin socket must exist for clients to connect; cells read no
    // input from the frontend (evcxr's input reader gets an empty line).
    let _stdin = stdin;

    let publisher = Publisher::new(iopub_tx, session);
    publisher.send("status", None, json!({"execution_state": "starting"}));
    let history = Arc::new(Mutex::new(History::default()));
    let engine = jupyter_adapter::start(publisher.clone(), history.clone());

    let (shell_send, mut shell_recv) = shell.split();
    let (reply_tx, mut reply_rx) = unbounded_channel::<Message>();
    let reply_signer = signer.clone();
    tokio::spawn(async move {
        let mut shell_send = shell_send;
        while let Some(msg) = reply_rx.recv().await {
            if let Some(m) = to_zmq(wire::serialize(&msg, &reply_signer)) {
                if let Err(e) = shell_send.send(m).await {
                    log(&format!("shell send failed: {e}"));
                }
            }
        }
    });

    let kernel = Arc::new(Kernel {
        signer: signer.clone(),
        publisher,
        engine,
        history,
        shell_replies: reply_tx,
    });

    let shell_kernel = kernel.clone();
    tokio::spawn(async move {
        loop {
            match shell_recv.recv().await {
                Ok(message) => shell_kernel.on_shell(frames(message)),
                Err(e) => {
                    log(&format!("shell receive failed: {e}"));
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            }
        }
    });

    // Control is served on this task; a shutdown request ends the kernel.
    loop {
        let message = match control.recv().await {
            Ok(m) => frames(m),
            Err(e) => {
                log(&format!("control receive failed: {e}"));
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let Some(request) = kernel.authenticate(&message, "control") else {
            continue;
        };
        let (reply_content, shutdown) = kernel.on_control(&request);
        if let Some(content) = reply_content {
            let reply_type = reply_type(&request.header.msg_type);
            let reply = Message::new(
                &reply_type,
                kernel.publisher.session(),
                Some(&request),
                content,
            );
            if let Some(m) = to_zmq(wire::serialize(&reply, &kernel.signer)) {
                let _ = control.send(m).await;
            }
        }
        if shutdown {
            // Let the reply and the last iopub messages leave.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            return Ok(());
        }
    }
}

fn reply_type(request_type: &str) -> String {
    match request_type.strip_suffix("_request") {
        Some(stem) => format!("{stem}_reply"),
        None => format!("{request_type}_reply"),
    }
}

impl Kernel {
    fn authenticate(&self, frames: &[Bytes], channel: &str) -> Option<Message> {
        match wire::parse(frames, &self.signer) {
            Ok(message) => Some(message),
            Err(e) => {
                log(&format!("dropped a message on {channel}: {e}"));
                None
            }
        }
    }

    fn reply(&self, request: &Message, content: Value) {
        let reply = Message::new(
            &reply_type(&request.header.msg_type),
            self.publisher.session(),
            Some(request),
            content,
        );
        let _ = self.shell_replies.send(reply);
    }

    /// Answers now, bracketed by busy/idle as the protocol asks.
    fn reply_now(&self, request: &Message, content: Value) {
        self.publisher.status("busy", request);
        self.reply(request, content);
        self.publisher.status("idle", request);
    }

    fn to_engine(self: &Arc<Self>, request: Message) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let msg_type = request.header.msg_type.clone();
        // execute publishes its own busy/idle when the engine takes it up;
        // complete and inspect are bracketed here.
        let bracket = msg_type != "execute_request";
        if bracket {
            self.publisher.status("busy", &request);
        }
        let work = match msg_type.as_str() {
            "execute_request" => Request::Execute {
                request: request.clone(),
                reply: tx,
            },
            "complete_request" => Request::Complete {
                request: request.clone(),
                reply: tx,
            },
            _ => Request::Inspect {
                request: request.clone(),
                reply: tx,
            },
        };
        if self.engine.requests.send(work).is_err() {
            log("the engine has stopped");
            return;
        }
        let kernel = self.clone();
        tokio::spawn(async move {
            if let Ok(content) = rx.await {
                kernel.reply(&request, content);
            }
            if bracket {
                kernel.publisher.status("idle", &request);
            }
        });
    }

    fn on_shell(self: &Arc<Self>, frames: Vec<Bytes>) {
        let Some(request) = self.authenticate(&frames, "shell") else {
            return;
        };
        match request.header.msg_type.as_str() {
            "execute_request" | "complete_request" | "inspect_request" => self.to_engine(request),
            "kernel_info_request" => self.reply_now(&request, kernel_info_content()),
            "is_complete_request" => {
                let code = request.content["code"].as_str().unwrap_or_default();
                let content = match is_complete(code) {
                    Completeness::Complete => json!({"status": "complete"}),
                    Completeness::Incomplete { indent } => {
                        json!({"status": "incomplete", "indent": indent})
                    }
                    Completeness::Invalid => json!({"status": "invalid"}),
                };
                self.reply_now(&request, content);
            }
            "history_request" => {
                let content = match Query::from_content(&request.content) {
                    Ok(query) => {
                        let output = request.content["output"].as_bool().unwrap_or(false);
                        let history = self.history.lock().unwrap_or_else(|p| p.into_inner());
                        json!({"status": "ok", "history": history.reply(&query, output)})
                    }
                    Err(why) => json!({
                        "status": "error", "ename": "BadRequest", "evalue": why, "traceback": [],
                    }),
                };
                self.reply_now(&request, content);
            }
            "comm_info_request" => self.reply_now(&request, json!({"status": "ok", "comms": {}})),
            "comm_open" => {
                // No comm targets: close it right away, as ipykernel does for
                // an unknown target.
                let comm_id = request.content["comm_id"].clone();
                self.publisher.send(
                    "comm_close",
                    Some(&request),
                    json!({"comm_id": comm_id, "data": {}}),
                );
            }
            "comm_msg" | "comm_close" => {}
            "shutdown_request" => {
                // Deprecated on shell, still honoured.
                let restart = request.content["restart"].as_bool().unwrap_or(false);
                self.reply_now(&request, json!({"status": "ok", "restart": restart}));
                std::thread::spawn(|| {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    std::process::exit(0);
                });
            }
            other => log(&format!("ignored an unknown shell message type {other:?}")),
        }
    }

    /// The reply content (if any) and whether to shut down.
    fn on_control(&self, request: &Message) -> (Option<Value>, bool) {
        match request.header.msg_type.as_str() {
            "kernel_info_request" => (Some(kernel_info_content()), false),
            "interrupt_request" => {
                let was_running = self.engine.interrupter.interrupt();
                log(if was_running {
                    "interrupt: stopping the running cell"
                } else {
                    "interrupt: no cell was running"
                });
                (Some(json!({"status": "ok"})), false)
            }
            "shutdown_request" => {
                let restart = request.content["restart"].as_bool().unwrap_or(false);
                let content = json!({"status": "ok", "restart": restart});
                // Protocol 5.4 also broadcasts the reply on iopub.
                self.publisher
                    .send("shutdown_reply", Some(request), content.clone());
                // A cell still running is stopped with the kernel.
                self.engine.interrupter.interrupt();
                (Some(content), true)
            }
            other => {
                log(&format!(
                    "ignored an unknown control message type {other:?}"
                ));
                (None, false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_types() {
        assert_eq!(reply_type("kernel_info_request"), "kernel_info_reply");
        assert_eq!(reply_type("odd"), "odd_reply");
    }

    #[test]
    fn kernel_info_names_the_language_and_protocol() {
        let info = kernel_info_content();
        assert_eq!(info["language_info"]["name"], "rust");
        assert_eq!(info["language_info"]["file_extension"], ".rs");
        assert_eq!(info["protocol_version"], "5.3");
        assert_eq!(info["status"], "ok");
    }
}
