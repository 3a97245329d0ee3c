#!/usr/bin/python3
# Usage: data/make_clinc150_small.py ../shared/datasets/clinc150_dev.csv > data/clinc150_small.csv
# Deterministic CLINC150 subset: every 7th intent in sorted order (20 intents),
# the first 20 train and 5 val rows of each in file order, and the first 20 oos_val rows.
import csv, sys
src = sys.argv[1]
rows = list(csv.DictReader(open(src, newline="", encoding="utf-8")))
intents = sorted({r["intent"] for r in rows if r["split"] == "train"})
chosen = [intents[i * 7] for i in range(20)]
out = []
for split, n in (("train", 20), ("val", 5)):
    for it in chosen:
        out += [r for r in rows if r["split"] == split and r["intent"] == it][:n]
out += [r for r in rows if r["split"] == "oos_val"][:20]
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["split", "text", "intent"])
for r in out:
    w.writerow([r["split"], r["text"], r["intent"]])
