//! Real image archives and artifact zips, written by the tests.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

pub const TAG: &str = "test/app:1.0";

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn append(builder: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) {
    let mut header = tar::Header::new_ustar();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(1_700_000_000);
    header.set_cksum();
    builder
        .append_data(&mut header, name, data)
        .expect("append");
}

/// A docker-archive (`docker save` up to Docker 24): one layer tar, a config JSON and
/// `manifest.json` + `repositories`, in the order docker writes them (layers first).
pub fn docker_archive() -> Vec<u8> {
    let mut layer = tar::Builder::new(Vec::new());
    append(&mut layer, "hello.txt", b"hello from a test layer\n");
    let layer = layer.into_inner().expect("layer tar");
    let diff_id = format!("sha256:{}", sha256_hex(&layer));
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["/hello"], "Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "COPY hello.txt /"}]
    })
    .to_string();
    let config_hex = sha256_hex(config.as_bytes());
    let layer_dir = sha256_hex(&layer);
    let manifest = serde_json::json!([{
        "Config": format!("{config_hex}.json"),
        "RepoTags": [TAG],
        "Layers": [format!("{layer_dir}/layer.tar")]
    }])
    .to_string();
    let repositories = serde_json::json!({"test/app": {"1.0": layer_dir}}).to_string();
    let mut image = tar::Builder::new(Vec::new());
    append(&mut image, &format!("{layer_dir}/layer.tar"), &layer);
    append(&mut image, &format!("{config_hex}.json"), config.as_bytes());
    append(&mut image, "manifest.json", manifest.as_bytes());
    append(&mut image, "repositories", repositories.as_bytes());
    image.into_inner().expect("image tar")
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

#[derive(Clone, Copy, Debug)]
pub enum ZipStyle {
    /// Deflate level 6 with data descriptors, as upload-artifact v4 writes it.
    DeflateStreamed,
    /// Stored (compression-level 0), written with a seekable writer.
    Stored,
}

/// A zip with `entries`, in the given style, as bytes.
pub fn zip_bytes(entries: &[(&str, &[u8])], style: ZipStyle) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let options = match style {
        ZipStyle::DeflateStreamed => SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6)),
        ZipStyle::Stored => {
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
        }
    };
    match style {
        ZipStyle::DeflateStreamed => {
            let mut out = Vec::new();
            {
                let mut zip = zip::ZipWriter::new_stream(&mut out);
                for (name, data) in entries {
                    zip.start_file(*name, options).expect("start");
                    zip.write_all(data).expect("write");
                }
                zip.finish().expect("finish");
            }
            out
        }
        ZipStyle::Stored => {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            for (name, data) in entries {
                zip.start_file(*name, options).expect("start");
                zip.write_all(data).expect("write");
            }
            zip.finish().expect("finish").into_inner()
        }
    }
}

pub fn write_zip(path: &Path, entries: &[(&str, &[u8])], style: ZipStyle) {
    std::fs::write(path, zip_bytes(entries, style)).expect("write zip");
}

/// `sha256:<hex>` of bytes, as the API's `digest` field.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}
