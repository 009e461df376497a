"""/api/v1/ (to be completed)."""
urlpatterns: list = []
