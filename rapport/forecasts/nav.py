"""The forecast page in the Analytics area."""

from django.utils.translation import gettext_lazy as _

from rapport.framework.ui.nav import NavLink, nav_link

nav_link(NavLink("analytics", _("Pipeline forecast"), "forecast-pipeline", order=20))
