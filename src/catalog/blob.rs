//! Zero-copy reader over the blob written by `build.rs`. Every read is bounds-checked
//! and falls back to zero/empty, so a damaged blob gives wrong answers, never a panic.

use std::cmp::Ordering;

use super::format::*;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum BlobError {
    #[error("catalog blob is truncated")]
    Truncated,
    #[error("catalog blob has a bad magic number")]
    BadMagic,
    #[error("catalog blob has format version {0}, expected {FORMAT_VERSION}")]
    Version(u32),
    #[error("catalog string table is not UTF-8")]
    Utf8,
}

#[derive(Clone, Copy)]
pub(crate) struct Blob {
    strings: &'static str,
    sections: [&'static [u8]; SECTION_COUNT],
    version: u32,
    date: u32,
}

impl Blob {
    pub(crate) fn parse(bytes: &'static [u8]) -> Result<Self, BlobError> {
        if bytes.len() < HEADER_LEN {
            return Err(BlobError::Truncated);
        }
        if bytes.get(..4) != Some(&MAGIC[..]) {
            return Err(BlobError::BadMagic);
        }
        let format = le32(bytes, 4);
        if format != FORMAT_VERSION {
            return Err(BlobError::Version(format));
        }
        let mut sections: [&'static [u8]; SECTION_COUNT] = [&[]; SECTION_COUNT];
        for (i, section) in sections.iter_mut().enumerate() {
            let offset = le32(bytes, 16 + i * 8) as usize;
            let len = le32(bytes, 20 + i * 8) as usize;
            *section = bytes
                .get(offset..offset + len)
                .ok_or(BlobError::Truncated)?;
        }
        // One UTF-8 check for the whole table; later slices use `str::get`, which also
        // refuses to cut inside a character.
        let strings = std::str::from_utf8(sections[Section::Strings as usize])
            .map_err(|_| BlobError::Utf8)?;
        Ok(Self {
            strings,
            sections,
            version: le32(bytes, 8),
            date: le32(bytes, 12),
        })
    }

    pub(crate) fn empty() -> Self {
        Self {
            strings: "",
            sections: [&[]; SECTION_COUNT],
            version: 0,
            date: 0,
        }
    }

    pub(crate) fn version(&self) -> &'static str {
        self.str(self.version)
    }

    pub(crate) fn date(&self) -> &'static str {
        self.str(self.date)
    }

    pub(crate) fn str(&self, r: u32) -> &'static str {
        let offset = (r >> STR_LEN_BITS) as usize;
        let len = (r & STR_MAX_LEN as u32) as usize;
        self.strings.get(offset..offset + len).unwrap_or("")
    }

    pub(crate) fn count(&self, section: Section, rec: usize) -> usize {
        self.sections[section as usize].len() / rec
    }

    /// Record `index` of a section with fixed-size records.
    pub(crate) fn rec(&self, section: Section, rec: usize, index: usize) -> Rec {
        let start = index.saturating_mul(rec);
        Rec(self.sections[section as usize]
            .get(start..start.saturating_add(rec))
            .unwrap_or(&[]))
    }
}

/// One fixed-size record; field reads take byte offsets inside it.
#[derive(Clone, Copy)]
pub(crate) struct Rec(&'static [u8]);

impl Rec {
    pub(crate) fn u32(self, at: usize) -> u32 {
        le32(self.0, at)
    }

    pub(crate) fn u16(self, at: usize) -> u16 {
        self.0
            .get(at..at + 2)
            .and_then(|s| s.try_into().ok())
            .map_or(0, u16::from_le_bytes)
    }

    pub(crate) fn u8(self, at: usize) -> u8 {
        self.0.get(at).copied().unwrap_or(0)
    }
}

fn le32(bytes: &[u8], at: usize) -> u32 {
    bytes
        .get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

/// Binary search over `0..len` with a comparator of "element at i vs target".
pub(crate) fn search(len: usize, mut cmp: impl FnMut(usize) -> Ordering) -> Option<usize> {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match cmp(mid) {
            Ordering::Less => lo = mid + 1,
            Ordering::Greater => hi = mid,
            Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// First index in `lo..hi` where `pred` turns false (`pred` must be true then false).
pub(crate) fn partition_point(
    mut lo: usize,
    mut hi: usize,
    mut pred: impl FnMut(usize) -> bool,
) -> usize {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
