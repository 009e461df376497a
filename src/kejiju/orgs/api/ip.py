"""The intellectual-property API under ``/api/v1/orgs/``: IP records (list, register, detail), the counts by
region and type, and custody agreements. Input serializer → service → output serializer; reads through the
region-scoped selectors (404 outside the region, 403 without the permission, 401 anonymous)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.serializers import MAX_ID, InputSerializer
from kejiju.core.api.views import DETAIL_ERRORS, LIST_ERRORS, WRITE_ERRORS, ApiView, parse_input, path_id
from kejiju.core.permissions import active_region_code
from kejiju.orgs import selectors, services
from kejiju.orgs.choices import IpStatus, IpType
from kejiju.orgs.models import IntellectualProperty, IpCustodyAgreement

TAGS = ["知识产权"]


class IpSerializer(serializers.ModelSerializer):
    """知识产权记录。"""

    ip_type_label = serializers.CharField(source="get_ip_type_display", read_only=True, help_text="类型名称。")
    status_label = serializers.CharField(source="get_status_display", read_only=True, help_text="状态名称。")
    organization_name = serializers.SerializerMethodField(help_text="单位权利人名称。")
    person_name = serializers.SerializerMethodField(help_text="个人权利人姓名。")
    region = serializers.CharField(source="region_id", read_only=True, help_text="所属区划代码。")
    status = serializers.CharField(read_only=True, help_text="状态：applied 申请中、granted 已授权、lapsed 已失效。")

    class Meta:
        model = IntellectualProperty
        fields = [
            "id",
            "ip_type",
            "ip_type_label",
            "ip_class",
            "title",
            "number",
            "applied_on",
            "granted_on",
            "status",
            "status_label",
            "organization",
            "organization_name",
            "person",
            "person_name",
            "owners",
            "region",
            "is_archived",
        ]
        read_only_fields = fields

    def get_organization_name(self, obj: IntellectualProperty) -> str:
        return obj.organization.name if obj.organization is not None else ""

    def get_person_name(self, obj: IntellectualProperty) -> str:
        return obj.person.name if obj.person is not None else ""


class IpCreateSerializer(InputSerializer):
    """登记知识产权：单位权利人（organization）与个人权利人（person_name + person_id_number）二选一。"""

    organization = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, label="单位 id")
    person_name = serializers.CharField(required=False, max_length=40, label="个人权利人姓名")
    person_id_number = serializers.CharField(required=False, max_length=32, label="个人权利人身份证号")
    ip_type = serializers.ChoiceField(choices=IpType.choices, label="类型")
    title = serializers.CharField(max_length=200, label="名称")
    number = serializers.CharField(max_length=40, label="申请号/登记号")
    applied_on = serializers.DateField(required=False, allow_null=True, label="申请日")
    granted_on = serializers.DateField(required=False, allow_null=True, label="授权日")
    status = serializers.CharField(
        required=False, max_length=10, label="状态", help_text="applied 申请中（默认）、granted 已授权、lapsed 已失效。"
    )
    owners = serializers.CharField(required=False, allow_blank=True, max_length=200, label="全部权利人")


class IpCountsSerializer(serializers.Serializer):
    """一个区划某年的专利申请量、授权量（按类型）与每万人数。"""

    code = serializers.CharField()
    name = serializers.CharField()
    applied = serializers.DictField(child=serializers.IntegerField())
    granted = serializers.DictField(child=serializers.IntegerField())
    applied_total = serializers.IntegerField()
    granted_total = serializers.IntegerField()
    population = serializers.IntegerField(allow_null=True)
    applied_per_10k = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    granted_per_10k = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class CustodySerializer(serializers.ModelSerializer):
    """知识产权托管协议。"""

    provider_name = serializers.CharField(source="provider.name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = IpCustodyAgreement
        fields = [
            "id",
            "provider",
            "provider_name",
            "enterprise",
            "enterprise_name",
            "number",
            "starts_on",
            "ends_on",
            "scope",
            "region",
        ]
        read_only_fields = fields


_FILTERS = [
    OpenApiParameter("q", str, description="名称、号码或权利人。"),
    OpenApiParameter("ip_type", str, enum=[str(c.value) for c in IpType], description="类型。"),
    OpenApiParameter("status", str, enum=[str(c.value) for c in IpStatus], description="状态。"),
    OpenApiParameter("region", str, description="区划代码前缀。"),
    OpenApiParameter("year", int, description="申请年度。"),
    OpenApiParameter("granted_year", int, description="授权年度。"),
]


def _filters(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in names:
        value = str(request.query_params.get(name, ""))[:64]
        out[name] = value if value.isprintable() and "\x00" not in value else ""
    return out


class IpListView(ApiView):
    serializer_class = IpSerializer
    required_perms = {"GET": "orgs.view_intellectualproperty", "POST": "orgs.change_intellectualproperty"}

    def get_queryset(self) -> Any:
        return IntellectualProperty.objects.none()

    @extend_schema(
        operation_id="orgs_ip_list",
        tags=TAGS,
        summary="知识产权列表",
        description="当前工作区划内的知识产权（单位与个人的），可按关键词、类型、状态、区划、申请年度、授权年度筛选。",
        parameters=_FILTERS,
        responses={200: IpSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = _filters(request, ("q", "ip_type", "status", "region", "year", "granted_year"))
        qs = selectors.ip_list(user=request.user, filters=filters).order_by("-applied_on", "-pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(IpSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orgs_ip_create",
        tags=TAGS,
        summary="登记知识产权",
        description="登记一项知识产权。申请号按类型核对格式与校验位，授权日不得早于申请日，同一号码不能重复登记；"
        "有误时答 400 并说明字段与原因，不做任何修改。",
        request=IpCreateSerializer,
        responses={201: IpSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        from kejiju.core.errors import RowErrors

        data = parse_input(IpCreateSerializer, request)
        organization = None
        person = None
        if data.get("organization"):
            try:
                organization = selectors.organization_get(user=request.user, pk=data["organization"])
            except Http404:
                raise RowErrors({"organization": ["单位不存在或不在您的管辖范围内。"]}) from None
        elif data.get("person_id_number"):
            person = services.ip_person_ensure(
                actor=request.user,
                data={
                    "name": data.get("person_name", ""),
                    "id_number": data["person_id_number"],
                    "region": active_region_code(request.user) or getattr(request.user, "region_id", ""),
                },
            )
        ip = services.ip_save(
            actor=request.user,
            organization=organization,
            person=person,
            ip_type=data["ip_type"],
            title=data["title"],
            number=data["number"],
            applied_on=data.get("applied_on"),
            granted_on=data.get("granted_on"),
            status=data.get("status") or IpStatus.APPLIED,
            owners=data.get("owners") or "",
        )
        ip = selectors.ip_record_get(user=request.user, pk=ip.pk)
        return Response(IpSerializer(ip).data, status=status.HTTP_201_CREATED)


class IpDetailView(ApiView):
    serializer_class = IpSerializer
    required_perms = {"GET": "orgs.view_intellectualproperty"}

    def get_queryset(self) -> Any:
        return IntellectualProperty.objects.none()

    @extend_schema(
        operation_id="orgs_ip_retrieve",
        tags=TAGS,
        summary="知识产权详情",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="知识产权 id。")],
        responses={200: IpSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(
            IpSerializer(selectors.ip_record_get(user=request.user, pk=path_id(id, "知识产权记录不存在。"))).data
        )


class IpCountsView(ApiView):
    serializer_class = IpCountsSerializer
    required_perms = {"GET": "orgs.view_intellectualproperty"}
    pagination_class = None

    def get_queryset(self) -> Any:
        return IntellectualProperty.objects.none()

    @extend_schema(
        operation_id="orgs_ip_counts",
        tags=TAGS,
        summary="专利统计",
        description="某年各下级区划的专利申请量、授权量（按类型）与每万人数（录入常住人口的区划）。",
        parameters=[
            OpenApiParameter("year", int, description="年度，默认今年。"),
            OpenApiParameter("region", str, description="区划代码，默认当前工作区划。"),
        ],
        responses={200: IpCountsSerializer(many=True), **DETAIL_ERRORS},
    )
    def get(self, request: Request) -> Response:
        scope = active_region_code(request.user) or ""
        region = str(request.query_params.get("region", ""))[:12] or scope
        if not region.isdigit() or not region.isascii() or (scope and not region.startswith(scope)):
            region = scope or "34"
        text = str(request.query_params.get("year", ""))
        year = int(text) if text.isascii() and text.isdigit() and 1900 <= int(text) <= 2100 else date.today().year
        table = selectors.ip_counts(user=request.user, region=region, year=year)
        return Response(IpCountsSerializer(table["rows"], many=True).data)


class CustodyListView(ApiView):
    serializer_class = CustodySerializer
    required_perms = {"GET": "orgs.view_ipcustodyagreement"}

    def get_queryset(self) -> Any:
        return IpCustodyAgreement.objects.none()

    @extend_schema(
        operation_id="orgs_custody_list",
        tags=TAGS,
        summary="知识产权托管协议列表",
        parameters=[
            OpenApiParameter("q", str, description="企业、服务机构或协议编号。"),
            OpenApiParameter("year", int, description="托管年度。"),
        ],
        responses={200: CustodySerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.custody_list(user=request.user, filters=_filters(request, ("q", "year"))).order_by(
            "-starts_on", "-pk"
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CustodySerializer(page, many=True).data)
