//! What a job's line says after its gauge, shared by the TUI and the CLI bar: bytes, rate and
//! ETA only while bytes flow; elapsed time while haul or the daemon prepares or processes (no
//! decaying rate); the daemon's own word where it sends one; one unit system (humansize).

use super::{JobSnapshot, Phase};

impl JobSnapshot {
    /// The facts after a job's gauge, in the one unit system of every summary (humansize):
    /// bytes and rate with an ETA while bytes flow; elapsed time while haul or the daemon
    /// prepares or the daemon processes (no rate then: nothing is flowing).
    pub fn facts(&self) -> Vec<String> {
        use crate::units::{bytes, duration, rate};
        let mut facts = Vec::new();
        let amount = if self.total > 0 {
            format!("{} / {}", bytes(self.done), bytes(self.total))
        } else {
            bytes(self.done)
        };
        match &self.phase {
            Phase::Preparing | Phase::DaemonPreparing => {
                facts.push(format!("{} {}", self.phase.label(), duration(self.elapsed)));
            }
            Phase::Transferring => {
                facts.push(amount);
                facts.push(rate(self.rate));
                if let Some(eta) = self.eta {
                    facts.push(format!("ETA {}", duration(eta)));
                }
            }
            // Everything was sent (the gauge is full): what counts now is the daemon's time.
            Phase::DaemonProcessing => {
                facts.push(format!("daemon processing {}", duration(self.elapsed)));
            }
            Phase::Done => {
                facts.push(amount);
                facts.push(format!("done in {}", duration(self.elapsed)));
            }
            Phase::Failed(_) | Phase::Cancelled => facts.push(self.phase.label().to_string()),
        }
        if !self.phase.is_finished()
            && let Some(message) = &self.message
        {
            facts.push(message.clone());
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::JobKind;
    use super::*;

    #[test]
    fn facts_show_elapsed_time_not_a_rate_while_nothing_flows() {
        let mut snap = JobSnapshot {
            id: 1,
            kind: JobKind::Save,
            label: String::new(),
            phase: Phase::DaemonPreparing,
            done: 0,
            total: 970_000_000,
            rate: 0.0,
            eta: None,
            elapsed: Duration::from_secs(12),
            message: None,
            outcome: None,
        };
        assert_eq!(snap.facts(), vec!["daemon preparing 12s"]);
        snap.phase = Phase::Transferring;
        snap.done = 485_000_000;
        snap.rate = 50_000_000.0;
        snap.eta = Some(Duration::from_secs(10));
        assert_eq!(snap.facts(), vec!["485 MB / 970 MB", "50 MB/s", "ETA 10s"]);
        snap.phase = Phase::DaemonProcessing;
        snap.message = Some("loading layer 2 of 3".into());
        assert_eq!(
            snap.facts(),
            vec!["daemon processing 12s", "loading layer 2 of 3"]
        );
    }
}
