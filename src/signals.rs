//! What the server does on each signal, at any moment of its life (rule 35).
//!
//! The handlers are installed before anything slow happens (reading and indexing a snapshot
//! of a million tokens takes seconds), and they are real handlers: as PID 1 of a container,
//! where the kernel drops every signal left at its default action, SIGTERM still stops the
//! process. They run on a thread of their own, so a busy start-up or busy workers never
//! delay them.
//!
//! - SIGTERM and SIGINT, both alike: while starting up, the process exits 0 at once (no
//!   request is in flight yet); once serving, the server stops accepting connections, lets
//!   the requests in flight finish (within `server.shutdown_timeout_secs`) and exits 0.
//!   A second one while stopping changes nothing.
//! - SIGHUP: reloads the snapshot file, as `--watch` does on a change (a file that does not
//!   validate is refused and the data served stays); with no snapshot file it is logged and
//!   ignored, as it is during start-up.
//! - SIGQUIT: exits at once with status [`QUIT_EXIT_CODE`], requests in flight or not.

use std::io;
use std::process::exit;
use std::sync::{Arc, Mutex};

use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::Notify;

use crate::telemetry;

/// The exit status after SIGQUIT: 128 + 3, as a shell reports a process the signal ended.
pub const QUIT_EXIT_CODE: i32 = 131;

/// Reloads the data on SIGHUP.
pub(crate) type Hangup = Box<dyn Fn() + Send + Sync>;

/// Asks a running server to stop gracefully; what `HttpServer::shutdown_signal` waits on.
#[derive(Clone, Default)]
pub(crate) struct Stop(Arc<Notify>);

impl Stop {
    /// Asks the server to stop, letting the requests in flight finish.
    pub(crate) fn request(&self) {
        self.0.notify_one();
    }

    /// Resolves once a stop is requested (also when it was requested before this call).
    pub(crate) fn requested(&self) -> impl std::future::Future<Output = ()> + 'static {
        let notify = self.0.clone();
        async move { notify.notified().await }
    }
}

/// What the signal thread acts on.
enum Phase {
    Starting,
    Serving { stop: Stop, hangup: Hangup },
    Stopping,
}

/// The signal handlers of the process, installed by [`Signals::listen`].
pub(crate) struct Signals {
    phase: Arc<Mutex<Phase>>,
}

impl Signals {
    /// Installs the handlers of SIGTERM, SIGINT, SIGHUP and SIGQUIT and starts the thread that
    /// acts on them. Until [`Signals::serving`], SIGTERM and SIGINT end the process at once.
    pub(crate) fn listen() -> io::Result<Signals> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()?;
        let phase = Arc::new(Mutex::new(Phase::Starting));
        // Registered here, on the calling thread, so that they are in place when this returns.
        let mut streams = runtime.block_on(async {
            Ok::<_, io::Error>([
                (
                    SignalKind::terminate(),
                    "SIGTERM",
                    signal(SignalKind::terminate())?,
                ),
                (
                    SignalKind::interrupt(),
                    "SIGINT",
                    signal(SignalKind::interrupt())?,
                ),
                (
                    SignalKind::hangup(),
                    "SIGHUP",
                    signal(SignalKind::hangup())?,
                ),
                (SignalKind::quit(), "SIGQUIT", signal(SignalKind::quit())?),
            ])
        })?;
        let acting = phase.clone();
        std::thread::Builder::new()
            .name("signals".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    loop {
                        let [term, int, hup, quit] = &mut streams;
                        let (kind, name) = tokio::select! {
                            _ = term.2.recv() => (term.0, term.1),
                            _ = int.2.recv() => (int.0, int.1),
                            _ = hup.2.recv() => (hup.0, hup.1),
                            _ = quit.2.recv() => (quit.0, quit.1),
                        };
                        act(&acting, kind, name);
                    }
                })
            })?;
        Ok(Signals { phase })
    }

    /// The server is running: from now on SIGTERM and SIGINT ask `stop`, SIGHUP runs `hangup`.
    pub(crate) fn serving(&self, stop: Stop, hangup: Hangup) {
        let mut phase = self.phase.lock().unwrap_or_else(|e| e.into_inner());
        if let Phase::Starting = *phase {
            *phase = Phase::Serving { stop, hangup };
        }
    }
}

fn act(phase: &Mutex<Phase>, kind: SignalKind, name: &str) {
    let mut phase = phase.lock().unwrap_or_else(|e| e.into_inner());
    if kind == SignalKind::quit() {
        tracing::warn!(
            signal = name,
            "leaving at once; requests in flight are dropped"
        );
        leave(QUIT_EXIT_CODE);
    }
    if kind == SignalKind::hangup() {
        match &*phase {
            Phase::Serving { hangup, .. } => {
                tracing::info!(signal = name, "reloading the snapshot");
                hangup();
            }
            _ => tracing::info!(signal = name, "ignored: not serving"),
        }
        return;
    }
    match std::mem::replace(&mut *phase, Phase::Stopping) {
        Phase::Starting => {
            tracing::info!(signal = name, "start-up stopped; exiting");
            leave(0);
        }
        Phase::Serving { stop, .. } => {
            tracing::info!(signal = name, "stopping: finishing the requests in flight");
            stop.request();
        }
        Phase::Stopping => tracing::info!(signal = name, "already stopping"),
    }
}

/// Exits now, after giving the log [`telemetry::EXIT_WAIT`] to write its last lines.
fn leave(code: i32) -> ! {
    telemetry::flush(telemetry::EXIT_WAIT);
    exit(code)
}
