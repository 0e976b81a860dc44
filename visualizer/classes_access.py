"""Who may do what in a class. No accounts, as for sandboxes:

- the teacher is whoever owns the class sandbox: by the session (the page), or by
  `Authorization: Bearer <teacher token>` (the teacher token is the class sandbox's access token,
  so it also opens the sandbox, its API and its page; rotating the sandbox's tokens changes it, so
  checks compare with the sandbox's token of now, not with the one the class was made with);
- a student is whoever joined: the join page keeps the student's token in the (signed-cookie)
  session; a script's socket gives it back as `?student=<token>`;
- anybody with the code may join; a wrong code is a 404.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from cluster.models import Class, ClassStudent
from cluster.services.classes import class_get, class_student_by_token
from visualizer.access import bearer_token, claim, csrf_failure, owned_cluster_ids

SESSION_STUDENTS = "class_students"  # {code: student token}
MAX_JOINED = 10  # classes a browser remembers being a student of (the cookie is small)

View = Callable[..., HttpResponse]


def same_token(given: str, expected: str) -> bool:
    return bool(given) and bool(expected) and secrets.compare_digest(given.encode(), expected.encode())


def teaches(session: SessionBase, klass: Class) -> bool:
    return str(klass.sandbox_id) in owned_cluster_ids(session)


def remember_student(session: SessionBase, student: ClassStudent, code: str) -> None:
    joined = session.get(SESSION_STUDENTS)
    joined = {k: v for k, v in joined.items() if k != code} if isinstance(joined, dict) else {}
    joined[code] = student.token
    session[SESSION_STUDENTS] = dict(list(joined.items())[-MAX_JOINED:])


def session_student(session: SessionBase, klass: Class) -> ClassStudent | None:
    joined = session.get(SESSION_STUDENTS)
    token = joined.get(klass.code, "") if isinstance(joined, dict) else ""
    return class_student_by_token(klass=klass, token=token) if token else None


# --- pages --------------------------------------------------------------------------------------------


def class_or_404(code: str) -> Class:
    klass = class_get(code=code)
    if klass is None:
        raise Http404(_("No class has this code. Check the code on the teacher's screen."))
    return klass


def teacher_required(view: View) -> View:
    """The teacher page: the owner of the class sandbox. `?token=<teacher token>` once makes this
    browser the teacher (then the URL is shown without it); anyone else gets a 404 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        klass = class_or_404(code)
        token = request.GET.get("token", "")
        if request.method in ("GET", "HEAD") and token and same_token(token, klass.sandbox.access_token):
            claim(request.session, klass.sandbox)
            return HttpResponseRedirect(request.path)
        if not teaches(request.session, klass):
            raise Http404(_("Only the teacher of this class can open this page."))
        request.klass = klass  # type: ignore[attr-defined]
        return view(request, code, *args, **kwargs)

    return wrapper


# --- the JSON API -------------------------------------------------------------------------------------


class Teacher:
    """`request.user` of an authenticated class API request."""

    is_authenticated = True

    def __init__(self, klass: Class, via: str) -> None:
        self.klass, self.via = klass, via


class ClassTeacherAuthentication(BaseAuthentication):
    """Bearer teacher token, or the session of the class sandbox's owner (CSRF checked). A wrong
    code is a 404 before anything else."""

    def authenticate(self, request: Request) -> tuple[Teacher, str] | None:
        code = (request.parser_context or {}).get("kwargs", {}).get("code", "")
        klass = class_get(code=code)
        if klass is None:
            raise exceptions.NotFound(_("No class has the code %(code)s.") % {"code": str(code)[:12]})
        django_request = request._request
        token = bearer_token(django_request)
        if token:
            if not same_token(token, klass.sandbox.access_token):
                raise exceptions.AuthenticationFailed(_("This token is not the teacher token of this class."))
            return Teacher(klass, "bearer"), "bearer"
        if not teaches(django_request.session, klass):
            return None
        reason = csrf_failure(django_request)
        if reason:
            raise exceptions.PermissionDenied(reason)
        return Teacher(klass, "session"), "session"

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class IsTeacher(BasePermission):
    message = gettext_lazy("Only the teacher of this class may do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, Teacher)
