#!/usr/bin/env python3
"""Golden fixtures for KexueText's BERT WordPiece tokenizer, from HF `tokenizers`.

Writes two files into Tests/Fixtures/:

* tokenizer_parity.jsonl — one JSON object per line: {"text", "ids", "offsets"} for a single text
  (offsets flattened as [start0, end0, start1, end1, ...], Python str indices = Unicode scalars),
  or, for a pair, also {"pair", "strategy", "max_length", "type_ids"}. Singles are encoded with
  padding and truncation disabled; pairs with the given truncation strategy and no padding.
* tokenizer_unicode.json — HF's BertNormalizer and BertPreTokenizer applied to every Unicode scalar
  on its own, as ranges and exceptions, so the Swift character tables are checked exhaustively
  (HF uses Unicode tables of different ages for different properties; this pins all of them).

Usage (reference environment only, never a dependency of the Swift package):
    python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install tokenizers==0.23.3
    /tmp/tokvenv/bin/python tools/make_tokenizer_fixture.py [--model DIR] [--data DIR]
The script is seeded and deterministic: the same inputs give byte-identical files.
"""
import argparse
import glob
import json
import os
import random
import re
import unicodedata

from tokenizers import Tokenizer
from tokenizers.normalizers import BertNormalizer
from tokenizers.pre_tokenizers import BertPreTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEXUE_HOME = os.environ.get("KEXUE_HOME", os.path.expanduser("~/.cache/kexue"))
SEED = 20200101
PER_CATEGORY = 220

# ---------------------------------------------------------------------------------------------
# Building blocks for the synthetic categories.

ACCENTED_WORDS = [
    "café", "naïve", "résumé", "über", "Straße", "façade", "jalapeño", "São Paulo", "Ångström",
    "Dvořák", "Łódź", "Kraków", "İstanbul", "ışık", "Ærøskøbing", "crème brûlée", "Tiếng Việt",
    "Nguyễn", "Ελληνικά", "άλφα", "Ῥόδος", "Москва", "Ёлка", "Ǆemal", "ǅ", "Œuvre", "ﬁnance",
    "Ā ē ī ō ū", "ḍḥṃṇṛṣṭ", "Ørsted", "Þórr", "Ðað", "ĳssel", "Ŀl", "ŉ", "ẞ", "ǰ", "ΐ", "ﬃ",
]
COMBINING = [chr(c) for c in list(range(0x300, 0x370)) + [0x1AB0, 0x1DC0, 0x20D0, 0x20E3, 0xFE20]]
LATIN_EXTENDED = [chr(c) for c in range(0xC0, 0x250) if unicodedata.category(chr(c)).startswith("L")]
GREEK_CYRILLIC = [chr(c) for c in list(range(0x386, 0x3D0)) + list(range(0x400, 0x460))
                  if unicodedata.category(chr(c)).startswith("L")]
KANA_HANGUL = [chr(c) for c in list(range(0x3041, 0x3097)) + list(range(0x30A1, 0x30FB))
               + list(range(0xAC00, 0xAC00 + 400))]
CJK_EXTRA = [chr(c) for c in list(range(0x20000, 0x20040)) + list(range(0x2A700, 0x2A710))
             + list(range(0x2B740, 0x2B750)) + list(range(0x2B820, 0x2B830))
             + list(range(0x2CEB0, 0x2CEC0)) + list(range(0x30000, 0x30010))
             + list(range(0xF900, 0xF940)) + list(range(0x2F800, 0x2F810))
             + list(range(0x2E80, 0x2E90)) + list(range(0x3000, 0x3020)) + list(range(0xFF01, 0xFF20))]
EMOJI = ["😀", "😂", "🥰", "🤖", "🫠", "🫶", "🧑‍💻", "👩‍👩‍👧‍👦", "👨‍❤️‍💋‍👨", "🏳️‍🌈", "🏴‍☠️",
         "🇫🇷", "🇯🇵", "🇺🇸", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "👍🏻", "👍🏿", "🧑🏽‍🚀", "✌️", "❤️", "☺︎", "1️⃣", "#️⃣",
         "🐶", "🍣", "🎉", "🔥", "💯", "🪐", "🦩", "🫎", "🩷", "🐦‍🔥", "🙂‍↔️", "©️", "™", "🅰️"]
CONTROLS = ["\t", "\r", "\n", "\x00", "\ufffd", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b",
            "\x1f", "\x7f", "\x80", "\x85", "\x8d", "\x9f", "\u200e", "\u202e", "\u2066",
            "\U000e0001", "\ue000", "\U000f0000", "\u0600", "\u06dd", "\U000110bd"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060", "\u180e", "\u034f",
              "\u061c", "\ufe0f", "\u200b\u200b"]
ODD_SPACES = ["\u00a0", "\u3000", "\u2028", "\u2029", "\t", "\t\t", "\n\n\n", "\r\n", "\u1680",
              "\u2002", "\u2003", "\u2009", "\u200a", "\u202f", "\u205f", "\x1c", "\x1d", "\x85",
              "\x0b", "\x0c", "  ", "\u180e", "\u3000\u3000"]
