//! How Kinesis JSON 1.1 writes values that serde has no one way for: blobs
//! as base64, timestamps as epoch seconds, hash keys as decimal strings.
//! Used through `#[serde(with = "crate::wire::…")]`.

/// `Vec<u8>` as a base64 string.
pub(crate) mod blob {
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let _ = (data, s);
        todo!("wire::blob")
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let _ = d;
        todo!("wire::blob")
    }
}

/// `time::OffsetDateTime` as epoch seconds (integer, float or exponent
/// form), read exactly from the decimal text.
pub(crate) mod timestamp {
    use serde::{Deserializer, Serializer};
    use time::OffsetDateTime;

    pub(crate) fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        let _ = (t, s);
        todo!("wire::timestamp")
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let _ = d;
        todo!("wire::timestamp")
    }
}
