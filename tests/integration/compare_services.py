#!/usr/bin/env python3
"""compare_services: tidescan's service identification beside nmap -sV's.
usage: compare_services.py NMAP_XML NDJSON [NDJSON...]
For every port nmap -sV found open with a service, each NDJSON file must hold
a record of that address and port whose service has the same name and
product. Prints one line per port and exits 1 on any difference."""
import json
import sys
import xml.etree.ElementTree as ET

nmap = {}
for host in ET.parse(sys.argv[1]).getroot().iter("host"):
    addr = host.find("address").get("addr")
    for port in host.iter("port"):
        if port.find("state").get("state") != "open":
            continue
        svc = port.find("service")
        if svc is None or svc.get("method") != "probed":
            continue
        nmap[(addr, int(port.get("portid")))] = (svc.get("name"), svc.get("product"))
if not nmap:
    print("nmap identified nothing")
    sys.exit(1)
bad = 0
for path in sys.argv[2:]:
    ours = {}
    for line in open(path):
        r = json.loads(line)
        s = r.get("service")
        if s:
            ours[(r["ip"], r["port"])] = (s.get("name"), s.get("product"), r.get("match"))
    for key, (name, product) in sorted(nmap.items()):
        got = ours.get(key)
        same = got is not None and got[0] == name and got[1] == product
        bad += not same
        print("%s %s:%d nmap %s/%s tidescan %s" % ("same" if same else "DIFFERENT", key[0], key[1],
              name, product, "%s/%s (%s)" % got if got else "nothing"))
sys.exit(1 if bad else 0)
