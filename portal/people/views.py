from django.contrib.auth import views as auth_views

from .forms import StaffLoginForm


class StaffLoginView(auth_views.LoginView):
    template_name = "people/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


class StaffLogoutView(auth_views.LogoutView):
    pass
