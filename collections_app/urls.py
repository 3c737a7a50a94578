from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import metrics, views

api_v1 = [
    path("", include("cases.api_urls")),
    path("", include("compliance.api_urls")),
    path("", include("messaging.api_urls")),
    path("", include("calls.api_urls")),
    path("", include("escalation.api_urls")),
    path("", include("supervision.api_urls")),
    path("", include("configuration.api_urls")),
    path("", include("imports.api_urls")),
    path("", include("integrations.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("collector/", views.collector_home, name="home-collector"),
    path("supervisor/", views.supervisor_home, name="home-supervisor"),
    path("configuration/", views.admin_home, name="home-admin"),
    path("", include("calls.urls")),
    path("supervisor/", include("supervision.urls")),
    path("configuration/", include("configuration.urls")),
    path("imports/", include("imports.urls")),
    path("", include("portal.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # A browser page: the anonymous are sent to the login, not answered 401.
        login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The API's error body for unmatched /api/ URLs and crashes (HTML pages elsewhere).
handler404 = "core.api_errors.page_not_found"
handler500 = "core.api_errors.server_error"
