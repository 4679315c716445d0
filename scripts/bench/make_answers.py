#!/usr/bin/env python3
"""make_answers: write a pcap of what the network would send back to a
tidescan scan, for the RX benchmark (net_pcap, infinite_rx=1). Answers are
to the first pairs of the scan order that `tidescan --list` prints for a seed
(read from stdin as "IP PORT" lines), stamped with that seed's cookies:

  open      SYN-ACK (Linux options), ack = cookie + 1      -> open, RST queued
  closed    RST-ACK, ack = cookie + 1                      -> closed
  icmp      ICMP port unreachable quoting the whole probe  -> unreachable
  forged    SYN-ACK or RST-ACK with a wrong ack            -> bad_cookie
  arp       ARP request for our source (gateway asking)    -> ARP reply queued
  arp_other ARP request for someone else, gratuitous ARP   -> ignored
  junk      IPv6, UDP to us, TCP to another port, an ICMP echo, truncated
            IPv4, runt, LLDP                               -> ignored/malformed

The cookie is SipHash-2-4 over (their_ip, our_ip, their_port, our_port),
little-endian 4+4+2+2 bytes, under the key derived from the seed; the
functions are those of tests/integration/check_probes.py (imported, so the
C code is checked by an independent implementation here too).

usage: tidescan --list --seed S ... | head -n K |
       make_answers.py --seed S --out FILE [--frames N] [--mix open=45,...]
Prints one line of counts per kind to stderr.
"""
import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration"))
from check_probes import csum, key_from_seed, siphash24  # noqa: E402

DEFAULT_MIX = "open=45,closed=30,icmp=8,forged=7,arp=2,arp_other=2,junk=6"


def ip_int(s):
    a = [int(x) for x in s.split(".")]
    return (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def eth(dst, src, ethertype):
    return dst + src + struct.pack("!H", ethertype)


def pad(frame):
    return frame + b"\0" * (60 - len(frame)) if len(frame) < 60 else frame


def ipv4(src, dst, proto, payload, ttl=64, ident=0, df=True):
    hdr = struct.pack("!BBHHHBBHII", 0x45, 0, 20 + len(payload), ident,
                      0x4000 if df else 0, ttl, proto, 0, src, dst)
    c = 0xFFFF - csum(hdr)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, window, options=b""):
    off = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags,
                      window, 0, 0) + options
    pseudo = struct.pack("!IIBBH", src, dst, 0, 6, len(hdr))
    c = 0xFFFF - csum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]


# What Linux puts in a SYN-ACK: MSS, SACK permitted, timestamps, wscale.
SYNACK_OPTS = (struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" +
               struct.pack("!BBII", 8, 10, 0x1234567, 0x2A3B4C5D) +
               b"\x01" + struct.pack("!BBB", 3, 3, 7))
# tidescan's probe options (--syn-options linux), for quoting in ICMP.
PROBE_OPTS = (struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" +
              struct.pack("!BBII", 8, 10, 0x2A3B4C5D, 0) +
              b"\x01" + struct.pack("!BBB", 3, 3, 7))

