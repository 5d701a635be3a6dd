#!/usr/bin/env python3
"""Builds the fuzz corpora in fuzz/corpus/<target>/ from fuzz/seeds/ and the
repository's data (run from anywhere; only needs python3).

  python3 fuzz/make_seeds.py

seeds/ (committed) holds small hand-made inputs and two tiny models
(trained with `nabra train --k 24 --min-df 1 --buckets-log2 8`); corpus/
(ignored) adds derived inputs: lines of datasets/news_stance.csv, sentences
of datasets/articles/tune.jsonl, and the real models/sentiment.model with
truncated and bit-flipped variants (header recomputed so they reach the
JSON stage) and their bare JSON bodies (the target frames bodies itself).
"""
import json, os, random, shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "fuzz")
rng = random.Random(7)


def fnv1a64(b):
    h = 0xCBF29CE484222325
    for x in b:
        h ^= x
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def frame(body):
    return b"nabra-model format=1 bytes=%d fnv1a64=%016x\n" % (len(body), fnv1a64(body)) + body


def put(target, name, data):
    d = os.path.join(FUZZ, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


for target in ["analyze", "csv_loader", "model_loader", "jsonl_reader"]:
    src = os.path.join(FUZZ, "seeds", target)
    if os.path.isdir(src):
        for n in sorted(os.listdir(src)):
            with open(os.path.join(src, n), "rb") as f:
                put(target, n, f.read())

# csv: header + a few lines of the stance data
lines = open(os.path.join(ROOT, "datasets/news_stance.csv"), "rb").read().split(b"\n")
put("csv_loader", "stance_head", b"\n".join(lines[:6]) + b"\n")
put("csv_loader", "stance_crlf_bom", b"\xef\xbb\xbf" + b"\r\n".join(lines[:4]) + b"\r\n")
put("csv_loader", "stance_mixed", b"\n".join([lines[0]] + rng.sample(lines[1:-1], 4)) + b"\n")

# analyze: sentences of tuning articles
with open(os.path.join(ROOT, "datasets/articles/tune.jsonl"), encoding="utf-8") as f:
    arts = [json.loads(l)["text"] for l in f if l.strip()]
for i, t in enumerate(arts[:6]):
    put("analyze", "tune_%d" % i, t[:1200].encode())
    paras = [p for p in t.split("\n") if "«" in p or "قال" in p]
    if paras:
        put("analyze", "tune_quote_%d" % i, paras[0].encode())

# jsonl: articles as records
for i, t in enumerate(arts[:3]):
    rec = json.dumps({"id": "art-%d" % i, "text": t[:600]}, ensure_ascii=(i == 1))
    put("jsonl_reader", "tune_%d" % i, rec.encode() + b"\n")

# model: the real sentiment model, truncations, bit flips, bare bodies
models = [open(os.path.join(ROOT, "models/sentiment.model"), "rb").read()]
for n in ["tiny_lr.model", "tiny_nb.model"]:
    models.append(open(os.path.join(FUZZ, "seeds/model_loader", n), "rb").read())
put("model_loader", "sentiment.model", models[0])
for mi, m in enumerate(models):
    nl = m.index(b"\n")
    body = m[nl + 1:]
    if mi > 0:
        put("model_loader", "body_%d" % mi, body)
    for k, frac in enumerate([0.1, 0.5, 0.9, 0.999]):
        cut = body[: int(len(body) * frac)]
        put("model_loader", "trunc_%d_%d" % (mi, k), m[: nl + 1 + len(cut)])  # header promises more
        put("model_loader", "trunc_framed_%d_%d" % (mi, k), frame(cut))
    for k in range(6):
        b = bytearray(body)
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
        put("model_loader", "flip_raw_%d_%d" % (mi, k), m[: nl + 1] + bytes(b))  # checksum fails
        put("model_loader", "flip_framed_%d_%d" % (mi, k), frame(bytes(b)))
print("corpus in", os.path.join(FUZZ, "corpus"))
