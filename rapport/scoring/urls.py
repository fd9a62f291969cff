"""Routes of the lead-scoring model screen; included before the generated record screens."""

from django.urls import path

from rapport.scoring import views

app_name = "scoring"
urlpatterns = [
    path("lead-scoring/", views.model_page, name="model"),
    path("lead-scoring/train/", views.model_train, name="train"),
]
