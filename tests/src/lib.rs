//! Integration tests of the Kinesis clients against kinesis-mock on
//! 127.0.0.1, written once and run for every transport.

pub mod mock;

pub use mock::{KinesisMock, MockError};
