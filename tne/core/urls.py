from django.urls import path

from . import views, views_messages

app_name = "core"

urlpatterns = [
    path("favicon.ico", views.favicon),
    path("mentions-legales/", views.legal, name="legal"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("traitements/<int:job_id>/", views.job_detail, name="job_detail"),
    path("messages-envoyes/", views_messages.message_list, name="messages"),
]
