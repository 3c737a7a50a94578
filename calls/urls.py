"""The collector's queue and the guided call (pages)."""

from django.urls import path

from . import views

urlpatterns = [
    path("work/", views.queue, name="work-queue"),
    path("work/next/", views.next_case, name="work-next"),
    path("cases/<str:reference>/call/start/", views.call_start, name="call-start"),
    path("cases/<str:reference>/call/step/", views.call_step, name="call-step"),
    path("cases/<str:reference>/call/log/", views.call_log, name="call-log"),
]
