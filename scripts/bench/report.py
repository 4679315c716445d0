#!/usr/bin/python3
"""report: bench-results/DATE/*.log -> report.md with a table of figures and
PNG plots (send rate vs configured rate, lab scan time, banner throughput,
match speed-up), plus the machine. With --readme FILE, the README's section
between <!-- numbers:begin --> and <!-- numbers:end --> is rewritten from it.

Each benchmark prints human lines; the patterns below pick its headline
figures. A figure a log lacks is left out, never invented."""
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NUM = r"([0-9][0-9.]*)"


def read(out, name):
    try:
        return open(os.path.join(out, name + ".log"), errors="replace").read()
    except OSError:
        return ""


def status(log):
    m = re.search(r"^exit (\d+)$", log, re.M)
    if not log:
        return "not run"
    return "ok" if m and m.group(1) == "0" else "FAILED (exit %s)" % (m.group(1) if m else "?")


def core_figures(log):
    rows = []
    for m in re.finditer(r"^(\S.*?)\s+ranges\s+(\d+)\s+pairs\s+(\d+)\s+" + NUM + r" ns/probe", log, re.M):
        rows.append(("core", "%s, %s ranges" % (m.group(1).strip(), m.group(2)), m.group(4) + " ns/probe"))
    return rows


def tx_figures(log):
    rows = []
    m = re.search(r"tidescan TX: median " + NUM + r" Mpps, best " + NUM, log)
    if m:
        rows.append(("tx", "tidescan, one TX lcore into net_null", "%s Mpps (best %s)" % m.groups()))
    for tool in ("masscan", "zmap"):
        m = re.search(r"^%s: .*-> %s Mpps average, %s Mpps steady" % (tool, NUM, NUM), log, re.M)
        if m:
            rows.append(("tx", tool + ", kernel into a veth", "%s Mpps steady" % m.group(2)))
    return rows


def rate_points(log):
    pts = {}
    for m in re.finditer(r"^rate: (\S+) configured (\d+) achieved " + NUM + " pps", log, re.M):
        pts.setdefault(m.group(1), []).append((int(m.group(2)), float(m.group(3))))
    return pts


def rate_figures(log):
    rows = []
    for tool, pts in rate_points(log).items():
        worst = max(pts, key=lambda p: p[0])
        rows.append(("rate", "%s at --rate %d" % (tool, worst[0]), "%.0f pps" % worst[1]))
    return rows


def rx_figures(log):
    return [("rx", "RX lcore, mix " + m.group(1), m.group(2) + " Mpps")
            for m in re.finditer(r"^mix (\S+): RX lcore " + NUM + " Mpps median", log, re.M)]


def tcp_figures(log):
    """Per bench_tcp case: its header line, the stack's M ops/s, memory."""
    rows = []
    for case in re.split(r"^-- bench_tcp ", log, flags=re.M)[1:]:
        args = case.split("\n", 1)[0].split()
        m = re.search(r"in lib/tcp: [0-9.]+ s: " + NUM + r" M ops/s, " + NUM + " ns/op", case)
        if m and len(args) >= 6:
            what = "%s connections, %s mix, %s%% silent" % (args[0], args[5], args[3])
            rows.append(("tcp", what, "%s M ops/s (%s ns/op)" % m.groups()))
        m = re.search(r"memory: stack footprint " + NUM + r" MiB \(" + NUM + r" B per connection", case)
        if m and len(args) >= 6:
            rows.append(("tcp", "memory, %s connections, %s buffers" % (args[0], args[1]),
                         "%s MiB, %s B per connection" % m.groups()))
    return rows


def match_rows(log):
    """(corpus/probe, engine, banners/s) from bench_match's blocks."""
    out = []
    corpus = ""
    probe = None
    for line in log.splitlines():
        m = re.match(r"== corpus: (\S+)", line)
        if m:
            corpus = m.group(1)
        m = re.match(r"probe (\S+): ", line)
        if m:
            probe = m.group(1)
        m = re.match(r"\s+(hyperscan|pcre2-jit|pcre2-interp)\S*(?: \(nmap order\))?\s+" + NUM + " banners/s", line)
        if m and probe:
            out.append(("%s %s" % (probe, corpus) if corpus != "all" else probe, m.group(1), float(m.group(2))))
    return out


