"""The programmes and projects API under ``/api/v1/programs/`` (house rule 9): input serializer →
service → output serializer. Staff reads start from the region-scoped selectors and the applicant's
from the organizations the account acts for: anything else answers 404, like a record that does not
exist. Business errors answer 400 with the Chinese reason (403 for a wrong role)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.core.api.views import DETAIL_ERRORS, LIST_ERRORS, WRITE_ERRORS, ApiView, parse_input, path_id
from kejiju.core.errors import BusinessError
from kejiju.programs import selectors, services
from kejiju.programs.api import serializers as s
from kejiju.programs.models import Payment

TAGS = ["科技计划与项目"]
MY_TAGS = ["科技计划与项目（申报单位）"]
ERR = {**WRITE_ERRORS, **DETAIL_ERRORS}


def _save_data(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k not in ("call", "organization")}
    for key in ("members", "budget", "avoid_experts"):
        if key in out:
            out[key] = [dict(row) for row in out[key]]
    return out


class CallListView(ApiView):
    serializer_class = s.CallSerializer
    required_perms = {"GET": "programs.view_call"}

    def get_queryset(self) -> Any:
        return selectors.call_list(user=self.request.user).order_by("-opens_at", "pk")

    @extend_schema(
        operation_id="programs_calls_list",
        tags=TAGS,
        summary="申报指南列表",
        responses={200: s.CallSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.CallSerializer(page, many=True).data)


class CallDetailView(ApiView):
    serializer_class = s.CallDetailSerializer
    required_perms = {"GET": "programs.view_call"}

    @extend_schema(
        operation_id="programs_calls_retrieve",
        tags=TAGS,
        summary="申报指南",
        responses={200: s.CallDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        call = selectors.call_get(user=request.user, pk=path_id(id, "指南不存在。"))
        return Response(s.CallDetailSerializer(call).data)


class ApplicationListView(ApiView):
    serializer_class = s.ApplicationSerializer
    required_perms = {"GET": "programs.view_application"}

    def get_queryset(self) -> Any:
        return selectors.application_list(user=self.request.user).order_by("-pk")

    @extend_schema(
        operation_id="programs_applications_list",
        tags=TAGS,
        summary="申报书列表（受理）",
        description="当前区划内已提交的申报书（不含草稿；市级以上指南在属地推荐前不显示）。",
        responses={200: s.ApplicationSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ApplicationSerializer(page, many=True).data)


class ApplicationDetailView(ApiView):
    serializer_class = s.ApplicationDetailSerializer
    required_perms = {"GET": "programs.view_application"}

    @extend_schema(
        operation_id="programs_applications_retrieve",
        tags=TAGS,
        summary="申报书",
        responses={200: s.ApplicationDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        app = selectors.application_get(user=request.user, pk=path_id(id, "申报书不存在。"))
        return Response(s.ApplicationDetailSerializer(app).data)


class ApplicationTransitionView(ApiView):
    serializer_class = s.TransitionSerializer
    required_perms = {"POST": "programs.view_application"}

    @extend_schema(
        operation_id="programs_applications_transition",
        tags=TAGS,
        summary="办理申报书",
        description="属地推荐（recommend / county_return）、形式审查（start_check / pass_check / return / reject）、"
        "不予立项（decline）。状态或角色不符时 400/403，不做任何修改。",
        request=s.TransitionSerializer,
        responses={200: s.ApplicationDetailSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        app = selectors.application_get(user=request.user, pk=path_id(id, "申报书不存在。"))
        data = parse_input(s.TransitionSerializer, request)
        services.application_transition(
            actor=request.user, application=app, action=data["action"], reason=data["reason"]
        )
        return Response(s.ApplicationDetailSerializer(selectors.application_get(user=request.user, pk=app.pk)).data)


class ApplicationReviewView(ApiView):
    serializer_class = s.ReviewSerializer
    required_perms = {"POST": "programs.review_application"}

    @extend_schema(
        operation_id="programs_applications_review",
        tags=TAGS,
        summary="录入评审结果",
        request=s.ReviewSerializer,
        responses={200: s.ApplicationDetailSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        app = selectors.application_get(user=request.user, pk=path_id(id, "申报书不存在。"))
        data = parse_input(s.ReviewSerializer, request)
        services.application_review_record(
            actor=request.user, application=app, score=data["score"], opinion=data["opinion"], rank=data.get("rank")
        )
        return Response(s.ApplicationDetailSerializer(selectors.application_get(user=request.user, pk=app.pk)).data)


class MyApplicationListView(ApiView):
    serializer_class = s.ApplicationSerializer
    required_perms = {"GET": "programs.apply_application", "POST": "programs.apply_application"}

    def get_queryset(self) -> Any:
        return selectors.my_applications(user=self.request.user)

    @extend_schema(
        operation_id="programs_my_applications_list",
        tags=MY_TAGS,
        summary="本单位的申报书",
        responses={200: s.ApplicationSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ApplicationSerializer(page, many=True).data)

    @extend_schema(
        operation_id="programs_my_applications_create",
        tags=MY_TAGS,
        summary="新建申报书（草稿）",
        description="在申报时间内为本账号所属单位新建草稿，可同时保存内容。限报 1 项的指南不能重复新建。",
        request=s.ApplicationCreateSerializer,
        responses={201: s.ApplicationDetailSerializer, **ERR},
    )
    def post(self, request: Request) -> Response:
        from kejiju.orgs.selectors import organizations_of_user

        data = parse_input(s.ApplicationCreateSerializer, request)
        call = selectors.public_calls().filter(pk=data["call"]).first()
        org = organizations_of_user(user=request.user).filter(pk=data["organization"]).first()
        if call is None:
            raise BusinessError("指南不存在。", code="invalid", field="call")
        if org is None:
            raise BusinessError("申报单位不是本账号所属单位。", code="invalid", field="organization")
        app = services.application_create(
            actor=request.user, call=call, organization=org, data=_save_data(data) or None
        )
        return Response(
            s.ApplicationDetailSerializer(selectors.my_application_get(user=request.user, pk=app.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class MyApplicationDetailView(ApiView):
    serializer_class = s.ApplicationDetailSerializer
    required_perms = {"GET": "programs.apply_application", "PATCH": "programs.apply_application"}

    @extend_schema(
        operation_id="programs_my_applications_retrieve",
        tags=MY_TAGS,
        summary="申报书",
        responses={200: s.ApplicationDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        app = selectors.my_application_get(user=request.user, pk=path_id(id, "申报书不存在。"))
        return Response(s.ApplicationDetailSerializer(app).data)

    @extend_schema(
        operation_id="programs_my_applications_save",
        tags=MY_TAGS,
        summary="保存草稿",
        description="只保存给出的部分；成员、预算、学科、合作单位、申请回避的专家给出时整体替换。金额最多两位小数。",
        request=s.ApplicationSaveSerializer,
        responses={200: s.ApplicationDetailSerializer, **ERR},
    )
    def patch(self, request: Request, id: str) -> Response:
        app = selectors.my_application_get(user=request.user, pk=path_id(id, "申报书不存在。"))
        data = parse_input(s.ApplicationSaveSerializer, request)
        services.application_save(actor=request.user, application=app, data=_save_data(data))
        return Response(s.ApplicationDetailSerializer(selectors.my_application_get(user=request.user, pk=app.pk)).data)


class MyApplicationSubmitView(ApiView):
    serializer_class = s.ApplicationDetailSerializer
    required_perms = {"POST": "programs.apply_application"}

    @extend_schema(
        operation_id="programs_my_applications_submit",
        tags=MY_TAGS,
        summary="提交申报书",
        description="截止时间（北京时间）前提交；检查申报条件、必填项、必传附件和预算合计。",
        request=None,
        responses={200: s.ApplicationDetailSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        app = selectors.my_application_get(user=request.user, pk=path_id(id, "申报书不存在。"))
        services.application_submit(actor=request.user, application=app)
        return Response(s.ApplicationDetailSerializer(selectors.my_application_get(user=request.user, pk=app.pk)).data)


class MyApplicationWithdrawView(ApiView):
    serializer_class = s.ReasonSerializer
    required_perms = {"POST": "programs.apply_application"}

    @extend_schema(
        operation_id="programs_my_applications_withdraw",
        tags=MY_TAGS,
        summary="撤回申报书",
        description="形式审查开始前可撤回。",
        request=s.ReasonSerializer,
        responses={200: s.ApplicationDetailSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        app = selectors.my_application_get(user=request.user, pk=path_id(id, "申报书不存在。"))
        data = parse_input(s.ReasonSerializer, request)
        services.application_withdraw(actor=request.user, application=app, reason=data["reason"])
        return Response(s.ApplicationDetailSerializer(selectors.my_application_get(user=request.user, pk=app.pk)).data)


class ProjectListView(ApiView):
    serializer_class = s.ProjectSerializer
    required_perms = {"GET": "programs.view_project"}

    def get_queryset(self) -> Any:
        return selectors.project_list(user=self.request.user).order_by("-pk")

    @extend_schema(
        operation_id="programs_projects_list",
        tags=TAGS,
        summary="项目列表",
        responses={200: s.ProjectSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ProjectSerializer(page, many=True).data)


class ProjectDetailView(ApiView):
    serializer_class = s.ProjectSerializer
    required_perms = {"GET": "programs.view_project"}

    @extend_schema(
        operation_id="programs_projects_retrieve",
        tags=TAGS,
        summary="项目",
        responses={200: s.ProjectSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(
            s.ProjectSerializer(selectors.project_get(user=request.user, pk=path_id(id, "项目不存在。"))).data
        )


class ProjectPaymentsView(ApiView):
    serializer_class = s.PaymentSerializer
    queryset = Payment.objects.none()
    required_perms = {"GET": "programs.view_project", "POST": "programs.pay_project"}

    @extend_schema(
        operation_id="programs_project_payments_list",
        tags=TAGS,
        summary="项目拨付记录",
        responses={200: s.PaymentSerializer(many=True), **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        project = selectors.project_get(user=request.user, pk=path_id(id, "项目不存在。"))
        return Response(s.PaymentSerializer(project.payments.all(), many=True).data)

    @extend_schema(
        operation_id="programs_project_payments_create",
        tags=TAGS,
        summary="登记拨付",
        description="累计拨付不得超过立项资助；金额最多两位小数。",
        request=s.PaymentCreateSerializer,
        responses={201: s.PaymentSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        project = selectors.project_get(user=request.user, pk=path_id(id, "项目不存在。"))
        data = parse_input(s.PaymentCreateSerializer, request)
        disbursement = None
        if data.get("disbursement"):
            disbursement = project.disbursements.filter(pk=data["disbursement"]).first()
            if disbursement is None:
                raise BusinessError("所选拨付批次不属于本项目。", code="invalid", field="disbursement")
        payment = services.payment_create(
            actor=request.user,
            project=project,
            amount=data["amount"],
            paid_on=data["paid_on"],
            voucher=data["voucher"],
            note=data["note"],
            disbursement=disbursement,
        )
        return Response(s.PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)
