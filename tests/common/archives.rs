//! Image archives written by the tests themselves, in every layout haul reads.

use std::io::Write;
use std::path::Path;

use haul::digest::sha256_of;
use serde_json::json;

/// An uncompressed layer tar holding the given files.
pub fn layer_tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        builder.append_data(&mut header, name, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

/// Bytes that do not compress (xorshift), so a layer made of them crosses many upload chunks.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

/// One image to put in an archive: its layers (uncompressed tars) and a config made for them.
#[derive(Clone)]
pub struct TestImage {
    pub tags: Vec<String>,
    pub layers: Vec<Vec<u8>>,
    pub architecture: String,
    pub config: Vec<u8>,
}

impl TestImage {
    /// `n` layers with distinct content; `seed` makes images differ.
    pub fn new(tag: &str, seed: &str, n: usize) -> TestImage {
        let layers = (0..n)
            .map(|i| layer_tar(&[(&format!("file{i}"), format!("{seed}-{i}").as_bytes())]))
            .collect();
        TestImage::with_layers(&[tag], layers, "amd64")
    }

    pub fn with_layers(tags: &[&str], layers: Vec<Vec<u8>>, architecture: &str) -> TestImage {
        let diff_ids: Vec<String> = layers.iter().map(|l| sha256_of(l)).collect();
        let mut history = Vec::new();
        for (i, _) in layers.iter().enumerate() {
            history.push(
                json!({"created": "2024-01-01T00:00:00Z", "created_by": format!("COPY file{i} /")}),
            );
            history.push(json!({"created": "2024-01-01T00:00:00Z", "created_by": format!("ENV STEP={i}"), "empty_layer": true}));
        }
        let config = json!({
            "architecture": architecture,
            "os": "linux",
            "created": "2024-01-01T00:00:00Z",
            "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/app"], "WorkingDir": "/srv", "Labels": {"team": "ci"},
                       "ExposedPorts": {"8080/tcp": {}}},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": history,
        });
        TestImage {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            layers,
            architecture: architecture.into(),
            config: serde_json::to_vec(&config).unwrap(),
        }
    }

    pub fn id(&self) -> String {
        sha256_of(&self.config)
    }

    pub fn diff_ids(&self) -> Vec<String> {
        self.layers.iter().map(|l| sha256_of(l)).collect()
    }
}

/// Entries of a tar to write: regular files and symlinks.
#[derive(Default)]
pub struct TarBuilder {
    builder: Option<tar::Builder<Vec<u8>>>,
}

impl TarBuilder {
    pub fn new() -> Self {
        TarBuilder {
            builder: Some(tar::Builder::new(Vec::new())),
        }
    }

    pub fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        self.builder
            .as_mut()
            .unwrap()
            .append_data(&mut header, name, data)
            .unwrap();
        self
    }

    /// A file entry whose name is written raw (bypassing the tar crate's `..` refusal).
    pub fn raw_name_file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        let mut header = tar::Header::new_old();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        self.builder
            .as_mut()
            .unwrap()
            .append(&header, data)
            .unwrap();
        self
    }

    pub fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        header.set_mode(0o777);
        self.builder
            .as_mut()
            .unwrap()
            .append_link(&mut header, name, target)
            .unwrap();
        self
    }

    pub fn finish(&mut self) -> Vec<u8> {
        self.builder.take().unwrap().into_inner().unwrap()
    }
}

