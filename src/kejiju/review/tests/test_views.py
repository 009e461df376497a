from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kejiju.core.testing.factories import role_user
from kejiju.core.testing.matrix import Endpoint, matrix_cases, run_matrix_case
from kejiju.review import services
from kejiju.review.models import Assignment, Expert
from kejiju.review.tests.factories import batch_data, id_number, install_source, make_expert

pytestmark = pytest.mark.django_db


def _staff(code: str) -> Any:
    return role_user("bureau_staff", code, username="mk-%s-%s" % (code, id_number()[-6:]))


def _expert(code: str) -> Expert:
    return make_expert(_staff(code), region_code=code, name="矩阵专家")


def _batch(code: str) -> Any:
    source = install_source()
    source.add(1, title="矩阵评审项目")
    return services.batch_create(actor=_staff(code), data=batch_data(source, region=code, title="矩阵评审批次"))


ENDPOINTS = [
    Endpoint(
        "expert list",
        "review.view_expert",
        _expert,
        lambda o: reverse("review:expert_list"),
        detail=False,
        marker=lambda o: "矩阵专家",
    ),
    Endpoint("expert detail", "review.view_expert", _expert, lambda o: reverse("review:expert_detail", args=[o.pk])),
    Endpoint(
        "batch list",
        "review.view_reviewbatch",
        _batch,
        lambda o: reverse("review:batch_list"),
        detail=False,
        marker=lambda o: "矩阵评审批次",
    ),
    Endpoint("batch detail", "review.view_reviewbatch", _batch, lambda o: reverse("review:batch_detail", args=[o.pk])),
    Endpoint(
        "expert api list",
        "review.view_expert",
        _expert,
        lambda o: "/api/v1/review/experts/",
        kind="api",
        detail=False,
        marker=lambda o: "矩阵专家",
    ),
    Endpoint(
        "expert api detail", "review.view_expert", _expert, lambda o: "/api/v1/review/experts/%s/" % o.pk, kind="api"
    ),
    Endpoint(
        "batch api detail", "review.view_reviewbatch", _batch, lambda o: "/api/v1/review/batches/%s/" % o.pk, kind="api"
    ),
]


@pytest.fixture(autouse=True)
def _cleanup_source() -> Any:
    from kejiju.review import sources

    yield
    sources._sources.pop("testing.item", None)


@pytest.mark.parametrize("case", matrix_cases(ENDPOINTS), ids=str)
def test_permission_matrix(case: Any, client: Any) -> None:
    run_matrix_case(case, client)


def test_expert_pages_and_forms(client: Any, staff: Any) -> None:
    client.force_login(staff)
    response = client.post(reverse("review:expert_create"), {"name": "张三", "id_number": "123", "region": "341181"})
    assert (
        response.status_code == 400 and "证件号码" in response.content.decode() or "身份证" in response.content.decode()
    )
    assert not Expert.objects.exists()
    response = client.post(
        reverse("review:expert_create"),
        {"name": "张三", "id_number": id_number(), "region": "341181", "subjects": "520,510", "title": "教授"},
    )
    expert = Expert.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("review:expert_detail", args=[expert.pk])).content.decode()
    assert "520 " in page and "开通专家账号" in page
    response = client.post(reverse("review:expert_account", args=[expert.pk]), follow=True)
    assert "初始密码" in response.content.decode()
    response = client.post(reverse("review:expert_transition", args=[expert.pk]), {"action": "pause"}, follow=True)
    assert "理由" in response.content.decode()
    assert client.get(reverse("review:expert_list") + "?export=xlsx").status_code == 200


def test_public_application(client: Any, regions: Any) -> None:
    url = reverse("review:expert_apply")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "李四", "id_number": id_number(), "region": "341181", "subjects": "999"})
    assert response.status_code == 400 and not Expert.objects.exists()
    response = client.post(url, {"name": "李四", "id_number": id_number(), "region": "341181", "subjects": "210"})
    assert response.status_code == 200 and Expert.objects.get().status == "applied"


def test_batch_draw_and_expert_flow_through_pages(client: Any, staff: Any, source: Any) -> None:
    for i in range(2):
        source.add(i + 1)
    experts = [make_expert(staff) for _ in range(8)]
    for e in experts:
        user, _ = services.expert_account_create(actor=staff, expert=e)
        user.must_change_password = False
        user.save()
    client.force_login(staff)
    page = client.get(reverse("review:batch_create") + "?source_key=testing.item&kind=stage").content.decode()
    assert "测试项目1" in page
    response = client.post(
        reverse("review:batch_create"),
        {**{k: v for k, v in batch_data(source).items() if k != "refs"}, "refs": list(source.items)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch_url = response["Location"]
    batch_id = int(batch_url.rstrip("/").split("/")[-1])
    response = client.post(reverse("review:batch_draw", args=[batch_id]), {"nonce": "12"}, follow=True)
    assert "随机码" in response.content.decode()
    response = client.post(
        reverse("review:batch_draw", args=[batch_id]),
        {"nonce": "739182", "supervisor": "纪检监察组 王", "witnesses": "赵一、钱二"},
        follow=True,
    )
    assert "739182" in response.content.decode()
    a = Assignment.objects.filter(batch_id=batch_id, panel=True).select_related("expert__user").first()
    other = Assignment.objects.filter(batch_id=batch_id).exclude(expert=a.expert).exclude(panel=True).first()
    client.force_login(a.expert.user)
    assert a.item.title in client.get(reverse("review:my_list")).content.decode()
    page = client.get(reverse("review:my_detail", args=[a.pk])).content.decode()
    assert "机密研究内容" not in page
    response = client.post(reverse("review:my_detail", args=[a.pk]), {"op": "accept"})
    assert response.status_code == 400
    client.post(reverse("review:my_detail", args=[a.pk]), {"op": "accept", "declare": "on"})
    page = client.get(reverse("review:my_detail", args=[a.pk])).content.decode()
    assert "机密研究内容" in page
    crit = list(a.batch.criteria.all())
    data = {"op": "submit", "comment": "很好", "recommendation": "support"}
    data.update({"c-%s" % c.pk: str(c.weight - 5) for c in crit})
    client.post(reverse("review:my_detail", args=[a.pk]), data)
    a.refresh_from_db()
    assert a.status == "submitted"
    response = client.post(reverse("review:my_detail", args=[a.pk]), data)
    assert response.status_code == 400 and "已提交" in response.content.decode()
    # another expert's task: 404; staff pages: 403
    if other is not None:
        client.force_login(other.expert.user)
        assert client.get(reverse("review:my_detail", args=[a.pk])).status_code == 404
    assert client.get(reverse("review:batch_detail", args=[batch_id])).status_code == 403
    client.force_login(staff)
    page = client.get(reverse("review:batch_detail", args=[batch_id])).content.decode()
    assert "85.00" in page
    services.fee_save(actor=staff, region="341181", kind="stage", label="立项评审", per_review="300")
    assert client.get(reverse("review:batch_payments", args=[batch_id])).status_code == 200
