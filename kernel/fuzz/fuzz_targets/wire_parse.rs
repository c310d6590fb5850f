//! Fuzzes the parsing of multipart messages as they arrive on a socket.
//!
//! The input is cut into frames at 0xFF bytes. Each input is parsed twice:
//! as it is (almost always rejected by the signature check) and re-signed
//! with the right key, so the fuzzer also reaches the JSON and header
//! parsing behind the signature check. A message that parses must survive
//! serialize → parse unchanged.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;

#[path = "../../src/wire.rs"]
#[allow(dead_code)]
mod wire;

const KEY: &str = "fuzz-key";

fuzz_target!(|data: &[u8]| {
    let signer = wire::Signer::new(KEY);
    let frames: Vec<Bytes> = data
        .split(|&b| b == 0xFF)
        .map(Bytes::copy_from_slice)
        .collect();
    let _ = wire::parse(&frames, &signer);

    // The same frames after a delimiter, correctly signed.
    if frames.len() >= 4 {
        let signature = signer.sign(&[&frames[0], &frames[1], &frames[2], &frames[3]]);
        let mut signed = vec![Bytes::from_static(b"peer"), Bytes::from_static(wire::DELIMITER)];
        signed.push(Bytes::from(signature));
        signed.extend(frames.iter().cloned());
        if let Ok(message) = wire::parse(&signed, &signer) {
            let again = wire::parse(&wire::serialize(&message, &signer), &signer)
                .expect("a parsed message re-serializes to a valid one");
            assert_eq!(again.header, message.header);
            assert_eq!(again.content, message.content);
            assert_eq!(again.identities, message.identities);
            assert_eq!(again.buffers, message.buffers);
        }
    }
});
