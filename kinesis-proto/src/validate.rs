//! Input validation against the service limits, one helper per rule, shared by every operation. (Being written.)
