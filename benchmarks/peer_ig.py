#!/usr/bin/env python3
"""captum peer of `kexue bench ig` (same config, same JSON shape).

    python benchmarks/peer_ig.py ig [--threads 2] [--repeat 5]

- ig {"steps": 50, "seq": 32, "internal_batch": 25}: LayerIntegratedGradients on
  `bert.embeddings.word_embeddings` of a BertForSequenceClassification on the MiniLM in $KEXUE_HOME
  (2 labels, new head seed 1, eval mode), the 32-token sentence below, [CLS] [PAD]… [SEP] reference,
  target 1, Gauss–Legendre, return_convergence_delta=True, plus the prediction forward pass — the same
  work as one `kexue explain` of that sentence. Faster of attn "eager" and "sdpa" (env.attn).
median_ms: median of --repeat timed calls after 3 warm-up calls.
"""
import argparse, os, sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_models import MODEL, emit, median_ms  # noqa: E402

SENTENCE = " ".join(["the film is good and"] * 6)  # 30 word pieces + [CLS] [SEP] = 32 tokens


def ig(repeat):
    import captum
    from captum.attr import LayerIntegratedGradients
    from transformers import AutoTokenizer, BertForSequenceClassification
    tok = AutoTokenizer.from_pretrained(MODEL)
    ids = tok(SENTENCE, return_tensors="pt")["input_ids"]
    assert ids.shape[1] == 32, ids.shape
    ref = torch.full_like(ids, tok.pad_token_id)
    ref[0, 0], ref[0, -1] = tok.cls_token_id, tok.sep_token_id
    best = None
    for attn in ("eager", "sdpa"):
        torch.manual_seed(1)
        model = BertForSequenceClassification.from_pretrained(MODEL, num_labels=2, attn_implementation=attn).eval()
        forward = lambda x: model(input_ids=x, attention_mask=torch.ones_like(x)).logits
        lig = LayerIntegratedGradients(forward, model.bert.embeddings.word_embeddings)

        def run():
            with torch.no_grad():
                forward(ids).softmax(-1)
            lig.attribute(ids, baselines=ref, target=1, n_steps=50, method="gausslegendre",
                          internal_batch_size=25, return_convergence_delta=True)
        ms = median_ms(run, repeat)
        if best is None or ms < best[0]:
            best = (ms, attn)
    emit("ig", {"steps": 50, "seq": 32, "internal_batch": 25}, best[0], {"attn": best[1], "captum": captum.__version__})


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("name", choices=["ig"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    ig(a.repeat)
