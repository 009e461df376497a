"""The persons import (人员导入): template columns, row validation through :func:`clean_person` and the
commit through :func:`person_create`, all or nothing (house rule 10). A document number already in the
pool, a bad resident ID number or a passport number in the wrong format is an error on its row.

The talent import (人才入库导入) loads a talent list (one of the county's talent databases): each row finds
the person by document number (``person_ensure``: one person, one record) or registers them, and puts
them into a category with year and document (``membership_grant``). It is checked by running those very
services inside a transaction that is rolled back, so rows are checked against each other as well."""

from __future__ import annotations

from typing import Any

from kejiju.core.errors import BusinessError, RowErrors
from kejiju.core.importing import ImportColumn, Importer, ImportReport, check_by_running, register_importer
from kejiju.core.permissions import account_region_code, can_see
from kejiju.people import actions
from kejiju.people.choices import Education, Gender, IdType, TitleLevel
from kejiju.people.models import Person
from kejiju.people.permissions import can_add_person
from kejiju.people.services import (
    check_person_id,
    clean_person,
    membership_grant,
    person_create,
    person_ensure,
    subject_errors,
)

FIELD_HEADERS = {
    "name": "姓名",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "region": "所属区划代码",
    "gender": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "phone": "联系电话",
    "email": "电子邮箱",
    "organization": "工作单位信用代码",
    "position": "职务",
    "title": "职称",
    "title_level": "职称级别",
    "education": "最高学历",
    "major": "所学专业",
    "subjects": "学科代码",
    "industries": "行业代码",
    "keywords": "专长关键词",
}


def _labels(choices: Any) -> list[str]:
    return [str(c.label) for c in choices]


COLUMNS = [
    ImportColumn("姓名", "name", True, width=12),
    ImportColumn("证件类型", "id_type", choices=lambda: _labels(IdType), help="默认居民身份证。", width=16),
    ImportColumn(
        "证件号码", "id_number", True, help="居民身份证 18 位（GB 11643 校验）；护照等 5–20 位字母数字。", width=22
    ),
    ImportColumn("所属区划代码", "region", True, help="县 6 位、乡镇 9 位，须在您的管辖范围内。", width=14),
    ImportColumn("性别", "gender", choices=lambda: _labels(Gender), help="居民身份证可不填（由号码得出）。", width=8),
    ImportColumn("出生日期", "birth_date", help="如 1980-05-01；居民身份证可不填。", width=12),
    ImportColumn("民族", "ethnicity", width=8),
    ImportColumn("联系电话", "phone", help="手机或带区号的固定电话。", width=14),
    ImportColumn("电子邮箱", "email", width=20),
    ImportColumn("工作单位信用代码", "organization", help="已在主体库登记的单位的统一社会信用代码。", width=22),
    ImportColumn("职务", "position"),
    ImportColumn("职称", "title"),
    ImportColumn("职称级别", "title_level", choices=lambda: _labels(TitleLevel)),
    ImportColumn("最高学历", "education", choices=lambda: _labels(Education)),
    ImportColumn("所学专业", "major"),
    ImportColumn("学科代码", "subjects", help="GB/T 13745 代码，多个以逗号分隔，第一个为主学科。"),
    ImportColumn("行业代码", "industries", help="GB/T 4754 代码，多个以逗号分隔。"),
    ImportColumn("专长关键词", "keywords", width=24),
]

_BY_LABEL = {
    "id_type": {str(c.label): str(c.value) for c in IdType},
    "gender": {str(c.label): str(c.value) for c in Gender},
    "title_level": {str(c.label): str(c.value) for c in TitleLevel},
    "education": {str(c.label): str(c.value) for c in Education},
}


