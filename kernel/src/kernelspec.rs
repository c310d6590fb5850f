//! `paraclinic-kernel install` / `uninstall`: the kernelspec directory
//! `<data dir>/kernels/paraclinic/` with `kernel.json` and logos, in the same
//! places `python -m ipykernel install` uses.
//! Spec: <https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs>

use anyhow::{bail, Context, Result};
use serde_json::json;
use std::path::{Path, PathBuf};

pub const KERNEL_NAME: &str = "paraclinic";
pub const DISPLAY_NAME: &str = "Rust (paraclinic)";

const LOGO_32: &[u8] = include_bytes!("../assets/logo-32x32.png");
const LOGO_64: &[u8] = include_bytes!("../assets/logo-64x64.png");
const LOGO_SVG: &[u8] = include_bytes!("../assets/logo-svg.svg");

/// Where to install, as ipykernel's flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The user's Jupyter data directory (the default).
    User,
    /// The prefix of the active Python environment (virtualenv or conda).
    SysPrefix,
    /// `<DIR>/share/jupyter`.
    Prefix(PathBuf),
}

/// The `kernels/` directory for a location.
pub fn kernels_dir(location: &Location) -> Result<PathBuf> {
    Ok(match location {
        Location::User => user_data_dir()?.join("kernels"),
        Location::SysPrefix => python_sys_prefix()?.join("share/jupyter/kernels"),
        Location::Prefix(dir) => dir.join("share/jupyter/kernels"),
    })
}

/// Jupyter's user data directory: `$JUPYTER_DATA_DIR`, else
/// `$XDG_DATA_HOME/jupyter` / `~/.local/share/jupyter` (Linux),
/// `~/Library/Jupyter` (macOS), `%APPDATA%\jupyter` (Windows).
fn user_data_dir() -> Result<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("JUPYTER_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if cfg!(windows) {
        if let Some(appdata) = var("APPDATA") {
            return Ok(PathBuf::from(appdata).join("jupyter"));
        }
    }
    let home = var("HOME").map(PathBuf::from).context("HOME is not set")?;
    if cfg!(target_os = "macos") {
        return Ok(home.join("Library/Jupyter"));
    }
    Ok(match var("XDG_DATA_HOME") {
        Some(xdg) => PathBuf::from(xdg).join("jupyter"),
        None => home.join(".local/share/jupyter"),
    })
}

/// `sys.prefix` of the Python environment in use: an activated virtualenv
/// or conda environment, else what `python3` reports.
fn python_sys_prefix() -> Result<PathBuf> {
    for var in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return Ok(PathBuf::from(dir));
        }
    }
    for python in ["python3", "python"] {
        if let Ok(out) = std::process::Command::new(python)
            .args(["-c", "import sys; print(sys.prefix)"])
            .output()
        {
            if out.status.success() {
                let prefix = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                if !prefix.is_empty() {
                    return Ok(PathBuf::from(prefix));
                }
            }
        }
    }
    bail!("--sys-prefix: no Python environment found (no VIRTUAL_ENV, CONDA_PREFIX or python3)")
}

/// The kernel.json contents for a kernel binary at `exe`.
pub fn kernel_json(exe: &Path) -> serde_json::Value {
    json!({
        "argv": [exe.to_string_lossy(), "--connection-file", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "rust",
        "interrupt_mode": "message",
        "metadata": {"debugger": false},
    })
}

/// Writes the kernelspec; returns its directory.
pub fn install(location: &Location) -> Result<PathBuf> {
    let exe = std::env::current_exe().context("locating this program")?;
    let exe = exe.canonicalize().unwrap_or(exe);
    install_at(&kernels_dir(location)?, &exe)
}

pub fn install_at(kernels: &Path, exe: &Path) -> Result<PathBuf> {
    let dir = kernels.join(KERNEL_NAME);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let text = serde_json::to_string_pretty(&kernel_json(exe))?;
    let files: [(&str, &[u8]); 4] = [
        ("kernel.json", text.as_bytes()),
        ("logo-32x32.png", LOGO_32),
        ("logo-64x64.png", LOGO_64),
        ("logo-svg.svg", LOGO_SVG),
    ];
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(dir)
}

/// Removes the kernelspec; returns the removed directory, or `None` if
/// there was none.
pub fn uninstall(location: &Location) -> Result<Option<PathBuf>> {
    uninstall_at(&kernels_dir(location)?)
}

pub fn uninstall_at(kernels: &Path) -> Result<Option<PathBuf>> {
    let dir = kernels.join(KERNEL_NAME);
    if !dir.exists() {
        return Ok(None);
    }
    std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    Ok(Some(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_writes_kernel_json_and_logos_and_uninstall_removes_them() {
        let tmp = std::env::temp_dir().join(format!("paraclinic-spec-{}", std::process::id()));
        let kernels = tmp.join("share/jupyter/kernels");
        let dir = install_at(&kernels, Path::new("/opt/bin/paraclinic-kernel")).unwrap();
        assert_eq!(dir, kernels.join("paraclinic"));
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("kernel.json")).unwrap())
                .unwrap();
        assert_eq!(spec["display_name"], "Rust (paraclinic)");
        assert_eq!(spec["language"], "rust");
        assert_eq!(spec["interrupt_mode"], "message");
        assert_eq!(spec["argv"][0], "/opt/bin/paraclinic-kernel");
        assert_eq!(spec["argv"][2], "{connection_file}");
        // PNG signature.
        assert_eq!(
            &std::fs::read(dir.join("logo-64x64.png")).unwrap()[..4],
            b"\x89PNG"
        );
        assert!(dir.join("logo-32x32.png").exists());
        assert_eq!(uninstall_at(&kernels).unwrap(), Some(dir.clone()));
        assert!(!dir.exists());
        assert_eq!(uninstall_at(&kernels).unwrap(), None);
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn prefix_location_follows_ipykernel_layout() {
        assert_eq!(
            kernels_dir(&Location::Prefix("/p".into())).unwrap(),
            PathBuf::from("/p/share/jupyter/kernels")
        );
    }
}
