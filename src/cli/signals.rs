//! Stop requests from outside the process: Ctrl-C (SIGINT), SIGTERM (a CI cancel, `timeout`,
//! `kill`) and SIGHUP (a dropped ssh session). The running job is cancelled, so its cleanup runs
//! (partial files removed, a load undone), and the command then exits with 128 + the signal
//! number, as a shell reports a process that signal killed: 130, 143, 129.

use std::process::ExitCode;
use std::sync::atomic::{AtomicI32, Ordering};

use tokio::signal::unix::{Signal, SignalKind, signal};

/// The signal that stopped the command, 0 when none did.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Interrupt,
    Terminate,
    Hangup,
}

impl Stop {
    pub fn number(self) -> i32 {
        match self {
            Stop::Interrupt => 2,
            Stop::Terminate => 15,
            Stop::Hangup => 1,
        }
    }

    fn from_number(n: i32) -> Option<Stop> {
        [Stop::Interrupt, Stop::Terminate, Stop::Hangup]
            .into_iter()
            .find(|s| s.number() == n)
    }

    /// 128 + the signal number.
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from((128 + self.number()) as u8)
    }
}

/// Listens for the three signals from its creation on.
pub struct Listener {
    term: Option<Signal>,
    hangup: Option<Signal>,
}

impl Listener {
    pub fn new() -> Listener {
        Listener {
            term: signal(SignalKind::terminate()).ok(),
            hangup: signal(SignalKind::hangup()).ok(),
        }
    }

    /// The next stop request (recorded for [`received`]).
    pub async fn recv(&mut self) -> Stop {
        async fn next(signal: &mut Option<Signal>) {
            match signal {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        let stop = tokio::select! {
            _ = tokio::signal::ctrl_c() => Stop::Interrupt,
            _ = next(&mut self.term) => Stop::Terminate,
            _ = next(&mut self.hangup) => Stop::Hangup,
        };
        RECEIVED.store(stop.number(), Ordering::SeqCst);
        stop
    }
}

impl Default for Listener {
    fn default() -> Self {
        Listener::new()
    }
}

/// The signal that stopped the command, if one did.
pub fn received() -> Option<Stop> {
    Stop::from_number(RECEIVED.load(Ordering::SeqCst))
}

/// A job ended cancelled: one `error:` line, and 128 + the signal number when a signal
/// cancelled it (else 1).
pub fn cancelled(message: impl std::fmt::Display) -> ExitCode {
    let code = super::common::fail(message);
    received().map_or(code, Stop::exit_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(Stop::Terminate.exit_code(), ExitCode::from(143));
        assert_eq!(Stop::Hangup.exit_code(), ExitCode::from(129));
        assert_eq!(Stop::Interrupt.exit_code(), ExitCode::from(130));
        assert_eq!(Stop::from_number(15), Some(Stop::Terminate));
        assert_eq!(Stop::from_number(9), None);
    }
}
