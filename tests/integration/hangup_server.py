#!/usr/bin/env python3
"""hangup_server: listens on ADDR, ports FIRST..FIRST+COUNT-1, closes every
connection as soon as it is accepted, and logs one line per connection:
"<monotonic seconds> <peer ip> <peer port> <local port>". Runs until SECONDS
have passed."""
import selectors
import socket
import sys
import time


def main():
    addr, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    seconds, log_path = float(sys.argv[4]), sys.argv[5]
    sel = selectors.DefaultSelector()
    for port in range(first, first + count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(128)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, port)
    end = time.monotonic() + seconds
    with open(log_path, "a") as log:
        while time.monotonic() < end:
            for key, _ in sel.select(timeout=0.2):
                while True:
                    try:
                        conn, peer = key.fileobj.accept()
                    except BlockingIOError:
                        break
                    log.write("%.6f %s %d %d\n" % (time.monotonic(), peer[0], peer[1], key.data))
                    conn.close()
            log.flush()


if __name__ == "__main__":
    main()
