"""The target-responsibility assessment API under ``/api/v1/assessment/`` (house rule 9): input
serializer → service → output serializer. Reads start from the region-scoped selectors: a scheme or
target the caller may not see answers 404, like one that does not exist. Business errors answer 400
with the Chinese reason naming the field (403 for a wrong role); nothing is stored on error."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.assessment import selectors, services
from kejiju.assessment.api import serializers as s
from kejiju.assessment.models import AssessmentScheme, AssessmentTarget, AssessorScore, MidyearProgress
from kejiju.assessment.permissions import can_manage_assessment
from kejiju.core.api.views import (
    DETAIL_ERRORS,
    ID_PARAM,
    LIST_ERRORS,
    WRITE_ERRORS,
    ApiView,
    parse_input,
    parse_query,
    path_id,
)

TAGS = ["目标责任制考核"]
ERR = {**WRITE_ERRORS, **DETAIL_ERRORS}
VIEW = "assessment.view_assessmentscheme"


def _target(request: Request, id: str) -> AssessmentTarget:
    return selectors.target_get(user=request.user, pk=path_id(id, "目标任务书不存在。"))


class SchemeListView(ApiView):
    serializer_class = s.AssessmentSchemeSerializer
    queryset = AssessmentScheme.objects.none()
    required_perms = {"GET": VIEW}

    @extend_schema(
        operation_id="assessment_schemes_list",
        tags=TAGS,
        summary="考核方案列表",
        description="本区划制定的方案、考核本乡镇的方案和本人参与评分的方案；可按年度、状态、名称筛选。",
        parameters=[s.AssessmentSchemeFilterSerializer],
        responses={200: s.AssessmentSchemeSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(s.AssessmentSchemeFilterSerializer, request)
        qs = selectors.scheme_list(user=request.user, filters=filters).order_by("-year", "-pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.AssessmentSchemeSerializer(page, many=True).data)


class SchemeDetailView(ApiView):
    serializer_class = s.AssessmentSchemeDetailSerializer
    queryset = AssessmentScheme.objects.none()
    required_perms = {"GET": VIEW}

    @extend_schema(
        operation_id="assessment_schemes_retrieve",
        tags=TAGS,
        summary="考核方案",
        parameters=[ID_PARAM],
        responses={200: s.AssessmentSchemeDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        scheme = selectors.scheme_get(user=request.user, pk=path_id(id, "考核方案不存在。"))
        return Response(s.AssessmentSchemeDetailSerializer(scheme).data)


class SchemeResultsView(ApiView):
    serializer_class = s.AssessmentTargetSerializer
    queryset = AssessmentTarget.objects.none()
    required_perms = {"GET": VIEW}

    @extend_schema(
        operation_id="assessment_schemes_results",
        tags=TAGS,
        summary="考核结果与排名",
        description="方案下您可见的目标任务书，按排名排列；总分、等次、排名在开始评分后显示（计算后有值）。"
        "乡镇只看到本乡镇，结果公布后看到全部排名。",
        parameters=[ID_PARAM],
        responses={200: s.AssessmentTargetSerializer(many=True), **LIST_ERRORS, 404: DETAIL_ERRORS[404]},
    )
    def get(self, request: Request, id: str) -> Response:
        scheme = selectors.scheme_get(user=request.user, pk=path_id(id, "考核方案不存在。"))
        page = self.paginate_queryset(selectors.scheme_targets(user=request.user, scheme=scheme))
        return self.get_paginated_response(s.AssessmentTargetSerializer(page, many=True).data)


class TargetListView(ApiView):
    serializer_class = s.AssessmentTargetSerializer
    queryset = AssessmentTarget.objects.none()
    required_perms = {"GET": VIEW}

    @extend_schema(
        operation_id="assessment_targets_list",
        tags=TAGS,
        summary="目标任务书列表",
        description="您可见的目标任务书；可按考核方案、年度、状态筛选。",
        parameters=[s.AssessmentTargetFilterSerializer],
        responses={200: s.AssessmentTargetSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(s.AssessmentTargetFilterSerializer, request)
        page = self.paginate_queryset(selectors.target_list(user=request.user, filters=filters))
        return self.get_paginated_response(s.AssessmentTargetSerializer(page, many=True).data)


class TargetDetailView(ApiView):
    serializer_class = s.AssessmentTargetDetailSerializer
    queryset = AssessmentTarget.objects.none()
    required_perms = {"GET": VIEW}

    @extend_schema(
        operation_id="assessment_targets_retrieve",
        tags=TAGS,
        summary="目标任务书",
        parameters=[ID_PARAM],
        responses={200: s.AssessmentTargetDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(s.AssessmentTargetDetailSerializer(_target(request, id)).data)


class SelfAssessmentView(ApiView):
    serializer_class = s.AssessmentSelfAssessmentSerializer
    queryset = AssessmentTarget.objects.none()
    required_perms = {"POST": "assessment.change_assessmenttarget"}

    @extend_schema(
        operation_id="assessment_targets_self_save",
        tags=TAGS,
        summary="保存自评",
        description="自评截止前保存自评草稿（只保存给出的指标）：定量和加分项填 actual（最多两位小数，不能为负），"
        "扣分项填 count，否决项填 triggered，均可附 note。",
        parameters=[ID_PARAM],
        request=s.AssessmentSelfAssessmentSerializer,
        responses={200: s.AssessmentTargetDetailSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        target = _target(request, id)
        data = parse_input(s.AssessmentSelfAssessmentSerializer, request)
        values = {str(code): dict(entry) for code, entry in data["values"].items()}
        services.self_assessment_save(actor=request.user, target=target, values=values)
        return Response(s.AssessmentTargetDetailSerializer(_target(request, id)).data)


class SelfAssessmentSubmitView(ApiView):
    serializer_class = s.AssessmentTargetDetailSerializer
    queryset = AssessmentTarget.objects.none()
    required_perms = {"POST": "assessment.change_assessmenttarget"}

    @extend_schema(
        operation_id="assessment_targets_self_submit",
        tags=TAGS,
        summary="提交自评",
        description="自评截止前提交：定量指标须有完成值，要求佐证的指标须已上传佐证材料。提交后不能再修改。",
        parameters=[ID_PARAM],
        request=None,
        responses={200: s.AssessmentTargetDetailSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        target = _target(request, id)
        services.self_assessment_submit(actor=request.user, target=target)
        return Response(s.AssessmentTargetDetailSerializer(_target(request, id)).data)


class TargetScoresView(ApiView):
    serializer_class = s.AssessmentScoreSerializer
    queryset = AssessorScore.objects.none()
    required_perms = {"GET": VIEW, "POST": "assessment.score_assessment"}

    @extend_schema(
        operation_id="assessment_target_scores_list",
        tags=TAGS,
        summary="考核评分",
        description="考核方案制定单位看到全部考核人员的评分，考核人员只看到自己的。",
        parameters=[ID_PARAM],
        responses={200: s.AssessmentScoreSerializer(many=True), **LIST_ERRORS, 404: DETAIL_ERRORS[404]},
    )
    def get(self, request: Request, id: str) -> Response:
        target = _target(request, id)
        page = self.paginate_queryset(selectors.target_scores(user=request.user, target=target))
        return self.get_paginated_response(s.AssessmentScoreSerializer(page, many=True).data)

    @extend_schema(
        operation_id="assessment_target_scores_create",
        tags=TAGS,
        summary="提交评分",
        description="评分阶段内，被指定的考核人员为定性指标评分（在评分标准范围内，最多两位小数）；"
        "不能为本乡镇或本部门评分；提交后不能修改。",
        parameters=[ID_PARAM],
        request=s.AssessmentScoreInputSerializer,
        responses={201: s.AssessmentScoreSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        target = _target(request, id)
        data = parse_input(s.AssessmentScoreInputSerializer, request)
        row = services.assessor_score_submit(
            actor=request.user, target=target, scores=dict(data["scores"]), comments=data["comments"]
        )
        return Response(s.AssessmentScoreSerializer(row).data, status=status.HTTP_201_CREATED)


# ----------------------------------------------------------------- 年中进度 (mid-year progress)


def _midyear_payload(target: AssessmentTarget) -> dict[str, Any]:
    progress = MidyearProgress.objects.filter(target=target).first()
    evidence = services.midyear_evidence_for(progress)
    return {
        "target": target.pk,
        "assessee_name": target.assessee_name,
        "open": services.midyear_open(target),
        "reported": progress is not None,
        "reported_at": progress.reported_at if progress else None,
        "values": progress.values if progress else {},
        "evidence": [
            {"id": a.pk, "item": code, "name": a.original_name} for code, files in evidence.items() for a in files
        ],
    }


class TargetMidyearView(ApiView):
    serializer_class = s.MidyearProgressSerializer
    queryset = AssessmentTarget.objects.none()
    required_perms = {"GET": VIEW, "POST": "assessment.change_assessmenttarget"}

    @extend_schema(
        operation_id="assessment_targets_midyear_retrieve",
        tags=TAGS,
        summary="年中进度",
        description="一个单位最近一次报送的年中进度（未报送时 reported 为 false、values 为空）及佐证材料。",
        parameters=[ID_PARAM],
        responses={200: s.MidyearProgressSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(s.MidyearProgressSerializer(_midyear_payload(_target(request, id))).data)

    @extend_schema(
        operation_id="assessment_targets_midyear_report",
        tags=TAGS,
        summary="报送年中进度",
        description="方案已下达、本单位提交自评之前报送：定量指标填 value（累计完成，不能为负，最多两位小数）和 note，"
        "定性指标填 note（进展情况）。再次报送替换上次的全部数值，历次报送保留在记录历史中；不计入年终考核得分。"
        "佐证材料在年中进度页面上传。",
        parameters=[ID_PARAM],
        request=s.MidyearReportInputSerializer,
        responses={200: s.MidyearProgressSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        target = _target(request, id)
        data = parse_input(s.MidyearReportInputSerializer, request)
        values = {str(code): dict(entry) for code, entry in data["values"].items()}
        services.midyear_report(actor=request.user, target=target, values=values)
        return Response(s.MidyearProgressSerializer(_midyear_payload(_target(request, id))).data)


class SchemeMidyearView(ApiView):
    serializer_class = s.MidyearTableSerializer
    queryset = AssessmentScheme.objects.none()
    required_perms = {"GET": VIEW}

    @extend_schema(
        operation_id="assessment_schemes_midyear",
        tags=TAGS,
        summary="年中进度表",
        description="考核方案制定单位查看各单位各指标的年中进度：全年目标、累计完成、完成比例（截取一位小数），"
        "低于方案的年中滞后阈值标为滞后（lagging），未报送的单位为 unreported。可按单位、指标、状态筛选并排序。",
        parameters=[ID_PARAM, s.MidyearFilterSerializer],
        responses={200: s.MidyearTableSerializer, **LIST_ERRORS, 404: DETAIL_ERRORS[404]},
    )
    def get(self, request: Request, id: str) -> Response:
        scheme = selectors.scheme_get(user=request.user, pk=path_id(id, "考核方案不存在。"))
        if not can_manage_assessment(request.user, scheme):
            raise PermissionDenied("只有考核方案制定单位可以查看年中进度表。")
        filters = parse_query(s.MidyearFilterSerializer, request)
        table = selectors.midyear_progress(user=request.user, scheme=scheme, filters=filters)
        return Response(s.MidyearTableSerializer(table).data)
