//! Pictures pasted into the text: their format and size, from the header.

/// JPEG and PNG are placed; other formats are named for the warning.
pub(super) fn picture_format(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else {
        None
    }
}

/// A picture's pixel size as placed, from its header only: a PNG's from
/// its IHDR chunk (without reading on); a JPEG's with its EXIF orientation
/// applied (Typst turns the picture the same way).
pub(super) fn picture_size(bytes: &[u8]) -> Result<(u32, u32), String> {
    use image::ImageDecoder;
    use image::metadata::Orientation;
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return match (bytes.get(12..16), bytes.get(16..20), bytes.get(20..24)) {
            (Some(b"IHDR"), Some(w), Some(h)) => Ok((
                u32::from_be_bytes([w[0], w[1], w[2], w[3]]),
                u32::from_be_bytes([h[0], h[1], h[2], h[3]]),
            )),
            _ => Err("no PNG header".into()),
        };
    }
    let mut decoder = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?
        .into_decoder()
        .map_err(|e| e.to_string())?;
    let (w, h) = decoder.dimensions();
    let turned = matches!(
        decoder.orientation(),
        Ok(Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH)
    );
    Ok(if turned { (h, w) } else { (w, h) })
}
