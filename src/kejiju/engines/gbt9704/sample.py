"""A realistic 通知 for tests, demos and the CLI: a county bureau's call for 2027 S&T plan projects.

Names, numbers and contacts are invented for the example.
"""

from __future__ import annotations

from datetime import date

from .model import Heading, OfficialDocument, Paragraph, Table


def sample_document() -> OfficialDocument:
    """天长市科学技术局关于组织申报2027年度科技计划项目的通知 (文件格式, sealed, two attachments,
    four heading levels, a small table, 抄送 and 印发)."""
    body = (
        Paragraph(
            "为深入实施创新驱动发展战略，加快构建以企业为主体、市场为导向、产学研深度融合的技术创新体系，"
            "根据《天长市科技计划项目管理办法》，现就组织申报2027年度市科技计划项目有关事项通知如下。"
        ),
        Heading("申报范围"),
        Heading(
            "重点研发项目。",
            level=2,
            content="围绕电线电缆、仪器仪表、新能源汽车零部件等主导产业，支持企业开展关键核心技术攻关和新产品开发。",
        ),
        Heading(
            "科技成果转化项目。",
            level=2,
            content="支持企业与高校、科研院所合作，转化应用先进适用科技成果，形成新产品、新工艺。",
        ),
        Heading(
            "农业科技创新项目。",
            level=2,
            content="支持优质稻米、稻虾共养、设施蔬菜等特色产业的新品种引进、绿色技术示范和科技特派员服务。",
        ),
        Heading("申报条件"),
        Paragraph(
            "申报单位应为在本市登记注册、具有独立法人资格的企业、事业单位或其他组织，"
            "财务管理制度健全，近三年内无不良信用记录。"
        ),
        Heading("企业申报的，应满足以下条件：", level=3),
        Heading("上一年度研究开发费用占销售收入的比例不低于3%；", level=4),
        Heading("拥有与项目相关的知识产权或技术来源合法；", level=4),
        Heading("项目自筹资金不低于申请财政资金的2倍。", level=4),
        Heading("每个单位限报1项，已承担市级科技计划项目尚未验收的，不得申报。", level=3),
        Heading("申报程序"),
        Table(
            rows=(
                ("阶段", "时间", "工作内容"),
                ("网上填报", "6月15日至7月15日", "申报单位在线填写申报书"),
                ("审核推荐", "7月16日至7月25日", "乡镇（街道）审核并推荐"),
                ("专家评审", "8月", "市科技局组织专家评审"),
            ),
            font_size_pt=14,
        ),
        Paragraph(
            "申报单位登录天长市科技项目管理系统在线填报，并将纸质申报材料一式三份（A4纸双面印刷、"
            "左侧装订）报送所在乡镇（街道）。逾期不予受理。"
        ),
        Heading("有关要求"),
        Paragraph(
            "各乡镇（街道）要认真做好项目的组织推荐工作，严格审核申报材料的真实性，"
            "对弄虚作假的单位，三年内不得申报市级科技计划项目。"
        ),
        Paragraph("联系人：王晓明，电话：0550-7021234。"),
        Paragraph("特此通知。"),
    )
    return OfficialDocument(
        issuer="天长市科学技术局",
        doc_number="天科〔2026〕5号",
        title="天长市科学技术局关于组织申报\n2027年度科技计划项目的通知",
        addressee="各乡镇人民政府、街道办事处，市直有关单位，各有关企业",
        body=body,
        attachments=("2027年度天长市科技计划项目申报书", "2027年度天长市科技计划项目推荐汇总表"),
        date=date(2026, 6, 9),
        seal=True,
        note="此件公开发布",
        cc=("滁州市科学技术局", "市财政局"),
        printer="天长市科学技术局办公室",
        print_date="2026年6月9日",
    )
