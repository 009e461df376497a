import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_is_chinese(client):
    response = client.get(reverse("core:login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_home_counts_own_region(client, regions, make_user):
    user = make_user("bureau_staff", "341181")
    client.force_login(user)
    body = client.get(reverse("core:home")).content.decode()
    assert "天长市" in body
