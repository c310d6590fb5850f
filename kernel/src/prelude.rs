//! What the engine evaluates before the first cell: the `analysis` library,
//! the `study` crate (the paper's claims, synthetic data and reproduction
//! steps) and the display glue crate `paraclinic-notebook` as dependencies,
//! and the glue's names in scope. The library knows nothing about Jupyter; the
//! glue crate (kernel/notebook) teaches notebooks how to show its results.

use std::path::{Path, PathBuf};

/// Environment variable overriding where the `analysis` crate is.
pub const ANALYSIS_PATH_VAR: &str = "PARACLINIC_ANALYSIS_PATH";
/// Environment variable overriding where the `study` crate is.
pub const STUDY_PATH_VAR: &str = "PARACLINIC_STUDY_PATH";
/// Environment variable overriding where the `paraclinic-notebook` crate is.
pub const NOTEBOOK_PATH_VAR: &str = "PARACLINIC_NOTEBOOK_PATH";

fn path_from(var: &str, default: &[&str]) -> PathBuf {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => {
            let mut path = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            for part in default {
                path.push(part);
            }
            path.canonicalize().unwrap_or(path)
        }
    }
}

/// The `analysis` crate's directory: `$PARACLINIC_ANALYSIS_PATH`, else the
/// workspace copy this kernel was built from.
pub fn analysis_path() -> PathBuf {
    path_from(ANALYSIS_PATH_VAR, &["..", "analysis"])
}

/// The `study` crate's directory: `$PARACLINIC_STUDY_PATH`, else the
/// workspace copy this kernel was built from.
pub fn study_path() -> PathBuf {
    path_from(STUDY_PATH_VAR, &["..", "study"])
}

/// The glue crate's directory: `$PARACLINIC_NOTEBOOK_PATH`, else the copy
/// next to this crate's sources.
pub fn notebook_path() -> PathBuf {
    path_from(NOTEBOOK_PATH_VAR, &["notebook"])
}

/// A `:dep` line for a crate at a local path.
pub fn dep_command(name: &str, path: &Path) -> String {
    // TOML basic string: escape backslashes and quotes.
    let escaped = path
        .to_string_lossy()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    format!(":dep {name} = {{ path = \"{escaped}\" }}")
}

/// The statement that installs the panic hook in the user-code process; run
/// at start and after every restart of that process.
pub const INSTALL_PANIC_HOOK: &str = "paraclinic_notebook::install_panic_hook();";

/// The whole preload, evaluated as one cell (one compilation). It defines
/// no variable: `:vars` and completion show the user's variables only.
pub fn preload() -> String {
    format!(
        "{}\n{}\n{}\nuse paraclinic_notebook::*;\n{INSTALL_PANIC_HOOK}",
        dep_command("analysis", &analysis_path()),
        dep_command("study", &study_path()),
        dep_command("paraclinic-notebook", &notebook_path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_command_escapes_the_path() {
        assert_eq!(
            dep_command("analysis", Path::new("/no/such/dir \"x\"")),
            ":dep analysis = { path = \"/no/such/dir \\\"x\\\"\" }"
        );
    }

    #[test]
    fn default_paths_are_the_workspace_crates() {
        if std::env::var_os(ANALYSIS_PATH_VAR).is_none() {
            assert!(analysis_path().join("src/render.rs").exists());
        }
        if std::env::var_os(STUDY_PATH_VAR).is_none() {
            assert!(study_path().join("src/reproduction/mod.rs").exists());
        }
        if std::env::var_os(NOTEBOOK_PATH_VAR).is_none() {
            let manifest = std::fs::read_to_string(notebook_path().join("Cargo.toml")).unwrap();
            assert!(manifest.contains("name = \"paraclinic-notebook\""));
        }
    }

    #[test]
    fn preload_brings_the_glue_into_scope() {
        let preload = preload();
        assert!(preload.starts_with(":dep analysis = { path = "));
        assert!(preload.contains("\n:dep study = { path = "));
        assert!(preload.contains("\n:dep paraclinic-notebook = { path = "));
        assert!(preload.contains("\nuse paraclinic_notebook::*;\n"));
        assert!(preload.ends_with(INSTALL_PANIC_HOOK));
    }

    #[test]
    fn glue_crate_speaks_the_kernel_markers() {
        use crate::display;
        assert_eq!(paraclinic_notebook::DISPLAY_BEGIN, display::DISPLAY_BEGIN);
        assert_eq!(paraclinic_notebook::DISPLAY_END, display::DISPLAY_END);
        assert_eq!(paraclinic_notebook::CLEAR_OUTPUT, display::CLEAR_OUTPUT);
        assert_eq!(paraclinic_notebook::PANIC_MESSAGE, display::PANIC_MESSAGE);
        // What the glue writes, the kernel reads.
        assert_eq!(
            display::classify(&paraclinic_notebook::panic_line("boom", "x.rs:1:1")),
            display::StdoutLine::PanicMessage {
                message: "boom".into(),
                location: "x.rs:1:1".into()
            }
        );
    }
}
