//! `tooken-mock record --from URL --secret SECRET [--out FILE]`: progress on standard error
//! (a bar on a terminal, plain lines otherwise), the snapshot to a file or standard output.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::{block_on, load_settings, ConfigArg};
use crate::record::{record, CallerSecret, Progress, RecordOptions};
use crate::settings::Overrides;

/// How the recorder's messages start.
const PROGRAM: &str = "tooken-mock record";

/// The flags of `record`.
#[derive(Debug, Args)]
pub(super) struct RecordArgs {
    /// The API's base URL, as in the document's servers (https://api.tooken.io/v1).
    #[arg(long, value_name = "URL")]
    from: String,
    #[command(flatten)]
    caller: CallerSecret,
    /// Write the snapshot here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
}

/// Records, then writes the snapshot; exit 0 when written, 1 when the recording failed, 2
/// for bad settings.
pub(super) fn run(args: RecordArgs) -> ExitCode {
    let overrides = Overrides {
        config_file: args.config.config,
        upstream: Some(args.from),
        ..Overrides::default()
    };
    let settings = match load_settings(PROGRAM, &overrides) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    // Refused before anything is fetched: the output must be a regular file or nothing yet.
    if let Some(Err(e)) = args.out.as_deref().map(replaceable) {
        eprintln!("{PROGRAM}: {e}");
        return ExitCode::from(2);
    }
    // A bad setting, not a failed recording: refused before anything is fetched.
    if let Err(e) = settings.upstream.required_base_url("--from") {
        eprintln!("{PROGRAM}: {e}");
        return ExitCode::from(2);
    }
    let options = RecordOptions {
        caller: args.caller,
        upstream: settings.upstream.clone(),
    };
    let mut progress = Reporter::new(std::io::stderr().is_terminal());
    let outcome = block_on(record(&options, &mut progress));
    progress.finish();
    let recording = match outcome {
        Ok(recording) => recording,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let written = match &args.out {
        Some(path) => write_atomically(path, &recording.document),
        None => std::io::stdout().lock().write_all(&recording.document),
    };
    if let Err(e) = written {
        eprintln!("{PROGRAM}: cannot write the snapshot: {e}");
        return ExitCode::FAILURE;
    }
    let target = args
        .out
        .as_ref()
        .map_or("standard output".to_owned(), |p| p.display().to_string());
    eprintln!(
        "recorded {} tokens in {} pages to {target}",
        recording.tokens, recording.pages
    );
    if options.caller.secret_for.is_none() {
        eprintln!(
            "no secret was written: to serve the recording, record with --secret-for <your token's id>, \
             or add \"secret\": \"tok_live_...\" to a token with tokens:read"
        );
    }
    ExitCode::SUCCESS
}

/// `Ok` when `path` is absent or a regular file; otherwise an error naming what stands there
/// (a directory, a symbolic link, a FIFO, a socket, a device), which a rename would replace.
fn replaceable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::FileTypeExt;
    let kind = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
        Ok(meta) => meta.file_type(),
    };
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    };
    Err(std::io::Error::other(format!(
        "--out {} is {what}; only a regular file is replaced, and nothing was written",
        path.display()
    )))
}

/// Writes beside `path` (in the same directory), then renames: a reader never sees half a
/// snapshot, and a failed write leaves an existing file as it was. Anything but a regular
/// file at `path` is refused ([`replaceable`]), checked again just before the rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replaceable(path)?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.partial", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bytes)
        .and_then(|()| replaceable(path))
        .and_then(|()| std::fs::rename(&temporary, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&temporary);
        })
}

/// A progress bar on a terminal, one line per event otherwise.
struct Reporter {
    bar: Option<ProgressBar>,
}

impl Reporter {
    fn new(terminal: bool) -> Reporter {
        let bar = terminal.then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} [{bar:40}] page {pos}/{len} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Reporter { bar }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Reporter {
    fn page(&mut self, pass: u32, page: u64, total_pages: u64) {
        match &self.bar {
            Some(bar) => {
                bar.set_length(total_pages);
                bar.set_position(page);
                bar.set_message("");
            }
            None => eprintln!("pass {pass}: page {page}/{total_pages}"),
        }
    }

    fn waiting(&mut self, page: u64, seconds: u64) {
        let message = format!("page {page}: 429 Too Many Requests, waiting {seconds} s");
        match &self.bar {
            Some(bar) => bar.set_message(message),
            None => eprintln!("{message}"),
        }
    }

    fn restarting(&mut self, reason: &str) {
        let message = format!("the upstream changed while recording ({reason}); recording again");
        match &self.bar {
            Some(bar) => bar.println(message),
            None => eprintln!("{message}"),
        }
    }
}
