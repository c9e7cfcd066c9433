#!/usr/bin/env python3
"""HF transformers peer of `kexue bench qg-decode` (same config, same JSON shape).

    python benchmarks/peer_qg.py qg-decode [--threads 2] [--repeat 3]

- qg-decode {"passage": 256, "num_beams": 5, "new_tokens": 32}: BertLMHeadModel (is_decoder=True, the
  tied LM head; HF's own BERT decoder with a KV cache) on the MiniLM in $KEXUE_HOME, fresh head seed 1,
  a 256-token prompt made of the same text as the Kexue side, `generate(num_beams=5, max_new_tokens=32,
  min_new_tokens=32, do_sample=False, use_cache=True)`. median_ms = median call time / 32 tokens (the
  prefill included, as on the Kexue side). Faster of attn "eager" and "sdpa" (env.attn).
"""
import argparse, os, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_models import MODEL, emit, median_ms  # noqa: E402

TEXT = "the quick brown fox jumps over the lazy dog near the river bank . " * 30


def qg_decode(repeat, new_tokens=32):
    import transformers
    from transformers import AutoTokenizer, BertLMHeadModel
    tok = AutoTokenizer.from_pretrained(MODEL)
    pieces = tok(TEXT, add_special_tokens=False)["input_ids"][:254]
    ids = torch.tensor([[tok.cls_token_id] + pieces + [tok.sep_token_id]])
    assert ids.shape[1] == 256, ids.shape
    best = None
    for attn in ("eager", "sdpa"):
        torch.manual_seed(1)
        model = BertLMHeadModel.from_pretrained(MODEL, is_decoder=True, attn_implementation=attn).eval()

        def run():
            with torch.no_grad():
                out = model.generate(ids, attention_mask=torch.ones_like(ids), num_beams=5, max_new_tokens=new_tokens,
                                     min_new_tokens=new_tokens, do_sample=False, use_cache=True,
                                     eos_token_id=tok.sep_token_id, pad_token_id=tok.pad_token_id)
            assert out.shape[1] == 256 + new_tokens, out.shape
        ms = median_ms(run, repeat) / new_tokens
        if best is None or ms < best[0]:
            best = (ms, attn)
    emit("qg-decode", {"passage": 256, "num_beams": 5, "new_tokens": new_tokens}, best[0],
         {"attn": best[1], "transformers": transformers.__version__})


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("name", choices=["qg-decode"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    qg_decode(a.repeat)