def _row_data(raw: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {k: str(v).strip() for k, v in raw.items() if k != "organization"}
    for key, mapping in _BY_LABEL.items():
        if data.get(key):
            data[key] = mapping.get(data[key], data[key])
    if not data.get("id_type"):
        data["id_type"] = IdType.RESIDENT
    return data


def validate(rows: list[dict[str, str]], actor: Any, report: ImportReport) -> Any:
    """Check every row (the same rules and Chinese reasons as the form); return the rows to create."""
    from kejiju.orgs.selectors import organization_by_credit_code

    scope = account_region_code(actor) if actor is not None else ""
    prepared: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(rows, start=2):
        if not any(str(v).strip() for v in raw.values()):
            continue
        data = _row_data(raw)
        ok = True
        credit = str(raw.get("organization") or "").strip().upper()
        if credit:
            org = organization_by_credit_code(user=actor, credit_code=credit)
            if org is None:
                report.error(index, FIELD_HEADERS["organization"], credit, "主体库中没有该统一社会信用代码的单位。")
                ok = False
            else:
                data["organization"] = org.pk
        result = clean_person(data, actor=actor)
        for fld, messages in result.errors.items():
            for message in messages:
                report.error(index, FIELD_HEADERS.get(fld, fld), raw.get(fld, ""), message)
            ok = False
        region = result.data.get("region", "")
        if region and "region" not in result.errors and scope and not str(region).startswith(scope):
            report.error(index, "所属区划代码", region, "所属区划“%s”不在您的管辖范围内。" % region)
            ok = False
        key = (result.data.get("id_type", ""), result.data.get("id_number", ""))
        if key[1] and "id_number" not in result.errors:
            if key in seen:
                report.error(index, "证件号码", key[1], "证件号码与第 %d 行重复。" % seen[key])
                ok = False
            seen.setdefault(key, index)
        if ok:
            prepared.append(data)
    report.created = len(prepared)
    return prepared


def commit(prepared: Any, actor: Any, batch_id: Any, report: ImportReport) -> None:
    """Create every person through :func:`person_create` (inside run_import's transaction)."""
    for data in prepared:
        person_create(actor=actor, data=data)


PERSONS = register_importer(
    Importer(
        name="persons",
        title="人员导入",
        columns=COLUMNS,
        validate=validate,
        commit=commit,
        action=actions.PERSON_IMPORT,
        perm="people.add_person",
        list_url_name="people:person_list",
        list_title="人员列表",
        notes=(
            "第 1 行为列名，请勿修改；从第 2 行开始每行一个人。",
            "证件号码已在人员库中登记的人员不能重复导入（一人一条记录），请在人员页面修改。",
            "任何一行有错误时，整个文件都不会导入；请按错误说明修改后重新上传。",
        ),
    )
)


# ------------------------------------------------------------------------------------------- talent import

TALENT_HEADERS = {
    "name": "姓名",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "region": "所属区划代码",
    "organization": "工作单位信用代码",
    "phone": "联系电话",
    "title": "职称",
    "title_level": "职称级别",
    "education": "最高学历",
    "subjects": "学科代码",
    "category": "人才类别",
    "year": "入选年度",
    "document_no": "文件文号",
    "notes": "备注",
}
#: Fields of a row that describe the person (the rest describe the membership).
_TALENT_PERSON_FIELDS = ("name", "id_type", "id_number", "region", "phone", "title", "title_level", "education")


def _category_names() -> list[str]:
    from kejiju.people.selectors import talent_categories

    return [c.name for c in talent_categories(active_only=True)]


TALENT_COLUMNS = [
    ImportColumn("姓名", "name", True, width=12),
    ImportColumn("证件类型", "id_type", choices=lambda: _labels(IdType), help="默认居民身份证。", width=16),
    ImportColumn(
        "证件号码",
        "id_number",
        True,
        help="已在人员库中的人员按证件号码找到（姓名须一致），不重复登记；新的人员同时登记到人员库。",
        width=22,
    ),
    ImportColumn(
        "所属区划代码", "region", True, help="县 6 位、乡镇 9 位，须在您的管辖范围内（新登记的人员用）。", width=14
    ),
    ImportColumn("工作单位信用代码", "organization", help="已在主体库登记的单位的统一社会信用代码。", width=22),
    ImportColumn("联系电话", "phone", help="手机或带区号的固定电话。", width=14),
    ImportColumn("职称", "title"),
    ImportColumn("职称级别", "title_level", choices=lambda: _labels(TitleLevel)),
    ImportColumn("最高学历", "education", choices=lambda: _labels(Education)),
    ImportColumn("学科代码", "subjects", help="GB/T 13745 代码，多个以逗号分隔，第一个为主学科。"),
    ImportColumn("人才类别", "category", True, choices=_category_names, help="启用中的人才类别名称。", width=16),
    ImportColumn("入选年度", "year", True, help="如 2024。", width=10),
    ImportColumn("文件文号", "document_no", help="认定或公布文件的文号。", width=22),
    ImportColumn("备注", "notes", width=24),
]


def _talent_row(raw: dict[str, str], actor: Any) -> None:
    """Find or register the person of one row and put them into the category; raises ``RowErrors`` /
    ``BusinessError`` naming the field."""
    from kejiju.orgs.selectors import organization_by_credit_code
    from kejiju.people.selectors import talent_categories

    data = _row_data({k: raw.get(k, "") for k in _TALENT_PERSON_FIELDS})
    subjects = [c for c in str(raw.get("subjects") or "").replace("，", ",").split(",") if c.strip()]
    if subjects:
        data["subjects"] = [c.strip() for c in subjects]
    errors: dict[str, list[str]] = {}
    credit = str(raw.get("organization") or "").strip().upper()
    if credit:
        org = organization_by_credit_code(user=actor, credit_code=credit)
        if org is None:
            errors["organization"] = ["主体库中没有该统一社会信用代码的单位。"]
        else:
            data["organization"] = org.pk
    name = str(raw.get("category") or "").strip()
    category = talent_categories().filter(name=name).first() or talent_categories().filter(code=name).first()
    if category is None:
        errors["category"] = ["没有名为“%s”的人才类别，应为：%s。" % (name, "、".join(_category_names()))]
    if subjects:
        bad_subjects = subject_errors(data["subjects"])
        if bad_subjects:
            errors["subjects"] = bad_subjects
    if errors or category is None:
        raise RowErrors(errors)
    # the person is found first: one outside the importer's region is refused before the name is compared
    # (never disclosed); a person not yet registered needs the right to add people
    value, id_errors, _details = check_person_id(str(data["id_type"]), str(data.get("id_number") or ""))
    if not id_errors:
        existing = Person.objects.filter(id_type=data["id_type"], id_number=value).first()
        if existing is not None and actor is not None and not can_see(actor, existing):
            raise BusinessError(
                "该证件号码的人员不在您的管辖范围内，不能入库。", code="out_of_scope", field="id_number"
            )
        if existing is None and actor is not None and not can_add_person(actor):
            raise BusinessError(
                "该证件号码的人员尚未在人员库中登记；登记新的人员需要“新增人员”权限。",
                code="forbidden",
                field="id_number",
            )
    # an existing person is matched by document (name must agree); a new one passes the form's rules
    person = person_ensure(actor=actor, data=data)
    membership_grant(
        actor=actor,
        person=person,
        category=category,
        year=raw.get("year", ""),
        document_no=str(raw.get("document_no") or ""),
        notes=str(raw.get("notes") or ""),
    )


def _report_error(report: ImportReport, index: int, raw: dict[str, str], exc: BusinessError) -> None:
    if isinstance(exc, RowErrors):
        for fld, messages in exc.errors.items():
            for message in messages:
                report.error(index, TALENT_HEADERS.get(fld, ""), raw.get(fld, ""), message)
        return
    fld = exc.field or ("id_number" if exc.code in ("forbidden", "out_of_scope") else "")
    report.error(index, TALENT_HEADERS.get(fld, ""), raw.get(fld, ""), exc.message)


def validate_talents(rows: list[dict[str, str]], actor: Any, report: ImportReport) -> Any:
    """Check every row by running it (person, then membership) in a transaction that is rolled back: the
    same rules and Chinese reasons as the pages, and a person put twice into one category in the file is
    caught like one already in it."""
    return check_by_running(rows, lambda raw: _talent_row(raw, actor), report, TALENT_HEADERS, _report_error)


def commit_talents(prepared: Any, actor: Any, batch_id: Any, report: ImportReport) -> None:
    """Run every checked row again (inside run_import's one transaction)."""
    for raw in prepared:
        _talent_row(raw, actor)


TALENTS = register_importer(
    Importer(
        name="talents",
        title="人才入库导入",
        columns=TALENT_COLUMNS,
        validate=validate_talents,
        commit=commit_talents,
        action=actions.TALENT_IMPORT,
        perm="people.change_person",
        list_url_name="people:talent_list",
        list_title="人才库",
        notes=(
            "第 1 行为列名，请勿修改；从第 2 行开始每行一人一个类别（同一人入选多个类别写多行）。",
            "证件号码已在人员库中的人员直接入库（姓名须与登记的一致），不重复登记；新的人员同时登记到人员库。",
            "已在该类别中的人员不能重复入库；任何一行有错误时，整个文件都不会导入。",
        ),
    )
)
