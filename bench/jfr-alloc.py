#!/usr/bin/env python3
"""Bytes allocated per request from a JFR recording taken around a load run.

Usage: jfr-alloc.py JFR_TOOL RECORDING REQUESTS
Sums jdk.ThreadAllocationStatistics (each thread's cumulative allocated bytes, sampled at the start and
end of the recording) over the application's threads, divides by the requests the load generator
counted, and prints the top allocation sites (JFR's allocation-by-site view) so a change can be aimed.
"""
import json
import subprocess
import sys

jfr, recording, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
events = json.loads(subprocess.run([jfr, "print", "--json", "--events", "jdk.ThreadAllocationStatistics", recording],
                                   check=True, capture_output=True, text=True).stdout)["recording"]["events"]
first, last, seen = {}, {}, {}
for e in events:
    v = e["values"]
    thread = v["thread"]
    if thread is None:
        continue
    name = thread.get("javaName") or thread.get("osName") or "?"
    tid = thread.get("javaThreadId")
    key = (tid, name)
    first.setdefault(key, v["allocated"])
    last[key] = v["allocated"]
    seen[key] = seen.get(key, 0) + 1
# JFR's own threads and the attach listener are the measurement, not the edge; a thread sampled once
# started during the recording, so all it allocated counts
skip = ("JFR", "Attach Listener", "jfr")
by_thread = {k: last[k] - (first[k] if seen[k] > 1 else 0) for k in last if not k[1].startswith(skip)}
total = sum(by_thread.values())
print(f"requests {requests}, allocated {total / 1e6:.1f} MB: {total / max(requests, 1):,.0f} bytes per hit")
for (tid, name), b in sorted(by_thread.items(), key=lambda kv: -kv[1])[:5]:
    if b > 0:
        print(f"  {name:40s} {b / max(requests, 1):8,.0f} bytes per hit")

# Where: JFR's allocation samples (each weighted by the bytes its thread allocated since its previous
# sample). A thread's first sample in the recording carries everything since the thread started (the
# warm-up), so it is left out.
samples = json.loads(subprocess.run([jfr, "print", "--json", "--stack-depth", "64", "--events",
                                     "jdk.ObjectAllocationSample", recording],
                                    check=True, capture_output=True, text=True).stdout)["recording"]["events"]
leaf, ours, weight_total, sampled = {}, {}, 0, set()
for e in samples:
    v = e["values"]
    tid = (v.get("eventThread") or {}).get("javaThreadId")
    if tid not in sampled:
        sampled.add(tid)
        continue
    w = v["weight"]
    weight_total += w
    frames = (v.get("stackTrace") or {}).get("frames", [])
    name = lambda f: f["method"]["type"]["name"].replace("/", ".").rsplit(".", 1)[-1] + "." + f["method"]["name"]
    if frames:
        leaf[name(frames[0])] = leaf.get(name(frames[0]), 0) + w
    site = "(no Requestflow frame: Netty, JDK)"
    for f in frames:
        t = f["method"]["type"]["name"]
        if t.replace("/", ".").startswith("io.requestflow.") and "$$Lambda" not in t:
            site = name(f)
            break
    ours[site] = ours.get(site, 0) + w


def show(title, table):
    print(title)
    for site, w in sorted(table.items(), key=lambda kv: -kv[1])[:12]:
        share = w / max(weight_total, 1)
        print(f"  {site:66s} {100 * share:5.1f}%  ~{total * share / max(requests, 1):6,.0f} B/hit")


show("\nallocating method (sampled):", leaf)
show("\nfirst Requestflow frame on the stack (sampled):", ours)
