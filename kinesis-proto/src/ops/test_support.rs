//! Helpers the operation modules' unit tests share.

use crate::limits::Limits;
use crate::operation::Operation;

/// The stream most operation tests address.
pub(crate) const STREAM: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
/// A consumer of [`STREAM`].
pub(crate) const CONSUMER: &str =
    "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/app:1700000000";

/// The request body `op` serializes to, parsed as JSON (for comparing with
/// `serde_json::json!` values whatever the key order).
pub(crate) fn json_body<O: Operation>(op: &O) -> serde_json::Value {
    let bytes = op.to_body().expect("the input serializes");
    serde_json::from_slice(&bytes).expect("the body is JSON")
}

/// The request body `op` serializes to, as text (for comparing bytes exactly).
pub(crate) fn text_body<O: Operation>(op: &O) -> String {
    String::from_utf8(op.to_body().expect("serializes")).expect("utf-8")
}

/// The field the validation error of `op` names, under the default limits;
/// panics (failing the test) when `op` is valid.
pub(crate) fn field_of<O: Operation>(op: &O) -> String {
    op.validate(&Limits::default())
        .expect_err("the input should be refused")
        .field
        .into_owned()
}
