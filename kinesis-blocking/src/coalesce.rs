//! One write per request: ureq sends a request's head and its body in two
//! writes, so every call costs two segments and wakes the server twice.
//! This layer over ureq's connections keeps what ureq hands it until ureq
//! waits for the answer (or a buffer's worth has gathered), then sends it
//! in one write.

use std::io;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// Wraps every connection ureq opens in [`Coalesced`].
#[derive(Debug)]
pub(crate) struct Coalescing;

impl Connector<Box<dyn Transport>> for Coalescing {
    type Out = Coalesced;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<Box<dyn Transport>>,
    ) -> Result<Option<Coalesced>, ureq::Error> {
        Ok(chained.map(|inner| Coalesced {
            inner,
            pending: Vec::new(),
        }))
    }
}

/// A connection whose writes wait for the next read.
#[derive(Debug)]
pub(crate) struct Coalesced {
    inner: Box<dyn Transport>,
    /// Bytes ureq transmitted that are not sent yet.
    pending: Vec<u8>,
}

/// Kept capacity of the pending buffer after a large request.
const KEEP_CAPACITY: usize = 16 * 1024;

impl Coalesced {
    /// Sends everything pending, a buffer at a time.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let mut sent = 0;
        while sent < self.pending.len() {
            let output = self.inner.buffers().output();
            let n = output.len().min(self.pending.len() - sent);
            if n == 0 {
                // ureq's buffers are 128 KiB; a connection without one cannot send.
                return Err(ureq::Error::Io(io::Error::other("no output buffer")));
            }
            output[..n].copy_from_slice(&self.pending[sent..sent + n]);
            self.inner.transmit_output(n, timeout)?;
            sent += n;
        }
        self.pending.clear();
        self.pending.shrink_to(KEEP_CAPACITY);
        Ok(())
    }
}

impl Transport for Coalesced {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let output = self.inner.buffers().output();
        let capacity = output.len();
        self.pending.extend_from_slice(&output[..amount]);
        if self.pending.len() >= capacity {
            self.flush(timeout)?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if !self.pending.is_empty() {
            self.flush(timeout)?;
        }
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use ureq::unversioned::transport::time::Duration;
    use ureq::unversioned::transport::LazyBuffers;

    use super::*;

    /// A connection that records each write it is asked to send.
    #[derive(Debug)]
    struct Recording {
        buffers: LazyBuffers,
        writes: Arc<Mutex<Vec<Vec<u8>>>>,
    }

    impl Transport for Recording {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            let bytes = self.buffers.output()[..amount].to_vec();
            self.writes.lock().expect("unpoisoned").push(bytes);
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            Ok(false)
        }
        fn is_open(&mut self) -> bool {
            true
        }
    }

    fn timeout() -> NextTimeout {
        NextTimeout {
            after: Duration::NotHappening,
            reason: ureq::Timeout::Global,
            per_read: None,
            per_write: None,
        }
    }

    fn coalesced(output: usize) -> (Coalesced, Arc<Mutex<Vec<Vec<u8>>>>) {
        let writes = Arc::new(Mutex::new(Vec::new()));
        let inner = Recording {
            buffers: LazyBuffers::new(64, output),
            writes: writes.clone(),
        };
        let c = Coalesced {
            inner: Box::new(inner),
            pending: Vec::new(),
        };
        (c, writes)
    }

    /// What ureq does: writes into the output buffer, then transmits it.
    fn write(c: &mut Coalesced, bytes: &[u8]) {
        c.buffers().output()[..bytes.len()].copy_from_slice(bytes);
        c.transmit_output(bytes.len(), timeout())
            .expect("transmitted");
    }

    #[test]
    fn head_and_body_go_out_in_one_write_when_the_answer_is_awaited() {
        let (mut c, writes) = coalesced(1024);
        write(&mut c, b"POST / HTTP/1.1\r\ncontent-length: 2\r\n\r\n");
        write(&mut c, b"{}");
        assert!(writes.lock().expect("unpoisoned").is_empty());
        c.await_input(timeout()).expect("awaited");
        let writes = writes.lock().expect("unpoisoned").clone();
        assert_eq!(
            writes,
            vec![b"POST / HTTP/1.1\r\ncontent-length: 2\r\n\r\n{}".to_vec()]
        );
    }

    #[test]
    fn large_bodies_go_out_a_buffer_at_a_time_in_order() {
        let (mut c, writes) = coalesced(16);
        let body: Vec<u8> = (0..100u8).collect();
        write(&mut c, b"HEAD");
        for chunk in body.chunks(16) {
            write(&mut c, chunk);
        }
        c.await_input(timeout()).expect("awaited");
        let writes = writes.lock().expect("unpoisoned").clone();
        assert!(writes.iter().all(|w| w.len() <= 16), "{writes:?}");
        let all: Vec<u8> = writes.concat();
        assert_eq!(&all[..4], b"HEAD");
        assert_eq!(&all[4..], &body[..]);
    }
}
