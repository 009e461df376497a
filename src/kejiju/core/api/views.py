"""The core REST API under ``/api/v1/`` (house rule 9): parse with an input serializer, call the
service, answer with an output serializer. Reads start from region-scoped selectors; records
outside the caller's region answer 404 exactly like records that do not exist; own region without
the permission answers 403; anonymous callers get 401 with ``WWW-Authenticate: Token``."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any, cast

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from kejiju.core import selectors
from kejiju.core.api.filters import RegionFilter, UserFilter
from kejiju.core.api.permissions import MethodPermission
from kejiju.core.api.serializers import (
    MAX_ID,
    ErrorSerializer,
    MeSerializer,
    RegionCreateSerializer,
    RegionSerializer,
    RegionUpdateSerializer,
    TokenObtainSerializer,
    TokenSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.models import Region, User
from kejiju.core.services import accounts as account_services
from kejiju.core.services import regions as region_services

# ASCII digits only, the whole string (``$`` would let a trailing newline through).
_REGION_CODE_RE = re.compile(r"[0-9]{2,12}")
_ID_RE = re.compile(r"[0-9]{1,19}")

# ---------------------------------------------------------------- documented errors


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


E400 = _error("请求有误：JSON 格式、字段类型、未知字段或业务规则不满足；detail 说明字段与原因，未做任何修改。")
E401 = _error("未登录或令牌无效（请求头 Authorization: Token <令牌>）。")
E403 = _error("没有执行此操作的权限。")
E404 = _error("记录不存在，或不在您的管辖范围内。")
E404_PAGE = _error("页码超出范围。")
LIST_ERRORS = {400: _error("筛选条件有误：detail 说明参数与原因。"), 401: E401, 403: E403, 404: E404_PAGE}
DETAIL_ERRORS = {401: E401, 403: E403, 404: E404}
WRITE_ERRORS = {400: E400, 401: E401, 403: E403}

# ---------------------------------------------------------------- helpers


def _error_messages(field: Any, value: Any, where: str = "") -> list[tuple[str, Any]]:
    """The messages of one field's errors, nested ones (a list of rows, a nested object) named by row
    number and the inner field's Chinese label: ``第 2 行 身份证号：…``."""
    if isinstance(value, dict):
        found: list[tuple[str, Any]] = []
        for key, inner in value.items():
            if isinstance(key, int) or str(key).isdigit():
                child = getattr(field, "child", None)
                label = "第 %d 行" % (int(key) + 1)
            else:
                child = getattr(field, "fields", {}).get(key) if hasattr(field, "fields") else None
                label = "" if key == "non_field_errors" else str(getattr(child, "label", None) or key)
            found += _error_messages(child, inner, " ".join(x for x in (where, label) if x))
        return found
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return [(where, v) for v in value]
        found = []
        child = getattr(field, "child", None)
        for index, inner in enumerate(value):
            if inner:
                found += _error_messages(child, inner, " ".join(x for x in (where, "第 %d 行" % (index + 1)) if x))
        return found
    return [(where, value)]


def parse_input(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    """Validate the request body; on failure raise :class:`RowErrors` whose ``detail`` names the
    field by its Chinese label (``用户名：该字段是必填项。``; inside a list of rows ``项目组成员：第 2 行
    身份证号：…``)."""
    serializer = serializer_class(data=request.data, context={"request": request})
    if serializer.is_valid():
        return dict(serializer.validated_data)
    errors: dict[str, list[str]] = {}
    first: tuple[str, Any] | None = None
    for name, messages in serializer.errors.items():
        flat = _error_messages(serializer.fields.get(name), messages)
        errors[name] = [f"{where}：{m}" if where else str(m) for where, m in flat]
        if first is None and flat:
            where, message = flat[0]
            first = (name, message if not where else _Located(f"{where}：{message}", message))
    name, message = first or ("non_field_errors", "请求有误。")
    code = str(getattr(message, "code", None) or "invalid")
    # A body that fails validation is always a 400, whatever the field's own error code says.
    exc = RowErrors(errors, code=code if code not in ("not_found", "forbidden") else "invalid")
    if name in serializer.fields:
        exc.message = f"{serializer.fields[name].label or name}：{message}"
    elif name == "non_field_errors":
        exc.message, exc.field = str(message), None
    else:
        exc.message = f"{name}：{message}"
    raise exc


class _Located(str):
    """A nested error message with its row and inner field in front, keeping the original's code."""

    code: Any

    def __new__(cls, text: str, original: Any) -> _Located:
        obj = super().__new__(cls, text)
        obj.code = getattr(original, "code", None)
        return obj


def _actor(request: Request) -> User:
    """The signed-in account (the permission classes have refused anonymous callers)."""
    return cast(User, request.user)


def _region_or_404(request: Request, code: str) -> Region:
    # A code that cannot be a region answers like one that does not exist (and never reaches
    # the database: PostgreSQL refuses NUL characters with a 500).
    if not _REGION_CODE_RE.fullmatch(code):
        raise Http404("区划不存在。")
    return selectors.region_get(user=request.user, code=code)


def path_id(value: str, message: str) -> int:
    """The record id of a URL path: digits within the database's range, else 404 with ``message`` (a
    value that cannot be an id never reaches the database)."""
    if not _ID_RE.fullmatch(value) or not 0 < int(value) <= MAX_ID:
        raise Http404(message)
    return int(value)


#: The ``{id}`` path parameter of a record's endpoints, for the schema.
ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="记录 id。")