FLAG_SYN, FLAG_RST, FLAG_ACK = 0x02, 0x04, 0x10


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--frames", type=int, default=8192)
    ap.add_argument("--source-ip", default="198.18.0.2")
    ap.add_argument("--source-port", type=int, default=61000)
    ap.add_argument("--our-mac", default="02:74:62:00:00:02")
    ap.add_argument("--router-mac", default="02:74:62:00:00:01")
    ap.add_argument("--gateway", default="198.18.0.1")
    ap.add_argument("--mix", default=DEFAULT_MIX,
                    help="kind=weight,... (default %(default)s)")
    args = ap.parse_args()

    pairs = []
    for line in sys.stdin:
        f = line.split()
        if len(f) >= 2:
            pairs.append((ip_int(f[0]), int(f[1])))
    if not pairs:
        sys.exit("make_answers: no 'IP PORT' pairs on stdin")

    k0, k1 = key_from_seed(args.seed)
    us = ip_int(args.source_ip)
    sport_us = args.source_port
    our_mac, router_mac = mac_bytes(args.our_mac), mac_bytes(args.router_mac)
    gw = ip_int(args.gateway)
    rnd = random.Random(args.seed)

    def cookie(their_ip, their_port):
        msg = struct.pack("<IIHH", their_ip, us, their_port, sport_us)
        return siphash24(k0, k1, msg) & 0xFFFFFFFF

    def synack(ip, port, ack):
        seg = tcp(ip, us, port, sport_us, rnd.getrandbits(32), ack,
                  FLAG_SYN | FLAG_ACK, 65160, SYNACK_OPTS)
        return eth(our_mac, router_mac, 0x0800) + ipv4(ip, us, 6, seg,
                                                       ident=rnd.getrandbits(16))

    def rstack(ip, port, ack):
        seg = tcp(ip, us, port, sport_us, 0, ack, FLAG_RST | FLAG_ACK, 0)
        return pad(eth(our_mac, router_mac, 0x0800) + ipv4(ip, us, 6, seg))

    def icmp_unreach(ip, port, c):
        # Our probe as the target's kernel saw it, quoted whole (Linux
        # quotes up to 576 bytes), from the target's own address.
        seg = tcp(us, ip, sport_us, port, c, 0, FLAG_SYN, 64240, PROBE_OPTS)
        probe = ipv4(us, ip, 6, seg, ident=rnd.getrandbits(16))
        body = struct.pack("!BBHI", 3, rnd.choice((3, 3, 3, 13, 1)), 0, 0) + probe
        body = body[:2] + struct.pack("!H", 0xFFFF - csum(body)) + body[4:]
        return eth(our_mac, router_mac, 0x0800) + ipv4(ip, us, 1, body, df=False)

    def arp(op, sha, spa, tha, tpa, dst=b"\xff" * 6):
        body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + \
            struct.pack("!I", spa) + tha + struct.pack("!I", tpa)
        return pad(eth(dst, sha, 0x0806) + body)

    def junk(ip, port):
        kind = rnd.randrange(7)
        if kind == 0:  # IPv6 neighbour solicitation-ish
            return pad(eth(b"\x33\x33\xff\x00\x00\x02", router_mac, 0x86DD) +
                       bytes(rnd.getrandbits(8) for _ in range(64)))
        if kind == 1:  # UDP to us
            udp = struct.pack("!HHHH", 53, sport_us, 8 + 32, 0) + bytes(32)
            return pad(eth(our_mac, router_mac, 0x0800) + ipv4(ip, us, 17, udp))
        if kind == 2:  # TCP to a port that is not our source port
            seg = tcp(ip, us, port, 443, 1, 2, FLAG_ACK, 512)
            return pad(eth(our_mac, router_mac, 0x0800) + ipv4(ip, us, 6, seg))
        if kind == 3:  # ICMP echo request
            body = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + bytes(24)
            return pad(eth(our_mac, router_mac, 0x0800) + ipv4(ip, us, 1, body))
        if kind == 4:  # IPv4 with a total length beyond the frame
            f = bytearray(rstack(ip, port, 1))
            f[16:18] = struct.pack("!H", 1400)
            return bytes(f)
        if kind == 5:  # runt: Ethernet header and 4 bytes
            return eth(our_mac, router_mac, 0x0800) + b"\x45\x00\x00\x28"
        return pad(eth(b"\x01\x80\xc2\x00\x00\x0e", router_mac, 0x88CC) +
                   bytes(rnd.getrandbits(8) for _ in range(40)))  # LLDP

    mix = []
    for item in args.mix.split(","):
        k, w = item.split("=")
        mix.append((k, float(w)))
    kinds = [k for k, _ in mix]
    weights = [w for _, w in mix]
    counts = dict.fromkeys(kinds, 0)

    out = open(args.out, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(args.frames):
        ip, port = pairs[i % len(pairs)]
        kind = rnd.choices(kinds, weights)[0]
        counts[kind] += 1
        c = cookie(ip, port)
        if kind == "open":
            fr = synack(ip, port, (c + 1) & 0xFFFFFFFF)
        elif kind == "closed":
            fr = rstack(ip, port, (c + 1) & 0xFFFFFFFF)
        elif kind == "icmp":
            fr = icmp_unreach(ip, port, c)
        elif kind == "forged":
            bad = (c + 1 + rnd.randrange(1, 1 << 32)) & 0xFFFFFFFF
            fr = synack(ip, port, bad) if rnd.random() < 0.5 else rstack(ip, port, bad)
        elif kind == "arp":
            fr = arp(1, router_mac, gw, b"\0" * 6, us)
        elif kind == "arp_other":
            if rnd.random() < 0.5:
                fr = arp(1, router_mac, gw, b"\0" * 6, ip)
            else:
                fr = arp(1, router_mac, gw, b"\0" * 6, gw)  # gratuitous
        elif kind == "junk":
            fr = junk(ip, port)
        else:
            sys.exit("make_answers: unknown kind %r in --mix" % kind)
        out.write(struct.pack("<IIII", 1700000000 + i // 1000000, i % 1000000,
                              len(fr), len(fr)))
        out.write(fr)
    out.close()
    print("make_answers: %d frames to %d pairs: %s" % (
        args.frames, min(len(pairs), args.frames),
        " ".join("%s=%d" % (k, counts[k]) for k in kinds)), file=sys.stderr)


if __name__ == "__main__":
    main()