SPECIALS = ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]", "[cls]", "[CLS", "CLS]", "[[MASK]]",
            "[MASK][MASK]", "[ SEP ]", "x[SEP]y", "[UNK]s"]


def insert_randomly(rng, text, pieces, count):
    """Inserts `count` pieces at random positions, sometimes inside words."""
    for _ in range(count):
        i = rng.randint(0, len(text))
        text = text[:i] + rng.choice(pieces) + text[i:]
    return text


def random_word(rng, alphabet, length):
    return "".join(rng.choice(alphabet) for _ in range(length))


def synthetic_texts(rng, english, chinese):
    """Yields (category, text) for the hard categories, PER_CATEGORY each."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    sentence = lambda: rng.choice(english)
    for _ in range(PER_CATEGORY):
        base = sentence()
        words = base.split(" ")
        for _ in range(rng.randint(1, 4)):
            words.insert(rng.randint(0, len(words)), rng.choice(ACCENTED_WORDS))
        text = " ".join(words)
        roll = rng.random()
        if roll < 0.3:
            text = unicodedata.normalize("NFD", text)
        elif roll < 0.5:
            text = insert_randomly(rng, text, COMBINING, rng.randint(1, 6))
        elif roll < 0.8:
            text = insert_randomly(rng, text, LATIN_EXTENDED + GREEK_CYRILLIC, rng.randint(1, 8))
        yield "accented", text
    for _ in range(PER_CATEGORY):
        text = rng.choice(chinese)
        roll = rng.random()
        if roll < 0.4:
            text = insert_randomly(rng, text, KANA_HANGUL + CJK_EXTRA, rng.randint(1, 10))
        elif roll < 0.7:
            text = text + " " + sentence()
        yield "cjk", text
    for _ in range(PER_CATEGORY):
        text = insert_randomly(rng, sentence(), EMOJI, rng.randint(1, 6))
        if rng.random() < 0.3:
            text = "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 12)))
        yield "emoji", text
    for _ in range(PER_CATEGORY):
        text = insert_randomly(rng, sentence(), CONTROLS, rng.randint(1, 8))
        if rng.random() < 0.1:
            text = "".join(rng.choice(CONTROLS) for _ in range(rng.randint(1, 8)))
        yield "control", text
    for _ in range(PER_CATEGORY):
        text = insert_randomly(rng, sentence(), ZERO_WIDTH, rng.randint(1, 8))
        if rng.random() < 0.1:
            text = "".join(rng.choice(ZERO_WIDTH) for _ in range(rng.randint(1, 5)))
        yield "zero_width", text
    for i in range(PER_CATEGORY):
        # Around the 100-character limit, which counts normalized characters.
        length = [99, 100, 101, 150, 300][i % 5] if i < 100 else rng.randint(90, 400)
        alphabet = letters if i % 3 else letters + "".join(LATIN_EXTENDED[:40]) + COMBINING[0]
        word = random_word(rng, alphabet, length)
        if i % 7 == 0:
            word = word[:50] + "-" + word[50:]
        if i % 11 == 0:
            word = word[:60] + "\u200b" + word[60:]
        if i % 13 == 0:
            word = "a" * 100 + "\u0301"
        yield "long_word", sentence() + " " + word + " " + sentence()
    for _ in range(PER_CATEGORY):
        text = sentence().replace(" ", rng.choice(ODD_SPACES), rng.randint(1, 5))
        text = insert_randomly(rng, text, ODD_SPACES, rng.randint(0, 4))
        if rng.random() < 0.2:
            text = rng.choice(ODD_SPACES) * rng.randint(1, 4) + text + rng.choice(ODD_SPACES)
        yield "whitespace", text
    for _ in range(PER_CATEGORY // 2):
        yield "special", insert_randomly(rng, sentence(), SPECIALS, rng.randint(1, 4))
    for _ in range(PER_CATEGORY):
        # Any scalar at all, unassigned and private-use included: pins the table edges.
        planes = [(0x20, 0x3000), (0x3000, 0x10000), (0x10000, 0x20000), (0x20000, 0x32000),
                  (0xE0000, 0xE0080), (0xF0000, 0x110000)]
        scalars = []
        for _ in range(rng.randint(1, 30)):
            lo, hi = rng.choice(planes)
            c = rng.randrange(lo, hi)
            if not 0xD800 <= c < 0xE000:
                scalars.append(chr(c))
            if rng.random() < 0.3:
                scalars.append(" ")
        yield "random_unicode", "".join(scalars)
    for text in ["", " ", "\t\n", "\x00", "\u200b", "[CLS]", "[SEP][SEP]", "a", "A.", "...",
                 "\u0301", "a\u0301", "İ", "ǅ", "ẞ", "ﬃ", "\U0001d165\U0001d166", "x\u0301\u0316y",
                 "a" * 100000, "你好" * 100, ("word " * 2000).strip()]:
        yield "edge", text


# ---------------------------------------------------------------------------------------------
# Real text.

def squad_texts(pattern):
    """(question, context) pairs from every SQuAD-layout file matching `pattern`, in file order."""
    pairs = []
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding="utf-8") as f:
            for article in json.load(f)["data"]:
                for paragraph in article["paragraphs"]:
                    for qa in paragraph["qas"]:
                        pairs.append((qa["question"], paragraph["context"]))
    return pairs


def sentences(context, limit):
    return [s for s in re.split(r"(?<=[.!?。！？])\s*", context) if s][:limit]


# ---------------------------------------------------------------------------------------------

def flat(offsets):
    return [x for pair in offsets for x in pair]


def unicode_tables():
    """HF's normalizer and pre-tokenizer on every scalar alone, compressed to ranges/exceptions."""
    normalizer = BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True,
                                lowercase=True)
    pre_tokenizer = BertPreTokenizer()
    removed, spaced, punctuation, mapped = [], [], [], []

    def add_range(ranges, c):
        if ranges and ranges[-1][1] == c:
            ranges[-1][1] = c + 1
        else:
            ranges.append([c, c + 1])

    for c in range(0x110000):
        if 0xD800 <= c < 0xE000:
            continue
        ch = chr(c)
        out = normalizer.normalize_str(ch)
        if out == "":
            add_range(removed, c)
        elif out == " " + ch + " ":
            add_range(spaced, c)
        elif out != ch:
            mapped.append([c, out])
        pieces = pre_tokenizer.pre_tokenize_str("a" + ch + "a")
        if len(pieces) == 3 and pieces[1][0] == ch:
            add_range(punctuation, c)
    return {"removed": removed, "spaced": spaced, "punctuation": punctuation, "mapped": mapped}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=os.path.join(KEXUE_HOME, "models", "all-MiniLM-L6-v2"))
    parser.add_argument("--data", default="/work/shared/data/qa")
    parser.add_argument("--out", default=os.path.join(ROOT, "Tests", "Fixtures"))
    args = parser.parse_args()
    rng = random.Random(SEED)

    tokenizer = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()

    english_pairs = squad_texts(os.path.join(args.data, "en", "*.json"))
    chinese_pairs = squad_texts(os.path.join(args.data, "zh", "*.json"))
    english_contexts = sorted({c for _, c in english_pairs})
    chinese_contexts = sorted({c for _, c in chinese_pairs})
    english = [s for c in english_contexts for s in sentences(c, 3)]
    chinese = [s for c in chinese_contexts for s in sentences(c, 3)]

    texts = list(synthetic_texts(rng, english, chinese))
    texts += [("en_question", q) for q, _ in rng.sample(english_pairs, 1600)]
    texts += [("en_sentence", s) for s in rng.sample(english, 1200)]
    texts += [("en_context", c) for c in rng.sample(english_contexts, 80)]
    texts += [("zh_question", q) for q, _ in rng.sample(chinese_pairs, 500)]
    texts += [("zh_sentence", s) for s in rng.sample(chinese, 300)]
    texts += [("zh_context", c) for c in rng.sample(chinese_contexts, 30)]

    lines = []
    for _, text in texts:
        encoding = tokenizer.encode(text)
        lines.append({"text": text, "ids": encoding.ids, "offsets": flat(encoding.offsets)})

    pairs = rng.sample(english_pairs, 250) + rng.sample(chinese_pairs, 100)
    pairs += [(rng.choice(english), rng.choice(english)) for _ in range(50)]
    pairs += [(c1, c2) for c1, c2 in zip(rng.sample(english_contexts, 50), rng.sample(english_contexts, 50))]
    for i, (first, second) in enumerate(pairs):
        strategy = "only_second" if i % 4 == 3 else "longest_first"
        max_length = 128 if i % 5 else rng.choice([16, 32, 64, 129, 256])
        tokenizer.enable_truncation(max_length, strategy=strategy)
        try:
            encoding = tokenizer.encode(first, second)
        except Exception:  # only_second cannot shorten a too-short second text: not a parity case
            continue
        lines.append({"text": first, "pair": second, "strategy": strategy, "max_length": max_length,
                      "ids": encoding.ids, "type_ids": encoding.type_ids,
                      "offsets": flat(encoding.offsets)})
    tokenizer.no_truncation()

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "tokenizer_parity.jsonl"), "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
    with open(os.path.join(args.out, "tokenizer_unicode.json"), "w", encoding="utf-8") as f:
        json.dump(unicode_tables(), f, ensure_ascii=True, separators=(",", ":"))
    counts = {}
    for category, _ in texts:
        counts[category] = counts.get(category, 0) + 1
    print(json.dumps({"singles": len(texts), "pairs": len(lines) - len(texts), "categories": counts}))


if __name__ == "__main__":
    main()
