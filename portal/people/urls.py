from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("two-factor/", views.otp_verify, name="otp_verify"),
    path("two-factor/setup/", views.otp_setup, name="otp_setup"),
    path("password/", views.StaffPasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.password_reset_request, name="password_reset"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.StaffPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("contact/", views.contact_settings, name="contact"),
    path("contact/<int:pk>/confirm/<str:token>/", views.contact_confirm, name="contact_confirm"),
    path("contact/<int:pk>/cancel/<str:token>/", views.contact_cancel, name="contact_cancel"),
]
