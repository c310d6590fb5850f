//! The Jupyter wire format (messaging protocol 5.3) and its HMAC-SHA256
//! signatures.
//!
//! A message on a ROUTER socket is a multipart message:
//!
//! ```text
//! [identity, ...] b"<IDS|MSG>" signature header parent_header metadata content [buffer, ...]
//! ```
//!
//! The signature is the lowercase hex HMAC-SHA256, keyed with the connection
//! file's `key`, of the four JSON frames header, parent_header, metadata and
//! content *as sent* (the bytes, not a re-serialisation).
//! Spec: <https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol>

use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;
use std::fmt;

/// The frame separating routing identities from the message proper.
pub const DELIMITER: &[u8] = b"<IDS|MSG>";
/// The protocol version this kernel implements.
pub const PROTOCOL_VERSION: &str = "5.3";

type HmacSha256 = Hmac<Sha256>;

/// Signs and verifies messages with the connection key.
#[derive(Clone)]
pub struct Signer {
    /// `None` when the key is empty: the protocol then means "unsigned".
    key: Option<Vec<u8>>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the key.
        f.debug_struct("Signer")
            .field("signing", &self.key.is_some())
            .finish()
    }
}

impl Signer {
    pub fn new(key: &str) -> Signer {
        Signer {
            key: (!key.is_empty()).then(|| key.as_bytes().to_vec()),
        }
    }

    pub fn is_signing(&self) -> bool {
        self.key.is_some()
    }

    fn mac(&self, parts: &[&[u8]]) -> Option<HmacSha256> {
        let key = self.key.as_ref()?;
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
        for part in parts {
            mac.update(part);
        }
        Some(mac)
    }

    /// The hex signature of the four JSON frames; empty when not signing.
    pub fn sign(&self, parts: &[&[u8]]) -> String {
        match self.mac(parts) {
            Some(mac) => hex::encode(mac.finalize().into_bytes()),
            None => String::new(),
        }
    }

    /// Checks a received signature in constant time.
    pub fn verify(&self, signature: &[u8], parts: &[&[u8]]) -> Result<(), WireError> {
        let Some(mac) = self.mac(parts) else {
            // Unsigned session: the protocol says the signature is empty.
            return if signature.is_empty() {
                Ok(())
            } else {
                Err(WireError::BadSignature)
            };
        };
        if signature.is_empty() {
            return Err(WireError::MissingSignature);
        }
        let raw = hex::decode(signature).map_err(|_| WireError::BadSignature)?;
        mac.verify_slice(&raw).map_err(|_| WireError::BadSignature)
    }
}

/// Why a received multipart message was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    NoDelimiter,
    TooFewFrames(usize),
    MissingSignature,
    BadSignature,
    /// A JSON frame (named) is not valid JSON or not an object.
    BadJson(&'static str),
    /// The header lacks a field the protocol requires.
    BadHeader(String),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::NoDelimiter => write!(f, "no <IDS|MSG> delimiter"),
            WireError::TooFewFrames(n) => {
                write!(f, "{n} frames after the delimiter, need at least 5")
            }
            WireError::MissingSignature => write!(f, "missing signature"),
            WireError::BadSignature => write!(f, "wrong signature"),
            WireError::BadJson(frame) => write!(f, "{frame} is not a JSON object"),
            WireError::BadHeader(why) => write!(f, "bad header: {why}"),
        }
    }
}

impl std::error::Error for WireError {}

/// A message header. Unknown fields a client adds are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub msg_id: String,
    #[serde(default)]
    pub session: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub date: String,
    pub msg_type: String,
    #[serde(default)]
    pub version: String,
}

/// A parsed (or to-be-sent) message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Routing identities of a ROUTER socket (empty on PUB).
    pub identities: Vec<Bytes>,
    pub header: Header,
    /// The header exactly as received, echoed as `parent_header` in replies.
    pub header_json: Value,
    pub parent_header: Value,
    pub metadata: Value,
    pub content: Value,
    pub buffers: Vec<Bytes>,
}

