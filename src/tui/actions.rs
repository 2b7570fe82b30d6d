//! Normal-mode actions that change something: load, save, delete, tag, untag, copy, and the
//! Images pane's row-per-tag toggle. Anything destructive opens a confirmation first.

use super::app::{App, Effect, Level, Mode, PaneId};
use super::dialogs::{Confirm, CopyChoice, Prompt, PromptKind, SaveDialog, Untag};
use super::image_rows::ImageEntry;
use super::state::FileEntry;
use crate::du::Category;

impl App {
    /// The load jobs for one file (every image file of an artifact).
    fn load_effects(&self, entry: &FileEntry, tag: Option<String>) -> Vec<Effect> {
        let paths = super::artifact_source::load_paths(
            &entry.file.path,
            entry.report.ready().map(|r| r.as_ref()),
        );
        let single = paths.len() == 1;
        paths
            .into_iter()
            .map(|path| {
                let mut label = if single && path == entry.file.path {
                    format!("load {}", entry.file.display)
                } else {
                    let name = path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    format!("load {name}")
                };
                if let Some(tag) = &tag {
                    label.push_str(&format!(" as {tag}"));
                }
                Effect::Load {
                    path,
                    label,
                    tag: tag.clone(),
                }
            })
            .collect()
    }

    /// `l`: load the marked files (or the selected one); a remote artifact downloads first.
    pub(super) fn load(&mut self) -> Vec<Effect> {
        if let Some(artifact) = self.selected_remote()
            && self.artifacts.marked_rows().is_empty()
        {
            return self.download(artifact.clone());
        }
        let targets: Vec<FileEntry> = self.target_files().into_iter().cloned().collect();
        if targets.is_empty() {
            let text = match self.pane {
                PaneId::Images | PaneId::Disk => {
                    "load works on a tarball or an artifact: switch to pane 2 or 3"
                }
                _ => "nothing selected to load",
            };
            self.notify(Level::Info, text);
            return Vec::new();
        }
        let effects: Vec<Effect> = targets
            .iter()
            .flat_map(|entry| self.load_effects(entry, None))
            .collect();
        let what = match (targets.as_slice(), effects.len()) {
            ([one], 1) => format!("started a load of {}", one.file.display),
            ([one], _) => format!("started loads of {}", one.file.display),
            (many, _) => format!(
                "started loads of {}",
                crate::units::count(many.len(), "file")
            ),
        };
        self.notify(Level::Info, what);
        effects
    }

    /// `L`: load the selected file under a name typed now.
    pub(super) fn load_as(&mut self) {
        let Some(entry) = self.selected_file().cloned() else {
            return self.notify(Level::Info, "load as works on a tarball or an artifact");
        };
        if let Some(report) = entry.report.ready()
            && report.images.len() != 1
        {
            return self.notify(
                Level::Info,
                format!(
                    "a new name is for one image; {} holds {}",
                    entry.file.display,
                    crate::units::count(report.images.len(), "image")
                ),
            );
        }
        let input = entry
            .report
            .ready()
            .and_then(|r| r.images.first())
            .and_then(|i| i.tags.first().cloned())
            .unwrap_or_default();
        self.mode = Mode::Prompt(Prompt {
            kind: PromptKind::LoadAs {
                path: entry.file.path.clone(),
                shown: entry.file.display.clone(),
            },
            input,
        });
    }

    /// `s`: save the marked images (or the selected one) into one tarball.
    pub(super) fn save_prompt(&mut self) {
        let entries: Vec<&ImageEntry> = if self.pane == PaneId::Images {
            self.images.targets()
        } else {
            Vec::new()
        };
        if entries.is_empty() {
            return self.notify(Level::Info, "save works on daemon images: switch to pane 1");
        }
        let mut images: Vec<String> = Vec::new();
        for entry in &entries {
            let name = entry.reference().to_string();
            if !images.contains(&name) {
                images.push(name);
            }
        }
        let clean = |image: &str| -> String {
            let name: String = image
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            name.trim_start_matches("sha256_").to_string()
        };
        let mut name = clean(&images[0]);
        if images.len() > 1 {
            name.push_str(&format!("_and_{}_more", images.len() - 1));
        }
        let input = self
            .config
            .export_folder
            .join(format!("{name}.tar"))
            .to_string_lossy()
            .into_owned();
        self.mode = Mode::Save(SaveDialog::new(images, input));
    }

