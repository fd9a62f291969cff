"""Routes of web forms: the public hosted page and the staff screens of a form."""

from django.urls import path

from rapport.webforms import views

app_name = "webforms"
urlpatterns = [
    path("f/<slug:slug>/", views.hosted_form, name="hosted"),
    path("web-form-submissions/", views.overview, name="overview"),
    path("web-forms/<int:pk>/embed/", views.embed, name="embed"),
    path("web-forms/<int:pk>/submissions/", views.submissions, name="submissions"),
    path(
        "web-forms/<int:pk>/submissions/<int:submission_id>/accept/",
        views.submission_accept,
        name="submission-accept",
    ),
]
