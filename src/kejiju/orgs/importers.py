"""The organizations import (主体库导入): template columns, row validation and the bulk commit."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kejiju.core.bulk import copy_history, ids_by, insert_rows, update_rows
from kejiju.core.importing import ImportColumn, Importer, ImportReport, check_by_running, register_importer
from kejiju.core.models import CodeItem, Region
from kejiju.core.permissions import account_region_code
from kejiju.orgs import actions
from kejiju.orgs.choices import OrgType
from kejiju.orgs.models import Organization, OrganizationAlias
from kejiju.orgs.services import ORG_FIELDS, clean_organization, name_initials

FIELD_HEADERS = {
    "name": "单位名称",
    "credit_code": "统一社会信用代码",
    "region": "所属区划代码",
    "org_type": "单位类型",
    "industry_code": "行业门类",
    "address": "注册地址",
    "legal_representative": "法定代表人",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
    "founded_on": "成立日期",
    "staff_count": "职工人数",
}


def _type_choices() -> list[str]:
    return [str(c.label) for c in OrgType]


def _industry_choices() -> list[str]:
    return [f"{c.code} {c.name}" for c in CodeItem.objects.filter(kind="industry", level=1, is_active=True)]


COLUMNS = [
    ImportColumn("单位名称", "name", True, help="单位全称，与营业执照或登记证书一致。", width=30),
    ImportColumn("统一社会信用代码", "credit_code", True, help="18 位，GB 32100 校验。", width=22),
    ImportColumn("所属区划代码", "region", True, help="县 6 位（如 341181）、乡镇 9 位、村 12 位。", width=14),
    ImportColumn("单位类型", "org_type", True, choices=_type_choices, help="从下拉列表选择。", width=14),
    ImportColumn(
        "行业门类",
        "industry_code",
        choices=_industry_choices,
        help="GB/T 4754-2017 门类字母（如 C）或大类代码（如 C39 或 39）。",
        width=24,
    ),
    ImportColumn("注册地址", "address", width=30),
    ImportColumn("法定代表人", "legal_representative"),
    ImportColumn("联系人", "contact_person"),
    ImportColumn("联系电话", "contact_phone", help="手机或带区号的固定电话。"),
    ImportColumn("成立日期", "founded_on", help="如 2020-05-01。"),
    ImportColumn("职工人数", "staff_count", help="非负整数。"),
]


#: Columns that may be left empty; on an update an empty cell keeps the stored value.
OPTIONAL_KEYS = tuple(c.key for c in COLUMNS if not c.required)


def _scope_regions(actor: Any) -> set[str]:
    scope = account_region_code(actor) if actor is not None else ""
    qs = Region.objects.filter(is_active=True)
    if scope:
        qs = qs.filter(code__startswith=scope)
    elif scope is None:
        return set()
    return set(qs.values_list("code", flat=True))


def _existing(codes: list[str]) -> dict[str, tuple[int, str, str, int | None]]:
    """credit code → (pk, name, region, merged into) for codes already registered, in chunks (SQLite
    variable limit)."""
    found: dict[str, tuple[int, str, str, int | None]] = {}
    for start in range(0, len(codes), 900):
        chunk = codes[start : start + 900]
        for pk, code, name, region, merged in Organization.objects.filter(credit_code__in=chunk).values_list(
            "pk", "credit_code", "name", "region_id", "merged_into_id"
        ):
            found[code] = (pk, name, region, merged)
    return found


def validate(rows: list[dict[str, str]], actor: Any, report: ImportReport) -> Any:
    """Check every row; return (new rows, updates) ready for :func:`commit`."""
    regions = _scope_regions(actor)
    industries = set(CodeItem.objects.filter(kind="industry", is_active=True).values_list("code", flat=True))
    scope = account_region_code(actor) if actor is not None else ""
    cleaned: list[tuple[int, dict[str, Any], set[str]]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(rows, start=2):
        if not any(str(v).strip() for v in raw.values()):
            continue
        if raw.get("industry_code"):
            raw = {**raw, "industry_code": str(raw["industry_code"]).split(" ", 1)[0]}
        result = clean_organization(raw, known_regions=regions, known_industries=industries)
        if result.errors.get("region") and raw.get("region") and scope:
            # distinguish "outside your region" from "no such code" without a query per row
            code = result.data.get("region", "")
            if not code.startswith(scope):
                result.errors["region"] = ["所属区划“%(c)s”不在您的管辖范围内。" % {"c": code}]
        for fld, messages in result.errors.items():
            for message in messages:
                report.error(index, FIELD_HEADERS[fld], raw.get(fld, ""), message)
        for fld, messages in result.warnings.items():
            for message in messages:
                report.warning(index, FIELD_HEADERS[fld], raw.get(fld, ""), message)
        code = result.data.get("credit_code", "")
        if code and "credit_code" not in result.errors:
            if code in seen:
                report.error(index, "统一社会信用代码", code, "统一社会信用代码与第 %(r)s 行重复。" % {"r": seen[code]})
                continue
            seen[code] = index
        if not result.errors:
            blank = {key for key in OPTIONAL_KEYS if not str(raw.get(key) or "").strip()}
            cleaned.append((index, result.data, blank))
    existing = _existing([data["credit_code"] for _, data, _ in cleaned])
    creates: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any], str]] = []
    keep_blanks: dict[int, set[str]] = {}
    for index, data, blank in cleaned:
        found = existing.get(data["credit_code"])
        if found is None:
            creates.append(data)
            continue
        pk, name, region, merged = found
        if scope and not region.startswith(scope):
            report.error(
                index,
                "统一社会信用代码",
                data["credit_code"],
                "该统一社会信用代码已在您的管辖范围外登记，请联系上级科技局。",
            )
            continue
        if merged:
            # a merged duplicate is read-only: updating it would split the record again
            report.error(
                index,
                "统一社会信用代码",
                data["credit_code"],
                "该统一社会信用代码对应的单位“%(n)s”已合并到其他单位，不能再更新。" % {"n": name},
            )
            continue
        updates.append((pk, data, name))
        keep_blanks[pk] = blank
    _keep_stored_values(updates, keep_blanks)
    report.created, report.updated = len(creates), len(updates)
    return creates, updates


def _keep_stored_values(updates: list[tuple[int, dict[str, Any], str]], blanks: dict[int, set[str]]) -> None:
    """Bad input never loses data: an empty optional cell in a row that updates an organization keeps
    the value already stored instead of clearing it."""
    wanted = [pk for pk, _, _ in updates if blanks.get(pk)]
    stored: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), 900):
        for row in Organization.objects.filter(pk__in=wanted[start : start + 900]).values("pk", *OPTIONAL_KEYS):
            stored[row["pk"]] = row
    for pk, data, _ in updates:
        for key in blanks.get(pk, ()):
            data[key] = stored[pk][key]


#: The stored columns an import writes: every organization field plus the search key.
ORG_WRITE_FIELDS = [*ORG_FIELDS[:1], "name_initials", *ORG_FIELDS[1:]]


def commit(prepared: Any, actor: Any, batch_id: Any, report: ImportReport) -> None:
    """Create the new organizations and update the existing ones (matched by credit code) with one
    prepared statement each, write a field-history row for every record, and keep former names of
    renamed ones. Runs inside run_import's transaction."""
    creates, updates = prepared
    user = actor if getattr(actor, "pk", None) else None
    rows = []
    for data in creates:
        rows.append({**data, "name_initials": name_initials(data["name"]), "is_archived": False})
    insert_rows(Organization, rows, fields=[*ORG_WRITE_FIELDS, "is_archived", "created_at", "updated_at"])
    new_ids = ids_by(Organization, "credit_code", [r["credit_code"] for r in rows])
    copy_history(Organization, new_ids.values(), history_type="+", user=user, reason="Excel 导入")
    if updates:
        changed, aliases = [], []
        for pk, data, old_name in updates:
            changed.append(
                {**data, "pk": pk, "name_initials": name_initials(data["name"]), "updated_at": timezone.now()}
            )
            if data["name"] != old_name:
                aliases.append(OrganizationAlias(organization_id=pk, name=old_name, source="rename"))
        # 主要产品 is not a column of the sheet: an update must not blank what the record already says
        update_rows(
            Organization, changed, fields=[*(f for f in ORG_WRITE_FIELDS if f != "main_products"), "updated_at"]
        )
        copy_history(Organization, [pk for pk, _, _ in updates], history_type="~", user=user, reason="Excel 导入")
        OrganizationAlias.objects.bulk_create(aliases, batch_size=2000)


