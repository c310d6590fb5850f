//! # paraclinic-kernel — a Jupyter kernel for Rust notebooks
//!
//! Cells are evaluated by [evcxr](https://github.com/evcxr/evcxr); the kernel
//! speaks the Jupyter messaging protocol 5.3 itself over the pure-Rust
//! `zeromq` crate. The `analysis` library is preloaded and its results show
//! as rich output; every display is sent the moment it is produced.
//!
//! One module per concern: [`connection`] (the connection file), [`wire`]
//! (message format and HMAC-SHA256 signing), [`kernel`] (sockets and
//! dispatch), [`jupyter_adapter`] (the engine thread: execute, complete and
//! inspect requests in, iopub messages and replies out), [`evaluator`]
//! (evcxr: a cell in, its outputs and typed outcome out; no Jupyter),
//! [`display`] (live rich output), [`prelude`] (what notebooks get without a
//! `:dep`), [`completeness`] (`is_complete`), [`history`], [`cache`] (the
//! persistent build directory), [`fill_cache`] (filling it at install time) and [`kernelspec`] (install/uninstall).

pub mod cache;
pub mod completeness;
pub mod connection;
pub mod display;
pub mod evaluator;
pub mod fill_cache;
pub mod history;
pub mod iopub;
pub mod jupyter_adapter;
pub mod kernel;
pub mod kernelspec;
pub mod prelude;
pub mod wire;
