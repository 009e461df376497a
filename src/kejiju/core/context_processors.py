"""What every page's shell needs: navigation, the user's regions and the switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kejiju.core.navigation import navigation_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    from kejiju.core.models import Region
    from kejiju.core.permissions import account_region_code, active_region_code

    own = account_region_code(user)
    active = active_region_code(user)
    active_region = Region.objects.filter(code=active).first() if active else None
    own_region = Region.objects.filter(code=own).first() if own else None
    switch_regions = []
    if own is not None and len(own) < 6:
        from kejiju.core.selectors import switchable_regions

        for region in switchable_regions(user=user):
            depth = max(0, (len(region.code) - max(len(own), 2)) // 2)
            setattr(region, "indent", "\u3000" * depth)  # noqa: B010  (a display attribute for the template)
            switch_regions.append(region)
        if not own:
            switch_regions.insert(0, Region(code="", name="全部区划", level=2))
    from kejiju.core.notify import unread_count

    return {
        "unread_notifications": unread_count(user),
        "nav": navigation_for(user),
        "switch_regions": switch_regions,
        "active_region": active_region,
        "own_region": own_region,
        "can_switch_region": own is not None and len(own) < 6,
    }
