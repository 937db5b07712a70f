//! Checks that a JPEG or PNG file is whole, without decoding its pixels.
//!
//! A photo cut short (a failed copy, a chat app's half download) still has
//! a valid header: decoders then fill the missing part with grey and the
//! print shop receives the broken stream, because Typst embeds JPEG bytes
//! untouched. So every photo's structure is walked to its end: for a JPEG,
//! every marker segment, the entropy-coded data of every scan (only stuffed
//! bytes and restart markers may appear in it, restart markers in sequence
//! and as many as the frame needs) up to the end-of-image marker; for a
//! PNG, every chunk with its checksum up to `IEND`. This reads each byte
//! once and costs a few milliseconds for a phone photo.

/// Why a file is not a whole JPEG or PNG, in words for an editor.
pub type Problem = String;

/// What the walk of a JPEG found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JpegInfo {
    pub width: u16,
    pub height: u16,
    pub components: u8,
    pub progressive: bool,
}

struct Frame {
    width: u16,
    height: u16,
    /// (id, horizontal, vertical sampling) of each component.
    components: Vec<(u8, u8, u8)>,
    sequential: bool,
}

fn cut_short(at: usize, _len: usize) -> Problem {
    format!("the file ends too early: it is cut off at byte {at}, before the end of its image data")
}

