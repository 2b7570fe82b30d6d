//! An analysed image for the files view tests: three layers with additions, a modification
//! (a chmod copy-up), removals (a whiteout, an opaque folder), a symlink and a hardlink.

use std::sync::Arc;

use crate::archive::contents::{Analysis, Peek, scan_layer, stack};
use crate::tui::app::{App, Effect, Msg};
use crate::tui::contents::{ContentsEffect, ContentsMsg, Running, Target};

pub enum E<'a> {
    Dir(&'a str),
    File(&'a str, Vec<u8>, u32),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
}

pub fn layer(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(1_700_000_000);
        match e {
            E::Dir(p) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_data(&mut h, p, &[][..]).unwrap();
            }
            E::File(p, data, mode) => {
                h.set_mode(*mode);
                h.set_size(data.len() as u64);
                b.append_data(&mut h, p, data.as_slice()).unwrap();
            }
            E::Symlink(p, t) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, p, t).unwrap();
            }
            E::Hardlink(p, t) => {
                h.set_entry_type(tar::EntryType::Link);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_link(&mut h, p, t).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

pub fn text(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

/// The three layers of image 1 (`fixtures::info(1, ..)`): a base, an install, the app.
pub fn layers() -> Vec<Vec<u8>> {
    vec![
        layer(&[
            E::Dir("etc"),
            E::File("etc/os-release", text("NAME=Test\nVERSION=1\n"), 0o644),
            E::File("etc/motd", text("welcome\n"), 0o644),
            E::File(
                "bin/busybox",
                vec![0x7f, b'E', b'L', b'F', 0, 1, 2, 3],
                0o755,
            ),
            E::Hardlink("bin/ls", "bin/busybox"),
            E::Symlink("bin/sh", "busybox"),
            E::File("tmp/cache.bin", vec![1; 50_000], 0o644),
        ]),
        layer(&[
            E::File("usr/bin/curl", vec![2; 200_000], 0o755),
            E::File("var/lib/apt/lists/index", vec![3; 100_000], 0o644),
            E::File("tmp/.wh.cache.bin", Vec::new(), 0o644),
        ]),
        layer(&[
            E::File("usr/local/bin/app", vec![4; 2_400], 0o755),
            E::File("etc/motd", text("welcome\n"), 0o600),
            E::File("var/lib/apt/lists/.wh..wh..opq", Vec::new(), 0o644),
            E::Dir("srv"),
            E::File(
                "srv/config.yaml",
                text("listen: 8080\nlog:\n\tlevel: info\nname: app\n"),
                0o644,
            ),
        ]),
    ]
}

pub fn analysis() -> Arc<Analysis> {
    let scans: Vec<_> = layers()
        .iter()
        .map(|l| scan_layer(l.as_slice()).expect("scan"))
        .collect();
    let image = super::fixtures::info(1, &["app:1.0", "app:latest"]);
    Arc::new(stack(image, &scans))
}

/// An image like [`analysis`] one build later: a new config file, curl bigger, no motd.
pub fn analysis_b() -> Arc<Analysis> {
    let mut layers = layers();
    layers[2] = layer(&[
        E::File("usr/local/bin/app", vec![4; 3_000], 0o755),
        E::File("etc/.wh.motd", Vec::new(), 0o644),
        E::File("srv/extra.conf", text("x=1\n"), 0o644),
    ]);
    let scans: Vec<_> = layers
        .iter()
        .map(|l| scan_layer(l.as_slice()).expect("scan"))
        .collect();
    let mut image = super::fixtures::info(2, &["app:1.1"]);
    image.layers[2].diff_id = super::fixtures::digest(120);
    image.cmd = Some(vec!["serve".into(), "--fast".into()]);
    image.env.push("MODE=prod".into());
    Arc::new(stack(image, &scans))
}

/// The `Analyse` effect of `effects`, or a panic naming what there was.
pub fn analyse_of(effects: &[Effect]) -> (Target, Running) {
    match effects {
        [Effect::Contents(e)] => match e.as_ref() {
            ContentsEffect::Analyse { target, run } => (target.clone(), run.clone()),
            other => panic!("not an analysis: {other:?}"),
        },
        other => panic!("expected one analysis, got {other:?}"),
    }
}

/// `f` on the selected image, answered with [`analysis`].
pub fn open_ready(app: &mut App) -> Target {
    let effects = app.on_key(super::fixtures::key('f'));
    let (target, run) = analyse_of(&effects);
    app.apply(Msg::Contents(ContentsMsg::Analysed {
        ticket: run.ticket,
        target: target.clone(),
        result: Ok(analysis()),
    }));
    target
}

pub fn peek(path: &str, head: &[u8], size: u64) -> Peek {
    Peek {
        path: path.to_string(),
        size,
        head: head.to_vec(),
    }
}
