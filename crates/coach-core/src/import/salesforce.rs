//! Salesforce record ids come in two forms for the same record: 15
//! case-sensitive characters, and 18 case-insensitive ones (the 15 plus a
//! three-character checksum of their capitalisation). Coach keeps the 15.

const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The checksum suffix of a 15-character id.
fn suffix(id15: &[u8]) -> [u8; 3] {
    let mut out = [0u8; 3];
    for (chunk, slot) in id15.chunks(5).zip(out.iter_mut()) {
        let bits = chunk
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_uppercase())
            .fold(0usize, |acc, (i, _)| acc | (1 << i));
        *slot = SUFFIX_ALPHABET[bits];
    }
    out
}

/// The 15-character form of a Salesforce id given in either form; an
/// 18-character id whose checksum does not match its first 15 is refused.
pub fn normalize_salesforce_id(raw: &str) -> Result<String, String> {
    let id = raw.trim();
    let bytes = id.as_bytes();
    let expected = || {
        format!(
            "a Salesforce id of 15 or 18 letters and digits; got {}",
            crate::tabular::quote(raw)
        )
    };
    if !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return Err(expected());
    }
    match bytes.len() {
        15 => Ok(id.to_owned()),
        18 => {
            let (head, tail) = bytes.split_at(15);
            if tail.eq_ignore_ascii_case(&suffix(head)) {
                Ok(id[..15].to_owned())
            } else {
                Err(format!(
                    "an 18-character Salesforce id whose last three characters match the first 15; got {}",
                    crate::tabular::quote(raw)
                ))
            }
        }
        _ => Err(expected()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_of_an_id_are_the_same_record() {
        // Salesforce's documented example pair.
        assert_eq!(
            normalize_salesforce_id("001A0000006Vm9rIAC").as_deref(),
            Ok("001A0000006Vm9r")
        );
        assert_eq!(
            normalize_salesforce_id("001A0000006Vm9r").as_deref(),
            Ok("001A0000006Vm9r")
        );
        assert_eq!(
            normalize_salesforce_id("001a0000006vm9rIAC").map(|_| ()),
            Err(
                "an 18-character Salesforce id whose last three characters match the first 15; got \"001a0000006vm9rIAC\""
                    .to_owned()
            ),
            "the capitalisation is part of the id"
        );
        assert!(normalize_salesforce_id("006-bad").is_err());
    }
}
