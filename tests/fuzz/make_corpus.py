#!/usr/bin/env python3
"""make_corpus: write the seed corpus of fuzz_packet (tests/data/fuzz-packet):
small frames as they come back to a scanner, valid and broken at every layer.
Built here independently of lib/packet.c. Usage: make_corpus.py [OUTDIR]"""
import os
import struct
import sys

US_MAC = bytes.fromhex("020000000001")
GW_MAC = bytes.fromhex("0200000000fe")
US = bytes([198, 18, 0, 1])
THEM = bytes([198, 19, 10, 7])
ROUTER = bytes([198, 18, 0, 254])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(payload, ethertype=0x0800, tags=(), dst=US_MAC, src=GW_MAC):
    hdr = dst + src
    for tpid, tci in tags:
        hdr += struct.pack("!HH", tpid, tci)
    frame = hdr + struct.pack("!H", ethertype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def ipv4(l4, proto=6, src=THEM, dst=US, ident=0, frag=0x4000, ttl=57,
         options=b"", total=None, ihl=None):
    hlen = 20 + len(options)
    if ihl is None:
        ihl = hlen // 4
    if total is None:
        total = hlen + len(l4)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, ident, frag,
                      ttl, proto, 0, src, dst) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + l4


def tcp(sport=80, dport=40000, seq=0x11223344, ack=0xABCDEF01, flags=0x12,
        window=65160, options=b"", payload=b"", src=THEM, dst=US, doff=None):
    if doff is None:
        doff = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags,
                      window, 0, 0) + options
    seg = hdr + payload
    phdr = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    c = csum(phdr + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, spa, tha,
                       tpa)


def icmp(typ, code, quote):
    msg = struct.pack("!BBHI", typ, code, 0, 0) + quote
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


SERVER_OPTS = bytes.fromhex("020405780402080a010203042a3b4c5d01030309")
LINUX_SYN_OPTS = bytes.fromhex("020405b40402080a2a3b4c5d0000000001030307")
# Our probe, as the target or a router quotes it back.
PROBE = ipv4(tcp(40000, 8080, 0xDEADBEEF, 0, 0x02, 64240, LINUX_SYN_OPTS,
                 src=US, dst=THEM), src=US, dst=THEM, ident=0x1234, ttl=64)


def frames():
    synack = eth(ipv4(tcp(options=SERVER_OPTS)))
    rst = eth(ipv4(tcp(flags=0x14, window=0)))
    f = {
        "synack-linux-options": synack,
        "synack-bare": eth(ipv4(tcp())),
        "rst-ack-padded": rst,
        "rst-ack-garbage-padding": rst[:54] + b"\xee" * 6,
        "data-ssh-banner": eth(ipv4(tcp(flags=0x18,
                                        payload=b"SSH-2.0-OpenSSH_9.2\r\n"))),
        "fin-ack-with-fcs": eth(ipv4(tcp(flags=0x11))) + b"\x12\x34\x56\x78",
        "arp-request": eth(arp(1, GW_MAC, ROUTER, b"\0" * 6, US), 0x0806,
                           dst=b"\xff" * 6),
        "arp-reply": eth(arp(2, GW_MAC, ROUTER, US_MAC, US), 0x0806),
        "arp-ieee802": eth(struct.pack("!H", 6) + arp(1, GW_MAC, ROUTER,
                                                      b"\0" * 6, US)[2:],
                           0x0806),
        "vlan-synack": eth(ipv4(tcp(options=SERVER_OPTS)),
                           tags=[(0x8100, 0xA064)]),
        "qinq-rst": eth(ipv4(tcp(flags=0x14)),
                        tags=[(0x88A8, 10), (0x8100, 0x1FFF)]),
        "vlan-arp-request": eth(arp(1, GW_MAC, ROUTER, b"\0" * 6, US), 0x0806,
                                tags=[(0x8100, 7)], dst=b"\xff" * 6),
        "three-vlan-tags": eth(ipv4(tcp()), tags=[(0x8100, 1), (0x8100, 2),
                                                  (0x8100, 3)]),
        "icmp-port-unreach-quote28": eth(ipv4(icmp(3, 3, PROBE[:28]),
                                              proto=1, src=ROUTER)),
        "icmp-admin-prohib-full-quote": eth(ipv4(icmp(3, 13, PROBE),
                                                 proto=1, src=ROUTER)),
        "icmp-quote-ip-options": eth(ipv4(icmp(3, 1, bytes([0x46]) +
                                               PROBE[1:20] + b"\1\1\1\0" +
                                               PROBE[20:28]),
                                          proto=1, src=ROUTER)),
        "icmp-quote-udp": eth(ipv4(icmp(3, 3, PROBE[:9] + b"\x11" +
                                        PROBE[10:28]), proto=1, src=ROUTER)),
        "icmp-echo-reply": eth(ipv4(icmp(0, 0, b"ping"), proto=1)),
        "ipv4-options-synack": eth(ipv4(tcp(options=SERVER_OPTS),
                                        options=b"\1\1\1\0")),
        "ipv4-options-max": eth(ipv4(tcp(flags=0x18, payload=b"hello"),
                                     options=b"\1" * 39 + b"\0")),
        "fragment-first-mf": eth(ipv4(tcp(), frag=0x2000, ident=0x4242)),
        "fragment-offset": eth(ipv4(tcp()[:16], frag=185, ident=0x4242)),
        "ipv6-syn": eth(bytes.fromhex("6000000000140640") + b"\x20\x01" +
                        b"\0" * 14 + b"\x20\x01" + b"\0" * 13 + b"\1" +
                        tcp(flags=0x12)[:20], 0x86DD),
        "udp-dns": eth(ipv4(struct.pack("!HHHH", 53, 40000, 12, 0) +
                            b"\0\1\0\0", proto=17)),
        "bogus-ihl-4": None,
        "bogus-ihl-15": None,
        "bogus-total-length-big": eth(ipv4(tcp(), total=1500)),
        "bogus-total-length-small": eth(ipv4(tcp(), total=19)),
        "bogus-tcp-doff-4": eth(ipv4(tcp(doff=4))),
        "bogus-tcp-doff-15": eth(ipv4(tcp(doff=15))),
        "tcp-option-length-0": eth(ipv4(tcp(options=b"\3\3\5\2\0\2\4\0"))),
        "tcp-option-beyond": eth(ipv4(tcp(options=b"\1\2\x08\1"))),
        "empty": b"",
    }
    good = eth(ipv4(tcp()))
    f["bogus-ihl-4"] = good[:14] + b"\x44" + good[15:]
    f["bogus-ihl-15"] = good[:14] + b"\x4f" + good[15:]
    # Truncated at every layer.
    f["trunc-ethernet"] = synack[:10]
    f["trunc-vlan-tag"] = f["vlan-synack"][:16]
    f["trunc-ip-header"] = synack[:30]
    f["trunc-tcp-header"] = synack[:44]
    f["trunc-tcp-options"] = synack[:64]
    f["trunc-arp"] = f["arp-request"][:30]
    f["trunc-icmp-header"] = f["icmp-port-unreach-quote28"][:38]
    f["trunc-icmp-quote"] = f["icmp-port-unreach-quote28"][:55]
    return f


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "data", "fuzz-packet")
    os.makedirs(out, exist_ok=True)
    for name, frame in sorted(frames().items()):
        with open(os.path.join(out, name + ".bin"), "wb") as fh:
            fh.write(frame)


if __name__ == "__main__":
    main()
