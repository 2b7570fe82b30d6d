//! Image archives for unit tests (here and in the TUI): a legacy `docker save` tar written in
//! memory from layer tars.

use serde_json::json;

use crate::digest::{hex_part, sha256_of};

/// A layer tar of regular files (mode 0644) and folders (names ending in `/`).
pub fn layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(1_700_000_000);
        if let Some(dir) = name.strip_suffix('/') {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_mode(0o755);
            header.set_size(0);
            builder.append_data(&mut header, dir, &[][..]).expect("dir");
        } else {
            header.set_mode(0o644);
            header.set_size(data.len() as u64);
            builder.append_data(&mut header, name, *data).expect("file");
        }
    }
    builder.into_inner().expect("layer")
}

/// A legacy `docker save` archive of one image tagged `tag` with these (uncompressed) layers.
pub fn docker_archive(tag: &str, layers: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha256_of(l)).collect();
    let history: Vec<_> = (0..layers.len())
        .map(
            |i| json!({"created": "2024-01-01T00:00:00Z", "created_by": format!("COPY step{i} /")}),
        )
        .collect();
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/app"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .expect("config");
    let mut out = tar::Builder::new(Vec::new());
    let add = |out: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        out.append_data(&mut header, name, data).expect("member");
    };
    let mut paths = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        let path = format!("layer{i}/layer.tar");
        add(&mut out, &path, layer);
        paths.push(path);
    }
    let config_name = format!("{}.json", hex_part(&sha256_of(&config)));
    add(&mut out, &config_name, &config);
    let manifest = json!([{"Config": config_name, "RepoTags": [tag], "Layers": paths}]);
    let manifest = serde_json::to_vec(&manifest).expect("manifest");
    add(&mut out, "manifest.json", &manifest);
    out.into_inner().expect("archive")
}
