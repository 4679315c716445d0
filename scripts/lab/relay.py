#!/usr/bin/python3
"""relay: an impaired wire between two interfaces, for the lab.

Forwards every Ethernet frame that arrives on interface A out of interface B
and the other way round, each frame held for a random delay, uniform in
0..DELAY ms (so frames that arrive within DELAY ms of each other may leave in
the other order: reordering), or dropped with probability LOSS. The two
directions are impaired independently, each with its own random stream
derived from SEED. scripts/testbed.sh runs it in a middle namespace between
the scanner's veth and the lab's (TS_LAB_IMPAIR); it stands in for netem,
which this kernel lacks.

Loss is done here rather than with iptables `-m statistic` in the middle
namespace: the relay is a pure L2 forwarder (AF_PACKET sockets, no bridge),
so the frames never traverse the middle namespace's netfilter; dropping a
frame in the relay is the same random drop, in one place, and counted per
direction alongside the delays.

Stats (frames received, forwarded, dropped, reordered, per direction) are
written as JSON to --stats every second while they change, at once on
SIGUSR1, and at exit (SIGTERM, SIGINT), when they are also printed to stderr.
A frame counts as reordered when a frame that arrived after it, in the same
direction, left before it. Frames still held at exit are counted as pending.

Standard library only. Run as root, e.g.:
  ip netns exec ts-mid relay.py ts-ma ts-mb --loss 0.05 --delay 20 --seed 1
"""
import argparse
import heapq
import json
import os
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_IGNORE_OUTGOING = 23  # Linux 4.20+: the kernel skips our own sends
PACKET_OUTGOING = 4  # sll_pkttype of a frame this host sent
FRAME_MAX = 65536
SOCKET_BUFFER = 4 << 20


def parse_impair(spec, args):
    """TS_LAB_IMPAIR-style "loss=0.05,delay=20,seed=7" (or "on": defaults)
    into args."""
    if spec in ("", "on", "1", "yes", "default"):
        return
    for item in spec.split(","):
        key, eq, value = item.strip().partition("=")
        if not eq or key not in ("loss", "delay", "seed"):
            raise ValueError("want loss=P,delay=MS,seed=N, not %r" % item)
        setattr(args, key, (float if key != "seed" else int)(value))


def options(argv):
    p = argparse.ArgumentParser(
        description="forward frames between two interfaces with random "
                    "delay (reordering) and loss, both directions")
    p.add_argument("a", help="first interface (e.g. the scanner's side)")
    p.add_argument("b", help="second interface (e.g. the lab's side)")
    p.add_argument("--delay", type=float, default=20.0,
                   help="each frame waits uniform 0..DELAY ms (default 20)")
    p.add_argument("--loss", type=float, default=0.05,
                   help="drop probability per frame (default 0.05)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed (default: from os.urandom)")
    p.add_argument("--impair", metavar="SPEC", default=None,
                   help='"loss=P,delay=MS[,seed=N]"; overrides the above')
    p.add_argument("--pidfile", help="write our PID here; removed at exit")
    p.add_argument("--stats", help="keep stats as JSON in this file")
    args = p.parse_args(argv)
    if args.impair is not None:
        try:
            parse_impair(args.impair, args)
        except ValueError as e:
            p.error("--impair: %s" % e)
    if not 0.0 <= args.loss <= 1.0:
        p.error("--loss %g is not in 0..1" % args.loss)
    if not 0.0 <= args.delay <= 10000.0:
        p.error("--delay %g is not in 0..10000 ms" % args.delay)
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "little")
    return args


def open_port(ifname):
    # Protocol 0 at first: the socket hears nothing until it is bound to
    # its interface (with ETH_P_ALL it would hear every interface at once).
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    try:
        s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
    except OSError:
        pass  # older kernel: the PACKET_OUTGOING check in main does it
    for opt in (33, socket.SO_RCVBUF):  # SO_RCVBUFFORCE (root), else capped
        try:
            s.setsockopt(socket.SOL_SOCKET, opt, SOCKET_BUFFER)
            break
        except OSError:
            pass
    s.bind((ifname, ETH_P_ALL))
    s.setblocking(False)
    return s


