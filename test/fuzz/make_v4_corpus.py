#!/usr/bin/python3
"""Adds format 4 entries (format 3 + the subword vectors) to the model
loader's fuzz corpus.

  test/fuzz/make_v4_corpus.py PG_INTENT_CLI

Trains the small word-feature model of make_v2_corpus.py with a tiny
subword_vectors table (dim 2, 16 buckets), then writes it and crafted
variants (valid CRC) to test/fuzz/corpus/model_load/. Deterministic.
"""
import struct
import sys

from make_v2_corpus import fixed, sections, train_small, write_corpus

OPTIONS = ('{"char_ngrams":false,"min_threshold_rows":5,"min_intent_rows":2,"out_of_scope_mode":"negatives",'
           '"subword_vectors":{"dim":2,"buckets":16,"epochs":1,"weight":2}}')


def main():
    b = train_small(sys.argv[1], OPTIONS)
    assert struct.unpack("<I", b[8:12])[0] == 4, "the CLI does not write format 4"
    s = sections(b)
    out = {"v4_subword": b}
    c = bytearray(b)
    c[8:12] = struct.pack("<I", 3)  # format 3 cannot hold the vectors its options ask for
    out["v4_as_v3_header"] = fixed(c)
    p = s[14] + 12
    c = bytearray(b)
    c[p:p + 4] = struct.pack("<I", 0xFFFFFFF0)  # a word count the section cannot hold
    out["v4_huge_word_count"] = fixed(c)
    c = bytearray(b)
    c[-8:-4] = struct.pack("<f", float("nan"))  # a non-finite table value
    out["v4_nan_vector"] = fixed(c)
    write_corpus(out)


if __name__ == "__main__":
    main()
