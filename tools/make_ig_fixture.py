"""Golden fixture for integrated-gradients parity with captum (tools venv only).

Builds a tiny randomly initialised BertForSequenceClassification (seed 0, vocab of 64 words, hidden 32,
2 layers), saves it with safetensors to Tests/Fixtures/ig_tiny_bert/ (config.json, model.safetensors,
vocab.txt) so the Swift test loads the same weights, and runs captum's LayerIntegratedGradients on
`bert.embeddings.word_embeddings` with the [CLS] [PAD]… [SEP] reference, target = logit of class 1,
50 Gauss–Legendre steps. Writes per-token attribution sums (over the hidden size), F(x), F(x̄) and
captum's convergence delta to Tests/Fixtures/ig_captum.json.

Usage: $KEXUE_HOME/venv-tools/bin/python tools/make_ig_fixture.py
"""
import json, os

import captum
import torch
import transformers
from captum.attr import LayerIntegratedGradients
from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures")
model_dir = os.path.join(root, "ig_tiny_bert")
os.makedirs(model_dir, exist_ok=True)

words = ("the a movie film is was not very good bad great awful dull brilliant boring fun plot acting "
         "story and but of it this that with too funny slow sweet mess charming , . ! ' s un ##able "
         "##ly ##s enjoy love hate best worst long short warm cold smart dumb laugh cry end start "
         "heart").split()
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
vocab = vocab[:64] + [f"[unused{i}]" for i in range(64 - len(vocab))] if len(vocab) < 64 else vocab[:64]
with open(os.path.join(model_dir, "vocab.txt"), "w") as f:
    f.write("\n".join(vocab) + "\n")

torch.manual_seed(0)
config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=64, max_position_embeddings=32, type_vocab_size=2, num_labels=2,
                    hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                    initializer_range=0.2, id2label={0: "negative", 1: "positive"},
                    label2id={"negative": 0, "positive": 1})
model = BertForSequenceClassification(config).eval()
model.save_pretrained(model_dir, safe_serialization=True)

tok = BertTokenizer(os.path.join(model_dir, "vocab.txt"), do_lower_case=True)
sentences = ["The movie was not very good, but the acting is brilliant!",
             "a dull , boring mess .",
             "Charming and funny: the best film with a warm heart."]
steps, target = 50, 1


def forward(ids):
    return model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits


lig = LayerIntegratedGradients(forward, model.bert.embeddings.word_embeddings)
cases = []
for s in sentences:
    ids = tok(s, return_tensors="pt")["input_ids"]
    ref = torch.full_like(ids, tok.pad_token_id)
    ref[0, 0], ref[0, -1] = tok.cls_token_id, tok.sep_token_id
    attr, delta = lig.attribute(ids, baselines=ref, target=target, n_steps=steps, method="gausslegendre",
                                return_convergence_delta=True)
    with torch.no_grad():
        fx, fb = forward(ids)[0, target].item(), forward(ref)[0, target].item()
    cases.append({"text": s, "ids": ids[0].tolist(), "token_scores": attr[0].sum(-1).tolist(),
                  "f_input": fx, "f_baseline": fb, "delta": delta.item()})

out = {"target": target, "steps": steps, "method": "gaussLegendre", "layer": "bert.embeddings.word_embeddings",
       "baseline": "padReference", "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                                                "captum": captum.__version__}, "cases": cases}
with open(os.path.join(root, "ig_captum.json"), "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps({c["text"]: c["delta"] for c in out["cases"]}))
