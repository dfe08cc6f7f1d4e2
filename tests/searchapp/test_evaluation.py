"""The evaluation harness: metrics, file formats, and the eval command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchapp import evaluation
from searchapp.cli import cli


def test_perfect_ranking_scores_one_everywhere() -> None:
    scores = evaluation.score_ranking(["a", "b"], {"a": 3, "b": 2}, relevant=2)
    assert scores == {"ndcg@10": 1.0, "mrr@10": 1.0, "recall@10": 1.0, "success@3": 1.0,
                      "judged@10": 1.0}


def test_metrics_on_a_known_ranking() -> None:
    scores = evaluation.score_ranking(["x", "y", "a", "z", "b"], {"a": 3, "b": 1}, relevant=2)
    ideal = 7 + 1 / math.log2(3)
    assert scores["ndcg@10"] == pytest.approx((7 / math.log2(4) + 1 / math.log2(6)) / ideal)
    assert scores["mrr@10"] == pytest.approx(1 / 3)
    assert scores["recall@10"] == 1.0  # only "a" has grade 2 or more
    assert scores["success@3"] == 1.0
    assert evaluation.score_ranking(["x"], {"a": 3}, relevant=2)["mrr@10"] == 0.0


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_known_item_file_holds_its_own_judgments(tmp_path: Path) -> None:
    path = _write(tmp_path, "ki.tsv", "qid\tquestion\tqtype\trelevant_doc_id(collection/doc_id)\n"
                  "q1\tWhat is X ?\tinformation\t2_GARD_QA/0000001\n")
    query_set = evaluation.load(path)
    assert query_set.qrels == {"q1": {"2-gard-qa-0000001": 1}}
    assert query_set.relevant_grade == 1


def test_bad_files_name_file_and_line(tmp_path: Path) -> None:
    queries = _write(tmp_path, "q.tsv", "qid\tquery\tq1\tbed sores\n")
    with pytest.raises(evaluation.EvalFileError, match="needs a 'qid' and a 'query'"):
        evaluation.load(_write(tmp_path, "bad.tsv", "qid\tquery\n\tno id\n"))
    queries = _write(tmp_path, "q.tsv", "qid\tquery\ttags\nq1\tbed sores\teveryday\n")
    qrels = _write(tmp_path, "r.tsv", "qid\tdoc_id\tgrade\nq1\tdoc\tthree\n")
    with pytest.raises(evaluation.EvalFileError, match=r"r.tsv:2: expected qid, doc_id"):
        evaluation.load(queries, qrels)
    empty = _write(tmp_path, "e.tsv", "qid\tdoc_id\tgrade\n")
    with pytest.raises(evaluation.EvalFileError, match="no judgments for 1 queries"):
        evaluation.load(queries, empty)


def test_eval_command_prints_full_and_baseline_scores(tmp_path: Path, built_index: Path) -> None:
    queries = _write(tmp_path, "s.queries.tsv", "qid\tquery\ttags\n"
                     "q1\tleaks of urine\teveryday\nq2\tleeks of urine\tmisspelled,twin=q1\n")
    qrels = _write(tmp_path, "s.qrels.tsv", "qid\tdoc_id\tgrade\n"
                   "q1\t10-5555-test-0001\t3\nq2\t10-5555-test-0001\t3\n")
    result = CliRunner().invoke(cli, ["eval", str(queries), str(qrels), "--index-dir",
                                      str(built_index), "--baseline", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scores"]["full"]["all"]["queries"] == 2
    assert data["scores"]["full"]["all"]["mrr@10"] == 1.0
    assert data["scores"]["baseline"]["misspelled"]["mrr@10"] == 0.0  # no spelling fix
    assert data["misspelled_vs_twin_ndcg"]["full"] == 1.0
    text = CliRunner().invoke(cli, ["eval", str(queries), str(qrels), "--index-dir",
                                    str(built_index), "--baseline"]).stdout
    assert "full / baseline:" in text and "misspelled queries reach 100.0%" in text
