"""Class pages: start a class, join one, the teacher's page and the student's page.

Both class pages are the sandbox page (templates/visualizer/sandbox.html) with the class's parts
added, and started by their own script with main.js `start()` (data-autostart="false"):
- the teacher's page is the owner's page of the class sandbox, with the join code, the Class tab
  (roster, follow / release / call back, questions, spotlight, end) and the teacher's socket;
- a following student's page is the read-only page of whatever the class looks at, fed by the
  student's class socket; once the teacher releases control, it is the owner's page of the
  student's own copy of the class sandbox.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cluster.models import CLASS_CODE_LENGTH, Class, ClassStudent
from cluster.selectors import cluster_get
from cluster.services.classes import (
    MAX_NAME,
    ClassError,
    class_create,
    class_get,
    class_join,
    class_student_copy,
    normalize_code,
)
from visualizer.access import claim, owner_cluster, visitor_id
from visualizer.classes_access import class_or_404, remember_student, session_student, teacher_required
from visualizer.lesson_payload import lesson_context
from visualizer.views import sandbox_forms, sandbox_info
from visualizer.views_kubectl import sandbox_tools


def join_url(request: HttpRequest, klass: Class) -> str:
    return request.build_absolute_uri(reverse("class-join-code", kwargs={"code": klass.code}))


def class_context(request: HttpRequest, klass: Class) -> dict:
    return {
        "code": klass.code,
        "code_spaced": f"{klass.code[:3]} {klass.code[3:]}",
        "join_url": join_url(request, klass),
        "join_host": request.build_absolute_uri(reverse("class-join")).split("://", 1)[-1].rstrip("/"),
        "lesson": klass.lesson,
        "ended": klass.ended_at is not None,
    }


# --- starting --------------------------------------------------------------------------------------


@require_POST
def class_new(request: HttpRequest) -> HttpResponse:
    """Start a class from the landing page (a new kubia sandbox) or from a sandbox this browser owns."""
    sandbox = None
    if request.POST.get("sandbox"):
        sandbox, _how = owner_cluster(request, request.POST["sandbox"])
        if sandbox is None:
            return HttpResponseBadRequest(_("You can start a class only with a sandbox of yours."))
    try:
        klass = class_create(sandbox=sandbox, owner=visitor_id(request.session))
    except ClassError as error:
        return HttpResponseBadRequest(error.message)
    claim(request.session, klass.sandbox)
    return redirect("class-teach", code=klass.code)


# --- joining ---------------------------------------------------------------------------------------


def _join_error(error: ClassError) -> str:
    return {
        "full": _("This class is full: it already has 200 students."),
        "ended": _("This class has ended."),
        "name": _("Type a name of 1 to %(n)d characters.") % {"n": MAX_NAME},
    }.get(error.code, error.message)


@require_http_methods(["GET", "POST"])
@ensure_csrf_cookie
def join(request: HttpRequest, code: str = "") -> HttpResponse:
    """Students join with the code and a display name; no account. A wrong code is a 404 (in the
    address) or a message next to the field (typed in)."""
    klass = class_or_404(code) if code else None
    errors: dict[str, str] = {}
    typed_code = normalize_code(request.POST.get("code", "")) if request.method == "POST" else ""
    name = request.POST.get("name", "") if request.method == "POST" else ""
    if klass is not None and request.method == "GET" and session_student(request.session, klass):
        return redirect("class-learn", code=klass.code)
    if request.method == "POST":
        if klass is None:
            klass = class_get(code=typed_code)
            if klass is None:
                errors["code"] = (_("A class code has %(n)d letters and digits.") % {"n": CLASS_CODE_LENGTH}
                                  if len(typed_code) != CLASS_CODE_LENGTH else
                                  _("No class has this code. Check the code on the teacher's screen."))
        if klass is not None:
            try:
                student = class_join(klass=klass, name=name)
            except ClassError as error:
                errors["code" if error.code in ("full", "ended") else "name"] = _join_error(error)
            else:
                remember_student(request.session, student, klass.code)
                return redirect("class-learn", code=klass.code)
    status = 404 if "code" in errors and klass is None else (409 if errors.get("code") else (400 if errors else 200))
    return render(request, "visualizer/class_join.html", {
        "klass": klass, "code": klass.code if klass else typed_code, "name": name, "errors": errors,
        "max_name": MAX_NAME, "code_length": CLASS_CODE_LENGTH,
    }, status=status)


# --- the teacher's page ----------------------------------------------------------------------------


@require_safe
@ensure_csrf_cookie
@teacher_required
def teach(request: HttpRequest, code: str) -> HttpResponse:
    klass: Class = request.klass  # type: ignore[attr-defined]
    cluster = klass.sandbox
    return render(request, "visualizer/class_teacher.html", {
        "cluster": sandbox_info(request, cluster, owner=True),
        "role": "owner",
        "ws_url": f"/ws/clusters/{cluster.pk}/",
        "api_base": reverse("api-sandbox", kwargs={"cluster_id": cluster.pk}),
        "forms": sandbox_forms(cluster),
        "tools": sandbox_tools(cluster),
        "lesson": lesson_context(cluster),  # a lesson's class: its column, as on the lesson's page
        "class": class_context(request, klass),
        "class_api": reverse("api-class", kwargs={"code": klass.code}),
        "class_ws": f"/ws/classes/{klass.code}/teacher/",
    })


# --- the student's page ----------------------------------------------------------------------------


def _student_or_join(request: HttpRequest, klass: Class) -> ClassStudent | HttpResponse:
    student = session_student(request.session, klass)
    return student if student is not None else redirect("class-join-code", code=klass.code)


@require_safe
@ensure_csrf_cookie
def learn(request: HttpRequest, code: str) -> HttpResponse:
    klass = class_or_404(code)
    student = _student_or_join(request, klass)
    if isinstance(student, HttpResponse):
        return student
    context = {"class": class_context(request, klass), "student": student,
               "class_ws": f"/ws/classes/{klass.code}/"}
    released = not klass.follow and klass.ended_at is None
    copy = None
    if released:
        try:
            copy = class_student_copy(student=student, owner=visitor_id(request.session))
        except ClassError:
            released = False
    elif student.copy_id:
        copy = cluster_get(cluster_id=student.copy_id)
    if copy is not None:
        claim(request.session, copy)  # the student owns their copy: its page and API work for them
        context["copy_url"] = reverse("sandbox", kwargs={"cluster_id": copy.pk})
    if released and copy is not None:
        return render(request, "visualizer/class_student.html", {
            **context, "mode": "explore",
            "cluster": sandbox_info(request, copy, owner=True),
            "role": "owner",
            "ws_url": f"/ws/clusters/{copy.pk}/",
            "api_base": reverse("api-sandbox", kwargs={"cluster_id": copy.pk}),
            "forms": sandbox_forms(copy),
            "tools": sandbox_tools(copy),
            "lesson": lesson_context(copy),  # in a lesson, each student works through it in the copy
        })
    view = klass.sandbox
    return render(request, "visualizer/class_student.html", {
        **context, "mode": "follow",
        "cluster": {"id": str(view.pk), "name": view.name, "watch_url": "", "kubeconfig_url": ""},
        "role": "viewer",
        "ws_url": context["class_ws"],
        "api_base": "",
        "forms": {},
    })
