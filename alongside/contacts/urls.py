from django.urls import path

from alongside.contacts import views

app_name = "contacts"
urlpatterns = [
    path("engagements/<int:pk>/contacts/", views.contact_list, name="list"),
    path("engagements/<int:pk>/contacts/new/", views.contact_create, name="create"),
    path("contacts/<int:pk>/returned/", views.callback_returned, name="callback_returned"),
]
