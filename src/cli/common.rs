//! Helpers shared by the daemon subcommands: runtime, connection, one-line errors.

use std::future::Future;
use std::process::ExitCode;

use crate::daemon::Daemon;

/// Print `error: MESSAGE` on stderr (one line) and return a failing exit code.
pub fn fail(message: impl std::fmt::Display) -> ExitCode {
    // One line, whatever the message carries: control characters (a newline or ESC in a path)
    // are escaped, never printed raw.
    let text = crate::escape::text(&message.to_string()).into_owned();
    eprintln!("error: {text}");
    ExitCode::FAILURE
}

/// Write command output to stdout. When stdout is closed (a pipe to `head` that has read
/// enough), the command ends quietly with 141, as SIGPIPE ends other tools: never a panic.
pub fn say(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// Run an async command body on a fresh multi-threaded runtime.
pub fn run<F>(body: F) -> ExitCode
where
    F: Future<Output = ExitCode>,
{
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(body),
        Err(e) => fail(format!("cannot start the async runtime: {e}")),
    }
}

pub async fn connect(host: Option<String>) -> Result<Daemon, ExitCode> {
    Daemon::connect_default(host).await.map_err(fail)
}

/// What every command that loads prints for one finished load, worded one way: `haul load` and
/// `haul artifacts download --load` alike. JSON: the report as one line on stdout.
pub fn print_loaded(report: &crate::transfer::LoadReport, json: bool) -> Result<(), ExitCode> {
    if json {
        return match serde_json::to_string(report) {
            Ok(line) => {
                say!("{line}\n");
                Ok(())
            }
            Err(e) => Err(fail(format!("cannot write JSON: {e}"))),
        };
    }
    for image in &report.loaded {
        match &image.name {
            Some(name) => say!("Loaded image: {name} ({})\n", image.id),
            None => say!("Loaded image ID: {}\n", image.id),
        }
    }
    if report.skipped_layers > 0 {
        say!(
            "Skipped {} ({}) the daemon already had\n",
            crate::units::count(report.skipped_layers, "layer"),
            crate::units::bytes(report.skipped_bytes)
        );
    }
    Ok(())
}
