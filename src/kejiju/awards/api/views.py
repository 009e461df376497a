"""The S&T awards API under ``/api/v1/awards/`` (house rule 9): input serializer → service → output
serializer. Staff reads start from the region-scoped selectors; an organization user's (``my/``) from
the organizations the account acts for. Anything else answers 404, like a record that does not exist.
Business errors answer 400 with the Chinese reason naming the field (403 for a wrong role)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from kejiju.awards import selectors, services
from kejiju.awards.api import serializers as s
from kejiju.awards.models import (
    AwardCycle,
    AwardProgramme,
    HigherAward,
    Nomination,
    NominationVote,
    PrizePayment,
    VoteMeeting,
)
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
from kejiju.core.errors import BusinessError

TAGS = ["科技奖励"]
MY_TAGS = ["科技奖励（推荐单位）"]
ERR = {**WRITE_ERRORS, **DETAIL_ERRORS}


class ProgrammeListView(ApiView):
    serializer_class = s.AwardProgrammeSerializer
    queryset = AwardProgramme.objects.none()
    required_perms = {"GET": "awards.view_awardcycle"}

    @extend_schema(
        operation_id="awards_programmes_list",
        tags=TAGS,
        summary="奖励项目列表",
        responses={200: s.AwardProgrammeSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.programme_list(user=request.user).order_by("name", "pk"))
        return self.get_paginated_response(s.AwardProgrammeSerializer(page, many=True).data)


class ProgrammeDetailView(ApiView):
    serializer_class = s.AwardProgrammeSerializer
    queryset = AwardProgramme.objects.none()
    required_perms = {"GET": "awards.view_awardcycle"}

    @extend_schema(
        operation_id="awards_programmes_retrieve",
        tags=TAGS,
        summary="奖励项目",
        parameters=[ID_PARAM],
        responses={200: s.AwardProgrammeSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        programme = selectors.programme_get(user=request.user, pk=path_id(id, "奖励不存在。"))
        return Response(s.AwardProgrammeSerializer(programme).data)


class CycleListView(ApiView):
    serializer_class = s.AwardCycleSerializer
    queryset = AwardCycle.objects.none()
    required_perms = {"GET": "awards.view_awardcycle"}

    @extend_schema(
        operation_id="awards_cycles_list",
        tags=TAGS,
        summary="奖励年度列表",
        parameters=[s.AwardCycleFilterSerializer],
        responses={200: s.AwardCycleSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(s.AwardCycleFilterSerializer, request)
        qs = selectors.cycle_list(user=request.user, filters=filters).order_by("-year", "-pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.AwardCycleSerializer(page, many=True).data)


class CycleDetailView(ApiView):
    serializer_class = s.AwardCycleSerializer
    queryset = AwardCycle.objects.none()
    required_perms = {"GET": "awards.view_awardcycle"}

    @extend_schema(
        operation_id="awards_cycles_retrieve",
        tags=TAGS,
        summary="奖励年度",
        parameters=[ID_PARAM],
        responses={200: s.AwardCycleSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        cycle = selectors.cycle_get(user=request.user, pk=path_id(id, "奖励年度不存在。"))
        return Response(s.AwardCycleSerializer(cycle).data)


class CycleMeetingView(ApiView):
    serializer_class = s.AwardMeetingSerializer
    queryset = VoteMeeting.objects.none()
    required_perms = {"GET": "awards.view_awardcycle", "POST": "awards.change_awardcycle"}

    @extend_schema(
        operation_id="awards_cycles_meeting_retrieve",
        tags=TAGS,
        summary="评审委员会会议",
        description="奖励年度的评审委员会会议（日期、地点、委员、出席人数、法定人数和通过规则）；未登记时 404。",
        parameters=[ID_PARAM],
        responses={200: s.AwardMeetingSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        cycle = selectors.cycle_get(user=request.user, pk=path_id(id, "奖励年度不存在。"))
        meeting = selectors.meeting_of(cycle=cycle)
        if meeting is None:
            raise Http404("尚未登记评审委员会会议。")
        return Response(s.AwardMeetingSerializer(meeting).data)

    @extend_schema(
        operation_id="awards_cycles_meeting_save",
        tags=TAGS,
        summary="登记或更正评审委员会会议",
        description="专家评审阶段登记会议：出席委员须达到奖励项目规定的法定人数（默认不少于全体委员的 2/3），"
        "否则 400 并说明至少需要的人数；已按出席人数计票后不能再修改出席人数。",
        parameters=[ID_PARAM],
        request=s.AwardMeetingInSerializer,
        responses={200: s.AwardMeetingSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        cycle = selectors.cycle_get(user=request.user, pk=path_id(id, "奖励年度不存在。"))
        data = parse_input(s.AwardMeetingInSerializer, request)
        meeting = services.meeting_save(
            actor=request.user,
            cycle=cycle,
            held_on=data["held_on"],
            place=data["place"],
            members=[dict(m) for m in data["members"]],
            members_present=data["members_present"],
        )
        return Response(s.AwardMeetingSerializer(meeting).data)


def _cycle_nomination(request: Request, id: str, serializer: Any) -> tuple[dict[str, Any], Nomination]:
    """The cycle of the URL (404 outside the user's region), the checked input, and the nomination it
    names, which must belong to that cycle (400 on ``nomination`` otherwise)."""
    cycle = selectors.cycle_get(user=request.user, pk=path_id(id, "奖励年度不存在。"))
    data = parse_input(serializer, request)
    nomination = selectors.nomination_list(user=request.user, cycle=cycle).filter(pk=data["nomination"]).first()
    if nomination is None:
        raise BusinessError("推荐项目不存在或不属于该奖励年度。", code="invalid", field="nomination")
    return data, nomination


class CycleVoteListView(ApiView):
    serializer_class = s.AwardVoteSerializer
    queryset = NominationVote.objects.none()
    required_perms = {"GET": "awards.view_awardcycle", "POST": "awards.change_awardcycle"}

    @extend_schema(
        operation_id="awards_cycles_votes_list",
        tags=TAGS,
        summary="评审委员会表决结果",
        description="奖励年度各推荐项目的当前表决（history=true 时含已被重新表决替代的记录）。",
        parameters=[ID_PARAM, s.AwardVoteFilterSerializer],
        responses={200: s.AwardVoteSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        cycle = selectors.cycle_get(user=request.user, pk=path_id(id, "奖励年度不存在。"))
        filters = parse_query(s.AwardVoteFilterSerializer, request)
        qs = selectors.vote_list(user=request.user, cycle=cycle, history=bool(filters.get("history")))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.AwardVoteSerializer(page, many=True).data)

    @extend_schema(
        operation_id="awards_cycles_votes_create",
        tags=TAGS,
        summary="录入表决票数",
        description="专家评审阶段、会议登记后，录入一项推荐的表决：表决等级和赞成、反对、弃权票数"
        "（不小于 0 的整数，合计不超过出席人数）。是否通过按会议的通过规则精确计算；重新表决替换当前票数，"
        "原记录保留。表决结果在评定结果时生效。",
        parameters=[ID_PARAM],
        request=s.AwardVoteInSerializer,
        responses={201: s.AwardVoteSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        data, nomination = _cycle_nomination(request, id, s.AwardVoteInSerializer)
        vote = services.vote_record(
            actor=request.user,
            nomination=nomination,
            grade=data["grade"],
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            votes_abstain=data["votes_abstain"],
        )
        return Response(s.AwardVoteSerializer(vote).data, status=status.HTTP_201_CREATED)


class CycleVoteOverrideView(ApiView):
    serializer_class = s.AwardVoteSerializer
    queryset = NominationVote.objects.none()
    required_perms = {"POST": "awards.change_awardcycle"}

    @extend_schema(
        operation_id="awards_cycles_votes_override",
        tags=TAGS,
        summary="调整表决评定结果",
        description="专家评审阶段，对已表决的推荐调整评定时将给出的结果（另一等级、不授奖，或表决未通过仍授奖），"
        "须说明理由，理由写入评定时的状态记录；选回表决本身的结果即撤销调整。",
        parameters=[ID_PARAM],
        request=s.AwardVoteOverrideInSerializer,
        responses={200: s.AwardVoteSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        data, nomination = _cycle_nomination(request, id, s.AwardVoteOverrideInSerializer)
        vote = services.vote_override(
            actor=request.user, nomination=nomination, grade=data.get("grade", ""), reason=data.get("reason", "")
        )
        return Response(s.AwardVoteSerializer(vote).data)


class NominationListView(ApiView):
    serializer_class = s.AwardNominationSerializer
    queryset = Nomination.objects.none()
    required_perms = {"GET": "awards.view_nomination"}

    @extend_schema(
        operation_id="awards_nominations_list",
        tags=TAGS,
        summary="推荐项目列表",
        description="本区划内的推荐项目；可按奖励年度、状态筛选。",
        parameters=[s.AwardNominationFilterSerializer],
        responses={200: s.AwardNominationSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(s.AwardNominationFilterSerializer, request)
        qs = selectors.nomination_list(user=request.user)
        if filters.get("cycle"):
            qs = qs.filter(cycle_id=filters["cycle"])
        if filters.get("status"):
            qs = qs.filter(status=filters["status"])
        page = self.paginate_queryset(qs.order_by("-pk"))
        return self.get_paginated_response(s.AwardNominationSerializer(page, many=True).data)


class NominationDetailView(ApiView):
    serializer_class = s.AwardNominationDetailSerializer
    queryset = Nomination.objects.none()
    required_perms = {"GET": "awards.view_nomination"}

    @extend_schema(
        operation_id="awards_nominations_retrieve",
        tags=TAGS,
        summary="推荐项目",
        parameters=[ID_PARAM],
        responses={200: s.AwardNominationDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        nomination = selectors.nomination_get(user=request.user, pk=path_id(id, "推荐项目不存在。"))
        return Response(s.AwardNominationDetailSerializer(nomination).data)


class NominationTransitionView(ApiView):
    serializer_class = s.AwardNominationTransitionSerializer
    queryset = Nomination.objects.none()
    required_perms = {"POST": "awards.change_nomination"}

    @extend_schema(
        operation_id="awards_nominations_transition",
        tags=TAGS,
        summary="形式审查或撤销",
        description="return（退回修改，须填理由）、pass（形式审查通过）、reject（不予受理，须填理由）、"
        "revoke（撤销奖励，须填理由）。状态或角色不符时 400/403，不做任何修改。",
        parameters=[ID_PARAM],
        request=s.AwardNominationTransitionSerializer,
        responses={200: s.AwardNominationDetailSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        nomination = selectors.nomination_get(user=request.user, pk=path_id(id, "推荐项目不存在。"))
        data = parse_input(s.AwardNominationTransitionSerializer, request)
        services.nomination_step(
            actor=request.user, nomination=nomination, action=data["action"], reason=data["reason"]
        )
        return Response(
            s.AwardNominationDetailSerializer(selectors.nomination_get(user=request.user, pk=nomination.pk)).data
        )


class WinnerListView(ApiView):
    serializer_class = s.AwardWinnerSerializer
    queryset = Nomination.objects.none()
    required_perms = {"GET": "awards.view_nomination"}

    @extend_schema(
        operation_id="awards_winners_list",
        tags=TAGS,
        summary="获奖档案（本级授奖）",
        description="本区划已授奖的项目；q 在成果名称、单位、完成人、领域中检索，person（完成人姓名）、"
        "organization（单位）、field（专业领域）进一步筛选。",
        parameters=[s.AwardWinnerFilterSerializer],
        responses={200: s.AwardWinnerSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(s.AwardWinnerFilterSerializer, request)
        local, _ = selectors.winners(user=request.user, **filters)
        page = self.paginate_queryset(local.prefetch_related("members__person"))
        return self.get_paginated_response(s.AwardWinnerSerializer(page, many=True).data)


class HigherAwardListView(ApiView):
    serializer_class = s.AwardHigherAwardSerializer
    queryset = HigherAward.objects.none()
    required_perms = {"GET": "awards.view_higheraward"}

    @extend_schema(
        operation_id="awards_higher_awards_list",
        tags=TAGS,
        summary="获奖档案（上级奖励）",
        description="本区划单位和个人获得的州、省、国家级奖励；检索条件同本级获奖档案。",
        parameters=[s.AwardWinnerFilterSerializer],
        responses={200: s.AwardHigherAwardSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(s.AwardWinnerFilterSerializer, request)
        _, higher = selectors.winners(user=request.user, **filters)
        page = self.paginate_queryset(higher.prefetch_related("persons"))
        return self.get_paginated_response(s.AwardHigherAwardSerializer(page, many=True).data)


class LedgerListView(ApiView):
    serializer_class = s.AwardPaymentSerializer
    queryset = PrizePayment.objects.none()
    required_perms = {"GET": "awards.view_nomination"}

    @extend_schema(
        operation_id="awards_prize_ledger_list",
        tags=TAGS,
        summary="奖金台账",
        description="本区划授奖项目的奖金发放记录（只读）；可按奖励年度、推荐项目筛选。",
        parameters=[s.AwardLedgerFilterSerializer],
        responses={200: s.AwardPaymentSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = parse_query(s.AwardLedgerFilterSerializer, request)
        qs = selectors.prize_ledger(user=request.user, cycle=filters.get("cycle"), nomination=filters.get("nomination"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.AwardPaymentSerializer(page, many=True).data)


# ---------------------------------------------------------------- organization users


class MyCycleListView(ApiView):
    serializer_class = s.AwardCycleSerializer
    queryset = AwardCycle.objects.none()

    @extend_schema(
        operation_id="awards_my_cycles_list",
        tags=MY_TAGS,
        summary="可推荐的奖励年度",
        description="本账号所属单位所在区划及上级区划正在受理推荐的奖励年度。",
        responses={200: s.AwardCycleSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.nominable_cycles(user=request.user))
        return self.get_paginated_response(s.AwardCycleSerializer(page, many=True).data)


class MyNominationListView(ApiView):
    serializer_class = s.AwardNominationSerializer
    queryset = Nomination.objects.none()

    @extend_schema(
        operation_id="awards_my_nominations_list",
        tags=MY_TAGS,
        summary="本单位的推荐",
        responses={200: s.AwardNominationSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.my_nominations(user=request.user))
        return self.get_paginated_response(s.AwardNominationSerializer(page, many=True).data)

    @extend_schema(
        operation_id="awards_my_nominations_create",
        tags=MY_TAGS,
        summary="新建推荐（草稿）",
        description="在推荐期内为本账号所属单位新建推荐；奖励类别须为该奖励设定的类别之一，"
        "主要完成人按排名填写（姓名、身份证号码），至多 15 人、不得重复。",
        request=s.AwardNominationCreateSerializer,
        responses={201: s.AwardNominationDetailSerializer, **ERR},
    )
    def post(self, request: Request) -> Response:
        from kejiju.orgs.selectors import organizations_of_user

        data = parse_input(s.AwardNominationCreateSerializer, request)
        cycle = selectors.nominable_cycles(user=request.user).filter(pk=data["cycle"]).first()
        org = organizations_of_user(user=request.user).filter(pk=data["organization"]).first()
        if cycle is None:
            raise BusinessError("奖励年度不存在或当前不受理推荐。", code="invalid", field="cycle")
        if org is None:
            raise BusinessError("完成单位不是本账号所属单位。", code="invalid", field="organization")
        fields = ("title", "category", "summary", "benefits", "field_keywords", "subjects")
        nomination = services.nomination_save(
            actor=request.user,
            cycle=cycle,
            organization=org,
            data={key: data[key] for key in fields},
            members=[dict(m) for m in data["members"]],
        )
        return Response(
            s.AwardNominationDetailSerializer(selectors.my_nomination_get(user=request.user, pk=nomination.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class MyNominationDetailView(ApiView):
    serializer_class = s.AwardNominationDetailSerializer
    queryset = Nomination.objects.none()

    @extend_schema(
        operation_id="awards_my_nominations_retrieve",
        tags=MY_TAGS,
        summary="本单位的推荐",
        parameters=[ID_PARAM],
        responses={200: s.AwardNominationDetailSerializer, **DETAIL_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        nomination = selectors.my_nomination_get(user=request.user, pk=path_id(id, "推荐项目不存在。"))
        return Response(s.AwardNominationDetailSerializer(nomination).data)


class MyNominationSubmitView(ApiView):
    serializer_class = s.AwardNominationDetailSerializer
    queryset = Nomination.objects.none()

    @extend_schema(
        operation_id="awards_my_nominations_submit",
        tags=MY_TAGS,
        summary="提交推荐",
        description="推荐截止前提交草稿或退回修改的推荐。",
        parameters=[ID_PARAM],
        request=None,
        responses={200: s.AwardNominationDetailSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        nomination = selectors.my_nomination_get(user=request.user, pk=path_id(id, "推荐项目不存在。"))
        services.nomination_step(actor=request.user, nomination=nomination, action="submit")
        return Response(
            s.AwardNominationDetailSerializer(selectors.my_nomination_get(user=request.user, pk=nomination.pk)).data
        )
