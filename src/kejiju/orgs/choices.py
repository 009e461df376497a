"""Choice lists of the organizations registry (主体库)."""

from __future__ import annotations

from django.db import models


class OrgType(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    UNIVERSITY = "university", "高等院校"
    INSTITUTE = "institute", "科研院所"
    HOSPITAL = "hospital", "医疗卫生机构"
    COOPERATIVE = "cooperative", "农民专业合作社"
    GOVERNMENT = "government", "机关事业单位"
    SOCIAL = "social", "社会组织"
    INDIVIDUAL = "individual", "个体工商户"


class QualificationKind(models.TextChoices):
    """Certificates an organization holds (资质)."""

    HNTE = "hnte", "高新技术企业"
    TECH_SME = "tech_sme", "科技型中小企业"
    TECH_CENTER = "tech_center", "企业技术中心"
    ENGINEERING_CENTER = "engineering_center", "工程技术研究中心"
    KEY_LAB = "key_lab", "重点实验室"
    SPECIALIZED_SME = "specialized_sme", "专精特新中小企业"
    INNOVATIVE_SME = "innovative_sme", "创新型中小企业"
    AGRI_LEADER = "agri_leader", "农业产业化龙头企业"
    OTHER = "other", "其他资质"


class QualificationLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class IpType(models.TextChoices):
    """Kinds of intellectual property (知识产权)."""

    INVENTION = "invention", "发明专利"
    DEFENSE_PATENT = "defense_patent", "国防专利"
    UTILITY = "utility", "实用新型专利"
    DESIGN = "design", "外观设计专利"
    SOFTWARE = "software", "软件著作权"
    PLANT_VARIETY = "plant_variety", "植物新品种"
    CROP_VARIETY = "crop_variety", "国家级农作物品种"
    NEW_DRUG = "new_drug", "国家新药"
    TCM_PROTECTED = "tcm_protected", "国家一级中药保护品种"
    IC_LAYOUT = "ic_layout", "集成电路布图设计专有权"
    TRADEMARK = "trademark", "商标"


class IpClass(models.TextChoices):
    """Class I / Class II as counted by 科技型中小企业 and 高企 evaluation (spec §1.3)."""

    CLASS_I = "I", "Ⅰ类"
    CLASS_II = "II", "Ⅱ类"
    NONE = "", "不计入"


IP_CLASS_OF_TYPE: dict[str, str] = {
    IpType.INVENTION: IpClass.CLASS_I,
    IpType.DEFENSE_PATENT: IpClass.CLASS_I,
    IpType.PLANT_VARIETY: IpClass.CLASS_I,
    IpType.CROP_VARIETY: IpClass.CLASS_I,
    IpType.NEW_DRUG: IpClass.CLASS_I,
    IpType.TCM_PROTECTED: IpClass.CLASS_I,
    IpType.IC_LAYOUT: IpClass.CLASS_I,
    IpType.UTILITY: IpClass.CLASS_II,
    IpType.DESIGN: IpClass.CLASS_II,
    IpType.SOFTWARE: IpClass.CLASS_II,
    IpType.TRADEMARK: IpClass.NONE,
}


class IpStatus(models.TextChoices):
    APPLIED = "applied", "申请中"
    GRANTED = "granted", "已授权（有效）"
    LAPSED = "lapsed", "已失效"


#: The types counted as patents (专利) in 专利申请量 / 授权量.
PATENT_TYPES = (IpType.INVENTION, IpType.UTILITY, IpType.DESIGN, IpType.DEFENSE_PATENT)


class CustodyServiceKind(models.TextChoices):
    """Services delivered under an IP custody agreement (知识产权托管)."""

    ADVICE = "advice", "咨询指导"
    SEARCH = "search", "检索分析"
    APPLICATION = "application", "代理申请"
    TRAINING = "training", "培训"
    MANAGEMENT = "management", "管理制度建设"
    OTHER = "other", "其他服务"


class IpCaseKind(models.TextChoices):
    """IP enforcement and promotion records."""

    CASE = "case", "维权案件移送"
    MEDIATION = "mediation", "纠纷调解"
    PROMOTION = "promotion", "宣传活动（知识产权日等）"
