//! What the tests share: the loopback emulator as a child process (`python3 -m videogen_emulator`, with
//! `PYTHONPATH=emulator` from the repository), a client configured for it, its control routes, the sample video.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use videogen::Client;

/// The repository's root (two folders above this package).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The emulator's sample video, which every successful download must equal byte for byte.
pub fn sample_video() -> Vec<u8> {
    std::fs::read(root().join("emulator/videogen_emulator/assets/sample.mp4")).unwrap()
}

/// A fresh, empty folder for one test's files (under cargo's per-test-target temporary folder).
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Polls fast, so tasks of a fraction of a second are seen ending promptly.
pub const FAST_POLL: &str = r#"{"interval": 0.05, "max_interval": 0.2, "min_interval": 0.02}"#;

/// A running emulator; stopped (killed and reaped) when dropped.
pub struct Emulator {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    /// The API origin, e.g. `http://127.0.0.1:41234`.
    pub base_url: String,
    /// The key it expects.
    pub key: String,
}

impl Emulator {
    /// Starts an emulator expecting `key`, whose tasks take `task_seconds`; returns once it listens (it prints
    /// its URL only then).
    pub fn start(key: &str, task_seconds: f64) -> Emulator {
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(python)
            .args(["-m", "videogen_emulator", "--port", "0", "--task-seconds", &task_seconds.to_string()])
            .env("PYTHONPATH", root().join("emulator"))
            .env("VIDEOGEN_EMULATOR_KEY", key)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs the emulator");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let base_url = line.trim().to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:"), "the emulator did not start: {line:?}");
        let mut cdn = String::new();
        stdout.read_line(&mut cdn).unwrap();
        Emulator { child, _stdout: stdout, base_url, key: key.to_owned() }
    }

    /// The client configuration for this emulator (openai dialect, fast polls) with `key`, plus `extra` members
    /// (`, "name": value` text, or "").
    pub fn config_with(&self, key: &str, extra: &str) -> String {
        format!(r#"{{"dialect": "openai", "base_url": "{}", "api_key": "{key}", "poll": {FAST_POLL}{extra}}}"#,
                self.base_url)
    }

    /// A client of this emulator with the right key.
    pub fn client(&self) -> Client {
        Client::new(&self.config_with(&self.key, "")).unwrap()
    }

    /// Replaces the emulator's fault rules (`POST /_emulator/faults`), e.g. `[{"fault": "retry-after:300"}]`.
    pub fn set_faults(&self, rules_json: &str) {
        let reply = self.post("/_emulator/faults", &format!(r#"{{"faults": {rules_json}}}"#));
        assert!(reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200"), "{reply}");
    }

    /// One HTTP/1.0 POST of a JSON body to the emulator; returns the whole reply (status line, headers, body).
    pub fn post(&self, path: &str, body: &str) -> String {
        let address = self.base_url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).unwrap();
        write!(stream, "POST {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/json\r\n\
                        Authorization: Bearer {}\r\nContent-Length: {}\r\n\r\n{body}", self.key, body.len()).unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The request of a task of `model` (the emulator plays scenarios by model name: emu-fail, emu-stuck, ...).
pub fn request(model: &str) -> String {
    format!(r#"{{"model": "{model}", "prompt": "a red fox in the snow"}}"#)
}

/// A built example of this package, built now if needed (`cargo test` builds the examples too, but
/// `cargo test --test NAME` does not).
pub fn example(name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_owned());
    let built = Command::new(cargo).args(["build", "--offline", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR")).status().unwrap();
    assert!(built.success(), "cargo build --example {name} failed");
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join("examples").join(name);
    assert!(path.is_file(), "{} is missing: cargo test builds the examples", path.display());
    path
}
