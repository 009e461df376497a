"""The organizations registry (主体库): organizations, their former names, qualifications and IP."""

from __future__ import annotations

from datetime import date

from django.db import models

from kejiju.core.models import DomainModel
from kejiju.orgs.choices import IpClass, IpStatus, IpType, OrgType, QualificationKind, QualificationLevel


class Organization(DomainModel):
    """An enterprise, university, institute, hospital, cooperative, government unit, social organization or
    individual business. One record per 统一社会信用代码 (GB 32100, validated); renames keep the former
    name (:class:`OrganizationAlias`) and the field history; duplicates are merged, never deleted."""

    name = models.CharField("单位名称", max_length=200, db_index=True)
    name_initials = models.CharField("拼音首字母", max_length=200, blank=True, db_index=True, editable=False)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    org_type = models.CharField("单位类型", max_length=20, choices=OrgType.choices)
    address = models.CharField("注册地址", max_length=200, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=40, blank=True)
    contact_person = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    industry_code = models.CharField(
        "行业门类", max_length=4, blank=True, help_text="国民经济行业分类（GB/T 4754-2017）门类字母或大类代码。"
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    staff_count = models.PositiveIntegerField("职工人数", null=True, blank=True)
    main_products = models.TextField("主要产品（服务）", blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from", verbose_name="已合并至"
    )

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["name"]
        permissions = [("merge_organization", "可以合并重复单位"), ("import_organization", "可以导入单位")]
        indexes = [models.Index(fields=["region", "org_type"], name="org_region_type")]

    def __str__(self) -> str:
        return self.name


class OrganizationAlias(models.Model):
    """A former name of an organization (曾用名), from a rename or from a merged duplicate; searchable."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="aliases", verbose_name="单位"
    )
    name = models.CharField("曾用名", max_length=200, db_index=True)
    source = models.CharField("来源", max_length=10, choices=[("rename", "更名"), ("merge", "合并")])
    until = models.DateTimeField("使用至", auto_now_add=True)

    class Meta:
        verbose_name = "曾用名"
        verbose_name_plural = "曾用名"
        ordering = ["-until"]

    def __str__(self) -> str:
        return self.name


class Qualification(DomainModel):
    """A certificate an organization holds (资质): 高企, 科技型中小企业, 企业技术中心 … with its number and dates."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="qualifications", verbose_name="单位"
    )
    kind = models.CharField("资质类型", max_length=24, choices=QualificationKind.choices)
    level = models.CharField("级别", max_length=12, choices=QualificationLevel.choices, blank=True)
    certificate_no = models.CharField("证书编号", max_length=60, blank=True)
    issuer = models.CharField("认定机关", max_length=100, blank=True)
    issued_on = models.DateField("发证（认定）日期")
    expires_on = models.DateField("有效期至", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "资质"
        verbose_name_plural = "资质"
        ordering = ["-issued_on"]
        indexes = [models.Index(fields=["kind", "issued_on"], name="qual_kind_issued")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.certificate_no}".strip()

    def is_valid_on(self, day: date) -> bool:
        """Valid on ``day``: issued on or before it and not yet expired (the expiry day included)."""
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)


class IntellectualProperty(DomainModel):
    """A patent, software copyright, plant variety … of an organization, with its Class I/II for the
    科技型中小企业 and 高企 scores (derived from the type, spec §1.3)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="intellectual_property", verbose_name="单位"
    )
    ip_type = models.CharField("类型", max_length=20, choices=IpType.choices)
    ip_class = models.CharField("类别", max_length=2, choices=IpClass.choices, blank=True, editable=False)
    title = models.CharField("名称", max_length=200)
    number = models.CharField("申请号/登记号", max_length=40)
    applied_on = models.DateField("申请日", null=True, blank=True)
    granted_on = models.DateField("授权（登记）日", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=IpStatus.choices, default=IpStatus.APPLIED)
    owners = models.CharField("权利人", max_length=200, blank=True)

    class Meta:
        verbose_name = "知识产权"
        verbose_name_plural = "知识产权"
        ordering = ["-applied_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["ip_type", "number"], name="ip_unique_number")]

    def __str__(self) -> str:
        return f"{self.get_ip_type_display()} {self.number}"


class OrganizationMember(models.Model):
    """An account acting for an organization (单位用户): it applies, reports and signs for it. One account may
    act for several organizations (a group's accountant), one organization may have several accounts."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="members", verbose_name="单位"
    )
    user = models.ForeignKey(
        "core.User", on_delete=models.CASCADE, related_name="organization_memberships", verbose_name="账号"
    )
    is_contact = models.BooleanField("单位联系人", default=True)
    created_at = models.DateTimeField("绑定时间", auto_now_add=True)

    class Meta:
        verbose_name = "单位用户"
        verbose_name_plural = "单位用户"
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="org_member_unique")]

    def __str__(self) -> str:
        return "%s @ %s" % (self.user_id, self.organization_id)
