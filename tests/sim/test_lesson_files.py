"""The lesson files: every one in cluster/lessons/ loads, and a file with a mistake is refused with
the file and the field named. Pure: no database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cluster.sim.lessons.loader import LessonFileError, read_catalogue, read_lesson

LESSONS = Path(__file__).resolve().parents[2] / "cluster" / "lessons"
SCENARIOS = ("selector-typo", "wrong-target-port", "missing-named-port", "no-ready-pods",
             "local-policy-empty-node", "lb-pending", "wrong-namespace", "udp-vs-tcp")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_every_lesson_file_loads() -> None:
    files = sorted(LESSONS.glob("*.yaml"))
    catalogue = read_catalogue(LESSONS)
    assert sorted(catalogue) == sorted(f.stem for f in files)
    assert len(set(catalogue)) == len(files)


def test_the_broken_clusters_are_all_there_in_order() -> None:
    catalogue = read_catalogue(LESSONS)
    scenarios = [lesson for lesson in catalogue.values() if lesson.kind == "scenario"]
    assert [s.id for s in scenarios][: len(SCENARIOS)] == list(SCENARIOS)
    assert [catalogue[i].order for i in SCENARIOS] == [10, 20, 30, 40, 50, 60, 70, 80]
    # Lessons come first in the catalogue, scenarios after them.
    kinds = [lesson.kind for lesson in catalogue.values()]
    assert kinds == sorted(kinds, key=lambda k: k != "lesson")


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_a_scenario_has_symptom_request_and_cause_in_both_languages(scenario_id: str) -> None:
    scenario = read_lesson(LESSONS / f"{scenario_id}.yaml")
    assert scenario.kind == "scenario"
    assert scenario.request is not None and scenario.request.source and scenario.request.destination
    for text in (scenario.symptom, scenario.cause):
        assert text is not None and text.en and text.ko
    # Every sentence of ours is in Korean too, not an English copy.
    texts = [scenario.title, scenario.summary, scenario.symptom, scenario.cause, scenario.done]
    for step in scenario.steps:
        texts += [step.title, step.do, step.hint, *(t for t in (step.look, step.why) if t is not None)]
        assert any(c.name != "looked_at" for c in scenario.steps[-1].checks)
    for text in texts:
        assert HANGUL.search(text.ko), text.ko
        assert text.en != text.ko


# Words that would give the cause away before the learner asks for it.
GIVEAWAYS = {
    "selector-typo": ("kubai", "selector", "typo", "셀렉터", "오타"),
    "wrong-target-port": ("targetport", "8080"),
    "missing-named-port": ("web", "named", "port name", "포트 이름"),
    "no-ready-pods": ("readiness", "not ready", "probe", "프로브", "준비되지"),
    "local-policy-empty-node": ("local", "externaltrafficpolicy", "정책"),
    "lb-pending": ("pool", "풀"),
    "wrong-namespace": ("shop", "namespace", "네임스페이스"),
    "udp-vs-tcp": ("udp", "protocol", "프로토콜"),
}


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_the_cause_is_not_given_away_before_it_is_asked_for(scenario_id: str) -> None:
    scenario = read_lesson(LESSONS / f"{scenario_id}.yaml")
    for text in (scenario.title, scenario.summary, scenario.symptom):
        for language in ("en", "ko"):
            for word in GIVEAWAYS[scenario_id]:
                assert word not in text.get(language).lower(), (word, text.get(language))


# --- files with a mistake ---------------------------------------------------------------------------

VALID = """\
id: broken
kind: scenario
order: 90
preset: kubia
title: {en: Broken, ko: 고장}
summary: {en: Something is broken., ko: 무언가 고장 났습니다.}
symptom: {en: It is refused., ko: 거부됩니다.}
request: {source: external, destination: "{nodeIP:any}:30123"}
cause: {en: A reason., ko: 이유.}
steps:
  - id: fix
    title: {en: Fix it, ko: 고치기}
    do: {en: Fix it., ko: 고치세요.}
    hint: {en: Look., ko: 보세요.}
    check:
      - service: {name: kubia, readyEndpoints: 1}
    show:
      - console: kubectl apply -f kubia-svc.yaml
done: {en: Done., ko: 끝.}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_valid_example_loads(tmp_path: Path) -> None:
    lesson = read_lesson(write(tmp_path, VALID))
    assert lesson.id == "broken" and lesson.steps[0].checks[0].params == {"name": "kubia", "ready_endpoints": 1}


SECOND_STEP = """\
  - id: fix
    title: {en: Again, ko: 다시}
    do: {en: Again., ko: 다시 하세요.}
    hint: {en: Look., ko: 보세요.}
    check:
      - looked_at: {kind: Pod}
    show:
      - console: kubectl get pods
done:"""


