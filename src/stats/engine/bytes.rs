//! The byte layout packs are written in: little-endian numbers, and codes
//! in as few whole bytes as their dictionary needs. Reading checks every
//! length and code, so a damaged pack is an error, never a panic.

pub(super) fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

/// Codes below `distinct` in 1, 2 or 4 bytes each.
pub(super) fn put_codes(out: &mut Vec<u8>, codes: &[u32], distinct: u32) {
    let each = width(distinct);
    out.push(each as u8);
    for &code in codes {
        out.extend_from_slice(&code.to_le_bytes()[..each]);
    }
}

fn width(distinct: u32) -> usize {
    match distinct {
        0..=0x100 => 1,
        0x101..=0x1_0000 => 2,
        _ => 4,
    }
}

pub(super) struct Reader<'a> {
    pub data: &'a [u8],
    pub at: usize,
}

impl<'a> Reader<'a> {
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        let end = self.at.checked_add(n).ok_or("too long")?;
        let bytes = self.data.get(self.at..end).ok_or("cut short")?;
        self.at = end;
        Ok(bytes)
    }

    pub fn u8(&mut self) -> Result<u8, &'static str> {
        Ok(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Result<u32, &'static str> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| "short")?,
        ))
    }

    /// `rows` codes, each below `distinct`.
    pub fn codes(&mut self, rows: usize, distinct: u32) -> Result<Vec<u32>, &'static str> {
        let each = self.u8()? as usize;
        if each != width(distinct) {
            return Err("codes of the wrong width");
        }
        let bytes = self.take(rows.checked_mul(each).ok_or("too long")?)?;
        let codes: Vec<u32> = match each {
            1 => bytes.iter().map(|&b| u32::from(b)).collect(),
            2 => bytes
                .chunks_exact(2)
                .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]])))
                .collect(),
            _ => bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        };
        // A maximum, not a search that stops early: it runs as vector code.
        if codes.iter().copied().max().is_some_and(|c| c >= distinct) {
            return Err("a code past its dictionary");
        }
        Ok(codes)
    }
}
