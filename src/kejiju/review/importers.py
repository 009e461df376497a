"""Excel import of experts (专家导入) through the two-phase import of ``core.importing``: every row is
checked (person fields by the people registry's rules, expert fields by :func:`clean_expert`), then all
rows are written through the same service in one transaction. A bad file changes nothing."""

from __future__ import annotations

from typing import Any

from kejiju.core.importing import ImportColumn, Importer, ImportReport, register_importer
from kejiju.core.models import Region
from kejiju.core.permissions import account_region_code, can_see
from kejiju.review import actions
from kejiju.review.choices import ExpertOrigin
from kejiju.review.models import Expert

FIELD_HEADERS = {
    "name": "姓名",
    "id_number": "身份证号码",
    "region": "所属区划代码",
    "organization_name": "工作单位",
    "title": "职称",
    "subjects": "学科代码",
    "industries": "行业",
    "keywords": "专长关键词",
    "phone": "联系电话",
    "email": "电子邮箱",
    "bank_account_name": "开户名",
    "bank_name": "开户银行",
    "bank_account_no": "银行账号",
}
REQUIRED = {"name", "id_number", "region", "subjects"}

COLUMNS = [
    ImportColumn(
        header,
        key,
        required=key in REQUIRED,
        help={
            "subjects": "GB/T 13745 代码，多个以逗号分隔，第一个为主学科，如 520,510。",
            "id_number": "18 位居民身份证号码。",
            "bank_account_no": "只填数字。",
        }.get(key, ""),
        width=22 if key in ("id_number", "organization_name", "bank_account_no") else 14,
    )
    for key, header in FIELD_HEADERS.items()
]


def validate(rows: list[dict[str, str]], actor: Any, report: ImportReport) -> list[tuple[int, dict[str, Any]]]:
    from kejiju.people.selectors import person_by_document
    from kejiju.people.services import check_person_id
    from kejiju.review.services import clean_expert

    scope = account_region_code(actor)
    regions = set(Region.objects.values_list("code", flat=True))
    prepared: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(rows, start=2):
        data = {k: str(v or "").strip() for k, v in raw.items()}
        bad = False
        for key in REQUIRED:
            if not data.get(key):
                report.error(index, FIELD_HEADERS[key], "", "%s不能为空。" % FIELD_HEADERS[key])
                bad = True
        value, errors, _ = check_person_id("resident", data.get("id_number", ""))
        if data.get("id_number"):
            for message in errors:
                report.error(index, "身份证号码", data["id_number"], message)
                bad = True
        if not errors:
            if value in seen:
                report.error(index, "身份证号码", value, "与第 %d 行重复。" % seen[value])
                bad = True
            seen[value] = index
            person = person_by_document(value)
            if person is not None:
                # another region's person is never named (the file could otherwise look names up)
                outside = actor is not None and not can_see(actor, person)
                if person.name != data.get("name"):
                    message = (
                        "该身份证号码已登记，与填写的姓名不一致（该人员不在您的管辖范围内）。"
                        if outside
                        else "身份证号码已登记为“%s”，与填写的姓名不一致。" % person.name
                    )
                    report.error(index, "姓名", data.get("name"), message)
                    bad = True
                if Expert.objects.filter(person=person).exists():
                    who = "该身份证号码的人员" if outside else person.name
                    report.error(index, "身份证号码", value, "%s 已在专家库中。" % who)
                    bad = True
        region = data.get("region", "")
        if region and region not in regions:
            report.error(index, "所属区划代码", region, "区划代码“%s”不存在。" % region)
            bad = True
        elif region and scope is not None and not region.startswith(scope):
            report.error(index, "所属区划代码", region, "所属区划“%s”不在您的管辖范围内。" % region)
            bad = True
        cleaned, field_errors = clean_expert(
            {k: v for k, v in data.items() if k not in ("name", "id_number", "region")}
        )
        for key, messages in field_errors.items():
            for message in messages:
                report.error(index, FIELD_HEADERS.get(key, key), data.get(key, ""), message)
                bad = True
        if not bad:
            prepared.append((index, {**data, "id_number": value}))
    report.created = len(prepared)
    return prepared


def commit(prepared: Any, actor: Any, batch_id: Any, report: ImportReport) -> None:
    from kejiju.review.services import expert_create

    for _index, data in prepared:
        expert_create(actor=actor, data=data, origin=ExpertOrigin.IMPORT)


EXPERTS = register_importer(
    Importer(
        name="experts",
        title="专家导入",
        columns=COLUMNS,
        validate=validate,
        commit=commit,
        action=actions.EXPERT_IMPORT,
        perm="review.import_expert",
        list_url_name="review:expert_list",
        list_title="专家库",
        notes=(
            "第 1 行为列名，请勿修改；从第 2 行开始每行一位专家。",
            "已在专家库中的人员不能重复导入；人员库中已有的人员按身份证号码关联。",
            "任何一行有错误时，整个文件都不会导入；请按错误说明修改后重新上传。",
        ),
    )
)
