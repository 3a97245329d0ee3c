#!/usr/bin/python3
"""predict_label() per statement for bench/classifiers.sh.

  classifiers_statements.py scripts MESSAGE DIR
      writes DIR/mix_a.sql, DIR/mix_b.sql (the same statements in reverse
      order) and DIR/miss.sql, pgbench scripts that each start with SELECT 1;
  classifiers_statements.py report RAW SMALL_KB FALLBACK_KB SHOP_KB
      reads pgbench -r output, sections headed "### hits N" / "### misses N",
      and prints a Markdown table: per statement, the median over rounds of
      its mean latency minus SELECT 1's in the same run, [min-max], in µs.
"""
import collections
import re
import statistics
import sys

# (key, statement template, label in the report); {m} is the message.
STATEMENTS = [
    ("predict_intent", "SELECT * FROM predict_intent('{m}');", "`predict_intent(m)`"),
    ("label_intent", "SELECT * FROM predict_label('intent', '{m}');",
     "`predict_label('intent', m)`: the same model"),
    ("label_clinc", "SELECT * FROM predict_label('clinc', '{m}');",
     "`predict_label('clinc', m)`: a classifier over the same rows"),
    ("label_one_shop", "SELECT * FROM predict_label('shop_intent', '{m}', 'shop_7');",
     "`predict_label('shop_intent', m, 'shop_7')`: one shop's own model, every statement"),
    ("label_own", "SELECT * FROM predict_label('shop_intent', '{m}', 'shop_' || :own);",
     "`predict_label('shop_intent', m, shop)`: a shop's own model (cache of 1 GB: hits)"),
    ("label_one_fallback", "SELECT * FROM predict_label('shop_intent', '{m}', 'shop_300');",
     "`predict_label('shop_intent', m, 'shop_300')`: one shop answered by the fallback, every statement"),
    ("label_fallback", "SELECT * FROM predict_label('shop_intent', '{m}', 'shop_' || :fallback);",
     "`predict_label('shop_intent', m, shop)`: a shop answered by the fallback"),
    ("classify_intent", "SELECT classify_intent('{m}');", "`classify_intent(m)`"),
    ("classify_clinc", "SELECT classify_label('clinc', '{m}');", "`classify_label('clinc', m)`"),
]
HEAD = "\\set own random(0, 99)\n\\set fallback random(100, 499)\nSELECT 1;\n"


def scripts(message, tmp):
    stmts = [t.format(m=message) for _, t, _ in STATEMENTS]
    with open(f"{tmp}/mix_a.sql", "w") as f:
        f.write(HEAD + "\n".join(stmts) + "\n")
    with open(f"{tmp}/mix_b.sql", "w") as f:
        f.write(HEAD + "\n".join(reversed(stmts)) + "\n")
    with open(f"{tmp}/miss.sql", "w") as f:
        f.write(HEAD + dict((k, t) for k, t, _ in STATEMENTS)["label_own"].format(m=message) + "\n")


def kind_of(stmt):
    for key, template, _ in STATEMENTS:
        prefix = template.split("'{m}'")[0]
        suffix = template.split("'{m}'")[1]
        if stmt.startswith(prefix) and stmt.rstrip().endswith(suffix.rstrip()):
            return key
    return "select1" if stmt.startswith("SELECT 1") else None


def report(raw, small_kb, fb_kb, shop_kb):
    # (section, round) -> kind -> [ms], pgbench -r lists each script's lines
    runs = collections.defaultdict(lambda: collections.defaultdict(list))
    key = None
    with open(raw) as f:
        for line in f:
            h = re.match(r"### (\w+) (\d+)", line)
            if h:
                key = (h.group(1), int(h.group(2)))
                continue
            m = re.match(r"\s+([0-9.]+)\s+\d+\s+(SELECT .*)", line)
            if m and key:
                kind = kind_of(m.group(2))
                if kind:
                    runs[key][kind].append(float(m.group(1)) * 1000)

    def beyond(section, kind):
        out = []
        for (sec, _), kinds in sorted(runs.items()):
            if sec == section and kinds.get(kind) and kinds.get("select1"):
                out.append(statistics.mean(kinds[kind]) - statistics.mean(kinds["select1"]))
        return out

    def fmt(v):
        return f"{statistics.median(v):.1f} [{min(v):.1f}-{max(v):.1f}]" if v else "n/a"

    print("| statement | µs beyond `SELECT 1` |")
    print("|---|---|")
    for key, _, label in STATEMENTS:
        print(f"| {label} | {fmt(beyond('hits', key))} |")
    print(f"| `predict_label('shop_intent', m, shop)`, a shop's own model, cache of {small_kb} kB "
          f"(the fallback charged {fb_kb} kB, a shop model {shop_kb} kB: mostly misses, a load; the fallback too, "
          f"evicted and loaded again, when a shop's model abstains) "
          f"| {fmt(beyond('misses', 'label_own'))} |")


if __name__ == "__main__":
    if sys.argv[1] == "scripts":
        scripts(*sys.argv[2:4])
    elif sys.argv[1] == "report":
        report(*sys.argv[2:6])
    else:
        sys.exit(__doc__)
