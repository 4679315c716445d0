#!/usr/bin/env python3
"""silent_server: accepts TCP connections on ADDR:PORT and never says a word;
logs, per connection, the peer and every byte it sent (hex) as one JSON line
once the peer closes or resets. Runs until SECONDS have passed."""
import json
import socket
import sys
import threading
import time


def serve(conn, peer, log, lock):
    data = b""
    try:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    finally:
        conn.close()
    with lock:
        log.write(json.dumps({"peer": "%s:%d" % peer, "data": data.hex()}) + "\n")
        log.flush()


def main():
    addr, port, seconds, log_path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    lock = threading.Lock()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((addr, port))
    listener.listen(128)
    listener.settimeout(0.2)
    end = time.monotonic() + seconds
    with open(log_path, "a") as log:
        while time.monotonic() < end:
            try:
                conn, peer = listener.accept()
            except socket.timeout:
                continue
            threading.Thread(target=serve, args=(conn, peer, log, lock), daemon=True).start()


if __name__ == "__main__":
    main()
