//! The `tooken-mock` binary as a child process: started, watched and stopped.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a spawned binary gets to print its banner or to exit.
pub const PROCESS_TIMEOUT: Duration = Duration::from_secs(20);

/// The `tooken-mock` binary running as a child process; killed when dropped.
pub struct Binary {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// The threads reading the two pipes: done once the process and its pipes are closed.
    readers: Vec<std::thread::JoinHandle<()>>,
    exited: Option<ExitStatus>,
}

impl Binary {
    /// Starts the binary with `args` and, of all `TOOKEN*` variables, only `env`.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Binary {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tooken-mock"));
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, _) in std::env::vars_os() {
            if key
                .to_string_lossy()
                .to_ascii_uppercase()
                .starts_with("TOOKEN")
            {
                command.env_remove(key);
            }
        }
        command.envs(env.iter().copied());
        let mut child = command.spawn().expect("the binary starts");
        let (stdout, out_reader) = drain(child.stdout.take().expect("piped stdout"));
        let (stderr, err_reader) = drain(child.stderr.take().expect("piped stderr"));
        Binary {
            child,
            stdout,
            stderr,
            readers: vec![out_reader, err_reader],
            exited: None,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything printed on standard output so far.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().expect("output lock")).into_owned()
    }

    /// Everything printed on standard error so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().expect("output lock")).into_owned()
    }

    /// Waits for the serving banner and returns the base URL (`http://127.0.0.1:PORT`) read
    /// from its `API` line. Panics if the process exits or the timeout passes first.
    pub async fn wait_for_banner(&mut self) -> String {
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        loop {
            let stdout = self.stdout();
            if let Some(base) = banner_base_url(&stdout) {
                if stdout.contains("Try it") {
                    return base;
                }
            }
            if let Some(status) = self.try_exit() {
                panic!(
                    "the binary exited ({status}) before serving\nstdout:\n{stdout}\nstderr:\n{}",
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no banner within {PROCESS_TIMEOUT:?}\nstdout:\n{stdout}\nstderr:\n{}",
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits for the process to exit and returns its status; panics after the timeout.
    pub async fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        loop {
            // Done once the process exited and the readers took the last of its output.
            if let Some(status) = self.try_exit() {
                if self.readers.iter().all(|r| r.is_finished()) {
                    return status;
                }
            }
            assert!(
                Instant::now() < deadline,
                "still running after {PROCESS_TIMEOUT:?}\nstdout:\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until standard error contains `needle` and returns all of it; panics if the
    /// timeout passes first.
    pub async fn wait_for_stderr(&self, needle: &str) -> String {
        let deadline = Instant::now() + PROCESS_TIMEOUT;
        loop {
            let stderr = self.stderr();
            if stderr.contains(needle) {
                return stderr;
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} on standard error within {PROCESS_TIMEOUT:?}:\n{stderr}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    fn try_exit(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().expect("the child can be polled");
        }
        self.exited
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if self.try_exit().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs the binary to completion: its exit status, standard output and standard error.
pub async fn run_binary(args: &[&str], env: &[(&str, &str)]) -> (ExitStatus, String, String) {
    let mut binary = Binary::start(args, env);
    let status = binary.wait_for_exit().await;
    (status, binary.stdout(), binary.stderr())
}

/// Reads a pipe to its end on its own thread, so the child never blocks on a full pipe.
fn drain(
    mut pipe: impl Read + Send + 'static,
) -> (Arc<Mutex<Vec<u8>>>, std::thread::JoinHandle<()>) {
    let text = Arc::new(Mutex::new(Vec::new()));
    let sink = text.clone();
    let reader = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("output lock")
                .extend_from_slice(&buffer[..n]);
        }
    });
    (text, reader)
}

/// The base URL of the banner line `API         http://127.0.0.1:PORT/v1/tokens`.
pub fn banner_base_url(stdout: &str) -> Option<String> {
    stdout.lines().find_map(|line| {
        let url = line.trim().strip_prefix("API")?.trim();
        url.strip_suffix("/v1/tokens").map(str::to_owned)
    })
}
