from __future__ import annotations

import subprocess
import sys

from indexer import analysis


def test_negations_survive_stop_word_removal() -> None:
    assert analysis.analyze("walking without a brace, not with one") == [
        "walk", "without", "brace", "not", "one"]
    assert "no" in analysis.analyze("no feeling below the injury")


def test_contractions_keep_their_negation() -> None:
    assert analysis.words("can't pee, won't heal, doesn't help") == [
        "not", "pee", "not", "heal", "not", "help"]


def test_accents_and_case_are_folded() -> None:
    assert analysis.words("Guillain–Barré RÉSUMÉ Ærosol") == [
        "guillain", "barre", "resume", "aerosol"]


def test_index_and_query_forms_meet_on_one_stem() -> None:
    assert analysis.analyze("spreading") == analysis.analyze("spread")
    assert analysis.analyze("Metastases") == analysis.analyze("metastasis")
    assert analysis.analyze("tumours") == analysis.analyze("tumor")
    assert analysis.analyze("randomised") == analysis.analyze("randomized")


def test_possessives_and_offsets() -> None:
    tokens = list(analysis.tokens("the patient's spine"))
    assert [(t.text, t.start, t.end) for t in tokens] == [
        ("the", 0, 3), ("patient", 4, 13), ("spine", 14, 19)]


def test_analysis_needs_no_downloaded_nltk_data(tmp_path: object) -> None:
    # A fresh interpreter where nltk can find no data at all and any download fails.
    code = (
        "import nltk, nltk.data\n"
        "nltk.data.path[:] = ['/nonexistent']\n"
        "def refuse(*a, **k): raise RuntimeError('download attempted')\n"
        "nltk.download = refuse\n"
        "from indexer import analysis\n"
        "print(analysis.analyze('injuries spreading'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"NLTK_DATA": "/nonexistent", "PATH": "/usr/bin"}, check=True)
    assert out.stdout.strip() == "['injuri', 'spread']"
