"""Serializers of the S&T awards API: input serializers check shapes and types; the services apply the
rules (nomination window, the programme's categories, completers' ID numbers, prize never exceeded …)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kejiju.awards.choices import CycleStatus, NominationStatus
from kejiju.awards.models import (
    AwardCycle,
    AwardProgramme,
    HigherAward,
    Nomination,
    NominationVote,
    PrizePayment,
    VoteMeeting,
)
from kejiju.core.api.serializers import MAX_ID, InputSerializer

Text = serializers.CharField


class CountField(serializers.IntegerField):
    """A count of votes or of members present, as typed (a JSON integer or a string of digits). It is
    passed on unchanged so the service checks it with the same rule and message as the pages: a whole
    number not below 0; ``6.0``, ``"6.000"`` or ``true`` are refused (“赞成票应为不小于 0 的整数”).
    DRF's own integer field would take ``"6.000"`` as 6."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        return self.validate_empty_values(data)[1]  # missing or null: DRF's "required" answers


class AwardCycleFilterSerializer(serializers.Serializer):
    """奖励年度筛选条件。"""

    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, label="年度")
    status = serializers.ChoiceField(choices=CycleStatus.choices, required=False, label="状态")


class AwardNominationFilterSerializer(serializers.Serializer):
    """推荐项目筛选条件。"""

    cycle = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, label="奖励年度")
    status = serializers.ChoiceField(choices=NominationStatus.choices, required=False, label="状态")


class AwardWinnerFilterSerializer(serializers.Serializer):
    """获奖档案检索条件。"""

    q = Text(
        max_length=100, required=False, allow_blank=True, label="关键词", help_text="成果名称、单位、完成人或领域。"
    )
    person = Text(max_length=40, required=False, allow_blank=True, label="完成人", help_text="完成人姓名（完全一致）。")
    organization = Text(max_length=100, required=False, allow_blank=True, label="单位")
    field = Text(max_length=100, required=False, allow_blank=True, label="专业领域")


class AwardLedgerFilterSerializer(serializers.Serializer):
    """奖金台账筛选条件。"""

    cycle = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, label="奖励年度")
    nomination = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, label="推荐项目")


class AwardProgrammeSerializer(serializers.ModelSerializer):
    """奖励项目（类别、等级与奖金、奖励办法）。"""

    categories = serializers.JSONField(read_only=True, label="奖励类别")
    grades = serializers.JSONField(read_only=True, label="奖励等级", help_text="[{grade, prize, quota}]，由高到低。")

    class Meta:
        model = AwardProgramme
        fields = ["id", "name", "categories", "grades", "rules", "region"]
        read_only_fields = fields


class AwardCycleSerializer(serializers.ModelSerializer):
    """奖励年度。"""

    status = Text(read_only=True, label="状态", help_text="draft、open、checking、review、decided、publicity、closed。")
    status_display = Text(source="get_status_display", read_only=True, label="状态名称")
    programme_name = Text(source="programme.name", read_only=True, label="奖励项目")

    class Meta:
        model = AwardCycle
        fields = [
            "id",
            "programme",
            "programme_name",
            "year",
            "status",
            "status_display",
            "opens_at",
            "closes_at",
            "publicity_from",
            "publicity_until",
            "region",
        ]
        read_only_fields = fields


class AwardMemberOutSerializer(serializers.Serializer):
    position = serializers.IntegerField(label="排名")
    name = Text(source="person.name", label="姓名")
    contribution = Text(label="主要贡献")


class AwardNominationSerializer(serializers.ModelSerializer):
    """推荐项目。"""

    status = Text(read_only=True, label="状态", help_text="状态代码（见文档）。")
    status_display = Text(source="get_status_display", read_only=True, label="状态名称")
    organization_name = Text(source="organization.name", read_only=True, label="完成单位")
    programme_name = Text(source="cycle.programme.name", read_only=True, label="奖励项目")
    year = serializers.IntegerField(source="cycle.year", read_only=True, label="年度")

    class Meta:
        model = Nomination
        fields = [
            "id",
            "cycle",
            "programme_name",
            "year",
            "title",
            "category",
            "field_keywords",
            "organization",
            "organization_name",
            "status",
            "status_display",
            "grade",
            "prize",
            "region",
        ]
        read_only_fields = fields


class AwardNominationDetailSerializer(AwardNominationSerializer):
    """推荐项目（含简介、完成人和评审结果）。"""

    members = AwardMemberOutSerializer(many=True, read_only=True, label="主要完成人")
    subjects = serializers.JSONField(read_only=True, label="学科")

    class Meta(AwardNominationSerializer.Meta):
        fields = [
            *AwardNominationSerializer.Meta.fields,
            "subjects",
            "summary",
            "benefits",
            "members",
            "review_score",
            "review_rank",
        ]
        read_only_fields = fields


class AwardWinnerSerializer(AwardNominationSerializer):
    """获奖项目（本级授奖）。"""

    members = AwardMemberOutSerializer(many=True, read_only=True, label="主要完成人")

    class Meta(AwardNominationSerializer.Meta):
        fields = [*AwardNominationSerializer.Meta.fields, "members"]
        read_only_fields = fields


class AwardHigherAwardSerializer(serializers.ModelSerializer):
    """上级奖励（州、省、国家级）。"""

    level_display = Text(source="get_level_display", read_only=True, label="级别名称")
    organization_name = Text(source="organization.name", read_only=True, default="", label="完成单位")
    person_names = serializers.SerializerMethodField(label="完成人")

    class Meta:
        model = HigherAward
        fields = [
            "id",
            "name",
            "level",
            "level_display",
            "grade",
            "year",
            "title",
            "organization",
            "organization_name",
            "person_names",
            "field_keywords",
            "prize",
            "document_number",
            "region",
        ]
        read_only_fields = fields

    def get_person_names(self, obj: HigherAward) -> list[str]:
        return [p.name for p in obj.persons.all()]


