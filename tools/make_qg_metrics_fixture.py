#!/usr/bin/env python3
"""Golden values for Kexue's QG metrics (Tests/Fixtures/qg_metrics.json).

    ~/.cache/kexue/venv-tools/bin/pip install pycocoevalcap==1.2
    ~/.cache/kexue/venv-tools/bin/python tools/make_qg_metrics_fixture.py

BLEU-4 and ROUGE-L come from pycocoevalcap (the coco-caption code nlg-eval and the Du et al. 2017
evaluation use: Bleu(4) with option 'closest', Rouge with beta 1.2); EM/F1 from the official SQuAD
v1.1 evaluate-v1.1.py functions, copied below. Inputs: 60 real questions of the Du et al. test split
(../shared/data/qa/en/squad_du2017_test.json) with seeded perturbations as hypotheses (words dropped,
swapped, replaced) and one or two references; token lists are stored, so the Swift test compares the
metrics on identical tokens.
"""
import collections, json, os, random, re, string, sys

from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.rouge.rouge import Rouge

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data", "qa", "en", "squad_du2017_test.json")


def normalize_answer(s):  # evaluate-v1.1.py
    def remove_articles(text): return re.sub(r'\b(a|an|the)\b', ' ', text)
    def white_space_fix(text): return ' '.join(text.split())
    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)
    return white_space_fix(remove_articles(remove_punc(s.lower())))


def f1_score(prediction, ground_truth):
    p, g = normalize_answer(prediction).split(), normalize_answer(ground_truth).split()
    common = collections.Counter(p) & collections.Counter(g)
    same = sum(common.values())
    if same == 0:
        return 0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def tokens(text):
    return re.findall(r"[A-Za-z0-9]+|[^A-Za-z0-9\s]", text.lower())


def perturb(rng, t):
    t = list(t)
    for _ in range(rng.randint(0, 3)):
        op = rng.choice(["drop", "swap", "replace"])
        if len(t) < 3:
            break
        i = rng.randrange(len(t))
        if op == "drop":
            t.pop(i)
        elif op == "swap":
            j = rng.randrange(len(t)); t[i], t[j] = t[j], t[i]
        else:
            t[i] = rng.choice(["what", "which", "the", "of", "year", "city", "?"])
    return t


def main():
    rng = random.Random(7)
    data = json.load(open(DATA))
    questions = [(p["context"], qa) for a in data["data"] for p in a["paragraphs"] for qa in p["qas"]]
    picked = rng.sample(questions, 60)
    hyps, refs = [], []
    for _, qa in picked:
        gold = tokens(qa["question"])
        hyps.append(perturb(rng, gold))
        other = tokens(rng.choice(questions)[1]["question"])
        refs.append([gold] if rng.random() < 0.5 else [gold, other])
    gts = {i: [" ".join(r) for r in rs] for i, rs in enumerate(refs)}
    res = {i: [" ".join(h)] for i, h in enumerate(hyps)}
    bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
    rouge, rouge_each = Rouge().compute_score(gts, res)
    squad = []
    for context, qa in picked[:30]:
        gold = qa["answers"][0]["text"]
        words = gold.split()
        pred = rng.choice([gold, gold.lower() + ".", " ".join(words[:-1]) or gold, "the " + gold, "unrelated answer"])
        golds = [gold, rng.choice(questions)[1]["answers"][0]["text"]]
        squad.append({"prediction": pred, "golds": golds,
                      "em": float(max(normalize_answer(pred) == normalize_answer(g) for g in golds)),
                      "f1": max(f1_score(pred, g) for g in golds), "normalized": normalize_answer(pred)})
    out = {"source": "pycocoevalcap Bleu(4) option=closest, Rouge beta=1.2; SQuAD evaluate-v1.1.py",
           "hypotheses": hyps, "references": refs, "bleu": [b * 100 for b in bleu], "rouge_l": rouge * 100,
           "rouge_l_each": [float(x) for x in rouge_each], "squad": squad}
    path = os.path.join(HERE, "..", "Tests", "Fixtures", "qg_metrics.json")
    json.dump(out, open(path, "w"), indent=0)
    print(f"wrote {path}: BLEU-4 {out['bleu'][3]:.4f}, ROUGE-L {out['rouge_l']:.4f}")


if __name__ == "__main__":
    sys.exit(main())
