"""Output serializers of the platforms API."""

from __future__ import annotations

from rest_framework import serializers

from kejiju.platforms.models import Platform, PlatformEvaluation, PlatformReport


class PlatformSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    kind = serializers.CharField(source="kind.code", read_only=True, help_text="类型代码")
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    host_id = serializers.IntegerField(read_only=True)
    host_name = serializers.CharField(source="host.name", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Platform
        fields = [
            "id",
            "name",
            "kind",
            "kind_name",
            "level",
            "level_label",
            "host_id",
            "host_name",
            "region",
            "recognition_doc",
            "recognised_on",
            "area",
            "staff",
            "services",
            "status",
            "status_label",
        ]


class ReportSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = PlatformReport
        fields = ["year", "incubated", "graduates", "events", "revenue", "jobs"]


class EvaluationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    template = serializers.CharField(source="template.name", read_only=True)
    scores = serializers.JSONField(read_only=True)

    class Meta:
        model = PlatformEvaluation
        fields = ["year", "template", "scores", "total", "grade"]


class PlatformDetailSerializer(PlatformSerializer):
    reports = ReportSerializer(many=True, read_only=True)
    evaluations = EvaluationSerializer(many=True, read_only=True)

    class Meta(PlatformSerializer.Meta):
        fields = [*PlatformSerializer.Meta.fields, "reports", "evaluations"]