class AwardPaymentSerializer(serializers.ModelSerializer):
    """奖金发放记录。"""

    title = Text(source="nomination.title", read_only=True, label="成果名称")
    grade = Text(source="nomination.grade", read_only=True, label="授奖等级")
    prize = serializers.DecimalField(
        source="nomination.prize", max_digits=12, decimal_places=2, read_only=True, label="奖金（元）"
    )

    class Meta:
        model = PrizePayment
        fields = ["id", "nomination", "title", "grade", "prize", "amount", "paid_on", "payee", "voucher"]
        read_only_fields = fields


class AwardMemberInSerializer(InputSerializer):
    """一位主要完成人。"""

    name = Text(max_length=40, label="姓名")
    id_number = Text(max_length=30, label="证件号码")
    contribution = Text(max_length=300, required=False, allow_blank=True, default="", label="主要贡献")


class AwardNominationCreateSerializer(InputSerializer):
    """新建推荐（草稿）。"""

    cycle = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="奖励年度")
    organization = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="完成单位")
    title = Text(max_length=200, label="成果名称")
    category = Text(max_length=40, label="奖励类别")
    summary = Text(max_length=20000, label="项目简介与主要创新点")
    benefits = Text(max_length=20000, required=False, allow_blank=True, default="", label="应用情况与效益")
    field_keywords = Text(max_length=200, required=False, allow_blank=True, default="", label="专业领域")
    subjects = serializers.ListField(
        child=Text(max_length=20), max_length=5, required=False, default=list, label="学科"
    )
    members = AwardMemberInSerializer(many=True, label="主要完成人", help_text="按排名顺序，至多 15 人。")


class AwardNominationTransitionSerializer(InputSerializer):
    """形式审查或撤销。"""

    action = serializers.ChoiceField(
        choices=[("return", "退回修改"), ("pass", "形式审查通过"), ("reject", "不予受理"), ("revoke", "撤销")],
        label="操作",
    )
    reason = Text(max_length=2000, required=False, allow_blank=True, default="", label="理由")


class AwardCommitteeMemberSerializer(InputSerializer):
    """一位评审委员。"""

    name = Text(max_length=40, label="姓名")
    unit = Text(max_length=100, required=False, allow_blank=True, default="", label="单位")


class AwardMeetingSerializer(serializers.ModelSerializer):
    """评审委员会会议（表决规则在登记时按奖励项目确定）。"""

    members = serializers.JSONField(read_only=True, label="评审委员", help_text="[{name, unit}]，全体委员。")
    members_total = serializers.IntegerField(read_only=True, label="全体委员人数")
    quorum_display = Text(read_only=True, label="法定人数")
    rule_display = Text(read_only=True, label="通过规则")

    class Meta:
        model = VoteMeeting
        fields = [
            "id",
            "cycle",
            "held_on",
            "place",
            "members",
            "members_total",
            "members_present",
            "quorum",
            "pass_fraction",
            "pass_exceeds",
            "quorum_display",
            "rule_display",
        ]
        read_only_fields = fields


class AwardMeetingInSerializer(InputSerializer):
    """登记或更正评审委员会会议。"""

    held_on = serializers.DateField(label="会议日期")
    place = Text(max_length=120, label="会议地点")
    members = AwardCommitteeMemberSerializer(many=True, label="评审委员", help_text="全体委员，至多 99 人。")
    members_present = CountField(min_value=0, max_value=999, label="出席委员人数")

    def validate_members(self, value: list[dict[str, str]]) -> list[dict[str, str]]:
        if len(value) > 99:
            raise serializers.ValidationError("评审委员至多 99 人。")
        return value


class AwardVoteSerializer(serializers.ModelSerializer):
    """评审委员会对一项推荐的表决（票数）。"""

    title = Text(source="nomination.title", read_only=True, label="成果名称")
    result_display = Text(read_only=True, label="表决结果", help_text="通过/未通过，及赞成票占出席委员的比例。")
    outcome_grade = Text(read_only=True, label="评定等级", help_text="评定结果时生效；空为不授奖。")
    outcome_display = Text(read_only=True, label="评定")

    class Meta:
        model = NominationVote
        fields = [
            "id",
            "nomination",
            "title",
            "grade",
            "present",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "passed",
            "result_display",
            "is_current",
            "overridden",
            "override_grade",
            "override_reason",
            "outcome_grade",
            "outcome_display",
            "recorded_at",
        ]
        read_only_fields = fields


class AwardVoteInSerializer(InputSerializer):
    """录入一项推荐的表决票数（重新表决时替换当前票数，原记录保留）。"""

    nomination = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="推荐项目")
    grade = Text(max_length=20, label="表决等级")
    votes_for = CountField(min_value=0, max_value=999, label="赞成票")
    votes_against = CountField(min_value=0, max_value=999, label="反对票")
    votes_abstain = CountField(min_value=0, max_value=999, label="弃权票")


class AwardVoteOverrideInSerializer(InputSerializer):
    """调整一项已表决推荐的评定结果（与表决不一致须说明理由；选回表决本身的结果即撤销调整）。"""

    nomination = serializers.IntegerField(min_value=1, max_value=MAX_ID, label="推荐项目")
    grade = Text(
        max_length=20, required=False, allow_blank=True, label="评定等级", help_text="奖项设置中的等级；空为不授奖。"
    )
    reason = Text(max_length=2000, required=False, allow_blank=True, label="调整理由")


class AwardVoteFilterSerializer(serializers.Serializer):
    """表决记录筛选条件。"""

    history = serializers.BooleanField(required=False, label="含已重新表决的记录")
