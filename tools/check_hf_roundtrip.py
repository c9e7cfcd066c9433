"""Checks that a classifier folder saved by Kexue loads in HF transformers with identical outputs.

Runs `kexue classify predict` on a few sentences, loads the same folder with
`BertForSequenceClassification.from_pretrained`, and compares class probabilities. Writes the
result to Tests/Fixtures/hf_roundtrip.json (committed), which a Swift test reads back.

Usage: $KEXUE_HOME/venv-tools/bin/python tools/check_hf_roundtrip.py MODEL_DIR [KEXUE_BIN]
"""
import json, os, subprocess, sys

import torch
import transformers
from transformers import AutoTokenizer, BertForSequenceClassification

model_dir = sys.argv[1]
kexue = sys.argv[2] if len(sys.argv) > 2 else ".build/release/kexue"
sentences = [
    "A gorgeous, witty, seductive movie.",
    "The plot is dull and the acting is worse.",
    "It's not bad, but it is not good either.",
    "An utterly forgettable, overlong mess.",
    "Brilliant!",
]
out = subprocess.run([kexue, "classify", "predict", "--model", model_dir, "--", *sentences],
                     check=True, capture_output=True, text=True).stdout.strip().splitlines()
ours = [json.loads(line) for line in out]

torch.set_num_threads(1)
tok = AutoTokenizer.from_pretrained(model_dir)
model = BertForSequenceClassification.from_pretrained(model_dir, attn_implementation="eager").eval()
labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
with torch.no_grad():
    enc = tok(sentences, padding=True, return_tensors="pt")
    probs = model(**enc).logits.softmax(-1)

rows, worst = [], 0.0
for i, s in enumerate(sentences):
    hf = {labels[j]: float(probs[i, j]) for j in range(len(labels))}
    diff = max(abs(hf[k] - ours[i]["probabilities"][k]) for k in labels)
    worst = max(worst, diff)
    rows.append({"text": s, "kexue": ours[i]["probabilities"], "transformers": hf, "max_abs_diff": diff})

result = {"transformers": transformers.__version__, "torch": torch.__version__, "labels": labels,
          "max_abs_diff": worst, "identical_within_1e-5": worst <= 1e-5, "rows": rows}
path = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "hf_roundtrip.json")
json.dump(result, open(path, "w"), indent=1)
print(f"HF loads the Kexue folder; max |Δ probability| = {worst:.2e}; wrote {path}")
