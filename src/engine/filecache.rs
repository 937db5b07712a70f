//! Large files kept between the runs of a session (`folio watch`).
//!
//! A rebuild resets the world's files so that every change is seen. Photos
//! rarely change, but reading one again gives new bytes whose hash Typst
//! must compute again before its caches recognise the photo: for the sample
//! issue that is 11 MB read and hashed on every save. A file whose size,
//! modification and change times and inode are all unchanged is therefore
//! served with the very same bytes, hash included. Small files (Typst
//! sources, articles) are always read again.

use std::collections::HashMap;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use typst::foundations::Bytes;

/// Files smaller than this are not kept.
pub const MIN_BYTES: u64 = 64 * 1024;

/// What identifies a file's contents without reading it: size, times and
/// inode. The one file stamp of folio (the file cache, the photo prefetch
/// and `watch` compare files with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    pub modified: Option<SystemTime>,
    changed: i64,
    changed_ns: i64,
    inode: u64,
}

impl Stamp {
    /// The stamp of the file at `path`, if it can be read.
    pub fn of_path(path: &std::path::Path) -> Option<Self> {
        std::fs::metadata(path).ok().map(|m| Self::of(&m))
    }

    pub fn of(meta: &Metadata) -> Self {
        #[cfg(unix)]
        let (changed, changed_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ctime(), meta.ctime_nsec(), meta.ino())
        };
        #[cfg(not(unix))]
        let (changed, changed_ns, inode) = (0, 0, 0);
        Self {
            len: meta.len(),
            modified: meta.modified().ok(),
            changed,
            changed_ns,
            inode,
        }
    }
}

/// The kept files, by canonical path.
#[derive(Debug, Default)]
pub struct ByteCache {
    entries: Mutex<HashMap<PathBuf, (Stamp, Bytes)>>,
}

impl ByteCache {
    /// The bytes of `path` (whose metadata is `meta`): the kept ones if the
    /// file is unchanged, else read from disk.
    pub fn read(&self, path: &Path, meta: &Metadata) -> std::io::Result<Bytes> {
        if meta.len() < MIN_BYTES {
            return std::fs::read(path).map(Bytes::new);
        }
        let stamp = Stamp::of(meta);
        if let Ok(entries) = self.entries.lock()
            && let Some((kept, bytes)) = entries.get(path)
            && *kept == stamp
        {
            return Ok(bytes.clone());
        }
        let bytes = Bytes::new(std::fs::read(path)?);
        // Only if the file did not change while it was read.
        if std::fs::metadata(path).is_ok_and(|m| Stamp::of(&m) == stamp)
            && let Ok(mut entries) = self.entries.lock()
        {
            entries.insert(path.to_path_buf(), (stamp, bytes.clone()));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_large_files_until_they_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.jpg");
        std::fs::write(&path, vec![1u8; MIN_BYTES as usize]).unwrap();
        let cache = ByteCache::default();
        let meta = std::fs::metadata(&path).unwrap();
        let a = cache.read(&path, &meta).unwrap();
        let b = cache.read(&path, &meta).unwrap();
        assert!(std::ptr::eq(a.as_slice(), b.as_slice()), "not kept");

        // A new file renamed over the old one is read again.
        let tmp = dir.path().join("new.jpg");
        std::fs::write(&tmp, vec![2u8; MIN_BYTES as usize]).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        let c = cache.read(&path, &meta).unwrap();
        assert_eq!(c.as_slice()[0], 2);

        // Small files are always read.
        let small = dir.path().join("a.md");
        std::fs::write(&small, "x").unwrap();
        let meta = std::fs::metadata(&small).unwrap();
        let d = cache.read(&small, &meta).unwrap();
        let e = cache.read(&small, &meta).unwrap();
        assert!(!std::ptr::eq(d.as_slice(), e.as_slice()));
    }
}