/// Legacy `docker save` (Docker <= 24): `<id>/layer.tar`, `<config>.json`, `manifest.json`, `repositories`.
/// Layers shared between images are written once.
pub fn legacy_docker_archive(images: &[TestImage]) -> Vec<u8> {
    let mut tar = TarBuilder::new();
    let mut manifest = Vec::new();
    let mut written = std::collections::HashSet::new();
    for image in images {
        let mut layer_paths = Vec::new();
        for layer in &image.layers {
            let dir = haul::digest::hex_part(&sha256_of(&[b"v1:", layer.as_slice()].concat()))
                .to_string();
            let path = format!("{dir}/layer.tar");
            if written.insert(path.clone()) {
                tar.file(&format!("{dir}/VERSION"), b"1.0");
                tar.file(&path, layer);
            }
            layer_paths.push(path);
        }
        let config_name = format!("{}.json", haul::digest::hex_part(&image.id()));
        tar.file(&config_name, &image.config);
        manifest
            .push(json!({"Config": config_name, "RepoTags": image.tags, "Layers": layer_paths}));
    }
    tar.file("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    tar.file("repositories", b"{}");
    tar.finish()
}

/// skopeo / podman docker-archive: layers at the root as `<diffid>.tar`, legacy paths as symlinks.
pub fn skopeo_docker_archive(image: &TestImage) -> Vec<u8> {
    let mut tar = TarBuilder::new();
    let mut layer_paths = Vec::new();
    for (i, layer) in image.layers.iter().enumerate() {
        let name = format!("{}.tar", haul::digest::hex_part(&sha256_of(layer)));
        tar.file(&name, layer);
        tar.symlink(&format!("legacy{i}/layer.tar"), &format!("../{name}"));
        layer_paths.push(format!("legacy{i}/layer.tar"));
    }
    let config_name = format!("{}.json", haul::digest::hex_part(&image.id()));
    tar.file(&config_name, &image.config);
    let manifest = json!([{"Config": config_name, "RepoTags": image.tags, "Layers": layer_paths}]);
    tar.file("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    tar.finish()
}

/// How to store layer blobs in an OCI layout.
#[derive(Clone, Copy, PartialEq)]
pub enum Blob {
    Plain,
    Gzip,
    Zstd,
}

pub struct OciOptions {
    pub layer_blobs: Blob,
    /// Also write a Docker-style `manifest.json` (Docker 25+ saves).
    pub docker_manifest: bool,
    /// Put every image behind one nested index (multi-platform image).
    pub nested: bool,
    /// Add an attestation manifest beside each image (buildx provenance).
    pub attestation: bool,
    /// Name an extra platform whose blobs are not in the archive (containerd store saves).
    pub absent_platform: bool,
    /// Annotate with io.containerd.image.name (true) or only org.opencontainers.image.ref.name.
    pub containerd_names: bool,
}

impl Default for OciOptions {
    fn default() -> Self {
        OciOptions {
            layer_blobs: Blob::Gzip,
            docker_manifest: false,
            nested: false,
            attestation: false,
            absent_platform: false,
            containerd_names: true,
        }
    }
}

/// Files of an OCI image layout (path, bytes) for the images.
pub fn oci_layout_files(images: &[TestImage], opts: &OciOptions) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let blob = |files: &mut Vec<(String, Vec<u8>)>, data: Vec<u8>| -> (String, u64) {
        let digest = sha256_of(&data);
        let size = data.len() as u64;
        let path = format!("blobs/sha256/{}", haul::digest::hex_part(&digest));
        if !files.iter().any(|(p, _)| *p == path) {
            files.push((path, data));
        }
        (digest, size)
    };
    let mut manifests = Vec::new();
    let mut docker_manifest = Vec::new();
    for image in images {
        let mut layer_descs = Vec::new();
        let mut layer_paths = Vec::new();
        for layer in &image.layers {
            let (data, media) = match opts.layer_blobs {
                Blob::Plain => (layer.clone(), "application/vnd.oci.image.layer.v1.tar"),
                Blob::Gzip => (gzip(layer), "application/vnd.oci.image.layer.v1.tar+gzip"),
                Blob::Zstd => (zstd(layer), "application/vnd.oci.image.layer.v1.tar+zstd"),
            };
            let (digest, size) = blob(&mut files, data);
            layer_paths.push(format!("blobs/sha256/{}", haul::digest::hex_part(&digest)));
            layer_descs.push(json!({"mediaType": media, "digest": digest, "size": size}));
        }
        let (config_digest, config_size) = blob(&mut files, image.config.clone());
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
            "layers": layer_descs,
        });
        let (m_digest, m_size) = blob(&mut files, serde_json::to_vec(&manifest).unwrap());
        let tag = image.tags.first().cloned().unwrap_or_default();
        let mut annotations = serde_json::Map::new();
        if !tag.is_empty() {
            if opts.containerd_names {
                annotations.insert("io.containerd.image.name".into(), json!(tag));
            }
            let short = tag.rsplit(':').next().unwrap_or("latest");
            annotations.insert("org.opencontainers.image.ref.name".into(), json!(short));
        }
        manifests.push(json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": m_digest, "size": m_size,
            "platform": {"os": "linux", "architecture": image.architecture},
            "annotations": annotations,
        }));
        if opts.attestation {
            let att = json!({"schemaVersion": 2, "config": {"digest": config_digest, "size": config_size}, "layers": []});
            let (a_digest, a_size) = blob(&mut files, serde_json::to_vec(&att).unwrap());
            manifests.push(json!({
                "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": a_digest, "size": a_size,
                "platform": {"os": "unknown", "architecture": "unknown"},
                "annotations": {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": m_digest},
            }));
        }
        docker_manifest.push(json!({
            "Config": format!("blobs/sha256/{}", haul::digest::hex_part(&config_digest)),
            "RepoTags": image.tags, "Layers": layer_paths,
        }));
    }
    if opts.absent_platform {
        manifests.push(json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": sha256_of(b"not in this archive"), "size": 100,
            "platform": {"os": "linux", "architecture": "s390x"},
        }));
    }
    let top = if opts.nested {
        let nested = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests});
        let (n_digest, n_size) = blob(&mut files, serde_json::to_vec(&nested).unwrap());
        let tag = images[0].tags.first().cloned().unwrap_or_default();
        vec![
            json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": n_digest, "size": n_size,
                    "annotations": {"io.containerd.image.name": tag}}),
        ]
    } else {
        manifests
    };
    let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": top});
    files.push((
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    ));
    // Writers put the metadata last, after the blobs.
    files.push(("index.json".into(), serde_json::to_vec(&index).unwrap()));
    if opts.docker_manifest {
        files.push((
            "manifest.json".into(),
            serde_json::to_vec(&docker_manifest).unwrap(),
        ));
    }
    files
}

pub fn tar_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut tar = TarBuilder::new();
    for (name, data) in files {
        tar.file(name, data);
    }
    tar.finish()
}

pub fn write_layout_dir(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, data) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

/// A zip holding `(name, bytes)` entries, Deflate or Stored, with data descriptors like upload-artifact.
pub fn zip_of(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    // A streaming writer, as upload-artifact uses: sizes follow each entry in a data descriptor.
    let mut zip = zip::ZipWriter::new_stream(Vec::new());
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}
