"""Operation-log action codes of the service line and the knowledge base."""

from kejiju.core.audit import register_action

REQUEST_CREATE = register_action("service.request_create", "受理求助")
REQUEST_TRANSITION = register_action("service.request_transition", "工单状态变更")
REQUEST_DISPATCH = register_action("service.request_dispatch", "派单")
REQUEST_TRANSFER = register_action("service.request_transfer", "转派工单")
VISIT_RECORD = register_action("service.visit_record", "记录出诊")
CALLBACK_RECORD = register_action("service.callback_record", "记录回访")
LOSS_CHECK = register_action("service.loss_check", "核定挽回经济损失")
WARNING_RAISE = register_action("service.warning_raise", "发出预警")
SWEEP = register_action("service.sweep", "工单超时检查")
DUTY_SAVE = register_action("service.duty_save", "保存值班安排")
ARTICLE_SAVE = register_action("service.article_save", "保存知识库文章")
ARTICLE_ARCHIVE = register_action("service.article_archive", "归档知识库文章")
ARTICLE_FROM_REQUEST = register_action("service.article_from_request", "工单转知识库文章")
STATS_ROLLUP = register_action("service.stats_rollup", "重算服务统计汇总")
