"""Score (query, candidate) name pairs with nomenklatura's logic-v2 (runs in benchmarks/.venv).

Input JSON lines on stdin: {"schema": FtM schema, "query": name, "candidate": name,
"birth_date": optional}; output: one score per line, in order. Used by quality.py, which runs
it as a subprocess because nomenklatura is a benchmark-only dependency.
"""

from __future__ import annotations

import json
import sys

from followthemoney import model
from nomenklatura.matching import get_algorithm


def main() -> None:
    algorithm = get_algorithm("logic-v2")
    assert algorithm is not None
    config = algorithm.default_config()
    # nomenklatura caches name analysis per entity id: every entity needs its own id.
    for number, line in enumerate(sys.stdin):
        item = json.loads(line)
        schema = item.get("schema") or "LegalEntity"
        query = model.make_entity(schema)
        query.id = f"q{number}"
        query.add("name", item["query"])
        result = model.make_entity(item.get("candidate_schema") or schema)
        result.id = f"r{number}"
        result.add("name", item["candidate"])
        if item.get("birth_date") and query.schema.is_a("Person"):
            query.add("birthDate", item["birth_date"])
        score = algorithm.compare(query, result, config).score
        sys.stdout.write(f"{score:.6f}\n")


if __name__ == "__main__":
    main()