    /// `d`: what to delete depends on the pane; always asks.
    pub(super) fn confirm_delete(&mut self) {
        let confirm = match self.pane {
            PaneId::Images => self.delete_images(),
            PaneId::Disk => self.clean_disk(),
            _ if self.selected_remote().is_some() && self.target_files().is_empty() => {
                return self.notify(
                    Level::Info,
                    "a remote artifact is deleted on GitHub, not here (its local copy can be)",
                );
            }
            _ => {
                let files: Vec<_> = self
                    .target_files()
                    .iter()
                    .map(|f| (f.file.path.clone(), f.file.stamp.size))
                    .collect();
                (!files.is_empty()).then_some(Confirm::DeleteFiles(files))
            }
        };
        match confirm {
            Some(c) => self.mode = Mode::Confirm(c),
            None if self.notice.is_none() => self.notify(Level::Info, "nothing selected to delete"),
            None => {}
        }
    }

    fn delete_images(&self) -> Option<Confirm> {
        let marked = self.images.marked_rows();
        if marked.is_empty() {
            let entry = self.selected_entry()?;
            return Some(Confirm::DeleteImage {
                id: entry.image.id.clone(),
                tag: entry.tag.clone(),
                tags: entry.image.tags.clone(),
            });
        }
        let mut images: Vec<(String, String)> = Vec::new();
        for entry in marked {
            if !images.iter().any(|(id, _)| *id == entry.image.id) {
                let shown = if entry.image.tags.is_empty() {
                    crate::units::short_id(&entry.image.id).to_string()
                } else {
                    entry.image.tags.join(", ")
                };
                images.push((entry.image.id.clone(), shown));
            }
        }
        Some(Confirm::DeleteImages(images))
    }

    fn clean_disk(&mut self) -> Option<Confirm> {
        let targets: Vec<crate::du::Item> = self.disk.targets().into_iter().cloned().collect();
        let (kept, items): (Vec<_>, Vec<_>) = targets
            .into_iter()
            .partition(|i| i.category == Category::InUse);
        if !kept.is_empty() {
            self.notify(
                Level::Info,
                format!(
                    "{} in use by containers: haul does not remove it",
                    crate::units::count(kept.len(), "image")
                ),
            );
        }
        (!items.is_empty()).then_some(Confirm::Clean(items))
    }

    /// `t`: a new name for the selected image (a name another image has moves here).
    pub(super) fn tag_prompt(&mut self) {
        let Some(entry) = self.selected_entry() else {
            return self.notify(Level::Info, "tag works on a daemon image: switch to pane 1");
        };
        let shown = entry
            .tag
            .clone()
            .unwrap_or_else(|| crate::units::short_id(&entry.image.id).to_string());
        let input = entry.tag.clone().unwrap_or_default();
        self.mode = Mode::Prompt(Prompt {
            kind: PromptKind::Tag {
                id: entry.image.id.clone(),
                shown,
            },
            input,
        });
    }

