//! Results of the background work -> the open view. A result for a view that was closed (or a
//! request made again since) only fills the memory of analyses.

use super::diff_view::{DiffBrowser, DiffStage};
use super::view::{Browser, Panel, PreviewStage, Stage};
use super::{ContentsMsg, Failure};
use crate::tui::app::{App, Level, Mode};

impl App {
    pub(in crate::tui) fn contents_msg(&mut self, msg: ContentsMsg) {
        match msg {
            ContentsMsg::Analysed {
                ticket,
                target,
                result,
            } => {
                if let Ok(analysis) = &result {
                    self.contents.keep(&target, analysis.clone());
                }
                let Mode::Files(view) = &mut self.mode else {
                    return;
                };
                if !matches!(&view.stage, Stage::Reading(run) if run.ticket == ticket) {
                    return;
                }
                match result {
                    Ok(analysis) => {
                        view.layer = view.layer.filter(|n| *n < analysis.layers.len());
                        view.stage = Stage::Ready(Box::new(Browser::new(analysis, view.layer)));
                    }
                    Err(Failure::Cancelled) => {
                        self.mode = Mode::Normal;
                        self.notify(Level::Info, "cancelled");
                    }
                    Err(Failure::Failed(reason)) => view.stage = Stage::Failed(reason),
                }
            }
            ContentsMsg::Previewed { ticket, result } => {
                let Mode::Files(view) = &mut self.mode else {
                    return;
                };
                let Some(Panel::Preview(preview)) = view.browser_mut().map(|b| &mut b.panel) else {
                    return;
                };
                if !matches!(&preview.stage, PreviewStage::Reading(run) if run.ticket == ticket) {
                    return;
                }
                preview.stage = match result {
                    Ok(peek) => PreviewStage::Ready(peek),
                    Err(Failure::Cancelled) => PreviewStage::Note("cancelled".into()),
                    Err(Failure::Failed(reason)) => {
                        PreviewStage::Note(format!("cannot read it: {reason}"))
                    }
                };
            }
            ContentsMsg::Compared {
                ticket,
                targets,
                result,
            } => {
                if let Ok(compared) = &result {
                    self.contents.keep(&targets.0, compared.a.clone());
                    self.contents.keep(&targets.1, compared.b.clone());
                }
                let Mode::Diff(view) = &mut self.mode else {
                    return;
                };
                if !matches!(&view.stage, DiffStage::Reading { a, .. } if a.ticket == ticket) {
                    return;
                }
                match result {
                    Ok(compared) => {
                        view.stage = DiffStage::Ready(Box::new(DiffBrowser::new(compared)));
                    }
                    Err(Failure::Cancelled) => {
                        self.mode = Mode::Normal;
                        self.notify(Level::Info, "cancelled");
                    }
                    Err(Failure::Failed(reason)) => view.stage = DiffStage::Failed(reason),
                }
            }
        }
    }

    /// True while the open view waits for background work: the loop then ticks to redraw the
    /// progress.
    pub fn contents_busy(&self) -> bool {
        match &self.mode {
            Mode::Files(view) => match &view.stage {
                Stage::Reading(_) => true,
                Stage::Ready(b) => matches!(
                    &b.panel,
                    Panel::Preview(p) if matches!(p.stage, PreviewStage::Reading(_))
                ),
                Stage::Failed(_) => false,
            },
            Mode::Diff(view) => matches!(view.stage, DiffStage::Reading { .. }),
            _ => false,
        }
    }
}
