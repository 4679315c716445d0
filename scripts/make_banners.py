#!/usr/bin/env python3
"""make_banners: a corpus of service responses for the match property test
and benchmark, written as "PROBE<TAB>HEX" lines. It mixes real daemon banners
(and variants of them: versions, case, line endings, truncation) with
synthetic responses drawn from the patterns of nmap-service-probes itself, so
that thousands of different lines get a chance to match, to nearly match, or
to fail late. Deterministic for a seed.

usage: make_banners.py [--probes FILE] [--count N] [--seed S] OUT
"""
import argparse
import random
import re
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    try:
        import re._parser as sre_parse  # Python >= 3.11
        import re._constants as C
    except ImportError:  # pragma: no cover
        import sre_parse
        import sre_constants as C

REAL = [
    ("NULL", b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"),
    ("NULL", b"SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1\r\n"),
    ("NULL", b"SSH-2.0-OpenSSH_7.4\r\n"),
    ("NULL", b"SSH-2.0-dropbear_2020.81\r\n"),
    ("NULL", b"SSH-1.99-Cisco-1.25\n"),
    ("NULL", b"220 (vsFTPd 3.0.3)\r\n"),
    ("NULL", b"220 ProFTPD 1.3.5 Server (Debian) [::ffff:10.0.0.1]\r\n"),
    ("NULL", b"220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n"),
    ("NULL", b"220 mx.example.org ESMTP Exim 4.96 Mon, 02 Jan 2023 10:00:00 +0000\r\n"),
    ("NULL", b"+OK Dovecot (Debian) ready.\r\n"),
    ("NULL", b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n"),
    ("NULL", b"J\x00\x00\x00\n5.7.42-0ubuntu0.18.04.1\x00\x08\x00\x00\x00\x10\x1a\x2b\x3c\x4d\x5e\x6f\x70\x00\xff\xf7\x08\x02\x00\xff\x81\x15\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x00mysql_native_password\x00"),
    ("NULL", b"\xff\xfd\x18\xff\xfd \xff\xfd#\xff\xfd'"),
    ("NULL", b"RFB 003.008\n"),
    ("NULL", b"-ERR unknown command\r\n"),
    ("GetRequest", b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 18:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 615\r\nConnection: close\r\n\r\n<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n"),
    ("GetRequest", b"HTTP/1.1 200 OK\r\nDate: Wed, 25 Nov 2026 18:00:00 GMT\r\nServer: Apache/2.4.57 (Debian)\r\nLast-Modified: Tue, 01 Aug 2023 10:00:00 GMT\r\nContent-Length: 10701\r\nContent-Type: text/html\r\n\r\n"),
    ("GetRequest", b"HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\nDate: Wed, 25 Nov 2026 18:00:00 GMT\r\nContent-type: text/html; charset=utf-8\r\nContent-Length: 300\r\n\r\n"),
    ("GetRequest", b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nDate: Wed, 25 Nov 2026 18:00:00 GMT\r\nContent-Length: 19\r\n\r\n404 page not found\n"),
    ("GetRequest", b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n\r\n<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head>"),
    ("GetRequest", b"HTTP/1.1 302 Found\r\nLocation: /login\r\nServer: Microsoft-IIS/10.0\r\nX-Powered-By: ASP.NET\r\n\r\n"),
    ("GetRequest", b"-ERR wrong number of arguments for 'get' command\r\n"),
    ("GetRequest", b"\x15\x03\x01\x00\x02\x02\x0a"),
    ("redis-server", b"$3920\r\n# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:abc\r\nredis_mode:standalone\r\nos:Linux 6.1.0-13-amd64 x86_64\r\narch_bits:64\r\n"),
    ("GenericLines", b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"),
    ("Help", b"214-The following commands are recognized:\r\n USER PASS\r\n214 Help OK.\r\n"),
]

CATS = {
    C.CATEGORY_DIGIT: b"0123456789",
    C.CATEGORY_NOT_DIGIT: b"abcXYZ-_ ./:",
    C.CATEGORY_SPACE: b" \t\r\n",
    C.CATEGORY_NOT_SPACE: b"abcdefXYZ0123-_./:",
    C.CATEGORY_WORD: b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    C.CATEGORY_NOT_WORD: b" -./:;,()[]\r\n",
}


def pick_in(rng, items, caseless):
    neg = False
    choices = []
    for op, av in items:
        if op == C.NEGATE:
            neg = True
        elif op == C.LITERAL:
            choices.append(av)
        elif op == C.RANGE:
            lo, hi = av
            choices.append(rng.randint(lo, min(hi, 255)))
        elif op == C.CATEGORY:
            choices.append(rng.choice(CATS.get(av, b"a")))
    if neg:
        for _ in range(50):
            c = rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789 .-_/:ABCXYZ")
            if c not in choices:
                return c
        return 0x7e
    return rng.choice(choices) if choices else 0x61


def gen(rng, tree, groups, caseless, budget):
    out = bytearray()
    for op, av in tree:
        if len(out) > budget:
            break
        if op == C.LITERAL:
            c = av
            if caseless and rng.random() < 0.3 and chr(c).isalpha():
                c = ord(chr(c).swapcase()) if c < 128 else c
            out.append(c & 0xff)
        elif op == C.NOT_LITERAL:
            out.append(0x61 if av != 0x61 else 0x62)
        elif op == C.ANY:
            out.append(rng.choice(b"abcxyz019 .-"))
        elif op == C.IN:
            out.append(pick_in(rng, av, caseless) & 0xff)
        elif op == C.BRANCH:
            out += gen(rng, rng.choice(av[1]), groups, caseless, budget)
        elif op == C.SUBPATTERN:
            gid = av[0]
            sub = gen(rng, av[-1], groups, caseless, budget)
            if gid:
                groups[gid] = bytes(sub)
            out += sub
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = av
            hi = min(hi, lo + 4)
            for _ in range(rng.randint(lo, hi)):
                out += gen(rng, sub, groups, caseless, budget)
        elif op == C.GROUPREF:
            out += groups.get(av, b"")
        elif op == getattr(C, "ATOMIC_GROUP", None):
            out += gen(rng, av, groups, caseless, budget)
        # AT, ASSERT, ASSERT_NOT, CATEGORY alone: nothing to add
        elif op == C.CATEGORY:
            out.append(rng.choice(CATS.get(av, b"a")))
    return out


def pattern_lines(path):
    rx = re.compile(rb"^(soft)?match (\S+) m(.)")
    probe = None
    for raw in open(path, "rb"):
        line = raw.rstrip(b"\r\n")
        if line.startswith(b"Probe "):
            parts = line.split(b" ")
            probe = (parts[1].decode(), parts[2].decode())
            continue
        m = rx.match(line)
        if not m or probe is None or probe[0] != "TCP":
            continue
        delim = m.group(3)
        rest = line[m.end():]
        end = rest.find(delim)
        if end < 0:
            continue
        flags = rest[end + 1:].split(b" ")[0]
        yield probe[1], rest[:end], flags


def variants(rng, probe, data):
    yield probe, data
    yield probe, data.rstrip(b"\r\n")              # no final newline
    yield probe, data + b"\n"                         # an extra one
    yield probe, data[: max(1, len(data) // 2)]     # truncated
    yield probe, data.swapcase()
    b = bytearray(data)
    for _ in range(2):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    yield probe, bytes(b)
    yield probe, re.sub(rb"\d+", lambda m: str(rng.randint(0, 99)).encode(), data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probes", default="/usr/share/nmap/nmap-service-probes")
    ap.add_argument("--count", type=int, default=24000)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    corpus = []
    for probe, data in REAL:
        for _ in range(8):
            corpus.extend(variants(rng, probe, data))
    lines = list(pattern_lines(a.probes))
    rng.shuffle(lines)
    i = 0
    while len(corpus) < a.count and lines:
        probe, pat, flags = lines[i % len(lines)]
        i += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = sre_parse.parse(pat.decode("latin-1"), re.I if b"i" in flags else 0)
        except Exception:
            continue
        try:
            data = bytes(gen(rng, tree, {}, b"i" in flags, 2048))
        except Exception:
            continue
        corpus.append((probe, data))
        if rng.random() < 0.3:
            corpus.append((probe, data + rng.choice([b"\r\n", b"\n", b" x", b"\x00"])))
        if i > 20 * len(lines):
            break
    with open(a.out, "w") as f:
        for probe, data in corpus[: max(a.count, len(corpus))]:
            f.write("%s\t%s\n" % (probe, data.hex()))


if __name__ == "__main__":
    main()
