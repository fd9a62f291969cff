"""Routes of the order page's status buttons; included before the generated screens."""

from django.urls import path

from rapport.orders import views

app_name = "orders"
urlpatterns = [
    path("orders/<int:pk>/status/", views.order_status, name="status"),
]