ORGANIZATIONS = register_importer(
    Importer(
        name="organizations",
        title="单位导入",
        columns=COLUMNS,
        validate=validate,
        commit=commit,
        action=actions.ORG_IMPORT,
        perm="orgs.import_organization",
        list_url_name="orgs:organization_list",
        list_title="单位列表",
        notes=(
            "第 1 行为列名，请勿修改；从第 2 行开始每行一个单位。",
            "统一社会信用代码已登记的单位将按文件内容更新（选填列留空则保留原值），未登记的新增。",
            "任何一行有错误时，整个文件都不会导入；请按错误说明修改后重新上传。",
        ),
    )
)


# ------------------------------------------------------------------ intellectual property (知识产权导入)


from kejiju.core.errors import BusinessError  # noqa: E402
from kejiju.orgs.choices import IpStatus, IpType  # noqa: E402

IP_HEADERS = {
    "ip_type": "知识产权类型",
    "title": "名称",
    "number": "申请号/登记号",
    "applied_on": "申请日",
    "granted_on": "授权（登记）日",
    "status": "状态",
    "credit_code": "权利人统一社会信用代码",
    "person_name": "个人权利人姓名",
    "person_id_number": "个人权利人身份证号",
    "owners": "权利人（全部）",
    "organization": "权利人统一社会信用代码",
    "person": "个人权利人身份证号",
    "id_number": "个人权利人身份证号",
    "name": "个人权利人姓名",
}

