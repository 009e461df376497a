"""The technology-transfer API under ``/api/v1/transfer/``: demands (list, post, detail, update, ranked
suggestions), achievements (list, register, detail, update), matches and technology contracts (list,
register, detail, update). Reads through the region-scoped selectors; input serializer → service → output
serializer; never a 500 on bad input. Organization accounts (单位用户) reach only their own demands and
achievements; any other record answers 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.views import DETAIL_ERRORS, E404, LIST_ERRORS, WRITE_ERRORS, ApiView, parse_input, path_id
from kejiju.core.errors import RowErrors
from kejiju.transfer import selectors, services
from kejiju.transfer.api.serializers import (
    AchievementCreateSerializer,
    AchievementSerializer,
    AchievementUpdateSerializer,
    ContractCreateSerializer,
    ContractSerializer,
    ContractUpdateSerializer,
    DemandCreateSerializer,
    DemandSerializer,
    DemandUpdateSerializer,
    MatchSerializer,
    SuggestionSerializer,
)
from kejiju.transfer.models import Achievement, Match, TechContract, TechDemand

TAGS = ["成果转化"]


def _params(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in names:
        value = str(request.query_params.get(name, ""))[:64]
        out[name] = value if value.isprintable() else ""
    return out


def _staff_or_poster(request: Request) -> None:
    """Staff with the view permission, or an organization account that posts demands; else 403."""
    user = request.user
    if not (user.has_perm("transfer.view_techdemand") or user.has_perm("transfer.post_techdemand")):
        raise PermissionDenied


def _organization(request: Request, pk: int, fld: str, label: str) -> Any:
    """An organization the caller acts for, or one in the staff's region; else an error on ``fld``."""
    from kejiju.orgs.selectors import organization_get, organizations_of_user

    org = organizations_of_user(user=request.user).filter(pk=pk).first()
    if org is None:
        try:
            org = organization_get(user=request.user, pk=pk)
        except Http404:
            raise RowErrors({fld: ["%s不存在或不在您的范围内。" % label]}) from None
    return org


def _may_change(request: Request, staff_perm: str) -> None:
    """Staff with the change permission, or an organization account that posts demands; else 403."""
    user = request.user
    if not (user.has_perm(staff_perm) or user.has_perm("transfer.post_techdemand")):
        raise PermissionDenied


