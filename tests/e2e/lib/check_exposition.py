"""Checks a Prometheus text exposition (format 0.0.4) strictly enough to
catch what a scraper would reject or misread: HELP/TYPE before samples,
contiguous families, counter names ending in _total, label syntax and
escapes, histogram buckets ascending and cumulative with +Inf == _count."""
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"'
SAMPLE = re.compile(rf"^({NAME})(?:\{{({LABEL}(?:,{LABEL})*)?\}})? (\S+)$")


def value(s):
    if s in ("+Inf", "-Inf", "NaN"):
        return float(s.replace("Inf", "inf").replace("NaN", "nan"))
    return float(s)


def main(path):
    types, helps, seen_done, current = {}, set(), set(), None
    hist = {}  # (family, labels without le) -> [(le, count)], sum, count
    errors = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        where = f"line {n}: {line}"
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            if name in helps:
                errors.append(f"{where}: second HELP")
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in ("counter", "gauge", "histogram"):
                errors.append(f"{where}: bad TYPE")
                continue
            name = parts[2]
            if name in types:
                errors.append(f"{where}: second TYPE")
            if name not in helps:
                errors.append(f"{where}: TYPE without HELP")
            if parts[3] == "counter" and not name.endswith("_total"):
                errors.append(f"{where}: a counter's name must end in _total")
            if current:
                seen_done.add(current)
            types[name], current = parts[3], name
            continue
        if line.startswith("#") or not line:
            errors.append(f"{where}: unexpected line")
            continue
        m = SAMPLE.match(line)
        if not m:
            errors.append(f"{where}: not a sample")
            continue
        name, labels, v = m.group(1), m.group(2) or "", m.group(3)
        try:
            v = value(v)
        except ValueError:
            errors.append(f"{where}: bad value")
            continue
        family = name
        if current and types.get(current) == "histogram":
            for suffix in ("_bucket", "_sum", "_count"):
                if name == current + suffix:
                    family = current
        if family != current or family in seen_done:
            errors.append(f"{where}: sample outside its family's block (TYPE first, contiguous)")
            continue
        if types[family] == "histogram":
            if name == family:
                errors.append(f"{where}: a histogram sample needs _bucket, _sum or _count")
                continue
            pairs = re.findall(LABEL, labels)
            les = [p for p in pairs if p.startswith("le=")]
            rest = ",".join(p for p in pairs if not p.startswith("le="))
            h = hist.setdefault((family, rest), {"buckets": [], "sum": None, "count": None})
            if name.endswith("_bucket"):
                if len(les) != 1:
                    errors.append(f"{where}: a bucket needs one le label")
                    continue
                h["buckets"].append((value(les[0][4:-1]), v))
            elif name.endswith("_sum"):
                h["sum"] = v
            else:
                h["count"] = v
        elif types[family] == "counter" and (v < 0 or math.isnan(v)):
            errors.append(f"{where}: a counter is a non-negative number")
    for (family, labels), h in hist.items():
        b = h["buckets"]
        where = f"{family}{{{labels}}}"
        if not b or b[-1][0] != math.inf:
            errors.append(f"{where}: no +Inf bucket last")
            continue
        if any(b[i][0] >= b[i + 1][0] for i in range(len(b) - 1)):
            errors.append(f"{where}: le bounds not ascending")
        if any(b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
            errors.append(f"{where}: buckets not cumulative")
        if h["count"] != b[-1][1] or h["sum"] is None:
            errors.append(f"{where}: _count {h['count']} != +Inf bucket {b[-1][1]}, or no _sum")
    for e in errors:
        print(e, file=sys.stderr)
    if not types:
        print("no family at all", file=sys.stderr)
        return 1
    return 1 if errors else 0


sys.exit(main(sys.argv[1]))