def parse_query(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    """Query parameters checked like a body (Chinese error naming the parameter); paging ignored."""
    raw = {k: v for k, v in request.query_params.items() if k not in ("page", "page_size")}
    return parse_input(serializer_class, SimpleNamespace(data=raw))  # type: ignore[arg-type]


def _user_or_404(request: Request, pk: str) -> User:
    return selectors.user_get(user=request.user, pk=path_id(pk, "账号不存在。"))


class ApiView(GenericAPIView):
    """Base of the core API views: method permissions from ``required_perms``."""

    permission_classes = [MethodPermission]
    required_perms: dict[str, str] = {}
    # No OPTIONS self-description: the OpenAPI schema is the one description of the API
    # (DRF's would show English docstrings and the output serializer as the POST body).
    metadata_class = None


# ---------------------------------------------------------------- me and token


class MeView(ApiView):
    serializer_class = MeSerializer

    @extend_schema(
        operation_id="me_retrieve",
        tags=["当前账号"],
        summary="当前账号",
        description="当前账号的姓名、角色、所属区划、当前工作区划和权限列表。",
        responses={200: MeSerializer, 401: E401},
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(MeSerializer.for_user(_actor(request))).data)


class TokenView(ApiView):
    """Obtain an API token with user name and password (for scripts). Goes through
    ``login_attempt``: every attempt is logged, repeated failures lock the account."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    serializer_class = TokenSerializer

    @extend_schema(
        operation_id="token_create",
        tags=["接口令牌"],
        summary="获取接口令牌",
        description="用用户名和密码换取接口令牌（每次获取都会使旧令牌失效）。登录失败次数过多时账号会被锁定；"
        "管理员设置的初始密码须先在网页登录修改后才能获取令牌。",
        request=TokenObtainSerializer,
        auth=[],
        responses={200: TokenSerializer, 400: _error("用户名或密码不正确、账号已锁定或停用，或须先修改密码。")},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(TokenObtainSerializer, request)
        result = account_services.login_attempt(
            username=data["username"],
            password=data["password"],
            ip_address=request.META.get("REMOTE_ADDR") or None,
            request=request._request,
        )
        if result.user is None:
            raise BusinessError(result.error, code="login_failed")
        if result.user.must_change_password:
            raise BusinessError(
                "您的密码由管理员设置，请先登录网页修改密码，再获取接口令牌。",
                code="must_change_password",
                field="password",
            )
        key = account_services.token_create(actor=result.user)
        return Response(TokenSerializer({"token": key, "username": result.user.username}).data)


# ---------------------------------------------------------------- regions


class RegionListView(ApiView):
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    required_perms = {"GET": "core.view_region", "POST": "core.add_region"}

    def get_queryset(self) -> Any:
        return Region.objects.restrict(self.request.user, "core.view_region").order_by("code")

    @extend_schema(
        operation_id="regions_list",
        tags=["行政区划"],
        summary="区划列表",
        description="当前工作区划及其下级区划；可按上级、级别、关键词、是否启用筛选。",
        responses={200: RegionSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(RegionSerializer(page, many=True).data)

    @extend_schema(
        operation_id="regions_create",
        tags=["行政区划"],
        summary="新增乡镇或村",
        description="在已有的上级区划下新增乡镇（9 位代码）或村（12 位代码）。",
        request=RegionCreateSerializer,
        responses={201: RegionSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(RegionCreateSerializer, request)
        region = region_services.region_create(
            actor=_actor(request), code=data["code"], name=data["name"], kind=data["kind"]
        )
        return Response(RegionSerializer(region).data, status=status.HTTP_201_CREATED)


_CODE_PARAM = OpenApiParameter("code", str, OpenApiParameter.PATH, description="区划代码。", pattern=r"^\d{2,12}$")


class RegionDetailView(ApiView):
    serializer_class = RegionSerializer
    required_perms = {"GET": "core.view_region", "PATCH": "core.change_region"}

    def get_queryset(self) -> Any:
        return Region.objects.none()  # for the schema only; reads go through selectors.region_get

    @extend_schema(
        operation_id="regions_retrieve",
        tags=["行政区划"],
        summary="区划详情",
        parameters=[_CODE_PARAM],
        description="当前工作区划内的一个区划；不存在或不在管辖范围内都答 404。",
        responses={200: RegionSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(RegionSerializer(_region_or_404(request, code)).data)

    @extend_schema(
        operation_id="regions_partial_update",
        tags=["行政区划"],
        summary="修改区划",
        description="修改名称、类型或停用/启用；未提供的字段保持不变。区划不会被删除。",
        parameters=[_CODE_PARAM],
        request=RegionUpdateSerializer,
        responses={200: RegionSerializer, **WRITE_ERRORS, 404: E404},
    )
    def patch(self, request: Request, code: str) -> Response:
        region = _region_or_404(request, code)
        data = parse_input(RegionUpdateSerializer, request)
        region = region_services.region_update(
            actor=_actor(request),
            region=region,
            name=data.get("name", region.name),
            kind=data.get("kind", region.kind),
            is_active=data.get("is_active", region.is_active),
        )
        return Response(RegionSerializer(region).data)


# ---------------------------------------------------------------- users


class UserListView(ApiView):
    serializer_class = UserSerializer
    filterset_class = UserFilter
    required_perms = {"GET": "core.view_user", "POST": "core.add_user"}

    def get_queryset(self) -> Any:
        return selectors.user_list(user=self.request.user).order_by("username")

    @extend_schema(
        operation_id="users_list",
        tags=["账号管理"],
        summary="账号列表",
        description="当前工作区划内的账号；可按关键词、角色、是否启用、所属区划筛选。",
        responses={200: UserSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(UserSerializer(page, many=True).data)

    @extend_schema(
        operation_id="users_create",
        tags=["账号管理"],
        summary="新建账号",
        description="在您的管辖区划内新建账号；密码只写入、不返回。",
        request=UserCreateSerializer,
        responses={201: UserSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(UserCreateSerializer, request)
        user = account_services.user_create(
            actor=_actor(request),
            username=data["username"],
            full_name=data["full_name"],
            password=data["password"],
            role=data["role"],
            region=data["region"],
            department=data.get("department"),
            phone=data["phone"],
            email=data["email"],
            must_change_password=data["must_change_password"],
        )
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


_ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="账号 id。")


class UserDetailView(ApiView):
    serializer_class = UserSerializer
    required_perms = {"GET": "core.view_user", "PATCH": "core.change_user"}

    def get_queryset(self) -> Any:
        return User.objects.none()  # for the schema only; reads go through selectors.user_get

    @extend_schema(
        operation_id="users_retrieve",
        tags=["账号管理"],
        summary="账号详情",
        parameters=[_ID_PARAM],
        description="当前工作区划内的一个账号；不存在或不在管辖范围内都答 404。",
        responses={200: UserSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(UserSerializer(_user_or_404(request, id)).data)

    @extend_schema(
        operation_id="users_partial_update",
        tags=["账号管理"],
        summary="修改账号",
        description="修改姓名、角色、所属区划、科室或联系方式；未提供的字段保持不变。",
        parameters=[_ID_PARAM],
        request=UserUpdateSerializer,
        responses={200: UserSerializer, **WRITE_ERRORS, 404: E404},
    )
    def patch(self, request: Request, id: str) -> Response:
        target = _user_or_404(request, id)
        data = parse_input(UserUpdateSerializer, request)
        user = account_services.user_update(
            actor=_actor(request),
            user=target,
            full_name=data.get("full_name", target.full_name),
            role=data.get("role", target.role),
            region=data["region"] if "region" in data else target.region,
            department=data["department"] if "department" in data else target.department,
            phone=data.get("phone", target.phone),
            email=data.get("email", target.email),
        )
        return Response(UserSerializer(user).data)