fn json_object(frame: &[u8], name: &'static str) -> Result<Value, WireError> {
    match serde_json::from_slice::<Value>(frame) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(WireError::BadJson(name)),
    }
}

/// Parses and authenticates a multipart message. The signature is checked
/// before any JSON is parsed, so an unauthenticated message costs no parsing.
pub fn parse(frames: &[Bytes], signer: &Signer) -> Result<Message, WireError> {
    let split = frames
        .iter()
        .position(|f| f.as_ref() == DELIMITER)
        .ok_or(WireError::NoDelimiter)?;
    let rest = &frames[split + 1..];
    if rest.len() < 5 {
        return Err(WireError::TooFewFrames(rest.len()));
    }
    let (signature, header, parent, metadata, content) =
        (&rest[0], &rest[1], &rest[2], &rest[3], &rest[4]);
    signer.verify(signature, &[header, parent, metadata, content])?;

    let header_json = json_object(header, "header")?;
    let header_typed: Header = serde_json::from_value(header_json.clone())
        .map_err(|e| WireError::BadHeader(e.to_string()))?;
    if header_typed.msg_type.is_empty() {
        return Err(WireError::BadHeader("empty msg_type".to_owned()));
    }
    Ok(Message {
        identities: frames[..split].to_vec(),
        header: header_typed,
        header_json,
        parent_header: json_object(parent, "parent_header")?,
        metadata: json_object(metadata, "metadata")?,
        content: json_object(content, "content")?,
        buffers: rest[5..].to_vec(),
    })
}

/// Serialises and signs a message into its frames.
pub fn serialize(msg: &Message, signer: &Signer) -> Vec<Bytes> {
    let to_bytes =
        |v: &Value| Bytes::from(serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec()));
    let header = to_bytes(&msg.header_json);
    let parent = to_bytes(&msg.parent_header);
    let metadata = to_bytes(&msg.metadata);
    let content = to_bytes(&msg.content);
    let signature = signer.sign(&[&header, &parent, &metadata, &content]);
    let mut frames = msg.identities.clone();
    frames.push(Bytes::from_static(DELIMITER));
    frames.push(Bytes::from(signature));
    frames.extend([header, parent, metadata, content]);
    frames.extend(msg.buffers.iter().cloned());
    frames
}

