#!/usr/bin/python3
"""Adds format 3 entries to the model loader's fuzz corpus.

  test/fuzz/make_v3_corpus.py PG_INTENT_CLI

Trains the small word-feature model of make_v2_corpus.py with a CLI that
writes format 3 (0.3.2 on), then writes it and crafted variants (valid CRC,
bad evidence section) to test/fuzz/corpus/model_load/. Deterministic.
"""
import os
import struct
import sys

from make_v2_corpus import OUT, WORDS_OPTIONS, fixed, sections, train_small


def main():
    b = train_small(sys.argv[1], WORDS_OPTIONS)
    assert struct.unpack("<I", b[8:12])[0] == 3, "the CLI does not write format 3"
    s = sections(b)
    out = {"v3_words": b}
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
