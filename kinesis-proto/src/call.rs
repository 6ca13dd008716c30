//! One call, retries included, as a state machine a transport drives (being written).