def _current(obj: Any, serializer_class: type[Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The record's present values of the fields an update may give (a PATCH keeps those not given)."""
    names = [str(name) for name in serializer_class().fields]
    return {name: getattr(obj, name) for name in names if name not in skip}


@dataclass(frozen=True)
class _OrgRecord:
    """An organization's record that its account or the staff of its region update by PATCH."""

    perm: str  # the staff's change permission
    get: Callable[..., Any]  # the region-scoped selector
    missing: str  # the 404 message
    serializer_class: type[Any]  # the update input
    org_field: str  # the organization's field and its label
    org_label: str
    skip: tuple[str, ...] = ()  # fields not taken from the record when not given


_DEMAND = _OrgRecord(
    "transfer.change_techdemand",
    selectors.demand_get,
    "技术需求不存在。",
    DemandUpdateSerializer,
    "enterprise",
    "需求单位",
)
_ACHIEVEMENT = _OrgRecord(
    "transfer.change_achievement",
    selectors.achievement_get,
    "科技成果不存在。",
    AchievementUpdateSerializer,
    "owner",
    "成果单位",
    skip=("related_ip",),
)


def _org_update(request: Request, id: str, kind: _OrgRecord) -> tuple[Any, Any, dict[str, Any]]:
    """A PATCH of ``kind``: 403 without its permission (or the right to post), the record (404 outside the
    caller's reach), its organization (the one given, else its present one) and the fields to save: those given
    over the record's present values (400 if invalid, nothing changed)."""
    _may_change(request, kind.perm)
    obj = kind.get(user=request.user, pk=path_id(id, kind.missing))
    data = parse_input(kind.serializer_class, request)
    fld = kind.org_field
    org = _organization(request, data.pop(fld), fld, kind.org_label) if fld in data else getattr(obj, fld)
    current = _current(obj, kind.serializer_class, skip=(fld, *kind.skip))
    return obj, org, {**current, **data}


def _id_param(label: str) -> OpenApiParameter:
    return OpenApiParameter("id", int, OpenApiParameter.PATH, description=label)


class DemandListView(ApiView):
    serializer_class = DemandSerializer
    required_perms = {"GET": "transfer.view_techdemand"}  # POST: the service checks (staff or the enterprise's account)

    def get_queryset(self) -> Any:
        return TechDemand.objects.none()

    @extend_schema(
        operation_id="transfer_demands_list",
        tags=TAGS,
        summary="技术需求列表",
        parameters=[
            OpenApiParameter("q", str, description="关键词。"),
            OpenApiParameter("field", str, description="技术领域。"),
            OpenApiParameter("status", str, description="状态。"),
        ],
        responses={200: DemandSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.demand_list(user=request.user, filters=_params(request, ("q", "field", "status"))).order_by(
            "-pk"
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(DemandSerializer(page, many=True).data)

    @extend_schema(
        operation_id="transfer_demands_create",
        tags=TAGS,
        summary="发布技术需求",
        description="单位用户为本单位、科技局工作人员为辖区内企业发布技术需求；有误时答 400，不做任何修改。",
        request=DemandCreateSerializer,
        responses={201: DemandSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(DemandCreateSerializer, request)
        enterprise = _organization(request, data.pop("enterprise"), "enterprise", "需求单位")
        demand = services.demand_save(actor=request.user, enterprise=enterprise, data=data)
        return Response(DemandSerializer(demand).data, status=status.HTTP_201_CREATED)


class DemandDetailView(ApiView):
    serializer_class = DemandSerializer
    required_perms: dict[str, str] = {}

    def get_queryset(self) -> Any:
        return TechDemand.objects.none()

    @extend_schema(
        operation_id="transfer_demands_retrieve",
        tags=TAGS,
        summary="技术需求详情",
        parameters=[_id_param("技术需求 id。")],
        responses={200: DemandSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        _staff_or_poster(request)
        return Response(
            DemandSerializer(selectors.demand_get(user=request.user, pk=path_id(id, "技术需求不存在。"))).data
        )

    @extend_schema(
        operation_id="transfer_demands_partial_update",
        tags=TAGS,
        summary="修改技术需求",
        description="单位用户修改本单位、科技局工作人员修改辖区内的技术需求；只改所提供的字段，未提供的保持不变。"
        "规则与发布时相同，已关闭的需求不能修改；有误时答 400，不做任何修改。",
        parameters=[_id_param("技术需求 id。")],
        request=DemandUpdateSerializer,
        responses={200: DemandSerializer, **WRITE_ERRORS, 404: E404},
    )
    def patch(self, request: Request, id: str) -> Response:
        demand, enterprise, data = _org_update(request, id, _DEMAND)
        demand = services.demand_save(actor=request.user, enterprise=enterprise, data=data, demand=demand)
        return Response(DemandSerializer(demand).data)


class DemandSuggestionsView(ApiView):
    serializer_class = SuggestionSerializer
    required_perms: dict[str, str] = {}
    pagination_class = None

    def get_queryset(self) -> Any:
        return TechDemand.objects.none()

    @extend_schema(
        operation_id="transfer_demands_suggestions",
        tags=TAGS,
        summary="需求的推荐成果与专家",
        description="按文本相似度与技术领域排序的推荐，附理由（共同关键词、领域是否相同）；专家推荐仅对工作人员提供。",
        parameters=[_id_param("技术需求 id。")],
        responses={200: SuggestionSerializer(many=True), **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        from kejiju.transfer.permissions import can_manage_match

        _staff_or_poster(request)
        demand = selectors.demand_get(user=request.user, pk=path_id(id, "技术需求不存在。"))
        rows = [
            {"kind": "achievement", "id": s.obj.pk, "title": s.obj.title, **_why(s)}
            for s in selectors.achievement_suggestions(demand=demand)
        ]
        if can_manage_match(request.user, demand):
            rows += [
                {"kind": "expert", "id": s.obj.pk, "title": s.obj.name, **_why(s)}
                for s in selectors.expert_suggestions(user=request.user, demand=demand)
            ]
        return Response(SuggestionSerializer(rows, many=True).data)


def _why(s: Any) -> dict[str, Any]:
    return {
        "score": s.score,
        "explanation": s.explanation,
        "shared_terms": list(s.shared_terms),
        "field_match": s.field_match,
        "listed": s.listed,
    }


class AchievementListView(ApiView):
    serializer_class = AchievementSerializer
    required_perms = {"GET": "transfer.view_achievement"}  # POST: the service checks (staff or the owner's account)

    def get_queryset(self) -> Any:
        return Achievement.objects.none()

    @extend_schema(
        operation_id="transfer_achievements_list",
        tags=TAGS,
        summary="科技成果列表",
        parameters=[
            OpenApiParameter("q", str, description="关键词。"),
            OpenApiParameter("field", str, description="技术领域。"),
        ],
        responses={200: AchievementSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.achievement_list(user=request.user, filters=_params(request, ("q", "field"))).order_by("-pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(AchievementSerializer(page, many=True).data)

    @extend_schema(
        operation_id="transfer_achievements_create",
        tags=TAGS,
        summary="登记科技成果",
        description="单位用户为本单位、科技局工作人员为辖区内单位登记科技成果；意向价格精确到分（三位小数会被拒绝），"
        "相关知识产权须为成果单位已登记的号码。有误时答 400，不做任何修改。",
        request=AchievementCreateSerializer,
        responses={201: AchievementSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(AchievementCreateSerializer, request)
        owner = _organization(request, data.pop("owner"), "owner", "成果单位")
        data["related_ip"] = services.related_ip_from_numbers(owner, "\n".join(data.pop("related_ip", [])))
        obj = services.achievement_save(actor=request.user, owner=owner, data=data)
        return Response(AchievementSerializer(obj).data, status=status.HTTP_201_CREATED)


class AchievementDetailView(ApiView):
    serializer_class = AchievementSerializer
    required_perms: dict[str, str] = {}  # staff or the owner's account (checked below)

    def get_queryset(self) -> Any:
        return Achievement.objects.none()

    @extend_schema(
        operation_id="transfer_achievements_retrieve",
        tags=TAGS,
        summary="科技成果详情",
        description="工作人员读辖区内的成果，单位用户读本单位的成果；其他的答 404。",
        parameters=[_id_param("科技成果 id。")],
        responses={200: AchievementSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        user = request.user
        if not (user.has_perm("transfer.view_achievement") or user.has_perm("transfer.post_techdemand")):
            raise PermissionDenied
        obj = selectors.achievement_get(user=request.user, pk=path_id(id, "科技成果不存在。"))
        return Response(AchievementSerializer(obj).data)

    @extend_schema(
        operation_id="transfer_achievements_partial_update",
        tags=TAGS,
        summary="修改科技成果",
        description="单位用户修改本单位、科技局工作人员修改辖区内的科技成果；只改所提供的字段，未提供的保持不变，"
        "给出 related_ip 时以它替换相关知识产权。规则与登记时相同；有误时答 400，不做任何修改。",
        parameters=[_id_param("科技成果 id。")],
        request=AchievementUpdateSerializer,
        responses={200: AchievementSerializer, **WRITE_ERRORS, 404: E404},
    )
    def patch(self, request: Request, id: str) -> Response:
        obj, owner, data = _org_update(request, id, _ACHIEVEMENT)
        numbers = data.pop("related_ip", None)
        related = (
            services.related_ip_from_numbers(owner, "\n".join(numbers))
            if numbers is not None
            else list(obj.related_ip.all())
        )
        obj = services.achievement_save(
            actor=request.user, owner=owner, data={**data, "related_ip": related}, achievement=obj
        )
        return Response(AchievementSerializer(obj).data)


class MatchListView(ApiView):
    serializer_class = MatchSerializer
    required_perms = {"GET": "transfer.view_match"}

    def get_queryset(self) -> Any:
        return Match.objects.none()

    @extend_schema(
        operation_id="transfer_matches_list",
        tags=TAGS,
        summary="成果对接列表",
        parameters=[
            OpenApiParameter("status", str, description="状态。"),
            OpenApiParameter("kind", str, description="对接类型。"),
        ],
        responses={200: MatchSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = selectors.match_list(user=request.user, filters=_params(request, ("status", "kind"))).order_by("-pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(MatchSerializer(page, many=True).data)


class ContractListView(ApiView):
    serializer_class = ContractSerializer
    required_perms = {"GET": "transfer.view_techcontract", "POST": "transfer.add_techcontract"}

    def get_queryset(self) -> Any:
        return TechContract.objects.none()

    @extend_schema(
        operation_id="transfer_contracts_list",
        tags=TAGS,
        summary="技术合同列表",
        parameters=[
            OpenApiParameter("q", str, description="关键词。"),
            OpenApiParameter("contract_type", str, description="合同类型。"),
            OpenApiParameter("year", int, description="登记年度。"),
        ],
        responses={200: ContractSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = _params(request, ("q", "contract_type", "year"))
        qs = selectors.contract_list(user=request.user, filters=filters).order_by("-registered_on", "-pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ContractSerializer(page, many=True).data)

    @extend_schema(
        operation_id="transfer_contracts_create",
        tags=TAGS,
        summary="技术合同登记",
        description="登记一份技术合同；登记编号不能重复，成交额须精确到分（三位小数会被拒绝）。有误时答 400，不做任何修改。",
        request=ContractCreateSerializer,
        responses={201: ContractSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(ContractCreateSerializer, request)
        region = data.pop("region")
        contract = services.contract_register(actor=request.user, region=region, data=data)
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)


class ContractDetailView(ApiView):
    serializer_class = ContractSerializer
    required_perms = {"GET": "transfer.view_techcontract", "PATCH": "transfer.change_techcontract"}

    def get_queryset(self) -> Any:
        return TechContract.objects.none()

    @extend_schema(
        operation_id="transfer_contracts_retrieve",
        tags=TAGS,
        summary="技术合同详情",
        parameters=[_id_param("技术合同 id。")],
        responses={200: ContractSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(
            ContractSerializer(selectors.contract_get(user=request.user, pk=path_id(id, "技术合同不存在。"))).data
        )

    @extend_schema(
        operation_id="transfer_contracts_partial_update",
        tags=TAGS,
        summary="修改技术合同",
        description="修改辖区内的一份技术合同；只改所提供的字段，未提供的保持不变。规则与登记时相同：登记编号不能与"
        "其他合同重复，成交额精确到分（三位小数会被拒绝），登记日期、签订日期不能晚于今天。有误时答 400，不做任何修改。",
        parameters=[_id_param("技术合同 id。")],
        request=ContractUpdateSerializer,
        responses={200: ContractSerializer, **WRITE_ERRORS, 404: E404},
    )
    def patch(self, request: Request, id: str) -> Response:
        contract = selectors.contract_get(user=request.user, pk=path_id(id, "技术合同不存在。"))
        data = parse_input(ContractUpdateSerializer, request)
        current = {**_current(contract, ContractUpdateSerializer, skip=("region",)), "region": contract.region_id}
        merged = {**current, **data}
        region = merged.pop("region")
        contract = services.contract_register(
            actor=request.user,
            region=region,
            data=merged,
            seller=contract.seller,
            buyer=contract.buyer,
            match=contract.match,
            contract=contract,
        )
        return Response(ContractSerializer(contract).data)