def match_figures(log):
    rows = [("match", "%s, %s" % (p, mode), "%.0f banners/s" % v) for p, mode, v in match_rows(log)]
    probe = None
    for line in log.splitlines():
        m = re.match(r"probe (\S+): ", line)
        if m:
            probe = m.group(1)
        m = re.match(r"\s+hyperscan vs pcre2-jit (\d+)x, vs pcre2-interp (\d+)x, vs the fastest sequential (\d+)x", line)
        if m and probe:
            rows.append(("match", "%s speed-up vs PCRE2 JIT / interpreter / fastest" % probe, "%sx / %sx / %sx" % m.groups()))
    for key in (r"^open: .*", r"^scratch per lcore: .*", r"^compared .*"):
        m = re.search(key, log, re.M)
        if m:
            rows.append(("match", m.group(0)[:110], ""))
    return rows


def output_figures(log):
    return [("output", "%s mix, %s writer" % (m.group(1), m.group(2)), m.group(3) + " M records/s")
            for m in re.finditer(r"^(\S+)\s+(ndjson|json|list|grepable|xml|binary)\s+[0-9.]+ s\s+" + NUM + " M records/s", log, re.M)]


def lab_figures(log):
    rows = []
    m = re.search(r"tidescan: highest lossless rate found \(twice\): (.*)", log)
    if m:
        rows.append(("lab", "tidescan, full-port lab scan, highest lossless rate", m.group(1)))
    for m in re.finditer(r"^masscan --rate (\d+): wall " + NUM + r" s.*?-> (\d+) probes/s.*open (\d+)/(\d+)", log, re.M):
        rows.append(("lab", "masscan --rate %s" % m.group(1), "%s probes/s, wall %s s, open %s/%s" % (m.group(3), m.group(2), m.group(4), m.group(5))))
    m = re.search(r"^zmap.*$", log, re.M)
    if m and "command" not in m.group(0):
        rows.append(("lab", "zmap", m.group(0)[:100]))
    return rows


def lab_times(log):
    """(tool, label, wall seconds) for the plot."""
    pts = []
    for m in re.finditer(r"^(\d+)\s+" + NUM + r"\s+" + NUM + r"\s+(\d+)\s", log, re.M):
        pts.append(("tidescan", "tidescan %s" % ("max" if m.group(1) == "0" else m.group(1)), float(m.group(2))))
    for m in re.finditer(r"^masscan --rate (\d+): wall " + NUM, log, re.M):
        pts.append(("masscan", "masscan %s" % m.group(1), float(m.group(2))))
    return pts


def banner_rows(log):
    rows = []
    for m in re.finditer(r"^(tidescan|masscan)\s+(\d+)\s+(\d+/\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+" + NUM + r"\s+" + NUM, log, re.M):
        rows.append(m.groups())
    return rows


def banners_figures(log):
    return [("banners", "%s --rate %s" % (r[0], r[1]), "%s banners right of %s open, %s banners/s wall" % (r[4], r[2], r[7]))
            for r in banner_rows(log)]


def plot_rate(out, log):
    pts = rate_points(log)
    if not pts:
        return None
    fig, ax = plt.subplots(figsize=(6, 4))
    lo = min(p[0] for v in pts.values() for p in v)
    hi = max(p[0] for v in pts.values() for p in v)
    ax.plot([lo, hi], [lo, hi], "k:", label="asked for")
    for tool, v in sorted(pts.items()):
        v.sort()
        ax.plot([p[0] for p in v], [max(p[1], 1) for p in v], "o-", label=tool)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("configured rate (pps)")
    ax.set_ylabel("achieved rate (pps)")
    ax.set_title("Send rate vs configured rate")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "rate.png"))
    plt.close(fig)
    return "rate.png"


