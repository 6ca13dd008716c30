//! Retry decisions as a state machine (being written).