IP_TYPES_BY_TEXT: dict[str, str] = {
    **{str(c.value): str(c.value) for c in IpType},
    **{str(c.label): str(c.value) for c in IpType},
    "发明": "invention",
    "实用新型": "utility",
    "外观设计": "design",
    "软著": "software",
}
IP_STATUS_BY_TEXT: dict[str, str] = {
    **{str(c.value): str(c.value) for c in IpStatus},
    **{str(c.label): str(c.value) for c in IpStatus},
    "已授权": "granted",
    "授权": "granted",
    "有效": "granted",
    "申请": "applied",
    "失效": "lapsed",
}

IP_COLUMNS = [
    ImportColumn(
        "知识产权类型", "ip_type", True, choices=lambda: [str(c.label) for c in IpType], help="从下拉列表选择。"
    ),
    ImportColumn("名称", "title", True, width=30),
    ImportColumn(
        "申请号/登记号",
        "number",
        True,
        help="专利 12 位加校验位（如 202320123456.1，可带 ZL）；软件著作权如 2023SR0123456。",
        width=20,
    ),
    ImportColumn("申请日", "applied_on", help="如 2023-03-01。"),
    ImportColumn("授权（登记）日", "granted_on", help="已授权的必填，不得早于申请日。"),
    ImportColumn("状态", "status", choices=lambda: [str(c.label) for c in IpStatus], help="留空为“申请中”。"),
    ImportColumn("权利人统一社会信用代码", "credit_code", help="单位权利人；须已在主体库登记。", width=22),
    ImportColumn("个人权利人姓名", "person_name", help="个人专利填写，与身份证号一起。"),
    ImportColumn("个人权利人身份证号", "person_id_number", help="18 位居民身份证号码。", width=22),
    ImportColumn("权利人（全部）", "owners", help="共有权利人全称，以顿号分隔。", width=30),
]


