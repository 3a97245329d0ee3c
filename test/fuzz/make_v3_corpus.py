#!/usr/bin/python3
"""Adds format 3 entries to the model loader's fuzz corpus.

  test/fuzz/make_v3_corpus.py PG_INTENT_CLI

Trains the small word-feature model of make_v2_corpus.py with a CLI that
writes format 3 (0.3.2 on), then writes it and crafted variants (valid CRC,
bad evidence section) to test/fuzz/corpus/model_load/. Deterministic. A CLI
from before the unknown-word and support rules writes the v3_words entries;
one with them writes the v3_rules entries.
"""
import os
import struct
import sys

from make_v2_corpus import OUT, WORDS_OPTIONS, fixed, sections, train_small


def main():
    b = train_small(sys.argv[1], WORDS_OPTIONS)
    assert struct.unpack("<I", b[8:12])[0] == 3, "the CLI does not write format 3"
    s = sections(b)
    ev_len = struct.unpack("<Q", b[s[13] + 4:s[13] + 12])[0]
    if ev_len == 4:
        # A CLI from before the unknown-word and support rules: the evidence
        # section is the floor alone (the committed v3_* entries).
        out = {"v3_words": b}
    else:
        # The evidence section with its rules: floor, unknown-word limit, the
        # support rule's byte and (when learned) its floor. Earlier entries
        # stay as the older CLI wrote them.
        out = {"v3_rules": b}
        p = s[13] + 12
        c = bytearray(b)
        c[p + 8] = 2  # an unknown support rule
        out["v3_unknown_support_rule"] = fixed(c)
        c = bytearray(b)
        c[p + 4:p + 8] = struct.pack("<f", 1.5)  # an unknown-word limit above 1
        out["v3_limit_above_one"] = fixed(c)
        if ev_len == 13:
            c = bytearray(b)
            c[p + 9:p + 13] = struct.pack("<f", 0.5)  # a support floor above 0
            out["v3_positive_support_floor"] = fixed(c)
        for name, blob in sorted(out.items()):
            with open(os.path.join(OUT, name + ".bin"), "wb") as f:
                f.write(blob)
            print(name, len(blob))
        return
    c = bytearray(b)
    c[s[13] + 12:s[13] + 16] = struct.pack("<f", -0.25)  # negative evidence floor
    out["v3_negative_evidence_floor"] = fixed(c)
    c = bytearray(b)
    c[8:12] = struct.pack("<I", 2)  # format 3 sections under a format 2 header
    out["v3_as_v2_header"] = fixed(c)
    c = bytearray(b[:s[13]] + b[-4:])  # format 3 without its evidence section
    out["v3_without_evidence"] = fixed(c)
    for name, blob in sorted(out.items()):
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(blob)
        print(name, len(blob))


if __name__ == "__main__":
    main()
