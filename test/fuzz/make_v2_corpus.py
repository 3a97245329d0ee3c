#!/usr/bin/python3
"""Adds format 2 entries to the model loader's fuzz corpus.

  test/fuzz/make_v2_corpus.py PG_INTENT_CLI

Trains two small word-feature models with the CLI (one with an internal
out-of-scope class), then writes them and crafted variants (valid CRC, bad
content) to test/fuzz/corpus/model_load/. Deterministic: rerunning gives the
same files for the same core.
"""
import csv
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "model_load")

ROWS = [("quiero devolver el producto", "return_process"), ("cómo hago una devolución", "return_process"),
        ("necesito devolver mi compra", "return_process"), ("dónde devuelvo las zapatillas", "return_process"),
        ("mi pedido no ha llegado", "shipping_problem"), ("el envío está retrasado", "shipping_problem"),
        ("¿dónde está mi paquete?", "shipping_problem"), ("el paquete no llega", "shipping_problem"),
        ("me cobraron dos veces", "payment_issue"), ("el pago fue rechazado", "payment_issue"),
        ("no puedo pagar con tarjeta", "payment_issue"), ("error al pagar", "payment_issue"),
        ("qué tiempo hace hoy", "out_of_scope"), ("cuéntame un chiste", "out_of_scope"),
        ("quién ganó el partido", "out_of_scope")]


def crc32c(data):
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def sections(blob):
    at, out = 12, {}
    while at + 12 <= len(blob) - 4:
        tag, length = struct.unpack("<IQ", blob[at:at + 12])
        out[tag] = at
        at += 12 + length
    return out


def fixed(blob):
    blob = bytearray(blob)
    blob[-4:] = struct.pack("<I", crc32c(bytes(blob[:-4])))
    return bytes(blob)


def write_corpus(out):
    """Writes each named blob of `out` to the corpus as NAME.bin."""
    for name, blob in sorted(out.items()):
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(blob)


WORDS_OPTIONS = '{"char_ngrams":false,"min_threshold_rows":5,"min_intent_rows":2,"out_of_scope_mode":"negatives"}'


def train_small(cli, options):
    """The bytes of a model the CLI trains on ROWS with `options`."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "small.csv")
        with open(data, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["split", "text", "intent"])
            for text, label in ROWS:
                w.writerow(["train", text, label])
        path = os.path.join(tmp, "model.bin")
        subprocess.run([cli, "train", "--data", data, "--model", path, "--options", options], check=True,
                       stdout=subprocess.DEVNULL)
        with open(path, "rb") as f:
            return f.read()


def main():
    cli = sys.argv[1]
    models = {"v2_words": train_small(cli, WORDS_OPTIONS),
              "v2_oos_class": train_small(cli, '{"char_ngrams":false,"out_of_scope_mode":"class"}')}
    out = dict(models)
    b = models["v2_words"]
    s = sections(b)
    c = bytearray(b)
    c[s[11] + 12:s[11] + 16] = struct.pack("<f", 1.5)  # global threshold out of range
    out["v2_threshold_out_of_range"] = fixed(c)
    c = bytearray(b)
    c[s[10] + 13:s[10] + 17] = struct.pack("<f", -1.0)  # negative temperature scale
    out["v2_negative_scale"] = fixed(c)
    c = bytearray(b)
    c[s[12] + 12] = 1  # claims an out-of-scope class the weights lack
    out["v2_oos_class_mismatch"] = fixed(c)
    c = bytearray(b)
    c[s[11] + 16:s[11] + 20] = struct.pack("<I", 0xFFFFFFF0)  # huge per-intent threshold count
    out["v2_huge_threshold_count"] = fixed(c)
    c = bytearray(b)
    c[8:12] = struct.pack("<I", 1)  # format 2 sections under a format 1 header
    out["v2_as_v1_header"] = fixed(c)
    c = bytearray(models["v2_oos_class"])
    s2 = sections(models["v2_oos_class"])
    label_at = s2[12] + 12 + 1 + 4
    c[label_at:label_at + 6] = b"paymen"  # out-of-scope label renamed towards an intent's
    out["v2_oos_label_edit"] = fixed(c)
    for name, blob in sorted(out.items()):
        with open(os.path.join(OUT, name + ".bin"), "wb") as f:
            f.write(blob)
        print(name, len(blob))


if __name__ == "__main__":
    main()
