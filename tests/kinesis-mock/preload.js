'use strict';
// Preloaded by the test harness (`node --require ./preload.js main.js`).
//
// 1. kinesis-local binds its servers to 0.0.0.0 and has no setting for the
//    host, so every server of this process is made to listen on 127.0.0.1.
// 2. The harness holds this process's stdin open; when the harness exits
//    (even without running destructors), stdin closes and so does the mock.
//    (SIGKILL, not process.exit: the mock's runtime can delay a plain exit by
//    about 30 seconds.)
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const rest = args.slice(1);
    if (typeof rest[0] === 'string') rest.shift(); // the caller's host
    return listen.call(this, first, '127.0.0.1', ...rest);
  }
  if (first !== null && typeof first === 'object' && 'port' in first) {
    return listen.call(this, { ...first, host: '127.0.0.1' }, ...args.slice(1));
  }
  return listen.apply(this, args);
};

if (process.env.KINESIS_TESTS_EXIT_WITH_STDIN === '1') {
  const stop = () => process.kill(process.pid, 'SIGKILL');
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
