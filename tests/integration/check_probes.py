#!/usr/bin/env python3
"""check_probes: read a pcap of tidescan's probes (written by net_pcap) with our
own parser and check every SYN: valid IPv4 and TCP checksums, the sequence
number equals the SipHash-2-4 cookie of its 4-tuple under the key from --seed
(re-derived here independently of the C code), and no destination in the
excluded set. Prints "IP PORT" for each probe to stdout.

usage: check_probes.py PCAP SEED EXCLUDED_IP... """
import struct
import sys

M64 = (1 << 64) - 1
COOKIE_SEED_TAG = 0x636F6F6B69652D31


def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & M64


def siphash24(k0, k1, data):
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & M64; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
            v2 = (v2 + v3) & M64; v3 = rotl(v3, 16); v3 ^= v2
            v0 = (v0 + v3) & M64; v3 = rotl(v3, 21); v3 ^= v0
            v2 = (v2 + v1) & M64; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)

    tail = len(data) % 8
    for i in range(0, len(data) - tail, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v3 ^= m; rounds(2); v0 ^= m
    m = int.from_bytes(data[len(data) - tail:], "little") | ((len(data) & 0xFF) << 56)
    v3 ^= m; rounds(2); v0 ^= m
    v2 ^= 0xFF
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def key_from_seed(seed):
    state = seed ^ COOKIE_SEED_TAG
    state, k0 = splitmix64(state)
    state, k1 = splitmix64(state)
    return k0, k1


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def frames(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, incl, _ = struct.unpack(endian + "IIII", rec)
            yield f.read(incl)


def ip_str(x):
    return "%d.%d.%d.%d" % (x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255)


def main():
    path, seed, excluded = sys.argv[1], int(sys.argv[2]), set(sys.argv[3:])
    k0, k1 = key_from_seed(seed)
    bad = count = 0
    for fr in frames(path):
        if len(fr) < 54 or fr[12:14] != b"\x08\x00":
            continue  # ARP and others
        ip = fr[14:]
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        if ip[9] != 6:
            continue
        tcp = ip[ihl:total]
        src, dst = struct.unpack("!II", ip[12:20])
        sport, dport, seq, _ack = struct.unpack("!HHII", tcp[:12])
        flags = tcp[13]
        if flags != 0x02:
            continue  # RSTs closing open ports are not probes
        count += 1
        problems = []
        if csum(ip[:ihl]) != 0xFFFF:
            problems.append("bad IPv4 checksum")
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 6, len(tcp))
        if csum(pseudo + tcp) != 0xFFFF:
            problems.append("bad TCP checksum")
        msg = struct.pack("<IIHH", dst, src, dport, sport)
        if seq != siphash24(k0, k1, msg) & 0xFFFFFFFF:
            problems.append("wrong cookie")
        if ip_str(dst) in excluded:
            problems.append("excluded destination")
        if problems:
            bad += 1
            print("BAD %s:%d %s" % (ip_str(dst), dport, ", ".join(problems)), file=sys.stderr)
        print(ip_str(dst), dport)
    print("check_probes: %d probes, %d bad" % (count, bad), file=sys.stderr)
    sys.exit(1 if bad or count == 0 else 0)


if __name__ == "__main__":
    main()
