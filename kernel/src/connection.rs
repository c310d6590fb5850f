//! The connection file Jupyter writes for a kernel: where to bind each socket
//! and the key that signs every message.
//!
//! Format: <https://jupyter-client.readthedocs.io/en/stable/kernels.html#connection-files>

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::path::Path;

/// The parsed connection file. Unknown fields are ignored (clients add their own).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub transport: String,
    pub ip: String,
    pub shell_port: u16,
    pub iopub_port: u16,
    pub stdin_port: u16,
    pub control_port: u16,
    pub hb_port: u16,
    /// The HMAC key. Empty means "no authentication" in the protocol; the
    /// kernel then accepts unsigned messages only.
    #[serde(default)]
    pub key: String,
    #[serde(default = "default_scheme")]
    pub signature_scheme: String,
}

fn default_scheme() -> String {
    "hmac-sha256".to_owned()
}

impl ConnectionInfo {
    pub fn from_path(path: &Path) -> Result<ConnectionInfo> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read connection file {}", path.display()))?;
        Self::from_json(&text).with_context(|| format!("in connection file {}", path.display()))
    }

    pub fn from_json(text: &str) -> Result<ConnectionInfo> {
        let info: ConnectionInfo = serde_json::from_str(text)?;
        // Only SHA-256 is implemented; accepting another scheme name would
        // silently check signatures with the wrong function.
        if info.signature_scheme != "hmac-sha256" {
            bail!(
                "unsupported signature_scheme {:?} (this kernel implements hmac-sha256)",
                info.signature_scheme
            );
        }
        if info.transport != "tcp" {
            bail!(
                "unsupported transport {:?} (this kernel implements tcp)",
                info.transport
            );
        }
        Ok(info)
    }

    /// The zeromq endpoint for one port, exactly at the address the file names.
    pub fn endpoint(&self, port: u16) -> String {
        // IPv6 literals need brackets in a tcp endpoint.
        if self.ip.contains(':') && !self.ip.starts_with('[') {
            format!("{}://[{}]:{}", self.transport, self.ip, port)
        } else {
            format!("{}://{}:{}", self.transport, self.ip, port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
      "shell_port": 50001, "iopub_port": 50002, "stdin_port": 50003,
      "control_port": 50004, "hb_port": 50005, "ip": "127.0.0.1",
      "key": "a0436f6c-1916-498b-8eb9-e81ab9368e84", "transport": "tcp",
      "signature_scheme": "hmac-sha256", "kernel_name": "paraclinic"
    }"#;

    #[test]
    fn parses_a_jupyter_connection_file() {
        let info = ConnectionInfo::from_json(SAMPLE).unwrap();
        assert_eq!(info.shell_port, 50001);
        assert_eq!(info.hb_port, 50005);
        assert_eq!(info.key, "a0436f6c-1916-498b-8eb9-e81ab9368e84");
        assert_eq!(info.endpoint(info.shell_port), "tcp://127.0.0.1:50001");
    }

    #[test]
    fn rejects_other_signature_schemes() {
        let text = SAMPLE.replace("hmac-sha256", "hmac-md5");
        let err = ConnectionInfo::from_json(&text).unwrap_err().to_string();
        assert!(err.contains("hmac-md5"), "{err}");
    }

    #[test]
    fn brackets_ipv6_addresses() {
        let text = SAMPLE.replace("127.0.0.1", "::1");
        let info = ConnectionInfo::from_json(&text).unwrap();
        assert_eq!(info.endpoint(9), "tcp://[::1]:9");
    }
}