    /// `u`: remove the marked tags (or the selected one), after a confirmation that says
    /// which image goes with its last tag.
    pub(super) fn confirm_untag(&mut self) {
        if self.pane != PaneId::Images {
            return self.notify(
                Level::Info,
                "untag works on daemon images: switch to pane 1",
            );
        }
        let mut pairs: Vec<(&str, &String)> = Vec::new();
        for entry in self.images.targets() {
            let tags: Vec<&String> = if entry.per_image {
                entry.image.tags.iter().collect()
            } else {
                entry.tag.iter().collect()
            };
            for tag in tags {
                if !pairs.iter().any(|(_, t)| *t == tag) {
                    pairs.push((&entry.image.id, tag));
                }
            }
        }
        let names: Vec<Untag> = pairs
            .iter()
            .map(|(id, tag)| {
                let going = pairs.iter().filter(|(i, _)| i == id).count();
                let has = self.image_row(id).map_or(0, |r| r.tags.len());
                Untag {
                    name: tag.to_string(),
                    last: going >= has,
                }
            })
            .collect();
        if names.is_empty() {
            return self.notify(
                Level::Info,
                "no tag to remove (an untagged image is deleted with d)",
            );
        }
        self.mode = Mode::Confirm(Confirm::Untag(names));
    }

    /// `y`: the values the selected item has; one is copied at once, several open a menu.
    pub(super) fn copy_menu(&mut self) -> Vec<Effect> {
        let choices = self.copy_choices();
        match choices.as_slice() {
            [] => {
                self.notify(Level::Info, "nothing to copy here");
                Vec::new()
            }
            [one] => self.copy(one.clone()),
            _ => {
                self.mode = Mode::Copy(choices);
                Vec::new()
            }
        }
    }

    pub(super) fn copy(&mut self, choice: CopyChoice) -> Vec<Effect> {
        self.mode = Mode::Normal;
        self.notify(
            Level::Info,
            format!("copied the {} {}", choice.what, choice.text),
        );
        vec![Effect::Copy(choice.text)]
    }

    fn copy_choices(&self) -> Vec<CopyChoice> {
        let mut out = Vec::new();
        let mut push = |key: char, what: &'static str, text: Option<String>| {
            if let Some(text) = text.filter(|t| !t.is_empty())
                && !out.iter().any(|c: &CopyChoice| c.text == text)
            {
                out.push(CopyChoice { key, what, text });
            }
        };
        if let Some(entry) = self.selected_entry() {
            push('t', "tag", entry.tag.clone());
            push('i', "ID", Some(entry.image.id.clone()));
            let info = self.detail_info();
            push(
                'd',
                "digest",
                info.and_then(|i| i.repo_digests.first().cloned()),
            );
            return out;
        }
        if let Some(file) = self.selected_file() {
            let image = self.detail_info();
            push('p', "path", Some(file.file.path.display().to_string()));
            push('t', "tag", image.and_then(|i| i.tags.first().cloned()));
            push('i', "ID", image.map(|i| i.id.clone()));
            push('d', "digest", image.and_then(|i| i.manifest_digest.clone()));
            return out;
        }
        if let Some(artifact) = self.selected_remote() {
            push('n', "name", Some(artifact.name.clone()));
            push('i', "ID", Some(artifact.id.to_string()));
            push('d', "digest", artifact.digest.clone());
            return out;
        }
        if self.pane == PaneId::Disk
            && let Some(item) = self.disk.selected()
        {
            push('i', "ID", item.id.clone());
            push(
                'p',
                "path",
                item.path.as_ref().map(|p| p.display().to_string()),
            );
            push('n', "name", Some(item.name.clone()));
        }
        out
    }

    /// `T`: one row per tag, or one per image; the selected image stays selected.
    pub(super) fn toggle_tags(&mut self) {
        let id = self.selected_image().map(|r| r.id.clone());
        self.per_tag = !self.per_tag;
        self.images.marked.clear();
        self.rebuild_image_rows();
        if let Some(id) = id {
            let key = self
                .images
                .visible()
                .find(|e| e.image.id == id)
                .map(super::state::Filterable::key);
            if let Some(key) = key {
                self.images.select_key(&key);
            }
        }
        self.follow_cursor();
        let how = if self.per_tag {
            "one row per tag"
        } else {
            "one row per image"
        };
        self.notify(Level::Info, how);
    }
}