@pytest.mark.parametrize(("old", "new", "where", "message"), [
    ("- service: {name: kubia, readyEndpoints: 1}", "- servise: {name: kubia}",
     "steps[0].check[0]", 'unknown check "servise"'),
    ("{name: kubia, readyEndpoints: 1}", "{name: kubia, readyEndpoint: 1}",
     "steps[0].check[0].service", 'unknown parameter "readyEndpoint"'),
    ("{name: kubia, readyEndpoints: 1}", "{name: kubia, readyEndpoints: one}",
     "steps[0].check[0].service.readyEndpoints", "must be int"),
    ("{name: kubia, readyEndpoints: 1}", "{name: kubia, externalIp: 'yes'}",
     "steps[0].check[0].service.externalIp", "must be bool"),
    ("do: {en: Fix it., ko: 고치세요.}", "do: {en: Fix it., ko: ''}", "steps[0].do.ko", "must be a non-empty string"),
    ("- console: kubectl apply -f kubia-svc.yaml", "- console: curl {clusterIp:kubia}",
     "steps[0].show[0].console", 'unknown placeholder "{clusterIp:…}"'),
    ("done:", SECOND_STEP, "steps[1].id", '"fix" is used twice'),
    ("cause: {en: A reason., ko: 이유.}\n", "", "cause", "is required for a scenario"),
    ("- console: kubectl apply -f kubia-svc.yaml", "- apply: 'kind: [Service'",
     "steps[0].show[0].apply", "is not valid YAML"),
    ("- service: {name: kubia, readyEndpoints: 1}", "- reachable_everywhere: {}",
     "steps[0].check[0].reachable_everywhere.service", "is required"),
    ("order: 90", "order: ninety", "order", "must be a whole number"),
])
def test_a_mistake_is_refused_with_the_file_and_field_named(
    tmp_path: Path, old: str, new: str, where: str, message: str
) -> None:
    assert old in VALID
    with pytest.raises(LessonFileError) as caught:
        read_lesson(write(tmp_path, VALID.replace(old, new, 1)))
    assert caught.value.source == "broken.yaml"
    assert caught.value.where == where
    assert str(caught.value).startswith(f"broken.yaml: {where}: ")
    assert message in str(caught.value)


# The scenario's own top-level fields (symptom, request, cause).
SCENARIO_FIELDS = [
    ("cause: {en: A reason., ko: 이유.}", "cause: {en: A reason.}", "cause.ko", "is required"),
    ('destination: "{nodeIP:any}:30123"', 'destination: "{nodeIp:any}:30123"',
     "request.destination", 'unknown placeholder "{nodeIp:…}"'),
    ("request: {source: external, ", "request: {", "request.source", "is required"),
    ("symptom: {en: It is refused., ko: 거부됩니다.}", "symptom: It is refused.", "symptom", "must be a mapping"),
]


@pytest.mark.parametrize(("old", "new", "where", "message"), SCENARIO_FIELDS)
def test_a_mistake_in_a_scenario_field_is_refused_with_the_field_named(
    tmp_path: Path, old: str, new: str, where: str, message: str
) -> None:
    assert old in VALID
    with pytest.raises(LessonFileError) as caught:
        read_lesson(write(tmp_path, VALID.replace(old, new, 1)))
    assert caught.value.source == "broken.yaml"
    assert caught.value.where.removeprefix(".") == where
    assert message in str(caught.value)


def test_scenario_fields_are_named_like_the_others(tmp_path: Path) -> None:
    with pytest.raises(LessonFileError) as caught:
        read_lesson(write(tmp_path, VALID.replace("cause: {en: A reason., ko: 이유.}", "cause: {en: A reason.}")))
    assert caught.value.where == "cause.ko"


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LessonFileError) as caught:
        read_lesson(write(tmp_path, VALID.replace("steps:", "steps: [", 1)))
    assert caught.value.source == "broken.yaml"
    assert "cannot be read" in str(caught.value)


def test_one_bad_file_refuses_the_whole_catalogue(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "other.yaml").write_text(VALID.replace("id: broken", "id: other").replace("ko: 고장", "en: again"),
                                         encoding="utf-8")
    with pytest.raises(LessonFileError, match=r"^other\.yaml: title"):
        read_catalogue(tmp_path)


def test_the_readme_example_lesson_loads(tmp_path: Path) -> None:
    """The README shows how to write a lesson: its example must be a valid file."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("### Writing a lesson", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "my-nodeport.yaml"
    path.write_text(example, encoding="utf-8")
    lesson = read_lesson(path)
    assert lesson.id == "my-nodeport" and [s.id for s in lesson.steps] == ["create"]
