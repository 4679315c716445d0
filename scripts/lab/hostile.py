#!/usr/bin/python3
"""hostile: odd and hostile TCP peers for tidescan's banner stack, run by
tests/integration/lab_hostile.sh inside the lab's target namespace, bound to
one address of its own. Standard library only. One listener per port:

  7001       sends 1 MiB (bytes 0..255 over and over), then keeps the
             connection open, reading nothing, until the peer ends it
  7002       trickles one byte a second ("0123456789" over and over) until
             the peer ends it
  7003       sends "hello\r\n", waits until it is acknowledged, then resets
             (SO_LINGER 0 close)
  7004       never speaks; reads what comes until the peer ends it
  7005       never speaks; a receive buffer at the kernel's minimum (SO_RCVBUF
             set before listen) that it does not read for --hold seconds: a
             peer sending more than the window meets a real zero window (the
             test also clamps this port's window with a route); then reads
             all until the peer ends it
  7100-7199  "port N\r\n", then FIN; reads until the peer ends it

Every connection is logged when it ends, one JSON object a line, to --log
(default stderr): port, peer ("ip:port"), sent, received (byte counts),
received_head (the first 4096 bytes received, as latin-1), first_rx (seconds
from accept to the first byte received, or null), seconds (accept to end),
end (how it ended: "fin" the peer closed, "reset" the peer reset, "rst-sent"
we reset, "closed" we closed first, "timeout" our own bound --max-seconds,
"stopped" we were told to stop), segs_in and data_segs_in (TCP_INFO), and for
7005 held (the most bytes queued unread during the hold) and held_info
(TCP_INFO counters at the hold's end). The first line is {"ready": ADDR,
"ports": [...]}, written with the pidfile once every port listens. Stop it
with SIGTERM (or SIGINT) by that pid; it exits by itself after --lifetime.
"""
import argparse
import asyncio
import fcntl
import ipaddress
import json
import os
import signal
import socket
import struct
import sys
import termios
import time

