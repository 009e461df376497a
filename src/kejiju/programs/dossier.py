"""项目档案 (dossier) export: one ZIP with the forms, every attachment and every generated document.

The forms (申报书, 任务书) are written as .docx and converted to PDF when LibreOffice is present (the
reports app's PDF conversion); the tables (经费台账, 进展报告, 检查, 时间线) are .xlsx."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from typing import Any

from django.utils import timezone

from kejiju.core.excel import write_workbook
from kejiju.programs import selectors

logger = logging.getLogger(__name__)
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name).strip("._") or "file"


def _docx(title: str, sections: list[tuple[str, list[tuple[str, str]] | list[list[str]]]]) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(title, level=1)
    for heading, rows in sections:
        doc.add_heading(heading, level=2)
        if rows and isinstance(rows[0], tuple):
            for label, value in rows:  # type: ignore[misc]
                doc.add_paragraph("%s：%s" % (label, value))
        elif rows:
            table = doc.add_table(rows=0, cols=len(rows[0]))
            table.style = "Table Grid"
            for row in rows:
                cells = table.add_row().cells
                for i, value in enumerate(row):
                    cells[i].text = str(value)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _form(name: str, data: bytes) -> tuple[str, bytes]:
    """PDF when LibreOffice is present, else the .docx itself."""
    from kejiju.reports.services import pdf_available

    if pdf_available():
        from kejiju.engines.gbt9704.pdf import docx_to_pdf

        try:
            return name + ".pdf", docx_to_pdf(data, timeout=60)
        except Exception as exc:  # a failed conversion still exports the .docx
            logger.warning("dossier PDF conversion failed: %s", exc)
    return name + ".docx", data


def _read(attachment: Any) -> bytes | None:
    from kejiju.core.services.attachments import storage_path

    try:
        return storage_path(attachment.storage_name).read_bytes()
    except OSError:
        return None


def build_dossier(project: Any) -> bytes:
    app = project.application
    contract = getattr(project, "contract", None)
    labels = {f["key"]: f["label"] for f in app.call.form_fields or []}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        app_doc = _docx(
            "申报书：%s" % app.title,
            [
                (
                    "基本信息",
                    [
                        ("申报编号", app.number),
                        ("申报单位", app.organization.name),
                        ("指南", app.call.title),
                        ("申请资助（元）", str(app.requested_amount)),
                        ("联系人", app.contact_person),
                        ("联系电话", app.contact_phone),
                    ],
                ),
                ("申报内容", [(labels.get(k, k), str(v)) for k, v in (app.data or {}).items()]),
                (
                    "项目组成员",
                    [["姓名", "角色", "分工"]]
                    + [
                        [m.person.name, "负责人" if m.is_leader else "成员", m.role]
                        for m in app.members.select_related("person")
                    ],
                ),
                (
                    "经费预算",
                    [["科目", "来源", "金额（元）"]]
                    + [
                        [b.get_category_display(), b.get_source_display(), str(b.amount)]
                        for b in app.budget_lines.all()
                    ],
                ),
                ("评审", [("评审得分", str(app.review_score or "")), ("评审意见", app.review_opinion)]),
            ],
        )
        name, data = _form("01_申报书", app_doc)
        z.writestr(name, data)
        if contract is not None:
            c_doc = _docx(
                "任务书：%s" % project.title,
                [
                    (
                        "基本信息",
                        [
                            ("任务书编号", contract.number),
                            ("项目编号", project.number),
                            ("承担单位", project.organization.name),
                            ("执行期", "%s 至 %s" % (contract.starts_on, contract.ends_on)),
                            ("签订日期", str(contract.signed_on or "")),
                            ("立项资助（元）", str(project.approved_amount)),
                        ],
                    ),
                    (
                        "考核指标",
                        [["指标", "单位", "目标值"]]
                        + [[t["name"], t.get("unit", ""), t["value"]] for t in contract.targets],
                    ),
                    ("进度安排", [["日期", "内容"]] + [[m["due"], m["content"]] for m in contract.milestones]),
                    (
                        "经费预算",
                        [["科目", "来源", "金额（元）"]]
                        + [
                            [b.get_category_display(), b.get_source_display(), str(b.amount)]
                            for b in contract.budget_lines.all()
                        ],
                    ),
                ],
            )
            name, data = _form("02_任务书", c_doc)
            z.writestr(name, data)
        z.writestr(
            "03_经费台账.xlsx",
            write_workbook(
                "经费台账",
                ["拨付日期", "金额（元）", "凭证号", "说明"],
                [[p.paid_on.isoformat(), p.amount, p.voucher, p.note] for p in project.payments.all()],
            ),
        )
        z.writestr(
            "04_进展报告.xlsx",
            write_workbook(
                "进展报告",
                ["报告期", "截止日期", "状态", "提交时间", "进展情况"],
                [
                    [
                        r.period,
                        r.due_on.isoformat(),
                        r.get_status_display(),
                        timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M") if r.submitted_at else "",
                        r.content,
                    ]
                    for r in project.reports.all()
                ],
            ),
        )
        z.writestr(
            "05_检查与整改.xlsx",
            write_workbook(
                "检查",
                ["类型", "日期", "发现", "整改期限", "整改情况", "状态"],
                [
                    [
                        i.get_kind_display(),
                        i.inspected_on.isoformat(),
                        i.findings,
                        str(i.rectification_due or ""),
                        i.rectification,
                        i.get_status_display(),
                    ]
                    for i in project.inspections.all()
                ],
            ),
        )
        z.writestr(
            "06_办理过程.xlsx",
            write_workbook(
                "办理过程",
                ["时间", "环节", "操作", "原状态", "新状态", "操作人", "说明"],
                [
                    [
                        timezone.localtime(r["at"]).strftime("%Y-%m-%d %H:%M:%S"),
                        r["kind"],
                        r["action"],
                        r["from"],
                        r["to"],
                        str(r["actor"] or "系统"),
                        r["reason"],
                    ]
                    for r in selectors.timeline(project)
                ],
            ),
        )
        seen: set[str] = set()
        for folder, items in (
            ("附件/申报", selectors.attachments_of(owner=app)),
            ("附件/项目", selectors.attachments_of(owner=project)),
        ):
            for a in items:
                data_ = _read(a)
                if data_ is None:
                    continue
                path = "%s/%s" % (folder, _safe(a.original_name))
                if path in seen:
                    path = "%s/%s_%s" % (folder, str(a.pk)[:8], _safe(a.original_name))
                seen.add(path)
                z.writestr(path, data_)
        for doc in selectors.project_documents(project):
            for att in (doc.output, doc.pdf):
                if att is not None and (data_ := _read(att)) is not None:
                    z.writestr("公文/%s" % _safe(att.original_name), data_)
    return buffer.getvalue()