def plot_bars(out, name, title, ylabel, labels, values):
    if not values:
        return None
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.bar(range(len(values)), values)
    ax.set_xticks(range(len(values)))
    ax.set_xticklabels(labels, rotation=20, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(os.path.join(out, name))
    plt.close(fig)
    return name


def plot_match(out, log):
    rows = match_rows(log)
    if not rows:
        return None
    probes = sorted({p for p, _, _ in rows})
    modes = sorted({m for _, m, _ in rows})
    fig, ax = plt.subplots(figsize=(6, 4))
    width = 0.8 / len(modes)
    for i, mode in enumerate(modes):
        vals = [next((v for p2, m2, v in rows if p2 == p and m2 == mode), 0) for p in probes]
        ax.bar([x + i * width for x in range(len(probes))], vals, width, label=mode)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(probes))])
    ax.set_xticklabels(probes)
    ax.set_yscale("log")
    ax.set_ylabel("banners/s (one core)")
    ax.set_title("Service matching: Hyperscan vs sequential PCRE2")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "match.png"))
    plt.close(fig)
    return "match.png"


BENCHES = [
    ("core", core_figures), ("tx", tx_figures), ("rate", rate_figures), ("rx", rx_figures),
    ("tcp", tcp_figures), ("match", match_figures), ("output", output_figures), ("lab", lab_figures),
]


def table(rows):
    lines = ["| benchmark | what | figure |", "|---|---|---|"]
    for b, what, fig in rows:
        lines.append("| %s | %s | %s |" % (b, what.replace("|", "/"), fig.replace("|", "/")))
    return "\n".join(lines)


def main():
    out = sys.argv[1]
    readme = sys.argv[sys.argv.index("--readme") + 1] if "--readme" in sys.argv else None
    logs = {name: read(out, name) for name, _ in BENCHES}
    rows = []
    for name, fn in BENCHES:
        rows += fn(logs[name])
    rows += banners_figures(logs["lab"])
    plots = []
    plots.append(plot_rate(out, logs["rate"]))
    lt = lab_times(logs["lab"])
    plots.append(plot_bars(out, "lab.png", "Full-port lab scan: wall time", "seconds",
                           [p[1] for p in lt], [p[2] for p in lt]))
    br = banner_rows(logs["lab"])
    plots.append(plot_bars(out, "banners.png", "Banner grabbing: banners right per second of wall time", "banners/s",
                           ["%s %s" % (r[0], r[1]) for r in br], [float(r[7]) for r in br]))
    plots.append(plot_match(out, logs["match"]))
    machine = open(os.path.join(out, "machine.txt")).read() if os.path.exists(os.path.join(out, "machine.txt")) else ""
    md = ["# tidescan benchmark report", "", "## Machine", "", "```", machine.strip(), "```", "",
          "## Runs", ""]
    md += ["- %s: %s ([log](%s.log))" % (name, status(logs[name]), name) for name, _ in BENCHES]
    md += ["", "## Figures", "", table(rows), "", "## Plots", ""]
    md += ["![%s](%s)" % (p[:-4], p) for p in plots if p]
    md.append("")
    open(os.path.join(out, "report.md"), "w").write("\n".join(md))
    if readme:
        text = open(readme).read()
        begin, end = "<!-- numbers:begin -->", "<!-- numbers:end -->"
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            _, tail = rest.split(end, 1)
            section = "\n".join(["", "From `scripts/bench/run-all.sh` on %s (%s; full report: `%s/report.md`)." % (
                re.search(r"date: (.*)", machine).group(1) if "date:" in machine else "?",
                re.search(r"cpu: (.*)", machine).group(1) if "cpu:" in machine else "?", out), "", table(rows), ""])
            open(readme, "w").write(head + begin + section + end + tail)
        else:
            print("report: %s has no numbers markers; left as is" % readme, file=sys.stderr)


if __name__ == "__main__":
    main()