FLOOD_BYTES = 1 << 20
FLOOD = bytes(range(256)) * (FLOOD_BYTES // 256)
TRICKLE = b"0123456789"
HELLO = b"hello\r\n"
CAPACITY = range(7100, 7200)
KEEP = 4096  # received bytes kept for the log


class Conn:
    """One accepted connection: what went each way, and its log line."""

    def __init__(self, server, port, sock, peer):
        self.server, self.port, self.sock, self.peer = server, port, sock, peer
        self.sent = 0
        self.received = b""  # the first KEEP bytes
        self.nreceived = 0
        self.start = time.monotonic()
        self.first_rx = None
        self.extra = {}
        self.end = None

    def since(self):
        return round(time.monotonic() - self.start, 3)

    def got(self, data):
        if self.first_rx is None:
            self.first_rx = self.since()
        self.nreceived += len(data)
        if len(self.received) < KEEP:
            self.received += data[:KEEP - len(self.received)]

    def log(self, end):
        if self.end is not None:
            return
        self.end = end
        rec = {"port": self.port, "peer": "%s:%d" % self.peer,
               "sent": self.sent, "received": self.nreceived,
               "received_head": self.received.decode("latin-1"),
               "first_rx": self.first_rx, "seconds": self.since(),
               "end": end}
        rec.update(tcp_info(self.sock))
        rec.update(self.extra)
        self.server.log(json.dumps(rec))


def tcp_info(sock):
    """segs_in and data_segs_in of TCP_INFO (struct tcp_info offsets 140
    and 152), or nothing if the kernel's struct is shorter."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    except OSError:
        return {}
    if len(info) < 156:
        return {}
    segs_in, = struct.unpack_from("I", info, 140)
    data_segs_in, = struct.unpack_from("I", info, 152)
    return {"segs_in": segs_in, "data_segs_in": data_segs_in}


def inq(sock):
    """Bytes received and not read yet (FIONREAD)."""
    return struct.unpack("i", fcntl.ioctl(sock, termios.FIONREAD,
                                          struct.pack("i", 0)))[0]


def unacked(sock):
    """Bytes in our send queue not yet acknowledged (TIOCOUTQ)."""
    return struct.unpack("i", fcntl.ioctl(sock, termios.TIOCOUTQ,
                                          struct.pack("i", 0)))[0]


class Hostile:
    def __init__(self, args):
        self.args = args
        self.loop = None
        self.logf = open(args.log, "a", buffering=1) if args.log else sys.stderr
        self.tasks = set()

    def log(self, line):
        self.logf.write(line + "\n")

    # ---- socket helpers (non-blocking sockets on the event loop) ----

    async def writable(self, sock):
        fut = self.loop.create_future()
        fd = sock.fileno()
        self.loop.add_writer(fd, lambda: fut.done() or fut.set_result(None))
        try:
            await fut
        finally:
            self.loop.remove_writer(fd)

    async def send_all(self, c, data):
        """Send data, counting what the kernel took (c.sent) as it goes."""
        view = memoryview(data)
        while view:
            try:
                n = c.sock.send(view[:65536])
            except BlockingIOError:
                await self.writable(c.sock)
                continue
            c.sent += n
            view = view[n:]

    async def read_until_end(self, c):
        """Read until the peer closes or resets; returns "fin" or "reset"."""
        try:
            while True:
                data = await self.loop.sock_recv(c.sock, 65536)
                if not data:
                    return "fin"
                c.got(data)
        except (ConnectionResetError, BrokenPipeError):
            return "reset"

    async def wait_end(self, c, timeout):
        """Wait, without reading, until the peer closes or resets."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return "reset"
            try:
                if c.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                    return "fin"
            except BlockingIOError:
                pass
            except (ConnectionResetError, BrokenPipeError):
                return "reset"
            info = c.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)
            if info[0] in (7, 8, 9):  # TCP_CLOSE, TCP_CLOSE_WAIT, TCP_LAST_ACK
                return "fin" if info[0] != 7 else "reset"
            await asyncio.sleep(0.05)
        return "timeout"

    # ---- behaviours ----

    async def flood(self, c):
        try:
            await self.send_all(c, FLOOD)
        except (ConnectionResetError, BrokenPipeError):
            return "reset"
        # All of it is in the kernel's hands: hold on, reading nothing.
        return await self.wait_end(c, self.args.max_seconds)

    async def trickle(self, c):
        deadline = time.monotonic() + self.args.max_seconds
        i = 0
        try:
            while time.monotonic() < deadline:
                await self.send_all(c, TRICKLE[i % len(TRICKLE):][:1])
                i += 1
                end = await self.wait_end(c, 1.0)
                if end != "timeout":
                    return end
        except (ConnectionResetError, BrokenPipeError):
            return "reset"
        return "timeout"

    async def hello_rst(self, c):
        try:
            await self.send_all(c, HELLO)
            deadline = time.monotonic() + 2.0
            while unacked(c.sock) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        except (ConnectionResetError, BrokenPipeError):
            return "reset"
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                          struct.pack("ii", 1, 0))
        return "rst-sent"

    async def silent(self, c):
        end = await asyncio.wait_for(self.read_until_end(c),
                                     self.args.max_seconds)
        return end

    async def zero_window(self, c):
        # Read nothing for --hold seconds: a peer sending more than the
        # window meets a zero window. Note what the kernel queued (held),
        # then read everything: the window opens again.
        held = 0
        c.extra["held"] = 0
        deadline = time.monotonic() + self.args.hold
        while time.monotonic() < deadline:
            held = max(held, inq(c.sock))
            c.extra["held"] = held
            end = await self.wait_end(c, 0.05)
            if end != "timeout":
                return end
        c.extra["held_info"] = tcp_info(c.sock)
        return await asyncio.wait_for(self.read_until_end(c),
                                      self.args.max_seconds)

    async def short_banner(self, c):
        try:
            await self.send_all(c, b"port %d\r\n" % c.port)
        except (ConnectionResetError, BrokenPipeError):
            return "reset"
        c.sock.shutdown(socket.SHUT_WR)
        end = await asyncio.wait_for(self.read_until_end(c),
                                     self.args.max_seconds)
        return "closed" if end == "fin" else end

    def behaviour(self, port):
        if port in CAPACITY:
            return self.short_banner
        return {7001: self.flood, 7002: self.trickle, 7003: self.hello_rst,
                7004: self.silent, 7005: self.zero_window}[port]

    # ---- listeners ----

    def listener(self, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if port == 7005:
            # The minimum: the kernel raises 0 to SOCK_MIN_RCVBUF.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 0)
        s.bind((self.args.addr, port))
        s.listen(256)
        s.setblocking(False)
        return s

    async def serve_one(self, port, sock, peer):
        c = Conn(self, port, sock, peer)
        end = "timeout"
        try:
            end = await self.behaviour(port)(c)
        except asyncio.TimeoutError:
            end = "timeout"
        except (ConnectionResetError, BrokenPipeError):
            end = "reset"
        except asyncio.CancelledError:
            # Stopping: reset rather than leave an orphan FIN_WAIT on a
            # tuple the next run may use again.
            end = "stopped"
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        except Exception as e:  # a bug of ours: say so in the log
            end = "error:%s:%s" % (type(e).__name__, e)
        finally:
            c.log(end)
            sock.close()

    async def accept_loop(self, port, lsock):
        while True:
            sock, peer = await self.loop.sock_accept(lsock)
            sock.setblocking(False)
            t = asyncio.ensure_future(self.serve_one(port, sock, peer))
            self.tasks.add(t)
            t.add_done_callback(self.tasks.discard)

    async def main(self):
        self.loop = asyncio.get_running_loop()
        ports = [7001, 7002, 7003, 7004, 7005] + list(CAPACITY)
        listeners = [(p, self.listener(p)) for p in ports]
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            self.loop.add_signal_handler(sig, stop.set)
        accepts = [asyncio.ensure_future(self.accept_loop(p, s))
                   for p, s in listeners]
        if self.args.pidfile:
            tmp = self.args.pidfile + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d\n" % os.getpid())
            os.rename(tmp, self.args.pidfile)
        self.log(json.dumps({"ready": self.args.addr, "ports": ports}))
        try:
            await asyncio.wait_for(stop.wait(), self.args.lifetime)
        except asyncio.TimeoutError:
            self.log(json.dumps({"lifetime_over": self.args.lifetime}))
        for t in accepts + list(self.tasks):
            t.cancel()
        await asyncio.gather(*accepts, *list(self.tasks), return_exceptions=True)
        for _, s in listeners:
            s.close()
        if self.args.pidfile:
            try:
                os.unlink(self.args.pidfile)
            except FileNotFoundError:
                pass


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--addr", required=True, help="address to bind (198.18.0.0/15)")
    ap.add_argument("--pidfile")
    ap.add_argument("--log", help="connection log (default stderr)")
    ap.add_argument("--max-seconds", type=float, default=60.0,
                    help="longest any connection is held (default 60)")
    ap.add_argument("--hold", type=float, default=2.5,
                    help="7005: seconds before it starts reading (default 2.5)")
    ap.add_argument("--lifetime", type=float, default=600.0,
                    help="exit after this many seconds in any case (default 600)")
    args = ap.parse_args()
    # The lab's rule: benchmarking addresses only (RFC 2544).
    if ipaddress.ip_address(args.addr) not in ipaddress.ip_network("198.18.0.0/15"):
        ap.error("--addr must be in 198.18.0.0/15, not %s" % args.addr)
    asyncio.run(Hostile(args).main())


if __name__ == "__main__":
    main()
