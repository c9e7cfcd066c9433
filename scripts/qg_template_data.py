#!/usr/bin/env python3
"""A synthetic SQuAD v1.1 file for the UniLM template task (METHODS.md §4(d)[E]): short biographies,
four question templates, answers that are passage spans. Deterministic (seeded).

    python3 scripts/qg_template_data.py OUT.json [--passages 2000] [--seed 1]
"""
import argparse, json, random

FIRST = "anna boris chen dara emil fatima goran hana ivan julia kofi lena marco nadia oscar priya quentin rosa samir tara".split()
LAST = "adler brandt costa diaz eriksen fischer garcia horvat ito jensen kowalski lindqvist moreau novak okafor petrov".split()
CITY = "lisbon krakow osaka nairobi lima oslo tunis hanoi quito porto riga accra dublin perth bergen".split()
SUBJECT = "physics chemistry history music law medicine geology economics biology philosophy".split()
SCHOOL = "harvard oxford yale princeton stanford cambridge columbia cornell".split()


def record(rng, i):
    name = f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}"
    city, year = rng.choice(CITY).title(), str(rng.randint(1900, 1999))
    subject, school = rng.choice(SUBJECT), rng.choice(SCHOOL).title()
    context = f"{name} was born in {city} in {year}. Later {name} studied {subject} at {school}."
    qas = []
    for j, (q, a) in enumerate([(f"Where was {name} born?", city), (f"When was {name} born?", year),
                                (f"What did {name} study?", subject), (f"Where did {name} study?", school)]):
        start = context.index(a) if a != city else context.index(f"in {city}") + 3
        qas.append({"id": f"t{i}-{j}", "question": q, "answers": [{"text": a, "answer_start": start}]})
    return {"context": context, "qas": qas}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--passages", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    data = {"version": "template", "data": [{"title": "template", "paragraphs": [record(rng, i) for i in range(a.passages)]}]}
    json.dump(data, open(a.out, "w"))