class Direction:
    def __init__(self, name, index, rx, tx, seed, loss, delay_s):
        self.name, self.rx, self.tx = name, rx, tx
        # Direction 0 (a to b) and 1 draw from their own streams: the same
        # seed gives the same decisions, frame for frame, whatever the names.
        self.rng = random.Random("%d/%d" % (seed, index))
        self.loss, self.delay_s = loss, delay_s
        self.received = self.forwarded = self.dropped = 0
        self.reordered = self.send_errors = self.max_held = 0
        self.arrived = 0  # sequence number of the last frame in
        self.latest_out = 0  # the highest sequence number sent so far
        self.held = 0

    def stats(self):
        return {"received": self.received, "forwarded": self.forwarded,
                "dropped": self.dropped, "reordered": self.reordered,
                "pending": self.held, "send_errors": self.send_errors,
                "max_held": self.max_held}


def main(argv):
    args = options(argv)
    ports = {args.a: open_port(args.a), args.b: open_port(args.b)}
    dirs = [Direction("%s>%s" % (args.a, args.b), 0, ports[args.a],
                      ports[args.b], args.seed, args.loss, args.delay / 1000.0),
            Direction("%s>%s" % (args.b, args.a), 1, ports[args.b],
                      ports[args.a], args.seed, args.loss, args.delay / 1000.0)]
    by_fd = {d.rx.fileno(): d for d in dirs}
    held = []  # heap of (due, tiebreak, direction index, seq, frame)
    tiebreak = 0
    state = {"stop": False, "dump": False}
    started = time.monotonic()

    def write_stats(final=False):
        doc = {"seed": args.seed, "loss": args.loss, "delay_ms": args.delay,
               "seconds": round(time.monotonic() - started, 3),
               "final": final}
        for d in dirs:
            doc[d.name] = d.stats()
        if args.stats:
            tmp = args.stats + ".tmp"
            with open(tmp, "w") as f:
                json.dump(doc, f, indent=1)
                f.write("\n")
            os.replace(tmp, args.stats)
        return doc

    def on_signal(signum, frame):
        if signum == signal.SIGUSR1:
            state["dump"] = True
        else:
            state["stop"] = True

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
        signal.signal(sig, on_signal)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    write_stats()  # the sockets are bound: a caller may wait for this file
    print("relay: %s <-> %s, loss %g, delay 0..%g ms, seed %d" %
          (args.a, args.b, args.loss, args.delay, args.seed),
          file=sys.stderr, flush=True)

    poller = select.poll()
    for d in dirs:
        poller.register(d.rx, select.POLLIN)
    # A signal wakes the poll at once (PEP 475 would resume it otherwise).
    wake_r, wake_w = socket.socketpair()
    wake_r.setblocking(False)
    wake_w.setblocking(False)
    signal.set_wakeup_fd(wake_w.fileno())
    poller.register(wake_r, select.POLLIN)
    last_written = time.monotonic()
    changed = False
    try:
        while not state["stop"]:
            now = time.monotonic()
            # Send what is due, in order of due time.
            while held and held[0][0] <= now:
                _, _, di, seq, frame = heapq.heappop(held)
                d = dirs[di]
                d.held -= 1
                try:
                    d.tx.send(frame)
                    d.forwarded += 1
                except OSError:
                    d.send_errors += 1  # e.g. ENOBUFS: a loss all the same
                if seq < d.latest_out:
                    d.reordered += 1
                else:
                    d.latest_out = seq
                changed = True
            if state["dump"] or (changed and now - last_written >= 1.0):
                write_stats()
                state["dump"] = changed = False
                last_written = now
            timeout_ms = 1000
            if held:
                timeout_ms = max(0, (held[0][0] - now) * 1000.0)
                # poll() takes whole ms: round up rather than spin at 0.
                timeout_ms = int(timeout_ms) + (timeout_ms % 1 > 0)
            try:
                events = poller.poll(timeout_ms)
            except InterruptedError:
                continue
            for fd, _ in events:
                if fd == wake_r.fileno():
                    try:
                        wake_r.recv(64)
                    except BlockingIOError:
                        pass
                    continue
                d = by_fd[fd]
                di = dirs.index(d)
                while True:
                    try:
                        frame, addr = d.rx.recvfrom(FRAME_MAX)
                    except (BlockingIOError, InterruptedError):
                        break
                    if addr[2] == PACKET_OUTGOING:
                        continue  # our own send, seen on the way out
                    d.received += 1
                    d.arrived += 1
                    changed = True
                    if d.rng.random() < d.loss:
                        d.dropped += 1
                        continue
                    due = time.monotonic() + d.rng.uniform(0.0, d.delay_s)
                    tiebreak += 1
                    heapq.heappush(held, (due, tiebreak, di, d.arrived, frame))
                    d.held += 1
                    if d.held > d.max_held:
                        d.max_held = d.held
    finally:
        doc = write_stats(final=True)
        print("relay: stats " + json.dumps(doc), file=sys.stderr, flush=True)
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
