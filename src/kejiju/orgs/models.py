"""The organizations registry (主体库): organizations, their former names, qualifications and IP."""

from __future__ import annotations

from datetime import date

from django.db import models

from kejiju.core.models import DomainModel
from kejiju.orgs.choices import (
    CustodyServiceKind,
    IpCaseKind,
    IpClass,
    IpStatus,
    IpType,
    OrgType,
    QualificationKind,
    QualificationLevel,
)


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
    """A patent, software copyright, plant variety … of an organization (or of a person for an individual's
    patent), with its Class I/II for the 科技型中小企业 and 高企 scores (derived from the type, spec §1.3).
    The number is stored in its canonical form (:mod:`kejiju.orgs.ipnumbers`), one record per type and
    number."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="intellectual_property",
        verbose_name="单位",
        null=True,
        blank=True,
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="个人权利人",
        null=True,
        blank=True,
        help_text="个人（非职务）专利的权利人；单位与个人至少填一个。",
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
        permissions = [
            ("import_intellectualproperty", "可以导入知识产权"),
            ("subsidize_intellectualproperty", "可以申报专利资助"),
        ]
        indexes = [models.Index(fields=["ip_type", "applied_on"], name="ip_type_applied")]

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


class RegionPopulation(models.Model):
    """The resident population (常住人口) of a region in a year, entered by the bureau so that patents
    can be counted per 万人 (per 10,000 people)."""

    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区划")
    year = models.PositiveSmallIntegerField("年度")
    population = models.PositiveIntegerField("常住人口（人）")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "常住人口"
        verbose_name_plural = "常住人口"
        ordering = ["region", "-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="population_region_year")]

    def __str__(self) -> str:
        return "%s %s" % (self.region_id, self.year)


class IpCustodyAgreement(DomainModel):
    """A 知识产权托管 agreement: the bureau's service provider looks after an enterprise's IP for a period
    (advice, searches, filing applications). The region is the enterprise's; the signed agreement is an
    attachment of this record."""

    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="托管服务机构")
    enterprise = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="custody_agreements", verbose_name="托管企业"
    )
    number = models.CharField("协议编号", max_length=40, blank=True)
    starts_on = models.DateField("托管开始日")
    ends_on = models.DateField("托管结束日")
    scope = models.TextField("托管服务范围", blank=True)

    class Meta:
        verbose_name = "知识产权托管协议"
        verbose_name_plural = "知识产权托管协议"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return "%s 托管协议（%s 至 %s）" % (self.enterprise, self.starts_on, self.ends_on)


class IpCustodyService(DomainModel):
    """One service delivered under a custody agreement (咨询、检索、代理申请、培训…), optionally linked to
    the IP record it produced (an application filed)."""

    agreement = models.ForeignKey(
        IpCustodyAgreement, on_delete=models.PROTECT, related_name="services", verbose_name="托管协议"
    )
    kind = models.CharField("服务类型", max_length=20, choices=CustodyServiceKind.choices)
    served_on = models.DateField("服务日期")
    description = models.CharField("服务内容", max_length=300)
    ip = models.ForeignKey(
        IntellectualProperty,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="相关知识产权",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "托管服务记录"
        verbose_name_plural = "托管服务记录"
        ordering = ["-served_on", "-id"]

    def __str__(self) -> str:
        return "%s %s" % (self.get_kind_display(), self.served_on)


class IpCase(DomainModel):
    """An IP enforcement or promotion record: a case referred (维权案件移送) or a promotion event such as
    世界知识产权日 (recorded in the outreach module; ``activity_ref`` points there, e.g.
    ``outreach.activity:12``)."""

    kind = models.CharField("类别", max_length=20, choices=IpCaseKind.choices)
    title = models.CharField("名称", max_length=200)
    occurred_on = models.DateField("日期")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name="涉及单位", null=True, blank=True
    )
    referred_to = models.CharField("移送（承办）单位", max_length=100, blank=True)
    outcome = models.CharField("结果", max_length=300, blank=True)
    activity_ref = models.CharField("科普活动", max_length=60, blank=True, help_text="如 outreach.activity:12。")
    participants = models.PositiveIntegerField("参加人数", null=True, blank=True)

    class Meta:
        verbose_name = "知识产权保护与宣传"
        verbose_name_plural = "知识产权保护与宣传"
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return self.title
