"""Operation-log action codes of the technology-transfer module."""

from kejiju.core.audit import register_action

ACHIEVEMENT_SAVE = register_action("transfer.achievement_save", "保存科技成果")
ACHIEVEMENT_ARCHIVE = register_action("transfer.achievement_archive", "归档科技成果")
DEMAND_SAVE = register_action("transfer.demand_save", "发布技术需求")
DEMAND_CLOSE = register_action("transfer.demand_close", "关闭技术需求")
MATCH_PROPOSE = register_action("transfer.match_propose", "提出成果对接")
MATCH_TRANSITION = register_action("transfer.match_transition", "成果对接状态变更")
EVENT_SAVE = register_action("transfer.event_save", "登记对接活动")
CONTRACT_REGISTER = register_action("transfer.contract_register", "技术合同登记")
CONTRACT_UPDATE = register_action("transfer.contract_update", "修改技术合同")
COOPERATION_SAVE = register_action("transfer.cooperation_save", "登记合作协议")
