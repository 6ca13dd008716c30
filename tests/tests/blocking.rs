//! Every scenario of `kinesis_tests::scenarios`, driven by kinesis-blocking
//! against kinesis-mock on 127.0.0.1.

kinesis_tests::scenario_tests!(kinesis_blocking::Client::new);
