"""Operation-log action codes of the people registry."""

from kejiju.core.audit import register_action

PERSON_CREATE = register_action("people.create", "新增人员")
PERSON_UPDATE = register_action("people.update", "修改人员")
PERSON_ARCHIVE = register_action("people.archive", "归档人员")
