"""A student's presence: counted per open screen, renewed by a lease, lapsed when a server process
died without closing the screens; the teacher's roster is told only when presence changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cluster.models import Class, ClassStudent, presence_lease
from cluster.selectors_classes import class_roster
from cluster.services import classes
from cluster.services.classes import (
    class_create,
    class_join,
    class_presence_renew,
    class_presence_sweep,
    class_student_connected,
)


@pytest.fixture
def told(monkeypatch) -> list[dict]:
    sent: list[dict] = []
    monkeypatch.setattr(classes, "_to_teacher", lambda klass, message: sent.append(message))
    return sent


@pytest.fixture
def ana(db) -> ClassStudent:
    return class_join(klass=class_create(seed=1), name="Ana")


def present(student: ClassStudent) -> bool:
    student.refresh_from_db()
    return student.present(timezone.now())


def age(student: ClassStudent, by: timedelta) -> None:
    ClassStudent.objects.filter(pk=student.pk).update(seen_at=timezone.now() - by)


def test_two_screens_leave_the_student_present_until_both_close(ana: ClassStudent, told: list[dict]) -> None:
    class_student_connected(student=ana, connected=True)
    class_student_connected(student=ana, connected=True)
    class_student_connected(student=ana, connected=False)
    assert present(ana) and ana.sockets == 1
    class_student_connected(student=ana, connected=False)
    assert not present(ana) and ana.sockets == 0
    assert [m["student"]["connected"] for m in told] == [True, False]  # only the changes


def test_a_lapsed_lease_is_absence_and_a_new_screen_counts_afresh(ana: ClassStudent, told: list[dict]) -> None:
    class_student_connected(student=ana, connected=True)
    age(ana, presence_lease() + timedelta(seconds=1))
    assert not present(ana)
    assert class_roster(klass=ana.klass)["connected"] == 0

    class_student_connected(student=ana, connected=True)  # the screen that was lost is not counted
    assert present(ana) and ana.sockets == 1
    class_student_connected(student=ana, connected=False)
    assert not present(ana)


def test_renewing_keeps_an_open_screen_present(ana: ClassStudent) -> None:
    class_student_connected(student=ana, connected=True)
    age(ana, presence_lease() - timedelta(seconds=1))
    class_presence_renew(student_ids=[ana.pk])
    age_now = timezone.now() - ClassStudent.objects.get(pk=ana.pk).seen_at
    assert age_now < timedelta(seconds=5) and present(ana)


def test_the_sweep_tells_the_teacher_once_about_each_lapsed_student(ana: ClassStudent, told: list[dict]) -> None:
    klass: Class = ana.klass
    bea = class_join(klass=klass, name="Bea")
    for student in (ana, bea):
        class_student_connected(student=student, connected=True)
    age(ana, presence_lease() + timedelta(seconds=1))
    told.clear()

    assert class_presence_sweep(klass=klass) == 1
    assert class_presence_sweep(klass=klass) == 0
    assert [(m["student"]["name"], m["student"]["connected"]) for m in told] == [("Ana", False)]
    assert ClassStudent.objects.get(pk=ana.pk).sockets == 0 and present(bea)