def _ip_row(raw: dict[str, str], actor: Any) -> dict[str, Any]:
    """Parse one row into ``ip_save`` arguments; raises :class:`BusinessError` naming the field."""
    from kejiju.orgs import selectors
    from kejiju.orgs.services import _parse_date, ip_person_ensure

    text = str(raw.get("ip_type") or "").strip()
    ip_type = IP_TYPES_BY_TEXT.get(text)
    if ip_type is None:
        raise BusinessError("知识产权类型“%(v)s”无效。" % {"v": text}, code="invalid", field="ip_type")
    status_text = str(raw.get("status") or "").strip()
    status = IP_STATUS_BY_TEXT.get(status_text, "applied" if not status_text else "")
    if not status:
        raise BusinessError(
            "状态“%(v)s”无效，应为申请中、已授权或已失效。" % {"v": status_text}, code="invalid", field="status"
        )
    dates: dict[str, Any] = {}
    for fld, label in (("applied_on", "申请日"), ("granted_on", "授权日")):
        try:
            dates[fld] = _parse_date(raw.get(fld))
        except ValueError:
            raise BusinessError(
                "%(l)s“%(v)s”不是有效日期，格式应为 2023-03-01。" % {"l": label, "v": raw.get(fld)},
                code="invalid",
                field=fld,
            ) from None
    organization = None
    code = str(raw.get("credit_code") or "").strip()
    if code:
        organization = selectors.organization_by_credit_code(user=actor, credit_code=code)
        if organization is None:
            raise BusinessError(
                "统一社会信用代码“%(c)s”未在主体库登记（或不在您的管辖范围内），请先导入单位。" % {"c": code},
                code="invalid",
                field="credit_code",
            )
    person = None
    id_number = str(raw.get("person_id_number") or "").strip()
    if id_number or str(raw.get("person_name") or "").strip():
        if organization is not None:
            raise BusinessError("单位权利人与个人权利人只填一个。", code="invalid", field="person_id_number")
        region = getattr(actor, "region_id", None) or ""
        person = ip_person_ensure(
            actor=actor,
            data={"name": str(raw.get("person_name") or "").strip(), "id_number": id_number, "region": region},
        )
    if organization is None and person is None:
        raise BusinessError("请填写权利人统一社会信用代码或个人权利人。", code="required", field="credit_code")
    return {
        "organization": organization,
        "person": person,
        "ip_type": ip_type,
        "title": str(raw.get("title") or ""),
        "number": str(raw.get("number") or ""),
        "status": status,
        "owners": str(raw.get("owners") or "") or (organization.name if organization is not None else str(person)),
        **dates,
    }


def _ip_save_row(raw: dict[str, str], actor: Any) -> None:
    from kejiju.orgs.services import ip_save

    ip_save(actor=actor, **_ip_row(raw, actor))


def validate_ip(rows: list[dict[str, str]], actor: Any, report: ImportReport) -> Any:
    """Check every row by saving it through ``ip_save`` inside a transaction that is then rolled back: the
    import applies exactly the rules of the form (number format and check digit, dates, duplicates — in
    the file and against the register — and owner), and reports each with its row and column."""
    return check_by_running(rows, lambda raw: _ip_save_row(raw, actor), report, IP_HEADERS)


def commit_ip(prepared: Any, actor: Any, batch_id: Any, report: ImportReport) -> None:
    """Save every checked row through ``ip_save`` (inside run_import's one transaction)."""
    for raw in prepared:
        _ip_save_row(raw, actor)


IP_IMPORTER = register_importer(
    Importer(
        name="ip",
        title="知识产权导入",
        columns=IP_COLUMNS,
        validate=validate_ip,
        commit=commit_ip,
        action=actions.IP_IMPORT,
        perm="orgs.import_intellectualproperty",
        list_url_name="orgs:ip_list",
        list_title="知识产权列表",
        notes=(
            "第 1 行为列名，请勿修改；从第 2 行开始每行一项知识产权（市场监管/知识产权局的专利清单可直接整理成此格式）。",
            "单位权利人按统一社会信用代码匹配主体库；个人专利填写姓名与身份证号，自动登记到人员库。",
            "专利申请号按国家知识产权局规则核对校验位；同一类型同一号码只能登记一次。",
            "任何一行有错误时，整个文件都不会导入；请按错误说明修改后重新上传。",
        ),
    )
)