/// Walks a JPEG from its start-of-image to its end-of-image marker.
pub fn check_jpeg(data: &[u8]) -> Result<JpegInfo, Problem> {
    if data.len() < 4 || data[0] != 0xFF || data[1] != 0xD8 {
        return Err("it does not start like a JPEG".into());
    }
    let len = data.len();
    let mut i = 2;
    let mut frame: Option<Frame> = None;
    let mut restart_interval: u32 = 0;
    let mut scans = 0usize;
    loop {
        // A marker: 0xFF, fill bytes, the code.
        if i >= len {
            return Err(cut_short(i, len));
        }
        if data[i] != 0xFF {
            return Err(format!(
                "it is damaged: byte {i} should start a JPEG marker but is 0x{:02X}",
                data[i]
            ));
        }
        while i < len && data[i] == 0xFF {
            i += 1;
        }
        if i >= len {
            return Err(cut_short(i, len));
        }
        let marker = data[i];
        i += 1;
        match marker {
            0xD9 => {
                if scans == 0 {
                    return Err("it has no image data (the file ends before the first scan)".into());
                }
                let f = frame.expect("a scan needs a frame");
                return Ok(JpegInfo {
                    width: f.width,
                    height: f.height,
                    components: f.components.len() as u8,
                    progressive: !f.sequential,
                });
            }
            0xD8 => {
                return Err(format!(
                    "it is damaged: a second start-of-image marker at byte {}",
                    i - 2
                ));
            }
            0x01 | 0xD0..=0xD7 => continue,
            0x00 => return Err(format!("it is damaged: an empty marker at byte {}", i - 2)),
            _ => {}
        }
        if i + 2 > len {
            return Err(cut_short(i, len));
        }
        let seg_len = usize::from(u16::from_be_bytes([data[i], data[i + 1]]));
        if seg_len < 2 {
            return Err(format!(
                "it is damaged: a marker segment of length {seg_len} at byte {i}"
            ));
        }
        if i + seg_len > len {
            return Err(cut_short(len, len));
        }
        let seg = &data[i + 2..i + seg_len];
        let after = i + seg_len;
        match marker {
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if frame.is_some() {
                    return Err("it is damaged: it has two frame headers".into());
                }
                if seg.len() < 6 {
                    return Err("it is damaged: the frame header is too short".into());
                }
                let height = u16::from_be_bytes([seg[1], seg[2]]);
                let width = u16::from_be_bytes([seg[3], seg[4]]);
                let n = usize::from(seg[5]);
                if n == 0 || seg.len() < 6 + 3 * n {
                    return Err("it is damaged: the frame header lists no colour components".into());
                }
                let components = (0..n)
                    .map(|k| {
                        let c = &seg[6 + 3 * k..9 + 3 * k];
                        (c[0], (c[1] >> 4).max(1), (c[1] & 15).max(1))
                    })
                    .collect();
                frame = Some(Frame {
                    width,
                    height,
                    components,
                    sequential: matches!(marker, 0xC0 | 0xC1),
                });
            }
            0xDD => {
                if seg.len() < 2 {
                    return Err("it is damaged: the restart interval is too short".into());
                }
                restart_interval = u32::from(u16::from_be_bytes([seg[0], seg[1]]));
            }
            0xDA => {
                let Some(f) = &frame else {
                    return Err("it is damaged: image data comes before the frame header".into());
                };
                let ns = usize::from(*seg.first().unwrap_or(&0));
                if ns == 0 || seg.len() < 1 + 2 * ns {
                    return Err("it is damaged: a scan header lists no components".into());
                }
                let ids: Vec<u8> = (0..ns).map(|k| seg[1 + 2 * k]).collect();
                let (restarts, end) = walk_scan(data, after)?;
                scans += 1;
                if restart_interval > 0 && f.sequential && f.height > 0 {
                    let mcus = mcu_count(f, &ids);
                    if mcus > 0 {
                        let expected = mcus.div_ceil(u64::from(restart_interval)) - 1;
                        if restarts != expected {
                            return Err(format!(
                                "it is damaged: its image data has {restarts} restart markers where the picture needs {expected}"
                            ));
                        }
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i = after;
    }
}

/// The number of MCUs of a scan of these components.
fn mcu_count(f: &Frame, ids: &[u8]) -> u64 {
    let hmax = u64::from(f.components.iter().map(|c| c.1).max().unwrap_or(1));
    let vmax = u64::from(f.components.iter().map(|c| c.2).max().unwrap_or(1));
    let (w, h) = (u64::from(f.width), u64::from(f.height));
    if ids.len() == 1 {
        let Some(c) = f.components.iter().find(|c| c.0 == ids[0]) else {
            return 0;
        };
        let cw = (w * u64::from(c.1)).div_ceil(hmax);
        let ch = (h * u64::from(c.2)).div_ceil(vmax);
        cw.div_ceil(8) * ch.div_ceil(8)
    } else {
        w.div_ceil(8 * hmax) * h.div_ceil(8 * vmax)
    }
}

/// Walks the entropy-coded data of a scan that starts at `start`: returns
/// the number of restart markers and the position of the marker that ends
/// the scan.
fn walk_scan(data: &[u8], start: usize) -> Result<(u64, usize), Problem> {
    let len = data.len();
    let mut i = start;
    let mut restarts = 0u64;
    let mut next_rst = 0u8;
    loop {
        let Some(off) = memchr::memchr(0xFF, &data[i..]) else {
            return Err(cut_short(len, len));
        };
        i += off;
        let mut j = i + 1;
        while j < len && data[j] == 0xFF {
            j += 1;
        }
        if j >= len {
            return Err(cut_short(len, len));
        }
        match data[j] {
            0x00 => i = j + 1,
            m @ 0xD0..=0xD7 => {
                if m - 0xD0 != next_rst {
                    return Err(format!(
                        "it is damaged: restart marker {} where {} was due (byte {i})",
                        m - 0xD0,
                        next_rst
                    ));
                }
                next_rst = (next_rst + 1) % 8;
                restarts += 1;
                i = j + 1;
            }
            _ => {
                if i == start {
                    return Err("it is damaged: a scan without image data".into());
                }
                return Ok((restarts, i));
            }
        }
    }
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    for (n, slot) in table.iter_mut().enumerate() {
        let mut c = n as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    table
}

/// Walks a PNG's chunks to `IEND`, checking each chunk's checksum.
pub fn check_png(data: &[u8]) -> Result<(), Problem> {
    if data.len() < 8 || data[..8] != PNG_SIGNATURE {
        return Err("it does not start like a PNG".into());
    }
    let table = crc_table();
    let len = data.len();
    let mut i = 8;
    let mut first = true;
    let mut idat = false;
    loop {
        if i + 8 > len {
            return Err(cut_short(i, len));
        }
        let n = u32::from_be_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]) as usize;
        let kind = &data[i + 4..i + 8];
        if n > len || i + 12 + n > len {
            return Err(cut_short(len, len));
        }
        if first && kind != b"IHDR" {
            return Err("it is damaged: it does not begin with a PNG header chunk".into());
        }
        first = false;
        let mut crc = 0xFFFF_FFFFu32;
        for &b in &data[i + 4..i + 8 + n] {
            crc = table[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
        }
        crc ^= 0xFFFF_FFFF;
        let stored = u32::from_be_bytes([
            data[i + 8 + n],
            data[i + 9 + n],
            data[i + 10 + n],
            data[i + 11 + n],
        ]);
        if crc != stored {
            return Err(format!(
                "it is damaged: the checksum of its `{}` chunk at byte {i} is wrong",
                String::from_utf8_lossy(kind)
            ));
        }
        idat |= kind == b"IDAT";
        if kind == b"IEND" {
            if !idat {
                return Err("it has no image data".into());
            }
            return Ok(());
        }
        i += 12 + n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny baseline JPEG: 16×8, one component, two MCUs, restart
    /// interval 1, hand-built segment by segment (the entropy bytes are
    /// placeholders: the walk does not decode them).
    fn tiny(restart: bool, scan: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        v.extend([0xFF, 0xE0, 0, 4, 1, 2]);
        v.extend([0xFF, 0xC0, 0, 11, 8, 0, 8, 0, 16, 1, 1, 0x11, 0]);
        if restart {
            v.extend([0xFF, 0xDD, 0, 4, 0, 1]);
        }
        v.extend([0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
        v.extend(scan);
        v.extend([0xFF, 0xD9]);
        v
    }

    #[test]
    fn a_whole_jpeg_passes() {
        let j = tiny(true, &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        assert_eq!(
            check_jpeg(&j).unwrap(),
            JpegInfo {
                width: 16,
                height: 8,
                components: 1,
                progressive: false
            }
        );
        // Data after the end marker (phones append previews) is fine.
        let mut k = j.clone();
        k.extend([0, 1, 2, 3]);
        assert!(check_jpeg(&k).is_ok());
    }

    #[test]
    fn a_cut_jpeg_fails() {
        let j = tiny(false, &[0x12, 0x34, 0x56, 0x78, 0x9A]);
        for cut in 4..j.len() - 1 {
            let e = check_jpeg(&j[..cut]).unwrap_err();
            assert!(
                e.contains("ends") || e.contains("damaged") || e.contains("no image"),
                "{cut}: {e}"
            );
        }
    }

    #[test]
    fn damaged_entropy_data_fails() {
        let missing_restart = tiny(true, &[0x12, 0x34, 0x56]);
        assert!(
            check_jpeg(&missing_restart)
                .unwrap_err()
                .contains("restart markers")
        );
        let out_of_order = tiny(true, &[0x12, 0xFF, 0xD3, 0x56]);
        assert!(
            check_jpeg(&out_of_order)
                .unwrap_err()
                .contains("restart marker 3")
        );
        // A byte overwritten by a marker-like value inside a segment chain.
        let mut broken = tiny(false, &[0x12]);
        broken[2] = 0x00;
        assert!(check_jpeg(&broken).is_err());
    }

    #[test]
    fn png_chunks_are_checked() {
        fn chunk(kind: &[u8], data: &[u8], table: &[u32; 256]) -> Vec<u8> {
            let mut v = (data.len() as u32).to_be_bytes().to_vec();
            v.extend(kind);
            v.extend(data);
            let mut crc = 0xFFFF_FFFFu32;
            for &b in kind.iter().chain(data) {
                crc = table[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
            }
            v.extend((crc ^ 0xFFFF_FFFF).to_be_bytes());
            v
        }
        let t = crc_table();
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0], &t));
        png.extend(chunk(b"IDAT", &[1, 2, 3, 4, 5], &t));
        png.extend(chunk(b"IEND", &[], &t));
        assert!(check_png(&png).is_ok());
        for cut in 8..png.len() {
            assert!(check_png(&png[..cut]).is_err(), "{cut}");
        }
        let mut bad = png.clone();
        bad[45] ^= 1;
        assert!(check_png(&bad).unwrap_err().contains("checksum"));
    }
}
