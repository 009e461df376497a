import pytest
@pytest.mark.django_db(transaction=True)
def test_zz_probe():
    from kejiju.core.models import Region
    Region.objects.count()
