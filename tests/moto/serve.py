"""Runs moto's server on 127.0.0.1:PORT until standard input closes.

The test harness holds our stdin open for as long as it wants the server,
so a server held in a `static` (never dropped) still stops when the test
binary exits.
"""
import sys

from moto.server import ThreadedMotoServer

port = int(sys.argv[1])
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
print("moto ready", flush=True)
sys.stdin.read()
server.stop()
