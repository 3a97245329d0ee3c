#!/usr/bin/python3
"""Adds format 5 entries (format 3 + each label's words and the label-word
limit) to the model loader's fuzz corpus.

  test/fuzz/make_v5_corpus.py PG_INTENT_CLI

Trains the small word-feature model of make_v2_corpus.py with
min_threshold_rows 1, so that the label-word limit is learned on its few
out-of-fold answers, then writes it and crafted variants (valid CRC) to
test/fuzz/corpus/model_load/. Deterministic.
"""
import struct
import sys

from make_v2_corpus import fixed, sections, train_small, write_corpus

OPTIONS = '{"char_ngrams":false,"min_threshold_rows":1,"min_intent_rows":2,"out_of_scope_mode":"negatives"}'
LABEL_WORDS = 15


def main():
    b = train_small(sys.argv[1], OPTIONS)
    assert struct.unpack("<I", b[8:12])[0] == 5, "the CLI does not write format 5"
    s = sections(b)
    assert LABEL_WORDS in s, "no label words section"
    p = s[LABEL_WORDS] + 12  # the section's payload: f32 limit, u32 count, then the labels' lists
    out = {"v5_label_words": b}
    c = bytearray(b)
    c[8:12] = struct.pack("<I", 3)  # format 3 holds no label words section
    out["v5_as_v3_header"] = fixed(c)
    c = bytearray(b)
    c[p:p + 4] = struct.pack("<f", float("nan"))  # a limit that is not a number
    out["v5_nan_limit"] = fixed(c)
    c = bytearray(b)
    c[p:p + 4] = struct.pack("<f", 1.0)  # a limit of 1 is never written
    out["v5_limit_one"] = fixed(c)
    c = bytearray(b)
    c[p + 4:p + 8] = struct.pack("<I", 0xFFFFFFF0)  # more labels than the model has
    out["v5_huge_label_count"] = fixed(c)
    c = bytearray(b)
    c[p + 8:p + 12] = struct.pack("<I", 0xFFFFFFF0)  # a first label's list the section cannot hold
    out["v5_huge_word_count"] = fixed(c)
    n = struct.unpack("<I", b[p + 8:p + 12])[0]
    if n > 0:
        c = bytearray(b)
        c[p + 12:p + 16] = struct.pack("<I", 0xFFFFFFFF)  # a word index outside the vocabulary
        out["v5_word_out_of_range"] = fixed(c)
    if n > 1:
        c = bytearray(b)
        c[p + 12:p + 16], c[p + 16:p + 20] = b[p + 16:p + 20], b[p + 12:p + 16]  # not ascending
        out["v5_words_not_ascending"] = fixed(c)
    write_corpus(out)


if __name__ == "__main__":
    main()
