//! Recognise a file or a zip entry by its first bytes, never by its name. The magic numbers
//! and decoders are the archive engine's; this adds "is there a tar inside the compression".

use std::io::{self, Cursor, Read};

use crate::archive::{self, Compression};

/// How many raw bytes decide: a tar header is 512 bytes.
const HEAD: usize = 512;
/// At most this many compressed bytes are read to decompress one tar header.
const COMPRESSED_LIMIT: u64 = 1 << 20;

/// What the first bytes of a stream are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A zip (local file header, or the end record of an empty zip).
    Zip,
    /// A tar, plain or inside a gzip/zstd/xz/bzip2 stream: a candidate image tarball.
    ImageTar(Compression),
    Other,
}

/// Read the first bytes of `reader` (a few hundred; a compressed stream is decompressed only
/// as far as its first tar header) and say what it is.
pub fn sniff(reader: impl Read) -> io::Result<Sniffed> {
    let mut reader = reader.take(COMPRESSED_LIMIT);
    let head = read_head(&mut reader)?;
    Ok(match archive::sniff(&head) {
        archive::Sniffed::Zip => Sniffed::Zip,
        archive::Sniffed::Tar => Sniffed::ImageTar(Compression::None),
        archive::Sniffed::Compressed(c)
            if decompressed_is_tar(c, Cursor::new(head).chain(reader)) =>
        {
            Sniffed::ImageTar(c)
        }
        _ => Sniffed::Other,
    })
}

fn read_head(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD);
    reader.by_ref().take(HEAD as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// A corrupt stream is simply "not a tar" here; the archive engine reports details later.
fn decompressed_is_tar(compression: Compression, stream: impl Read) -> bool {
    archive::decoder(compression, stream)
        .ok()
        .and_then(|mut d| read_head(&mut d).ok())
        .is_some_and(|head| archive::is_tar_header(&head))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tiny_tar() -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_ustar();
        header.set_size(2);
        header.set_cksum();
        builder
            .append_data(&mut header, "manifest.json", &b"[]"[..])
            .expect("append");
        builder.into_inner().expect("tar")
    }

    #[test]
    fn recognises_tars_compressed_or_not_and_zips() {
        let tar = tiny_tar();
        assert_eq!(
            sniff(&tar[..]).expect("sniff"),
            Sniffed::ImageTar(Compression::None)
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).expect("gz");
        let gz = gz.finish().expect("gz");
        assert_eq!(
            sniff(&gz[..]).expect("sniff"),
            Sniffed::ImageTar(Compression::Gzip)
        );
        let zst = zstd::encode_all(&tar[..], 3).expect("zstd");
        assert_eq!(
            sniff(&zst[..]).expect("sniff"),
            Sniffed::ImageTar(Compression::Zstd)
        );
        assert_eq!(sniff(&b"PK\x03\x04rest"[..]).expect("sniff"), Sniffed::Zip);
    }

    #[test]
    fn other_content_is_not_an_image_whatever_it_is_called() {
        assert_eq!(sniff(&b"hello"[..]).expect("sniff"), Sniffed::Other);
        assert_eq!(sniff(&[][..]).expect("sniff"), Sniffed::Other);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"just text, not a tar").expect("gz");
        let gz = gz.finish().expect("gz");
        assert_eq!(sniff(&gz[..]).expect("sniff"), Sniffed::Other);
        // Gzip magic followed by garbage: not a tar, and no error.
        assert_eq!(
            sniff(&[0x1f, 0x8b, 0, 1, 2, 3][..]).expect("sniff"),
            Sniffed::Other
        );
    }
}
