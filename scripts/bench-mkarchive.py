#!/usr/bin/env python3
"""Write the two archives of the per-engine load benchmark, in the format of Docker 25+ saves and
buildx `type=docker` outputs (OCI layout, gzip layers, plus manifest.json), which every engine
loads natively:

  base.tar  one image of BASE_LAYERS big layers of random bytes (never seen by any engine)
  app.tar   the same layers plus a small top layer

Layers stream through files in DIR (never whole in memory). Prints the app's config digest and
manifest digest.

Usage: bench-mkarchive.py DIR SIZE_MB TOP_MB TAG_PREFIX
"""

import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

BASE_LAYERS = 3
CHUNK = 4 << 20


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Hashing:
    """A file object that hashes what is written to it."""

    def __init__(self, f):
        self.f, self.h, self.n = f, hashlib.sha256(), 0

    def write(self, data):
        self.h.update(data)
        self.n += len(data)
        return self.f.write(data)

    def flush(self):
        self.f.flush()


def layer(work, name, size):
    """A gzip layer blob of one file of `size` random bytes: (blob path, digest, size, diff ID)."""
    path = os.path.join(work, name.replace("/", "_") + ".gz")
    with open(path, "wb") as raw:
        packed = Hashing(raw)
        with gzip.GzipFile(fileobj=packed, mode="wb", compresslevel=1, mtime=0) as gz:
            plain = Hashing(gz)
            with tarfile.open(fileobj=plain, mode="w|") as t:
                info = tarfile.TarInfo(name)
                info.size, info.mtime = size, 1_700_000_000

                class Random(io.RawIOBase):
                    left = size

                    def readable(self):
                        return True

                    def readinto(self, b):
                        n = min(len(b), self.left, CHUNK)
                        b[:n] = os.urandom(n)
                        self.left -= n
                        return n

                t.addfile(info, io.BufferedReader(Random(), CHUNK))
    return path, "sha256:" + packed.h.hexdigest(), packed.n, "sha256:" + plain.h.hexdigest()


def write(path, tag, layers):
    descs = [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": n}
             for (_, d, n, _) in layers]
    config = json.dumps({
        "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["/data/top.bin"]},
        "rootfs": {"type": "layers", "diff_ids": [diff for (_, _, _, diff) in layers]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": f"COPY layer {i}"}
                    for i in range(len(layers))],
    }).encode()
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": sha(config), "size": len(config)},
        "layers": descs,
    }).encode()
    index = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": sha(manifest), "size": len(manifest),
                       "annotations": {"io.containerd.image.name": "docker.io/" + tag,
                                       "org.opencontainers.image.ref.name": tag.rsplit(":", 1)[1]}}],
    }).encode()
    docker_manifest = json.dumps([{
        "Config": "blobs/sha256/" + sha(config)[7:], "RepoTags": [tag],
        "Layers": ["blobs/sha256/" + d[7:] for (_, d, _, _) in layers],
    }]).encode()
    with tarfile.open(path, "w") as t:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        for (blob, digest, _, _) in layers:
            t.add(blob, arcname="blobs/sha256/" + digest[7:])
        add("blobs/sha256/" + sha(config)[7:], config)
        add("blobs/sha256/" + sha(manifest)[7:], manifest)
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        add("index.json", index)
        add("manifest.json", docker_manifest)
    return sha(config), sha(manifest)


def main():
    out, size_mb, top_mb, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    base_mb = max(size_mb - top_mb, BASE_LAYERS)
    per = base_mb * 1024 * 1024 // BASE_LAYERS
    base = [layer(out, f"data/base{i}.bin", per) for i in range(BASE_LAYERS)]
    top = layer(out, "data/top.bin", max(top_mb, 1) * 1024 * 1024)
    write(os.path.join(out, "base.tar"), f"{prefix}/base:bench", base)
    config, manifest = write(os.path.join(out, "app.tar"), f"{prefix}/app:bench", base + [top])
    for (blob, _, _, _) in base + [top]:
        os.remove(blob)
    print(config, manifest)


if __name__ == "__main__":
    main()
