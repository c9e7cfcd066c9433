"""Golden fixtures for BERT parity, from HF transformers on the real MiniLM (tools venv only).

Writes Tests/Fixtures/bert_minilm.json: for a few sentences, the token ids and type ids, the last
hidden states (first 4 tokens x first 16 dims and a full-tensor checksum) and the sentence-transformers
embedding (mean pooling + L2 norm). The Swift tests compare to 1e-4 max abs.

Usage: $KEXUE_HOME/venv-tools/bin/python tools/make_bert_fixture.py [MODEL_DIR]
"""
import json, os, sys

import torch
import transformers
from transformers import AutoModel, AutoTokenizer

home = os.environ.get("KEXUE_HOME", os.path.expanduser("~/.cache/kexue"))
model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(home, "models", "all-MiniLM-L6-v2")
out_path = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "bert_minilm.json")

sentences = [
    "The Rock is destined to be the 21st Century's new Conan.",
    "A gorgeously elaborate continuation of the trilogy.",
    "dull",
    "Kexue computes BERT in Swift; does it match transformers to 1e-4?",
    "Café naïve résumé — 你好 世界 🙂",
    "",
]
pairs = [("Who wrote the book?", "The book was written by an anonymous monk in 1420.")]

torch.manual_seed(0)
tok = AutoTokenizer.from_pretrained(model_dir)
model = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()
torch.set_num_threads(1)

cases = []
with torch.no_grad():
    batch = tok(sentences, padding=True, return_tensors="pt")
    h = model(**batch).last_hidden_state  # [B, T, H]
    m = batch["attention_mask"].unsqueeze(-1).float()
    pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
    emb = torch.nn.functional.normalize(pooled, dim=-1)
    for i, s in enumerate(sentences):
        n = int(batch["attention_mask"][i].sum())
        hi = h[i, :n]
        cases.append({
            "text": s, "ids": batch["input_ids"][i, :n].tolist(), "type_ids": batch["token_type_ids"][i, :n].tolist(),
            "hidden_head": hi[:4, :16].tolist(), "hidden_sum": float(hi.double().sum()), "hidden_abs_sum": float(hi.double().abs().sum()),
            "hidden_last_token": hi[-1].tolist(), "embedding": emb[i].tolist(),
        })
    for a, b in pairs:
        enc = tok(a, b, return_tensors="pt")
        hi = model(**enc).last_hidden_state[0]
        cases.append({"text": a, "pair": b, "ids": enc["input_ids"][0].tolist(), "type_ids": enc["token_type_ids"][0].tolist(),
                      "hidden_head": hi[:4, :16].tolist(), "hidden_sum": float(hi.double().sum()),
                      "hidden_abs_sum": float(hi.double().abs().sum()), "hidden_last_token": hi[-1].tolist()})

json.dump({"transformers": transformers.__version__, "torch": torch.__version__, "padded_batch": True, "cases": cases},
          open(out_path, "w"), indent=0)
print("wrote", out_path, len(cases), "cases")
