"""Write tests/js/fixture_packed.json: fixture_kubia.json's objects packed by the server's code.

test_snapshotcodec.mjs unpacks `packed` and compares it with `objects`. One Service carries a
Korean annotation, so the fixture also proves the UTF-8 round trip. The objects are joined as
cluster/snapshots.py joins stored bodies (json.dumps per object, as the JSON column keeps
them). Run again after the packing changes:

    .venv/bin/python tests/js/make_fixture_packed.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "visualizer.settings")

import django  # noqa: E402

django.setup()

from cluster.snapshots import pack_objects  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    objects = json.loads((HERE / "fixture_kubia.json").read_text())["snapshot"]["objects"]
    objects["Service"][0]["metadata"].setdefault("annotations", {})["description"] = "파드로 가는 길"
    stored = "{" + ",".join(f'"{kind}":[{",".join(json.dumps(o) for o in items)}]'
                            for kind, items in objects.items()) + "}"
    fixture = {"objects": objects, "packed": pack_objects(stored)}
    (HERE / "fixture_packed.json").write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
