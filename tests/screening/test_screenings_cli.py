"""The ``screen`` command contract: JSONL/CSV in, one JSON line per record out, per-line errors that do not stop it."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from screening.engine import ALGORITHM_VERSION
from screening.models import Screening
from tests.screening import screenings_support as support
from tests.shared import shared_path

fresh_runtime = support.fresh_runtime
sample_lists = support.sample_lists

pytestmark = pytest.mark.django_db

MATCH_KEYS = {"entity", "score", "name", "source", "topics", "explanation"}


def run(tmp_path: Path, lines: list[str], *args: str, suffix: str = ".jsonl") -> tuple[list[dict], str]:
    source = tmp_path / f"in{suffix}"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    err = StringIO()
    call_command("screen", "--input", str(source), "--output", str(target), *args, stdout=StringIO(), stderr=err)
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()], err.getvalue()


def test_each_input_line_gets_one_output_line_with_explained_matches_best_first(sample_lists, tmp_path):
    out, _ = run(
        tmp_path,
        [
            json.dumps({"id": "a1", "name": "Ivan Petrovich Obraztsov", "schema": "Person", "birth_date": "1965"}),
            json.dumps({"id": "a2", "name": "Margaret Thistlewood"}),
            json.dumps({"id": "a3", "name": "Fictional Shipping Limited", "schema": "Organization"}),
        ],
    )
    assert [line["id"] for line in out] == ["a1", "a2", "a3"]
    assert set(out[0]) == {"id", "matches"}
    best = out[0]["matches"][0]
    assert set(best) == MATCH_KEYS
    assert best["entity"] == "demo_un:KPi.901"
    assert best["source"] == "demo_un"
    assert 0.0 <= best["score"] <= 1.0
    assert best["explanation"]["algorithm_version"] == ALGORITHM_VERSION
    assert best["explanation"]["features"][0]["feature"] == "name"
    scores = [m["score"] for m in out[0]["matches"]]
    assert scores == sorted(scores, reverse=True)
    assert out[1]["matches"] == []
    assert out[2]["matches"][0]["entity"] == "demo_ofac:990002"
    assert Screening.objects.filter(channel="cli").count() == 3


def test_bad_lines_get_a_per_line_error_and_do_not_stop_the_run(sample_lists, tmp_path):
    out, err = run(
        tmp_path,
        [
            json.dumps({"id": "ok1", "name": "Ivan Obraztsov"}),
            json.dumps({"id": "empty", "name": "  "}),
            "{not json",
            json.dumps({"id": "long", "name": "x" * 10_000}),
            json.dumps({"id": "emoji", "name": "Ivan 🚀"}),
            json.dumps({"id": "ctrl", "name": "Ivan\u0000Obraztsov"}),
            json.dumps({"id": "date", "name": "Ivan Obraztsov", "birth_date": "yesterday"}),
            json.dumps(["a", "list"]),
            "",
            json.dumps({"id": "ok2", "name": "Juana Muestra Garcia"}),
        ],
    )
    assert [line["id"] for line in out] == ["ok1", "empty", None, "long", "emoji", "ctrl", "date", None, "ok2"]
    errors = {line["id"] or f"line{line['error']['line']}": line["error"] for line in out if "error" in line}
    assert errors["empty"]["field"] == "name"
    assert errors["line3"]["field"] == "record"
    assert "longer than" in errors["long"]["message"]
    assert "emoji" in errors["emoji"]["message"]
    assert "control" in errors["ctrl"]["message"]
    assert errors["date"]["field"] == "birth_date"
    assert errors["line8"]["field"] == "subject"
    assert all(line["matches"] == [] for line in out if "error" in line)
    assert out[0]["matches"] and out[-1]["matches"]
    assert "line 2: name:" in err
    assert "2 record(s) screened, 7 refused" in err


def test_csv_input_with_the_same_columns_is_accepted(sample_lists, tmp_path):
    out, _ = run(
        tmp_path,
        [
            "id,name,schema,birth_date,countries,identifiers",
            'c1,"OBRAZTSOV, Ivan",Person,1965-04-12,RU,',
            "c2,Juana Muestra Garcia,Person,,MX,curp:MUGJ600101MSLSRN00",
            "c3,,Person,,,",
        ],
        suffix=".csv",
    )
    assert [line["id"] for line in out] == ["c1", "c2", "c3"]
    assert out[0]["matches"][0]["entity"] == "demo_un:KPi.901"
    assert out[1]["matches"][0]["entity"] == "demo_ofac:990005"
    identifier = [f for f in out[1]["matches"][0]["explanation"]["features"] if f["feature"] == "identifier"]
    assert identifier and identifier[0]["contribution"] > 0
    assert out[2]["error"]["field"] == "name"


def test_threshold_and_sources_restrict_the_output(sample_lists, tmp_path):
    line = json.dumps({"id": "p", "name": "Petr Examplov"})
    everything, _ = run(tmp_path, [line])
    assert {m["source"] for m in everything[0]["matches"]} == {"demo_ofac"}
    only_un, _ = run(tmp_path, [line], "--sources", "demo_un")
    assert only_un[0]["matches"] == []
    strict, _ = run(tmp_path, [line], "--threshold", "0.999")
    assert all(m["score"] >= 0.999 for m in strict[0]["matches"])


def test_an_unknown_source_or_an_out_of_range_threshold_stops_before_screening(sample_lists, tmp_path):
    line = json.dumps({"id": "p", "name": "Petr Examplov"})
    with pytest.raises(CommandError, match="unknown source"):
        run(tmp_path, [line], "--sources", "demo_un,nowhere")
    with pytest.raises(CommandError, match="threshold"):
        run(tmp_path, [line], "--threshold", "2")
    assert Screening.objects.count() == 0


def test_without_any_active_list_the_command_refuses_instead_of_reporting_everyone_clear(db, fresh_runtime, tmp_path):
    with pytest.raises(CommandError, match="no watchlist"):
        run(tmp_path, [json.dumps({"id": "p", "name": "Petr Examplov"})])


def test_the_contract_holds_on_the_real_un_list(fresh_runtime, db, tmp_path):
    support.import_list("un_sc", "un-xml", shared_path("watchlists", "un", "UN_consolidated.xml"))
    out, _ = run(
        tmp_path,
        [
            json.dumps({"id": "exact", "name": "Eric Badege", "schema": "Person"}),
            json.dumps({"id": "reordered", "name": "BWAMBALE, Frank Kakolele"}),
            json.dumps({"id": "typo", "name": "Gaston Iyamuremye"[:-1] + "a"}),
            json.dumps({"id": "accents", "name": "Jerome Kakwavu Bukande"}),
            json.dumps({"id": "ordinary", "name": "Maria Fernanda Oliveira", "schema": "Person"}),
        ],
    )
    found = {line["id"]: [m["entity"] for m in line["matches"]] for line in out}
    assert found["exact"][0] == "un_sc:CDi.001"
    assert found["reordered"][0] == "un_sc:CDi.002"
    assert found["typo"][0] == "un_sc:CDi.003"
    assert found["accents"][0] == "un_sc:CDi.005"
    assert found["ordinary"] == []
