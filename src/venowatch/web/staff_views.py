"""Staff pages (being built)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def worklist(request: HttpRequest) -> HttpResponse:
    raise Http404


def patient(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def add_procedure(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def add_lab(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def task_action(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
