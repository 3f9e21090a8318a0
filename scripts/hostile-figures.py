#!/usr/bin/env python3
"""Summarises a hostile-server run: VIDEOGEN_HOSTILE_RESULTS=FILE python3 -m pytest tests/test_hostile_*.py writes one
JSON line per call; this prints, per request kind, the worst peak RSS above that kind's baseline (isolated cases,
against their cap) and the worst time past the configured timeout (every case).

Usage: python3 scripts/hostile-figures.py FILE [--json | --bench OUT]
  --bench OUT writes the figures in the form `make bench` shows in BENCHMARKS.md (bench/hostile-results.json)."""

import json
import sys


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    results = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    baselines = {r["name"].split(":")[0]: r.get("max_rss_kib", 0) for r in results if r["name"].endswith(":ok")}
    figures = {"calls": len(results), "crashes": sum(1 for r in results if r.get("code") is None), "kinds": {}}
    for result in results:
        kind = result["name"].split(":")[0]
        entry = figures["kinds"].setdefault(kind, {"calls": 0, "worst_rss_over_baseline_mib": 0.0, "worst_rss_case": None,
                                                   "worst_cap_mib": None, "worst_past_timeout_s": 0.0,
                                                   "worst_time_case": None})
        entry["calls"] += 1
        if result.get("isolate") and kind in baselines and not result["name"].endswith(":ok"):
            over = (result.get("max_rss_kib", 0) - baselines[kind]) / 1024
            if over > entry["worst_rss_over_baseline_mib"]:
                entry.update(worst_rss_over_baseline_mib=round(over, 1), worst_rss_case=result["name"],
                             worst_cap_mib=round((result.get("cap") or 0) / 1048576, 1))
        if result.get("elapsed") is not None and result.get("timeout"):
            past = result["elapsed"] - result["timeout"]
            if past > entry["worst_past_timeout_s"]:
                entry.update(worst_past_timeout_s=round(past, 2), worst_time_case=result["name"])
    if "--bench" in sys.argv:
        import datetime
        out = sys.argv[sys.argv.index("--bench") + 1]
        cases = []
        for kind, entry in sorted(figures["kinds"].items()):
            timeout = next((r["timeout"] for r in results if r["name"].startswith(kind + ":") and r.get("timeout")), None)
            cases.append({"case": f"{kind}: worst of {entry['calls']} calls ({entry['worst_rss_case']}; "
                                  f"{entry['worst_time_case']})",
                          "cap_mib": entry["worst_cap_mib"], "peak_above_baseline_mib": entry["worst_rss_over_baseline_mib"],
                          "timeout_s": timeout, "seconds_past_timeout": entry["worst_past_timeout_s"]})
        document = {"measured": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                    "command": "VIDEOGEN_HOSTILE_RESULTS=FILE python3 -m pytest tests/test_hostile_*.py; "
                               "scripts/hostile-figures.py FILE --bench bench/hostile-results.json",
                    "calls": figures["calls"], "crashes": figures["crashes"], "cases": cases}
        with open(out, "w") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
        return 0
    if "--json" in sys.argv:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{figures['calls']} calls, {figures['crashes']} crashed or hung")
    for kind, entry in sorted(figures["kinds"].items()):
        print(f"{kind}: {entry['calls']} calls; peak RSS at most {entry['worst_rss_over_baseline_mib']} MiB above the "
              f"baseline ({entry['worst_rss_case']}, cap {entry['worst_cap_mib']} MiB); at most "
              f"{entry['worst_past_timeout_s']} s past the timeout ({entry['worst_time_case']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
