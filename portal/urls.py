from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("s/<str:token>/", views.self_service, name="self-service"),
    path("s/<str:token>/promise/", views.self_service_promise, name="promise"),
    path("s/<str:token>/plan/", views.self_service_plan, name="plan"),
    path("s/<str:token>/dispute/", views.self_service_dispute, name="dispute"),
    path("s/<str:token>/preference/", views.self_service_preference, name="preference"),
    path(
        "s/<str:token>/preference/<int:pk>/withdraw/",
        views.self_service_preference_withdraw,
        name="preference-withdraw",
    ),
]
