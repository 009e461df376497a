"""The people API under ``/api/v1/people/`` (house rule 9): input serializer → service → output
serializer; reads through the region-scoped selectors (outside the caller's region answers 404 like a
record that does not exist; own region without the permission 403; anonymous 401)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.views import DETAIL_ERRORS, E404, LIST_ERRORS, WRITE_ERRORS, ApiView, parse_input, path_id
from kejiju.core.errors import RowErrors
from kejiju.people import selectors, services
from kejiju.people.api.serializers import (
    PersonCreateSerializer,
    PersonDetailSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    TalentCategorySerializer,
    TalentSerializer,
)
from kejiju.people.filters import PersonFilter, TalentFilter
from kejiju.people.models import Person, TalentCategory

TAGS = ["人才库"]


def _person_or_404(request: Request, pk: str) -> Person:
    return selectors.person_get(user=request.user, pk=path_id(pk, "人员不存在。"))


def _service_data(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "region" in values:
        values["region"] = values["region"].code if values["region"] is not None else ""
    if values.get("organization"):
        from kejiju.orgs.selectors import organization_get

        try:
            organization_get(user=request.user, pk=values["organization"])
        except Http404:
            raise RowErrors({"organization": ["所选工作单位不存在。"]}) from None
    return values


def _detail(request: Request, person: Person) -> dict[str, Any]:
    person = selectors.person_get(user=request.user, pk=person.pk)
    return dict(PersonDetailSerializer(person, context={"request": request}).data)


class PersonListView(ApiView):
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    required_perms = {"GET": "people.view_person", "POST": "people.add_person"}

    def get_queryset(self) -> Any:
        return (
            Person.objects.restrict(self.request.user, "people.view_person")
            .select_related("region", "organization")
            .order_by("name", "pk")
        )

    @extend_schema(
        operation_id="people_persons_list",
        tags=TAGS,
        summary="人员列表",
        description="当前工作区划内的人员（默认不含已归档）；可按关键词（姓名、拼音首字母、电话、完整证件号码）、区划、学历、"
        "职称级别、人才类别筛选。无修改权限者看到的证件号码中间以 * 遮盖。",
        responses={200: PersonSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(PersonSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="people_persons_create",
        tags=TAGS,
        summary="登记人员",
        description="在您的管辖区划内登记一个人员。证件号码已登记、身份证号码校验不通过、护照号码格式不对等答 400，"
        "errors 给出每个字段的中文原因，不做任何修改。",
        request=PersonCreateSerializer,
        responses={201: PersonDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(PersonCreateSerializer, request)
        person = services.person_create(actor=request.user, data=_service_data(request, data))
        return Response(_detail(request, person), status=status.HTTP_201_CREATED)


_ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="人员 id。")


class PersonDetailView(ApiView):
    serializer_class = PersonDetailSerializer
    required_perms = {"GET": "people.view_person", "PATCH": "people.change_person"}

    def get_queryset(self) -> Any:
        return Person.objects.none()

    @extend_schema(
        operation_id="people_persons_retrieve",
        tags=TAGS,
        summary="人员详情",
        parameters=[_ID_PARAM],
        description="一个人员及其人才类别、荣誉和在各模块中的角色；不存在或不在管辖范围内都答 404。",
        responses={200: PersonDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(_detail(request, _person_or_404(request, id)))

    @extend_schema(
        operation_id="people_persons_partial_update",
        tags=TAGS,
        summary="修改人员",
        parameters=[_ID_PARAM],
        description="修改人员信息；未提供的字段保持不变。",
        request=PersonUpdateSerializer,
        responses={200: PersonDetailSerializer, **WRITE_ERRORS, 404: E404},
    )
    def patch(self, request: Request, id: str) -> Response:
        person = _person_or_404(request, id)
        data = parse_input(PersonUpdateSerializer, request)
        person = services.person_update(actor=request.user, person=person, data=_service_data(request, data))
        return Response(_detail(request, person))


class TalentListView(ApiView):
    serializer_class = TalentSerializer
    filterset_class = TalentFilter
    required_perms = {"GET": "people.view_talentmembership"}

    def get_queryset(self) -> Any:
        return selectors.talent_list(user=self.request.user).order_by("category__order", "person__name", "pk")

    @extend_schema(
        operation_id="people_talents_list",
        tags=TAGS,
        summary="人才库",
        description="在库的人才入库记录（一人属多个类别时每类一行），可按关键词、类别、区划、入选年度筛选。",
        responses={200: TalentSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TalentSerializer(page, many=True).data)


class CategoryListView(ApiView):
    serializer_class = TalentCategorySerializer
    required_perms = {"GET": "people.view_talentcategory"}
    pagination_class = None

    def get_queryset(self) -> Any:
        return TalentCategory.objects.all()

    @extend_schema(
        operation_id="people_categories_list",
        tags=TAGS,
        summary="人才类别",
        description="全部人才类别（含停用的）。",
        responses={200: TalentCategorySerializer(many=True), 401: DETAIL_ERRORS[401], 403: DETAIL_ERRORS[403]},
    )
    def get(self, request: Request) -> Response:
        return Response(TalentCategorySerializer(selectors.talent_categories(), many=True).data)