/// The current time in the ISO 8601 form the protocol uses.
pub fn now_iso8601() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl Message {
    /// A new message of `msg_type` in `session`, answering `parent` if given.
    /// Replies on ROUTER sockets go back to the parent's identities.
    pub fn new(msg_type: &str, session: &str, parent: Option<&Message>, content: Value) -> Message {
        let header = Header {
            msg_id: uuid::Uuid::new_v4().to_string(),
            session: session.to_owned(),
            username: "kernel".to_owned(),
            date: now_iso8601(),
            msg_type: msg_type.to_owned(),
            version: PROTOCOL_VERSION.to_owned(),
        };
        Message {
            identities: parent.map(|p| p.identities.clone()).unwrap_or_default(),
            header_json: serde_json::to_value(&header).unwrap_or_else(|_| json!({})),
            header,
            parent_header: parent
                .map(|p| p.header_json.clone())
                .unwrap_or_else(|| json!({})),
            metadata: json!({}),
            content,
            buffers: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(parts: &[&[u8]]) -> Vec<Bytes> {
        parts.iter().map(|p| Bytes::copy_from_slice(p)).collect()
    }

    /// A message signed by Python's reference implementation:
    /// `hmac.new(b"secret", h+p+m+c, hashlib.sha256).hexdigest()` with
    /// h = b'{"msg_id":"1","msg_type":"kernel_info_request","session":"s","username":"u","date":"","version":"5.3"}',
    /// p = m = c = b'{}'.
    const HEADER: &[u8] = br#"{"msg_id":"1","msg_type":"kernel_info_request","session":"s","username":"u","date":"","version":"5.3"}"#;
    const PY_SIGNATURE: &str = "0a77078830c371d30755b69b4c40da12fa57b217f80928df053663aaa1965532";

    #[test]
    fn signature_matches_independent_hmac() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let signer = Signer::new("Jefe");
        assert_eq!(
            signer.sign(&[b"what do ya want ", b"for nothing?"]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn parses_a_signed_message_with_identities_and_buffers() {
        let signer = Signer::new("secret");
        let sig = signer.sign(&[HEADER, b"{}", b"{}", b"{}"]);
        let msg = parse(
            &frames(&[
                b"id1",
                b"id2",
                DELIMITER,
                sig.as_bytes(),
                HEADER,
                b"{}",
                b"{}",
                b"{}",
                b"buf",
            ]),
            &signer,
        )
        .unwrap();
        assert_eq!(msg.identities, frames(&[b"id1", b"id2"]));
        assert_eq!(msg.header.msg_type, "kernel_info_request");
        assert_eq!(msg.header.session, "s");
        assert_eq!(msg.buffers, frames(&[b"buf"]));
    }

    #[test]
    fn python_reference_signature_is_accepted() {
        let signer = Signer::new("secret");
        assert_eq!(signer.sign(&[HEADER, b"{}", b"{}", b"{}"]), PY_SIGNATURE);
    }

    #[test]
    fn wrong_or_missing_signature_is_rejected() {
        let signer = Signer::new("secret");
        let good = signer.sign(&[HEADER, b"{}", b"{}", b"{}"]);
        let mut bad = good.clone().into_bytes();
        bad[0] = if bad[0] == b'0' { b'1' } else { b'0' };
        let forged = frames(&[DELIMITER, &bad, HEADER, b"{}", b"{}", b"{}"]);
        assert_eq!(parse(&forged, &signer), Err(WireError::BadSignature));
        let unsigned = frames(&[DELIMITER, b"", HEADER, b"{}", b"{}", b"{}"]);
        assert_eq!(parse(&unsigned, &signer), Err(WireError::MissingSignature));
        let not_hex = frames(&[DELIMITER, b"zz", HEADER, b"{}", b"{}", b"{}"]);
        assert_eq!(parse(&not_hex, &signer), Err(WireError::BadSignature));
        // Signed with another key.
        let other = Signer::new("other").sign(&[HEADER, b"{}", b"{}", b"{}"]);
        let other = frames(&[DELIMITER, other.as_bytes(), HEADER, b"{}", b"{}", b"{}"]);
        assert_eq!(parse(&other, &signer), Err(WireError::BadSignature));
    }

    #[test]
    fn tampered_content_is_rejected() {
        let signer = Signer::new("secret");
        let sig = signer.sign(&[HEADER, b"{}", b"{}", b"{}"]);
        let tampered = frames(&[
            DELIMITER,
            sig.as_bytes(),
            HEADER,
            b"{}",
            b"{}",
            br#"{"code":"evil()"}"#,
        ]);
        assert_eq!(parse(&tampered, &signer), Err(WireError::BadSignature));
    }

    #[test]
    fn malformed_messages_are_errors_not_panics() {
        let signer = Signer::new("");
        assert_eq!(parse(&[], &signer), Err(WireError::NoDelimiter));
        assert_eq!(
            parse(&frames(&[DELIMITER, b"", b"{}"]), &signer),
            Err(WireError::TooFewFrames(2))
        );
        assert_eq!(
            parse(
                &frames(&[DELIMITER, b"", b"[]", b"{}", b"{}", b"{}"]),
                &signer
            ),
            Err(WireError::BadJson("header"))
        );
        assert!(matches!(
            parse(
                &frames(&[DELIMITER, b"", b"{}", b"{}", b"{}", b"{}"]),
                &signer
            ),
            Err(WireError::BadHeader(_))
        ));
        assert_eq!(
            parse(
                &frames(&[DELIMITER, b"", HEADER, b"{}", b"{}", b"nope"]),
                &signer
            ),
            Err(WireError::BadJson("content"))
        );
    }

    #[test]
    fn unsigned_session_rejects_a_signature_it_cannot_check() {
        let signer = Signer::new("");
        let with_sig = frames(&[DELIMITER, b"abcd", HEADER, b"{}", b"{}", b"{}"]);
        assert_eq!(parse(&with_sig, &signer), Err(WireError::BadSignature));
    }

    mod randomized {
        use super::*;
        use proptest::collection::vec;
        use proptest::prelude::*;

        /// Frames that look like messages: mostly JSON-ish bytes, sometimes
        /// the delimiter, sometimes garbage.
        fn frame() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                vec(any::<u8>(), 0..48),
                Just(DELIMITER.to_vec()),
                Just(b"{}".to_vec()),
                Just(HEADER.to_vec()),
                "[ -~]{0,40}".prop_map(|s| format!("{{\"msg_type\":\"{s}\",\"msg_id\":\"x\"}}").into_bytes()),
            ]
        }

        proptest! {
            // The same property the cargo-fuzz target checks, with a
            // bounded budget so it runs in `cargo test`.
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn arbitrary_frames_never_panic_and_signed_ones_round_trip(
                frames in vec(frame(), 0..9)
            ) {
                let signer = Signer::new("k");
                let frames: Vec<Bytes> = frames.into_iter().map(Bytes::from).collect();
                // Unsigned garbage is rejected (or, rarely, parses) without panicking.
                let _ = parse(&frames, &signer);
                if frames.len() >= 4 {
                    let sig = signer.sign(&[&frames[0], &frames[1], &frames[2], &frames[3]]);
                    let mut signed = vec![Bytes::from_static(DELIMITER), Bytes::from(sig)];
                    signed.extend(frames.iter().cloned());
                    if let Ok(msg) = parse(&signed, &signer) {
                        let again = parse(&serialize(&msg, &signer), &signer).unwrap();
                        prop_assert_eq!(again, msg);
                    }
                }
            }

            #[test]
            fn any_change_to_a_signed_frame_is_detected(
                index in 0usize..4, position in any::<prop::sample::Index>(), flip in 1u8..=255
            ) {
                let signer = Signer::new("secret");
                let mut parts: Vec<Vec<u8>> =
                    vec![HEADER.to_vec(), b"{}".to_vec(), b"{}".to_vec(), br#"{"code":"1"}"#.to_vec()];
                let sig = signer.sign(&[&parts[0], &parts[1], &parts[2], &parts[3]]);
                let at = position.index(parts[index].len());
                parts[index][at] ^= flip;
                let mut frames = vec![Bytes::from_static(DELIMITER), Bytes::from(sig)];
                frames.extend(parts.into_iter().map(Bytes::from));
                prop_assert_eq!(parse(&frames, &signer), Err(WireError::BadSignature));
            }
        }
    }

    #[test]
    fn serialize_then_parse_round_trips() {
        let signer = Signer::new("k");
        let request = parse(
            &frames(&[
                b"peer",
                DELIMITER,
                signer.sign(&[HEADER, b"{}", b"{}", b"{}"]).as_bytes(),
                HEADER,
                b"{}",
                b"{}",
                b"{}",
            ]),
            &signer,
        )
        .unwrap();
        let reply = Message::new(
            "kernel_info_reply",
            "kernel-session",
            Some(&request),
            json!({"status": "ok"}),
        );
        let wire = serialize(&reply, &signer);
        assert_eq!(wire[0].as_ref(), b"peer");
        assert_eq!(wire[1].as_ref(), DELIMITER);
        let back = parse(&wire, &signer).unwrap();
        assert_eq!(back.header.msg_type, "kernel_info_reply");
        assert_eq!(back.header.version, PROTOCOL_VERSION);
        assert_eq!(back.parent_header, request.header_json);
        assert_eq!(back.content, json!({"status": "ok"}));
        assert!(back.header.date.ends_with('Z'));
    }
}
